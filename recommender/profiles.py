"""Investor profiles: fields, parsing from dicts and table rows, validation."""

from __future__ import annotations

import logging
import math
import re
import sys
from dataclasses import dataclass, field, fields
from typing import Any, Mapping

from recommender.exceptions import EmptyProfileError, InputError, UnknownLevelError

logger = logging.getLogger(__name__)

__all__ = ["InvestorProfile", "LEVELS", "MAX_TEXT_CHARS", "MAX_LIST_ITEMS", "MAX_ITEM_CHARS",
           "PROFILE_FIELDS", "split_list_field"]

#: Entity levels a profile may ask for, from the largest to the smallest.
LEVELS = ("province", "city", "district", "park", "town")
#: Profile text beyond this many characters is truncated (with a warning).
MAX_TEXT_CHARS = 10_000
#: A list field (sectors, regions, levels, exclude) may hold at most this many items ...
MAX_LIST_ITEMS = 100
#: ... each at most this many characters (a name, code or alias, not a description).
MAX_ITEM_CHARS = 200
PROFILE_FIELDS = ("profile_id", "sectors", "text", "regions", "levels", "exclude")
_LIST_SEPARATORS = re.compile(r"[;；、|]")


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    # pandas' missing markers can only reach us when pandas is already imported;
    # importing it here would cost a query process a large part of its cold start
    pd = sys.modules.get("pandas")
    return pd is not None and (value is pd.NA or value is pd.NaT)


def split_list_field(value: Any) -> list[str]:
    """Parse a list field: a list, or a string separated by ``;``, ``；``, ``、`` or ``|``.

    Empty items and surrounding spaces are dropped; missing values give ``[]``.

    Examples
    --------
    >>> split_list_field("轨道交通装备; 新材料、陶瓷")
    ['轨道交通装备', '新材料', '陶瓷']
    >>> split_list_field(float("nan"))
    []
    """
    if _is_missing(value):
        return []
    if isinstance(value, str):
        items = _LIST_SEPARATORS.split(value)
    elif isinstance(value, (list, tuple, set, frozenset)) or hasattr(value, "tolist"):
        items = list(value.tolist() if hasattr(value, "tolist") else value)
    else:
        items = [value]
    out = []
    for item in items:
        if _is_missing(item):
            continue
        text = str(item).strip()
        if text:
            out.append(text)
    return out


def _level(value: str) -> str:
    """A level as the contract spells it: ``District`` → ``district``, 区县 → ``district``."""
    from recommender.columns import contract_level

    return contract_level(value)


def _check_list_limits(name: str, items: tuple[str, ...]) -> None:
    """Refuse list fields too large to be names (they would only slow fuzzy matching down)."""
    if len(items) > MAX_LIST_ITEMS:
        raise InputError(f"{name} has {len(items)} items; at most {MAX_LIST_ITEMS} are accepted")
    for item in items:
        if len(item) > MAX_ITEM_CHARS:
            raise InputError(
                f"an item of {name} has {len(item)} characters (at most {MAX_ITEM_CHARS}): {item[:20]!r}...; "
                "list names or codes separated by ';' and put descriptions in text")


@dataclass(frozen=True)
class InvestorProfile:
    """What an investor is looking for.

    Parameters
    ----------
    sectors : list of str
        Industry tags: taxonomy code, Chinese name, alias or English name.
    text : str
        Free description of the investor, in Chinese or English.
    regions : list of str
        Keep only places inside these regions (a name or adcode at any level).
    levels : list of str
        Keep only these levels: ``province``, ``city``, ``district``, ``park``, ``town``
        (or in Chinese: 省, 市, 区县, 园区, 镇 and their common variants).
    exclude : list of str
        Places to leave out.
    profile_id : str or None
        The caller's id, echoed back in batch results.

    Examples
    --------
    >>> p = InvestorProfile(sectors=["陶瓷"], text="日用陶瓷企业", levels=["district"])
    >>> p.sectors, p.levels
    (('陶瓷',), ('district',))
    >>> InvestorProfile(text="陶瓷", levels="区县;园区").levels
    ('district', 'park')
    >>> InvestorProfile.from_dict({"sectors": "轨道交通装备;新材料", "text": None}).sectors
    ('轨道交通装备', '新材料')

    Text longer than :data:`MAX_TEXT_CHARS` is truncated with a logged warning (and
    ``truncated`` set); list fields longer than :data:`MAX_LIST_ITEMS` items or with an
    item over :data:`MAX_ITEM_CHARS` characters raise :class:`InputError`.

    >>> InvestorProfile(text="陶" * 10_001).truncated
    True
    """

    sectors: tuple[str, ...] = ()
    text: str = ""
    regions: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    profile_id: str | None = None
    truncated: bool = field(default=False, compare=False)

    def __post_init__(self):
        set_ = object.__setattr__
        for name in ("sectors", "regions", "levels", "exclude"):
            items = tuple(split_list_field(getattr(self, name)))
            _check_list_limits(name, items)
            set_(self, name, items)
        text = "" if _is_missing(self.text) else str(self.text).strip()
        if len(text) > MAX_TEXT_CHARS:
            logger.warning("profile %s: text of %d characters truncated to %d",
                           self.profile_id or "", len(text), MAX_TEXT_CHARS)
            text = text[:MAX_TEXT_CHARS]
            set_(self, "truncated", True)
        set_(self, "text", text)
        pid = self.profile_id
        set_(self, "profile_id", None if _is_missing(pid) or str(pid).strip() == "" else str(pid).strip())
        levels = tuple(_level(lv) for lv in self.levels)
        for level in levels:
            if level not in LEVELS:
                raise UnknownLevelError(level, LEVELS)
        set_(self, "levels", levels)
        if not self.sectors and not self.text:
            raise EmptyProfileError(self.profile_id)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "InvestorProfile":
        """Build a profile from a mapping (a dict or a table row).

        Unknown keys raise :class:`~recommender.exceptions.InputError` naming them;
        missing keys take their defaults.

        Examples
        --------
        >>> InvestorProfile.from_dict({"profile_id": 7, "text": "陶瓷"}).profile_id
        '7'
        """
        if isinstance(data, InvestorProfile):
            return data
        if not isinstance(data, Mapping):
            raise InputError(f"a profile must be a dict or InvestorProfile, not {type(data).__name__}")
        unknown = [k for k in data if k not in PROFILE_FIELDS]
        if unknown:
            raise InputError(
                f"unknown profile field(s) {', '.join(map(repr, unknown))}; "
                f"valid fields: {', '.join(PROFILE_FIELDS)}"
            )
        kwargs = {k: data[k] for k in PROFILE_FIELDS if k in data}
        if "text" in kwargs and _is_missing(kwargs["text"]):
            kwargs["text"] = ""
        return cls(**kwargs)

    @classmethod
    def coerce(cls, value: Any) -> "InvestorProfile":
        """Accept an :class:`InvestorProfile`, a dict, or a plain string (taken as text).

        Examples
        --------
        >>> InvestorProfile.coerce("硬质合金刀具").text
        '硬质合金刀具'
        """
        if isinstance(value, InvestorProfile):
            return value
        if isinstance(value, str):
            return cls(text=value)
        return cls.from_dict(value)

    def to_dict(self) -> dict[str, Any]:
        """Return the profile as a plain dict of its contract fields."""
        return {f.name: (list(getattr(self, f.name)) if isinstance(getattr(self, f.name), tuple)
                         else getattr(self, f.name)) for f in fields(self) if f.name in PROFILE_FIELDS}
