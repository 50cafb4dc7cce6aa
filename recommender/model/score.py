"""Scoring prepared profiles against a fitted index: one pure function, one typed result.

:func:`score_matrix` applies the rule of :mod:`recommender.model.scoring` to every place
for every profile at once (sparse products) and returns a :class:`Scores`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from recommender.model import features as feat
from recommender.model.prepare import PreparedProfile, query_vectors
from recommender.model.scoring import combine, fuse, passage_coverage

__all__ = ["Scores", "score_matrix"]


@dataclass(frozen=True)
class Scores:
    """Scores of every place (and relevances of every passage) for a batch of profiles.

    Rows follow the profiles given to :func:`score_matrix`; place columns follow the
    model's ``entity_ids_``, unit columns its passages then its mention windows
    (``unit_passage_``).

    Attributes
    ----------
    score : ndarray, shape (n_profiles, n_places)
        The final score: text and tag scores combined, times the coverage factor.
    text_score, tag_score : ndarray, shape (n_profiles, n_places)
        Passage evidence fused with profile similarity, from text and from tags.
    coverage : ndarray, shape (n_profiles, n_places)
        Share of the profile's distinguishing content held by the place's best unit, times
        the unit's link weight to the place.
    tag_share : ndarray, shape (n_profiles,)
        Weight of the tag score in ``score``.
    passage_text, passage_tag : csr_matrix, shape (n_profiles, n_units)
        Each unit's text and tag relevance (0 where it holds none of the distinguishing
        content; canonical CSR: sorted, no duplicates); used to pick evidence.
    passage_coverage : csr_matrix, shape (n_profiles, n_units)
        Each unit's coverage of the distinguishing content.
    query : csr_matrix, shape (n_profiles, n_terms)
        The profiles' weighted TF-IDF query vectors.
    query_tags : csr_matrix, shape (n_profiles, n_tags)
        The profiles' industry-tag vectors.
    """

    score: np.ndarray
    text_score: np.ndarray
    tag_score: np.ndarray
    coverage: np.ndarray
    tag_share: np.ndarray
    passage_text: sp.csr_matrix
    passage_tag: sp.csr_matrix
    passage_coverage: sp.csr_matrix
    query: sp.csr_matrix
    query_tags: sp.csr_matrix


def score_matrix(model, prepared: Sequence[PreparedProfile]) -> Scores:
    """Score every place for every prepared profile (vectorised, sparse products).

    The rule is :mod:`recommender.model.scoring`'s: passage relevance needs the
    profile's industry (a specific word other than a process word, a compound it names,
    or one of its tags), and a place's score is scaled by how much of the profile's
    distinguishing content its best passage covers, counted as far as the passage is
    about the place.

    Parameters
    ----------
    model : Recommender
        A fitted model (its index, runtime tables and scoring parameters).
    prepared : sequence of PreparedProfile
        From :func:`recommender.model.prepare.prepare_profile`.

    Returns
    -------
    Scores
        Place scores and passage relevances, one row per profile.

    Examples
    --------
    >>> from recommender import Recommender, load_sample_corpus
    >>> from recommender.model.prepare import prepare_profile
    >>> model = Recommender().fit(load_sample_corpus())
    >>> scores = score_matrix(model, [prepare_profile(model, {"sectors": ["陶瓷"]})])
    >>> scores.score.shape == (1, len(model.entity_ids_))
    True
    >>> str(model.entity_ids_[scores.score[0].argmax()])
    '430281'
    """
    Q, Tq, Te, Qs, N, missing_mass, PH = query_vectors(model, prepared)
    rt = model._runtime()
    # passage relevances stay sparse: a profile touches few passages
    S = (Q @ rt.X_T).tocsr().astype(np.float32)                           # text relevance
    tq_mass = np.asarray(Tq.sum(axis=1)).ravel()
    has_tags = tq_mass > 0
    # a tag reached through a product word (客机 → 航空航天) counts only where the tag itself is
    # found, not through its other sub-sectors
    Tq_n = sp.csr_matrix(Tq.multiply(N))
    G = (sp.csr_matrix(Tq - Tq_n) @ rt.T_T + Tq_n @ rt.Traw_T).tocsr().astype(np.float32)
    G.data = np.minimum(G.data / _row_values(G, np.where(has_tags, tq_mass, 1.0)), 1.0)   # tag coverage
    n_exact = np.asarray(Te.sum(axis=1)).ravel()      # tag content units (exact and from the text)
    phrase_mass = np.asarray([sum(m for _, _, m in p.phrases) for p in prepared], dtype=np.float64)
    Te_n = sp.csr_matrix(Te.multiply(N))
    tag_hits = (sp.csr_matrix(Te - Te_n) @ rt.Tbin_T + Te_n @ rt.Trawbin_T).tocsr()
    C = passage_coverage((Qs @ rt.Xbin_T) + PH, tag_hits,
                         np.asarray(Qs.sum(axis=1)).ravel() + phrase_mass, n_exact, missing_mass, rt.max_idf)
    # generic and process words alone never make a passage relevant: it needs the industry
    # (a specific word of the profile other than a process word, a compound it names, or
    # one of its industry tags); every part is non-negative, so a sum is an "or"
    Qc = sp.csr_matrix(Qs.multiply(~rt.process[None, :]))
    core = ((Qc @ rt.Xbin_T) + PH + tag_hits + G) > 0
    S = S.multiply(core).tocsr()
    G = G.multiply(core).tocsr()
    C = C.multiply(core).tocsr()
    m = model.top_passages
    text_pass = rt.link_pooling(S, m, model.pooling)
    tag_pass = rt.link_pooling(G, m, model.pooling)
    # a place holds what its passages hold as far as they are about it
    cover = rt.link_pooling(C, 1, "max")
    shrink = model.entity_shrink_[None, :]
    text_prof = (Q @ rt.centroids_T).toarray() * shrink
    tag_prof = (feat.l2_normalize_rows(Tq) @ rt.tag_profile_T).toarray() * shrink
    text_score = fuse(text_pass, text_prof, model.passage_weight)
    tag_score = fuse(tag_pass, tag_prof, model.passage_weight)
    lead = np.asarray([p.tag_lead for p in prepared])
    tag_share = (1.0 - model.text_weight) * np.minimum(lead, 1.0)
    score = combine(text_score, tag_score, tag_share, cover, model.coverage_power)
    return Scores(score=score, text_score=text_score, tag_score=tag_score, coverage=cover,
                  tag_share=tag_share,
                  passage_text=_canonical(S), passage_tag=_canonical(G), passage_coverage=_canonical(C),
                  query=Q, query_tags=Tq)


def _row_values(m: sp.csr_matrix, per_row: np.ndarray) -> np.ndarray:
    """``per_row[r]`` for each stored value of the CSR matrix ``m`` (r its row)."""
    return np.repeat(per_row, np.diff(m.indptr))


def _canonical(m: sp.csr_matrix) -> sp.csr_matrix:
    """``m`` with sorted indices, duplicates summed and stored zeros dropped."""
    m = sp.csr_matrix(m)
    m.sum_duplicates()
    m.eliminate_zeros()
    return m
