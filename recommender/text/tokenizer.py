"""A picklable Chinese tokenizer that owns its own jieba instance.

The tokenizer never touches jieba's process-global dictionary: each instance builds a
private ``jieba.Tokenizer`` (or, with ``backend="rjieba"``, a private ``rjieba.Jieba``),
adds the domain dictionary (place names, park names, industry terms) so that those stay
whole, and drops stopwords. The backend object is dropped on pickling and rebuilt lazily.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from typing import Iterable, Sequence

from recommender.exceptions import UnknownOptionError

logger = logging.getLogger(__name__)

__all__ = ["Tokenizer", "PrefixDictionary", "BACKENDS", "import_jieba"]

BACKENDS = ("jieba", "rjieba")

# A token is kept when it holds a CJK character or a Latin letter; numbers, punctuation
# and white space carry no topical signal.
_KEEP = re.compile(r"[\u3400-\u9fffA-Za-z]")
_USER_WORD_FREQ = 200_000
_MEMO_SIZE = 500_000
#: Binary searches a PrefixDictionary makes before it builds the complete dictionary instead.
_SEARCHES_BEFORE_DICT = 200_000
_UNSEEN = object()


def import_jieba():
    """Import jieba without ``pkg_resources``.

    jieba imports ``pkg_resources`` (a slow import: it scans every installed distribution)
    only to open its own data files, and opens them by path when that import fails, as on
    installs without setuptools. The import is blocked for as long as jieba's takes (unless
    another module has imported ``pkg_resources`` already).

    Examples
    --------
    >>> import_jieba().Tokenizer is not None
    True
    """
    jieba = sys.modules.get("jieba")
    if jieba is not None:
        return jieba
    block = "pkg_resources" not in sys.modules
    if block:
        sys.modules["pkg_resources"] = None  # makes ``import pkg_resources`` raise ImportError
    try:
        import jieba
    finally:
        if block and "pkg_resources" in sys.modules and sys.modules["pkg_resources"] is None:
            del sys.modules["pkg_resources"]
    return jieba


class PrefixDictionary:
    """jieba's prefix dictionary (word -> frequency, with 0 for a prefix that is not a word)
    read from sorted arrays, looked up by binary search and remembered per key.

    A private ``jieba.Tokenizer`` given this object as its ``FREQ`` segments exactly as
    with its own dictionary (jieba only asks about substrings of the text it cuts), without
    reading and unmarshalling the half-million entries first: a saved model stores the
    dictionary its tokenizer was fitted with, and a query process starts at once.

    Parameters
    ----------
    words : list of str
        The keys in code-point order (``sorted``).
    freqs : sequence of int
        Their frequencies.
    total : int
        The sum of the frequencies (jieba's ``total``).

    Examples
    --------
    >>> d = PrefixDictionary(["陶", "陶瓷", "陶瓷业"], [0, 10, 2], 12)
    >>> "陶瓷" in d, d.get("陶"), d.get("瓷"), d["陶瓷业"]
    (True, 0, None, 2)
    """

    def __init__(self, words, freqs, total: int):
        text = "".join(words)
        offsets = [0]
        for w in words:
            offsets.append(offsets[-1] + len(w))
        self._init(text, offsets, freqs, total)

    @classmethod
    def from_text(cls, text: str, offsets, freqs, total: int) -> "PrefixDictionary":
        """Build from the sorted words laid end to end in ``text`` and their ``offsets``."""
        obj = cls.__new__(cls)
        obj._init(text, offsets, freqs, total)
        return obj

    def _init(self, text, offsets, freqs, total):
        if len(offsets) != len(freqs) + 1:
            raise ValueError("a prefix dictionary needs one offset more than it has words")
        self._text = text
        self._offsets = offsets
        self._freqs = freqs
        self.total = int(total)
        self._memo: dict[str, int | None] = {}
        self._full: dict[str, int] | None = None
        self._searches = 0

    def __len__(self) -> int:
        return len(self._freqs)

    def words(self) -> list[str]:
        """All keys, in order."""
        o = self._offsets
        t, o = self._text, (o.tolist() if hasattr(o, "tolist") else list(o))
        return [t[o[i]:o[i + 1]] for i in range(len(o) - 1)]

    def freqs(self) -> list[int]:
        """All frequencies, in key order."""
        return [int(f) for f in self._freqs]

    def _lookup(self, key: str):
        full = self._full
        if full is not None:
            return full.get(key)
        hit = self._memo.get(key, _UNSEEN)
        if hit is not _UNSEEN:
            return hit
        self._searches += 1
        if self._searches > _SEARCHES_BEFORE_DICT:
            # heavy use (tokenizing a corpus, not a few queries): build jieba's own dict once
            self._full = dict(zip(self.words(), self.freqs()))
            self._memo = {}
            return self._full.get(key)
        text, off = self._text, self._offsets
        lo, hi = 0, len(off) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if text[off[mid]:off[mid + 1]] < key:
                lo = mid + 1
            else:
                hi = mid
        found = None
        if lo < len(off) - 1 and text[off[lo]:off[lo + 1]] == key:
            found = int(self._freqs[lo])
        if len(self._memo) < _MEMO_SIZE:
            self._memo[key] = found
        return found

    def __contains__(self, key) -> bool:
        return isinstance(key, str) and self._lookup(key) is not None

    def __getitem__(self, key: str) -> int:
        found = self._lookup(key) if isinstance(key, str) else None
        if found is None:
            raise KeyError(key)
        return found

    def get(self, key, default=None):
        found = self._lookup(key) if isinstance(key, str) else None
        return default if found is None else found

    def __getstate__(self):
        return {"_text": self._text, "_offsets": [int(o) for o in self._offsets], "_freqs": self.freqs(),
                "total": self.total}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._memo = {}
        self._full = None
        self._searches = 0


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
    dictionary : PrefixDictionary, optional
        The complete prefix dictionary (jieba's own plus ``user_words``), as stored in a
        saved model; the jieba backend then reads it lazily instead of loading jieba's
        dictionary and adding the user words.

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
                 backend: str = "jieba", hmm: bool = True, dictionary: PrefixDictionary | None = None):
        if backend not in BACKENDS:
            raise UnknownOptionError("tokenizer backend", backend, BACKENDS)
        self.user_words = tuple(dict.fromkeys(w for w in user_words if w and w.strip()))
        if stopwords is None:
            from recommender.text.stopwords import default_stopwords

            stopwords = default_stopwords()
        self.stopwords = frozenset(stopwords)
        self.backend = backend
        self.hmm = hmm
        self._dictionary = dictionary
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
        jieba = import_jieba()
        # jieba logs its dictionary loading at DEBUG on its own logger; quieting it is
        # the application's choice (the CLI does), not the library's
        engine = jieba.Tokenizer()
        if self._dictionary is not None:
            engine.FREQ = self._dictionary
            engine.total = self._dictionary.total
            engine.initialized = True
            return engine
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

    def fingerprint(self) -> str:
        """A digest of what decides this tokenizer's output (words, stopwords, backend, HMM).

        Examples
        --------
        >>> Tokenizer(user_words=["田心高科园"]).fingerprint() == Tokenizer(user_words=["田心高科园"]).fingerprint()
        True
        """
        import hashlib

        h = hashlib.sha256()
        for part in (self.backend, str(self.hmm), "\x00".join(self.user_words), "\x00".join(sorted(self.stopwords))):
            h.update(part.encode("utf-8", "surrogatepass"))
            h.update(b"\x01")
        if self._dictionary is not None:
            h.update(b"stored dictionary %d" % self._dictionary.total)
        return h.hexdigest()

    def prefix_dictionary(self) -> tuple[list[str], list[int], int]:
        """The jieba backend's complete prefix dictionary: sorted words, their
        frequencies, and the total (what :class:`PrefixDictionary` takes).

        Examples
        --------
        >>> words, freqs, total = Tokenizer(user_words=["田心高科园"]).prefix_dictionary()
        >>> freqs[words.index("田心高科园")], freqs[words.index("田心高科")]
        (200000, 0)
        """
        if self.backend != "jieba":
            raise ValueError(f"the {self.backend} backend has no jieba prefix dictionary")
        if self._dictionary is not None:
            return self._dictionary.words(), self._dictionary.freqs(), self._dictionary.total
        freq = self.engine.FREQ
        words = sorted(freq)
        return words, [int(freq[w]) for w in words], int(self.engine.total)

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

    def keep(self, token: str) -> str | None:
        """The content word a raw segment stands for (stripped, Latin lowercased), or None
        for a stopword, number or punctuation: what :meth:`__call__` keeps of it.

        Examples
        --------
        >>> tok = Tokenizer()
        >>> tok.keep("IGBT"), tok.keep("的"), tok.keep("2025")
        ('igbt', None, None)
        """
        return self._keep(token)

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
