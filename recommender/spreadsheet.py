"""Spreadsheet safety shared by the CSV and Excel writers: cells never read as formulas."""

from __future__ import annotations

from typing import Any

__all__ = ["neutralize_formula"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralize_formula(value: Any) -> Any:
    """Make a CSV cell safe to open in a spreadsheet.

    A string starting with ``=``, ``+``, ``-``, ``@`` (or their full-width forms), tab,
    carriage return or line feed would be read as a formula; it gets a leading
    apostrophe. Other values (numbers included) pass through. Only spreadsheet output is
    neutralised (CSV and Excel): JSONL and Parquet keep every string exactly.

    Examples
    --------
    >>> neutralize_formula("=HYPERLINK(\\"x\\")"), neutralize_formula("株洲"), neutralize_formula(-1)
    ('\\'=HYPERLINK("x")', '株洲', -1)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
