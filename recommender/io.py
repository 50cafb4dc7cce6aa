"""Reading and writing tables of profiles and results (CSV, JSONL, Parquet)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd

from recommender.exceptions import InputError, TableSchemaError

__all__ = ["neutralize_formula", "frame_to_csv_text", "write_csv", "read_profiles_table",
           "OUTPUT_FORMATS", "output_format"]

OUTPUT_FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet"}
#: First characters that make a spreadsheet read a cell as a formula (the full-width
#: forms too: some spreadsheet locales turn them into their ASCII twins on input).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def neutralize_formula(value: Any) -> Any:
    """Make a CSV cell safe to open in a spreadsheet.

    A string starting with ``=``, ``+``, ``-``, ``@`` (or their full-width forms), tab,
    carriage return or line feed would be read as a formula; it gets a leading
    apostrophe. Other values (numbers included) pass through. Only CSV output is
    neutralised: JSONL and Parquet keep every string exactly.

    Examples
    --------
    >>> neutralize_formula("=HYPERLINK(\\"x\\")"), neutralize_formula("株洲"), neutralize_formula(-1)
    ('\\'=HYPERLINK("x")', '株洲', -1)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_object_dtype(out[col]) or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralize_formula)
    out.columns = [neutralize_formula(c) for c in out.columns]
    return out


def frame_to_csv_text(frame: pd.DataFrame) -> str:
    """Return ``frame`` as CSV text with formula-like cells neutralised.

    Examples
    --------
    >>> frame_to_csv_text(pd.DataFrame({"a": ["=1+1"]})).splitlines()
    ['a', "'=1+1"]
    """
    buf = io.StringIO()
    _safe_frame(frame).to_csv(buf, index=False)
    return buf.getvalue()


def write_csv(frame: pd.DataFrame, path, *, header: bool = True, mode: str = "w") -> None:
    """Write ``frame`` as UTF-8 CSV with formula-like cells neutralised."""
    _safe_frame(frame).to_csv(path, index=False, header=header, mode=mode, encoding="utf-8")


def output_format(path) -> str:
    """Return ``jsonl``, ``csv`` or ``parquet`` from a file name's extension.

    Raises
    ------
    InputError
        For any other extension.

    Examples
    --------
    >>> output_format("out/results.jsonl")
    'jsonl'
    """
    ext = Path(path).suffix.lower()
    if ext not in OUTPUT_FORMATS:
        raise InputError(f"unsupported output extension {ext or '(none)'!r} for {path}: use .jsonl, .csv or .parquet")
    return OUTPUT_FORMATS[ext]


def read_profiles_table(path) -> pd.DataFrame:
    """Read a profiles table (CSV, JSONL or Parquet) as strings, one profile a row.

    Raises
    ------
    InputError
        A missing file, an unsupported extension or an unreadable file.
    TableSchemaError
        A table with neither a ``sectors`` nor a ``text`` column.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"profiles file not found: {path}")
    ext = path.suffix.lower()
    try:
        if ext == ".csv":
            frame = _read_csv_any_encoding(path)
        elif ext == ".jsonl":
            frame = _read_jsonl(path)
        elif ext == ".parquet":
            try:
                frame = pd.read_parquet(path)
            except ImportError as exc:
                raise ImportError("reading Parquet needs the optional extra: pip install 'recommender[parquet]'") from exc
        else:
            raise InputError(f"unsupported profiles file {path.name}: use .csv, .jsonl or .parquet")
    except (InputError, ImportError):
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is bad input
        raise InputError(f"cannot read {path}: {exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if "sectors" not in frame.columns and "text" not in frame.columns:
        raise TableSchemaError(f"{path} has no 'sectors' or 'text' column (columns: {', '.join(frame.columns) or 'none'}); "
                               "a profiles table needs at least one of them")
    return frame


def decode_text_file(path: Path) -> str:
    """Return a small text table's content decoded as UTF-8 (BOM or not) or GB18030.

    Raises
    ------
    InputError
        When the bytes are neither.
    """
    raw = Path(path).read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{path} is neither UTF-8 nor GB18030 text")


def iter_jsonl_objects(path: Path, error_key: str = "__error__"):
    """Yield one dict per non-empty JSON Lines line; a bad line yields ``{error_key: message}``
    so that a caller can report it against its row instead of failing the whole file."""
    with open(path, encoding="utf-8-sig") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                obj = {error_key: f"line {lineno}: invalid JSON ({exc.msg})"}
            if not isinstance(obj, dict):
                obj = {error_key: f"line {lineno}: not a JSON object"}
            yield obj


def _read_csv_any_encoding(path: Path) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(decode_text_file(path)), dtype=str, keep_default_na=False, na_values=[""],
                       on_bad_lines="error", engine="python")


def _read_jsonl(path: Path) -> pd.DataFrame:
    return pd.DataFrame(list(iter_jsonl_objects(path)))
