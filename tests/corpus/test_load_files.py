"""Decoding, skipping and error tests for page and table inputs."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest

from recommender.corpus import load_corpus
from recommender.corpus.load import decode_bytes, DecodeError, find_input_files
from recommender.datasets import sample_corpus_paths
from recommender.exceptions import CorpusError, InputError, TableSchemaError

PAGE = sample_corpus_paths()[3]  # 003: dash listing with inline glossaries

REPORT = (
    "2021年2月2日在醴陵市第十六届人民代表大会第六次会议上 各位代表:现在,我代表市人民政府向大会报告工作。"
    "一、2020年工作回顾。全市地区生产总值增长4.5%。(一)产业项目建设扎实推进。新引进陶瓷、电瓷项目30个,"
    "醴陵经开区获批国家级经开区。(二)园区提质升级。完成投资9亿元。"
)


def _key(corpus):
    return corpus.passages[["start", "end", "text", "role", "heading"]].reset_index(drop=True)


def test_gb18030_and_bom_copies_match(tmp_path):
    text = PAGE.read_text(encoding="utf-8")
    gb = tmp_path / "gb.txt"
    gb.write_bytes(text.encode("gb18030"))
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    a, b, ref = load_corpus(gb), load_corpus(bom), load_corpus(PAGE)
    pd.testing.assert_frame_equal(_key(a), _key(b))
    pd.testing.assert_frame_equal(_key(a), _key(ref))
    # the decoded text excludes the BOM and is what the offsets index
    assert b.source_text(str(bom)) == text
    with open(bom, encoding="utf-8-sig") as fh:
        raw = fh.read()
    for p in b.passages.itertuples():
        assert raw[p.start:p.end] == p.text
    with open(gb, encoding="gb18030") as fh:
        raw = fh.read()
    for p in a.passages.itertuples():
        assert raw[p.start:p.end] == p.text


def test_bad_files_are_skipped_and_listed(tmp_path, caplog):
    good = tmp_path / "good.txt"
    good.write_text(REPORT, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("  \n\n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20)
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\xfa\x80 abc \xff")
    with caplog.at_level(logging.WARNING, logger="recommender.corpus"):
        corpus = load_corpus(tmp_path)
    skipped = dict((p.rsplit("/", 1)[-1], why) for p, why in corpus.report.files_skipped)
    assert skipped["empty.txt"] == "empty"
    assert skipped["binary.txt"].startswith("binary")
    assert skipped["bad.txt"].startswith("undecodable")
    assert corpus.report.files_read == [str(good)]
    assert len(corpus.documents) == 1
    assert "empty.txt" in caplog.text and "binary.txt" in caplog.text
    assert "3 skipped" in corpus.summary()


def test_nothing_usable_raises(tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(CorpusError, match="no usable documents"):
        load_corpus(tmp_path)
    with pytest.raises(CorpusError):
        load_corpus([])


def test_missing_path_names_it(tmp_path):
    missing = tmp_path / "nope" / "reports"
    with pytest.raises(CorpusError, match="nope") as info:
        load_corpus([PAGE, missing])
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)


def test_directory_recursive_sorted(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text(REPORT, encoding="utf-8")
    (tmp_path / "a.md").write_text(REPORT.replace("醴陵", "攸县"), encoding="utf-8")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    files = find_input_files(tmp_path)
    assert [f.rsplit("/", 1)[-1] for f in files] == ["a.md", "2.txt"]
    assert load_corpus(str(tmp_path)).report.files_read == files


def test_plain_report_page_sections(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text(REPORT, encoding="utf-8")
    c = load_corpus(path)
    d = c.documents.iloc[0]
    assert d.doc_date == "2021-02-02" and d.source == str(path) and d.row == -1
    assert d.kind == "work_report" and d.title == ""
    heads = c.passages.heading.tolist()
    assert "(一)产业项目建设扎实推进" in heads and "(二)园区提质升级" in heads
    for p in c.passages.itertuples():
        if p.heading == "(二)园区提质升级" and p.role == "body":
            assert p.text.startswith("(二)")


def test_html_tags_never_inside_passages(tmp_path):
    html = (
        "<html><head><title>t</title><style>p{color:red}</style></head><body>"
        "<h1>株洲市招商引资情况</h1><p>株洲市打造轨道交通装备产业集群,引进配套企业30家。"
        "全年实现产值1500亿元。</p><p>石峰区建设<b>田心高科园</b>,发展功率半导体产业。</p></body></html>"
    )
    path = tmp_path / "p.html"
    path.write_text(html, encoding="utf-8")
    c = load_corpus(path)
    assert len(c) >= 2
    for p in c.passages.itertuples():
        assert "<" not in p.text and ">" not in p.text
        assert c.source_text(p.source)[p.start:p.end] == p.text
    assert c.passages.text.str.contains("轨道交通装备").any()


def test_decode_bytes_rules():
    assert decode_bytes("湖南".encode("utf-8")) == "湖南"
    assert decode_bytes(b"\xef\xbb\xbf" + "湖南".encode("utf-8")) == "湖南"
    assert decode_bytes("湖南".encode("gb18030")) == "湖南"
    for data, reason in [(b"", "empty"), (b"a\x00b", "binary"), (b"\xff\xff\xff", "undecodable")]:
        with pytest.raises(DecodeError) as info:
            decode_bytes(data)
        assert info.value.reason.startswith(reason)


# ----------------------------------------------------------------------------- tables

ROWS = [
    {"province": "湖南省", "title": "2026年湖南省政府工作报告", "publish_date": "2026-02-24",
     "body": "各位代表：\n一、2025年工作回顾\n全省地区生产总值增长5%。株洲轨道交通产业集群加快发展。"},
    {"province": "湖北省", "title": "新闻", "publish_date": "2026/2/5", "body": ""},
    {"province": "江西省", "title": "江西新闻", "publish_date": "", "body": "南昌航空产业园新签约项目12个,总投资80亿元。"},
]


@pytest.mark.parametrize("suffix", ["csv", "jsonl", "parquet"])
def test_table_formats(tmp_path, suffix):
    path = tmp_path / f"docs.{suffix}"
    df = pd.DataFrame(ROWS)
    if suffix == "csv":
        df.to_csv(path, index=False)
    elif suffix == "jsonl":
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS), encoding="utf-8")
    else:
        pytest.importorskip("pyarrow")
        df.to_parquet(path)
    c = load_corpus(path)
    docs = c.documents
    assert docs.row.tolist() == [0, 2]
    assert docs.region_tag.tolist() == ["湖南省", "江西省"]
    assert docs.date.tolist() == ["2026-02-24", ""]
    assert docs.kind.tolist() == ["work_report", "news"]
    assert c.report.rows_skipped == 1
    for p in c.passages.itertuples():
        assert c.source_text(p.source, p.row)[p.start:p.end] == p.text
        assert c.source_text(p.source, p.row) == ROWS[p.row]["body"]


@pytest.mark.parametrize("column", ["text", "full_text", "content", "body"])
def test_text_column_variants(tmp_path, column):
    path = tmp_path / "t.csv"
    pd.DataFrame({"city": ["株洲市"], column: ["株洲市新增高新技术企业100家,轨道交通产业产值增长10%。"]}).to_csv(path, index=False)
    c = load_corpus(path)
    assert c.documents.region_tag.tolist() == ["株洲市"]
    assert len(c) == 1


def test_explicit_columns(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"place": ["醴陵市"], "words": ["醴陵陶瓷产业集群产值突破千亿元。"], "text": ["别的"]}).to_csv(path, index=False)
    c = load_corpus(path, text_column="words", region_column="place")
    assert c.passages.text.tolist() == ["醴陵陶瓷产业集群产值突破千亿元。"]
    assert c.documents.region_tag.tolist() == ["醴陵市"]
    with pytest.raises(TableSchemaError, match="the table has columns: place, words, text"):
        load_corpus(path, text_column="missing")


def test_missing_text_column_skips_file(tmp_path):
    (tmp_path / "meta.csv").write_text("province,text_length\n湖南省,100\n", encoding="utf-8")
    (tmp_path / "page.txt").write_text(REPORT, encoding="utf-8")
    c = load_corpus(tmp_path)
    (path, reason), = c.report.files_skipped
    assert path.endswith("meta.csv")
    assert "no text column" in reason and "province, text_length" in reason
