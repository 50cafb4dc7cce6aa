"""Passage tagging: find industry terms in text and weigh them into tag scores.

:class:`IndustryTagger` scans a text once, left to right, taking at each position the
longest string of the taxonomy's matcher table (names, aliases, everyday terms, English
names and synonyms, false friends). A false friend (``茶陵``, ``金融安全区``,
``储能式有轨电车``) is consumed whole and yields only the codes the false-friend table
gives it, often none, so the shorter industry word inside it never fires. English
strings match on ASCII word boundaries, case-insensitively; traditional Chinese is read
as simplified; offsets always index the text as given.

Context rules, all data-driven or listed here:

* **veto** — a hit of a tag is dropped when one of the tag's ``exclude_contexts``
  strings (``taxonomy.csv``) occurs within ``window`` characters in the same sentence,
  unless the term holds or is directly followed by an industry head noun (``产业``,
  ``企业``, ``小镇`` …, see ``INDUSTRY_HEADS``): ``花炮产业安全、环保发展`` stays fireworks,
  ``烟花爆竹等重点领域专项整治`` does not.
* **weight** — a surviving hit counts 1.0 when an industry predicate (``PREDICATES``:
  产业, 产业链, 集群, 基地, 项目, 园, 企业, 制造, 生产 …) occurs in its window (the term
  itself included), ``governance_weight`` (0.25) when only a governance word
  (``GOVERNANCE``: 整治, 治理, 排查, 禁止, 防控 …) does, and ``neutral_weight`` (0.6)
  otherwise.

A tag's score is ``1 - 0.5 ** n`` where ``n`` is the sum of its hit weights. Tags are
scored where they are hit: by default no credit goes up the hierarchy (the model adds
its own, see ``model.features.hierarchy_matrix``); with ``parent_share > 0`` each ancestor
also receives that share of the hit weight, so a passage about 新能源汽车 supports 汽车.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Iterable

import ahocorasick_rs
import numpy as np
import scipy.sparse as sp

from recommender.exceptions import InputError
from recommender.knowledge.wordlists import word_list
from recommender.text.normalize import has_traditional, to_simplified

__all__ = ["IndustryTagger", "TermHit", "PREDICATES", "GOVERNANCE", "INDUSTRY_HEADS"]

logger = logging.getLogger(__name__)

# Context words of the tagger, as data (knowledge/data/tagging_words.csv).
PREDICATES = word_list("tagging_words.csv", "predicate")
GOVERNANCE = word_list("tagging_words.csv", "governance")
INDUSTRY_HEADS = word_list("tagging_words.csv", "industry_head")
_SENTENCE_END = re.compile(r"[。!?;!?;\n]")
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
# Length-preserving fold: full-width ASCII to ASCII, ASCII upper case to lower case.
_FOLD = {c: c + 0x20 for c in range(ord("A"), ord("Z") + 1)}
_FOLD.update({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})
_FOLD.update({c: c - 0xFEE0 + 0x20 for c in range(0xFF21, 0xFF3B)})


@dataclass(frozen=True)
class TermHit:
    """One industry term found in a text.

    Attributes
    ----------
    code : str
        Taxonomy code.
    term : str
        The matched text, as it stands in the input (``text[start:end]``).
    start, end : int
        Character offsets into the input text.
    """

    code: str
    term: str
    start: int
    end: int


def _literal_regex(strings: Iterable[str]):
    strings = sorted({s for s in strings if s}, key=len, reverse=True)
    if not strings:
        return None
    return re.compile("|".join(re.escape(s.translate(_FOLD)) for s in strings))


class IndustryTagger:
    """Find industry terms in text and score passages by industry tag.

    Parameters
    ----------
    taxonomy : Taxonomy, optional
        The tags, their terms and false friends (e.g. :meth:`Taxonomy.default`).
    window : int, default 20
        Characters on each side of a hit (clipped at sentence ends) read as its context.
    governance_weight, neutral_weight : float
        Weights of a hit in a governance context and in a context with neither an
        industry predicate nor a governance word (a predicate context counts 1.0).
    parent_share : float, default 0.0
        Share of a hit's weight given to each ancestor tag (0: none).

    Examples
    --------
    >>> from recommender.knowledge.taxonomy import Taxonomy
    >>> tagger = IndustryTagger(Taxonomy.default())
    >>> [(h.code, h.term) for h in tagger.find("发展油茶与茶陵红茶,硬质合金刀具")]
    [('FOOD.OILTEA', '油茶'), ('FOOD.TEA', '红茶'), ('MAT.CEMENTED', '硬质合金'), ('MAT.CEMENTED', '刀具')]
    >>> tagger.tag("打造轨道交通装备产业集群")
    {'EQP.RAIL': 0.5}
    >>> w = IndustryTagger(Taxonomy.default(), parent_share=0.5).tag("打造轨道交通装备产业集群")
    >>> round(w["EQP.RAIL"], 2), round(w["EQP"], 2)
    (0.5, 0.29)
    >>> tagger.tag_many(["陶瓷产业", "IGBT芯片"]).shape[0]
    2
    """

    def __init__(self, taxonomy, *, window: int = 20, governance_weight: float = 0.25,
                 neutral_weight: float = 0.6, parent_share: float = 0.0):
        for name, v in (("governance_weight", governance_weight), ("neutral_weight", neutral_weight),
                        ("parent_share", parent_share)):
            if not 0.0 <= float(v) <= 1.0:
                raise InputError(f"{name} must lie in [0, 1], got {v!r}")
        if int(window) < 0:
            raise InputError(f"window must be >= 0, got {window!r}")
        self.taxonomy = taxonomy
        self.window = int(window)
        self.governance_weight = float(governance_weight)
        self.neutral_weight = float(neutral_weight)
        self.parent_share = float(parent_share)
        self._compile()

    # ------------------------------------------------------------------ set-up
    def _compile(self) -> None:
        tax = self.taxonomy
        table: dict[str, tuple[str, ...]] = {}
        for s, codes in tax.matcher_entries().items():
            key = s.translate(_FOLD)
            if key in table and s not in tax.false_friends:
                codes = table[key] + tuple(c for c in codes if c not in table[key])
            table[key] = codes
        self._table = table
        lens: dict[str, set[int]] = {}
        for key in table:
            lens.setdefault(key[0], set()).add(len(key))
        self._lens = {ch: sorted(ls, reverse=True) for ch, ls in lens.items()}
        chars = "".join(sorted(self._lens))
        self._starts = re.compile("[" + re.escape(chars) + "]") if chars else None
        # one automaton finds the leftmost-longest strings in a single pass over the text
        self._automaton = (ahocorasick_rs.AhoCorasick(list(table), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
                           if table else None)
        self._exclude = {c: _literal_regex(tax.exclude_contexts(c)) for c in tax.codes}
        self._predicates = _literal_regex(PREDICATES)
        self._governance = _literal_regex(GOVERNANCE)
        self._heads = tuple(INDUSTRY_HEADS)
        self._col = {c: i for i, c in enumerate(tax.codes)}
        self._ancestors = {c: tax.ancestors(c) for c in tax.codes}

    def __getstate__(self):
        return {k: getattr(self, k) for k in
                ("taxonomy", "window", "governance_weight", "neutral_weight", "parent_share")}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._compile()

    def __repr__(self) -> str:
        return f"IndustryTagger({len(self._table)} strings, window={self.window})"

    # ---------------------------------------------------------------- scanning
    @staticmethod
    def _prepare(text: str) -> str:
        s = text.translate(_FOLD)
        if not has_traditional(s):
            return s
        # Convert only the lines that hold traditional characters (OpenCC is slow on long
        # text), and only where the conversion keeps the length, so offsets stay valid.
        parts = []
        for line in s.splitlines(keepends=True):
            if has_traditional(line):
                simp = to_simplified(line)
                if len(simp) == len(line):
                    line = simp
            parts.append(line)
        return "".join(parts)

    def _context(self, s: str, start: int, end: int) -> str:
        lo = max(0, start - self.window)
        left = s[lo:start]
        cut = None
        for m in _SENTENCE_END.finditer(left):
            cut = m.end()
        if cut is not None:
            left = left[cut:]
        right = s[end:end + self.window]
        m = _SENTENCE_END.search(right)
        if m:
            right = right[:m.start()]
        return left + s[start:end] + right, len(left)

    def _scan(self, text: str):
        """Yield ``(start, end, codes, context, term_offset)`` for each surviving match."""
        if not isinstance(text, str):
            raise InputError(f"text must be a str, got {type(text).__name__}")
        if not text or self._automaton is None:
            return
        s = self._prepare(text)
        table = self._table
        for i, j in self._spans(s):
            codes = table[s[i:j]]
            if codes:
                ctx, off = self._context(s, i, j)
                yield i, j, codes, ctx, off

    def _spans(self, s: str):
        """Leftmost-longest matches ``(start, end)`` of the table in the prepared text.

        The automaton gives the longest match at the leftmost position; an ASCII string
        must also start and end on word boundaries, and when it does not the position
        is re-read by :meth:`_at` (shorter strings there) before the automaton resumes.
        """
        n = len(s)
        pos = 0
        while pos < n:
            restart = None
            for _, a, b in self._automaton.find_matches_as_indexes(s[pos:] if pos else s):
                i, j = a + pos, b + pos
                length = j - i
                if s[i] in _ASCII_ALNUM and i > 0 and s[i - 1] in _ASCII_ALNUM:
                    restart = i + 1
                    break
                if s[j - 1] in _ASCII_ALNUM and j < n and s[j] in _ASCII_ALNUM:
                    end = self._at(s, i, length)
                    if end is not None:
                        yield i, end
                        restart = end
                    else:
                        restart = i + 1
                    break
                yield i, j
            if restart is None:
                return
            pos = restart

    def _at(self, s: str, i: int, below: int) -> int | None:
        """End of the longest valid string at ``i`` shorter than ``below``, or None."""
        n = len(s)
        for length in self._lens.get(s[i], ()):
            j = i + length
            if length >= below or j > n or s[i:j] not in self._table:
                continue
            if s[j - 1] in _ASCII_ALNUM and j < n and s[j] in _ASCII_ALNUM:
                continue
            return j
        return None

    def _scan_reference(self, text: str):
        """The same matches as :meth:`_scan`, found by a plain loop (kept to test it)."""
        if not isinstance(text, str):
            raise InputError(f"text must be a str, got {type(text).__name__}")
        if not text or self._starts is None:
            return
        s = self._prepare(text)
        n = len(s)
        pos = 0
        table, lens = self._table, self._lens
        for m in self._starts.finditer(s):
            i = m.start()
            if i < pos:
                continue
            ch = s[i]
            if ch in _ASCII_ALNUM and i > 0 and s[i - 1] in _ASCII_ALNUM:
                continue
            for length in lens[ch]:
                j = i + length
                if j > n:
                    continue
                piece = s[i:j]
                codes = table.get(piece)
                if codes is None:
                    continue
                if piece[-1] in _ASCII_ALNUM and j < n and s[j] in _ASCII_ALNUM:
                    continue
                pos = j
                if codes:
                    ctx, off = self._context(s, i, j)
                    yield i, j, codes, ctx, off
                break

    def _vetoed(self, code: str, ctx: str, off: int, length: int) -> bool:
        rx = self._exclude.get(code)
        if rx is None:
            return False
        if not rx.search(ctx):
            return False
        term = ctx[off:off + length]
        if any(h in term for h in self._heads):
            return False
        return not ctx[off + length:].startswith(self._heads)

    def find(self, text: str) -> list[TermHit]:
        """Industry terms in ``text``, in order, false friends and vetoed hits removed.

        Parameters
        ----------
        text : str

        Returns
        -------
        list of TermHit

        Raises
        ------
        InputError
            When ``text`` is not a string.

        Examples
        --------
        >>> from recommender.knowledge.taxonomy import Taxonomy
        >>> tagger = IndustryTagger(Taxonomy.default())
        >>> [h.code for h in tagger.find("全球首列储能式有轨电车;获得省级金融安全区授牌")]
        ['EQP.RAIL']
        >>> [(h.code, h.start) for h in tagger.find("A maker of Electric Vehicles and EVs")]
        [('AUTO.NEV', 11), ('AUTO.NEV', 33)]
        """
        hits = []
        for i, j, codes, ctx, off in self._scan(text):
            for c in codes:
                if not self._vetoed(c, ctx, off, j - i):
                    hits.append(TermHit(c, text[i:j], i, j))
        return hits

    # ----------------------------------------------------------------- scoring
    def _hit_weight(self, ctx: str) -> float:
        if self._predicates.search(ctx):
            return 1.0
        if self._governance.search(ctx):
            return self.governance_weight
        return self.neutral_weight

    def _counts(self, text: str, hits: list | None = None) -> dict[str, float]:
        counts: dict[str, float] = {}
        for i, j, codes, ctx, off in self._scan(text):
            w = None
            for c in codes:
                if self._vetoed(c, ctx, off, j - i):
                    continue
                if hits is not None:
                    hits.append((c, text[i:j]))
                if w is None:
                    w = self._hit_weight(ctx)
                if w <= 0:
                    continue
                counts[c] = counts.get(c, 0.0) + w
                if self.parent_share:
                    for a in self._ancestors[c]:
                        counts[a] = counts.get(a, 0.0) + w * self.parent_share
        return counts

    def tag(self, text: str) -> dict[str, float]:
        """Tag weights of ``text``: code → ``1 - 0.5 ** n`` in (0, 1].

        ``n`` sums the context weights of the tag's hits (plus ``parent_share`` of its
        descendants' hits when that is set). Tags without a surviving hit are absent.

        Examples
        --------
        >>> from recommender.knowledge.taxonomy import Taxonomy
        >>> t = IndustryTagger(Taxonomy.default())
        >>> t.tag("开展冷链食品排查,外防输入")
        {}
        >>> t.tag("建设冷链物流产业园")
        {'LOG.COLD': 0.5}
        """
        return {c: float(1.0 - 0.5 ** n) for c, n in self._counts(text).items() if n > 0}

    def analyze_many(self, texts: Iterable[str]) -> tuple[sp.csr_matrix, list[list[tuple[str, str]]]]:
        """Tag weights (as :meth:`tag_many`) and the ``(code, term)`` hits of each text,
        from a single scan.

        Examples
        --------
        >>> from recommender.knowledge.taxonomy import Taxonomy
        >>> m, hits = IndustryTagger(Taxonomy.default()).analyze_many(["陶瓷产业", "电动车"])
        >>> m.shape[0], hits
        (2, [[('MAT.CERAMIC', '陶瓷产业')], [('AUTO.NEV', '电动车')]])
        """
        rows, cols, data, all_hits = [], [], [], []
        for r, text in enumerate(texts):
            hits: list[tuple[str, str]] = []
            for c, n in self._counts(text, hits).items():
                if n > 0:
                    rows.append(r)
                    cols.append(self._col[c])
                    data.append(float(1.0 - 0.5 ** n))
            all_hits.append(hits)
        matrix = sp.csr_matrix(
            (np.asarray(data, dtype=np.float32), (np.asarray(rows, dtype=np.int64),
                                                   np.asarray(cols, dtype=np.int64))),
            shape=(len(all_hits), len(self._col)), dtype=np.float32)
        return matrix, all_hits

    def tag_many(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Tag weights of many texts as a sparse matrix.

        Returns
        -------
        scipy.sparse.csr_matrix
            Shape ``(len(texts), len(taxonomy.codes))``, dtype float32, columns in
            ``taxonomy.codes`` order.

        Examples
        --------
        >>> from recommender.knowledge.taxonomy import Taxonomy
        >>> m = IndustryTagger(Taxonomy.default()).tag_many(["陶瓷产业", "", "电动车"])
        >>> m.shape[0], m.dtype.name, m[1].nnz
        (3, 'float32', 0)
        """
        rows, cols, data = [], [], []
        count = 0
        for r, text in enumerate(texts):
            count += 1
            for c, w in self.tag(text).items():
                rows.append(r)
                cols.append(self._col[c])
                data.append(w)
        return sp.csr_matrix(
            (np.asarray(data, dtype=np.float32), (np.asarray(rows, dtype=np.int64),
                                                   np.asarray(cols, dtype=np.int64))),
            shape=(count, len(self._col)), dtype=np.float32)
