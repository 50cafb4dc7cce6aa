"""Feature building: the TF-IDF vectorizer, tag matrices with hierarchy credit, and the
place-link matrix."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recommender.model.tfidf import l2_normalize_rows

__all__ = ["make_vectorizer", "hierarchy_matrix", "expand_tags", "link_matrix", "l2_normalize_rows"]


def make_vectorizer(tokenizer, *, min_df, max_df, sublinear_tf, n_documents: int):
    """Return a scikit-learn TF-IDF vectorizer over our tokenizer: the reference that the
    streamed fit (:func:`recommender.model.tfidf.fit_tfidf`) reproduces and is tested against.

    ``max_df`` given as a fraction is relaxed to 1.0 on corpora so small that it would
    admit fewer documents than ``min_df`` (scikit-learn refuses that combination).

    Examples
    --------
    >>> from recommender.text.tokenizer import Tokenizer
    >>> make_vectorizer(Tokenizer(), min_df=1, max_df=0.5, sublinear_tf=True, n_documents=1).max_df
    1.0
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    if isinstance(max_df, float) and isinstance(min_df, int) and max_df * n_documents < min_df:
        max_df = 1.0
    return TfidfVectorizer(tokenizer=tokenizer, token_pattern=None, lowercase=False, preprocessor=None,
                           min_df=min_df, max_df=max_df, sublinear_tf=sublinear_tf, norm="l2",
                           dtype=np.float32)


def hierarchy_matrix(taxonomy, credit: float) -> sp.csr_matrix:
    """Return the (n_tags, n_tags) matrix that says how far a tag serves a query for another.

    Entry ``[i, j]`` is the credit a passage tagged ``i`` earns for a query tag ``j``:
    1 when ``j == i``; 1 when ``j`` is an ancestor of ``i`` (a passage on 硬质合金 fully
    answers a query for its parent 新材料); ``credit ** d`` when ``j`` is the ``d``-th
    descendant level of ``i`` (a passage on 汽车 partly answers a query for 新能源汽车);
    0 otherwise (siblings such as 光伏 and 氢能 do not answer each other).

    Examples
    --------
    >>> from recommender.knowledge.taxonomy import Taxonomy
    >>> tax = Taxonomy.default()
    >>> h = hierarchy_matrix(tax, 0.5)
    >>> i, j = tax.index("AUTO.NEV"), tax.index("AUTO")
    >>> float(h[i, j]), float(h[j, i])
    (1.0, 0.5)
    """
    codes = taxonomy.codes
    entries: dict[tuple[int, int], float] = {}
    for i, code in enumerate(codes):
        entries[(i, i)] = 1.0
        for depth, anc in enumerate(taxonomy.ancestors(code), start=1):
            j = taxonomy.index(anc)
            entries[(i, j)] = 1.0                       # child passage -> parent query
            entries[(j, i)] = max(entries.get((j, i), 0.0), credit ** depth)  # parent passage -> child query
    n = len(codes)
    keys = list(entries)
    rows = [k[0] for k in keys]
    cols = [k[1] for k in keys]
    vals = np.asarray([entries[k] for k in keys], dtype=np.float32)
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, n))


def expand_tags(tags: sp.spmatrix, hierarchy: sp.spmatrix) -> sp.csr_matrix:
    """Return, for each row, the credit its tags earn for every query tag (clipped to 1).

    Examples
    --------
    >>> h = sp.csr_matrix(np.array([[1.0, 1.0], [0.5, 1.0]]))
    >>> expand_tags(sp.csr_matrix(np.array([[0.8, 0.0]])), h).toarray().round(2)
    array([[0.8, 0.8]], dtype=float32)
    """
    out = sp.csr_matrix(tags @ hierarchy, dtype=np.float32)
    out.data = np.minimum(out.data, 1.0)
    return out


def most_specific(codes, taxonomy) -> list[str]:
    """Drop codes that are ancestors of another code in the list (order kept).

    Examples
    --------
    >>> from recommender.knowledge.taxonomy import Taxonomy
    >>> most_specific(["AUTO.NEV", "AUTO", "ELEC.PSEMI"], Taxonomy.default())
    ['AUTO.NEV', 'ELEC.PSEMI']
    """
    codes = list(dict.fromkeys(codes))
    implied = {a for c in codes for a in taxonomy.ancestors(c)}
    return [c for c in codes if c not in implied]


def link_matrix(links, entity_index: dict, n_units: int) -> sp.csr_matrix:
    """Return the (n_units, n_entities) matrix of link weights (capped at 1 per pair).

    ``links`` has columns ``unit`` (row of the feature matrices), ``entity_id`` and
    ``weight``.
    """
    rows, cols, vals = [], [], []
    for unit, eid, weight in zip(links["unit"], links["entity_id"], links["weight"]):
        c = entity_index.get(eid)
        if c is None:
            continue
        rows.append(int(unit))
        cols.append(c)
        vals.append(float(weight))
    m = sp.coo_matrix((np.asarray(vals, dtype=np.float32), (rows, cols)),
                      shape=(n_units, len(entity_index))).tocsr()
    # duplicates were summed by tocsr(); a link weight is a membership degree, so cap at 1
    m.data = np.minimum(m.data, 1.0)
    return m
