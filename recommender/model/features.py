"""Feature building: the TF-IDF vectorizer, tag matrices with hierarchy credit, and the
place-link matrix."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

__all__ = ["make_vectorizer", "hierarchy_matrix", "expand_tags", "link_matrix", "l2_normalize_rows"]


def make_vectorizer(tokenizer, *, min_df, max_df, sublinear_tf, n_documents: int) -> TfidfVectorizer:
    """Return a TF-IDF vectorizer over our tokenizer.

    ``max_df`` given as a fraction is relaxed to 1.0 on corpora so small that it would
    admit fewer documents than ``min_df`` (scikit-learn refuses that combination).

    Examples
    --------
    >>> from recommender.text.tokenizer import Tokenizer
    >>> make_vectorizer(Tokenizer(), min_df=1, max_df=0.5, sublinear_tf=True, n_documents=1).max_df
    1.0
    """
    if isinstance(max_df, float) and isinstance(min_df, int) and max_df * n_documents < min_df:
        max_df = 1.0
    return TfidfVectorizer(tokenizer=tokenizer, token_pattern=None, lowercase=False, preprocessor=None,
                           min_df=min_df, max_df=max_df, sublinear_tf=sublinear_tf, norm="l2",
                           dtype=np.float32)


def hierarchy_matrix(taxonomy, credit: float) -> sp.csr_matrix:
    """Return the (n_tags, n_tags) matrix that spreads a tag's weight to its ancestors.

    Entry ``[i, j]`` is 1 on the diagonal and ``credit ** d`` when tag ``j`` is the
    ``d``-th ancestor of tag ``i``.
    """
    codes = taxonomy.codes
    rows, cols, vals = [], [], []
    for i, code in enumerate(codes):
        rows.append(i)
        cols.append(i)
        vals.append(1.0)
        for depth, anc in enumerate(taxonomy.ancestors(code), start=1):
            rows.append(i)
            cols.append(taxonomy.index(anc))
            vals.append(credit ** depth)
    n = len(codes)
    return sp.csr_matrix((np.asarray(vals, dtype=np.float32), (rows, cols)), shape=(n, n))


def expand_tags(tags: sp.spmatrix, hierarchy: sp.spmatrix) -> sp.csr_matrix:
    """Give each row's tags partial credit to their ancestors; weights clipped to [0, 1].

    Examples
    --------
    >>> h = sp.csr_matrix(np.array([[1.0, 0.5], [0.0, 1.0]]))
    >>> expand_tags(sp.csr_matrix(np.array([[0.8, 0.0]])), h).toarray().round(2)
    array([[0.8, 0.4]], dtype=float32)
    """
    out = sp.csr_matrix(tags @ hierarchy, dtype=np.float32)
    out.data = np.minimum(out.data, 1.0)
    return out


def link_matrix(links, passage_row: dict, entity_index: dict, n_passages: int) -> sp.csr_matrix:
    """Return the (n_passages, n_entities) matrix of link weights (max per pair)."""
    rows, cols, vals = [], [], []
    for pid, eid, weight in zip(links["passage_id"], links["entity_id"], links["weight"]):
        r = passage_row.get(int(pid))
        c = entity_index.get(eid)
        if r is None or c is None:
            continue
        rows.append(r)
        cols.append(c)
        vals.append(float(weight))
    m = sp.coo_matrix((np.asarray(vals, dtype=np.float32), (rows, cols)),
                      shape=(n_passages, len(entity_index))).tocsr()
    # duplicates were summed by tocsr(); a link weight is a membership degree, so cap at 1
    m.data = np.minimum(m.data, 1.0)
    return m


def l2_normalize_rows(matrix: sp.spmatrix) -> sp.csr_matrix:
    """Return ``matrix`` with every non-zero row scaled to unit L2 norm.

    Examples
    --------
    >>> l2_normalize_rows(sp.csr_matrix(np.array([[3.0, 4.0], [0.0, 0.0]]))).toarray()
    array([[0.6, 0.8],
           [0. , 0. ]], dtype=float32)
    """
    m = sp.csr_matrix(matrix, dtype=np.float32)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m, dtype=np.float32)
