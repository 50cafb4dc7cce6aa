"""Reading candidates stops once no later one can change the leaders: the ranking is the
full pool's, exactly."""

from __future__ import annotations

import json

import pytest

from recommender import Recommender, load_corpus
from recommender.model import rank as rank_mod

SECTORS = ["陶瓷", "轨道交通装备", "新能源汽车", "现代物流", "生物医药", "电子信息", "有色金属", "文化旅游",
           "航空航天", "食品加工", "新材料", "工程机械"]

#: A city whose own passages outscore its district's, and a district that covers as much of
#: the profile: the city ranks below it, though the district's raw score is lower.
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


def _answers(model, profiles, top_k):
    out = []
    for result in model.recommend_many(profiles, top_k=top_k, evidence_k=2):
        out.append([(m.entity_id, m.score, m.text_part, m.tag_part, m.mention,
                     [(e.source, e.start, e.end, e.highlights) for e in m.evidence]) for m in result.matches])
    return out


@pytest.fixture
def stops(monkeypatch):
    """How often the early stop ended a pool."""
    count = []
    settled = rank_mod._Settling.settled

    def counting(self, *args):
        done = settled(self, *args)
        count.append(done)
        return done

    monkeypatch.setattr(rank_mod._Settling, "settled", counting)
    return count


@pytest.mark.parametrize("top_k", [1, 3, 5])
def test_early_stop_ranks_as_the_full_pool(model, top_k, stops, monkeypatch):
    profiles = [{"sectors": [s]} for s in SECTORS] + [{"text": f"{s}企业寻找园区"} for s in SECTORS]
    fast = _answers(model, profiles, top_k)
    assert any(stops), "the early stop never applied: the test compares nothing"
    monkeypatch.setattr(rank_mod._Settling, "settled", lambda self, *args: False)
    assert fast == _answers(model, profiles, top_k)


@pytest.fixture(scope="module")
def city_and_district(tmp_path_factory):
    path = tmp_path_factory.mktemp("early_stop") / "reports.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in REPORTS), encoding="utf-8")
    return Recommender().fit(load_corpus(path, region_column="region"))


def test_the_leader_is_the_district_with_one_place_asked(city_and_district):
    # the city has the best raw score, its district a lower one: stopping after the city
    # (one place asked) would name the city; the district is read first
    result = city_and_district.recommend(PROFILE, top_k=1)
    assert [m.name for m in result.matches] == ["荷塘区"]
    full = city_and_district.recommend(PROFILE, top_k=3)
    assert full.matches[0].name == "荷塘区" and "株洲市" in [m.name for m in full.matches]
