"""Ranking and evidence metrics, as small pure functions.

Conventions (the same for every system in a benchmark run):

* Grades are 3 (best), 2 (strong), 1 (partial); an unjudged place has grade 0.
* Gain is **exponential**, ``2**grade - 1`` (3 → 7, 2 → 3, 1 → 1), with the standard
  ``log2(rank + 1)`` discount, so placing a best match first matters more than
  placing two partial ones.
* Metrics read the ranked list as returned: ties were already broken by the system.
* A ranked place is mapped to a judged entity by :func:`grade_ranking` (a park or town
  that is not judged counts as the unit that contains it; a judged entity gets gain
  only at its first appearance).
"""

from __future__ import annotations

import math
from typing import Callable, Iterable, Mapping, Sequence

from recommender.text.normalize import normalize_for_features

__all__ = [
    "gain",
    "dcg_at_k",
    "ndcg_at_k",
    "precision_at_1",
    "reciprocal_rank",
    "grade_ranking",
    "drop_repeats",
    "evidence_relevance",
    "trap_violations",
    "verbatim_ok",
    "read_source_text",
]

_ROLLUP_LEVELS = ("park", "town")


def gain(grade: float) -> float:
    """Exponential gain of a grade: ``2**grade - 1``.

    Examples
    --------
    >>> gain(3), gain(2), gain(1), gain(0)
    (7.0, 3.0, 1.0, 0.0)
    """
    return float(2.0 ** float(grade) - 1.0)


def dcg_at_k(grades: Sequence[float], k: int) -> float:
    """Discounted cumulative gain of the first ``k`` grades.

    ``DCG@k = sum_{i=1..k} (2**g_i - 1) / log2(i + 1)``.

    Examples
    --------
    >>> dcg_at_k([3, 0, 1], 3)        # 7/1 + 0 + 1/2
    7.5
    >>> dcg_at_k([], 5)
    0.0
    """
    if k < 1:
        raise ValueError(f"k must be a positive integer, got {k}")
    return float(sum(gain(g) / math.log2(i + 2) for i, g in enumerate(list(grades)[:k])))


def ndcg_at_k(ranked_grades: Sequence[float], all_grades: Iterable[float], k: int) -> float:
    """Normalised DCG: the ranking's DCG@k over the ideal DCG@k of the judgements.

    Parameters
    ----------
    ranked_grades : sequence of float
        Grades of the ranked places, best first (0 for unjudged places and repeats).
    all_grades : iterable of float
        Grades of every judged entity of the profile (the ideal ranking sorts them).
    k : int
        Cut-off.

    Returns
    -------
    float
        In [0, 1]; ``nan`` when the profile has no positive judgement (undefined: the
        caller skips such profiles in the mean).

    Examples
    --------
    >>> ndcg_at_k([3, 2, 1], [1, 2, 3], 3)
    1.0
    >>> round(ndcg_at_k([0, 3], [3], 5), 4)     # the best match at rank 2
    0.6309
    >>> import math; math.isnan(ndcg_at_k([1, 2], [], 5))
    True
    """
    ideal = dcg_at_k(sorted((g for g in all_grades if g > 0), reverse=True), k)
    if ideal <= 0:
        return float("nan")
    return min(1.0, dcg_at_k(ranked_grades, k) / ideal)


def precision_at_1(ranked_grades: Sequence[float], min_grade: int = 2) -> float:
    """1.0 when the top place is graded at least ``min_grade`` (strong or best), else 0.0.

    Examples
    --------
    >>> precision_at_1([2, 0]), precision_at_1([1, 3]), precision_at_1([])
    (1.0, 0.0, 0.0)
    """
    return 1.0 if len(ranked_grades) and ranked_grades[0] >= min_grade else 0.0


def reciprocal_rank(ranked_grades: Sequence[float], min_grade: int = 1) -> float:
    """``1 / rank`` of the first place graded at least ``min_grade`` (any relevant place);
    0.0 when none is.

    Examples
    --------
    >>> reciprocal_rank([0, 0, 1]), reciprocal_rank([0, 0]), reciprocal_rank([0, 3], min_grade=2)
    (0.3333333333333333, 0.0, 0.5)
    """
    for i, g in enumerate(ranked_grades, start=1):
        if g >= min_grade:
            return 1.0 / i
    return 0.0


def _containers(entity_id: str, gazetteer) -> list[str]:
    """The entity, then its park/town ancestors, then the first unit above them."""
    chain = [entity_id]
    try:
        level = gazetteer.level(entity_id)
        ancestors = gazetteer.ancestors(entity_id)
    except (KeyError, ValueError):
        return chain
    if level not in _ROLLUP_LEVELS:
        return chain
    for anc in ancestors:
        chain.append(anc)
        if gazetteer.level(anc) not in _ROLLUP_LEVELS:
            break
    return chain


def grade_ranking(ranked_ids: Sequence[str], judged: Mapping[str, int], gazetteer,
                  rollup: Iterable[str] = ()) -> list[tuple[str | None, int]]:
    """Map ranked places to judged entities and grades.

    A ranked place that is judged itself takes its grade. A park or town that is not
    judged counts as its nearest judged container: its park/town ancestors, then the
    first administrative unit that contains them (the district, or the city for a park
    that the gazetteer puts directly under a city); never higher. With ``rollup`` (the
    benchmark's ``path_rollup``: entity ids of judged units), any place that is not
    judged itself also counts as the nearest of those units on its path (a city counts
    as its province). A judged entity is credited once, at its first appearance; later
    appearances get grade 0.

    Parameters
    ----------
    ranked_ids : sequence of str
        Entity ids, best first.
    judged : mapping
        Judged entity id → grade.
    gazetteer : Gazetteer
        Gives ``level(id)`` and ``ancestors(id)`` (parent first).
    rollup : iterable of str, optional
        Entity ids that places roll up to through their path.

    Returns
    -------
    list of (judged entity id or None, grade)

    Examples
    --------
    >>> from recommender.knowledge.gazetteer import Gazetteer
    >>> gaz = Gazetteer.default()
    >>> park = gaz.preferred("田心高科园")              # inside 石峰区 (430204)
    >>> grade_ranking([park, "430204", "430202"], {"430204": 3, "430200": 2}, gaz)
    [('430204', 3), ('430204', 0), (None, 0)]
    >>> grade_ranking(["430200", "430000"], {"430000": 2}, gaz, rollup=["430000"])
    [('430000', 2), ('430000', 0)]
    """
    units = set(rollup)
    seen: set[str] = set()
    out: list[tuple[str | None, int]] = []
    for eid in ranked_ids:
        target = next((c for c in _containers(str(eid), gazetteer) if c in judged), None)
        if target is None and units:
            target = next((c for c in _path_units(str(eid), gazetteer) if c in units), None)
        if target is None:
            out.append((None, 0))
        elif target in seen:
            out.append((target, 0))
        else:
            seen.add(target)
            out.append((target, int(judged.get(target, 0))))
    return out


def _path_units(entity_id: str, gazetteer) -> list[str]:
    """The entity and all its ancestors, nearest first."""
    try:
        return [entity_id] + list(gazetteer.ancestors(entity_id))
    except (KeyError, ValueError):
        return [entity_id]


def drop_repeats(graded: Sequence[tuple[str | None, int]]) -> list[int]:
    """Positions to keep when later appearances of a judged unit are dropped.

    Examples
    --------
    >>> drop_repeats([("a", 3), ("a", 0), (None, 0), ("b", 1)])
    [0, 2, 3]
    """
    seen: set[str] = set()
    keep = []
    for i, (target, _) in enumerate(graded):
        if target is not None:
            if target in seen:
                continue
            seen.add(target)
        keep.append(i)
    return keep


def _fold(text: str) -> str:
    return normalize_for_features(text or "").lower()


def evidence_relevance(passage_text: str | None, keywords: Sequence[str]) -> float | None:
    """Whether a cited passage mentions one of the expected keywords.

    Matching is on normalised text (NFKC, simplified Chinese) and ignores Latin case.

    Returns
    -------
    float or None
        1.0 or 0.0; ``None`` when no keywords are given (not checked). A missing
        passage (no match, or a match without evidence) scores 0.0.

    Examples
    --------
    >>> evidence_relevance("推动IGBT模块封装", ["功率半导体", "igbt"])
    1.0
    >>> evidence_relevance("油茶产业", ["陶瓷"]), evidence_relevance(None, ["茶"]), evidence_relevance("x", [])
    (0.0, 0.0, None)
    """
    words = [_fold(k) for k in keywords if k and str(k).strip()]
    if not words:
        return None
    if not passage_text:
        return 0.0
    text = _fold(passage_text)
    return 1.0 if any(w in text for w in words) else 0.0


def trap_violations(ranked_ids: Sequence[str], trap: Mapping, gazetteer,
                    members: Mapping[str, Sequence[str]] | None = None,
                    names: Mapping[str, str] | None = None) -> list[str]:
    """The ways a ranking breaks a trap check.

    Two kinds of trap are understood (the keys of ``checks.json``'s ``traps`` entries):

    * ``{"not_in_top": N, "units": [...]}`` — none of the units, nor any place inside
      them, may appear in the top ``N``;
    * ``{"only_under": REGION}`` — every ranked place must lie inside ``REGION``
      (by the gazetteer, or listed in ``members[REGION]``).

    Unknown unit or region names cannot be checked and are reported as violations
    prefixed ``unresolved``.

    Returns
    -------
    list of str
        One line per violation (empty when the ranking is clean).

    Examples
    --------
    >>> from recommender.knowledge.gazetteer import Gazetteer
    >>> gaz = Gazetteer.default()
    >>> trap_violations(["430224", "430223"], {"not_in_top": 3, "units": ["攸县"]}, gaz)
    ['攸县 (430223) at rank 2 (must not be in the top 3)']
    >>> trap_violations(["430111", "430204"], {"only_under": "长沙市"}, gaz)
    ['430204 at rank 2 is not under 长沙市']
    """
    names = names or {}
    out: list[str] = []

    def label(eid):
        return f"{names[eid]} ({eid})" if eid in names else eid

    if "not_in_top" in trap:
        n = int(trap["not_in_top"])
        for unit in trap.get("units", []):
            ids = gazetteer.lookup(unit)
            if not ids:
                out.append(f"unresolved trap unit {unit!r}")
                continue
            for rank, eid in enumerate(list(ranked_ids)[:n], start=1):
                if any(_inside(eid, uid, gazetteer) for uid in ids):
                    out.append(f"{unit} ({eid}) at rank {rank} (must not be in the top {n})")
    if "only_under" in trap:
        region = trap["only_under"]
        listed = set((members or {}).get(region, ()))
        try:
            rid = gazetteer.resolve_region(region)
        except (KeyError, ValueError):
            rid = None
            if not listed:
                out.append(f"unresolved trap region {region!r}")
                return out
        for rank, eid in enumerate(ranked_ids, start=1):
            ok = (rid is not None and _inside(eid, rid, gazetteer)) or names.get(eid) in listed
            if not ok:
                out.append(f"{label(eid)} at rank {rank} is not under {region}")
    return out


def _inside(entity_id: str, region_id: str, gazetteer) -> bool:
    try:
        return bool(gazetteer.is_within(entity_id, region_id))
    except (KeyError, ValueError):
        return entity_id == region_id


def read_source_text(source: str, row: int | None = None) -> str:
    """Decode a cited source the way the corpus loader does.

    A page file is decoded whole (UTF-8 with the BOM removed, else GB18030); for a table
    source, the text field of data row ``row`` is returned.

    Raises
    ------
    OSError, ValueError
        When the file cannot be read, or the row is not in the table.

    Examples
    --------
    >>> from recommender.datasets import sample_corpus_paths
    >>> read_source_text(str(sample_corpus_paths()[0]))[:3]
    '• 【'
    """
    from recommender.corpus.load import read_page, read_table

    if row is None or int(row) < 0:
        return read_page(str(source))
    table = read_table(str(source))
    for rec in table.rows:
        if rec["row"] == int(row):
            return rec["text"]
    raise ValueError(f"{source} has no data row {row} with text")


def verbatim_ok(text: str, source: str, start: int, end: int, row: int | None = None,
                reader: Callable[[str, int | None], str] = read_source_text) -> bool:
    """True when ``text`` is exactly the decoded source's ``[start:end]``.

    ``reader(source, row)`` returns the decoded text (default: :func:`read_source_text`;
    pass a cached reader when checking many passages). An unreadable source fails.

    Examples
    --------
    >>> page = "湖南省株洲市，轨道交通装备产业集群。"
    >>> verbatim_ok("轨道交通装备", "p.txt", 7, 13, reader=lambda s, r: page)
    True
    >>> verbatim_ok("轨道交通装备", "p.txt", 6, 12, reader=lambda s, r: page)
    False
    """
    try:
        decoded = reader(source, row)
    except (OSError, ValueError, KeyError):
        return False
    start, end = int(start), int(end)
    return 0 <= start <= end <= len(decoded) and decoded[start:end] == text
