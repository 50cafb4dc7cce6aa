"""The evidence table built on arrays for all places at once gives, place by place, what the
per-place rule gives: the units with a positive relevance, best first, ties in link order."""

import numpy as np
import pytest

from recommender.model.evidence import UnitRelevance
from recommender.model.prepare import prepare_profile
from recommender.model.score import score_matrix

PROFILES = [
    {"sectors": ["陶瓷"]},
    {"sectors": ["轨道交通装备"], "text": "牵引变流器配套"},
    {"text": "新能源汽车零部件生产基地"},
    {"sectors": ["Aerospace"], "text": "aircraft parts supplier"},
]


def _per_place(model, j, i, scores, prepared):
    """The rule written out for one place: relevance over its links, stable-sorted."""
    idx, weights = model.entity_passages_[j]
    S = scores.passage_text[i, idx]
    G = scores.passage_tag[i, idx]
    tw = model.text_weight if prepared.codes else 1.0
    relevance = (tw * S + (1.0 - tw) * G) * weights * scores.passage_coverage[i, idx]
    order = np.argsort(-relevance, kind="stable")
    order = order[relevance[order] > 0]
    own = idx[idx < len(model.passages_)]
    first_hand = bool(own.size) and bool(((scores.passage_text[i, own] > 0) | (scores.passage_tag[i, own] > 0)).any())
    return idx[order], relevance[order], G[order], first_hand


@pytest.mark.parametrize("profile", PROFILES)
def test_table_matches_the_per_place_rule(model, profile):
    prepared = prepare_profile(model, profile)
    scores = score_matrix(model, [prepared])
    table = UnitRelevance(model, 0, scores, prepared)
    touched = 0
    for j in range(len(model.entity_ids_)):
        units, relevance, tag = table.of(j)
        want_units, want_relevance, want_tag, first_hand = _per_place(model, j, 0, scores, prepared)
        np.testing.assert_array_equal(units, want_units)
        np.testing.assert_array_equal(relevance, want_relevance)
        np.testing.assert_array_equal(tag, want_tag)
        assert bool(table.first_hand[j]) == first_hand
        touched += len(units) > 0
    assert touched > 0          # the profile reaches some places: the comparison is not empty


def test_ties_keep_link_order_and_windows_are_not_first_hand():
    from types import SimpleNamespace

    from recommender.model.scoring import LinkPooling

    # place 0 links units 0, 1, 2 (equal relevance); place 1 links unit 1 and mention window 3
    links = LinkPooling(np.array([0, 1, 2, 1, 3]), np.ones(5, dtype=np.float32), np.array([0, 3]), 4)
    model = SimpleNamespace(text_weight=0.7, passages_=[None] * 3, _runtime=lambda: SimpleNamespace(link_pooling=links))
    scores = SimpleNamespace(passage_text=np.array([[0.5, 0.5, 0.5, 0.2]], dtype=np.float32),
                             passage_tag=np.zeros((1, 4), dtype=np.float32),
                             passage_coverage=np.ones((1, 4)))
    table = UnitRelevance(model, 0, scores, SimpleNamespace(codes=()))
    assert table.of(0)[0].tolist() == [0, 1, 2]
    assert table.of(1)[0].tolist() == [1, 3]
    scores.passage_text[0, 1] = 0.0
    table = UnitRelevance(model, 0, scores, SimpleNamespace(codes=()))
    assert table.of(1)[0].tolist() == [3]
    assert table.first_hand.tolist() == [True, False]     # a mention window is not the place's own passage
