"""Metric functions against hand-computed values, the place mapping and the verbatim check."""

from __future__ import annotations

import math

import pytest

from recommender.evaluation.metrics import (
    dcg_at_k,
    evidence_relevance,
    gain,
    drop_repeats,
    grade_ranking,
    ndcg_at_k,
    precision_at_1,
    read_source_text,
    reciprocal_rank,
    trap_violations,
    verbatim_ok,
)

LOG3 = math.log2(3)


# ---------------------------------------------------------------- ranking metrics
def test_gain_is_exponential():
    assert [gain(g) for g in (0, 1, 2, 3)] == [0.0, 1.0, 3.0, 7.0]


def test_dcg_hand_computed():
    # 7/log2(2) + 3/log2(3) + 0/log2(4) + 1/log2(5)
    expected = 7 + 3 / LOG3 + 1 / math.log2(5)
    assert dcg_at_k([3, 2, 0, 1], 4) == pytest.approx(expected)
    assert dcg_at_k([3, 2, 0, 1], 2) == pytest.approx(7 + 3 / LOG3)
    assert dcg_at_k([], 3) == 0.0
    with pytest.raises(ValueError):
        dcg_at_k([1], 0)


def test_ndcg_hand_computed():
    assert ndcg_at_k([2, 3], [3, 2], 2) == pytest.approx((3 + 7 / LOG3) / (7 + 3 / LOG3))
    assert ndcg_at_k([3, 2, 1], [1, 3, 2], 10) == pytest.approx(1.0)
    assert ndcg_at_k([0, 0, 0], [3, 1], 10) == 0.0


def test_ndcg_with_tied_grades():
    # ideal [2, 2, 1]; ranked [2, 1, 2]
    got = ndcg_at_k([2, 1, 2], [2, 1, 2], 3)
    assert got == pytest.approx((3 + 1 / LOG3 + 3 / 2) / (3 + 3 / LOG3 + 1 / 2))
    # swapping two equally graded places changes nothing
    assert ndcg_at_k([2, 2, 1], [2, 2, 1], 3) == pytest.approx(1.0)


def test_ndcg_cutoff_applies_to_ranking_and_ideal():
    assert ndcg_at_k([0, 0, 0, 0, 0, 3], [3], 5) == 0.0
    assert ndcg_at_k([0, 0, 0, 0, 0, 3], [3], 6) == pytest.approx(1 / math.log2(7))
    assert ndcg_at_k([3], [3, 3], 1) == 1.0
    assert ndcg_at_k([3], [3, 3], 2) == pytest.approx(7 / (7 + 7 / LOG3))


def test_ndcg_empty_judgements_is_undefined():
    assert math.isnan(ndcg_at_k([1, 2, 3], [], 5))
    assert math.isnan(ndcg_at_k([], [0, 0], 5))


def test_precision_and_reciprocal_rank():
    assert precision_at_1([3]) == 1.0
    assert precision_at_1([2, 3]) == 1.0
    assert precision_at_1([1, 3]) == 0.0
    assert precision_at_1([]) == 0.0
    assert reciprocal_rank([0, 1, 3]) == 0.5
    assert reciprocal_rank([0, 0, 0, 2]) == 0.25
    assert reciprocal_rank([0, 1, 3], min_grade=3) == pytest.approx(1 / 3)
    assert reciprocal_rank([]) == 0.0


# ---------------------------------------------------------------- place mapping
class FakeGazetteer:
    """province P0 > city C > districts D, D2 > park PK (in D) > sub-park SP; park CP under C."""

    parents = {"P0": "", "C": "P0", "D": "C", "D2": "C", "PK": "D", "SP": "PK", "CP": "C",
               "PK2": "D2", "T": "D2"}
    levels = {"P0": "province", "C": "city", "D": "district", "D2": "district", "PK": "park",
              "SP": "park", "CP": "park", "PK2": "park", "T": "town"}

    def level(self, eid):
        return self.levels[eid]

    def ancestors(self, eid):
        out, p = [], self.parents[eid]
        while p:
            out.append(p)
            p = self.parents[p]
        return out


GAZ = FakeGazetteer()


def test_park_counts_as_its_judged_district_once():
    assert grade_ranking(["PK", "D", "C"], {"D": 3, "C": 2}, GAZ) == [("D", 3), ("D", 0), ("C", 2)]
    # district first, then its park: the park is the duplicate
    assert grade_ranking(["D", "SP", "PK"], {"D": 2}, GAZ) == [("D", 2), ("D", 0), ("D", 0)]


def test_judged_park_keeps_its_own_grade():
    assert grade_ranking(["PK", "D"], {"PK": 1, "D": 3}, GAZ) == [("PK", 1), ("D", 3)]
    # a sub-park counts as its nearest judged container: the judged park
    assert grade_ranking(["SP", "PK"], {"PK": 2, "D": 3}, GAZ) == [("PK", 2), ("PK", 0)]


def test_rollup_stops_at_the_containing_unit():
    # an unjudged district never takes its city's grade
    assert grade_ranking(["D2"], {"C": 2}, GAZ) == [(None, 0)]
    # nor does a park in an unjudged district
    assert grade_ranking(["PK2", "T"], {"C": 2}, GAZ) == [(None, 0), (None, 0)]
    # a town counts as its county
    assert grade_ranking(["T"], {"D2": 2}, GAZ) == [("D2", 2)]
    # a park the gazetteer puts directly under the city counts as the city
    assert grade_ranking(["CP", "C"], {"C": 2}, GAZ) == [("C", 2), ("C", 0)]


def test_repeated_entity_counts_once_in_ndcg():
    grades = [g for _, g in grade_ranking(["D", "D", "C"], {"D": 3, "C": 2}, GAZ)]
    assert grades == [3, 0, 2]
    assert ndcg_at_k(grades, [3, 2], 3) < 1.0


def test_real_gazetteer_parks_map_to_districts():
    from recommender.knowledge.gazetteer import Gazetteer

    gaz = Gazetteer.default()
    judged = {gaz.preferred(n): g for n, g in [("石峰区", 3), ("荷塘区", 2), ("醴陵市", 1), ("茶陵县", 2)]}
    ranked = [gaz.preferred(n) for n in ("田心高科园", "金山科技工业园", "东富工业园", "虎踞镇", "石峰区")]
    assert [g for _, g in grade_ranking(ranked, judged, gaz)] == [3, 2, 1, 2, 0]


# ---------------------------------------------------------------- evidence checks
def test_evidence_relevance():
    assert evidence_relevance("打造轨道交通装备产业集群", ["轨道", "中车"]) == 1.0
    assert evidence_relevance("打造陶瓷产业集群", ["轨道"]) == 0.0
    assert evidence_relevance("Igbt 模块", ["IGBT"]) == 1.0
    assert evidence_relevance("發展陶瓷", ["发展"]) == 1.0      # traditional folded to simplified
    assert evidence_relevance(None, ["茶"]) == 0.0
    assert evidence_relevance("茶叶", []) is None


def test_trap_not_in_top():
    from recommender.knowledge.gazetteer import Gazetteer

    gaz = Gazetteer.default()
    trap = {"not_in_top": 3, "units": ["攸县"]}
    youxian = gaz.preferred("攸县")
    park_in_youxian = gaz.preferred("攸州工业园")
    assert trap_violations(["430281", "430224", "430202", youxian], trap, gaz) == []
    assert len(trap_violations(["430281", youxian], trap, gaz)) == 1
    # a park inside the trap unit is caught too
    assert len(trap_violations([park_in_youxian], trap, gaz)) == 1
    assert trap_violations(["430281"], {"not_in_top": 3, "units": ["无此县"]}, gaz) == ["unresolved trap unit '无此县'"]


def test_trap_only_under():
    from recommender.knowledge.gazetteer import Gazetteer

    gaz = Gazetteer.default()
    trap = {"only_under": "长沙市"}
    assert trap_violations(["430111", "430103", gaz.preferred("金洲新区")], trap, gaz) == []
    bad = trap_violations(["430111", "430204"], trap, gaz, names={"430204": "石峰区"})
    assert bad == ["石峰区 (430204) at rank 2 is not under 长沙市"]
    # a place listed as a member counts as inside even when the gazetteer cannot tell
    assert trap_violations(["X1"], trap, gaz, members={"长沙市": ["某园"]}, names={"X1": "某园"}) == []


# ---------------------------------------------------------------- verbatim
def test_verbatim_on_sample_passages(model):
    reader_cache = {}

    def reader(source, row):
        if source not in reader_cache:
            reader_cache[source] = read_source_text(source, row)
        return reader_cache[source]

    for rec in model.passages_.head(30).itertuples():
        row = None if int(rec.row) < 0 else int(rec.row)
        assert verbatim_ok(rec.text, rec.source, rec.start, rec.end, row, reader=reader)


def test_verbatim_catches_a_tampered_span(model):
    rec = model.passages_.iloc[5]
    src, s, e, text = rec["source"], int(rec["start"]), int(rec["end"]), rec["text"]
    assert verbatim_ok(text, src, s, e)
    assert not verbatim_ok(text, src, s + 1, e + 1)
    assert not verbatim_ok(text, src, s, e - 1)
    assert not verbatim_ok(text[:-1] + "某", src, s, e)
    assert not verbatim_ok(text, src, -1, e)
    assert not verbatim_ok(text, src + ".missing", s, e)


def test_verbatim_decodes_like_the_loader(tmp_path):
    from recommender.corpus.load import read_page

    gb = tmp_path / "gb.txt"
    gb.write_bytes("株洲市石峰区\n轨道交通装备".encode("gb18030"))
    assert verbatim_ok("轨道交通装备", str(gb), 7, 13)
    # offsets index the loader's decoded text, whatever it does with line breaks
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes("株洲市\r\n石峰区\r\n轨道交通装备".encode("gb18030"))
    start = read_page(str(crlf)).index("轨道")
    assert verbatim_ok("轨道交通装备", str(crlf), start, start + 6)
    assert not verbatim_ok("轨道交通装备", str(crlf), start + 1, start + 7)
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeff醴陵陶瓷".encode("utf-8"))
    assert verbatim_ok("陶瓷", str(bom), 2, 4)          # the BOM is not part of the text
    table = tmp_path / "docs.csv"
    table.write_text("title,content\n甲,空\n乙,发展陶瓷产业\n", encoding="utf-8")
    assert verbatim_ok("陶瓷", str(table), 2, 4, row=1)
    assert not verbatim_ok("陶瓷", str(table), 2, 4, row=0)
    assert not verbatim_ok("陶瓷", str(table), 2, 4, row=7)


# ---------------------------------------------------------------- properties
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

grades_st = st.lists(st.integers(min_value=0, max_value=3), max_size=15)


def _reference_dcg(grades, k):
    import numpy as np

    g = np.asarray(grades[:k], dtype=float)
    return float(np.sum((2.0 ** g - 1.0) / np.log2(np.arange(2, len(g) + 2))))


@settings(max_examples=200, deadline=None)
@given(grades_st, st.integers(min_value=1, max_value=12))
def test_dcg_matches_reference(grades, k):
    assert dcg_at_k(grades, k) == pytest.approx(_reference_dcg(grades, k))


@settings(max_examples=200, deadline=None)
@given(grades_st, st.integers(min_value=1, max_value=12))
def test_ndcg_bounds_and_ideal(grades, k):
    value = ndcg_at_k(grades, grades, k)
    if any(g > 0 for g in grades):
        assert 0.0 <= value <= 1.0
        assert ndcg_at_k(sorted(grades, reverse=True), grades, k) == pytest.approx(1.0)
    else:
        assert math.isnan(value)


def test_path_rollup_counts_a_place_as_the_judged_unit_on_its_path():
    # without roll-up a city is a miss; with it, the city counts as its judged province
    assert grade_ranking(["C"], {"P0": 2}, GAZ) == [(None, 0)]
    assert grade_ranking(["C", "D", "P0"], {"P0": 2}, GAZ, rollup=["P0"]) == [("P0", 2), ("P0", 0), ("P0", 0)]
    # a place judged itself keeps its own grade
    assert grade_ranking(["D", "C"], {"D": 3, "P0": 1}, GAZ, rollup=["P0"]) == [("D", 3), ("P0", 1)]


def test_rolled_up_repeats_are_dropped_not_counted_as_misses():
    graded = grade_ranking(["C", "D", "D2", "P0"], {"P0": 2}, GAZ, rollup=["P0"])
    assert drop_repeats(graded) == [0]
    assert drop_repeats([(None, 0), ("A", 1), (None, 0), ("A", 0)]) == [0, 1, 2]
