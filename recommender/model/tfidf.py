"""A fitted TF-IDF vocabulary that transforms text with numpy and scipy only.

:class:`TfidfIndex` holds what a fitted :class:`sklearn.feature_extraction.text.TfidfVectorizer`
needs to transform new text (the tokenizer, the vocabulary, the idf weights, the term
frequency and norm settings) and reproduces its ``transform`` step by step, so that a
query process never imports scikit-learn and a saved model is plain arrays.
"""

from __future__ import annotations

import bisect

import numpy as np
import scipy.sparse as sp

__all__ = ["TfidfIndex", "l2_normalize_rows"]

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


def _normalize_data(data: np.ndarray, indptr: np.ndarray, n_rows: int) -> None:
    """Scale the rows of CSR ``data`` to unit L2 norm, in place (empty rows untouched)."""
    if data.size == 0:
        return
    rows = np.repeat(np.arange(n_rows), np.diff(indptr))
    squares = (data * data).astype(np.float64)
    norms = np.sqrt(np.bincount(rows, weights=squares, minlength=n_rows))
    norms[norms == 0.0] = 1.0
    data[:] = (data / norms[rows]).astype(data.dtype)


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

    def transform(self, texts) -> sp.csr_matrix:
        """Return the ``(len(texts), n_terms)`` float32 TF-IDF matrix of ``texts``.

        Out-of-vocabulary tokens are ignored; an empty text gives an empty row.
        """
        column = self._column
        tokenize = self.tokenizer
        indices: list[int] = []
        counts: list[int] = []
        indptr = [0]
        for text in texts:
            counter: dict[int, int] = {}
            for token in tokenize(text):
                j = column(token)
                if j is not None:
                    counter[j] = counter.get(j, 0) + 1
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
