"""The industry taxonomy: a validated table of industry tags and a sector resolver.

The taxonomy is a plain CSV file under ``recommender/knowledge/data/`` (one row per tag,
list cells separated by ``|``), loaded into :class:`Taxonomy`, which checks it, maps
names, aliases, everyday terms and English synonyms to tag codes, and fixes the column
order of tag matrices. Two companion tables live beside it:

``false_friends.csv``
    strings that look like an industry word but are not (``茶陵`` is a county, not tea;
    ``储能式有轨电车`` is a tram, not energy storage). The tagger consumes them by
    longest match and gives them the codes listed (often none).
``catalogue_labels.csv``
    every 主导产业 label of the 2018 Hunan development-zone catalogue mapped to tag codes,
    derived by ``data/build_taxonomy.py``.

Table columns of ``taxonomy.csv``: ``code, name, name_en, parent, gbt4754, aliases, terms,
query_terms, synonyms_en, exclude_contexts, shared``. ``query_terms`` are words an investor
may type that are too ambiguous to tag running text with (``牵引``, ``介入``);
``exclude_contexts`` are strings that veto a tagger hit of the tag when they occur nearby;
``shared`` lists strings the tag may share with another tag (every tag that holds the
string must list it).
"""

from __future__ import annotations

import csv
import functools
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable

import pandas as pd

from recommender.exceptions import TableSchemaError, close_matches
from recommender.text.normalize import to_simplified

__all__ = ["Taxonomy", "SectorResolution", "sector_key"]

logger = logging.getLogger(__name__)

LIST_SEP = "|"
_LIST_COLUMNS = ("aliases", "terms", "query_terms", "synonyms_en", "exclude_contexts", "shared")
_TEXT_COLUMNS = ("name_en", "parent", "gbt4754")
_REQUIRED = ("code", "name")
_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_GBT_RE = re.compile(r"^(?:[A-T]|\d{2,4})$")
# Suffixes an investor may add to a sector name ("陶瓷产业", "物流行业"); stripped as a fallback.
_ZH_SUFFIXES = ("产业链", "产业集群", "制造业", "产业", "行业", "领域", "企业", "板块", "业")
_ASCII_FOLD = {c: c + 0x20 for c in range(ord("A"), ord("Z") + 1)}


def sector_key(text: str) -> str:
    """Return the lookup key of a sector string.

    NFKC, traditional → simplified, lowercase, hyphens and underscores read as spaces,
    white space collapsed.

    Examples
    --------
    >>> sector_key(" Cold-Chain  Logistics ")
    'cold chain logistics'
    >>> sector_key("電動車")
    '电动车'
    """
    if not isinstance(text, str):
        return ""
    out = unicodedata.normalize("NFKC", text)
    out = to_simplified(out).lower()
    out = re.sub(r"[-_\s]+", " ", out).strip()
    return out


def _split(cell) -> list[str]:
    if cell is None or (isinstance(cell, float) and cell != cell):
        return []
    if isinstance(cell, (list, tuple)):
        return [str(x).strip() for x in cell if str(x).strip()]
    return [p.strip() for p in str(cell).split(LIST_SEP) if p.strip()]


@dataclass(frozen=True)
class SectorResolution:
    """The outcome of resolving several sector strings.

    Attributes
    ----------
    codes : list of str
        Tag codes found, de-duplicated, in input order.
    unresolved : list of str
        Input strings that matched no tag.
    suggestions : dict
        For each unresolved string, close matches among tag names and aliases.

    Examples
    --------
    >>> r = Taxonomy.default().resolve_many(["陶瓷", "EV", "陶磁业务"])
    >>> r.codes, r.unresolved
    (['MAT.CERAMIC', 'AUTO.NEV'], ['陶磁业务'])
    """

    codes: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    suggestions: dict[str, list[str]] = field(default_factory=dict)


class Taxonomy:
    """A validated table of industry tags.

    Parameters
    ----------
    tags : pandas.DataFrame
        One row per tag with at least ``code`` and ``name``; the other columns of
        ``taxonomy.csv`` are optional. List cells may be ``|``-separated strings or lists.
    false_friends : pandas.DataFrame, optional
        Columns ``string, codes`` (codes ``|``-separated, may be empty).
    catalogue : pandas.DataFrame, optional
        Columns ``label, codes``: development-zone catalogue labels to tag codes.

    Raises
    ------
    TableSchemaError
        On a missing column, an empty or duplicate code or name, a malformed code, an
        unknown parent, a cycle, a string that maps to two tags without a ``shared``
        rule, or a companion table that names an unknown code.

    Examples
    --------
    >>> tax = Taxonomy.default()
    >>> tax.resolve("电动车")
    ['AUTO.NEV']
    >>> tax.name("EQP.RAIL"), tax.parent("EQP.RAIL")
    ('轨道交通装备', 'EQP')
    >>> tax.resolve("power semiconductor"), tax.resolve("功率半導體")
    (['ELEC.PSEMI'], ['ELEC.PSEMI'])
    """

    def __init__(self, tags: pd.DataFrame, false_friends: pd.DataFrame | None = None,
                 catalogue: pd.DataFrame | None = None):
        self.tags = self._check_tags(tags)
        self.codes = list(self.tags["code"])
        self._index = {c: i for i, c in enumerate(self.codes)}
        self._rows = {r["code"]: r for r in self.tags.to_dict("records")}
        self._children: dict[str, list[str]] = {c: [] for c in self.codes}
        for c in self.codes:
            p = self._rows[c]["parent"]
            if p:
                self._children[p].append(c)
        self._lookup, self._en = self._build_lookup()
        self._code_lookup = {c.lower(): c for c in self.codes}
        self.false_friends = self._check_false_friends(false_friends)
        self._catalogue = self._check_catalogue(catalogue)

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_csv(cls, path, false_friends=None, catalogue=None) -> "Taxonomy":
        """Load a taxonomy from a CSV file (and optional companion tables).

        Parameters
        ----------
        path : str or Path
            The ``taxonomy.csv``-shaped table.
        false_friends, catalogue : str or Path, optional
            Companion tables; omitted tables are empty.

        Raises
        ------
        TableSchemaError
            When a table cannot be read or fails validation.

        Examples
        --------
        >>> import tempfile, os
        >>> d = tempfile.mkdtemp(); p = os.path.join(d, "t.csv")
        >>> _ = open(p, "w", encoding="utf-8").write("code,name,parent\\nA,农业,\\nA.TEA,茶叶,A\\n")
        >>> Taxonomy.from_csv(p).children("A")
        ['A.TEA']
        """
        tags = _read_csv(path)
        ff = _read_csv(false_friends) if false_friends else None
        cat = _read_csv(catalogue) if catalogue else None
        return cls(tags, ff, cat)

    @classmethod
    def default(cls) -> "Taxonomy":
        """Return the bundled taxonomy (loaded once and cached).

        Examples
        --------
        >>> Taxonomy.default() is Taxonomy.default()
        True
        """
        return _default_taxonomy()

    # --------------------------------------------------------------- validation
    @staticmethod
    def _check_tags(tags: pd.DataFrame) -> pd.DataFrame:
        if not isinstance(tags, pd.DataFrame):
            raise TableSchemaError("taxonomy table must be a pandas DataFrame")
        missing = [c for c in _REQUIRED if c not in tags.columns]
        if missing:
            raise TableSchemaError(f"taxonomy table lacks column(s) {', '.join(missing)}")
        records = []
        for i, row in enumerate(tags.to_dict("records")):
            rec = {}
            for col in ("code", "name", *_TEXT_COLUMNS):
                v = row.get(col, "")
                rec[col] = "" if v is None or (isinstance(v, float) and v != v) else str(v).strip()
            for col in _LIST_COLUMNS:
                rec[col] = _split(row.get(col))
            where = f"taxonomy row {i + 2} ({rec['code'] or '?'})"
            if not rec["code"] or not _CODE_RE.match(rec["code"]):
                raise TableSchemaError(f"{where}: code {rec['code']!r} must be a non-empty ASCII slug")
            if not rec["name"]:
                raise TableSchemaError(f"{where}: empty name")
            if rec["gbt4754"] and not _GBT_RE.match(rec["gbt4754"]):
                raise TableSchemaError(f"{where}: gbt4754 {rec['gbt4754']!r} is not a GB/T 4754 code")
            records.append(rec)
        seen: dict[str, int] = {}
        names: dict[str, str] = {}
        for i, rec in enumerate(records):
            if rec["code"] in seen:
                raise TableSchemaError(f"taxonomy row {i + 2}: duplicate code {rec['code']!r}")
            seen[rec["code"]] = i
            if rec["name"] in names:
                raise TableSchemaError(
                    f"taxonomy row {i + 2}: name {rec['name']!r} already used by {names[rec['name']]!r}")
            names[rec["name"]] = rec["code"]
        parents = {r["code"]: r["parent"] for r in records}
        for i, rec in enumerate(records):
            if rec["parent"] and rec["parent"] not in parents:
                raise TableSchemaError(
                    f"taxonomy row {i + 2} ({rec['code']}): unknown parent {rec['parent']!r}")
        for rec in records:
            level, p, chain = 1, rec["parent"], {rec["code"]}
            while p:
                if p in chain:
                    raise TableSchemaError(f"taxonomy: parent cycle through {rec['code']!r}")
                chain.add(p)
                level += 1
                p = parents[p]
            rec["level"] = level
        cols = ["code", "name", "aliases", "terms", "name_en", "synonyms_en", "parent", "gbt4754",
                "level", "query_terms", "exclude_contexts", "shared"]
        return pd.DataFrame(records, columns=cols)

    def _build_lookup(self):
        owners: dict[str, list[str]] = {}

        def add(key, code):
            if key and code not in owners.setdefault(key, []):
                owners[key].append(code)

        en: dict[str, list[str]] = {}
        for c in self.codes:
            r = self._rows[c]
            for s in [r["name"], *r["aliases"], *r["terms"], *r["query_terms"]]:
                add(sector_key(s), c)
            for s in [r["name_en"], *r["synonyms_en"]]:
                k = sector_key(s)
                add(k, c)
                if k and c not in en.setdefault(k, []):
                    en[k].append(c)
        shared = {c: {sector_key(s) for s in self._rows[c]["shared"]} for c in self.codes}
        for key, cs in owners.items():
            if len(cs) > 1 and not all(key in shared[c] for c in cs):
                raise TableSchemaError(
                    f"taxonomy: {key!r} maps to several tags ({', '.join(cs)}); list it in their "
                    "'shared' column if that is intended")
        return owners, en

    def _check_false_friends(self, table) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        if table is None:
            return out
        if "string" not in table.columns:
            raise TableSchemaError("false-friend table lacks column 'string'")
        for i, row in enumerate(table.to_dict("records")):
            s = str(row.get("string") or "").strip()
            if not s:
                raise TableSchemaError(f"false-friend row {i + 2}: empty string")
            codes = tuple(_split(row.get("codes")))
            for c in codes:
                if c not in self._index:
                    raise TableSchemaError(f"false-friend row {i + 2} ({s}): unknown code {c!r}")
            known = self._lookup.get(sector_key(s))
            if known and set(known) != set(codes):
                raise TableSchemaError(
                    f"false-friend row {i + 2}: {s!r} is a taxonomy string of {', '.join(known)} "
                    f"but the false-friend table gives {', '.join(codes) or 'no tag'}")
            out[s] = codes
        return out

    def _check_catalogue(self, table) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        if table is None:
            return out
        for col in ("label", "codes"):
            if col not in table.columns:
                raise TableSchemaError(f"catalogue-label table lacks column {col!r}")
        for i, row in enumerate(table.to_dict("records")):
            codes = _split(row.get("codes"))
            for c in codes:
                if c not in self._index:
                    raise TableSchemaError(f"catalogue-label row {i + 2}: unknown code {c!r}")
            out[sector_key(str(row["label"]))] = codes
        return out

    # ----------------------------------------------------------------- structure
    def __len__(self) -> int:
        return len(self.codes)

    def __repr__(self) -> str:
        top = int((self.tags["level"] == 1).sum())
        return f"Taxonomy({len(self.codes)} tags, {top} top-level)"

    def index(self, code: str) -> int:
        """Column of ``code`` in tag matrices.

        Raises
        ------
        KeyError
            For an unknown code.

        Examples
        --------
        >>> tax = Taxonomy.default(); tax.codes[tax.index("FOOD.TEA")]
        'FOOD.TEA'
        """
        return self._index[code]

    def name(self, code: str) -> str:
        """Chinese name of ``code``.

        Examples
        --------
        >>> Taxonomy.default().name("DIG.GEO")
        '地理信息'
        """
        return self._rows[code]["name"]

    def parent(self, code: str) -> str:
        """Parent code of ``code`` (``""`` for a top-level tag).

        Examples
        --------
        >>> Taxonomy.default().parent("AUTO.NEV"), Taxonomy.default().parent("AUTO")
        ('AUTO', '')
        """
        return self._rows[code]["parent"]

    def children(self, code: str) -> list[str]:
        """Direct children of ``code`` in table order.

        Examples
        --------
        >>> "EN.H2" in Taxonomy.default().children("EN")
        True
        """
        return list(self._children[code])

    def ancestors(self, code: str) -> list[str]:
        """Ancestors of ``code``, nearest first.

        Examples
        --------
        >>> Taxonomy.default().ancestors("ELEC.PSEMI")
        ['ELEC']
        """
        out, p = [], self._rows[code]["parent"]
        while p:
            out.append(p)
            p = self._rows[p]["parent"]
        return out

    def row(self, code: str) -> dict:
        """The full record of ``code`` (lists for list columns)."""
        return dict(self._rows[code])

    # ---------------------------------------------------------------- resolving
    def resolve(self, sector: str) -> list[str]:
        """Codes for a sector string; ``[]`` when unknown.

        Accepts a code (any case), a Chinese name, alias, term or query term, an English
        name or synonym (any case, hyphens or spaces, a plural ``s`` tolerated), traditional
        Chinese, and a Chinese name followed by 产业/行业/产业链 and the like.

        Examples
        --------
        >>> tax = Taxonomy.default()
        >>> tax.resolve("mat.ceramic"), tax.resolve("陶瓷行业"), tax.resolve("Remote Sensing")
        (['MAT.CERAMIC'], ['MAT.CERAMIC'], ['DIG.GEO'])
        >>> tax.resolve("量子引力")
        []
        """
        if not isinstance(sector, str):
            return []
        raw = unicodedata.normalize("NFKC", sector).strip()
        if raw.lower() in self._code_lookup:
            return [self._code_lookup[raw.lower()]]
        key = sector_key(raw)
        if not key:
            return []
        found = self._lookup.get(key)
        if found:
            return list(found)
        if key.isascii():
            for alt in (key[:-1] if key.endswith("s") else None, key + "s"):
                if alt and alt in self._lookup:
                    return list(self._lookup[alt])
            return []
        for suf in _ZH_SUFFIXES:
            if key.endswith(suf) and len(key) > len(suf) + 1:
                found = self._lookup.get(key[: -len(suf)])
                if found:
                    return list(found)
        return []

    def resolve_many(self, sectors: Iterable[str] | str) -> SectorResolution:
        """Resolve several sector strings at once.

        Parameters
        ----------
        sectors : iterable of str, or one str

        Returns
        -------
        SectorResolution

        Examples
        --------
        >>> r = Taxonomy.default().resolve_many(["遥感", "GIS", "硬质合全"])
        >>> r.codes, r.unresolved, "硬质合金" in r.suggestions["硬质合全"]
        (['DIG.GEO'], ['硬质合全'], True)
        """
        if isinstance(sectors, str):
            sectors = [sectors]
        codes: list[str] = []
        unresolved: list[str] = []
        suggestions: dict[str, list[str]] = {}
        for s in sectors:
            found = self.resolve(s)
            if not found:
                if s not in unresolved:
                    unresolved.append(s)
                    suggestions[s] = self.suggest(s)
                continue
            for c in found:
                if c not in codes:
                    codes.append(c)
        return SectorResolution(codes=codes, unresolved=unresolved, suggestions=suggestions)

    def suggest(self, sector: str, n: int = 3) -> list[str]:
        """Close matches for ``sector`` among tag names and aliases (English for ASCII input).

        Examples
        --------
        >>> Taxonomy.default().suggest("陶磁")
        ['陶瓷']
        """
        key = sector_key(sector) if isinstance(sector, str) else ""
        if not key:
            return []
        if key.isascii():
            pool = [self._rows[c]["name_en"] for c in self.codes] + list(self._en)
            return close_matches(key, [p.lower() for p in pool if p], n=n)
        pool = []
        for c in self.codes:
            pool.append(self._rows[c]["name"])
            pool.extend(self._rows[c]["aliases"])
        return close_matches(key, pool, n=n)

    def vocabulary(self, include_false_friends: bool = True) -> list[str]:
        """Every Chinese name, alias, term and query term (for a tokenizer dictionary).

        False-friend strings (``茶陵``, ``金融安全区``) are added by default so that a
        tokenizer keeps them whole. Pure-ASCII strings (``IGBT``) are included.

        Examples
        --------
        >>> v = Taxonomy.default().vocabulary()
        >>> "轨道交通装备" in v and "磷酸铁锂" in v and "茶陵" in v
        True
        """
        out: dict[str, None] = {}
        for c in self.codes:
            r = self._rows[c]
            for s in [r["name"], *r["aliases"], *r["terms"], *r["query_terms"]]:
                out[s] = None
        if include_false_friends:
            for s in self.false_friends:
                out[s] = None
        return list(out)

    def english_index(self) -> dict[str, list[str]]:
        """Lowercased English names and synonyms → codes.

        Examples
        --------
        >>> Taxonomy.default().english_index()["cold chain"]
        ['LOG.COLD']
        """
        return {k: list(v) for k, v in self._en.items()}

    def catalogue_codes(self, label: str) -> list[str]:
        """Codes for a development-zone 主导产业 label (or a 、-separated list of them).

        Uses ``catalogue_labels.csv``; a label missing there falls back to :meth:`resolve`.

        Examples
        --------
        >>> tax = Taxonomy.default()
        >>> tax.catalogue_codes("新能源汽车及零部件")
        ['AUTO.NEV', 'AUTO.PARTS']
        >>> tax.catalogue_codes("陶瓷、电力")
        ['MAT.CERAMIC', 'EN.POWER']
        """
        if not isinstance(label, str):
            return []
        out: list[str] = []
        for part in re.split(r"[、,,;;/]", label):
            key = sector_key(part).rstrip(".。")
            if not key:
                continue
            codes = self._catalogue.get(key)
            if codes is None:
                codes = self.resolve(key)
            for c in codes:
                if c not in out:
                    out.append(c)
        return out

    def matcher_entries(self) -> dict[str, tuple[str, ...]]:
        """Strings the tagger looks for in running text → codes.

        Names, aliases, terms, English names and synonyms, then false friends (which
        override, and may have no code). Query terms are left out: they are too
        ambiguous for running text.

        Examples
        --------
        >>> e = Taxonomy.default().matcher_entries()
        >>> e["刀具"], e["茶陵"]
        (('MAT.CEMENTED',), ())
        """
        out: dict[str, tuple[str, ...]] = {}
        for c in self.codes:
            r = self._rows[c]
            for s in [r["name"], *r["aliases"], *r["terms"], r["name_en"], *r["synonyms_en"]]:
                if s:
                    prev = out.get(s, ())
                    out[s] = prev + ((c,) if c not in prev else ())
        for s, codes in self.false_friends.items():
            out[s] = codes
        return out

    def exclude_contexts(self, code: str) -> list[str]:
        """Strings that veto a tagger hit of ``code`` when they occur nearby.

        Examples
        --------
        >>> "疫情" in Taxonomy.default().exclude_contexts("LOG.COLD")
        True
        """
        return list(self._rows[code]["exclude_contexts"])


def _read_csv(path) -> pd.DataFrame:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise TableSchemaError(f"cannot read table {path}: {exc}") from exc
    except csv.Error as exc:
        raise TableSchemaError(f"malformed CSV table {path}: {exc}") from exc
    if rows and None in rows[0]:
        raise TableSchemaError(f"table {path}: a row has more cells than the header")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    return pd.DataFrame(rows, columns=header, dtype=object).fillna("")


def data_path(name: str) -> Path:
    """Path of a bundled knowledge table.

    Examples
    --------
    >>> data_path("taxonomy.csv").name
    'taxonomy.csv'
    """
    return Path(str(resources.files("recommender.knowledge") / "data" / name))


@functools.lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    cat = data_path("catalogue_labels.csv")
    tax = Taxonomy.from_csv(
        data_path("taxonomy.csv"),
        false_friends=data_path("false_friends.csv"),
        catalogue=cat if cat.exists() else None,
    )
    logger.debug("loaded %r", tax)
    return tax
