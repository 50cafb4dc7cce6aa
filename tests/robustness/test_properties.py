"""Property-based tests: ingestion, segmentation, profile parsing and the batch path.

Invariants: no exception escapes except the documented errors, every passage is
verbatim, every input row comes back, in order.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommender.corpus import load_corpus
from recommender.corpus.segment import MAX_LEN, Block, segment_blocks, segment_span
from recommender.exceptions import CorpusError, InputError
from recommender.profiles import LEVELS, MAX_TEXT_CHARS, PROFILE_FIELDS, InvestorProfile

COMMON = dict(deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

WORDS = ["株洲市", "石峰区", "醴陵市", "长沙市", "岳麓区", "湘潭市", "轨道交通装备", "陶瓷", "新材料",
         "硬质合金", "产业", "发展", "园区", "一、", "（二）", "①", "第一章", "2025年", "亿元", "%",
         "。", "，", "；", "！", "？", "：", "、", "“", "”", "（", "）", " ", "\u3000", "\n", "\r\n", "\r",
         "\t", "<p>", "</p>", "<script>x</script>", "&nbsp;", "abc", "GDP", "12.5", "—", "…", "•", "【", "】",
         "😀", "\ufeff", "\u200b", "臺灣", "發展"]

report_text = st.lists(st.sampled_from(WORDS), max_size=120).map("".join)
any_text = st.one_of(report_text, st.text(max_size=300))


# ------------------------------------------------------------------------ ingestion
@st.composite
def corpus_files(draw):
    files = []
    for i in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["text", "text", "bytes", "csv"]))
        if kind == "bytes":
            files.append((f"f{i}.txt", draw(st.binary(max_size=400))))
        elif kind == "csv":
            rows = draw(st.lists(report_text, max_size=4))
            body = "province,title,content\n" + "".join(
                '湖南省,t,"' + r.replace('"', '""') + '"\n' for r in rows)
            files.append((f"t{i}.csv", body.encode("utf-8")))
        else:
            text = draw(any_text)
            enc = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
            suffix = draw(st.sampled_from([".txt", ".md", ".html"]))
            try:
                data = text.encode(enc)
            except UnicodeEncodeError:  # lone surrogates
                data = text.encode(enc, errors="replace")
            files.append((f"p{i}{suffix}", data))
    return files


def _reading_encoding(data: bytes) -> str:
    try:
        data.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "gb18030"


@settings(max_examples=60, **COMMON)
@given(corpus_files())
def test_load_corpus_loads_verbatim_passages_or_raises_corpus_error(files):
    with tempfile.TemporaryDirectory() as d:
        raw = {}
        for name, data in files:
            path = Path(d) / name
            path.write_bytes(data)
            raw[str(path)] = data
        try:
            corpus = load_corpus(d)
        except CorpusError:
            return
        read, skipped = corpus.report.files_read, [p for p, _ in corpus.report.files_skipped]
        assert sorted(read + skipped) == sorted(raw)
        for p in corpus.passages.itertuples():
            assert 0 <= p.start < p.end
            assert p.text and p.text == p.text.strip() and len(p.text) <= MAX_LEN
            assert corpus.source_text(p.source, p.row)[p.start:p.end] == p.text
            if p.row == -1:  # a page: the contract's open(...).read() form
                with open(p.source, encoding=_reading_encoding(raw[p.source])) as fh:
                    assert fh.read()[p.start:p.end] == p.text


# --------------------------------------------------------------------- segmentation
@settings(max_examples=150, **COMMON)
@given(any_text, st.integers(10, 120), st.integers(1, 30))
def test_segment_span_gives_ordered_trimmed_bounded_spans(text, max_len, min_len):
    spans = segment_span(text, max_len=max_len, min_len=min(min_len, max_len))
    last = 0
    for a, b in spans:
        assert last <= a < b <= len(text)
        assert b - a <= max_len
        piece = text[a:b]
        assert piece == piece.strip(" \t\r\n\u3000\u00a0\ufeff\u200b")
        last = b


@settings(max_examples=100, **COMMON)
@given(report_text, st.lists(st.tuples(st.integers(0, 400), st.integers(0, 400),
                                       st.sampled_from(["body", "heading", "title", "glossary"])), max_size=6))
def test_segment_blocks_stay_inside_their_blocks(text, raw_blocks):
    n = len(text)
    blocks = sorted(Block(min(a, b, n), min(max(a, b), n), role) for a, b, role in raw_blocks)
    # the page parser hands over non-overlapping blocks in order
    clean, end = [], 0
    for blk in blocks:
        if blk.start >= end:
            clean.append(blk)
            end = blk.end
    segs = segment_blocks(text, clean)
    for s in segs:
        assert 0 <= s.start < s.end <= n and s.end - s.start <= MAX_LEN
        assert text[s.start:s.end] == text[s.start:s.end].strip(" \t\r\n\u3000\u00a0\ufeff\u200b")
        assert any(blk.start <= s.start for blk in clean) and any(s.end <= blk.end for blk in clean)
    assert [s.start for s in segs] == sorted(s.start for s in segs)


# ------------------------------------------------------------------ profile parsing
scalar = st.one_of(st.none(), st.just(float("nan")), st.just(pd.NA), st.booleans(), st.integers(),
                   st.floats(allow_nan=True), st.text(max_size=30), st.sampled_from(list(LEVELS) + ["PARK", " city "]),
                   st.binary(max_size=10))
value = st.one_of(scalar, st.lists(scalar, max_size=5), st.tuples(scalar, scalar),
                  st.dictionaries(st.text(max_size=5), scalar, max_size=2),
                  st.integers(MAX_TEXT_CHARS - 2, MAX_TEXT_CHARS + 5).map(lambda n: ("陶瓷 a" * n)[:n]))
profile_dicts = st.dictionaries(st.one_of(st.sampled_from(PROFILE_FIELDS), st.text(max_size=8), st.integers()),
                                value, max_size=7)


@settings(max_examples=300, **COMMON)
@given(profile_dicts)
def test_from_dict_gives_a_profile_or_an_input_error(data):
    try:
        p = InvestorProfile.from_dict(data)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert set(data) <= set(PROFILE_FIELDS)
    assert p.sectors or p.text
    assert len(p.text) <= MAX_TEXT_CHARS and p.text == p.text.strip() or p.truncated
    assert all(lv in LEVELS for lv in p.levels)
    for name in ("sectors", "regions", "levels", "exclude"):
        items = getattr(p, name)
        assert isinstance(items, tuple) and all(isinstance(x, str) and x and x == x.strip() for x in items)
    assert p.profile_id is None or (isinstance(p.profile_id, str) and p.profile_id.strip())
    assert InvestorProfile.from_dict(p.to_dict()) == p  # round trip


@settings(max_examples=50, **COMMON)
@given(st.one_of(st.integers(), st.floats(), st.binary(), st.lists(st.text())))
def test_coerce_rejects_non_profiles_with_input_error(value):
    try:
        InvestorProfile.coerce(value)
    except InputError:
        return
    raise AssertionError(f"{value!r} was accepted as a profile")


# ----------------------------------------------------------------------- batch path
cell = st.one_of(st.none(), st.just(""), st.sampled_from(
    ["陶瓷", "轨道交通装备;新材料", "不存在的行业", "ceramics", "株洲市", "火星", "district", "park;city",
     "planet", "醴陵市", "日用陶瓷 出口", "=HYPERLINK(\"x\")", "   ", "；；", "湖南省|株洲市"]),
    st.text(max_size=20))
batch_rows = st.lists(st.fixed_dictionaries(
    {"profile_id": st.one_of(st.none(), st.sampled_from(["a", "a", "b", " ", "7"]), st.text(max_size=5))},
    optional={k: cell for k in ("sectors", "text", "regions", "levels", "exclude", "note")}),
    min_size=0, max_size=8)


@settings(max_examples=25, **COMMON)
@given(batch_rows, st.integers(1, 5), st.integers(1, 4))
def test_score_batch_returns_every_row_in_order(model, rows, top_k, chunk_size):
    frame = pd.DataFrame(rows)
    if "sectors" not in frame.columns and "text" not in frame.columns:
        frame["text"] = "陶瓷"
    out = model.score_batch(frame, top_k=top_k, evidence_k=1, chunk_size=chunk_size)
    assert len(out) == len(frame)
    assert out["row"].tolist() == list(range(len(frame)))
    for i, rec in enumerate(out.itertuples()):
        given_id = frame["profile_id"].iloc[i] if "profile_id" in frame.columns else None
        ok = isinstance(given_id, str) and given_id.strip()
        assert rec.profile_id == (given_id.strip() if ok else str(i))
        if rec.error is not None and not (isinstance(rec.error, float) and math.isnan(rec.error)):
            assert isinstance(rec.error, str) and rec.error and "\n" not in rec.error
            assert rec.n_matches == 0
        else:
            assert 0 <= rec.n_matches <= top_k
            for m in rec.matches:
                assert 0.0 <= m["score"] <= 1.0
                for ev in m["evidence"]:
                    text = model.passages_.set_index(["source", "start"]).loc[(ev["source"], ev["start"]), "text"]
                    assert (text.iloc[0] if hasattr(text, "iloc") else text) == ev["text"]
