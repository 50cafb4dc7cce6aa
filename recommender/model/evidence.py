"""Choosing the evidence passages cited for a match."""

from __future__ import annotations

import numpy as np

from recommender.model.results import Evidence

__all__ = ["select_evidence"]


def select_evidence(model, entity_col: int, profile_row: int, scores: dict, q_terms: dict[int, float],
                    prepared, evidence_k: int) -> list[Evidence]:
    """Return up to ``evidence_k`` passages that support place ``entity_col`` for a profile.

    A passage qualifies only when it is about what was asked: it shares at least one
    term with the profile's query vector or carries one of the profile's industry tags
    (not merely the place's name). Passages are ranked by their relevance times their
    link weight; a passage whose normalised text repeats one already chosen is skipped.
    """
    if evidence_k <= 0:
        return []
    idx, weights = model.entity_passages_[entity_col]
    if len(idx) == 0:
        return []
    S = scores["passage_text"][profile_row, idx]
    G = scores["passage_tag"][profile_row, idx]
    has_tags = bool(prepared.codes)
    tw = model.text_weight if has_tags else 1.0
    relevance = (tw * S + (1.0 - tw) * G) * weights
    order = np.argsort(-relevance, kind="stable")
    X = model.X_
    vocab = model.feature_names_
    passages = model.passages_
    chosen: list[Evidence] = []
    seen: set[str] = set()
    for pos in order:
        if relevance[pos] <= 0:
            break
        unit = int(idx[pos])
        lo, hi = X.indptr[unit], X.indptr[unit + 1]
        shared = [(q_terms[c], vocab[c]) for c in X.indices[lo:hi] if c in q_terms]
        if not shared and G[pos] <= 0:
            continue
        rec = passages.iloc[int(model.unit_passage_[unit])]
        key = rec["norm_text"]
        if key in seen:
            continue
        seen.add(key)
        shared.sort(key=lambda t: (-t[0], t[1]))
        terms = [t for _, t in shared[:6]]
        if G[pos] > 0:
            for term in _tag_terms(model, rec["norm_text"], prepared.codes):
                if term not in terms:
                    terms.append(term)
        src_row = int(rec["row"])
        chosen.append(Evidence(
            text=rec["text"], source=rec["source"], start=int(rec["start"]), end=int(rec["end"]),
            title=rec["title"], date=rec["date"], score=float(round(float(relevance[pos]), 6)),
            row=None if src_row < 0 else src_row, terms=tuple(terms[:8]),
        ))
        if len(chosen) >= evidence_k:
            break
    return chosen


def _tag_terms(model, text: str, codes) -> list[str]:
    """The words of ``text`` that carry one of ``codes`` (or one of their sub-sectors)."""
    tax = model.taxonomy_
    wanted = set(codes)
    out = []
    for hit in model.tagger_.find(text):
        if hit.code in wanted or wanted & set(tax.ancestors(hit.code)):
            if hit.term not in out:
                out.append(hit.term)
    return out
