"""The evidence table built on arrays for all places at once gives, place by place, what the
per-place rule gives: the units with a positive relevance, best first, ties in link order."""

import numpy as np
import pytest
import scipy.sparse as sp

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
    text, tag, cover = (m[i].toarray().ravel() for m in (scores.passage_text, scores.passage_tag,
                                                          scores.passage_coverage))
    S, G = text[idx], tag[idx]
    tw = model.text_weight if prepared.codes else 1.0
    relevance = (tw * S + (1.0 - tw) * G) * weights * cover[idx]
    order = np.argsort(-relevance, kind="stable")
    order = order[relevance[order] > 0]
    own = idx[idx < model._runtime().n_passages]
    first_hand = bool(own.size) and bool(((text[own] > 0) | (tag[own] > 0)).any())
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
    model = SimpleNamespace(text_weight=0.7, _runtime=lambda: SimpleNamespace(link_pooling=links, n_passages=3))
    def scores(text):
        return SimpleNamespace(passage_text=sp.csr_matrix(np.array([text], dtype=np.float32)),
                               passage_tag=sp.csr_matrix((1, 4), dtype=np.float32),
                               passage_coverage=sp.csr_matrix(np.ones((1, 4))))

    table = UnitRelevance(model, 0, scores([0.5, 0.5, 0.5, 0.2]), SimpleNamespace(codes=()))
    assert table.of(0)[0].tolist() == [0, 1, 2]
    assert table.of(1)[0].tolist() == [1, 3]
    table = UnitRelevance(model, 0, scores([0.5, 0.0, 0.5, 0.2]), SimpleNamespace(codes=()))
    assert table.of(1)[0].tolist() == [3]
    assert table.first_hand.tolist() == [True, False]     # a mention window is not the place's own passage
