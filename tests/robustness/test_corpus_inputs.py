"""Awkward corpora: encodings, BOM, empty and binary files, CRLF/CR line endings, huge lines."""

from __future__ import annotations

import logging
import tracemalloc

import pytest

from recommender import Recommender
from recommender.corpus import load_corpus
from recommender.corpus.segment import MAX_LEN
from recommender.datasets import sample_corpus_paths
from recommender.exceptions import CorpusError

REPORT = (
    "株洲市石峰区政府工作报告\n"
    "过去一年，石峰区坚持制造强区，轨道交通装备产业集群加快发展，牵引变流器等关键部件实现本地配套。\n"
    "醴陵市陶瓷产业转型升级，日用陶瓷和电瓷出口增长，建成陶瓷产业园。\n"
    "长沙市岳麓区聚焦新材料和人工智能，推动科技成果转化，支持企业上市。\n"
)


@pytest.fixture(scope="module")
def sample_text():
    return "".join(p.read_text(encoding="utf-8") for p in sample_corpus_paths())


def _verbatim(corpus):
    for p in corpus.passages.itertuples():
        assert corpus.source_text(p.source, p.row)[p.start:p.end] == p.text
        assert p.text == p.text.strip() and p.text
        assert len(p.text) <= MAX_LEN


def test_mixed_corpus_fits_and_reports_skipped_files(tmp_path, caplog):
    d = tmp_path / "corpus"
    d.mkdir()
    (d / "a_utf8.txt").write_text(REPORT, encoding="utf-8")
    (d / "b_gb18030.txt").write_bytes(REPORT.replace("石峰区", "天元区").encode("gb18030"))
    (d / "c_bom.txt").write_bytes(b"\xef\xbb\xbf" + REPORT.replace("醴陵市", "攸县").encode("utf-8"))
    (d / "d_empty.txt").write_bytes(b"")
    (d / "e_blank.txt").write_text(" \n\t\n", encoding="utf-8")
    (d / "f_binary.txt").write_bytes(bytes(range(256)) * 40)
    (d / "g_undecodable.txt").write_bytes(b"\xff\xfe\xfd" * 500)
    with caplog.at_level(logging.WARNING, logger="recommender"):
        corpus = load_corpus(d)
    skipped = dict((p.rsplit("/", 1)[-1], why) for p, why in corpus.report.files_skipped)
    assert set(skipped) == {"d_empty.txt", "e_blank.txt", "f_binary.txt", "g_undecodable.txt"}
    assert skipped["d_empty.txt"] == "empty" and skipped["f_binary.txt"].startswith("binary")
    assert skipped["g_undecodable.txt"].startswith("undecodable")
    for name in skipped:
        assert any(name in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
        assert f"skipped {d / name}" in str(corpus.report)
    assert len(corpus.report.files_read) == 3
    _verbatim(corpus)
    # GB18030 and BOM files: the contract's own reading of the file gives the passage
    for p in corpus.passages.itertuples():
        enc = "gb18030" if p.source.endswith("b_gb18030.txt") else "utf-8-sig"
        with open(p.source, encoding=enc) as fh:
            assert fh.read()[p.start:p.end] == p.text
    rec = Recommender().fit(corpus)
    names = [m.name for m in rec.recommend({"sectors": ["陶瓷"]}, top_k=3).matches]
    assert "醴陵市" in names


def test_nothing_usable_raises_corpus_error(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.md").write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(CorpusError, match="no usable documents") as info:
        load_corpus(tmp_path)
    assert "empty.txt: empty" in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_crlf_and_cr_offsets_follow_open_read(tmp_path, newline, encoding):
    """``open(source, encoding=...).read()[start:end] == text`` with Python's default newlines."""
    path = tmp_path / "windows.txt"
    path.write_bytes(REPORT.replace("\n", newline).encode(encoding))
    corpus = load_corpus([path])
    assert len(corpus.passages) >= 2
    assert any("\n" in t for t in corpus.passages.text)  # some passage spans a line break
    read_as = "gb18030" if encoding == "gb18030" else "utf-8-sig"
    with open(path, encoding=read_as) as fh:
        text = fh.read()
    assert "\r" not in corpus.source_text(str(path))
    assert corpus.source_text(str(path)) == text
    for p in corpus.passages.itertuples():
        with open(p.source, encoding=read_as) as fh:
            assert fh.read()[p.start:p.end] == p.text
        assert "\r" not in p.text


def test_crlf_inside_a_table_cell_is_kept(tmp_path):
    path = tmp_path / "docs.csv"
    path.write_bytes('province,title,content\r\n湖南省,报告,"株洲市发展轨道交通装备。\r\n醴陵市发展陶瓷产业。"\r\n'
                     .encode("utf-8"))
    corpus = load_corpus([path])
    text = corpus.source_text(str(path), 0)
    assert text == "株洲市发展轨道交通装备。\r\n醴陵市发展陶瓷产业。"
    _verbatim(corpus)


def test_single_line_of_one_megabyte(tmp_path, sample_text):
    """A 1 MB page without line breaks loads in bounded memory into bounded passages, and fits."""
    line = "".join(sample_text.split())
    line = (line * (1_000_000 // len(line) + 1))[:1_000_000]
    path = tmp_path / "one_line.txt"
    path.write_text(line, encoding="utf-8")
    tracemalloc.start()
    try:
        corpus = load_corpus([path])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 * 2**20  # a few copies of a 1 MB text, not a quadratic blow-up
    assert len(corpus.passages) > 100
    _verbatim(corpus)
    rec = Recommender().fit(corpus)
    assert rec.recommend("轨道交通装备", top_k=3).matches


@pytest.mark.parametrize("line", ["轨道交通装备产业发展" * 30_000, "a" * 200_000, "word " * 60_000])
def test_single_line_without_sentence_ends(tmp_path, line):
    path = tmp_path / "flat.txt"
    path.write_text(line, encoding="utf-8")
    corpus = load_corpus([path])
    _verbatim(corpus)


def test_cli_fit_warns_and_reports_skipped_files(tmp_path, capsys, monkeypatch, caplog):
    from recommender import cli

    d = tmp_path / "reports"
    d.mkdir()
    (d / "good.txt").write_bytes(REPORT.replace("\n", "\r\n").encode("gb18030"))
    (d / "empty.txt").write_bytes(b"")
    (d / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50)
    model = tmp_path / "m" / "model.joblib"
    monkeypatch.delenv("RECOMMENDER_MODEL", raising=False)
    assert cli.main(["fit", str(d), "--model", str(model)]) == 0
    out, err = capsys.readouterr()
    assert f"skipped {d / 'empty.txt'}: empty" in out
    assert f"skipped {d / 'image.html'}: binary" in out
    assert "1 file read, 2 skipped" in out and f"saved model to {model}" in out
    warned = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert "empty.txt" in warned and "image.html" in warned  # warned while reading
    assert model.is_file()
    assert cli.main(["recommend", "陶瓷", "--model", str(model), "--format", "json"]) == 0


def test_cli_fit_into_a_file_path_parent_is_a_usage_error(tmp_path, capsys):
    from recommender import cli

    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert cli.main(["fit", "--model", str(blocker / "model.joblib")]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "is not a directory" in err


# ------------------------------------------------------------- bad rows at national scale
def _jsonl_corpus(tmp_path):
    """A JSON Lines table with one row of every defect between good rows."""
    import json

    good = {"region": "株洲市", "province": "湖南省", "year": 2025, "title": "株洲市政府工作报告", "text": REPORT}
    rows = [
        json.dumps(good, ensure_ascii=False),                                   # line 1: fitted
        json.dumps({**good, "text": ""}, ensure_ascii=False),                   # line 2: no text
        json.dumps({k: v for k, v in good.items() if k != "text"}, ensure_ascii=False),  # line 3: no text field
        '{"region": "醴陵市", "text": "醴陵市陶瓷产业',                             # line 4: corrupt (cut off)
        json.dumps({**good, "region": "", "text": REPORT.replace("株洲市", "衡阳市")}, ensure_ascii=False),  # line 5
        json.dumps({**good, "text": "陶瓷产业。" * 400_000}, ensure_ascii=False),  # line 6: a 2 MB "report"
        "[1, 2, 3]",                                                            # line 7: not an object
        json.dumps({**good, "region": "醴陵市", "text": REPORT.replace("株洲市石峰区", "醴陵市")},
                   ensure_ascii=False),                                         # line 8: fitted
    ]
    path = tmp_path / "city_reports_2025.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_bad_jsonl_rows_are_reported_with_file_and_line_and_the_rest_fitted(tmp_path):
    path = _jsonl_corpus(tmp_path)
    corpus = load_corpus([path], region_column="region")
    problems = {where: why for src, where, why in corpus.report.row_problems if src == str(path)}
    assert set(problems) == {"line 2", "line 3", "line 4", "line 5", "line 6", "line 7"}
    assert "no text" in problems["line 2"] and "no text" in problems["line 3"]
    assert "not valid JSON" in problems["line 4"]
    assert "empty 'region'" in problems["line 5"]
    assert "2,000,000 characters" in problems["line 6"] and "skipped" in problems["line 6"]
    assert "not an object" in problems["line 7"]
    # rows keep their position in the file whatever the lines before them hold
    assert sorted(set(corpus.documents["row"])) == [0, 4, 7]
    assert set(corpus.documents["region_tag"]) == {"株洲市", "", "醴陵市"}
    text = str(corpus.report)
    assert f"{path} line 4: not valid JSON" in text and f"{path} line 6: 2,000,000 characters" in text
    _verbatim(corpus)
    rec = Recommender().fit(corpus)
    assert rec.recommend("日用陶瓷 电瓷", top_k=3).matches


def test_cli_fit_prints_the_row_problems(tmp_path, capsys, monkeypatch):
    from recommender import cli

    path = _jsonl_corpus(tmp_path)
    monkeypatch.delenv("RECOMMENDER_MODEL", raising=False)
    assert cli.main(["fit", str(path), "--region-column", "region", "--model", str(tmp_path / "m.model")]) == 0
    out = capsys.readouterr().out
    assert f"{path} line 4: not valid JSON" in out
    assert "1 file read, 0 skipped" in out


def test_a_file_of_only_corrupt_lines_is_skipped_with_its_reason(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"text": \n[1]\n', encoding="utf-8")
    (tmp_path / "good.txt").write_text(REPORT, encoding="utf-8")
    corpus = load_corpus([tmp_path])
    skipped = dict(corpus.report.files_skipped)
    assert "no line is a JSON object" in skipped[str(tmp_path / "bad.jsonl")]
