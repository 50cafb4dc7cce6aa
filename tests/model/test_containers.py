"""Fit on small hand-made reports: a city or province is not named above its own districts."""

from __future__ import annotations

import json

import pytest

from recommender import Recommender, load_corpus
from recommender.model import rank as rec_mod

REPORTS = [
    {"region": "株洲市", "title": "株洲市政府工作报告",
     "text": "各位代表:\n\n全市加快发展现代物流,完善冷链物流体系,推动冷链仓储提质。"
             "荷塘区建成医药冷链物流中心,新增冷库库容5万吨,引进第三方冷链物流企业3家。\n\n"
             "全市推进陶瓷产业转型升级,办好陶瓷博览会。"},
    {"region": "荷塘区", "title": "荷塘区政府工作报告",
     "text": "各位代表:\n\n我区着力发展商贸服务,建设冷链物流园,冷链仓储达到8万吨。"},
    {"region": "醴陵市", "title": "醴陵市政府工作报告",
     "text": "各位代表:\n\n做强日用陶瓷和艺术陶瓷,陶瓷产值突破800亿元。"},
]
PROFILE = {"sectors": ["现代物流"], "text": "医药冷链物流企业,寻找冷库和仓储用地"}


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("containers") / "reports.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in REPORTS), encoding="utf-8")
    return Recommender().fit(load_corpus(path, region_column="region"))


def test_district_is_named_before_the_city_that_contains_it(model):
    names = [m.name for m in model.recommend(PROFILE, top_k=5).matches]
    assert names[0] == "荷塘区"
    # the city stays a candidate, after its district
    assert "株洲市" in names and names.index("株洲市") > names.index("荷塘区")


def test_without_the_rule_the_city_would_lead(model, monkeypatch):
    # the corpus is built so that the city's own passages outscore its district's: the
    # rule, not the data, puts the district first
    monkeypatch.setattr(rec_mod, "below_descendants", lambda scores, *args: list(scores))
    names = [m.name for m in model.recommend(PROFILE, top_k=5).matches]
    assert names.index("株洲市") < names.index("荷塘区")


def test_a_city_without_candidate_districts_keeps_its_score(model, monkeypatch):
    # asked at city level, no district is a candidate: the city's score is its own
    ask = dict(PROFILE, levels=["city"])
    capped = {m.name: m.score for m in model.recommend(ask, top_k=5).matches}
    monkeypatch.setattr(rec_mod, "below_descendants", lambda scores, *args: list(scores))
    plain = {m.name: m.score for m in model.recommend(ask, top_k=5).matches}
    assert capped == plain and capped["株洲市"] > 0


def test_with_one_place_asked_the_district_still_leads(model):
    # the city has the best raw score and its district a lower one: reading candidates
    # stops early only once no later one can change the leaders, and the district can
    result = model.recommend(PROFILE, top_k=1)
    assert [m.name for m in result.matches] == ["荷塘区"]
