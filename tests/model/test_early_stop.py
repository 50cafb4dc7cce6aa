"""Reading candidates stops once no later one can change the leaders: the ranking is the
full pool's, exactly."""

from __future__ import annotations

import pytest

from recommender.model import rank as rank_mod

SECTORS = ["陶瓷", "轨道交通装备", "新能源汽车", "现代物流", "生物医药", "电子信息", "有色金属", "文化旅游",
           "航空航天", "食品加工", "新材料", "工程机械"]


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
