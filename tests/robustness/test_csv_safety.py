"""Spreadsheet safety: formula-like cells are neutralised in CSV output only."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from recommender import Recommender, cli
from recommender.corpus import load_corpus
from recommender.io import frame_to_csv_text, neutralize_formula, write_csv
from recommender.model import persistence

FORMULA_IDS = ['=HYPERLINK("http://evil.example/?x=1","点我")', "+1+2", "-2+3", "@SUM(A1:A2)",
               "\t=1+1", "＝1+1"]
#: ids as a batch echoes them back (ids are stripped of surrounding white space)
PROFILE_IDS = [p for p in FORMULA_IDS if p == p.strip()]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def _cells(csv_text):
    return [cell for row in csv.reader(io.StringIO(csv_text)) for cell in row]


def _is_number(cell):
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _assert_safe(csv_text):
    """No text cell starts like a formula (plain numbers such as -1.0 are harmless)."""
    for cell in _cells(csv_text):
        assert _is_number(cell) or not cell.startswith(DANGEROUS), cell


@pytest.mark.parametrize("value", FORMULA_IDS)
def test_neutralize_formula(value):
    assert neutralize_formula(value) == "'" + value


@pytest.mark.parametrize("value", ["株洲", "", "a=b", "'=x", 3, -1.5, None])
def test_harmless_values_pass_through(value):
    assert neutralize_formula(value) == value


def test_frame_to_csv_text_and_write_csv(tmp_path):
    frame = pd.DataFrame({"=cmd": FORMULA_IDS, "n": range(len(FORMULA_IDS)),
                          "x": [-1.0] * len(FORMULA_IDS)})
    text = frame_to_csv_text(frame)
    _assert_safe(text)
    back = pd.read_csv(io.StringIO(text))
    assert back["n"].tolist() == list(range(len(FORMULA_IDS)))  # numbers stay numbers
    assert back["x"].tolist() == [-1.0] * len(FORMULA_IDS)
    path = tmp_path / "out.csv"
    write_csv(frame, path)
    assert path.read_text(encoding="utf-8-sig") == text  # with the BOM that Excel needs
    assert frame["=cmd"].tolist() == FORMULA_IDS  # the caller's frame is not modified


@pytest.fixture()
def formula_profiles(tmp_path):
    path = tmp_path / "profiles.csv"
    pd.DataFrame({"profile_id": PROFILE_IDS, "sectors": ["陶瓷"] * len(PROFILE_IDS),
                  "text": ["=日用陶瓷"] * len(PROFILE_IDS)}).to_csv(path, index=False)
    return path


def test_score_csv_output_is_neutralised(cli_env, formula_profiles, tmp_path, capsys):
    out = tmp_path / "results.csv"
    assert cli.main(["score", str(formula_profiles), "--out", str(out), "--top-k", "2", "--quiet"]) == 0
    text = out.read_text(encoding="utf-8")
    _assert_safe(text)
    frame = pd.read_csv(out, dtype=str)
    assert frame["profile_id"].drop_duplicates().tolist() == ["'" + p for p in PROFILE_IDS]


@pytest.mark.parametrize("ext", ["jsonl", "parquet"])
def test_jsonl_and_parquet_keep_values_exactly(cli_env, formula_profiles, tmp_path, capsys, ext):
    out = tmp_path / f"results.{ext}"
    assert cli.main(["score", str(formula_profiles), "--out", str(out), "--top-k", "2", "--quiet"]) == 0
    if ext == "jsonl":
        ids = [json.loads(line)["profile_id"] for line in out.read_text(encoding="utf-8").splitlines()]
    else:
        ids = pd.read_parquet(out)["profile_id"].drop_duplicates().tolist()
    assert ids == PROFILE_IDS


@pytest.fixture(scope="module")
def formula_model_path(tmp_path_factory):
    """A model whose corpus holds a scraped line that starts like a formula."""
    d = tmp_path_factory.mktemp("formula-corpus")
    (d / "page.txt").write_text(
        "株洲市醴陵市政府工作报告\n"
        '=HYPERLINK("http://evil.example","醴陵市陶瓷产业园") 醴陵市日用陶瓷和电瓷产业加快发展，陶瓷出口增长。\n'
        "-醴陵市建设陶瓷产业园，引进陶瓷企业二十家，打造千亿陶瓷产业集群。\n"
        "株洲市石峰区发展轨道交通装备产业，牵引变流器实现本地配套。\n",
        encoding="utf-8")
    path = d / "model.joblib"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(persistence, "code_fingerprint", lambda: "robustness-tests")
        Recommender().fit(load_corpus(d)).save(path)
    return path


def test_recommend_format_csv_is_neutralised(formula_model_path, monkeypatch, capsys):
    monkeypatch.setattr(persistence, "code_fingerprint", lambda: "robustness-tests")
    assert cli.main(["recommend", "日用陶瓷", "--sector", "陶瓷", "--format", "csv",
                     "--model", str(formula_model_path)]) == 0
    out = capsys.readouterr().out
    _assert_safe(out)
    evidence = pd.read_csv(io.StringIO(out), dtype=str)["evidence_text"].tolist()
    assert any(e.startswith("'=HYPERLINK") or e.startswith("'-") for e in evidence), evidence
    # the same evidence in JSON stays verbatim
    assert cli.main(["recommend", "日用陶瓷", "--sector", "陶瓷", "--format", "json",
                     "--model", str(formula_model_path)]) == 0
    record = json.loads(capsys.readouterr().out)
    texts = [e["text"] for m in record["matches"] for e in m["evidence"]]
    assert any(t.startswith(("=HYPERLINK", "-")) for t in texts)
