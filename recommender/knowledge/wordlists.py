"""Word lists of the linker and the tagger, read from ``knowledge/data/*_words.csv``.

Each table has the columns ``list`` (which list a row belongs to), ``word`` and ``note``
(why the list exists, on its first row). Order is kept: some lists are tried in order.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from recommender.exceptions import TableSchemaError

__all__ = ["word_list"]

DATA_DIR = Path(__file__).resolve().parent / "data"


@functools.lru_cache(maxsize=None)
def _table(name: str) -> dict[str, tuple[str, ...]]:
    path = DATA_DIR / name
    lists: dict[str, list[str]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or not {"list", "word"} <= set(reader.fieldnames):
            raise TableSchemaError(f"{path} needs the columns list, word (and note)")
        for i, row in enumerate(reader, start=2):
            if not row["list"] or not row["word"]:
                raise TableSchemaError(f"{path} line {i}: empty list name or word")
            lists.setdefault(row["list"], []).append(row["word"])
    return {k: tuple(v) for k, v in lists.items()}


def word_list(table: str, name: str) -> tuple[str, ...]:
    """The words of list ``name`` in the bundled table ``table``, in table order.

    Examples
    --------
    >>> "大道" in word_list("linking_words.csv", "landmark_suffix")
    True
    >>> word_list("tagging_words.csv", "governance")[:3]
    ('整治', '治理', '排查')
    """
    lists = _table(table)
    if name not in lists:
        raise TableSchemaError(f"no list {name!r} in {table}; lists: {', '.join(sorted(lists))}")
    return lists[name]
