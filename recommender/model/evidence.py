"""Choosing the evidence passages cited for a match, and the sentences in them that matched."""

from __future__ import annotations

import re

import numpy as np

from recommender.model.results import Evidence
from recommender.text.normalize import normalize_for_features

__all__ = ["select_evidence", "sentence_spans", "highlight_spans"]

_SENTENCE_END = re.compile(r"[。！？!?；;\n]")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text`` (end marks kept, outer white space trimmed).

    Examples
    --------
    >>> t = "推进项目建设。 株洲建成IGBT产线！"
    >>> [t[a:b] for a, b in sentence_spans(t)]
    ['推进项目建设。', '株洲建成IGBT产线！']
    """
    spans = []
    lo = 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((lo, m.end()))
        lo = m.end()
    if lo < len(text):
        spans.append((lo, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def highlight_spans(text: str, offset: int, terms, limit: int = 3) -> tuple[tuple[int, int], ...]:
    """Source spans of the sentences of a passage that hold one of ``terms``.

    The sentences holding the most distinct terms come first (up to ``limit``), each
    as ``(offset + start, offset + end)`` inside the passage; terms are matched on the
    normalised sentence (full-width forms, traditional characters).

    Examples
    --------
    >>> t = "全市推进千个重点项目。株洲IGBT芯片产线投产，功率半导体集群成形。"
    >>> highlight_spans(t, 100, ["IGBT", "功率半导体"])
    ((111, 133),)
    """
    wanted = [t for t in dict.fromkeys(terms) if t]
    if not wanted:
        return ()
    scored = []
    for a, b in sentence_spans(text):
        norm = normalize_for_features(text[a:b]).lower()
        hits = sum(1 for t in wanted if t.lower() in norm)
        if hits:
            scored.append((-hits, a, b))
    scored.sort()
    return tuple((offset + a, offset + b) for _, a, b in scored[:limit])


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
    rt = model._runtime()
    vocab = rt.vocab
    chosen: list[Evidence] = []
    seen: set[str] = set()
    for pos in order:
        if relevance[pos] <= 0:
            break
        unit = int(idx[pos])
        lo, hi = X.indptr[unit], X.indptr[unit + 1]
        shared = [(q_terms[c], vocab[c]) for c in X.indices[lo:hi].tolist() if c in q_terms]
        if not shared and G[pos] <= 0:
            continue
        row = rt.unit_passage[unit]
        key = rt.norm_text[row]
        if key in seen:
            continue
        seen.add(key)
        shared.sort(key=lambda t: (-t[0], t[1]))
        terms = [t for _, t in shared[:6]]
        if G[pos] > 0:
            for term in rt.tag_terms(row, prepared.codes):
                if term not in terms:
                    terms.append(term)
        chosen.append(Evidence(
            text=rt.text[row], source=rt.source[row], start=rt.start[row], end=rt.end[row],
            title=rt.title[row], date=rt.date[row], score=float(round(float(relevance[pos]), 6)),
            row=rt.row[row], terms=tuple(terms[:8]),
            highlights=highlight_spans(rt.text[row], rt.start[row], terms[:8]),
        ))
        if len(chosen) >= evidence_k:
            break
    return chosen
