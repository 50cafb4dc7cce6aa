"""Ranking: from scores to ranked places with cited evidence and result records.

:func:`rank_results` scores prepared profiles (:func:`recommender.model.score.score_matrix`)
and, for each, picks candidate places, their evidence passages, applies the mention and
container rules and builds the :class:`~recommender.model.results.RecommendationResult`.
"""

from __future__ import annotations

import logging
from typing import Sequence

import numpy as np

from recommender.model import catalogue as cat_mod
from recommender.model.evidence import (MENTION_STRENGTH, UnitRelevance, evidence_strength, select_evidence,
                                        with_highlights)
from recommender.model.prepare import PreparedProfile
from recommender.model.results import Match, RecommendationResult, ResolvedSector
from recommender.model.score import score_matrix
from recommender.model.scoring import below_descendants

logger = logging.getLogger(__name__)

__all__ = ["rank_results", "one_result", "place_match", "CONTAINER_LEVELS"]

#: Levels that contain the districts and parks an investor settles in.
CONTAINER_LEVELS = frozenset({"province", "city"})

#: Profiles scored together: the sparse products over the corpus cost less per profile in
#: larger groups, and a group's dense rows over the places stay small (memory stays flat).
PROFILES_PER_SCORE = 32


def rank_results(model, prepared: Sequence[PreparedProfile], top_k: int,
                 evidence_k: int) -> list[RecommendationResult]:
    """Score prepared profiles and turn each row of scores into a ranked result.

    Parameters
    ----------
    model : Recommender
        A fitted model.
    prepared : sequence of PreparedProfile
    top_k : int
        How many places per profile.
    evidence_k : int
        How many evidence passages per place.

    Returns
    -------
    list of RecommendationResult
        One per prepared profile, in order.

    Examples
    --------
    >>> from recommender import Recommender, load_sample_corpus
    >>> from recommender.model.prepare import prepare_profile
    >>> model = Recommender().fit(load_sample_corpus())
    >>> result, = rank_results(model, [prepare_profile(model, {"sectors": ["陶瓷"]})], 3, 1)
    >>> result.matches[0].name
    '醴陵市'
    """
    out = []
    # a few profiles at a time: their passage relevances are dense rows over the whole corpus
    for lo in range(0, len(prepared), PROFILES_PER_SCORE):
        chunk = prepared[lo:lo + PROFILES_PER_SCORE]
        scores = score_matrix(model, chunk)
        out.extend(one_result(model, i, p, scores, top_k, evidence_k) for i, p in enumerate(chunk))
    return out


def one_result(model, i, p: PreparedProfile, scores, top_k, evidence_k) -> RecommendationResult:
    """The ranked places of profile row ``i`` of ``scores``, with their evidence and warnings.

    Places need a passage about what was asked (or their catalogue row) to match; a list
    mention weighs less than a named project, firm or figure; a container ranks below a
    place inside it that its own report recommends; catalogue-only zones come last.
    Candidates are read best raw score first, up to a pool of ``max(3 * top_k, 30)``, and
    no further once no later one can change the leaders (:class:`_Settling`).

    Parameters
    ----------
    model : Recommender
    i : int
        The profile's row in ``scores``.
    p : PreparedProfile
    scores : Scores
        From :func:`recommender.model.score.score_matrix`.
    top_k, evidence_k : int

    Returns
    -------
    RecommendationResult
    """
    score = scores.score[i]
    candidates = np.flatnonzero(score > 0)
    if p.allowed is not None:
        candidates = candidates[p.allowed[candidates]]
    # rank by score, ties broken by entity id for determinism
    order = candidates[np.lexsort((model.entity_ids_[candidates], -np.round(score[candidates], 9)))]
    lo, hi = scores.query.indptr[i], scores.query.indptr[i + 1]
    q_terms = {int(c): float(v) for c, v in zip(scores.query.indices[lo:hi], scores.query.data[lo:hi])}
    # a place is a match only with at least one passage about what was asked; among the
    # leading candidates, a place whose best evidence is a list mention scores below one with
    # a named project, firm or figure (MENTION_STRENGTH)
    rt = model._runtime()
    units = UnitRelevance(model, i, scores, p)      # every place's relevant units, on arrays
    pool = []
    depth = max(3 * top_k, 30)
    settling = _Settling(model, order, score, units)
    for at, j in enumerate(order.tolist()):
        if len(pool) >= depth:
            break
        # a place is a match only with a passage about what was asked, or its catalogue row
        # the kind of mention is read from the passages the score pools, whatever the number cited
        evidence = select_evidence(model, j, i, scores, q_terms, p, max(evidence_k, model.top_passages),
                                   highlight=False, units=units)
        cited = cat_mod.catalogue_evidence(model, str(model.entity_ids_[j]), p)
        if not evidence and cited is None:
            continue
        kind = evidence_strength(evidence[:model.top_passages], rt.is_specific_or_tag)
        pool.append((float(score[j]) * MENTION_STRENGTH[kind], j, evidence, kind, cited))
        if 0 < top_k <= len(pool) and settling.settled(pool, at, i, scores, top_k):
            break
    # a city or province ranks below a district or park inside it that its own report recommends
    if pool:
        pool = _contained_below(model, pool, units, i, scores)
    pool.sort(key=_by_adjusted_score(model))
    matches = []
    for rank, (adjusted, j, evidence, kind, cited) in enumerate(pool[:top_k], start=1):
        # the sentences that matched are found for the passages cited, not for every candidate's
        evidence = [with_highlights(e, rt.is_specific_or_tag) for e in evidence[:evidence_k]]
        if cited is not None and len(evidence) < evidence_k:
            evidence.append(cited)  # after the report passages: a report outranks a catalogue line
        matches.append(place_match(model, rank, j, i, scores, p, evidence, q_terms, adjusted, kind))
    # then catalogue zones that no passage links to, from their catalogue row alone, below
    # every place a report speaks of: a report's evidence outranks a bare catalogue line
    if len(matches) < top_k:
        floor = matches[-1].score if matches else 1.0
        for item in cat_mod.catalogue_only(model, p)[: top_k - len(matches)]:
            matches.append(cat_mod.catalogue_match(model, len(matches) + 1, item, evidence_k, ceiling=floor))
    best = matches[0].score if matches else 0.0
    # how much of what sets the profile apart the best-covered place's evidence holds
    held = float(scores.coverage[i].max(initial=0.0)) if matches else 0.0
    warnings = list(p.warnings)
    weak = best < model.weak_threshold or held < model.weak_coverage
    if weak:
        why = (f"the best evidence holds {held:.0%} of what distinguishes the profile (< {model.weak_coverage:.0%})"
               if held < model.weak_coverage else f"the best score is {best:.2f} (< {model.weak_threshold})")
        warnings.append(f"weak evidence: {why}; the corpus says little about what was asked")
    tax = model.taxonomy_
    resolved = tuple(ResolvedSector(it.input, it.codes, tuple(tax.name(c) for c in it.codes), it.route)
                     for it in p.sectors)
    return RecommendationResult(profile_id=p.profile.profile_id, matches=tuple(matches),
                                weak_evidence=weak, warnings=tuple(warnings),
                                resolved_sectors=resolved, query_terms=tuple(p.terms))


def _by_adjusted_score(model):
    """The sort key of pool entries: adjusted score (to 9 decimals) descending, then id."""
    ids = model.entity_ids_
    return lambda t: (-round(t[0], 9), ids[t[1]])


def _contained_below(model, pool, units, i, scores) -> list[tuple]:
    """The pool with each container's score capped below its places (:func:`below_descendants`)."""
    rt = model._runtime()
    if not any(rt.level[t[1]] in CONTAINER_LEVELS for t in pool):
        return pool                     # the rule lowers containers only
    capped = below_descendants([t[0] for t in pool], [rt.ancestors[t[1]] for t in pool],
                               [rt.entity_id[t[1]] for t in pool],
                               [rt.level[t[1]] in CONTAINER_LEVELS for t in pool],
                               [bool(units.first_hand[t[1]]) for t in pool],
                               [float(scores.coverage[i, t[1]]) for t in pool])
    return [(c, *t[1:]) for c, t in zip(capped, pool)]


class _Settling:
    """Tells, as the pool of a profile's candidates grows, whether no later candidate can
    change its ``top_k`` leaders (the candidates are read in ``order``, best raw score first).

    A later candidate scores at most its raw score (the mention factor and the container
    rule only lower a score), which is at most the best raw score after it; it cannot enter
    the leaders when that is below the ``top_k``-th adjusted score. Nor can it lower a
    leader unless the leader is a container with the candidate inside it, and the candidate
    has first-hand evidence or is a container itself (the only places
    :func:`below_descendants` compares a container with). The ranking is then the one the
    full pool gives, exactly.
    """

    def __init__(self, model, order: np.ndarray, score: np.ndarray, units: UnitRelevance):
        self.model, self.order, self.score, self.units = model, order, score, units
        self._best_after = self._position = self._able = None

    def _tables(self):
        if self._best_after is None:
            raw = self.score[self.order]
            # the best raw score from each position on, and each place's position in the order
            self._best_after = np.append(np.maximum.accumulate(raw[::-1])[::-1], -np.inf)
            self._position = np.full(len(self.score), -1, dtype=np.int64)
            self._position[self.order] = np.arange(len(self.order))
            self._able = self.units.first_hand | self.model._runtime().level_mask(CONTAINER_LEVELS)
        return self._best_after, self._position, self._able

    def settled(self, pool: list, at: int, profile_row: int, scores, top_k: int) -> bool:
        """Whether the pool, built from the candidates up to position ``at``, has its leaders."""
        best_after, position, able = self._tables()
        following = round(float(best_after[at + 1]), 9)
        if following >= round(sorted((t[0] for t in pool), reverse=True)[top_k - 1], 9):
            return False      # before the container rule, which only lowers: cheap to rule out
        model = self.model
        rt = model._runtime()
        ranked = sorted(_contained_below(model, pool, self.units, profile_row, scores),
                        key=_by_adjusted_score(model))[:top_k]
        if following >= round(ranked[-1][0], 9):
            return False
        for _, j, *_ in ranked:
            if rt.level[j] in CONTAINER_LEVELS:
                inside = rt.places_within(rt.entity_id[j])
                if bool((able[inside] & (position[inside] > at)).any()):
                    return False
        return True


def place_match(model, rank, j, i, scores, p, evidence, q_terms, adjusted, kind) -> Match:
    """The result record of place ``j`` for profile row ``i``: its score and the two parts
    it adds up from, the profile's sectors the place carries, the matched words.

    Parameters
    ----------
    model : Recommender
    rank : int
    j, i : int
        The place's column and the profile's row in ``scores``.
    scores : Scores
    p : PreparedProfile
    evidence : list of Evidence
    q_terms : dict
        Query term column → weight.
    adjusted : float
        The place's score after the mention and container rules.
    kind : str
        The strength of its best evidence (a key of ``MENTION_STRENGTH``).

    Returns
    -------
    Match
    """
    rt = model._runtime()
    # the score's two parts as they add up: shares, coverage, mention factor and container rule applied
    share = float(scores.tag_share[i])
    factor = float(scores.coverage[i, j]) ** model.coverage_power * MENTION_STRENGTH[kind]
    text_part = (1.0 - share) * float(scores.text_score[i, j]) * factor
    tag_part = share * float(scores.tag_score[i, j]) * factor
    # a container ranked below its districts keeps the parts' proportions at its lowered score
    total = text_part + tag_part
    if total > 0 and adjusted < total - 1e-9:
        text_part, tag_part = text_part * adjusted / total, tag_part * adjusted / total
    supported = rt.supported[j]
    # a sector is supported when the place carries it or one of its sub-tags
    matched = [rt.tag_name[code] for code in p.codes if supported & rt.full_credit[code]]
    terms: list[str] = []
    for ev in evidence:
        terms.extend(t for t in ev.terms if t not in terms)
    return Match(rank=rank, entity_id=rt.entity_id[j], name=rt.name[j], level=rt.level[j],
                 parent=rt.parent[j], path=rt.path[j],
                 score=_r(adjusted), text_score=_r(scores.text_score[i, j]),
                 text_part=_r(text_part), tag_part=_r(tag_part),
                 tag_score=_r(scores.tag_score[i, j]), matched_sectors=tuple(matched),
                 matched_terms=tuple(terms[:10]), evidence=tuple(evidence), mention=kind)


def _r(x: float) -> float:
    return float(round(float(x), 6))
