"""Size limits: long profile texts are truncated with a warning; many or huge files fit."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest

from recommender import Recommender, cli
from recommender.corpus import load_corpus
from recommender.datasets import sample_corpus_paths
from recommender.exceptions import InputError
from recommender.profiles import MAX_TEXT_CHARS, InvestorProfile

LONG = "硬质合金刀具和轨道交通装备配套。" * (MAX_TEXT_CHARS // 10)


def test_long_profile_text_is_truncated_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="recommender"):
        p = InvestorProfile(text=LONG, profile_id="big")
    assert p.truncated and len(p.text) == MAX_TEXT_CHARS and p.text == LONG[:MAX_TEXT_CHARS]
    assert any("truncated" in r.getMessage() and "big" in r.getMessage() for r in caplog.records)
    short = InvestorProfile(text="陶" * MAX_TEXT_CHARS)
    assert not short.truncated and len(short.text) == MAX_TEXT_CHARS


def test_batch_result_carries_the_truncation_warning(model):
    out = model.score_batch(pd.DataFrame({"profile_id": ["big", "small"], "text": [LONG, "陶瓷"]}), top_k=2)
    assert out["error"].isna().all()
    assert any("truncated" in w for w in out.loc[0, "warnings"])
    assert not any("truncated" in w for w in out.loc[1, "warnings"])


def test_cli_recommend_carries_the_truncation_warning(cli_env, capsys):
    assert cli.main(["recommend", LONG, "--format", "json", "--top-k", "2"]) == 0
    out, err = capsys.readouterr()
    record = json.loads(out)
    assert any(f"truncated to {MAX_TEXT_CHARS}" in w for w in record["warnings"])
    assert sum("truncated" in line for line in err.splitlines()) == 1  # said once on stderr


@pytest.mark.parametrize("k", [0, -1, 10**9, 2.5, "3", True])
def test_absurd_top_k_is_refused(model, k):
    with pytest.raises(InputError):
        model.recommend("陶瓷", top_k=k)


def test_two_thousand_tiny_files_fit(tmp_path):
    places = ["株洲市石峰区", "醴陵市", "长沙市岳麓区", "湘潭市", "株洲市天元区"]
    sectors = ["轨道交通装备", "陶瓷", "新材料", "硬质合金", "航空航天"]
    for i in range(2000):
        (tmp_path / f"{i:04d}.txt").write_text(
            f"{places[i % 5]}发展{sectors[(i // 5) % 5]}产业，第{i}号项目签约落地。", encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert len(corpus.report.files_read) == 2000 and not corpus.report.files_skipped
    rec = Recommender().fit(corpus)
    assert rec.recommend({"sectors": ["陶瓷"]}, top_k=1).matches[0].name == "醴陵市"


def test_single_two_megabyte_file_fits(tmp_path):
    src = "".join(p.read_text(encoding="utf-8") for p in sample_corpus_paths())
    parts, n, i = [], 0, 0
    while n < 2_000_000:
        chunk = src.replace("。", f"（{i}）。")
        parts.append(chunk)
        n += len(chunk)
        i += 1
    path = tmp_path / "two_mb.txt"
    path.write_text("".join(parts)[:2_000_000], encoding="utf-8")
    corpus = load_corpus([path])
    assert corpus.report.n_characters == 2_000_000
    rec = Recommender().fit(corpus)
    assert rec.recommend({"sectors": ["陶瓷"], "text": "日用陶瓷"}, top_k=3).matches


def test_list_fields_have_limits():
    from recommender.profiles import MAX_ITEM_CHARS, MAX_LIST_ITEMS

    ok = InvestorProfile(sectors=["陶瓷"] * MAX_LIST_ITEMS, regions=["株" * MAX_ITEM_CHARS])
    assert len(ok.sectors) == MAX_LIST_ITEMS
    with pytest.raises(InputError, match=f"sectors has {MAX_LIST_ITEMS + 1} items"):
        InvestorProfile(sectors=";".join(["陶瓷"] * (MAX_LIST_ITEMS + 1)))
    with pytest.raises(InputError, match="an item of regions has") as info:
        InvestorProfile(text="陶瓷", regions=["株洲" * MAX_ITEM_CHARS])
    assert len(str(info.value)) < 300  # the message does not echo the whole item


def test_list_limits_are_row_errors_in_a_batch(model):
    frame = pd.DataFrame({"profile_id": ["many", "fine"],
                          "sectors": [";".join(f"行业{i}" for i in range(500)), "陶瓷"]})
    out = model.score_batch(frame, top_k=2)
    assert "at most" in out.loc[0, "error"] and out.loc[1, "error"] is None


def test_cli_list_limit_is_a_usage_error(cli_env, capsys):
    argv = ["recommend", "陶瓷"] + [a for i in range(101) for a in ("--sector", f"行业{i}")]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "at most 100" in err
