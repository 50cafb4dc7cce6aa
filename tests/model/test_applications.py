"""Fit on small hand-made reports: an application the profile names is its market, not its industry."""

from __future__ import annotations

import pytest

from recommender import Recommender, load_corpus

REPORTS = {
    "威海市": "建设碳纤维产业园,碳纤维复合材料产能扩大。改善营商环境。",
    "白城市": "风电装机容量增长,建设风电叶片生产基地,推动风电装备产业集聚。改善营商环境。",
}
TEXT = "复合材料制品企业（风电叶片用），寻找产业集群"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    root = tmp_path_factory.mktemp("applications")
    for i, (place, body) in enumerate(REPORTS.items()):
        (root / f"{i}.txt").write_text(f"{place}2025年政府工作报告\n\n{body}\n", encoding="utf-8")
    return Recommender().fit(load_corpus([str(root)]))


def test_application_words_are_neither_searched_nor_tags(model):
    prepared = model.prepare({"text": TEXT})
    terms = {t.term for t in prepared.own_terms}
    assert "复合材料" in terms
    assert not {"风电", "叶片"} & terms
    wind = set(model.tagger_.tag("风电叶片"))
    assert wind and not wind & set(prepared.codes)


def test_the_investors_own_industry_outranks_its_customers(model):
    result = model.recommend({"text": TEXT}, top_k=2)
    assert result.matches[0].name == "威海市"


def test_the_same_words_without_用_are_the_investors_industry(model):
    # 风电叶片 named as the firm's own product is searched as usual
    prepared = model.prepare({"text": "风电叶片制造企业"})
    assert {"风电", "叶片"} <= {t.term for t in prepared.own_terms}
