"""Profile-table headers: the contract's field names and the Chinese headers people write.

Investor lists kept in Excel say 企业名称, 所属行业, 企业简介, 意向区域, 层级, 排除 (or their
traditional forms 企業名稱, 所屬行業 ...) rather than ``profile_id``, ``sectors``, ``text``,
``regions``, ``levels``, ``exclude``. The header table ``data/profile_columns.csv`` (built
from a seed by ``data/build_profile_columns.py``) maps each known header to its field;
:func:`map_profile_columns` applies it to a table's columns and says which were used and
which ignored, and :func:`apply_profile_columns` renames (and, where several columns name
one field, combines) a DataFrame's columns. Every reader of profile tables goes through it.
"""

from __future__ import annotations

import csv
import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any, Iterable

__all__ = ["ColumnMapping", "profile_headers", "level_names", "contract_level", "map_profile_columns",
           "apply_profile_columns", "check_profile_columns"]

#: The contract's profile fields, in the order the header table lists them.
FIELDS = ("profile_id", "sectors", "text", "regions", "levels", "exclude")
#: Fields whose cells are lists: several columns naming one of them are joined with ``;``.
_LIST_FIELDS = ("sectors", "regions", "levels", "exclude")
_BRACKETED = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_PART_SEPARATORS = re.compile(r"[/／、|｜]+")
_EDGE_MARKS = "*＊:：#＃ "


def _read_table(name: str) -> list[dict[str, str]]:
    text = resources.files("recommender.data").joinpath(name).read_text(encoding="utf-8-sig")
    return list(csv.DictReader(text.splitlines()))


def _norm(header: Any) -> str:
    text = unicodedata.normalize("NFKC", str(header)).casefold()
    text = "".join(text.split())
    return text.strip(_EDGE_MARKS)


@functools.lru_cache(maxsize=1)
def profile_headers() -> dict[str, tuple[str, int]]:
    """Return the known headers: normalised header → ``(field, priority)``.

    A lower priority wins when two columns of one table name the same single-valued
    field (``profile_id``). Headers are compared after NFKC normalisation, case folding
    and removal of spaces and edge marks such as ``*`` (a "required" star).

    Raises
    ------
    ValueError
        When the packaged table names a field outside the contract or repeats a header.

    Examples
    --------
    >>> profile_headers()["企业名称"][0], profile_headers()["所屬行業"][0]
    ('profile_id', 'sectors')
    """
    out: dict[str, tuple[str, int]] = {}
    for priority, row in enumerate(_read_table("profile_columns.csv")):
        field, key = row["field"], _norm(row["header"])
        if field not in FIELDS:
            raise ValueError(f"profile_columns.csv: unknown field {field!r} for header {row['header']!r}")
        if key in out:
            raise ValueError(f"profile_columns.csv: header {row['header']!r} listed twice")
        out[key] = (field, priority)
    return out


@functools.lru_cache(maxsize=1)
def level_names() -> dict[str, str]:
    """Return the Chinese words for a level (simplified and traditional) → contract level.

    Examples
    --------
    >>> level_names()["区县"], level_names()["園區"]
    ('district', 'park')
    """
    return {_norm(row["value"]): row["level"] for row in _read_table("profile_levels.csv")}


def contract_level(value: Any) -> str:
    """Return a level in the contract's spelling: a Chinese word is translated, an English
    one lower-cased; anything else comes back lower-cased for the caller to reject.

    Examples
    --------
    >>> contract_level("区县"), contract_level("Park"), contract_level("planet")
    ('district', 'park', 'planet')
    """
    text = str(value).strip()
    return level_names().get(_norm(text), text.lower())


def _field_of(header: Any) -> tuple[str, int] | None:
    known = profile_headers()
    key = _norm(header)
    if key in known:
        return known[key]
    bare = _norm(_BRACKETED.sub("", key))  # 企业名称（全称） → 企业名称
    if bare in known:
        return known[bare]
    parts = [p for p in _PART_SEPARATORS.split(bare) if p]
    found = [known.get(p) for p in parts]
    if len(parts) > 1 and all(found) and len({f[0] for f in found}) == 1:  # 企业简介/主营业务
        return min(found, key=lambda f: f[1])
    return None


@dataclass(frozen=True)
class ColumnMapping:
    """Which columns of a profiles table feed which profile field.

    Attributes
    ----------
    used : tuple of (str, str)
        ``(column, field)`` in table order.
    ignored : tuple of str
        Columns that feed no field (unknown headers, or a second id column).
    """

    used: tuple[tuple[str, str], ...] = ()
    ignored: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields that some column feeds, in contract order."""
        have = {f for _, f in self.used}
        return tuple(f for f in FIELDS if f in have)

    def describe(self) -> str:
        """One line: the columns used (with their field when renamed) and those ignored.

        Examples
        --------
        >>> map_profile_columns(["企业名称", "所属行业", "联系人"]).describe()
        'columns used: 企业名称→profile_id, 所属行业→sectors; ignored: 联系人'
        """
        used = ", ".join(c if c == f else f"{c}→{f}" for c, f in self.used) or "none"
        ignored = ", ".join(self.ignored) or "none"
        return f"columns used: {used}; ignored: {ignored}"


def map_profile_columns(columns: Iterable[Any]) -> ColumnMapping:
    """Match a table's columns to profile fields.

    Contract names (``profile_id``, ``sectors``, ``text``, ``regions``, ``levels``,
    ``exclude``) and the Chinese headers of ``data/profile_columns.csv`` are recognised,
    also with a bracketed note (企业名称（全称）) or as ``/``-joined headers of one field
    (企业简介/主营业务). Several columns may feed ``text`` or a list field (their cells
    are joined); only the highest-priority id column feeds ``profile_id``.

    Examples
    --------
    >>> m = map_profile_columns(["序号", "企业名称", "所属行业", "企业简介", "意向区域"])
    >>> m.used
    (('企业名称', 'profile_id'), ('所属行业', 'sectors'), ('企业简介', 'text'), ('意向区域', 'regions'))
    >>> m.ignored
    ('序号',)
    """
    columns = [str(c) for c in columns]
    found = {c: _field_of(c) for c in columns}
    ids = [(f[1], c) for c, f in found.items() if f and f[0] == "profile_id"]
    id_column = min(ids)[1] if ids else None
    used, ignored = [], []
    for col in columns:
        hit = found[col]
        if hit is None or (hit[0] == "profile_id" and col != id_column):
            ignored.append(col)
        else:
            used.append((col, hit[0]))
    return ColumnMapping(tuple(used), tuple(ignored))


def check_profile_columns(mapping: ColumnMapping, columns: Iterable[Any], source: str = "the profiles table") -> None:
    """Raise :class:`TableSchemaError` unless some column feeds ``sectors`` or ``text``.

    The message names the columns found and the ones expected.

    Examples
    --------
    >>> cols = ["联系人", "电话"]
    >>> check_profile_columns(map_profile_columns(cols), cols, "名单.xlsx")
    Traceback (most recent call last):
    ...
    recommender.exceptions.TableSchemaError: 名单.xlsx has no 'sectors' or 'text' column (columns found: 联系人, 电话); expected sectors/所属行业 or text/企业简介/主营业务, optionally profile_id/企业名称, regions/意向区域, levels/层级, exclude/排除
    """
    from recommender.exceptions import TableSchemaError

    if "sectors" in mapping.fields or "text" in mapping.fields:
        return
    found = ", ".join(str(c) for c in columns) or "none"
    raise TableSchemaError(
        f"{source} has no 'sectors' or 'text' column (columns found: {found}); expected sectors/所属行业 or "
        "text/企业简介/主营业务, optionally profile_id/企业名称, regions/意向区域, levels/层级, exclude/排除")


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    try:
        import pandas as pd

        return value is pd.NA
    except ImportError:  # pragma: no cover
        return False


def _combine(field: str, cells: list[Any]) -> Any:
    present = [c for c in cells if not _missing(c)]
    if len(present) <= 1:
        return present[0] if present else cells[0]
    if field == "text":
        return "\n".join(str(c).strip() for c in present)
    items: list[Any] = []
    for c in present:
        if isinstance(c, (list, tuple)) or hasattr(c, "tolist"):
            items.extend(c.tolist() if hasattr(c, "tolist") else c)
        elif isinstance(c, (str, int, float)):
            items.append(c)
        else:  # a malformed cell: keep it so that the row reports it
            return c
    return items


def apply_profile_columns(frame, mapping: ColumnMapping | None = None):
    """Return ``(frame, mapping)``: the table with contract column names only.

    Ignored columns are dropped; where several columns feed ``text`` their non-empty
    cells are joined with a line break, and list fields are joined into one list.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"企业名称": ["甲公司"], "企业简介": ["日用陶瓷"], "主营业务": ["釉料"], "电话": ["1"]})
    >>> out, m = apply_profile_columns(t)
    >>> out.to_dict(orient="records"), m.ignored
    ([{'profile_id': '甲公司', 'text': '日用陶瓷\\n釉料'}], ('电话',))
    """
    import pandas as pd

    if mapping is None:
        mapping = map_profile_columns(frame.columns)
    used = [c for c, _ in mapping.used]
    dup = sorted({str(c) for c in frame.columns[frame.columns.duplicated()] if str(c) in used})
    if dup:
        from recommender.exceptions import TableSchemaError

        raise TableSchemaError(f"duplicated column(s) {', '.join(map(repr, dup))} in the profiles table")
    by_field: dict[str, list[str]] = {}
    for col, field in mapping.used:
        by_field.setdefault(field, []).append(col)
    out = {}
    for field in mapping.fields:
        cols = by_field[field]
        if len(cols) == 1:
            out[field] = frame[cols[0]]
        else:
            rows = frame[cols].itertuples(index=False, name=None)
            out[field] = pd.Series([_combine(field, list(r)) for r in rows], index=frame.index, dtype=object)
    return pd.DataFrame(out, index=frame.index), mapping
