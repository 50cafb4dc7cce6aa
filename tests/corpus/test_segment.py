"""Segmentation: golden cases and hypothesis properties on random text."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from recommender.corpus.pages import split_page
from recommender.corpus.segment import (
    Block, find_sections, segment_blocks, segment_span, split_sentences, trim_span,
)

ALPHABET = st.sampled_from(
    list("株洲市轨道交通装备产业集群新材料园区项目投资亿元增长")
    + list("。,、;!?:“”()（）一二三①②") + [" ", "\n", "\n\n", "a", "b", "1", "2", "%", "."]
)
TEXTS = st.lists(ALPHABET, min_size=0, max_size=1500).map("".join)


def _check(text, spans, start, end, max_len):
    prev = start
    for a, b in spans:
        assert start <= a < b <= end
        assert a >= prev  # ordered, non-overlapping
        prev = b
        piece = text[a:b]
        assert piece == piece.strip() and piece
        assert b - a <= max_len


@settings(max_examples=150, deadline=None)
@given(TEXTS, st.integers(10, 120))
def test_segment_span_properties(text, max_len):
    spans = segment_span(text, max_len=max_len, min_len=5)
    _check(text, spans, 0, len(text), max_len)
    # nothing but white space is lost
    covered = "".join(text[a:b] for a, b in spans)
    assert "".join(covered.split()) == "".join(text.split())


@settings(max_examples=100, deadline=None)
@given(TEXTS, st.integers(0, 50))
def test_segment_span_respects_bounds(text, cut):
    start = min(cut, len(text))
    end = max(start, len(text) - cut)
    spans = segment_span(text, start, end, max_len=60, min_len=5)
    _check(text, spans, start, end, 60)


@settings(max_examples=100, deadline=None)
@given(TEXTS)
def test_segment_blocks_properties(text):
    blocks = [Block(a, b, "body") for a, b in _lines(text)]
    segs = segment_blocks(text, blocks, max_len=80, min_len=10)
    _check(text, [(s.start, s.end) for s in segs], 0, len(text), 80)
    assert all(s.role == "body" for s in segs)


@settings(max_examples=100, deadline=None)
@given(TEXTS)
def test_split_page_passages_are_verbatim(text):
    for doc in split_page(text):
        assert 0 <= doc.start <= doc.end <= len(text)
        segs = segment_blocks(text, doc.blocks)
        _check(text, [(s.start, s.end) for s in segs], doc.start, doc.end, 400)


def _lines(text):
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def test_sentences_keep_closing_quotes():
    t = "他说:“株洲很好。”然后走了!真的?"
    assert [t[a:b] for a, b in split_sentences(t)] == ["他说:“株洲很好。”", "然后走了!", "真的?"]


def test_long_sentence_cut_at_clause_delimiters():
    t = "、".join(["轨道交通装备"] * 100) + "。"
    spans = segment_span(t, max_len=100, min_len=20)
    assert all(b - a <= 100 for a, b in spans)
    assert all(t[b - 1] in "、。" for a, b in spans)


def test_long_ascii_run_not_split_mid_word():
    t = "株洲" * 45 + "abcdefghij" + "株洲" * 10
    spans = segment_span(t, max_len=95, min_len=5)
    assert all(b - a <= 95 for a, b in spans)
    assert any(t[a:b].endswith("株洲") and "abc" not in t[a:b] for a, b in spans[:1])


def test_tiny_leftover_merges():
    t = "株洲市打造轨道交通装备产业集群,引进配套企业三十家。好。"
    spans = segment_span(t, max_len=400, min_len=20)
    assert [t[a:b] for a, b in spans] == [t]


def test_false_section_markers():
    for t in ["全市唯一没有 一、二类道路交通安全风险。", "坚持质量第 一、效益优先。", "三 一、绿地、阿里、百度等企业。",
              "一、二、三产业增加值分别增长4.2%。"]:
        assert [h for _, _, h in find_sections("前文。" + t)] == [None], t


def test_sections_start_passages_and_set_heading():
    t = "各位代表:一、2020年工作回顾。经济增长。(一)产业项目建设扎实推进。新开工项目。①项目一。②项目二。"
    segs = segment_blocks(t, [Block(0, len(t))])
    texts = [t[s.start:s.end] for s in segs]
    assert texts[0] == "各位代表:"
    assert texts[1].startswith("一、") and segs[1].heading == "一、2020年工作回顾"
    assert any(x.startswith("(一)") for x in texts)
    assert all(s.heading == "(一)产业项目建设扎实推进" for s in segs if t[s.start:s.end].startswith(("(一)", "①", "②")))


def test_heading_and_glossary_roles():
    t = "第一章 发展基础\n建设新材料基地。发展硬质合金产业。\n名词解释\n1.“一区两城”:先行区、材料科技城。"
    blocks = [Block(0, 8, "heading"), Block(9, 25, "body"), Block(26, len(t), "glossary")]
    segs = segment_blocks(t, blocks)
    assert [(s.role, s.heading) for s in segs] == [
        ("heading", ""), ("body", "第一章 发展基础"), ("glossary", "名词解释"),
    ]


def test_trim_span():
    assert trim_span("  \n", 0, 3) == (3, 3)
