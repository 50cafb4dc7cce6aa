"""Fit on small hand-made city reports: places earn only what is stated of them."""

from __future__ import annotations

import json

import pytest

from recommender import Recommender, load_corpus

REPORTS = [
    {"region": "宿州市", "title": "宿州市政府工作报告",
     "text": "各位代表:\n\n全市经济稳中向好。支持灵璧县建设国家新型城镇化示范县。"
             "做强轴承产业集群,打造高端紧固件基地,培育精密轴承龙头企业。\n\n"
             "支持高新区率先发展,新建光伏组件项目。泗县运河小镇加快发展。"},
    {"region": "聊城市", "title": "聊城市政府工作报告",
     "text": "各位代表:\n\n支持各县(市、区)集中打造主导产业集群。"
             "茌平着力建设高端铝精深加工基地,临清聚力打造全国轴承和纺织产业新高地,"
             "冠县建强精品钢板和装备制造基地。"},
    {"region": "景德镇市", "title": "景德镇市政府工作报告",
     "text": "各位代表:\n\n规划建设浮梁低空经济产业园,力争高新区营收突破千亿,推动陶瓷产业转型。"},
]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("city") / "reports.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in REPORTS), encoding="utf-8")
    return Recommender().fit(load_corpus(path, region_column="region"))


def _names(result):
    return [m.name for m in result.matches]


def test_county_named_beside_a_sector_does_not_earn_it(model):
    names = _names(model.recommend({"sectors": ["轴承"], "text": "精密轴承", "levels": ["district"]}, top_k=5))
    # 临清 states bearings of itself; 灵璧县 is named in the sentence before the bearings
    assert names[0] == "临清市"
    assert "灵璧县" not in names


def test_enumeration_keeps_each_county_to_its_clause(model):
    names = _names(model.recommend({"text": "铝精深加工", "levels": ["district"]}, top_k=5))
    assert names[:1] == ["茌平区"]
    assert "冠县" not in names and "临清市" not in names


def test_parks_of_a_citys_report_join_the_model(model):
    ents = model.entities_.set_index("name")
    assert ents.loc["宿州市高新区", "level"] == "park" and ents.loc["宿州市高新区", "parent"] == "宿州市"
    assert ents.loc["浮梁低空经济产业园", "parent"] == "浮梁县"
    result = model.recommend({"text": "光伏组件", "levels": ["park"]}, top_k=3)
    assert _names(result)[:1] == ["宿州市高新区"]
    ev = result.matches[0].evidence[0]
    assert "光伏组件" in ev.text and REPORTS[ev.row]["text"][ev.start:ev.end] == ev.text
