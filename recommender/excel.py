"""Excel workbooks (``.xlsx``): profiles in, results out.

openpyxl is an optional extra (``pip install 'recommender[excel]'``), imported only when
an Excel file is read or written. Reading takes the first sheet (or a named one) and
finds its header row, also below a title row; writing streams rows into a workbook
with a ``matches`` sheet and a ``profiles`` sheet, readable column widths, a frozen
header, and cells that a spreadsheet would run as formulas neutralised as in CSV output.
"""

from __future__ import annotations

import logging
import unicodedata
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from recommender.exceptions import InputError

logger = logging.getLogger(__name__)

__all__ = ["read_sheet", "write_xlsx", "batch_to_xlsx", "XlsxResultWriter", "MAX_ROWS", "MAX_CELL_CHARS"]

#: Rows of one Excel sheet, header included.
MAX_ROWS = 1_048_576
#: Characters one Excel cell holds; longer text is cut with a trailing ``…``.
MAX_CELL_CHARS = 32_767
#: Rows scanned for the header row (a sheet may start with a title or a note).
HEADER_SCAN_ROWS = 10
_MAX_WIDTH = 60
_MIN_WIDTH = 6


def import_openpyxl():
    """Import openpyxl or raise an ImportError that names the extra to install."""
    try:
        import openpyxl
    except ImportError as exc:
        raise ImportError("Excel files (.xlsx) need the optional extra: pip install 'recommender[excel]'") from exc
    return openpyxl


# ------------------------------------------------------------------------ reading
def sheet_names(path) -> list[str]:
    """Return the names of a workbook's sheets, in order."""
    openpyxl = import_openpyxl()
    try:
        wb = openpyxl.load_workbook(path, read_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure to open is bad input
        raise InputError(f"cannot read {path} as an Excel workbook: {exc.__class__.__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")) from None
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _header_row(raw: pd.DataFrame) -> int:
    """The first of the top rows that names a usable profile column (else 0)."""
    from recommender.columns import map_profile_columns

    for i in range(min(HEADER_SCAN_ROWS, len(raw))):
        cells = [c for c in raw.iloc[i].tolist() if isinstance(c, str) and c.strip()]
        fields = map_profile_columns(cells).fields
        if "sectors" in fields or "text" in fields:
            return i
    return 0


def read_sheet(path, sheet: str | int | None = None) -> pd.DataFrame:
    """Read one sheet of an ``.xlsx`` workbook as text cells, one profile a row.

    The header is the first of the top :data:`HEADER_SCAN_ROWS` rows that names a
    profile column (so a title row above the table is skipped); blank rows at the end
    are dropped, blank rows inside the table are kept (they are reported as empty
    profiles).

    Parameters
    ----------
    path : str or Path
    sheet : str or int, optional
        Sheet name (or 0-based position); default the first sheet.

    Raises
    ------
    InputError
        An unreadable workbook or a sheet that does not exist (the message lists the
        sheets there are).
    ImportError
        openpyxl is not installed.

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "名单.xlsx")
    >>> pd.DataFrame([["2026年招商名单", None], ["企业名称", "所属行业"], ["甲公司", "陶瓷"]]).to_excel(
    ...     p, header=False, index=False)
    >>> read_sheet(p).to_dict(orient="records")
    [{'企业名称': '甲公司', '所属行业': '陶瓷'}]
    """
    import_openpyxl()
    path = Path(path)
    names = sheet_names(path)
    if sheet is None:
        sheet = 0
    if isinstance(sheet, str) and sheet not in names:
        raise InputError(f"no sheet {sheet!r} in {path.name}; its sheets are: {', '.join(names)}")
    if isinstance(sheet, int) and not 0 <= sheet < len(names):
        raise InputError(f"{path.name} has {len(names)} sheet(s); sheet {sheet} does not exist")
    try:
        raw = pd.read_excel(path, sheet_name=sheet, header=None, dtype=str, keep_default_na=False,
                            na_values=[""], engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 - any parser failure is bad input
        raise InputError(f"cannot read {path}: {exc.__class__.__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")) from None
    if raw.empty:
        return pd.DataFrame()
    top = _header_row(raw)
    header = [str(c).strip() if isinstance(c, str) and c.strip() else f"Unnamed: {i}"
              for i, c in enumerate(raw.iloc[top].tolist())]
    body = raw.iloc[top + 1:].reset_index(drop=True)
    body.columns = header
    filled = body.notna().any(axis=1).to_numpy()
    last = int(filled.nonzero()[0].max()) + 1 if filled.any() else 0
    body = body.iloc[:last]
    unnamed = [c for c in header if c.startswith("Unnamed: ") and body[c].isna().all()]
    return body.drop(columns=unnamed)


# ------------------------------------------------------------------------ writing
def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: Any) -> Any:
    """A value as Excel can hold it: formulas neutralised, control characters dropped, long text cut."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from recommender.spreadsheet import neutralize_formula

    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        value = value.item()
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", neutralize_formula(value))
        if len(value) > MAX_CELL_CHARS:
            value = value[:MAX_CELL_CHARS - 1] + "…"
    return value


def _widths(header: list[str], rows: list[list[Any]]) -> list[float]:
    out = []
    for j, name in enumerate(header):
        sizes = sorted(_display_width(str(r[j])) for r in rows if r[j] is not None)
        typical = sizes[int(0.9 * (len(sizes) - 1))] if sizes else 0
        out.append(float(min(_MAX_WIDTH, max(_MIN_WIDTH, _display_width(str(name)), typical) + 2)))
    return out


class _SheetStream:
    """One write-only sheet: widths fixed from the first rows, then rows appended."""

    def __init__(self, wb, title: str):
        self.ws = wb.create_sheet(title)
        self.header: list[str] | None = None
        self.pending: list[list[Any]] = []
        self.count = 0

    def add(self, frame: pd.DataFrame) -> None:
        if self.header is None:
            self.header = [str(c) for c in frame.columns]
        rows = [[_cell(v) for v in rec] for rec in frame.itertuples(index=False, name=None)]
        self.count += len(rows)
        if self.count + 1 > MAX_ROWS:
            raise InputError(f"more than {MAX_ROWS - 1} rows for the Excel sheet {self.ws.title!r}: "
                             "write .csv or .parquet instead")
        if self.pending is not None:
            self.pending.extend(rows)
            if len(self.pending) >= 2000:
                self._start()
        else:
            for row in rows:
                self.ws.append(row)

    def _start(self) -> None:
        from openpyxl.utils import get_column_letter

        header = self.header or []
        for j, width in enumerate(_widths(header, self.pending), start=1):
            self.ws.column_dimensions[get_column_letter(j)].width = width
        self.ws.freeze_panes = "A2"
        self.ws.append([_cell(h) for h in header])
        for row in self.pending:
            self.ws.append(row)
        self.pending = None

    def finish(self, header: list[str]) -> None:
        if self.header is None:
            self.header = list(header)
        if self.pending is not None:
            self._start()


def write_xlsx(sheets: Mapping[str, pd.DataFrame], path) -> None:
    """Write DataFrames as the sheets of one ``.xlsx`` workbook (sheet name → frame).

    Column widths follow the content (CJK characters count double, capped), the header
    row is frozen, and text cells starting with ``= + - @`` are neutralised as in CSV
    output. The file is written in place: callers wanting atomicity write to a temporary
    name and rename.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "out.xlsx")
    >>> write_xlsx({"matches": pd.DataFrame({"name": ["醴陵市"], "note": ["=1+1"]})}, p)
    >>> pd.read_excel(p, sheet_name="matches").values.tolist()
    [['醴陵市', "'=1+1"]]
    """
    openpyxl = import_openpyxl()
    wb = openpyxl.Workbook(write_only=True)
    for title, frame in sheets.items():
        stream = _SheetStream(wb, title)
        stream.add(frame)
        stream.finish(list(frame.columns))
    wb.save(str(path))


class XlsxResultWriter:
    """Stream batch results into a workbook: ``matches`` and ``profiles`` sheets.

    ``matches`` holds one row per (profile, match) with the first evidence passage and a
    readable ``citation``; ``profiles`` one row per input row with its status, error,
    warnings and best place, followed by the input row's own cells when ``inputs`` (the
    table as read) is given.
    """

    def __init__(self, path, inputs: pd.DataFrame | None = None):
        openpyxl = import_openpyxl()
        self.path = Path(path)
        self.inputs = inputs
        self.wb = openpyxl.Workbook(write_only=True)
        self.matches = _SheetStream(self.wb, "matches")
        self.profiles = _SheetStream(self.wb, "profiles")

    def write(self, rows, results) -> None:
        from recommender.batch.chunks import flat_frame

        self.matches.add(matches_sheet(flat_frame(rows, results)))
        self.profiles.add(profiles_sheet(rows, results, self.inputs))

    def close(self) -> None:
        from recommender.batch.chunks import OUTPUT_COLUMNS

        self.matches.finish(_with_citation(OUTPUT_COLUMNS))
        own = [] if self.inputs is None else [f"input: {c}" if c in PROFILE_SHEET_COLUMNS else str(c)
                                              for c in self.inputs.columns]
        self.profiles.finish(list(PROFILE_SHEET_COLUMNS) + own)
        self.wb.save(str(self.path))


#: Leading columns of the ``profiles`` sheet (the input's own columns follow).
PROFILE_SHEET_COLUMNS = ("row", "profile_id", "status", "error", "warnings", "n_matches", "best_place",
                         "best_score", "weak_evidence")


def _with_citation(columns) -> list[str]:
    cols = list(columns)
    cols.insert(cols.index("evidence_text") + 1, "citation")
    return cols


def citation(title: Any, date: Any, source: Any, row: Any, start: Any, end: Any) -> str | None:
    """A readable citation of an evidence passage: 《title》 (date), file[, row r] [start:end].

    Examples
    --------
    >>> citation("株洲市政府工作报告", "2024-01-20", "/data/zz.txt", None, 120, 188)
    '《株洲市政府工作报告》(2024-01-20), zz.txt [120:188]'
    """
    def blank(v):
        return v is None or v is pd.NA or (isinstance(v, float) and v != v) or v == ""

    if blank(source):
        return None
    where = Path(str(source)).name + ("" if blank(row) else f", row {int(row)}")
    span = "" if blank(start) else f" [{int(start)}:{int(end)}]"
    head = "" if blank(title) else f"《{title}》"
    when = "" if blank(date) else f"({date})"
    lead = f"{head}{when}, " if head or when else ""
    return f"{lead}{where}{span}"


def matches_sheet(flat: pd.DataFrame) -> pd.DataFrame:
    """The ``matches`` sheet from a flat result frame: a ``citation`` after ``evidence_text``."""
    out = flat.copy()
    cites = [citation(*vals) for vals in out[["evidence_title", "evidence_date", "evidence_source", "evidence_row",
                                               "evidence_start", "evidence_end"]].itertuples(index=False, name=None)]
    out.insert(out.columns.get_loc("evidence_text") + 1, "citation", cites)
    return out


def profiles_sheet(rows, results, inputs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``profiles`` sheet: one row per input row, its status, error, warnings and best place."""
    recs = []
    for row, res in zip(rows, results):
        best = res.matches[0] if res.matches else None
        status = "error" if res.error is not None else ("ok" if res.matches else "no match")
        recs.append({"row": row, "profile_id": res.profile_id, "status": status, "error": res.error,
                     "warnings": "; ".join(res.warnings), "n_matches": len(res.matches),
                     "best_place": best.name if best else None, "best_score": best.score if best else None,
                     "weak_evidence": bool(res.weak_evidence)})
    frame = pd.DataFrame(recs, columns=list(PROFILE_SHEET_COLUMNS))
    if inputs is not None and len(rows):
        own = inputs.iloc[list(rows)].reset_index(drop=True)
        own.columns = [f"input: {c}" if c in PROFILE_SHEET_COLUMNS else str(c) for c in own.columns]
        frame = pd.concat([frame, own], axis=1)
    return frame


def _result_from_record(rec: Mapping[str, Any]):
    """Rebuild a result from a row of :func:`~recommender.batch.score_batch`'s frame."""
    from dataclasses import fields

    from recommender.model.results import Evidence, Match, RecommendationResult

    ev_fields = {f.name for f in fields(Evidence)}
    match_fields = {f.name for f in fields(Match)}
    matches = []
    for m in rec.get("matches") or []:
        evidence = tuple(Evidence(**{k: (tuple(v) if k == "terms" else v) for k, v in e.items() if k in ev_fields})
                         for e in m.get("evidence") or [])
        kw = {k: v for k, v in m.items() if k in match_fields and k != "evidence"}
        for key in ("path", "matched_sectors", "matched_terms"):
            kw[key] = tuple(kw.get(key) or ())
        matches.append(Match(**kw, evidence=evidence))
    error = rec.get("error")
    return RecommendationResult(profile_id=rec.get("profile_id"), matches=tuple(matches),
                                weak_evidence=bool(rec.get("weak_evidence")), warnings=tuple(rec.get("warnings") or ()),
                                error=None if error is None or (isinstance(error, float) and error != error) else error)


def batch_to_xlsx(batch: pd.DataFrame, path, profiles: pd.DataFrame | None = None) -> None:
    """Write :func:`~recommender.batch.score_batch`'s result as the workbook ``recommender score`` writes.

    Parameters
    ----------
    batch : DataFrame
        The frame returned by ``score_batch`` (columns ``profile_id``, ``row``, ``error``,
        ``weak_evidence``, ``warnings``, ``matches``).
    path : str or Path
        The ``.xlsx`` file to write.
    profiles : DataFrame, optional
        The table that was scored: its cells follow each row of the ``profiles`` sheet.

    Examples
    --------
    >>> import tempfile, os
    >>> from recommender import Recommender, load_sample_corpus
    >>> from recommender.batch import score_batch
    >>> table = pd.DataFrame({"企业名称": ["甲公司", "乙公司"], "所属行业": ["陶瓷", ""]})
    >>> batch = score_batch(Recommender().fit(load_sample_corpus()), table, top_k=2)
    >>> p = os.path.join(tempfile.mkdtemp(), "结果.xlsx")
    >>> batch_to_xlsx(batch, p, profiles=table)
    >>> sheet = pd.read_excel(p, sheet_name="profiles")
    >>> sheet[["profile_id", "status", "n_matches", "企业名称"]].values.tolist()
    [['甲公司', 'ok', 2, '甲公司'], ['乙公司', 'error', 0, '乙公司']]
    """
    results = [_result_from_record(rec) for rec in batch.to_dict(orient="records")]
    writer = XlsxResultWriter(path, profiles)
    writer.write([int(r) for r in batch["row"]], results)
    writer.close()
