"""From the linker's passage–place links to the place-link matrix of a model.

Each function is one step of the rule the README describes: a document's own region;
salience of links to places outside it; mention windows for passages that name several
places; roll-up of parks and towns to the district containing them; and the tables a
fitted model keeps about its places.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["document_regions", "apply_salience", "window_links", "roll_up", "catalogue_tags",
           "entity_table", "entity_unit_lists"]


def document_regions(region_of_doc: dict[int, str], passages: pd.DataFrame) -> dict[int, str]:
    """Map each passage id to its document's region (the linker's ``document_regions_``).

    A document's region holds whether or not its passages name it: a county's report whose
    every passage says the county's name still speaks for the county throughout.

    Examples
    --------
    >>> passages = pd.DataFrame({"passage_id": [0, 1, 2], "doc_id": [5, 5, 6]})
    >>> document_regions({5: "a"}, passages)
    {0: 'a', 1: 'a'}
    """
    doc_of = dict(zip(passages["passage_id"].astype(int), passages["doc_id"].astype(int)))
    return {pid: region_of_doc[d] for pid, d in doc_of.items() if d in region_of_doc}


def apply_salience(links: pd.DataFrame, region_of_passage: dict, gaz, *, ancestor_weight: float,
                   foreign_weight: float) -> pd.DataFrame:
    """Scale links by where the place stands relative to the passage's document region.

    The region itself and places inside it keep their weight; places that contain the
    region (its city, its province) get ``ancestor_weight``; any other place
    ``foreign_weight``. Passages of documents without a known region are unchanged.
    """
    if links.empty:
        return links
    factors = []
    for pid, eid in zip(links["passage_id"], links["entity_id"]):
        region = region_of_passage.get(int(pid))
        if region is None or eid == region or region in gaz.ancestors(eid):
            factors.append(1.0)
        elif eid in gaz.ancestors(region):
            factors.append(ancestor_weight)
        else:
            factors.append(foreign_weight)
    return links.assign(weight=links["weight"].to_numpy() * np.asarray(factors))


def window_links(links: pd.DataFrame, body: pd.DataFrame, passage_row: dict, region_of_passage: dict,
                 linker, gaz=None):
    """Give each link a feature unit: its passage's row, or a mention window.

    A place a passage names (or refers to, as a bare 高新区 resolved to a zone), other
    than the document's own region and the places containing it, earns only its
    statements in that passage (see :mod:`recommender.model.windows`): they become a
    new unit after the passages, unless they are the whole passage.

    Returns
    -------
    links : DataFrame
        With a ``unit`` column.
    window_texts : list of str
    window_passage : list of int
        The passage row each window comes from.
    """
    from recommender.model.windows import mention_windows

    gaz = gaz if gaz is not None else linker.gazetteer
    named = links[links["how"].isin(("mention", "self"))]
    texts = dict(zip(body["passage_id"].astype(int), body["norm_text"]))
    window_texts: list[str] = []
    window_passage: list[int] = []
    unit_of: dict[tuple[int, str], int] = {}
    n_body = len(body)
    known = getattr(linker, "last_mentions_", {})
    context_of: dict[str | None, frozenset] = {}
    for pid in sorted(set(named["passage_id"].astype(int))):
        text = texts.get(pid)
        if not isinstance(text, str):
            continue
        found = known.get(pid)
        if found is None:
            found = linker.mentions(text)
        region = region_of_passage.get(pid)
        if region not in context_of:
            context_of[region] = frozenset([region, *gaz.ancestors(region)]) if region in gaz else frozenset()
        context = context_of[region]
        whole = text.strip().rstrip("。!?;")
        for eid, window in mention_windows(text, found, context).items():
            if eid in context or window.rstrip("。!?;") == whole:
                continue
            unit_of[(pid, eid)] = n_body + len(window_texts)
            window_texts.append(window)
            window_passage.append(passage_row[pid])
    units = [unit_of.get((int(pid), eid), passage_row[int(pid)]) if how in ("mention", "self")
             else passage_row[int(pid)]
             for pid, eid, how in zip(links["passage_id"], links["entity_id"], links["how"])]
    return links.assign(unit=units), window_texts, window_passage


def roll_up(links: pd.DataFrame, gaz, rollup_weight: float, unit_passage=None) -> pd.DataFrame:
    """Let a park's or town's evidence also count for the district (or city) containing it,
    at ``rollup_weight`` times its link weight; one row per (unit, place), strongest kept.

    ``unit_passage`` maps each unit to its passage row (a window to the passage it is
    cut from); when given, a window is not rolled up to a place that is already linked
    to its whole passage (a city's own zone in the city's report).

    Examples
    --------
    >>> gaz = __import__("recommender.knowledge.gazetteer", fromlist=["Gazetteer"]).Gazetteer.default()
    >>> links = pd.DataFrame({"unit": [0, 2, 1], "entity_id": ["430200", "G432034", "S437016"],
    ...                       "weight": [0.5, 1.0, 1.0]})
    >>> roll_up(links, gaz, 0.8, unit_passage=[0, 1, 0]).values.tolist()
    [[0, '430200', 0.5], [1, '430281', 0.8], [1, 'S437016', 1.0], [2, 'G432034', 1.0]]
    """
    whole = set()
    if unit_passage is not None:
        n = len(unit_passage)
        whole = {(int(unit_passage[u]), e) for u, e in zip(links["unit"], links["entity_id"])
                 if u < n and int(unit_passage[u]) == u}
    extra = []
    for unit, eid, weight in zip(links["unit"], links["entity_id"], links["weight"]):
        if gaz.get(eid).level not in ("park", "town"):
            continue
        for anc in gaz.ancestors(eid):
            if gaz.get(anc).level in ("park", "town"):
                continue
            if unit_passage is None or (int(unit_passage[unit]), anc) not in whole:
                extra.append((unit, anc, float(weight) * rollup_weight))
            break
    cols = ["unit", "entity_id", "weight"]
    both = pd.concat([links[cols], pd.DataFrame(extra, columns=cols)]) if extra else links[cols]
    return both.groupby(["unit", "entity_id"], as_index=False, sort=True)["weight"].max()


def catalogue_tags(entity_ids, gaz, tax) -> sp.csr_matrix:
    """(places × tags) matrix of the places' official leading industries (2018 catalogue)."""
    rows, cols = [], []
    for i, eid in enumerate(entity_ids):
        for label in gaz.get(eid).sectors or ():
            for code in tax.catalogue_codes(label):
                rows.append(i)
                cols.append(tax.index(code))
    vals = np.ones(len(rows), dtype=np.float32)
    m = sp.coo_matrix((vals, (rows, cols)), shape=(len(entity_ids), len(tax.codes))).tocsr()
    m.data = np.minimum(m.data, 1.0)
    return m


def entity_table(entity_ids, gaz) -> pd.DataFrame:
    """The places of a model: id, name, level, parent name, path and ancestor ids."""
    rows = []
    for eid in entity_ids:
        e = gaz.get(eid)
        parent_name = gaz.get(e.parent).name if e.parent else ""
        rows.append({"entity_id": eid, "name": e.name, "level": e.level, "parent": parent_name,
                     "path": tuple(e.path), "ancestors": tuple(gaz.ancestors(eid))})
    return pd.DataFrame(rows)


def entity_unit_lists(L: sp.spmatrix) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each place (column of ``L``), its feature units and their link weights.

    Examples
    --------
    >>> units, weights = entity_unit_lists(sp.csr_matrix(np.array([[1.0, 0.0], [0.5, 1.0]])))[0]
    >>> units.tolist(), weights.tolist()
    ([0, 1], [1.0, 0.5])
    """
    Lc = sp.csc_matrix(L)
    out = []
    for j in range(Lc.shape[1]):
        lo, hi = Lc.indptr[j], Lc.indptr[j + 1]
        out.append((Lc.indices[lo:hi].copy(), Lc.data[lo:hi].astype(np.float32)))
    return out
