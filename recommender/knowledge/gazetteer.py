"""The place gazetteer: provinces, cities, county-level units, parks and towns.

The tables live in ``recommender/knowledge/data/`` (built by
``python -m recommender.knowledge.data.build_gazetteer --shared ../shared``) and are
validated on load: unique ids, known parents, known levels, and no surface form
(name or alias) shared by two entities unless ``ambiguous_surfaces.csv`` lists it
with the preferred entity.

Ambiguity rule (the same in the build script and here): among the entities that
share a surface form, a Hunan entity is preferred, then the higher level
(province > city > district > park > town), then the smaller id.
"""

from __future__ import annotations

import csv
import difflib
import functools
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from recommender.exceptions import GazetteerError, UnknownEntityError, UnknownRegionError, close_matches
from recommender.knowledge.copies import independent_state

logger = logging.getLogger(__name__)

__all__ = ["Gazetteer", "Entity", "LEVELS", "GazetteerError"]

LEVELS = ("province", "city", "district", "park", "town")
DATA_DIR = Path(__file__).resolve().parent / "data"
HUNAN = "430000"


@dataclass(frozen=True)
class Entity:
    """One place.

    Examples
    --------
    >>> e = Gazetteer.default().get("430204")
    >>> e.name, e.level, e.path
    ('石峰区', 'district', ('湖南省', '株洲市'))
    """

    entity_id: str
    name: str
    aliases: tuple[str, ...]
    level: str
    parent: str
    path: tuple[str, ...]
    sectors: tuple[str, ...]
    kind: str
    approval: str


def _split(cell) -> list[str]:
    if cell is None or (isinstance(cell, float) and cell != cell):
        return []
    return [x for x in str(cell).split("|") if x]


class Gazetteer:
    """Places with names, aliases, levels and a parent hierarchy.

    Parameters
    ----------
    entities : pandas.DataFrame or dict of lists
        Columns ``entity_id, name, aliases, level, parent, path, sectors, kind,
        approval``; list columns hold lists (or ``|``-joined strings). The table is kept
        as plain lists; :attr:`entities` gives it as a DataFrame.
    ambiguous : pandas.DataFrame or dict of lists, optional
        Columns ``surface, preferred``: the explicit rule for each surface form shared
        by several entities.

    Raises
    ------
    GazetteerError
        When ids repeat, a parent is unknown, a level is unknown, or a surface form is
        shared without an entry in ``ambiguous``.

    Examples
    --------
    >>> gaz = Gazetteer.default()
    >>> gaz.resolve_region("石峰")
    '430204'
    >>> gaz.is_within("430204", "430000")
    True
    >>> gaz.lookup("醴陵经开区")
    ['S437016']
    """

    def __init__(self, entities, ambiguous=None):
        table = _columns_of(entities, "gazetteer table")
        n = len(next(iter(table.values()))) if table else 0
        columns: dict[str, list] = {}
        for col in ("entity_id", "name", "level", "parent", "kind", "approval"):
            if col not in table:
                if col in ("kind", "approval", "parent"):
                    table[col] = [""] * n
                else:
                    raise GazetteerError(f"gazetteer table lacks column {col!r}")
            columns[col] = ["" if v is None or v != v else str(v) for v in table[col]]
        for col in ("aliases", "path", "sectors"):
            values = table[col] if col in table else [[] for _ in range(n)]
            columns[col] = [list(v) if isinstance(v, (list, tuple)) else _split(v) for v in values]
        ids = columns["entity_id"]
        self._validate_rows(ids, columns["parent"], columns["level"])
        self._index = {eid: i for i, eid in enumerate(ids)}
        self._parent = dict(zip(ids, columns["parent"]))
        self._level = dict(zip(ids, columns["level"]))
        # recompute paths from the hierarchy so that they can never drift
        names = dict(zip(ids, columns["name"]))
        columns["path"] = [[names[a] for a in reversed(self._ancestors(eid))] for eid in ids]
        # the table as plain lists (list cells as tuples); :attr:`entities` builds the
        # DataFrame when asked for. Lookups hold tuples too: nothing here changes them, and a
        # copy (Gazetteer.default) need not copy what cannot change
        self._columns = {col: [tuple(v) for v in columns[col]] if col in _LIST_COLUMNS else columns[col]
                         for col in _ENTITY_COLUMNS}
        self._frame_index = getattr(entities, "index", None) if hasattr(entities, "to_dict") else None
        children: dict[str, list[str]] = {}
        for eid, parent in self._parent.items():
            if parent:
                children.setdefault(parent, []).append(eid)
        self._children: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in children.items()}
        surfaces: dict[str, list[str]] = {}
        for eid, name, aliases in zip(ids, columns["name"], columns["aliases"]):
            for form in dict.fromkeys([name, *aliases]):
                surfaces.setdefault(form, []).append(eid)
        self._surfaces: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in surfaces.items()}
        self._preferred = self._validate_ambiguity(ambiguous)
        self._entity_cache: dict[str, Entity] = {}

    @property
    def entities(self):
        """The places as a DataFrame (columns ``entity_id, name, aliases, level, parent, path,
        sectors, kind, approval``), built on first access.

        Examples
        --------
        >>> Gazetteer.default().entities.columns[:3].tolist()
        ['entity_id', 'name', 'aliases']
        """
        frame = self.__dict__.get("_entities_frame")
        if frame is None:
            import pandas as pd

            data = {col: [list(v) for v in values] if col in _LIST_COLUMNS else values
                    for col, values in self._columns.items()}
            frame = pd.DataFrame(data, columns=list(_ENTITY_COLUMNS))
            if self._frame_index is not None:
                frame.index = self._frame_index
            self.__dict__["_entities_frame"] = frame
        return frame

    @entities.setter
    def entities(self, frame) -> None:
        self.__dict__["_entities_frame"] = frame

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_csv(cls, path: str | Path, ambiguous_path: str | Path | None = None) -> "Gazetteer":
        """Load a gazetteer from an ``entities.csv`` (and ``ambiguous_surfaces.csv``).

        Examples
        --------
        >>> from recommender.knowledge.gazetteer import DATA_DIR
        >>> len(Gazetteer.from_csv(DATA_DIR / "entities.csv", DATA_DIR / "ambiguous_surfaces.csv").entities) > 3000
        True
        """
        ents = _read_csv(path)
        amb = None
        if ambiguous_path is not None and Path(ambiguous_path).exists():
            amb = _read_csv(ambiguous_path)
        return cls(ents, amb)

    @classmethod
    def default(cls) -> "Gazetteer":
        """The gazetteer bundled with the package, as a new object on every call.

        The bundled tables are read and validated once; each call returns an independent
        deep copy of that object, so a caller that changes its gazetteer never changes
        anyone else's.

        Returns
        -------
        Gazetteer
            With :attr:`bundled` true.

        Examples
        --------
        >>> a, b = Gazetteer.default(), Gazetteer.default()
        >>> a is b, a.bundled, a.resolve_region("石峰") == b.resolve_region("石峰")
        (False, True, True)
        """
        return _fresh_copy(_default())

    @property
    def bundled(self) -> bool:
        """Whether this gazetteer was made by :meth:`default`: a saved model then refers to the
        bundled tables (checked by checksum on load) instead of holding a copy of them.

        Examples
        --------
        >>> own = Gazetteer.from_csv(DATA_DIR / "entities.csv", DATA_DIR / "ambiguous_surfaces.csv")
        >>> Gazetteer.default().bundled, own.bundled
        (True, False)
        """
        return bool(self.__dict__.get("_bundled", False))

    # --------------------------------------------------------------- validation
    @staticmethod
    def _validate_rows(ids: list[str], parents: list[str], levels: list[str]) -> None:
        if "" in ids:
            raise GazetteerError(f"gazetteer row {ids.index('') + 2} has an empty entity_id")
        seen: set[str] = set()
        for eid in ids:
            if eid in seen:
                raise GazetteerError(f"duplicate entity_id {eid!r} in the gazetteer")
            seen.add(eid)
        for eid, parent, level in zip(ids, parents, levels):
            if level not in LEVELS:
                raise GazetteerError(f"entity {eid!r} has unknown level {level!r}; valid: {', '.join(LEVELS)}")
            if parent and parent not in seen:
                raise GazetteerError(f"entity {eid!r} has unknown parent {parent!r}")
            if parent == eid:
                raise GazetteerError(f"entity {eid!r} is its own parent")
        parent_of = dict(zip(ids, parents))
        checked: set[str] = set()
        for eid in ids:
            chain, p = {eid}, parent_of[eid]
            while p and p not in checked:
                if p in chain:
                    raise GazetteerError(f"entity {eid!r} has a parent cycle through {p!r}")
                chain.add(p)
                p = parent_of[p]
            checked.update(chain)

    def _validate_ambiguity(self, ambiguous) -> dict[str, str]:
        rules: dict[str, str] = {}
        if ambiguous is not None and len(ambiguous):
            table = _columns_of(ambiguous, "ambiguous-surface table")
            rules = dict(zip((str(v) for v in table["surface"]), (str(v) for v in table["preferred"])))
        for form, ids in self._surfaces.items():
            if len(ids) > 1:
                if form not in rules:
                    raise GazetteerError(
                        f"surface {form!r} names several entities ({', '.join(ids)}) without a rule: "
                        "add it to ambiguous_surfaces.csv with the preferred entity"
                    )
                if rules[form] not in ids:
                    raise GazetteerError(
                        f"ambiguous surface {form!r}: preferred {rules[form]!r} is not one of {', '.join(ids)}"
                    )
        return {f: p for f, p in rules.items() if f in self._surfaces}

    # ------------------------------------------------------------------ queries
    def __len__(self) -> int:
        return len(self._index)

    def ids(self, level: str | None = None) -> list[str]:
        """Entity ids in table order, all of them or those of one level.

        Examples
        --------
        >>> Gazetteer.default().ids("province")[:2]
        ['110000', '120000']
        """
        return [eid for eid, lv in self._level.items() if level is None or lv == level]

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._index

    def _check(self, entity_id: str) -> None:
        if entity_id not in self._index:
            raise UnknownEntityError(f"unknown entity id {entity_id!r}")

    def get(self, entity_id: str) -> Entity:
        """Return the :class:`Entity` with this id.

        Raises
        ------
        UnknownEntityError
            (a ``KeyError`` and ``ValueError``) when the id is unknown.

        Examples
        --------
        >>> Gazetteer.default().get("S437016").sectors
        ('陶瓷', '交通装备', '新材料')
        """
        self._check(entity_id)
        ent = self._entity_cache.get(entity_id)
        if ent is None:
            i = self._index[entity_id]
            frame = self.__dict__.get("_entities_frame")
            row = frame.iloc[i] if frame is not None else {col: values[i] for col, values in self._columns.items()}
            ent = Entity(
                entity_id=row["entity_id"], name=row["name"], aliases=tuple(row["aliases"]), level=row["level"],
                parent=row["parent"], path=tuple(row["path"]), sectors=tuple(row["sectors"]), kind=row["kind"],
                approval=row["approval"],
            )
            self._entity_cache[entity_id] = ent
        return ent

    def names(self, entity_id: str) -> list[str]:
        """Name followed by aliases.

        Examples
        --------
        >>> Gazetteer.default().names("430200")
        ['株洲市', '株洲']
        """
        ent = self.get(entity_id)
        return [ent.name, *ent.aliases]

    def lookup(self, surface: str) -> list[str]:
        """Entity ids whose name or alias equals ``surface`` exactly (preferred first).

        Examples
        --------
        >>> Gazetteer.default().lookup("宁乡县")
        ['430182']
        >>> Gazetteer.default().lookup("不存在")
        []
        """
        ids = list(self._surfaces.get(surface, ()))
        pref = self._preferred.get(surface)
        if pref in ids and ids[0] != pref:
            ids.remove(pref)
            ids.insert(0, pref)
        return ids

    def preferred(self, surface: str) -> str | None:
        """The single entity a surface form stands for under the ambiguity rule.

        Examples
        --------
        >>> Gazetteer.default().preferred("永定区")
        '430802'
        """
        ids = self.lookup(surface)
        return ids[0] if ids else None

    def resolve_region(self, text: str) -> str:
        """Resolve a name, alias or adcode (any level) to an entity id.

        A surface shared by several entities resolves by the rule of
        ``ambiguous_surfaces.csv`` (Hunan first, then the higher level). A 6-digit code
        is accepted as is; ``xx0000``/``xxxx00`` forms of a known code also work.

        Raises
        ------
        UnknownRegionError
            With close matches among names and aliases.

        Examples
        --------
        >>> gaz = Gazetteer.default()
        >>> gaz.resolve_region("湖南"), gaz.resolve_region("430281"), gaz.resolve_region("株洲县")
        ('430000', '430281', '430212')
        """
        key = str(text).strip()
        if key in self._index:
            return key
        found = self.preferred(key)
        if found is None and key:
            # tolerate a province/city prefix ("湖南省株洲市石峰区", "株洲石峰区")
            for start in range(1, len(key) - 1):
                found = self.preferred(key[start:])
                if found is not None:
                    head = key[:start]
                    head_id = self.preferred(head) or self._resolve_prefix(head)
                    if head_id and self.is_within(found, head_id):
                        break
                    found = None
        if found is None:
            raise UnknownRegionError(key, self.suggest(key))
        return found

    def suggest(self, text: str, n: int = 3) -> list[str]:
        """Names and aliases that look like ``text``, Hunan places first.

        Examples
        --------
        >>> Gazetteer.default().suggest("株州市")[0]
        '株洲市'
        """
        def rank(pool):
            scored = []
            for form in close_matches(text, pool, n=4 * n):
                ratio = difflib.SequenceMatcher(None, text, form).ratio()
                prefix = len(os.path.commonprefix([text, form]))
                scored.append((-ratio, -prefix, abs(len(form) - len(text)), form))
            return [f for *_, f in sorted(scored)]

        hunan = [f for f, ids in self._surfaces.items() if any(i == HUNAN or HUNAN in self._ancestors(i) for i in ids)]
        found = rank(hunan)[:n]
        if len(found) < n:
            found += [m for m in rank(list(self._surfaces)) if m not in found][: n - len(found)]
        return found

    def _resolve_prefix(self, head: str) -> str | None:
        for cut in range(1, len(head) - 1):
            a, b = self.preferred(head[:cut]), self.preferred(head[cut:])
            if a and b and self.is_within(b, a):
                return b
        return None

    def _ancestors(self, entity_id: str) -> list[str]:
        out, p = [], self._parent[entity_id]
        while p:
            out.append(p)
            p = self._parent[p]
        return out

    def ancestors(self, entity_id: str) -> list[str]:
        """Ancestor ids, parent first, up to the province.

        Examples
        --------
        >>> Gazetteer.default().ancestors("S437016")
        ['430281', '430200', '430000']
        """
        self._check(entity_id)
        return self._ancestors(entity_id)

    def is_within(self, entity_id: str, region_id: str) -> bool:
        """True when ``region_id`` is the entity itself or one of its ancestors.

        Examples
        --------
        >>> gaz = Gazetteer.default()
        >>> gaz.is_within("park-430204-tianxin-gaokeyuan", "430200"), gaz.is_within("430204", "430100")
        (True, False)
        """
        self._check(entity_id)
        return entity_id == region_id or region_id in self._ancestors(entity_id)

    def children(self, entity_id: str) -> list[str]:
        """Direct children ids.

        Examples
        --------
        >>> "430204" in Gazetteer.default().children("430200")
        True
        """
        self._check(entity_id)
        return list(self._children.get(entity_id, ()))

    def level(self, entity_id: str) -> str:
        """The entity's level (one of :data:`LEVELS`).

        Examples
        --------
        >>> Gazetteer.default().level("430000")
        'province'
        """
        self._check(entity_id)
        return self._level[entity_id]

    def surface_forms(self) -> dict[str, list[str]]:
        """Every name and alias mapped to its entity ids (preferred first).

        Examples
        --------
        >>> Gazetteer.default().surface_forms()["天心经开区"]
        ['S437001']
        """
        return {form: self.lookup(form) for form in self._surfaces}


_ENTITY_COLUMNS = ("entity_id", "name", "aliases", "level", "parent", "path", "sectors", "kind", "approval")
_LIST_COLUMNS = ("aliases", "path", "sectors")


def _read_csv(path) -> dict[str, list[str]]:
    """A CSV table as its columns of text (a missing cell reads as "")."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        rows = [r for r in reader if r]
    return {col: [r[k] if k < len(r) else "" for r in rows] for k, col in enumerate(header)}


def _columns_of(table, what: str) -> dict[str, list]:
    """The columns of a table given as a DataFrame, a stored model table or a dict of lists."""
    if isinstance(table, dict):
        return {str(k): list(v) for k, v in table.items()}
    if hasattr(table, "columns"):
        try:
            return {str(col): list(table[col]) for col in table.columns}
        except (KeyError, TypeError):
            pass
    raise GazetteerError(f"the {what} must be a pandas DataFrame or a dict of columns")


def _fresh_copy(gaz: Gazetteer) -> Gazetteer:
    """An independent copy of a gazetteer: its table and lookups copied (what a deep copy
    would do, faster: they hold only dicts, lists and sets of immutable values)."""
    new = Gazetteer.__new__(Gazetteer)
    new.__dict__.update(independent_state({k: v for k, v in gaz.__dict__.items() if k != "_entities_frame"}))
    frame = gaz.__dict__.get("_entities_frame")
    if frame is not None:
        # a DataFrame's deep copy shares the Python objects in its cells: copy the lists too
        frame = frame.copy()
        for col in ("aliases", "path", "sectors"):
            frame[col] = [list(v) for v in frame[col]]
        new.__dict__["_entities_frame"] = frame
    return new


@functools.lru_cache(maxsize=1)
def _default() -> Gazetteer:
    """The bundled gazetteer, read once; never handed out (:meth:`Gazetteer.default` copies it)."""
    gaz = Gazetteer.from_csv(DATA_DIR / "entities.csv", DATA_DIR / "ambiguous_surfaces.csv")
    gaz._bundled = True
    return gaz
