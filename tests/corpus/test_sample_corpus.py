"""Golden tests on the bundled Hunan sample corpus (see the corpus notes)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pandas as pd
import pytest

from recommender.corpus import Corpus
from recommender.corpus.corpus import DOCUMENT_COLUMNS, PASSAGE_COLUMNS
from recommender.text.normalize import normalize_for_features



def page_of(source: str) -> str:
    """The 3-digit prefix of a sample page file name."""
    return Path(source).name[:3]


FOOTER_STRINGS = [
    "有想补充的信息", "点我投稿", "共 2 页", "尾页", "跳转到", "招商中心", "400-162-2002", "投资咨询热线",
    "获取园区招商政策资料", "立即获取", "投稿提示", "投稿须知", "产业园区网",
    "违约责任", "反对宪法确定的基本原则", "其他违反法律法规", "侵犯他人隐私权", "附件", "下载附件",
    "温馨提示", "未经权益所有人同意", "大牛工程师", "本站不保证", "投资项目经济评价系统", "大牛约稿",
    "可行性研究报告 - 规划计划", "发表于", "制图/左骏", "图片由石峰区委宣传部提供", "掌上株洲记者",
    "九郎山上绿意盎然", "建设中的石峰区清水塘生态科技新城局部", "石峰区田心高科园", "2025-07-0", "2025-07-10",
    "租购厂房仓库", "工业用地招商", "其他相关咨询",
]
# navigation words that may also occur inside real sentences: checked as whole lines
NAV_LINES = {"联系我们", "企业入驻", "招商引资政策", "确定", "确认", "关闭", "收藏", "前言", "详情", "-"}


def test_columns_and_ids(sample_corpus):
    docs, passages = sample_corpus.documents, sample_corpus.passages
    assert list(docs.columns) == DOCUMENT_COLUMNS
    assert list(passages.columns) == PASSAGE_COLUMNS
    assert docs.doc_id.tolist() == list(range(len(docs))) == docs.index.tolist()
    assert passages.passage_id.tolist() == list(range(len(passages))) == passages.index.tolist()
    assert set(docs.kind) <= {"work_report", "plan", "news", "feature"}
    assert set(passages.role) == {"body", "heading", "glossary"}
    assert len(sample_corpus) == len(passages)
    assert (docs.row == -1).all() and (passages.row == -1).all()
    assert docs.truncated.dtype == bool


def test_every_passage_is_verbatim(sample_corpus):
    for p in sample_corpus.passages.itertuples():
        assert sample_corpus.source_text(p.source, p.row)[p.start:p.end] == p.text
        assert p.text == p.text.strip() and p.text
        assert p.norm_text == normalize_for_features(p.text)
    # the decoded text is the file read as UTF-8 (no BOM in the sample)
    src = sample_corpus.passages.source.iloc[0]
    with open(src, encoding="utf-8-sig") as fh:
        assert fh.read() == sample_corpus.source_text(src)


def test_passages_within_their_document(sample_corpus):
    docs = sample_corpus.documents.set_index("doc_id")
    for p in sample_corpus.passages.itertuples():
        d = docs.loc[p.doc_id]
        assert d.source == p.source
        assert d.start <= p.start < p.end <= d.end
        assert p.title == d.title and p.date == d.date and p.kind == d.kind
    # ordered and non-overlapping within a document
    for _, g in sample_corpus.passages.groupby("doc_id"):
        assert (g.start.values[1:] >= g.end.values[:-1]).all()


def test_golden_document_counts(sample_corpus):
    counts = sample_corpus.documents.source.map(page_of).value_counts().to_dict()
    assert counts == {"000": 10, "001": 2, "002": 10, "003": 10, "004": 1}


@pytest.mark.parametrize(
    "title, region_tag, date, doc_date, kind",
    [
        ("株洲市政府工作报告", "株洲", "2025-07-07", "2021-01-18", "work_report"),
        ("2021年石峰区政府工作报告", "石峰区", "2025-07-07", "2021-02-02", "work_report"),
        ("株洲医保推出10条利企便民举措 助力疫情防控与经济发展", "", "2025-07-02", "", "news"),
        ("2021年天心区政府工作报告", "天心区", "2025-07-08", "2020-12-26", "work_report"),
        ("宁乡市培育壮大三大产业链 构建制造业高质量发展新格局", "宁乡县", "2025-07-07", "", "news"),
        ("醴陵17个重大项目集中签约 引资98.29亿元赋能产业升级", "醴陵市", "2025-07-10", "", "news"),
        ("2019年攸县政府工作报告", "攸县", "2025-07-09", "2019-02-15", "work_report"),
        ("2019年舲舫乡政府工作报告", "茶陵县", "2025-07-08", "", "work_report"),
        ("培育制造名城 建设幸福株洲", "", "", "", "feature"),
        ("踏上新征程 再创新伟业", "", "", "", "feature"),
        ("(湖南省)株洲市荷塘区国民经济和社会发展十四五规划(2022年更新)", "", "2022-08-10", "2021-02-04", "plan"),
    ],
)
def test_golden_metadata(sample_corpus, title, region_tag, date, doc_date, kind):
    docs = sample_corpus.documents
    row = docs[docs.title == title]
    assert len(row) == 1, title
    row = row.iloc[0]
    assert (row.region_tag, row.date, row.doc_date, row.kind) == (region_tag, date, doc_date, kind)


def test_kind_counts(sample_corpus):
    assert sample_corpus.documents.kind.value_counts().to_dict() == {
        "news": 20, "work_report": 10, "feature": 2, "plan": 1,
    }


def test_truncated_flags(sample_corpus):
    docs = sample_corpus.documents.set_index("title")
    assert docs.loc["株洲市政府工作报告", "truncated"]
    assert docs.loc["培育制造名城 建设幸福株洲", "truncated"]
    assert not docs.loc["2021年石峰区政府工作报告", "truncated"]
    assert not docs.loc["2020年株洲市政府工作报告", "truncated"]


def test_no_furniture_in_passages(sample_corpus):
    for p in sample_corpus.passages.itertuples():
        for s in FOOTER_STRINGS:
            assert s not in p.text, (s, p.source, p.start)
        for line in p.text.splitlines():
            assert line.strip().lstrip("-• ") not in NAV_LINES, (line, p.source, p.start)


def test_contribution_rule_numbering_not_parsed(sample_corpus):
    headings = set(sample_corpus.passages.heading)
    assert not any("产业园区网" in h or "违约责任" in h for h in headings)


def test_glossaries(sample_corpus):
    p = sample_corpus.passages
    gloss = p[p.role == "glossary"]
    pages = set(gloss.source.map(page_of))
    assert {"003", "004"} <= pages
    assert gloss.text.str.contains("3+5+2", regex=False).any()
    assert gloss.text.str.contains("一区两城", regex=False).any()
    # glossary text never counts as body evidence
    body = p[p.role == "body"]
    assert not body.text.str.contains("名词解释", regex=False).any()
    assert not body.text.str.contains("一县一特:一个县或一个片区", regex=False).any()


def test_duplicates_collapsed(sample_corpus):
    p = sample_corpus.passages
    assert not p.norm_text.duplicated().any()
    hits = p[p.text.str.contains("按照“总体规划、完善功能、市场运作、统筹平衡”的思路", regex=False)]
    assert len(hits) == 1 and page_of(hits.source.iloc[0]) == "001"
    assert sample_corpus.report.duplicates_dropped > 0
    # the first occurrence is kept: it sits at 001 line 96, before the repeats
    text = sample_corpus.source_text(hits.source.iloc[0])
    assert text.count(hits.text.iloc[0]) == 2 and text.find(hits.text.iloc[0]) == hits.start.iloc[0]


def test_inline_sections_and_false_markers(sample_corpus):
    p = sample_corpus.passages
    assert (p.heading == "(二)产业项目建设扎实推进").any()
    # 「坚持质量第 一、效益优先」 and 「三 一、绿地」 are no section markers
    assert not p.heading.str.startswith(("一、效益优先", "一、绿地", "一、二类道路")).any()
    for marker in ("坚持质量第 一、效益优先", "三 一、绿地、阿里"):
        hit = p[p.text.str.contains(marker, regex=False)]
        assert len(hit) == 1 and not hit.text.iloc[0].startswith(marker.split(" ")[1])


def test_plan_headings(sample_corpus):
    p = sample_corpus.passages
    heads = p[p.role == "heading"].text.tolist()
    assert "第一节发展成就" in heads and "第四章 发展目标" in heads
    assert any(h.startswith("专栏 3") for h in heads)
    lead = p[p.text.str.startswith("建设新材料高新技术产业化基地。")]
    assert len(lead) == 1 and lead.heading.iloc[0] == "第一节大力发展先进制造业"


def test_passage_lengths(sample_corpus):
    lengths = sample_corpus.passages.text.str.len()
    assert lengths.max() <= 400
    body = sample_corpus.passages[sample_corpus.passages.role == "body"].text.str.len()
    assert (body >= 20).mean() > 0.97
    assert 120 <= body.median() <= 400


def test_report_and_summary(sample_corpus):
    r = sample_corpus.report
    assert len(r.files_read) == 5 and r.files_skipped == []
    assert r.n_documents == 33 and r.n_passages == len(sample_corpus)
    assert r.n_characters == 185648
    text = sample_corpus.summary()
    assert "5 files read" in text and "33 documents" in text


def test_pickle_round_trip(sample_corpus):
    again = pickle.loads(pickle.dumps(sample_corpus))
    assert isinstance(again, Corpus)
    pd.testing.assert_frame_equal(again.passages, sample_corpus.passages)
    assert again.texts == sample_corpus.texts


def test_constructor_is_plain(sample_corpus):
    c = Corpus(sample_corpus.documents, sample_corpus.passages, sample_corpus.texts, sample_corpus.report)
    assert len(c) == len(sample_corpus)
    with pytest.raises(KeyError):
        c.source_text("nope.txt")
