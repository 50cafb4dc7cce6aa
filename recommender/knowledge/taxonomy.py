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
    every 主导产业 label of the national 2018 development-zone catalogue mapped to tag
    codes, with the method that mapped it.
``gbt4754_index.csv``
    every node of GB/T 4754-2017 (all four levels) with the tag that stands for it, so
    that official codes and names (``3612``, ``新能源车整车制造``) resolve.

All three and ``taxonomy.csv`` itself are built by ``data/build_taxonomy.py`` from the
reviewed ``curated_tags.csv`` and ``emerging_industries.csv``, GB/T 4754-2017 and the
catalogue; a test checks that the committed tables are what the script builds.

Table columns of ``taxonomy.csv``: ``code, name, name_en, parent, gbt4754, aliases, terms,
query_terms, synonyms_en, exclude_contexts, shared, false_friends``. ``query_terms`` are
words an investor may type that are too ambiguous to tag running text with (``牵引``,
``介入``); ``exclude_contexts`` are strings that veto a tagger hit of the tag when they
occur nearby; ``shared`` lists strings the tag may share with another tag (every tag that
holds the string must list it); ``false_friends`` lists strings that look like the tag but
are not (``黄金周`` for 黄金珠宝): the tagger consumes them and tags nothing.

Resolving a sector string (:meth:`Taxonomy.match`) records the route it took, one of
:data:`ROUTES`: ``code``, ``name``, ``alias``, ``english`` and ``compound`` are exact;
``fuzzy`` is a guess (a close spelling, or tag terms found inside the string) and
``literal`` means nothing matched: the string is to be searched as text.
"""

from __future__ import annotations

import copy
import csv
import difflib
import functools
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable

from recommender.exceptions import TableSchemaError, close_matches
from recommender.knowledge.copies import independent_state
from recommender.text.normalize import to_simplified

__all__ = ["Taxonomy", "SectorResolution", "SectorMatch", "sector_key", "split_compound", "ROUTES", "PROCESS_WORDS"]

logger = logging.getLogger(__name__)

LIST_SEP = "|"
_LIST_COLUMNS = ("aliases", "terms", "query_terms", "synonyms_en", "exclude_contexts", "shared", "false_friends")
_TEXT_COLUMNS = ("name_en", "parent", "gbt4754")
_REQUIRED = ("code", "name")
#: The columns of :attr:`Taxonomy.tags`, in order.
_COLUMNS = ("code", "name", "aliases", "terms", "name_en", "synonyms_en", "parent", "gbt4754",
            "level", "query_terms", "exclude_contexts", "shared", "false_friends")
_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_GBT_RE = re.compile(r"^(?:[A-T]|\d{2,4})$")
# Suffixes an investor may add to a sector name ("陶瓷产业", "物流行业"); stripped as a fallback.
_ZH_SUFFIXES = ("产业链", "产业集群", "制造业", "产业", "行业", "领域", "企业", "板块", "业")
# Generic heads and modifiers around an industry word in catalogue labels and profiles
# (铝冶炼加工, 汽车配套, 高端装备制造, 特色食品): tried after the suffixes above.
_ZH_HEADS = ("精深加工", "深加工", "加工制造", "生产加工", "制造", "加工", "制品", "产品", "配套", "生产",
             "开发", "研发", "组装")
#: Words that say what a firm does (加工, 制造, 生产, 制品, 研发), not in which industry: a ranking
#: treats them as generic, whatever their frequency (a tea processor is not matched by 钢铁加工).
PROCESS_WORDS = frozenset(_ZH_HEADS)
_ZH_MODIFIERS = ("现代", "新型", "高端", "绿色", "特色", "先进", "优势", "传统", "智能")
# Parts of a compound that only qualify the part before them (汽车及配套, 钢铁及压延).
_PART_HEADS = ("配件", "零配件", "延伸加工", "压延", "销售", "服务", "应用", "深加工")
# Official GB/T names without their type word, for resolving (仪器仪表制造业 → 仪器仪表).
_GBT_TYPE_SUFFIXES = ("制造业", "制造")
_ASCII_FOLD = {c: c + 0x20 for c in range(ord("A"), ord("Z") + 1)}
#: How a sector string was resolved; the first five are exact.
ROUTES = ("code", "name", "alias", "english", "compound", "fuzzy", "literal")
EXACT_ROUTES = frozenset(ROUTES[:5])
# Separators of a compound sector string (新能源汽车及零部件, 钢铁、有色金属, 生物医药和医疗器械).
_COMPOUND_SEP = re.compile(r"\s*(?:以及|及其|、|及|和|与|/|,|;|\+|&)\s*")
_KEY_SPACES = re.compile(r"[-_\s]+")
# A close spelling counts as a fuzzy match from this similarity ratio on.
_FUZZY_RATIO = 0.75


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
    return _sector_key(text)


@functools.lru_cache(maxsize=1 << 16)
def _sector_key(text: str) -> str:
    out = unicodedata.normalize("NFKC", text)
    out = to_simplified(out).lower()
    return _KEY_SPACES.sub(" ", out).strip()


def _split(cell) -> list[str]:
    if cell is None or (isinstance(cell, float) and cell != cell):
        return []
    if isinstance(cell, (list, tuple)):
        return [str(x).strip() for x in cell if str(x).strip()]
    return [p.strip() for p in str(cell).split(LIST_SEP) if p.strip()]


def _bare(key: str) -> str:
    """A Chinese name without connectors and a closing 业, to compare official names.

    Examples
    --------
    >>> _bare("黑色金属冶炼和压延加工业")
    '黑色金属冶炼压延加工'
    """
    key = re.sub(r"[和及与、]", "", key)
    return key[:-1] if key.endswith("业") and len(key) > 2 else key


def _without_suffix(key: str) -> str:
    """The key without a closing sector suffix (产业, 行业 …) when something remains.

    Examples
    --------
    >>> _without_suffix("竹产业"), _without_suffix("铝")
    ('竹', '铝')
    """
    for suf in _ZH_SUFFIXES:
        if key.endswith(suf) and len(key) > len(suf):
            return key[: -len(suf)]
    return key


def _trimmed(key: str) -> list[str]:
    """The key without a generic head (加工, 配套 …) and/or a modifier (现代, 高端 …).

    Examples
    --------
    >>> _trimmed("高端装备制造")
    ['高端装备', '装备制造', '装备']
    """
    out = []
    heads = [key[: -len(h)] for h in _ZH_HEADS if key.endswith(h) and len(key) - len(h) >= 2]
    mods = [key[len(m):] for m in _ZH_MODIFIERS if key.startswith(m) and len(key) - len(m) >= 2]
    out.extend(heads[:1])
    out.extend(mods[:1])
    for m in mods[:1]:
        out.extend(m[: -len(h)] for h in _ZH_HEADS if m.endswith(h) and len(m) - len(h) >= 2)
    return list(dict.fromkeys(out))


def split_compound(text: str) -> list[str]:
    """Split a compound sector string into its parts (one part if it is not compound).

    Parts shorter than two characters are glued back to their neighbour, so that
    ``机械和设备`` splits but a one-character part never stands alone.

    Examples
    --------
    >>> split_compound("新能源汽车及零部件")
    ['新能源汽车', '零部件']
    >>> split_compound("钢铁、有色金属"), split_compound("电子信息/软件")
    (['钢铁', '有色金属'], ['电子信息', '软件'])
    >>> split_compound("陶瓷")
    ['陶瓷']
    """
    if not isinstance(text, str):
        return []
    parts = [p.strip() for p in _COMPOUND_SEP.split(text.strip()) if p and p.strip()]
    if any(len(p) < 2 and not p.isascii() for p in parts):
        return [text.strip()] if text.strip() else []
    return parts


@dataclass(frozen=True)
class SectorMatch:
    """How one sector string (or one part of a compound string) was resolved.

    Attributes
    ----------
    input : str
        The string resolved (a compound's part for route ``compound``).
    codes : tuple of str
        Tag codes; empty for route ``literal``. For route ``fuzzy`` they are a guess.
    route : str
        One of :data:`ROUTES`.
    source : str
        The string as the user wrote it.

    Examples
    --------
    >>> m = Taxonomy.default().match("陶瓷")[0]
    >>> m.codes, m.route, m.exact
    (('MAT.CERAMIC',), 'name', True)
    """

    input: str
    codes: tuple[str, ...]
    route: str
    source: str

    @property
    def exact(self) -> bool:
        """True for the routes code, name, alias, english and compound."""
        return self.route in EXACT_ROUTES

    def to_dict(self) -> dict:
        """A plain record (``input, codes, route, source, exact``)."""
        return {"input": self.input, "codes": list(self.codes), "route": self.route,
                "source": self.source, "exact": self.exact}


@dataclass(frozen=True)
class SectorResolution:
    """The outcome of resolving several sector strings.

    Attributes
    ----------
    codes : list of str
        Tag codes of the exact matches, de-duplicated, in input order.
    unresolved : list of str
        Input strings (parts, for a compound) without an exact match: matched
        approximately (``fuzzy``) or not at all (``literal``).
    suggestions : dict
        For each unresolved string, close matches among tag names and aliases.
    items : tuple of SectorMatch
        One per input string; a compound string gives one item per part.

    Examples
    --------
    >>> r = Taxonomy.default().resolve_many(["陶瓷", "EV", "陶磁", "陶磁业务"])
    >>> r.codes, r.unresolved
    (['MAT.CERAMIC', 'AUTO.NEV'], ['陶磁', '陶磁业务'])
    >>> [m.route for m in r.items], r.fuzzy_codes
    (['name', 'english', 'fuzzy', 'literal'], ['MAT.CERAMIC'])
    """

    codes: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    suggestions: dict[str, list[str]] = field(default_factory=dict)
    items: tuple[SectorMatch, ...] = ()

    @property
    def fuzzy_codes(self) -> list[str]:
        """Codes guessed for approximate matches (not in :attr:`codes` unless also exact)."""
        out: list[str] = []
        for m in self.items:
            if m.route == "fuzzy":
                out.extend(c for c in m.codes if c not in out)
        return out

    @property
    def literals(self) -> list[str]:
        """The strings to search as literal text: every approximate or unmatched input
        that holds a word character (``"!!!"`` cannot be searched)."""
        return list(dict.fromkeys(m.input for m in self.items if not m.exact and re.search(r"\w", m.input)))


class Taxonomy:
    """A validated table of industry tags.

    Parameters
    ----------
    tags : pandas.DataFrame
        One row per tag with at least ``code`` and ``name``; the other columns of
        ``taxonomy.csv`` are optional. List cells may be ``|``-separated strings or lists.
        The validated rows are kept as plain dicts; :attr:`tags` gives them as a DataFrame.
    false_friends : pandas.DataFrame, optional
        Columns ``string, codes`` (codes ``|``-separated, may be empty).
    catalogue : pandas.DataFrame, optional
        Columns ``label, codes`` (and ``method``): development-zone catalogue labels to
        tag codes. A label mapped by ``override``, ``resolve`` or ``compound`` resolves
        as an alias; one mapped by ``tagged`` (terms found inside it) only fuzzily.
    gbt : pandas.DataFrame, optional
        Columns ``code, name, tag``: GB/T 4754 nodes and the tag that stands for each.

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

    def __init__(self, tags, false_friends=None, catalogue=None, gbt=None):
        records = self._check_tags(tags)
        self._records = records
        self.codes = [r["code"] for r in records]
        self._index = {c: i for i, c in enumerate(self.codes)}
        self._rows = {r["code"]: dict(r) for r in records}
        self._children: dict[str, list[str]] = {c: [] for c in self.codes}
        for c in self.codes:
            p = self._rows[c]["parent"]
            if p:
                self._children[p].append(c)
        self._lookup, self._en = self._build_lookup()
        self._code_lookup = {c.lower(): c for c in self.codes}
        self.false_friends = self._check_false_friends(false_friends)
        for c in self.codes:
            for ff in self._rows[c]["false_friends"]:
                known = self._lookup.get(sector_key(ff))
                if known:
                    raise TableSchemaError(f"taxonomy ({c}): false friend {ff!r} is a string of {', '.join(known)}")
                self.false_friends.setdefault(ff, ())
        self._catalogue, self._catalogue_exact = self._check_catalogue(catalogue)
        self._gbt_own: set[str] = set()
        self._gbt_code, self._gbt_name = self._check_gbt(gbt)

    @property
    def tags(self):
        """The validated table, one row per tag (a DataFrame, built on first access).

        Examples
        --------
        >>> tags = Taxonomy.default().tags
        >>> tags.loc[0, "code"], tags.loc[0, "name"], list(tags.columns[:3])
        ('EQP', '装备制造', ['code', 'name', 'aliases'])
        """
        frame = self.__dict__.get("_tags_frame")
        if frame is None:
            import pandas as pd

            frame = self.__dict__["_tags_frame"] = pd.DataFrame(self._records, columns=_COLUMNS)
        return frame

    @tags.setter
    def tags(self, frame) -> None:
        self.__dict__["_tags_frame"] = frame

    def __getstate__(self):
        state = dict(self.__dict__)
        for k in ("_tagger", "_zh_pool", "_approximated", "_suggested"):  # caches, rebuilt on first use
            state.pop(k, None)
        return state

    # ------------------------------------------------------------------ loading
    @classmethod
    def from_csv(cls, path, false_friends=None, catalogue=None, gbt=None) -> "Taxonomy":
        """Load a taxonomy from a CSV file (and optional companion tables).

        Parameters
        ----------
        path : str or Path
            The ``taxonomy.csv``-shaped table.
        false_friends, catalogue, gbt : str or Path, optional
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
        gb = _read_csv(gbt) if gbt else None
        return cls(tags, ff, cat, gb)

    @classmethod
    def default(cls) -> "Taxonomy":
        """Return the bundled taxonomy, as a new object on every call.

        The bundled tables are read and validated once; each call returns an independent
        deep copy of that object, so a caller that changes its taxonomy never changes
        anyone else's.

        Returns
        -------
        Taxonomy
            With :attr:`bundled` true.

        Examples
        --------
        >>> a, b = Taxonomy.default(), Taxonomy.default()
        >>> a is b, a.bundled, a.codes == b.codes
        (False, True, True)
        """
        return _fresh_copy(_default_taxonomy())

    @property
    def bundled(self) -> bool:
        """Whether this taxonomy was made by :meth:`default`: a saved model then refers to the
        bundled tables (checked by checksum on load) instead of holding a copy of them.

        Examples
        --------
        >>> Taxonomy.default().bundled, Taxonomy(Taxonomy.default().tags).bundled
        (True, False)
        """
        return bool(self.__dict__.get("_bundled", False))

    # --------------------------------------------------------------- validation
    @staticmethod
    def _check_tags(tags) -> list[dict]:
        columns, rows = _table_records(tags, "taxonomy table")
        missing = [c for c in _REQUIRED if c not in columns]
        if missing:
            raise TableSchemaError(f"taxonomy table lacks column(s) {', '.join(missing)}")
        records = []
        for i, row in enumerate(rows):
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
        return [{c: rec[c] for c in _COLUMNS} for rec in records]

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
        columns, rows = _table_records(table, "false-friend table")
        if "string" not in columns:
            raise TableSchemaError("false-friend table lacks column 'string'")
        for i, row in enumerate(rows):
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

    def _check_catalogue(self, table) -> tuple[dict[str, list[str]], set[str]]:
        out: dict[str, list[str]] = {}
        exact: set[str] = set()
        if table is None:
            return out, exact
        columns, rows = _table_records(table, "catalogue-label table")
        for col in ("label", "codes"):
            if col not in columns:
                raise TableSchemaError(f"catalogue-label table lacks column {col!r}")
        for i, row in enumerate(rows):
            codes = _split(row.get("codes"))
            for c in codes:
                if c not in self._index:
                    raise TableSchemaError(f"catalogue-label row {i + 2}: unknown code {c!r}")
            key = sector_key(str(row["label"]))
            out[key] = codes
            if codes and str(row.get("method") or "override") in ("override", "resolve", "compound"):
                exact.add(key)
        return out, exact

    def _check_gbt(self, table) -> tuple[dict[str, str], dict[str, str]]:
        by_code: dict[str, str] = {}
        by_name: dict[str, str] = {}
        if table is None:
            return by_code, by_name
        columns, rows = _table_records(table, "GB/T index table")
        for col in ("code", "name", "tag"):
            if col not in columns:
                raise TableSchemaError(f"GB/T index table lacks column {col!r}")
        for i, row in enumerate(rows):
            tag = str(row["tag"]).strip()
            if tag not in self._index:
                raise TableSchemaError(f"GB/T index row {i + 2}: unknown tag {tag!r}")
            by_code[str(row["code"]).strip().lower()] = tag
            by_name.setdefault(sector_key(str(row["name"])), tag)
            if str(row["code"]).strip() == str(self._rows[tag]["gbt4754"]).strip():
                # the official name of the node the tag stands for (without 制造业) is the tag
                name = sector_key(str(row["name"]))
                self._gbt_own.update({_bare(name)} | {_bare(name[: -len(x)]) for x in _GBT_TYPE_SUFFIXES
                                                       if name.endswith(x) and len(name) - len(x) >= 2})
        for row in rows:
            name = sector_key(str(row["name"]))
            for suf in _GBT_TYPE_SUFFIXES:
                if name.endswith(suf) and len(name) - len(suf) >= 2:
                    core = name[: -len(suf)]
                    if core not in self._lookup and "其他" not in core:
                        by_name.setdefault(core, str(row["tag"]).strip())
                    break
        return by_code, by_name

    # ----------------------------------------------------------------- structure
    def __len__(self) -> int:
        return len(self.codes)

    def __repr__(self) -> str:
        top = sum(1 for r in self._records if r["level"] == 1)
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

    def expansion_words(self, code: str) -> list[str]:
        """The words that stand for ``code`` in a query's expansion: its name, aliases and
        everyday terms.

        Examples
        --------
        >>> tax = Taxonomy.default()
        >>> words = tax.expansion_words("MAT.CERAMIC")
        >>> words[0] == tax.name("MAT.CERAMIC"), len(words) > 1
        (True, True)
        """
        row = self._rows[code]
        return [row["name"], *row["aliases"], *row["terms"]]

    def narrower(self, sector: str, codes: Iterable[str]) -> bool:
        """Whether ``sector`` names only a part of the tags ``codes`` it resolved to.

        A string that is a tag's name, alias, English name or the official GB/T name of the
        node the tag stands for (possibly with a suffix such as 产业 or a generic head such
        as 制造) *is* the tag; so is a string standing for several tags (金属冶炼).
        A string found only among a tag's everyday terms or the catalogue labels it stands
        for names one product or branch of it: 轴承 is one of 通用设备's products, 羊绒 one
        branch of 纺织, and a county that makes pumps or cotton yarn is no bearing or
        cashmere cluster.

        Examples
        --------
        >>> tax = Taxonomy.default()
        >>> tax.narrower("轴承", ["EQP.GENERAL"]), tax.narrower("通用设备", ["EQP.GENERAL"])
        (True, False)
        >>> tax.narrower("陶瓷产业", ["MAT.CERAMIC"]), tax.narrower("Remote Sensing", ["DIG.GEO"])
        (False, False)
        >>> tax.narrower("黑色金属冶炼压延加工", ["MAT.STEEL"]), tax.narrower("金属冶炼", ["MAT.NONFERR", "MAT.STEEL"])
        (False, False)
        """
        codes = [c for c in codes if c in self._rows]
        if len(codes) != 1:
            return False          # a string standing for several tags (金属冶炼) is no part of one
        key = sector_key(sector)
        keys = [key] + [key[: -len(s)] for s in _ZH_SUFFIXES if key.endswith(s) and len(key) > len(s) + 1]
        keys += [t for k in list(keys) for t in _trimmed(k)]
        r = self._rows[codes[0]]
        same = {sector_key(s) for s in [r["name"], *r["aliases"], r["name_en"], *r["synonyms_en"]]}
        return not any(k in same or _bare(k) in self._gbt_own for k in keys)

    # ---------------------------------------------------------------- resolving
    def resolve(self, sector: str) -> list[str]:
        """Codes for a sector string resolved exactly; ``[]`` otherwise.

        Accepts a code (any case), a GB/T 4754 code or official name at any level, a
        Chinese name, alias, term or query term, an English name or synonym (any case,
        hyphens or spaces, a plural ``s`` tolerated), traditional Chinese, a Chinese name
        followed by 产业/行业/产业链 and the like, and a catalogue label reviewed in
        ``catalogue_labels.csv``. Compounds and approximate matches are left to
        :meth:`match`.

        Examples
        --------
        >>> tax = Taxonomy.default()
        >>> tax.resolve("mat.ceramic"), tax.resolve("陶瓷行业"), tax.resolve("Remote Sensing")
        (['MAT.CERAMIC'], ['MAT.CERAMIC'], ['DIG.GEO'])
        >>> tax.resolve("3612"), tax.resolve("新能源车整车制造")
        (['AUTO.NEV'], ['AUTO.NEV'])
        >>> tax.resolve("量子引力")
        []
        """
        return list(self._exact(sector)[0])

    def _exact(self, sector) -> tuple[list[str], str | None]:
        """``(codes, route)`` of an exact resolution, or ``([], None)``."""
        if not isinstance(sector, str):
            return [], None
        raw = unicodedata.normalize("NFKC", sector).strip()
        low = raw.lower()
        if low in self._code_lookup:
            return [self._code_lookup[low]], "code"
        gb = self._gbt_code.get(low)
        if gb is None and re.fullmatch(r"[a-t]\d{2,4}", low):
            gb = self._gbt_code.get(low[1:])
        if gb is not None:
            return [gb], "code"
        key = sector_key(raw)
        if not key:
            return [], None
        found = self._keyed(key)
        if found[0]:
            return found
        if key.isascii():
            for alt in (key[:-1] if key.endswith("s") else None, key + "s"):
                if alt and alt in self._lookup:
                    return list(self._lookup[alt]), "english"
            return [], None
        for suf in _ZH_SUFFIXES:
            if key.endswith(suf) and len(key) > len(suf) + 1:
                codes, route = self._keyed(key[: -len(suf)])
                if codes:
                    return codes, route
        if key in self._catalogue_exact:
            return list(self._catalogue[key]), "alias"
        for base in _trimmed(key):
            codes, route = self._keyed(base)
            if codes:
                return codes, "alias"
        return [], None

    def _keyed(self, key: str) -> tuple[list[str], str | None]:
        found = self._lookup.get(key)
        if found:
            if any(sector_key(self._rows[c]["name"]) == key for c in found):
                return list(found), "name"
            if key in self._en:
                return list(found), "english"
            return list(found), "alias"
        gb = self._gbt_name.get(key)
        if gb is not None:
            return [gb], "name"
        return [], None

    def match(self, sector: str) -> list[SectorMatch]:
        """Resolve one sector string and say how (see :data:`ROUTES`).

        In order: an exact match of the whole string (route ``code``, ``name``,
        ``alias`` or ``english``); a compound (A及B, A、B, A和B, A与B, A/B, or two
        industry words side by side such as 医药化工) whose parts are resolved one by
        one (an exactly resolved part has route ``compound``; a part that only
        qualifies the one before it, such as 配套, is dropped); a
        ``fuzzy`` match — a close spelling of a tag name or alias, or tag terms found
        inside the string — whose codes are a guess; else ``literal`` (no codes: the
        string is to be searched as text). Never raises.

        Returns
        -------
        list of SectorMatch
            One item, or one per part of a compound.

        Examples
        --------
        >>> tax = Taxonomy.default()
        >>> [(m.input, m.codes, m.route) for m in tax.match("钢铁、有色金属")]
        [('钢铁', ('MAT.STEEL',), 'compound'), ('有色金属', ('MAT.NONFERR',), 'compound')]
        >>> [(m.codes, m.route) for m in tax.match("陶磁")]
        [(('MAT.CERAMIC',), 'fuzzy')]
        >>> [(m.codes, m.route) for m in tax.match("量子引力波探测")]
        [((), 'literal')]
        """
        source = sector if isinstance(sector, str) else str(sector)
        text = unicodedata.normalize("NFKC", source).strip()
        codes, route = self._exact(text)
        if codes:
            return [SectorMatch(text, tuple(codes), route, source)]
        parts = split_compound(text)
        if len(parts) > 1:
            out = []
            for k, part in enumerate(parts):
                codes, route = self._exact(part)
                if codes:
                    out.append(SectorMatch(part, tuple(codes), "compound", source))
                elif k and sector_key(part) in _ZH_HEADS + _PART_HEADS:
                    continue  # 汽车及配套: 配套 qualifies the part before it
                else:
                    out.append(self._approximate(part, source))
            return out
        pair = self._juxtaposed(text)
        if pair:
            return [SectorMatch(p, tuple(c), "compound", source) for p, c in pair]
        return [self._approximate(text, source)]

    def _juxtaposed(self, text: str) -> list[tuple[str, list[str]]] | None:
        """Two industry words written without a separator (医药化工, 轻工纺织), or None.

        Each half must have two characters or more and resolve exactly; the longest
        first half wins.
        """
        key = sector_key(text)
        if key.isascii() or len(key) < 4:
            return None
        for cut in range(len(key) - 2, 1, -1):
            left, right = self._exact(key[:cut])[0], self._exact(key[cut:])[0]
            if left and right:
                return [(key[:cut], left), (key[cut:], right)]
        return None

    def _approximate(self, text: str, source: str) -> SectorMatch:
        # a batch asks about the same strings again and again: the fuzzy search is kept
        cache = self.__dict__.setdefault("_approximated", {})
        found = cache.get((text, source))
        if found is None:
            found = self._search_approximate(text, source)
            if len(cache) < 50_000:
                cache[(text, source)] = found
        return found

    def _search_approximate(self, text: str, source: str) -> SectorMatch:
        key = sector_key(text)
        if not key:
            return SectorMatch(text, (), "literal", source)
        guessed = self._catalogue.get(key)
        if guessed:
            return SectorMatch(text, tuple(guessed), "fuzzy", source)
        if key.isascii():
            pool = self._en
            core = key
        else:
            # spellings are compared without a closing 产业/行业: 竹产业 is 竹, not one
            # character off 铝产业
            pool = {}
            for k, codes in self._zh_names().items():
                pool.setdefault(_without_suffix(k), codes)
            core = _without_suffix(key)
        # a close spelling: one character off in a short word (陶磁), or a high ratio
        cutoff = 0.5 if len(core) <= 3 else _FUZZY_RATIO
        close = [c for c in difflib.get_close_matches(core, list(pool), n=3, cutoff=cutoff)
                 if len(core) > 3 or len(c) == len(core)][:1]
        if close:
            return SectorMatch(text, tuple(pool[close[0]]), "fuzzy", source)
        if not key.isascii():
            inside = self._terms_inside(text)
            if inside:
                return SectorMatch(text, tuple(inside), "fuzzy", source)
        return SectorMatch(text, (), "literal", source)

    def _zh_names(self) -> dict[str, list[str]]:
        pool = self.__dict__.get("_zh_pool")
        if pool is None:
            pool = {}
            for c in self.codes:
                r = self._rows[c]
                for s in [r["name"], *r["aliases"]]:
                    k = sector_key(s)
                    if k and not k.isascii():
                        pool.setdefault(k, [c])
            self.__dict__["_zh_pool"] = pool
        return pool

    def _terms_inside(self, text: str) -> list[str]:
        tagger = self.__dict__.get("_tagger")
        if tagger is None:
            from recommender.knowledge.tagging import IndustryTagger

            tagger = self.__dict__["_tagger"] = IndustryTagger(self)
        return list(dict.fromkeys(h.code for h in tagger.find(text)))

    def resolve_many(self, sectors: Iterable[str] | str) -> SectorResolution:
        """Resolve several sector strings at once; never raises.

        Parameters
        ----------
        sectors : iterable of str, or one str

        Returns
        -------
        SectorResolution
            ``codes`` holds the exact matches only; ``items`` says how every string
            (or compound part) was resolved.

        Examples
        --------
        >>> r = Taxonomy.default().resolve_many(["遥感", "GIS", "硬质合全"])
        >>> r.codes, r.unresolved, "硬质合金" in r.suggestions["硬质合全"]
        (['DIG.GEO'], ['硬质合全'], True)
        >>> [m.route for m in r.items]
        ['alias', 'english', 'fuzzy']
        """
        if isinstance(sectors, str):
            sectors = [sectors]
        items: list[SectorMatch] = []
        for s in sectors:
            items.extend(self.match(s))
        codes: list[str] = []
        unresolved: list[str] = []
        suggestions: dict[str, list[str]] = {}
        for m in items:
            if m.exact:
                codes.extend(c for c in m.codes if c not in codes)
            elif m.input not in unresolved:
                unresolved.append(m.input)
                suggestions[m.input] = self.suggest(m.input)
        return SectorResolution(codes=codes, unresolved=unresolved, suggestions=suggestions, items=tuple(items))

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
        cache = self.__dict__.setdefault("_suggested", {})
        found = cache.get((key, n))
        if found is None:
            found = self._search_suggestions(key, n)
            if len(cache) < 50_000:
                cache[(key, n)] = found
        return list(found)

    def _search_suggestions(self, key: str, n: int) -> list[str]:
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
        # the zones' labels repeat (a batch asks about the same few hundred again and again)
        cache = self.__dict__.setdefault("_catalogue_codes_cache", {})
        if label in cache:
            return list(cache[label])
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
        cache[label] = tuple(out)
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


def _read_csv(path) -> tuple[list[str], list[dict]]:
    """A CSV table's header and its rows (a missing cell reads as "")."""
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
    return header, [{c: "" if row.get(c) is None else row[c] for c in header} for row in rows]


def _table_records(table, what: str) -> tuple[list[str], list[dict]]:
    """A table's column names and rows: from a DataFrame, or as :func:`_read_csv` gives them.

    Raises
    ------
    TableSchemaError
        When ``table`` is neither.
    """
    if isinstance(table, tuple) and len(table) == 2:
        return list(table[0]), list(table[1])
    if hasattr(table, "to_dict") and hasattr(table, "columns"):
        return list(table.columns), table.to_dict("records")
    if hasattr(table, "columns") and hasattr(table, "__getitem__"):  # a table of a saved model
        columns = list(table.columns)
        return columns, [dict(zip(columns, values)) for values in zip(*(list(table[c]) for c in columns))]
    raise TableSchemaError(f"{what} must be a pandas DataFrame")


def _fresh_copy(tax: "Taxonomy") -> "Taxonomy":
    """An independent copy of a taxonomy: its tables and lookups copied, its caches left out.

    The tables and lookups hold only dicts, lists and sets of strings, numbers and tuples;
    copying those (and sharing the immutable values) is what a deep copy would do, faster.
    """
    new = Taxonomy.__new__(Taxonomy)
    state = tax.__getstate__()
    state.pop("_tags_frame", None)
    new.__dict__.update(independent_state(state))
    frame = tax.__dict__.get("_tags_frame")
    if frame is not None:
        # a DataFrame's deep copy shares the Python objects in its cells: copy the lists too
        frame = frame.copy()
        for col in frame.columns:
            if frame[col].dtype == object:
                frame[col] = [copy.deepcopy(v) if isinstance(v, (list, dict, set)) else v for v in frame[col]]
        new.__dict__["_tags_frame"] = frame
    return new


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
    """The bundled taxonomy, read once; never handed out (:meth:`Taxonomy.default` copies it)."""
    cat = data_path("catalogue_labels.csv")
    gbt = data_path("gbt4754_index.csv")
    tax = Taxonomy.from_csv(
        data_path("taxonomy.csv"),
        false_friends=data_path("false_friends.csv"),
        catalogue=cat if cat.exists() else None,
        gbt=gbt if gbt.exists() else None,
    )
    tax._bundled = True
    logger.debug("loaded %r", tax)
    return tax
