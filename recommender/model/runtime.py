"""Query-time lookup tables derived from a fitted model.

Plain Python lists and sets built once per loaded model (not saved with it), so that
ranking many profiles does not pay for pandas row access or sparse slicing per match.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from recommender.knowledge.taxonomy import PROCESS_WORDS
from recommender.model.scoring import LinkPooling
from recommender.model.stored import TextColumn, column_list, stored_table

__all__ = ["RuntimeTables", "GramFilter", "SCANS_BEFORE_FILTER", "TRANSPOSED", "saved_tables"]


#: A word found in fewer passages than this is never generic (a small corpus has no common words).
GENERIC_MIN_PASSAGES = 5


#: How many passages' decoded tag hits are kept for the next profiles that cite them
#: (a national corpus has about 85,000 passages: all of them).
HITS_KEPT = 1 << 17

#: How many compounds' writing units are kept for the next profiles that use them.
COMPOUNDS_KEPT = 20_000

#: How many words are looked up in the passages' text by a plain scan before a filter of
#: the text's runs of 2 to 6 characters is built (it costs about as much as a hundred scans).
SCANS_BEFORE_FILTER = 8

_GRAM_MULTIPLIERS = tuple(np.uint64(c) for c in (
    0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5,
    0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53))


class GramFilter:
    """Which runs of 2 to 6 characters a text holds, as a hashed bitmap: no false negatives.

    ``may_hold(word)`` is False only when some 2 to 6 consecutive characters of ``word``
    never occur in the text (so the word cannot either); True means "scan to be sure".
    Runs longer than 2 matter: in a national corpus nearly every pair of characters of a
    missing word (投资咨询服务) occurs somewhere, its runs of 5 or 6 rarely do. The bitmap
    has about :attr:`BITS_PER_CHARACTER` bits per character of text (a power of two,
    at most ``2 ** MAX_BITS``), so that it stays sparse whatever the corpus size.

    The text is a string or its UTF-16 code units (a loaded model's stored buffer, read
    without decoding it); runs are counted in code units, the same for the text and the
    words asked about.

    Examples
    --------
    >>> f = GramFilter("发展新能源汽车产业")
    >>> f.may_hold("新能源汽车"), f.may_hold("汽车配件"), f.may_hold("能源汽车产"), f.may_hold("车")
    (True, False, True, True)
    >>> f.may_hold("配件"), f.may_hold("源汽")
    (False, True)
    >>> f.may_hold("源汽车发")
    False
    """

    LENGTHS = (2, 3, 4, 5, 6)
    BITS_PER_CHARACTER = 6
    MIN_BITS, MAX_BITS = 16, 27
    #: Characters hashed at a time (small temporaries).
    BLOCK = 1 << 20

    def __init__(self, text):
        # UTF-16 code units, the form a loaded model stores its text in (no decoding needed)
        units = _utf16_units(text) if isinstance(text, str) else np.asarray(text, dtype=np.uint16)
        wanted = max(len(units), 1) * self.BITS_PER_CHARACTER
        self.bits = min(max(self.MIN_BITS, int(wanted - 1).bit_length()), self.MAX_BITS)
        packed = np.zeros(1 << (self.bits - 3), dtype=np.uint8)
        overlap = max(self.LENGTHS) - 1
        for lo in range(0, max(len(units) - 1, 0), self.BLOCK):
            for h in self._hashes(units[lo:lo + self.BLOCK + overlap]):
                _set_bits(packed, h)
        self._bits = packed

    def _hashes(self, codes: np.ndarray):
        """Hashes of every run of each of :attr:`LENGTHS` codes, one array per length (a run
        of ``n`` extends the hash of the run of ``n - 1`` at its start by one more code)."""
        codes = codes.astype(np.uint64)
        h = codes * _GRAM_MULTIPLIERS[0]
        for n in range(2, max(self.LENGTHS) + 1):
            if len(codes) < n:
                break
            h = (h[:-1] ^ (codes[n - 1:] * _GRAM_MULTIPLIERS[n - 1])) * _GRAM_MULTIPLIERS[n - 2]
            if n in self.LENGTHS:
                mixed = (h ^ (h >> np.uint64(29))) * _GRAM_MULTIPLIERS[n - 1]
                yield (mixed >> np.uint64(64 - self.bits)).astype(np.uint32)     # MAX_BITS < 32

    def may_hold(self, word: str) -> bool:
        """False when ``word`` certainly does not occur in the text."""
        return all(bool(self._holds(h).all()) for h in self._hashes(_utf16_units(word)))

    def _holds(self, h: np.ndarray) -> np.ndarray:
        """Whether each hash's bit is set (bits packed big-endian, as :func:`numpy.packbits` does)."""
        return (self._bits[h >> 3] >> (7 - (h & 7)).astype(np.uint8)) & 1 > 0


def _utf16_units(text: str) -> np.ndarray:
    """The UTF-16 code units of ``text`` (a character outside the BMP gives two)."""
    return np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype="<u2")


def _set_bits(packed: np.ndarray, h: np.ndarray) -> None:
    """Set bit ``h`` (big-endian within each byte) of ``packed`` for every hash in ``h``.

    The hashes are sorted so that those of one byte are adjacent; their bits are OR-ed
    together and each byte is written once (no unpacked bitmap is built).
    """
    if not len(h):
        return
    h = np.sort(h)
    byte = h >> 3
    mask = np.right_shift(np.uint8(0x80), (h & 7).astype(np.uint8))
    starts = np.flatnonzero(np.r_[True, byte[1:] != byte[:-1]])
    packed[byte[starts]] |= np.bitwise_or.reduceat(mask, starts)


#: The transposed matrices the query path multiplies by, and the fitted matrices they transpose.
TRANSPOSED = {"X_T": "X_", "T_T": "T_", "Traw_T": "T_raw_", "centroids_T": "centroids_",
              "tag_profile_T": "tag_profile_"}


def saved_tables(model):
    """The query tables worth saving with a model, as ``(name, matrix)`` pairs made one at a
    time: the transposes of its largest matrices, which loading (a memory map) gets for
    nothing and a query process would otherwise compute before its first query.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> class Fitted:
    ...     X_ = T_ = T_raw_ = centroids_ = tag_profile_ = sp.csr_matrix([[1.0, 0.0, 2.0]])
    >>> [(name, m.shape) for name, m in saved_tables(Fitted())][:2]
    [('X_T', (3, 1)), ('T_T', (3, 1))]
    """
    for name, attr in TRANSPOSED.items():
        yield name, getattr(model, attr).T.tocsr()


def _ints(values) -> list[int]:
    """A column of integers as a list of Python ints."""
    return np.asarray(values, dtype=np.int64).tolist()


class _SupportedTags:
    """For each place (a row of the tag-support matrix), the set of tag columns it supports
    with a positive weight; a row's set is made on first access and kept."""

    def __init__(self, support: sp.csr_matrix):
        self._support = support
        self._rows: dict[int, set] = {}

    def __len__(self) -> int:
        return self._support.shape[0]

    def __getitem__(self, j: int) -> set:
        row = self._rows.get(j)
        if row is None:
            m = self._support
            if not -len(self) <= j < len(self):
                raise IndexError("place index out of range")
            j = int(j) % len(self)
            lo, hi = m.indptr[j], m.indptr[j + 1]
            row = self._rows[j] = set(m.indices[lo:hi][m.data[lo:hi] > 0].tolist())
        return row


def _same_pattern(m: sp.csr_matrix, data: np.ndarray) -> sp.csr_matrix:
    """A CSR matrix with ``m``'s sparsity pattern (its index arrays shared) and ``data`` as values."""
    return sp.csr_matrix((data, m.indices, m.indptr), shape=m.shape, copy=False)


class _SharedRows(Sequence):
    """A column's rows, each decoded once and then shared: a passage a batch cites again and
    again is one string, however many results quote it.

    Examples
    --------
    >>> rows = _SharedRows(["陶瓷", "醴陵"])
    >>> rows[1] is rows[1], len(rows), list(rows)
    (True, 2, ['陶瓷', '醴陵'])
    """

    def __init__(self, column):
        self._column = column
        self._decoded: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._column)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        found = self._decoded.get(i)
        if found is None:
            found = self._decoded[i] = self._column[i]
        return found


class RuntimeTables:
    """Lists and sets for fast per-match work; built from a fitted :class:`Recommender`."""

    def __init__(self, model):
        # the tables as stored when the model was loaded (text decoded row by row, on access),
        # else the fitted DataFrames
        p = stored_table(model, "passages_")
        self.n_passages = len(p)
        self.text = _SharedRows(column_list(p, "text"))      # the cited text: one string per passage
        self.norm_text = column_list(p, "norm_text")
        self.source = column_list(p, "source")
        self.start = _ints(column_list(p, "start"))
        self.end = _ints(column_list(p, "end"))
        self.title = column_list(p, "title")
        self.date = column_list(p, "date")
        self.row = [None if v < 0 else v for v in _ints(column_list(p, "row"))]
        self.unit_passage = _ints(model.unit_passage_)
        e = stored_table(model, "entities_")
        self.entity_id = [str(v) for v in column_list(e, "entity_id")]
        self.name = list(column_list(e, "name"))
        self.level = list(column_list(e, "level"))
        self.parent = list(column_list(e, "parent"))
        self.path = [tuple(v) for v in column_list(e, "path")]
        self.ancestors = [frozenset(v) for v in column_list(e, "ancestors")]
        self.supported = _SupportedTags(model.tag_support_.tocsr())
        hier = model.hierarchy_.tocsc()
        tax = model.taxonomy_
        # the tags that fully answer a query tag: itself and its sub-tags
        self.full_credit = {}
        for k, code in enumerate(tax.codes):
            lo, hi = hier.indptr[k], hier.indptr[k + 1]
            rows = hier.indices[lo:hi][hier.data[lo:hi] >= 1.0]
            self.full_credit[code] = set(rows.tolist())
        self.descends = {code: set(tax.ancestors(code)) for code in tax.codes}
        self.tag_name = {code: tax.name(code) for code in tax.codes}
        self.vocab = model.feature_names_
        # transposed matrices, built once (a .T inside every query would convert formats);
        # a saved model holds them (see saved_tables)
        saved = model.__dict__.get("_saved_runtime") or {}

        def transpose(name: str):
            attr = TRANSPOSED[name]
            m = saved.get(name)
            if m is None or m.shape != getattr(model, attr).shape[::-1]:
                m = getattr(model, attr).T.tocsr()
            return m

        self.X_T = transpose("X_T")
        self.T_T = transpose("T_T")
        self.centroids_T = transpose("centroids_T")
        self.tag_profile_T = transpose("tag_profile_T")
        # every place's units laid end to end, for segment-wise pooling
        Lc = model.L_.tocsc()
        Lc.sort_indices()
        self.flat_units = Lc.indices.astype(np.int64)
        self.flat_weights = Lc.data.astype(np.float32)
        self.flat_offsets = Lc.indptr[:-1].astype(np.int64)
        self.link_pooling = LinkPooling(self.flat_units, self.flat_weights, self.flat_offsets, model.L_.shape[0])
        self._hits = model.passage_hits_
        self._taxonomy = tax
        self._vectorizer = model.vectorizer_
        # term statistics: passage document frequency (from the IDF), specificity, weights
        self.idf = np.asarray(model.vectorizer_.idf_, dtype=np.float32)
        n_docs = len(p)
        self.df = np.rint((1.0 + n_docs) / np.exp(self.idf.astype(np.float64) - 1.0) - 1.0).astype(np.int64)
        self.max_idf = float(np.log(1.0 + n_docs) + 1.0)
        share = self.df / max(n_docs, 1)
        taxonomy_words = self.taxonomy_words = frozenset(tax.vocabulary())
        in_taxonomy = np.fromiter((w in taxonomy_words for w in self.vocab), dtype=bool, count=len(self.vocab))
        # a word is common only when several passages use it, whatever the corpus' size
        self.specific = ((share <= model.generic_share) | (in_taxonomy & (share <= 5 * model.generic_share))
                         | (self.df < GENERIC_MIN_PASSAGES))
        # a process word (加工, 制造, 制品) says what is done, not in which industry: it supports a
        # match but never makes a passage relevant alone
        self.process = np.fromiter((w in PROCESS_WORDS for w in self.vocab), dtype=bool, count=len(self.vocab))
        self.term_weight = np.where(self.specific, 1.0, model.generic_weight).astype(np.float32)
        self.vocabulary = model.vectorizer_.vocabulary_
        # the transposes' patterns with every stored value 1 (sharing their index arrays): which
        # passages hold a word, which carry a tag (whatever its weight)
        self.Xbin_T = _same_pattern(self.X_T, np.ones(self.X_T.nnz, dtype=self.X_T.dtype))
        self.Tbin_T = _same_pattern(self.T_T, (self.T_T.data > 0).astype(np.float32))
        # the tags each passage names itself, without its sub-sectors' (for tags reached by a product word)
        self.Traw_T = transpose("Traw_T")
        self.Trawbin_T = _same_pattern(self.Traw_T, (self.Traw_T.data > 0).astype(np.float32))
        self._expansions: dict[tuple, object] = {}

    def tag_words(self, code: str) -> frozenset:
        """Words of a tag and its sub-tags: names, aliases, everyday and query terms."""
        cache = self.__dict__.setdefault("_tag_words", {})
        if code not in cache:
            words = set()
            for c in self._answering((code,)):
                row = self._taxonomy.row(c)
                words.add(row["name"])
                for col in ("aliases", "terms", "query_terms"):
                    words.update(x for x in (row.get(col) or ()) if x)
            cache[code] = frozenset(words)
        return cache[code]

    def places_within(self, region_id: str) -> np.ndarray:
        """Columns of the places that are ``region_id`` or lie inside it (by their ancestors).

        The index from each region to its places is built once per loaded model, so that a
        region filter costs a lookup, not a pass over every place.
        """
        index = self.__dict__.get("_within")
        if index is None:
            members: dict[str, list[int]] = {}
            for j, (eid, ancestors) in enumerate(zip(self.entity_id, self.ancestors)):
                for region in {eid, *ancestors}:
                    members.setdefault(region, []).append(j)
            index = self._within = {r: np.asarray(js, dtype=np.int64) for r, js in members.items()}
        return index.get(region_id, np.empty(0, dtype=np.int64))

    def level_mask(self, levels: frozenset) -> np.ndarray:
        """Whether each place's level is one of ``levels`` (a boolean array, kept per set)."""
        cache = self.__dict__.setdefault("_level_masks", {})
        found = cache.get(levels)
        if found is None:
            found = cache[levels] = np.fromiter((lv in levels for lv in self.level), dtype=bool,
                                                count=len(self.level))
        return found

    def is_specific(self, term: str) -> bool:
        """Whether a vocabulary word is specific (few passages use it, or a taxonomy word)."""
        j = self.vocabulary.get(term)
        return j is not None and bool(self.specific[j])

    def written_in_corpus(self, word: str) -> bool:
        """Whether the passages' text holds ``word`` at all (a word missing from the vocabulary
        may be one the vectorizer dropped as too common, or one jieba cut otherwise).

        The answer is exact: a scan of the text. After :data:`SCANS_BEFORE_FILTER` scans a
        :class:`GramFilter` of the text is built (once per loaded model), and a word with a
        run of 2 to 6 characters the text never holds is answered without a scan; batches ask about
        hundreds of words, single queries about a few.
        """
        cache = self.__dict__.setdefault("_written", {})
        if word not in cache:
            texts = self.__dict__.get("_norm_column")
            if texts is None:
                # a loaded model's column is searched as stored; a fitted model's list is joined once
                texts = self.norm_text if isinstance(self.norm_text, TextColumn) else TextColumn.from_strings(
                    self.norm_text)
                self._norm_column = texts
            grams = self.__dict__.get("_grams")
            if grams is None and len(cache) >= SCANS_BEFORE_FILTER:
                grams = self._grams = GramFilter(texts.code_units())
            cache[word] = (grams is None or grams.may_hold(word)) and texts.contains(word)
        return cache[word]

    def norm_length(self, passage_row: int) -> int:
        """The length of a passage's normalised text, read without decoding it."""
        lengths = self.__dict__.get("_norm_lengths")
        if lengths is None:
            texts = self.norm_text
            lengths = self._norm_lengths = (np.diff(texts.offsets()) if isinstance(texts, TextColumn)
                                            else np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)))
        return int(lengths[passage_row])

    def units_writing(self, compound: str, parts) -> list[int]:
        """The units whose passage writes ``compound`` out, among those holding a specific
        one of its ``parts`` (the rarest part's when no part is specific), kept per compound.

        However the tokenizer cut the compound in a passage (福泉—瓮安磷化工园区 →
        磷 化工园区), the passage's text says whether it is written; only the posting
        lists of its parts are read, so the check stays small whatever the corpus size.
        """
        cache = self.__dict__.setdefault("_units_writing", {})
        key = (compound, tuple(parts))
        found = cache.get(key)
        if found is None:
            X = self.Xbin_T
            postings = [(bool(self.specific[j]), X.indices[X.indptr[j]:X.indptr[j + 1]])
                        for j in (self.vocabulary.get(part) for part in parts) if j is not None]
            specific = [post for is_specific, post in postings if is_specific]
            if specific:
                units = np.unique(np.concatenate(specific))
            else:
                units = min((post for _, post in postings), key=len, default=np.empty(0, dtype=np.int64))
            units = units.tolist()
            rows = [self.unit_passage[u] for u in units]
            texts = self.norm_text
            held = (texts.holding(compound, rows) if isinstance(texts, TextColumn)
                    else [compound in texts[r] for r in rows])
            found = [u for u, yes in zip(units, held) if yes]
            if len(cache) >= COMPOUNDS_KEPT:
                cache.clear()
            cache[key] = found
        return found

    def is_specific_or_tag(self, term: str) -> bool:
        """Whether a matched word carries content: a specific word or an industry-tag word."""
        return term in self.taxonomy_words or self.is_specific(term)

    def document_frequency(self, term: str) -> int:
        """How many passages use ``term`` (0 when it is not in the vocabulary)."""
        j = self.vocabulary.get(term)
        return 0 if j is None else int(self.df[j])

    def cooccurrence(self, a: str, b: str) -> int:
        """How many units (passages and mention windows) hold both words."""
        ja, jb = self.vocabulary.get(a), self.vocabulary.get(b)
        if ja is None or jb is None:
            return 0
        X = self.Xbin_T
        ua = X.indices[X.indptr[ja]:X.indptr[ja + 1]]
        ub = X.indices[X.indptr[jb]:X.indptr[jb + 1]]
        return int(np.intersect1d(ua, ub, assume_unique=True).size)

    def hits(self, passage_row: int) -> tuple:
        """The tagger's ``(code, term)`` hits in a passage, kept from the fit's tagging scan
        (decoded once per passage read; equal hits share one tuple, so keeping every
        passage's costs little)."""
        cache = self.__dict__.setdefault("_hits_read", {})
        found = cache.get(passage_row)
        if found is None:
            pairs = self.__dict__.setdefault("_hit_pairs", {})
            decoded = []
            for code, term in self._hits[passage_row]:
                pair = (code, term)
                decoded.append(pairs.setdefault(pair, pair))
            if len(cache) >= HITS_KEPT:
                cache.clear()
            found = cache[passage_row] = tuple(decoded)
        return found

    def tag_terms(self, passage_row: int, codes) -> list[str]:
        """Words of a passage that carry one of ``codes`` or one of their sub-sectors."""
        answering = self._answering(tuple(codes))
        out: list[str] = []
        for code, term in self.hits(passage_row):
            if code in answering and term not in out:
                out.append(term)
        return out

    def _answering(self, codes: tuple) -> frozenset:
        """The tags that answer one of ``codes``: the codes themselves and their sub-tags."""
        cache = self.__dict__.setdefault("_answering_cache", {})
        found = cache.get(codes)
        if found is None:
            wanted = set(codes)
            found = frozenset(wanted | {c for c, up in self.descends.items() if wanted & up})
            if len(cache) < 50_000:
                cache[codes] = found
        return found

    def expansion_counts(self, code: str) -> dict[int, int]:
        """Vocabulary counts of a sector's expansion words (kept per sector)."""
        cache = self.__dict__.setdefault("_expansion_counts", {})
        found = cache.get(code)
        if found is None:
            text = " ".join(self._taxonomy.expansion_words(code))
            found = cache[code] = self._vectorizer.count_columns(text)
        return found

    def has_expansion(self, codes: tuple) -> bool:
        """Whether the TF-IDF vector of this tag combination's expansion is cached."""
        return codes in self._expansions

    def store_expansion(self, codes: tuple, vector) -> None:
        """Cache the expansion vector of a tag combination (bounded)."""
        if len(self._expansions) < 50_000:
            self._expansions[codes] = vector

    def expansion(self, codes: tuple):
        """The cached expansion vector of a tag combination."""
        return self._expansions[codes]
