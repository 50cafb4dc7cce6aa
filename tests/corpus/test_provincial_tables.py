"""The provincial 2026 work reports (shared reference CSVs): chrome stripped, verbatim passages."""

from __future__ import annotations

CHROME = ["下载\n打印", "【字号", "【字体", "来源：", "时间：", "您的位置", "当前位置",
          "分享到", "扫一扫", "打印本页", "关闭窗口", "阅读量"]
# chrome words that also occur inside sentences: checked as whole lines
CHROME_LINES = {"下载", "打印", "全屏", "收藏", "加大", "还原", "减小", "】", "【字号：", "大", "中", "小", "首页", ">", "|"}


def test_every_passage_is_verbatim(provincial_corpus):
    c = provincial_corpus
    for p in c.passages.itertuples():
        assert c.source_text(p.source, p.row)[p.start:p.end] == p.text
        assert p.text and p.text == p.text.strip()
    assert c.passages.text.str.len().max() <= 400


def test_documents_and_metadata(provincial_corpus):
    docs = provincial_corpus.documents
    assert len(docs) == 31 and (docs.row == 0).all()
    assert set(docs.kind) == {"work_report"}
    assert docs.region_tag.is_unique and "湖南省" in set(docs.region_tag)
    assert docs.date.str.match(r"^2026-\d\d-\d\d$").all()
    assert (docs.doc_date != "").sum() >= 30
    hunan = docs[docs.region_tag == "湖南省"].iloc[0]
    assert (hunan.doc_date, hunan.date, hunan.truncated) == ("2026-02-03", "2026-02-24", False)
    gansu = docs[docs.region_tag == "甘肃省"].iloc[0]
    assert gansu.doc_date == "2026-01-27"  # written 二〇二六年一月二十七日


def test_manifest_without_text_column_is_skipped(provincial_corpus):
    skipped = provincial_corpus.report.files_skipped
    assert len(skipped) == 1 and skipped[0][0].endswith("run_manifest_2026.csv")
    assert "no text column" in skipped[0][1]


def test_web_chrome_stripped(provincial_corpus):
    c = provincial_corpus
    for p in c.passages.itertuples():
        for s in CHROME:
            assert s not in p.text, (s, p.source)
        assert not p.text.endswith("摄"), p.text
        lines = [line.strip() for line in p.text.splitlines()]
        assert not set(lines) & CHROME_LINES, p.text
        assert not any(line.startswith(("相关报道", "相关文档")) for line in lines), p.text
    # the report starts at its title, not at the chrome before it
    for d in c.documents.itertuples():
        assert "下载\n打印" not in c.source_text(d.source, d.row)[d.start:d.end]


def test_full_width_section_headings(provincial_corpus):
    p = provincial_corpus.passages
    heads = set(p[p.role == "heading"].text)
    assert "一、2025年工作回顾" in heads
    assert p.heading.str.startswith("（").any()
    # 「一、二、三产业」 is an enumeration, not a section marker
    assert not p.heading.str.startswith("一、二、三产业").any()
