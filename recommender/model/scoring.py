"""Score fusion: small pure functions, registered by name.

The ranking rule, in one place:

* a passage's **text relevance** is the cosine of the profile's TF-IDF vector and the
  passage's; its **tag relevance** is the share of the profile's industry tags the passage
  carries (with partial credit through the taxonomy's hierarchy);
* a place's *passage evidence* pools the relevances of its passages, each scaled by how
  firmly the passage is linked to the place, with a **soft OR over its best ``m``
  passages** (``1 - Π(1 - r)``): one strong passage counts, several count more, and
  the result stays in [0, 1];
* a place's *profile similarity* compares the profile with the place's aggregated vector
  (the link-weighted sum of its passages' vectors, L2-normalised);
* ``text_score = β · passage evidence + (1 - β) · profile similarity`` (text vectors),
  ``tag_score`` the same with tag vectors, and
  ``score = w_text · text_score + (1 - w_text) · tag_score`` when the profile has industry
  tags, else ``score = text_score``.

Every part lies in [0, 1] and is an absolute similarity, not a rank-normalised one, so a
score means the same across profiles.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import scipy.sparse as sp

from recommender.exceptions import UnknownOptionError

__all__ = ["POOLINGS", "get_pooling", "pool_rows", "segment_top_m", "fuse", "pool_segments",
           "passage_coverage", "combine", "below_descendants", "LinkPooling"]


def _soft_or(top: np.ndarray, m: int) -> np.ndarray:
    """``1 - Π(1 - v)`` over the last axis: one strong value counts, several count more."""
    return 1.0 - np.prod(1.0 - np.minimum(top, 1.0), axis=-1)


def _max(top: np.ndarray, m: int) -> np.ndarray:
    """The largest value over the last axis."""
    return top.max(axis=-1)


def _mean(top: np.ndarray, m: int) -> np.ndarray:
    """The sum over the last axis divided by ``m`` (missing values count as 0)."""
    return top.sum(axis=-1) / m


#: Poolings by name: each reduces the ``m`` best values of a group (last axis, zero-padded)
#: to one number in [0, 1]. Every pooling path dispatches through this table.
POOLINGS: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "soft_or": _soft_or,
    "max": _max,
    "mean_top": _mean,
}


def get_pooling(name: str) -> Callable[[np.ndarray, int], np.ndarray]:
    """Return the pooling registered as ``name``: a function of ``(top_values, m)``.

    Examples
    --------
    >>> get_pooling("soft_or")(np.array([[0.5, 0.5]]), 2)
    array([0.75])
    >>> get_pooling("median")
    Traceback (most recent call last):
    ...
    recommender.exceptions.UnknownOptionError: unknown pooling 'median'; valid: max, mean_top, soft_or
    """
    try:
        return POOLINGS[name]
    except KeyError:
        raise UnknownOptionError("pooling", name, sorted(POOLINGS)) from None


def _top_m(values: np.ndarray, m: int) -> np.ndarray:
    """The ``m`` largest values of each row (unordered), zero-padded to ``m`` columns."""
    values = np.clip(np.asarray(values, dtype=np.float64), 0.0, 1.0)
    k = values.shape[1]
    if k < m:
        return np.hstack([values, np.zeros((values.shape[0], m - k))])
    return np.partition(values, k - m, axis=1)[:, k - m:]


def pool_rows(values: np.ndarray, m: int = 3, kind: str = "soft_or") -> np.ndarray:
    """Pool the ``m`` largest values of each row with the pooling ``kind``.

    Parameters
    ----------
    values : ndarray of shape (n_profiles, n_passages)
        Relevances in [0, 1].
    m : int
        How many of the best passages to pool.
    kind : {"soft_or", "max", "mean_top"}

    Returns
    -------
    ndarray of shape (n_profiles,)

    Examples
    --------
    >>> pool_rows(np.array([[0.5, 0.5, 0.0, 0.1]]), m=2)
    array([0.75])
    >>> pool_rows(np.array([[0.9, 0.3]]), m=3, kind="mean_top")
    array([0.4])
    """
    return get_pooling(kind)(_top_m(values, m), m)


def fuse(passage_part: np.ndarray, profile_part: np.ndarray, passage_weight: float) -> np.ndarray:
    """Blend passage evidence and profile similarity: ``β·a + (1-β)·b``, clipped to [0, 1].

    Examples
    --------
    >>> fuse(np.array([1.0]), np.array([0.0]), 0.6)
    array([0.6])
    """
    out = passage_weight * np.asarray(passage_part) + (1.0 - passage_weight) * np.asarray(profile_part)
    return np.clip(out, 0.0, 1.0)


def segment_top_m(values: np.ndarray, offsets: np.ndarray, m: int) -> np.ndarray:
    """The ``m`` largest values of each segment of columns, per row, zero-padded.

    Segment ``j`` holds columns ``offsets[j]:offsets[j+1]`` (the last runs to the end);
    every segment must be non-empty. The values are found exactly, ties included, by
    peeling off the segment maximum and its multiplicity ``m`` times (vectorised over rows
    and segments).

    Returns
    -------
    ndarray of shape (n_rows, n_segments, m), in decreasing order along the last axis.

    Examples
    --------
    >>> segment_top_m(np.array([[0.5, 0.5, 0.0, 0.1, 0.9]]), np.array([0, 3]), m=2).round(6)
    array([[[0.5, 0.5],
            [0.9, 0.1]]])
    """
    work = np.array(values, dtype=np.float32)           # a private copy, peeled in place
    np.clip(work, 0.0, 1.0, out=work)
    n_rows, n_cols = work.shape
    offsets = np.asarray(offsets, dtype=np.int64)
    seg = np.repeat(np.arange(len(offsets)), np.diff(np.append(offsets, n_cols)))
    out = np.zeros((n_rows, len(offsets), m))
    filled = np.zeros((n_rows, len(offsets)), dtype=np.int64)
    slots = np.arange(m)
    for _ in range(m):
        top = np.maximum.reduceat(work, offsets, axis=1)             # -1 once a segment is used up
        hit = work == top[:, seg]
        count = np.add.reduceat(hit, offsets, axis=1, dtype=np.int64)
        take = np.where(top >= 0, np.minimum(count, m - filled), 0)
        fill = (slots >= filled[..., None]) & (slots < (filled + take)[..., None])
        out = np.where(fill, np.maximum(top, 0.0).astype(np.float64)[..., None], out)
        filled += take
        if not (filled < m).any():
            break
        work[hit] = -1.0
    return out


def pool_segments(values: np.ndarray, offsets: np.ndarray, m: int, kind: str = "soft_or") -> np.ndarray:
    """Pool each segment of columns of ``values`` with the pooling ``kind``.

    The same rule as :func:`pool_rows`, for every segment of every row at once (see
    :func:`segment_top_m`).

    Parameters
    ----------
    values : ndarray of shape (n_rows, n_columns)
        Values in [0, 1].
    offsets : ndarray of int
        Start column of each segment, increasing, starting at 0.
    m : int
        How many of the best values to pool.
    kind : {"soft_or", "max", "mean_top"}

    Examples
    --------
    >>> v = np.array([[0.5, 0.5, 0.0, 0.1, 0.9]])
    >>> pool_segments(v, np.array([0, 3]), m=2).round(6)
    array([[0.75, 0.91]])
    >>> pool_segments(v, np.array([0, 3]), m=2, kind="mean_top").round(6)
    array([[0.5, 0.5]])
    """
    pool = get_pooling(kind)
    return pool(segment_top_m(values, offsets, m), m)
class LinkPooling:
    """Pool passage values into place values through weighted links, reading only the
    passages with a positive value.

    The same result as :func:`pool_segments` over ``values[:, units] * weights`` (or
    ``values[:, units]`` unweighted), where place ``j``'s links are
    ``units[offsets[j]:offsets[j+1]]``, without building the dense
    ``(n_rows, n_links)`` gather: a profile touches few passages of a large corpus.

    Parameters
    ----------
    units : ndarray of int
        The unit (passage or mention window) of each link, links grouped by place.
    weights : ndarray of float32
        Each link's weight.
    offsets : ndarray of int
        Start of each place's links; every place has at least one.
    n_units : int
        How many units there are (columns of the values pooled).

    Examples
    --------
    >>> pool = LinkPooling(np.array([0, 1, 1, 2]), np.ones(4, dtype=np.float32), np.array([0, 2]), 3)
    >>> pool(np.array([[0.5, 0.5, 0.0]]), m=2).round(6)
    array([[0.75, 0.5 ]])
    >>> bool(np.array_equal(pool(np.array([[0.5, 0.5, 0.0]]), m=2),
    ...      pool_segments(np.array([[0.5, 0.5, 0.5, 0.0]]), np.array([0, 2]), m=2)))
    True
    """

    def __init__(self, units: np.ndarray, weights: np.ndarray, offsets: np.ndarray, n_units: int):
        self.units = np.asarray(units, dtype=np.int64)
        self.weights = np.asarray(weights, dtype=np.float32)
        offsets = np.asarray(offsets, dtype=np.int64)
        self.n_places = len(offsets)
        self.place = np.repeat(np.arange(self.n_places), np.diff(np.append(offsets, len(self.units))))
        # the links of each unit, for going from a passage to the places it speaks for
        self.by_unit = np.argsort(self.units, kind="stable")
        self.unit_ptr = np.zeros(n_units + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.units, minlength=n_units), out=self.unit_ptr[1:])

    def links_of(self, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The links of each of ``units``, unit after unit: ``(link, at)``, where ``at`` is the
        position in ``units`` each link comes from.

        Examples
        --------
        >>> pool = LinkPooling(np.array([0, 1, 1, 2]), np.ones(4, dtype=np.float32), np.array([0, 2]), 3)
        >>> link, at = pool.links_of(np.array([1, 2]))
        >>> pool.place[link].tolist(), at.tolist()
        ([0, 1, 1], [0, 0, 1])
        """
        lo, hi = self.unit_ptr[units], self.unit_ptr[units + 1]
        counts = hi - lo
        starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
        return self.by_unit[starts + np.arange(counts.sum())], np.repeat(np.arange(len(units)), counts)

    def __call__(self, values: np.ndarray, m: int, kind: str = "soft_or", weighted: bool = True) -> np.ndarray:
        pool = get_pooling(kind)
        if sp.issparse(values):
            coo = values.tocoo()
            positive = coo.data > 0
            rows, cols, vals = coo.row[positive], coo.col[positive], coo.data[positive]
        else:
            values = np.asarray(values)
            rows, cols = np.nonzero(values > 0)
            vals = values[rows, cols]
        out = np.zeros((values.shape[0], self.n_places))
        if not len(rows):
            return out
        link, at = self.links_of(cols.astype(np.int64))
        row = rows.astype(np.int64)[at]
        v = vals[at]
        if weighted:
            v = v * self.weights[link]
        v = np.clip(v.astype(np.float32, copy=False), 0.0, 1.0)
        key = row * self.n_places + self.place[link]
        if kind == "max":           # the best value of each place: no ranking of the values needed
            np.maximum.at(out.reshape(-1), key, v)
            return out
        order = _by_key_best_first(key, v)             # by place, best value first
        key, v = key[order], v[order]
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        group = np.cumsum(first) - 1
        rank = np.arange(len(key)) - np.flatnonzero(first)[group]
        keep = rank < m
        top = np.zeros((int(group[-1]) + 1, m))
        top[group[keep], rank[keep]] = v[keep]
        out.ravel()[key[first]] = pool(top[None], m)[0]
        return out


def _by_key_best_first(key: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The order of ``np.lexsort((-values, key))`` (by key, then largest value first, ties
    in input order) for non-negative float32 ``values``, from one stable sort of a single
    integer: the key above the value's bits, inverted (a non-negative float's bits order it).

    Examples
    --------
    >>> key = np.array([1, 0, 1, 0, 1])
    >>> values = np.array([0.5, 0.25, 1.0, 0.25, 0.5], dtype=np.float32)
    >>> _by_key_best_first(key, values).tolist() == np.lexsort((-values, key)).tolist()
    True
    """
    values = np.asarray(values, dtype=np.float32) + np.float32(0.0)     # -0.0 becomes 0.0
    inverse = np.uint32(0xFFFFFFFF) - values.view(np.uint32)
    composite = (key.astype(np.uint64) << np.uint64(32)) | inverse.astype(np.uint64)
    return np.argsort(composite, kind="stable")


def passage_coverage(term_hits: np.ndarray, tag_hits: np.ndarray, term_mass: np.ndarray,
                     n_tags: np.ndarray, missing_mass: np.ndarray, tag_unit: float) -> np.ndarray:
    """Share of a profile's distinguishing content that each passage holds.

    The distinguishing content is the IDF mass of the profile's specific words (those
    most reports do not use), ``tag_unit`` (a maximal IDF) per exact industry tag, and the
    IDF mass of distinguishing words the corpus never uses (``missing_mass``): no passage
    can cover those, so a profile whose core the reports never mention keeps every
    place's coverage low, whatever its generic words match.

    Parameters
    ----------
    term_hits : ndarray of shape (n_profiles, n_passages)
        IDF mass of the profile's specific words present in each passage.
    tag_hits : ndarray of shape (n_profiles, n_passages)
        Summed credit (each in [0, 1]) of the profile's exact tags in each passage.
    term_mass, n_tags, missing_mass : ndarray of shape (n_profiles,)
        Specific-word IDF mass, number of exact tags, IDF mass of missing words.
    tag_unit : float
        What one exact tag weighs, in IDF units.

    Returns
    -------
    ndarray of shape (n_profiles, n_passages), values in [0, 1]

    Examples
    --------
    >>> passage_coverage(np.array([[4.0, 0.0]]), np.array([[0.0, 1.0]]), np.array([4.0]),
    ...                  np.array([1]), np.array([0.0]), 8.0).round(3)
    array([[0.333, 0.667]])
    >>> passage_coverage(np.array([[2.0]]), np.zeros((1, 1)), np.array([2.0]), np.array([0]),
    ...                  np.array([6.0]), 8.0).round(3)
    array([[0.25]])
    """
    total = (np.asarray(term_mass, dtype=np.float64) + tag_unit * np.asarray(n_tags, dtype=np.float64)
             + np.asarray(missing_mass, dtype=np.float64))
    safe = np.where(total > 0, total, 1.0)
    if sp.issparse(term_hits) or sp.issparse(tag_hits):
        # the same arithmetic on the passages that hold anything (the rest cover nothing)
        covered = (sp.csr_matrix(term_hits, dtype=np.float64)
                   + sp.csr_matrix(tag_hits, dtype=np.float64) * tag_unit).tocsr()
        rows = np.repeat(np.arange(covered.shape[0]), np.diff(covered.indptr))
        covered.data = np.clip(np.where(total[rows] > 0, covered.data / safe[rows], 0.0), 0.0, 1.0)
        covered.eliminate_zeros()
        return covered
    covered = np.asarray(term_hits, dtype=np.float64) + tag_unit * np.asarray(tag_hits, dtype=np.float64)
    return np.clip(np.where(total[:, None] > 0, covered / safe[:, None], 0.0), 0.0, 1.0)


def combine(text_score: np.ndarray, tag_score: np.ndarray, tag_share: np.ndarray, coverage: np.ndarray,
            coverage_power: float) -> np.ndarray:
    """Final place score: ``((1 - s) · text + s · tag) · coverage ** p``, clipped to [0, 1].

    ``s`` is the profile's tag share: the model's ``1 - text_weight`` when the investor
    named sectors that resolved exactly, a fraction of it when the only tags are read
    from the free text or are approximate, 0 without tags. The coverage factor is the
    share of the profile's distinguishing content found in the place's best passage: a
    place needs what sets the profile apart, not just its generic words.

    Examples
    --------
    >>> combine(np.array([[0.6]]), np.array([[0.2]]), np.array([0.5]), np.array([[0.25]]), 0.5)
    array([[0.2]])
    """
    s = np.asarray(tag_share, dtype=np.float64)[:, None]
    base = (1.0 - s) * np.asarray(text_score) + s * np.asarray(tag_score)
    return np.clip(base * np.power(np.clip(coverage, 0.0, 1.0), coverage_power), 0.0, 1.0)


def below_descendants(scores, ancestors, ids, is_container, first_hand=None, coverage=None) -> list[float]:
    """Name a district before the city (or province) that contains it, when the district's
    own report speaks of what was asked.

    An investor settles in a district or a park, and a city's report makes its case with
    what its districts do. When a place inside a container is a candidate on first-hand
    evidence (its own report's passages), the container ranks just below the best such
    place: it stays a candidate, a fallback when the district is not wanted. A place known
    only from others' reports (a city named in its province's report) does not displace
    its container, whose own report is the better evidence.

    Parameters
    ----------
    scores : sequence of float
        The candidates' scores.
    ancestors : sequence of collections of str
        Each candidate's ancestor ids.
    ids : sequence of str
        Each candidate's id (the ids ``ancestors`` refer to).
    is_container : sequence of bool
        Whether each candidate is a container (a city or province); a district keeps its
        score above its own parks, whose evidence also counts for it.
    first_hand : sequence of bool, optional
        Whether each candidate has first-hand evidence; by default every one has.
    coverage : sequence of float, optional
        Each candidate's share of the profile's distinguishing content held by its best
        passage. A container also ranks below every first-hand place inside it whose
        evidence holds as much of what was asked as its own: the city's case is made by
        those districts, and the investor wants them first.

    Returns
    -------
    list of float
        Adjusted scores, in the input order; a capped container scores a hair (1e-6)
        below its best first-hand descendant (and below a capped container inside it), and
        never above the best first-hand container (a city) inside it.

    Examples
    --------
    >>> below_descendants([0.4, 0.3, 0.2], [(), ("city",), ()], ["city", "district", "other"],
    ...                   [True, False, False])
    [0.299999, 0.3, 0.2]
    >>> below_descendants([0.5, 0.4, 0.3], [(), ("p",), ("p", "c")], ["p", "c", "d"], [True, True, False])
    [0.299998, 0.299999, 0.3]
    >>> below_descendants([0.4, 0.3], [(), ("p",)], ["p", "c"], [True, False], [True, False])
    [0.4, 0.3]

    A province below the best first-hand district but above a city of its own ranks below
    the city too:

    >>> below_descendants([0.5, 0.3, 0.2], [("p", "c"), (), ("p",)], ["d", "p", "c"], [False, True, True])
    [0.5, 0.199999, 0.2]

    With coverage, a city ranks below each of its districts whose evidence holds as much of
    the profile as the city's own, not only below the best one:

    >>> below_descendants([0.5, 0.4, 0.2], [(), ("c",), ("c",)], ["c", "d1", "d2"], [True, False, False],
    ...                   coverage=[0.3, 0.6, 0.3])
    [0.199999, 0.4, 0.2]
    >>> below_descendants([0.5, 0.4, 0.2], [(), ("c",), ("c",)], ["c", "d1", "d2"], [True, False, False],
    ...                   coverage=[0.3, 0.6, 0.1])
    [0.399999, 0.4, 0.2]
    """
    out = [float(v) for v in scores]
    first_hand = [True] * len(out) if first_hand is None else list(first_hand)
    index = {eid: k for k, eid in enumerate(ids)}
    inside: dict[int, list[int]] = {}
    for k, ancs in enumerate(ancestors):
        for a in ancs:
            if a in index:
                inside.setdefault(index[a], []).append(k)
    capped: set[int] = set()
    # deepest containers first, so that a province compares with its cities' capped scores
    for k in sorted(inside, key=lambda k: -len(ancestors[k])):
        if not is_container[k]:
            continue
        about = [d for d in inside[k] if first_hand[d] or d in capped]
        if not about:
            continue
        best = max(out[d] for d in about)
        if coverage is not None:
            held = [out[d] for d in about if coverage[d] >= coverage[k] - 1e-9 and out[d] > 1e-6]
            if held:
                best = min(best, min(held))
        if best > 1e-6 and out[k] >= best:
            below = min([best] + [out[d] for d in about if d in capped])
            out[k] = round(below - 1e-6, 9)
            capped.add(k)
        # nor does it outrank the best city inside it whose own report speaks of what was asked
        # (a province's case is made by its cities, as a city's is by its districts)
        nested = [d for d in about if is_container[d]]
        if nested:
            city = max(out[d] for d in nested)
            if city > 1e-6 and out[k] >= city:
                out[k] = round(city - 1e-6, 9)
                capped.add(k)
    return out
