"""A picklable Chinese tokenizer that owns its own jieba instance.

The tokenizer never touches jieba's process-global dictionary: each instance builds a
private ``jieba.Tokenizer`` (or, with ``backend="rjieba"``, a private ``rjieba.Jieba``),
adds the domain dictionary (place names, park names, industry terms) so that those stay
whole, and drops stopwords. The backend object is dropped on pickling and rebuilt lazily.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Iterable, Sequence

from recommender.exceptions import UnknownOptionError

logger = logging.getLogger(__name__)

__all__ = ["Tokenizer", "BACKENDS"]

BACKENDS = ("jieba", "rjieba")

# A token is kept when it holds a CJK character or a Latin letter; numbers, punctuation
# and white space carry no topical signal.
_KEEP = re.compile(r"[\u3400-\u9fffA-Za-z]")
_USER_WORD_FREQ = 200_000
_MEMO_SIZE = 500_000
_UNSEEN = object()


class Tokenizer:
    """Segment Chinese (and English) text into content words.

    Parameters
    ----------
    user_words : sequence of str, default=()
        Domain words that must stay whole (place names, park names, industry terms).
    stopwords : iterable of str or None, default=None
        Words to drop. ``None`` uses :func:`recommender.text.stopwords.default_stopwords`.
    backend : {"jieba", "rjieba"}, default="jieba"
        Segmentation engine. ``rjieba`` (a binding of jieba-rs, extra ``recommender[fast]``)
        is much faster and agrees with jieba on most tokens.
    hmm : bool, default=True
        Let jieba guess out-of-vocabulary words with its HMM (jieba backend only).

    Examples
    --------
    >>> tok = Tokenizer(user_words=["田心高科园", "轨道交通装备"])
    >>> tok("加快建设田心高科园，壮大轨道交通装备产业")
    ['建设', '田心高科园', '壮大', '轨道交通装备', '产业']
    >>> import pickle
    >>> pickle.loads(pickle.dumps(tok))("陶瓷产业集群")
    ['陶瓷', '产业', '集群']
    """

    def __init__(self, *, user_words: Sequence[str] = (), stopwords: Iterable[str] | None = None,
                 backend: str = "jieba", hmm: bool = True):
        if backend not in BACKENDS:
            raise UnknownOptionError("tokenizer backend", backend, BACKENDS)
        self.user_words = tuple(dict.fromkeys(w for w in user_words if w and w.strip()))
        if stopwords is None:
            from recommender.text.stopwords import default_stopwords

            stopwords = default_stopwords()
        self.stopwords = frozenset(stopwords)
        self.backend = backend
        self.hmm = hmm
        self._engine = None
        self._lock = threading.Lock()
        self._memo: dict[str, str | None] = {}

    # -- engine ---------------------------------------------------------------------
    def _build_engine(self):
        if self.backend == "rjieba":
            try:
                import rjieba
            except ImportError as exc:  # pragma: no cover - depends on the environment
                raise ImportError(
                    "backend='rjieba' needs the optional extra: pip install 'recommender[fast]'"
                ) from exc
            engine = rjieba.Jieba()
            for word in self.user_words:
                engine.add_word(word, _USER_WORD_FREQ, None)
            return engine
        import jieba

        # jieba logs its dictionary loading at DEBUG on its own logger; quieting it is
        # the application's choice (the CLI does), not the library's
        engine = jieba.Tokenizer()
        engine.initialize()
        for word in self.user_words:
            engine.add_word(word, freq=_USER_WORD_FREQ)
        return engine

    @property
    def engine(self):
        """The private segmentation engine, built on first use."""
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._build_engine()
        return self._engine

    # -- segmentation ---------------------------------------------------------------
    def segment(self, text: str) -> list[str]:
        """Return every token of ``text`` (no filtering), in order.

        Examples
        --------
        >>> Tokenizer().segment("陶瓷产业")
        ['陶瓷', '产业']
        """
        if not text:
            return []
        if self.backend == "rjieba":
            return self.engine.cut(text, self.hmm)
        return list(self.engine.cut(text, HMM=self.hmm))

    def __call__(self, text: str) -> list[str]:
        """Return the content words of ``text``: stopwords, numbers and punctuation dropped,
        Latin letters lowercased."""
        memo = self._memo
        out = []
        for token in self.segment(text):
            kept = memo.get(token, _UNSEEN)
            if kept is _UNSEEN:
                kept = self._keep(token)
                if len(memo) < _MEMO_SIZE:
                    memo[token] = kept
            if kept is not None:
                out.append(kept)
        return out

    def _keep(self, token: str) -> str | None:
        token = token.strip()
        if not token or token in self.stopwords or not _KEEP.search(token):
            return None
        if token.isascii():
            token = token.lower()
            if token in self.stopwords:
                return None
        return token

    def tokenize_many(self, texts: Iterable[str]) -> list[list[str]]:
        """Tokenize several texts.

        Examples
        --------
        >>> Tokenizer().tokenize_many(["陶瓷", "硬质合金"])
        [['陶瓷'], ['硬质合金']]
        """
        return [self(t) for t in texts]

    # -- pickling -------------------------------------------------------------------
    def __getstate__(self):
        state = self.__dict__.copy()
        state["_engine"] = None
        state["_lock"] = None
        state["_memo"] = {}
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._lock = threading.Lock()
        self._memo = {}

    def __repr__(self) -> str:
        return (f"Tokenizer(backend={self.backend!r}, user_words={len(self.user_words)}, "
                f"stopwords={len(self.stopwords)}, hmm={self.hmm})")
