"""Reading and writing tables of profiles and results (CSV, JSONL, Parquet, Excel).

CSV is written as UTF-8 with a byte-order mark (what Excel needs to recognise UTF-8, so
Chinese shows as characters on a Chinese Windows machine); every reader accepts CSV with
or without one, and GB18030. Profile tables may use the contract's column names or the
Chinese headers of :mod:`recommender.columns`.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

from recommender.exceptions import InputError
from recommender.spreadsheet import neutralize_formula

__all__ = ["neutralize_formula", "frame_to_csv_text", "write_csv", "read_profiles_table", "read_profiles_source",
           "OUTPUT_FORMATS", "output_format", "PROFILE_EXTENSIONS"]

OUTPUT_FORMATS = {".jsonl": "jsonl", ".csv": "csv", ".parquet": "parquet", ".xlsx": "xlsx"}
#: Profile table file types that can be read.
PROFILE_EXTENSIONS = (".csv", ".jsonl", ".parquet", ".xlsx")
#: Column the JSON Lines reader fills for a line that is not a JSON object.
ROW_ERROR_KEY = "__error__"
#: First characters that make a spreadsheet read a cell as a formula (the full-width
#: forms too: some spreadsheet locales turn them into their ASCII twins on input).
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
    """Write ``frame`` as CSV with formula-like cells neutralised.

    A new file (``mode="w"``) starts with the UTF-8 byte-order mark, Excel's sign for
    UTF-8; appended chunks (``mode="a"``) add none. Read it back with
    ``pandas.read_csv(path, encoding="utf-8-sig")``.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "out.csv")
    >>> write_csv(pd.DataFrame({"name": ["醴陵市"]}), p)
    >>> open(p, "rb").read()[:3] == b"\\xef\\xbb\\xbf", pd.read_csv(p, encoding="utf-8-sig")["name"].tolist()
    (True, ['醴陵市'])
    """
    encoding = "utf-8-sig" if mode == "w" else "utf-8"
    _safe_frame(frame).to_csv(path, index=False, header=header, mode=mode, encoding=encoding)


def output_format(path) -> str:
    """Return ``jsonl``, ``csv``, ``parquet`` or ``xlsx`` from a file name's extension.

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
        raise InputError(f"unsupported output extension {ext or '(none)'!r} for {path}: "
                         "use .jsonl, .csv, .parquet or .xlsx")
    return OUTPUT_FORMATS[ext]


def read_profiles_source(path, sheet: str | None = None) -> pd.DataFrame:
    """Read a profiles file (CSV, JSONL, Parquet or Excel) as it is: its own columns, text cells.

    Parameters
    ----------
    path : str or Path
    sheet : str, optional
        The sheet of an ``.xlsx`` workbook (default the first); only for Excel files.

    Raises
    ------
    InputError
        A missing file, an unsupported extension, an unreadable file, a sheet that does
        not exist, or ``sheet`` for a file that is not a workbook.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"profiles file not found: {path}")
    ext = path.suffix.lower()
    if sheet is not None and ext != ".xlsx":
        raise InputError(f"a sheet was named ({sheet!r}) but {path.name} is not an .xlsx workbook")
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
        elif ext == ".xlsx":
            from recommender.excel import read_sheet

            frame = read_sheet(path, sheet)
        elif ext in (".xls", ".et", ".ods"):
            raise InputError(f"{path.name}: {ext} workbooks are not read; save it as .xlsx (Excel 2007 and later)")
        else:
            raise InputError(f"unsupported profiles file {path.name}: use .csv, .jsonl, .parquet or .xlsx")
    except (InputError, ImportError):
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is bad input
        raise InputError(f"cannot read {path}: {exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def read_profiles_table(path, sheet: str | None = None) -> pd.DataFrame:
    """Read a profiles table (CSV, JSONL, Parquet or Excel) with the contract's columns, one profile a row.

    Chinese headers (企业名称, 所属行业, 企业简介/主营业务, 意向区域, 层级, 排除 and the like,
    simplified or traditional) are mapped to the contract's fields by
    :func:`recommender.columns.map_profile_columns`; other columns are dropped. The
    mapping is kept in ``frame.attrs["column_mapping"]``.

    Raises
    ------
    InputError
        As :func:`read_profiles_source`.
    TableSchemaError
        A table with no column for ``sectors`` or ``text`` (the message names the columns
        found and the ones expected).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "名单.csv")
    >>> _ = open(p, "w", encoding="utf-8-sig").write("企业名称,所属行业,联系人\\n甲公司,陶瓷,张三\\n")
    >>> t = read_profiles_table(p)
    >>> t.to_dict(orient="records"), t.attrs["column_mapping"].ignored
    ([{'profile_id': '甲公司', 'sectors': '陶瓷'}], ('联系人',))
    """
    from recommender.columns import apply_profile_columns, check_profile_columns, map_profile_columns

    raw = read_profiles_source(path, sheet)
    columns = [c for c in raw.columns if c != ROW_ERROR_KEY]
    mapping = map_profile_columns(columns)
    check_profile_columns(mapping, columns, str(path))
    frame, _ = apply_profile_columns(raw, mapping)
    if ROW_ERROR_KEY in raw.columns:  # JSON Lines rows that were not objects keep their message
        frame[ROW_ERROR_KEY] = raw[ROW_ERROR_KEY]
    frame.attrs["column_mapping"] = mapping
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


def iter_jsonl_objects(path: Path, error_key: str = ROW_ERROR_KEY):
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
