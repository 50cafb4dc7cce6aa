"""Rules on how much a passage says about a place and about the profile, each shown on a
small hand-made corpus: a report speaks for its region in every passage, process words and
what the firm looks for support a match without carrying it, a product word is not answered
by its tag's other sub-sectors, a city ranks below the districts that hold as much as it."""

import numpy as np
import pytest

from recommender import Recommender, load_corpus
from recommender.knowledge.taxonomy import Taxonomy
from recommender.model.query import product_word
from recommender.model.scoring import below_descendants

REPORTS = {
    # two provinces with the same sector sentence; one repeats its own name in every passage
    "甲省": "全省推进碳纤维产业发展。全省加强城市管理。全省推进乡村振兴。",
    "乙省": "建成碳纤维生产线，年产碳纤维2万吨。加强城市管理。推进乡村振兴。",
    # a tea county, and a district whose only match for a tea processor is 加工
    "茶陵县": "茶陵县茶叶产量增长，建设红茶基地，发展加工。完善交通设施。",
    "荷塘区": "荷塘区推进钢铁产品的加工，建设加工园区。完善交通设施。",
    # aircraft and space: an airliner-parts maker wants the first
    "阎良区": "阎良区建设大飞机零部件产业园，引进客机配套企业。完善交通设施。",
    "文昌市": "文昌市建设商业航天发射场，打造火箭总装基地。完善交通设施。",
}


def _write(root, reports):
    for i, (place, body) in enumerate(reports.items()):
        (root / f"{i}.txt").write_text(f"{place}2025年政府工作报告\n\n{body}\n", encoding="utf-8")


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    root = tmp_path_factory.mktemp("weighting")
    _write(root, {k.replace("甲省", "河北省").replace("乙省", "山西省"): v.replace("甲省", "河北省")
                  for k, v in REPORTS.items()})
    return Recommender(generic_share=0.5).fit(load_corpus([str(root)]))


def _own_weights(model, name):
    j = [k for k, eid in enumerate(model.entity_ids_) if model.gazetteer_.get(str(eid)).name == name][0]
    units, weights = model.entity_passages_[j]
    own = units < len(model.passages_)
    return weights[own]


def test_a_report_speaks_for_its_region_in_every_passage(model):
    # 全省 in every passage of one report earns it nothing over a report that never says it
    assert np.allclose(_own_weights(model, "河北省"), 1.0)
    assert np.allclose(_own_weights(model, "山西省"), 1.0)
    names = [m.name for m in model.recommend({"sectors": ["碳纤维"], "text": "碳纤维复合材料制品企业"}).matches]
    assert names.index("山西省") < names.index("河北省")      # the production line beats the slogan


def test_a_process_word_alone_never_makes_a_match(model):
    result = model.recommend({"text": "茶叶精深加工企业，寻找原料产区"}, top_k=5)
    names = [m.name for m in result.matches]
    assert names[0] == "茶陵县"
    assert "荷塘区" not in names                               # 钢铁加工 is no tea


def test_a_product_word_is_not_answered_by_other_sub_sectors(model):
    tax = Taxonomy.default()
    assert product_word(tax, "客机", "EQP.AERO") and not product_word(tax, "航空航天", "EQP.AERO")
    prepared = model.prepare({"text": "客机机身结构件供应商"})
    assert "EQP.AERO" in prepared.product_codes
    names = [m.name for m in model.recommend(prepared.profile, top_k=5).matches]
    assert names[0] == "阎良区"
    assert "文昌市" not in names                              # rockets are space, not airliners
    # named as the industry itself, the tag is answered by all of it
    wide = [m.name for m in model.recommend({"sectors": ["航空航天"]}, top_k=5).matches]
    assert {"阎良区", "文昌市"} <= set(wide)


def test_english_what_the_firm_looks_for_weighs_less(model):
    prepared = model.prepare({"text": "Tea processing company looking for rocket launch sites"})
    rt, vocab = model._runtime(), model.vectorizer_.vocabulary_
    content = {t.term: t.content for t in prepared.terms if t.source == "English lexicon"}
    assert content["茶叶"] == pytest.approx(rt.idf[vocab["茶叶"]], rel=1e-5)                # what it does
    assert content["火箭"] == pytest.approx(rt.idf[vocab["火箭"]] * model.wish_weight, rel=1e-5)  # what it seeks


def test_the_kind_of_mention_does_not_depend_on_how_many_passages_are_cited(model):
    profile = {"sectors": ["碳纤维"], "text": "碳纤维复合材料制品企业"}
    one = model.recommend(profile, top_k=5, evidence_k=1)
    three = model.recommend(profile, top_k=5, evidence_k=3)
    assert [(m.name, m.score, m.mention) for m in one.matches] == \
        [(m.name, m.score, m.mention) for m in three.matches]


def test_a_city_ranks_below_each_district_holding_as_much_as_it():
    # the city (0.5) holds 30% of the profile; district d1 60%, d2 30%, d3 10%
    out = below_descendants([0.5, 0.4, 0.2, 0.1], [(), ("c",), ("c",), ("c",)], ["c", "d1", "d2", "d3"],
                            [True, False, False, False], coverage=[0.3, 0.6, 0.3, 0.1])
    assert out[0] < out[2] and out[0] > out[3]
    # without coverage it only yields to the best district
    out = below_descendants([0.5, 0.4, 0.2, 0.1], [(), ("c",), ("c",), ("c",)], ["c", "d1", "d2", "d3"],
                            [True, False, False, False])
    assert out[2] < out[0] < out[1]


def test_a_figure_counts_for_the_sector_only_in_its_own_clause():
    from recommender.model.evidence import clause_kind, mention_kind

    # a province's sentence: a project with a capacity, then the sector in a list
    s = "推动桥头铝电50万吨绿电铝项目建设，培育壮大特殊钢、碳纤维、铜箔等产业，做强绿铝品牌。"
    assert mention_kind(s, ["碳纤维"]) == "substantive"
    assert clause_kind(s, ["碳纤维"]) == "list"
    assert clause_kind(s, ["绿电铝"]) == "substantive"
    # a figure in the clause right after the sector's is about it
    assert clause_kind("纺织产业加快发展，增加值增长15%左右。", ["纺织"]) == "substantive"
    assert clause_kind("纺织产业加快发展，推进城市更新。", ["纺织"]) == "statement"
