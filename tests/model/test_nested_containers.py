"""Fit on small hand-made reports: a province is not named above a city of its own that speaks."""

from __future__ import annotations

import json

import pytest

from recommender import Recommender, load_corpus
from recommender.model import rank as rec_mod

REPORTS = [
    {"region": "湖南省", "title": "湖南省政府工作报告",
     "text": "各位代表:\n\n全省发展硬质合金产业,硬质合金刀具产量增长,建设硬质合金产业基地。\n\n"
             "全省推进陶瓷产业转型升级,办好陶瓷博览会。"},
    {"region": "株洲市", "title": "株洲市政府工作报告",
     "text": "各位代表:\n\n全市推动新材料发展,支持硬质合金企业扩大产能。\n\n全市发展现代物流,建设冷链物流园。"},
    {"region": "荷塘区", "title": "荷塘区政府工作报告",
     "text": "各位代表:\n\n我区建设硬质合金数控刀具产业园,硬质合金刀具产值突破50亿元,引进刀具企业8家。"},
    {"region": "醴陵市", "title": "醴陵市政府工作报告",
     "text": "各位代表:\n\n做强日用陶瓷和艺术陶瓷,陶瓷产值突破800亿元。"},
    {"region": "攸县", "title": "攸县政府工作报告",
     "text": "各位代表:\n\n发展全域旅游,建设酒埠江旅游度假区。"},
    {"region": "炎陵县", "title": "炎陵县政府工作报告",
     "text": "各位代表:\n\n做强黄桃产业,建设农产品冷链仓储。"},
]
PROFILE = {"sectors": ["硬质合金"], "text": "硬质合金数控刀具制造商"}


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("nested") / "reports.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in REPORTS), encoding="utf-8")
    return Recommender().fit(load_corpus(path, region_column="region"))


def test_a_province_ranks_below_its_city_that_speaks_first_hand(model):
    names = [m.name for m in model.recommend(PROFILE, top_k=5).matches]
    assert names[0] == "荷塘区"
    # the province stays a candidate, after the city whose own report speaks of the sector
    assert names.index("株洲市") < names.index("湖南省")


def test_without_the_rule_the_province_would_outrank_the_city(model, monkeypatch):
    # the corpus is built so that the province's passage outscores its city's: the rule, not
    # the data, puts the city first
    monkeypatch.setattr(rec_mod, "below_descendants", lambda scores, *args: list(scores))
    names = [m.name for m in model.recommend(PROFILE, top_k=5).matches]
    assert names.index("湖南省") < names.index("株洲市")
