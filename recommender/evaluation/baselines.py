"""Baseline systems, run on the fitted model's own passages, tokenizer and place links.

Every system yields, per profile, a ranked list of :class:`RankedPlace` with one
evidence passage each, so that all systems are measured by the same metrics:

* ``bm25`` — BM25 (library ``bm25s``, extra ``recommender[bench]``) over the passages'
  normalised text, tokenized by the model's tokenizer. The query is the profile's own
  words (text and sector strings, no taxonomy expansion). A place scores the best
  ``BM25 × link weight`` among its linked passages.
* ``tfidf`` — the model's text score alone (TF-IDF passages pooled with the place
  profile; the query expanded with the resolved tags' names and terms).
* ``tags`` — the model's tag score alone (industry tags of passages and places).

Baselines respect the profile's region, level and exclusion filters like the model.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field

import numpy as np

from recommender.text.normalize import normalize_for_features

logger = logging.getLogger(__name__)

__all__ = ["RankedPlace", "rank_places", "BM25Baseline", "bm25_query"]


@dataclass(frozen=True)
class RankedPlace:
    """One ranked place of a system, with its cited passages (dicts with ``text, source,
    start, end, row``).

    Examples
    --------
    >>> RankedPlace("430281", "醴陵市", 0.5).evidence
    ()
    """

    entity_id: str
    name: str
    score: float
    evidence: tuple = field(default=())


@contextlib.contextmanager
def _quiet(name: str):
    """Silence a chatty library logger below WARNING for the duration (level restored)."""
    lib = logging.getLogger(name)
    before = lib.level
    if lib.getEffectiveLevel() < logging.WARNING:
        lib.setLevel(logging.WARNING)
    try:
        yield
    finally:
        lib.setLevel(before)


def _citation(model, unit: int, score: float) -> dict:
    # feature units are passages, then mention windows that point back to their passage
    unit_passage = getattr(model, "unit_passage_", None)
    row = int(unit_passage[unit]) if unit_passage is not None else int(unit)
    rec = model.passages_.iloc[row]
    src_row = int(rec["row"])
    return {"text": rec["text"], "source": rec["source"], "start": int(rec["start"]), "end": int(rec["end"]),
            "row": None if src_row < 0 else src_row, "score": float(score)}


def rank_places(model, place_scores: np.ndarray, passage_scores: np.ndarray, allowed: np.ndarray | None,
                k: int) -> list[RankedPlace]:
    """Rank places by a score vector; cite each place's best passage by a passage score.

    Places with a score of zero are left out; ties are broken by entity id (as the model
    does). A place's evidence is its linked passage with the highest ``passage score ×
    link weight`` (none when that is zero).

    Parameters
    ----------
    model : Recommender
        Fitted; gives ``entity_ids_``, ``entities_``, ``entity_passages_``, ``passages_``.
    place_scores : ndarray of shape (n_places,)
    passage_scores : ndarray of shape (n_passages,)
    allowed : ndarray of bool or None
        The profile's filter mask over places.
    k : int
        How many places to return.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import numpy as np, pandas as pd
    >>> m = SimpleNamespace(entity_ids_=np.array(["a", "b", "c"]),
    ...     entities_=pd.DataFrame({"name": ["A", "B", "C"]}),
    ...     entity_passages_=[(np.array([0]), np.array([1.0])), (np.array([1]), np.array([1.0])),
    ...                       (np.array([0, 1]), np.array([1.0, 0.5]))],
    ...     passages_=pd.DataFrame({"text": ["x", "y"], "source": ["s", "s"], "start": [0, 1],
    ...                             "end": [1, 2], "row": [-1, -1]}))
    >>> ranked = rank_places(m, np.array([0.2, 0.0, 0.2]), np.array([0.0, 0.9]), None, 5)
    >>> [(p.entity_id, len(p.evidence)) for p in ranked]
    [('a', 0), ('c', 1)]
    """
    ids = np.asarray(model.entity_ids_)
    candidates = np.flatnonzero(np.asarray(place_scores) > 0)
    if allowed is not None:
        candidates = candidates[np.asarray(allowed)[candidates]]
    order = candidates[np.lexsort((ids[candidates], -np.round(place_scores[candidates], 9)))][:k]
    out = []
    names = model.entities_["name"]
    for j in order:
        idx, w = model.entity_passages_[j]
        evidence: tuple = ()
        if len(idx):
            rel = np.asarray(passage_scores)[idx] * w
            best = int(np.argmax(rel))
            if rel[best] > 0:
                evidence = (_citation(model, int(idx[best]), float(rel[best])),)
        out.append(RankedPlace(str(ids[j]), str(names.iloc[j]), float(place_scores[j]), evidence))
    return out


def bm25_query(profile) -> str:
    """The BM25 query of a profile: its text and sector strings, normalised.

    Examples
    --------
    >>> from recommender.profiles import InvestorProfile
    >>> bm25_query(InvestorProfile(sectors=["陶瓷"], text="日用瓷器"))
    '日用瓷器 陶瓷'
    """
    return " ".join(normalize_for_features(part) for part in [profile.text, *profile.sectors] if part)


class BM25Baseline:
    """BM25 over a fitted model's passages, with the model's tokenizer and place links.

    Parameters
    ----------
    k1, b : float
        BM25 parameters (``bm25s`` defaults).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> import numpy as np, pandas as pd
    >>> m = SimpleNamespace(tokenizer_=str.split,
    ...     passages_=pd.DataFrame({"norm_text": ["陶瓷 产业", "轨道 交通", "陶瓷 醴陵 陶瓷"]}),
    ...     entity_passages_=[(np.array([0, 1]), np.array([1.0, 1.0])), (np.array([2]), np.array([0.5]))])
    >>> bm = BM25Baseline().fit(m)
    >>> s = bm.passage_scores("陶瓷")
    >>> bool(s[2] > s[0] > s[1] == 0)
    True
    >>> [round(float(x), 3) for x in bm.place_scores(s)]
    [0.201, 0.123]
    """

    def __init__(self, k1: float = 1.5, b: float = 0.75):
        self.k1 = k1
        self.b = b

    def fit(self, model) -> "BM25Baseline":
        """Index the model's passages."""
        try:
            import bm25s
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("the BM25 baseline needs the optional extra: pip install 'recommender[bench]'") from exc
        self.tokenizer_ = model.tokenizer_
        texts = model.passages_["norm_text"].tolist()
        many = getattr(self.tokenizer_, "tokenize_many", None)
        tokens = many(texts) if many is not None else [self.tokenizer_(t) for t in texts]
        # bm25s cannot index an empty document: give those a token no query produces
        tokens = [list(t) if len(t) else ["\x00"] for t in tokens]
        self.index_ = bm25s.BM25(k1=self.k1, b=self.b)
        with _quiet("bm25s"):
            self.index_.index(tokens, show_progress=False)
        self.vocab_ = set(self.index_.vocab_dict)
        self.entity_passages_ = model.entity_passages_
        self.n_passages_ = len(texts)
        unit_passage = getattr(model, "unit_passage_", None)
        self.unit_passage_ = (np.asarray(unit_passage) if unit_passage is not None
                              else np.arange(len(texts)))
        return self

    def passage_scores(self, query: str) -> np.ndarray:
        """BM25 score of every feature unit (a passage, or a mention window scored as its
        passage) for a query string."""
        words = [t for t in dict.fromkeys(self.tokenizer_(query)) if t in self.vocab_]
        if not words:
            return np.zeros(len(self.unit_passage_), dtype=np.float32)
        return np.asarray(self.index_.get_scores(words), dtype=np.float32)[self.unit_passage_]

    def place_scores(self, passage_scores: np.ndarray) -> np.ndarray:
        """Each place's best ``BM25 × link weight`` over its linked passages."""
        out = np.zeros(len(self.entity_passages_), dtype=np.float32)
        for j, (idx, w) in enumerate(self.entity_passages_):
            if len(idx):
                out[j] = float(np.max(passage_scores[idx] * w))
        return out
