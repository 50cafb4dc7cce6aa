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
        Share of the profile's distinguishing content held by the place's best unit.
    tag_share : ndarray, shape (n_profiles,)
        Weight of the tag score in ``score``.
    passage_text, passage_tag : ndarray, shape (n_profiles, n_units)
        Each unit's text and tag relevance (0 where it holds none of the distinguishing
        content); used to pick evidence.
    passage_coverage : ndarray, shape (n_profiles, n_units)
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
    passage_text: np.ndarray
    passage_tag: np.ndarray
    passage_coverage: np.ndarray
    query: sp.csr_matrix
    query_tags: sp.csr_matrix


def score_matrix(model, prepared: Sequence[PreparedProfile]) -> Scores:
    """Score every place for every prepared profile (vectorised, sparse products).

    The rule is :mod:`recommender.model.scoring`'s: passage relevance needs the
    profile's distinguishing content (a specific word or an exact tag), and a place's
    score is scaled by how much of that content its best passage covers.

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
    Q, Tq, Te, Qs, missing_mass, PH = query_vectors(model, prepared)
    rt = model._runtime()
    S = (Q @ rt.X_T).toarray().astype(np.float32, copy=False)             # text relevance
    tq_mass = np.asarray(Tq.sum(axis=1)).ravel()
    has_tags = tq_mass > 0
    G = (Tq @ rt.T_T).toarray().astype(np.float32, copy=False)
    G = np.minimum(G / np.where(has_tags, tq_mass, 1.0)[:, None], 1.0)     # tag coverage
    n_exact = np.asarray(Te.sum(axis=1)).ravel()      # tag content units (exact and from the text)
    phrase_mass = np.asarray([sum(m for _, _, m in p.phrases) for p in prepared], dtype=np.float64)
    C = passage_coverage((Qs @ rt.Xbin_T).toarray() + PH.toarray(), (Te @ rt.Tbin_T).toarray(),
                         np.asarray(Qs.sum(axis=1)).ravel() + phrase_mass, n_exact, missing_mass, rt.max_idf)
    S = S * (C > 0)                      # generic words alone never make a passage relevant
    G = G * (C > 0)
    m = model.top_passages
    text_pass = rt.link_pooling(S, m, model.pooling)
    tag_pass = rt.link_pooling(G, m, model.pooling)
    cover = rt.link_pooling(C, 1, "max", weighted=False)
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
                  passage_text=S, passage_tag=G, passage_coverage=C, query=Q, query_tags=Tq)
