"""Build ``profile_columns.csv`` and ``profile_levels.csv`` from their hand-written seeds.

The seeds list, in simplified Chinese and English, the table headers people write for
each profile field (``profile_columns_seed.csv``, most specific first: when two columns
of one table name the same field, the earlier header wins) and the words they use for a
level (``profile_levels_seed.csv``). This script adds the traditional forms (OpenCC
``s2t``, ``s2tw``, ``s2hk`` and ``s2twp``, which also swaps Taiwan phrasing such as
項目 → 專案) and writes the tables the package reads. Run it after editing a seed::

    python -m recommender.data.build_profile_columns
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import opencc

HERE = Path(__file__).resolve().parent
CONVERSIONS = ("s2t", "s2tw", "s2hk", "s2twp")


def _read(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[1:]


def expand(rows: list[list[str]]) -> list[tuple[str, str, str]]:
    """Return ``(key, value, script)`` rows: each seed row, then its traditional forms.

    Examples
    --------
    >>> expand([["企业名称", "profile_id"], ["id", "profile_id"]])
    [('企业名称', 'profile_id', 'hans'), ('企業名稱', 'profile_id', 'hant'), ('id', 'profile_id', 'hans')]
    """
    converters = [opencc.OpenCC(name) for name in CONVERSIONS]
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for key, value in rows:
        if key in seen:
            raise ValueError(f"duplicated seed entry {key!r}")
        seen.add(key)
        out.append((key, value, "hans"))
        for conv in converters:
            form = conv.convert(key)
            if form not in seen:
                seen.add(form)
                out.append((form, value, "hant"))
    return out


def _write(path: Path, header: list[str], rows: list[tuple[str, str, str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def main() -> None:
    columns = [(h, f) for f, h in _read(HERE / "profile_columns_seed.csv")]
    _write(HERE / "profile_columns.csv", ["header", "field", "script"], expand(columns))
    levels = _read(HERE / "profile_levels_seed.csv")
    _write(HERE / "profile_levels.csv", ["value", "level", "script"], expand(levels))


if __name__ == "__main__":
    main()
