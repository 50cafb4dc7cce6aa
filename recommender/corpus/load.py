"""Find input files, decode them, and read tables of documents.

"Decoded text" means exactly the string :meth:`Corpus.source_text` returns and that
passage offsets index:

* for a page file: the file's bytes decoded as UTF-8 (a leading BOM removed, it is
  not part of the text) or else as GB18030, with ``\\r\\n`` and lone ``\\r`` line
  breaks turned into ``\\n`` -- exactly what Python's default text mode (universal
  newlines) gives; nothing else is changed;
* for a table row: that row's text field, as a ``str`` (verbatim, line breaks
  inside a cell included).

So ``open(source, encoding="utf-8-sig").read()[start:end] == text`` holds for UTF-8
pages and ``encoding="gb18030"`` for GB18030 pages, whatever their line endings.
"""

from __future__ import annotations

import io
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from recommender.exceptions import CorpusError, DecodeError, TableSchemaError

logger = logging.getLogger(__name__)

__all__ = [
    "PAGE_SUFFIXES",
    "TABLE_SUFFIXES",
    "TEXT_COLUMNS",
    "REGION_COLUMNS",
    "DecodeError",
    "find_input_files",
    "decode_bytes",
    "read_page",
    "TableRows",
    "read_table",
    "iter_sources",
]

PAGE_SUFFIXES = (".txt", ".md", ".html", ".htm")
TABLE_SUFFIXES = (".csv", ".jsonl", ".parquet")
TEXT_COLUMNS = ("text", "full_text", "content", "body")
REGION_COLUMNS = ("region", "province", "city", "district")
TITLE_COLUMNS = ("title",)
DATE_COLUMNS = ("publish_date", "date")


def _as_list(paths) -> list:
    if isinstance(paths, (str, os.PathLike)):
        return [paths]
    return list(paths)


def find_input_files(paths) -> list[str]:
    """Expand files and directories (recursively, sorted) into the files to read.

    Each file is returned as given (``str(path)``); files found in a directory are
    ``str(Path(directory) / relative)``. Only supported suffixes are taken from
    directories; a file named explicitly is always returned.

    Raises
    ------
    CorpusError
        When a path does not exist, or no paths were given.

    Examples
    --------
    >>> from recommender.datasets import SAMPLE_DIR
    >>> [Path(p).name[:3] for p in find_input_files(SAMPLE_DIR)]
    ['000', '001', '002', '003', '004']
    """
    items = _as_list(paths)
    if not items:
        raise CorpusError("no corpus paths given: pass files or directories of reports")
    out: list[str] = []
    for item in items:
        p = Path(item)
        if not p.exists():
            raise CorpusError(f"corpus path does not exist: {str(item)!r}")
        if p.is_dir():
            found = sorted(
                q for q in p.rglob("*")
                if q.is_file() and q.suffix.lower() in PAGE_SUFFIXES + TABLE_SUFFIXES
                and not any(part.startswith(".") for part in q.relative_to(p).parts)
            )
            out.extend(str(q) for q in found)
        else:
            out.append(str(item))
    return list(dict.fromkeys(out))


def decode_bytes(data: bytes, *, universal_newlines: bool = True) -> str:
    """Decode page bytes: UTF-8 (BOM removed), else GB18030; both strictly.

    Parameters
    ----------
    data : bytes
        The raw file content.
    universal_newlines : bool, default=True
        Turn ``\\r\\n`` and lone ``\\r`` into ``\\n``, as ``open(path, encoding=...)``
        does in text mode, so that offsets into the result index what a reader of
        the file with plain ``open(...).read()`` sees. Tables pass ``False`` (a CSV
        cell keeps its own line breaks).

    Raises
    ------
    DecodeError
        ``binary`` (NUL bytes or mostly control characters), ``undecodable``, ``empty``.

    Examples
    --------
    >>> decode_bytes("株洲".encode("gb18030")), decode_bytes("\\ufeff株洲".encode("utf-8"))
    ('株洲', '株洲')
    >>> decode_bytes(b"a\\r\\nb\\rc\\n")
    'a\\nb\\nc\\n'
    """
    if b"\x00" in data:
        raise DecodeError("binary (NUL bytes)")
    text = None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc, errors="strict")
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise DecodeError("undecodable (neither UTF-8 nor GB18030)")
    if universal_newlines and "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DecodeError("empty")
    sample = text[:4096]
    ctrl = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if ctrl > 0.1 * len(sample):
        raise DecodeError("binary (control characters)")
    return text


def read_page(path: str) -> str:
    """Read and decode one page file (see :func:`decode_bytes`).

    Examples
    --------
    >>> from recommender.datasets import sample_corpus_paths
    >>> read_page(str(sample_corpus_paths()[0]))[:3]
    '• 【'
    """
    with open(path, "rb") as fh:
        return decode_bytes(fh.read())


@dataclass
class TableRows:
    """The usable rows of a table file.

    ``rows`` holds dicts with ``row`` (0-based data row), ``line`` (1-based line of a
    JSON Lines file, else None), ``text``, ``region``, ``title`` and ``date``;
    ``n_empty`` counts rows skipped for empty text; ``problems`` lists ``(where, reason)``
    for every row skipped or read with a defect (``where`` is ``"line N"`` in a JSON
    Lines file, ``"row N"`` (0-based data row) in other tables).

    Examples
    --------
    >>> TableRows("t.csv", "text").n_empty
    0
    """

    source: str
    text_column: str
    rows: list[dict] = field(default_factory=list)
    n_empty: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)


def _jsonl_records(text: str) -> tuple[list[dict | None], list[int], list[tuple[str, str]]]:
    """Parse JSON Lines line by line: a corrupt line becomes ``None`` (and a problem),
    the others are kept; blank lines are not rows.

    Examples
    --------
    >>> recs, lines, problems = _jsonl_records('{"text": "甲"}\\n\\n{"text": \\n[1]\\n')
    >>> recs, lines
    ([{'text': '甲'}, None, None], [1, 3, 4])
    >>> [w for w, _ in problems]
    ['line 3', 'line 4']
    """
    records: list[dict | None] = []
    lines: list[int] = []
    problems: list[tuple[str, str]] = []
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        lines.append(n)
        try:
            rec = json.loads(line)
        except ValueError as exc:
            problems.append((f"line {n}", f"not valid JSON ({str(exc).split(':')[0]}); skipped"))
            records.append(None)
            continue
        if not isinstance(rec, dict):
            problems.append((f"line {n}", f"a JSON {type(rec).__name__}, not an object; skipped"))
            records.append(None)
            continue
        records.append(rec)
    return records, lines, problems


def _frame(path: str):
    import pandas as pd

    suffix = Path(path).suffix.lower()
    if suffix == ".parquet":
        try:
            import pyarrow.parquet as pq
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "reading .parquet files needs pyarrow: pip install 'recommender[parquet]'"
            ) from exc
        df = pq.read_table(path).to_pandas()
        return df, [str(c) for c in df.columns], None, []
    with open(path, "rb") as fh:
        text = decode_bytes(fh.read(), universal_newlines=False)
    if suffix == ".jsonl":
        records, lines, problems = _jsonl_records(text)
        columns = list(dict.fromkeys(k for r in records if r is not None for k in r))
        return records, columns, lines, problems
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return df, [str(c) for c in df.columns], None, []


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:  # NaN
        return ""
    return value if isinstance(value, str) else str(value)


def read_table(path: str, *, text_column: str | None = None, region_column: str | None = None) -> TableRows:
    """Read a ``.csv``, ``.jsonl`` or ``.parquet`` table of documents, one a row.

    Parameters
    ----------
    path : str
        The table file.
    text_column, region_column : str, optional
        Column names to use; by default the first present of ``text, full_text,
        content, body`` and of ``region, province, city, district``.

    Raises
    ------
    TableSchemaError
        When the text (or an explicitly named region) column is missing.
    DecodeError
        When the file cannot be decoded.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "r.csv")
    >>> _ = open(p, "w", encoding="utf-8").write("province,title,content\\n湖南省,报告,经济增长。\\n湖南省,空,\\n")
    >>> t = read_table(p)
    >>> t.text_column, [(r["row"], r["region"], r["text"]) for r in t.rows], t.n_empty
    ('content', [(0, '湖南省', '经济增长。')], 1)
    """
    data, cols, lines, problems = _frame(path)
    if isinstance(data, list):
        if not cols and problems:
            raise ValueError(f"no line is a JSON object ({problems[0][0]}: {problems[0][1]})")
        records = data
    else:
        data.columns = cols
        records = data.to_dict("records")
    if text_column is not None:
        if text_column not in cols:
            raise TableSchemaError(
                f"{path}: no text column {text_column!r}; the table has columns: {', '.join(cols)}"
            )
        tcol = text_column
    else:
        tcol = next((c for c in TEXT_COLUMNS if c in cols), None)
        if tcol is None:
            raise TableSchemaError(
                f"{path}: no text column (looked for {', '.join(TEXT_COLUMNS)}); "
                f"the table has columns: {', '.join(cols)}; name one with text_column="
            )
    if region_column is not None and region_column not in cols:
        raise TableSchemaError(
            f"{path}: no region column {region_column!r}; the table has columns: {', '.join(cols)}"
        )
    rcol = region_column or next((c for c in REGION_COLUMNS if c in cols), None)
    ticol = next((c for c in TITLE_COLUMNS if c in cols), None)
    dcol = next((c for c in DATE_COLUMNS if c in cols), None)
    out = TableRows(source=path, text_column=tcol, problems=list(problems))
    for i, rec in enumerate(records):
        if rec is None:  # a corrupt JSON line, already a problem
            continue
        where = f"line {lines[i]}" if lines is not None else f"row {i}"
        value = rec.get(tcol)
        if value is not None and not isinstance(value, (str, int, float)):
            out.problems.append((where, f"{tcol!r} is a JSON {type(value).__name__}, not text; skipped"))
            continue
        text = _cell(value)
        if not text.strip():
            out.n_empty += 1
            out.problems.append((where, f"no text in {tcol!r}; skipped"))
            continue
        region = _cell(rec.get(rcol)).strip() if rcol else ""
        if rcol and not region:
            out.problems.append((where, f"empty {rcol!r}; the report's place is read from its text"))
        out.rows.append(
            {
                "row": i,
                "line": lines[i] if lines is not None else None,
                "text": text,
                "region": region,
                "title": _cell(rec.get(ticol)).strip() if ticol else "",
                "date": _cell(rec.get(dcol)).strip() if dcol else "",
            }
        )
    return out


def iter_sources(paths: Iterable) -> list[tuple[str, str]]:
    """Return ``(path, kind)`` pairs with kind ``page``, ``table`` or ``unsupported``.

    Examples
    --------
    >>> iter_sources(["a.txt", "b.csv", "c.pdf"])
    [('a.txt', 'page'), ('b.csv', 'table'), ('c.pdf', 'unsupported')]
    """
    out = []
    for p in paths:
        suffix = Path(p).suffix.lower()
        kind = "page" if suffix in PAGE_SUFFIXES else "table" if suffix in TABLE_SUFFIXES else "unsupported"
        out.append((p, kind))
    return out
