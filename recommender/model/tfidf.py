"""A fitted TF-IDF vocabulary that transforms text with numpy and scipy only.

:class:`TfidfIndex` holds what a fitted :class:`sklearn.feature_extraction.text.TfidfVectorizer`
needs to transform new text (the tokenizer, the vocabulary, the idf weights, the term
frequency and norm settings) and reproduces its ``transform`` step by step, so that a
query process never imports scikit-learn and a saved model is plain arrays.
"""

from __future__ import annotations

import bisect
from array import array
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

__all__ = ["TfidfIndex", "TokenCounts", "count_tokens", "fit_tfidf", "l2_normalize_rows"]

#: Distinct tokens looked up by bisection before the full term -> column dictionary is built.
_BISECT_LOOKUPS = 20_000


def l2_normalize_rows(matrix) -> sp.csr_matrix:
    """Return ``matrix`` as float32 CSR with every non-zero row scaled to unit L2 norm.

    The same arithmetic as scikit-learn's ``normalize(norm="l2")`` on float32 CSR data:
    squares in float32, summed in float64 in storage order, division in float64.

    Examples
    --------
    >>> l2_normalize_rows(sp.csr_matrix(np.array([[3.0, 4.0], [0.0, 0.0]]))).toarray()
    array([[0.6, 0.8],
           [0. , 0. ]], dtype=float32)
    """
    m = sp.csr_matrix(matrix, dtype=np.float32, copy=True)
    m.sum_duplicates()
    _normalize_data(m.data, m.indptr, m.shape[0])
    return m


#: Stored values normalised per block (bounds the float64 temporaries of a large matrix).
_NORMALIZE_BLOCK = 1 << 20


def _normalize_data(data: np.ndarray, indptr: np.ndarray, n_rows: int) -> None:
    """Scale the rows of CSR ``data`` to unit L2 norm, in place (empty rows untouched),
    a block of rows at a time."""
    if data.size == 0:
        return
    lo = 0
    while lo < n_rows:
        # rows lo..hi hold about _NORMALIZE_BLOCK values (at least one row)
        hi = int(np.searchsorted(indptr, indptr[lo] + _NORMALIZE_BLOCK, side="right")) - 1
        hi = min(max(hi, lo + 1), n_rows)
        start, end = int(indptr[lo]), int(indptr[hi])
        if end > start:
            block = data[start:end]
            rows = np.repeat(np.arange(hi - lo), np.diff(indptr[lo:hi + 1]))
            squares = (block * block).astype(np.float64)
            norms = np.sqrt(np.bincount(rows, weights=squares, minlength=hi - lo))
            norms[norms == 0.0] = 1.0
            block[:] = (block / norms[rows]).astype(data.dtype)
        lo = hi


class TfidfIndex:
    """Transform texts into the TF-IDF space of a fitted vectorizer.

    Parameters
    ----------
    tokenizer : callable
        ``text -> list of tokens``, the vectorizer's tokenizer.
    feature_names : array of str
        The vocabulary, in column order.
    idf : ndarray of float32
        The idf weight of every column.
    sublinear_tf : bool
        Use ``1 + log(tf)``.
    norm : {"l2", None}
        Row normalisation.

    Examples
    --------
    >>> tok = str.split
    >>> index = TfidfIndex(tok, ["陶瓷", "产业"], np.array([1.0, 2.0], dtype=np.float32), sublinear_tf=True)
    >>> index.transform(["陶瓷 陶瓷 产业 其他"]).toarray().round(3)
    array([[0.646, 0.763]], dtype=float32)
    >>> index.vocabulary_["产业"]
    1
    """

    def __init__(self, tokenizer, feature_names, idf, *, sublinear_tf: bool, norm: str | None = "l2"):
        if norm not in ("l2", None):
            raise ValueError(f"norm must be 'l2' or None, got {norm!r}")
        self.tokenizer = tokenizer
        self.feature_names = feature_names
        self.idf_ = np.asarray(idf, dtype=np.float32)
        self.sublinear_tf = bool(sublinear_tf)
        self.norm = norm
        self._vocabulary: dict[str, int] | None = None
        self._memo: dict[str, int | None] = {}
        self._sorted: bool | None = None

    @classmethod
    def from_vectorizer(cls, vectorizer) -> "TfidfIndex":
        """Take the fitted state of a scikit-learn ``TfidfVectorizer`` (word analyzer,
        our tokenizer, no lowercasing, unigrams)."""
        names = vectorizer.get_feature_names_out()
        return cls(vectorizer.tokenizer, names, vectorizer.idf_.astype(np.float32),
                   sublinear_tf=vectorizer.sublinear_tf, norm=vectorizer.norm)

    @property
    def vocabulary_(self) -> dict[str, int]:
        """Term -> column, built on first use."""
        if self._vocabulary is None:
            self._vocabulary = {str(t): i for i, t in enumerate(self.feature_names)}
        return self._vocabulary

    def _column(self, token: str) -> int | None:
        """The column of ``token`` (None when out of vocabulary).

        A sorted vocabulary (scikit-learn's always is) is searched by bisection, with the
        answers remembered, until enough tokens were looked up to make building the full
        dictionary pay; a cold query process never builds it.
        """
        if self._vocabulary is not None:
            return self._vocabulary.get(token)
        memo = self._memo
        if token in memo:
            return memo[token]
        if self._sorted is None:
            names = self.feature_names
            self._sorted = len(names) < 2 or bool(np.all(np.asarray(names[:-1], dtype=object)
                                                         < np.asarray(names[1:], dtype=object)))
        if not self._sorted or len(memo) >= _BISECT_LOOKUPS:
            return self.vocabulary_.get(token)
        names = self.feature_names
        i = bisect.bisect_left(names, token)
        found = i if i < len(names) and names[i] == token else None
        memo[token] = found
        return found

    def get_feature_names_out(self) -> np.ndarray:
        """The vocabulary in column order (an object array of str, like scikit-learn's)."""
        return np.asarray(self.feature_names, dtype=object)

    def transform_counts(self, chunks) -> sp.csr_matrix:
        """Like :meth:`transform`, from the :class:`TokenCounts` of texts (in order)."""
        rows, cols, vals = [], [], []
        n = 0
        for chunk in chunks:
            col = np.fromiter((-1 if (j := self._column(w)) is None else j for w in chunk.words),
                              dtype=np.int64, count=len(chunk.words))
            row = np.repeat(np.arange(n, n + len(chunk.lengths), dtype=np.int64), chunk.lengths)
            c = col[chunk.ids] if len(chunk.ids) else np.zeros(0, dtype=np.int64)
            keep = c >= 0
            rows.append(row[keep])
            cols.append(c[keep])
            vals.append(chunk.counts[keep])
            n += len(chunk.lengths)
        row = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
        indptr = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
        X = sp.csr_matrix((np.concatenate(vals).astype(np.float32) if vals else np.zeros(0, dtype=np.float32),
                           np.concatenate(cols).astype(np.int32) if cols else np.zeros(0, dtype=np.int32), indptr),
                          shape=(n, len(self.idf_)))
        X.sort_indices()
        _weigh(X, self.idf_, self.sublinear_tf, normalize=self.norm == "l2")
        return X

    def transform(self, texts) -> sp.csr_matrix:
        """Return the ``(len(texts), n_terms)`` float32 TF-IDF matrix of ``texts``.

        Out-of-vocabulary tokens are ignored; an empty text gives an empty row.
        """
        return self.weigh_counts([self.count_columns(text) for text in texts])

    def count_columns(self, text: str) -> dict[int, int]:
        """How often each vocabulary column's token occurs in ``text`` (out-of-vocabulary
        tokens ignored). Counts of texts joined by a space add up: the tokenizer never
        reads across white space."""
        column = self._column
        counter: dict[int, int] = {}
        for token in self.tokenizer(text):
            j = column(token)
            if j is not None:
                counter[j] = counter.get(j, 0) + 1
        return counter

    def weigh_counts(self, rows) -> sp.csr_matrix:
        """The TF-IDF matrix of texts given by their :meth:`count_columns`, one row each."""
        indices: list[int] = []
        counts: list[int] = []
        indptr = [0]
        for counter in rows:
            indices.extend(counter)
            counts.extend(counter.values())
            indptr.append(len(indices))
        X = sp.csr_matrix((np.asarray(counts, dtype=np.float32), np.asarray(indices, dtype=np.int32),
                           np.asarray(indptr, dtype=np.int32)), shape=(len(indptr) - 1, len(self.idf_)))
        X.sort_indices()
        if self.sublinear_tf:
            np.log(X.data, X.data)
            X.data += 1.0
        X.data *= self.idf_[X.indices]
        if self.norm == "l2":
            _normalize_data(X.data, X.indptr, X.shape[0])
        return X

    def __repr__(self) -> str:
        return f"TfidfIndex({len(self.idf_)} terms, sublinear_tf={self.sublinear_tf}, norm={self.norm!r})"


# ------------------------------------------------------------------- streaming fit
class TokenCounts(NamedTuple):
    """Token counts of a chunk of texts, compact enough to pass between processes.

    ``words`` lists the chunk's distinct tokens in order of first appearance; each text
    contributes ``lengths[i]`` entries of ``ids`` (indices into ``words``, each once) and
    ``counts`` (how often the token occurs in the text).
    """

    words: list
    ids: np.ndarray
    counts: np.ndarray
    lengths: np.ndarray


def count_tokens(tokenizer, texts) -> TokenCounts:
    """Tokenize ``texts`` and count their tokens (see :class:`TokenCounts`).

    Examples
    --------
    >>> c = count_tokens(str.split, ["陶瓷 产业 陶瓷", "产业 集群"])
    >>> c.words, c.ids.tolist(), c.counts.tolist(), c.lengths.tolist()
    (['陶瓷', '产业', '集群'], [0, 1, 1, 2], [2, 1, 1, 1], [2, 2])
    """
    local: dict[str, int] = {}
    ids = array("i")
    counts = array("i")
    lengths = array("i")
    segment = getattr(tokenizer, "segment", None)
    keep = getattr(tokenizer, "keep", None)
    if segment is not None and keep is not None:
        # our Tokenizer: map each raw segment straight to its column in one lookup (-1 for a
        # dropped one), the same tokens as ``tokenizer(text)`` gives
        column: dict[str, int] = {}
        for text in texts:
            counter: dict[int, int] = {}
            for raw in segment(text):
                j = column.get(raw)
                if j is None:
                    kept = keep(raw)
                    j = -1 if kept is None else local.setdefault(kept, len(local))
                    column[raw] = j
                if j >= 0:
                    counter[j] = counter.get(j, 0) + 1
            ids.extend(counter)
            counts.extend(counter.values())
            lengths.append(len(counter))
    else:
        for text in texts:
            counter = {}
            for token in tokenizer(text):
                j = local.get(token)
                if j is None:
                    j = local[token] = len(local)
                counter[j] = counter.get(j, 0) + 1
            ids.extend(counter)
            counts.extend(counter.values())
            lengths.append(len(counter))
    as_np = lambda a: np.frombuffer(a, dtype=np.intc).astype(np.int32)  # noqa: E731
    return TokenCounts(list(local), as_np(ids), as_np(counts), as_np(lengths))


def fit_tfidf(chunks, *, min_df=1, max_df=1.0, sublinear_tf=True):
    """Learn a vocabulary and idf weights from streamed token counts and return the
    training matrix, exactly as scikit-learn's ``TfidfVectorizer.fit_transform`` would
    on the same tokens (``norm="l2"``, ``smooth_idf=True``, float32).

    Only the counts are kept (4 + 4 bytes per distinct token of a text), never the
    token lists, so memory grows with the matrix, not with the text.

    Parameters
    ----------
    chunks : iterable of TokenCounts
        The documents' counts, in document order.
    min_df, max_df : int or float
        Document-frequency bounds (a count, or a share of the documents). A fractional
        ``max_df`` that would admit fewer documents than an integer ``min_df`` is relaxed
        to 1.0 (tiny corpora).
    sublinear_tf : bool
        Use ``1 + log(tf)``.

    Returns
    -------
    X : csr_matrix of float32, feature_names : object array (sorted), idf : float32 array

    Raises
    ------
    ValueError
        No token at all, or none left after the document-frequency bounds.

    Examples
    --------
    >>> X, names, idf = fit_tfidf([count_tokens(str.split, ["陶瓷 产业", "陶瓷 集群", "电瓷"])])
    >>> names.tolist(), X.shape
    (['产业', '电瓷', '陶瓷', '集群'], (3, 4))
    """
    vocab: dict[str, int] = {}
    parts_ids, parts_counts, parts_lengths = [], [], []
    for chunk in chunks:
        remap = np.fromiter((vocab.setdefault(w, len(vocab)) for w in chunk.words), dtype=np.int32,
                            count=len(chunk.words))
        parts_ids.append(remap[chunk.ids])
        parts_counts.append(chunk.counts)
        parts_lengths.append(chunk.lengths)
    if not vocab:
        raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    lengths = np.concatenate(parts_lengths)
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    index_dtype = np.int32 if indptr[-1] <= np.iinfo(np.int32).max else np.int64
    ids = np.concatenate(parts_ids).astype(index_dtype, copy=False)
    del parts_ids
    counts = np.concatenate(parts_counts, dtype=np.float32)  # cast while copying: no int32 copy
    del parts_counts
    X = sp.csr_matrix((counts, ids, indptr.astype(index_dtype)), shape=(len(lengths), len(vocab)))
    del ids, counts
    X.sort_indices()  # each row by first appearance in the corpus, as scikit-learn counts
    n_doc = X.shape[0]
    if isinstance(max_df, float) and isinstance(min_df, (int, np.integer)) and max_df * n_doc < min_df:
        max_df = 1.0
    high = max_df if isinstance(max_df, (int, np.integer)) else max_df * n_doc
    low = min_df if isinstance(min_df, (int, np.integer)) else min_df * n_doc
    if high < low:
        raise ValueError("max_df corresponds to < documents than min_df")
    dfs = np.bincount(X.indices, minlength=X.shape[1])
    kept = np.flatnonzero((dfs <= high) & (dfs >= low))
    if not len(kept):
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    words = list(vocab)
    kept_words = [words[i] for i in kept.tolist()]
    del vocab, words
    # drop the pruned terms and number the others alphabetically in one pass; the values
    # keep their order within each row (what scikit-learn's column selection and
    # re-numbering give, and what the row norms are summed in)
    order = sorted(range(len(kept_words)), key=kept_words.__getitem__)
    column = np.full(X.shape[1], -1, dtype=index_dtype)
    column[kept[np.asarray(order, dtype=np.int64)]] = np.arange(len(order), dtype=index_dtype)
    new = column[X.indices]
    keep = new >= 0
    kept_before = np.zeros(X.nnz + 1, dtype=index_dtype)
    np.cumsum(keep, out=kept_before[1:])
    new_indptr = kept_before[X.indptr]
    del kept_before
    X = sp.csr_matrix((X.data[keep], new[keep], new_indptr), shape=(n_doc, len(order)))
    del new, keep, column
    names = np.asarray([kept_words[i] for i in order], dtype=object)
    df = np.bincount(X.indices, minlength=X.shape[1]).astype(np.float32)
    df += 1.0
    idf = np.full_like(df, fill_value=n_doc + 1, dtype=np.float32)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    _weigh(X, idf, sublinear_tf)
    return X, names, idf


def _weigh(X: sp.csr_matrix, idf: np.ndarray, sublinear_tf: bool, normalize: bool = True) -> None:
    """Counts -> (L2-normalised) TF-IDF, in place (scikit-learn's order of operations)."""
    if sublinear_tf:
        np.log(X.data, X.data)
        X.data += 1.0
    X.data *= idf[X.indices]
    if normalize:
        _normalize_data(X.data, X.indptr, X.shape[0])
