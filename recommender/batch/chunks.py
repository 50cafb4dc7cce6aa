"""Profile rows to scored chunks: row checks, chunking, chunk scoring and result frames.

The pieces every batch path shares: input rows become profile items (a bad row becomes
an error item and never affects the others), items are grouped into chunks, a chunk is
scored with :meth:`Recommender.recommend_many`, and results become DataFrames. Where
chunks run is :mod:`recommender.batch.backends`; the public entry points are
:mod:`recommender.batch.api` and :mod:`recommender.batch.files`.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from itertools import islice
from typing import Any, Iterable, Iterator

import numpy as np
import pandas as pd

from recommender.columns import apply_profile_columns, map_profile_columns
from recommender.exceptions import InputError, RecommenderError, TableSchemaError
from recommender.model.results import FLAT_COLUMNS, RecommendationResult
from recommender.progress import terminal_progress
from recommender.profiles import MAX_TEXT_CHARS, PROFILE_FIELDS, InvestorProfile

logger = logging.getLogger(__name__)

__all__ = ["RESULT_COLUMNS", "OUTPUT_COLUMNS", "INT_COLUMNS", "FLOAT_COLUMNS", "ROW_ERROR_KEY",
           "FrameStream", "ItemMaker", "iter_items", "chunked", "first_line", "score_chunk",
           "result_frame", "flat_frame", "json_record"]

#: Columns of :func:`score_batch`'s result, one row per input profile.
RESULT_COLUMNS = ["profile_id", "row", "error", "weak_evidence", "warnings", "matches", "n_matches"]
#: Columns of the flat CSV/Parquet output: one row per (profile, match).
OUTPUT_COLUMNS = ["profile_id", "row"] + FLAT_COLUMNS[1:] + ["weak_evidence", "warnings"]
#: CSV/JSONL/Parquet inputs larger than this are read in chunks rather than at once.
#: Cell (``__error__``) the JSONL reader sets for a line that is not a JSON object.
ROW_ERROR_KEY = "__error__"
_LIST_FIELDS = ("sectors", "regions", "levels", "exclude")
INT_COLUMNS = ("row", "rank", "evidence_row", "evidence_start", "evidence_end")
FLOAT_COLUMNS = ("score", "text_score", "tag_score", "evidence_score")


# ------------------------------------------------------------------------ input items
class _RowError(str):
    """A profile payload that is already known to be bad: its one-line message."""


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _scalar_ok(value: Any) -> bool:
    return isinstance(value, (str, int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def _check_cell(column: str, value: Any) -> str | None:
    """Return why a cell is malformed, or None when it can be read."""
    if _missing(value) or _scalar_ok(value):
        return None
    if column in _LIST_FIELDS and isinstance(value, (list, tuple, np.ndarray)):
        items = value.tolist() if isinstance(value, np.ndarray) else list(value)
        if all(_missing(v) or _scalar_ok(v) for v in items):
            return None
        return f"malformed cell in column {column!r}: a list may hold only text items"
    expected = "text or a list of text" if column in _LIST_FIELDS else "text"
    return f"malformed cell in column {column!r}: expected {expected}, got {type(value).__name__}"


def _profile_id(value: Any, row: int) -> str:
    if _missing(value) or not _scalar_ok(value) or str(value).strip() == "":
        return str(row)
    return str(value).strip()


class ItemMaker:
    """Turn raw inputs (dicts, table rows, profiles, strings) into ``(row, profile_id, payload)``.

    Unknown columns are dropped with a single logged warning per batch.
    """

    def __init__(self):
        self.warned_unknown = False

    def warn_unknown(self, unknown: Iterable[str]) -> None:
        unknown = sorted({str(k) for k in unknown} - {ROW_ERROR_KEY})
        if unknown and not self.warned_unknown:
            self.warned_unknown = True
            logger.warning("ignoring unknown profile column(s) %s; valid columns: %s",
                           ", ".join(map(repr, unknown)), ", ".join(PROFILE_FIELDS))

    def make(self, row: int, raw: Any) -> tuple[int, str, Any]:
        if isinstance(raw, InvestorProfile):
            return row, raw.profile_id or str(row), raw
        if isinstance(raw, str):
            return row, str(row), {"text": raw}
        if not isinstance(raw, dict):
            if isinstance(raw, pd.Series):
                raw = raw.to_dict()
            else:
                return row, str(row), _RowError(
                    f"a profile must be a dict, an InvestorProfile or a text, not {type(raw).__name__}")
        pid = _profile_id(raw.get("profile_id"), row)
        extra = [k for k in raw if k not in PROFILE_FIELDS]
        if extra:
            self.warn_unknown(extra)
        bad = raw.get(ROW_ERROR_KEY)
        if not _missing(bad):
            return row, pid, _RowError(str(bad))
        clean = {}
        for key in PROFILE_FIELDS:
            if key not in raw:
                continue
            problem = _check_cell(key, raw[key])
            if problem:
                return row, pid, _RowError(problem)
            clean[key] = raw[key]
        clean["profile_id"] = pid
        return row, pid, clean


def _frame_rows(frame: pd.DataFrame, start: int) -> Iterator[tuple[int, dict]]:
    records = frame.to_dict(orient="records")
    for offset, rec in enumerate(records):
        yield start + offset, rec


class FrameStream:
    """An iterable of DataFrame chunks read from a large profiles file."""

    def __init__(self, make_iter):
        self._make_iter = make_iter

    def __iter__(self):
        return self._make_iter()


def progress_bar(progress: bool, total: int | None):
    """A terminal progress bar over profiles when ``progress`` is asked for, else None."""
    return terminal_progress(total, unit="profile") if progress else None


def iter_items(profiles: Any, maker: ItemMaker) -> Iterator[tuple[int, str, Any]]:
    """Yield ``(row, profile_id, payload)`` for a DataFrame, an iterable of frames' rows or profiles."""
    if isinstance(profiles, pd.DataFrame):
        frames: Iterable[pd.DataFrame] = [profiles]
    elif isinstance(profiles, FrameStream):
        frames = profiles
    else:
        if isinstance(profiles, (str, dict, InvestorProfile)):
            raise InputError("profiles must be a table or an iterable of profiles; wrap a single profile in a list")
        try:
            iterator = iter(profiles)
        except TypeError:
            raise InputError(f"profiles must be a DataFrame or an iterable of profiles, not {type(profiles).__name__}") from None
        for row, raw in enumerate(iterator):
            yield maker.make(row, raw)
        return
    row = 0
    step = 4096
    for frame in frames:
        frame = frame.copy(deep=False)
        frame.columns = [str(c).strip() for c in frame.columns]
        if frame.columns.duplicated().any():
            dup = sorted(set(frame.columns[frame.columns.duplicated()]))
            raise TableSchemaError(f"duplicated column(s) {', '.join(map(repr, dup))} in the profiles table")
        mapping = map_profile_columns(c for c in frame.columns if c != ROW_ERROR_KEY)
        maker.warn_unknown(mapping.ignored)
        mapped, _ = apply_profile_columns(frame, mapping)
        if ROW_ERROR_KEY in frame.columns:
            mapped[ROW_ERROR_KEY] = frame[ROW_ERROR_KEY]
        frame = mapped
        for lo in range(0, len(frame), step):
            part = frame.iloc[lo:lo + step]
            for r, rec in _frame_rows(part, row + lo):
                yield maker.make(r, rec)
        row += len(frame)


def chunked(items: Iterator, size: int) -> Iterator[list]:
    while True:
        chunk = list(islice(items, size))
        if not chunk:
            return
        yield chunk


# ---------------------------------------------------------------------- scoring a chunk
def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    if isinstance(exc, RecommenderError):
        return first or exc.__class__.__name__
    return f"internal error: {exc.__class__.__name__}: {first}".rstrip(": ")


def score_chunk(model, items: list, top_k: int = 10, evidence_k: int = 3) -> list[RecommendationResult]:
    """Score one chunk of profile items; one result per item, a bad item gets its own ``error``.

    This is what each worker runs. Profiles are validated one by one, then all the valid
    ones are scored together with ``model.recommend_many(..., errors="collect")``.

    Parameters
    ----------
    model : Recommender
        A fitted model.
    items : list of (int, str, object)
        ``(row, profile_id, payload)`` where the payload is a profile dict, an
        :class:`InvestorProfile`, or an error message already found for that row.
    top_k, evidence_k : int

    Returns
    -------
    list of RecommendationResult
        In the order of ``items``; each ``profile_id`` is the item's id.

    Examples
    --------
    >>> out = score_chunk(None, [(0, "p1", {"profile_id": "p1", "text": ""})])
    >>> out[0].profile_id, out[0].error.startswith("profile 'p1' is empty")
    ('p1', True)
    """
    results: list[RecommendationResult | None] = [None] * len(items)
    notes: list[tuple[str, ...]] = [()] * len(items)
    todo: list[int] = []
    profiles: list[InvestorProfile] = []
    for i, (row, pid, payload) in enumerate(items):
        if isinstance(payload, _RowError):
            results[i] = RecommendationResult(profile_id=pid, error=str(payload))
            continue
        try:
            if isinstance(payload, InvestorProfile):
                profile = dataclasses.replace(payload, profile_id=pid) if payload.profile_id != pid else payload
                length = len(profile.text)
            else:
                profile = InvestorProfile.from_dict(payload)
                text = payload.get("text")
                length = 0 if _missing(text) else len(str(text).strip())
        except Exception as exc:  # noqa: BLE001 - one bad row never stops the batch
            results[i] = RecommendationResult(profile_id=pid, error=_one_line(exc))
            continue
        if profile.truncated or length > MAX_TEXT_CHARS:
            notes[i] = (f"text of {length} characters truncated to {MAX_TEXT_CHARS}",)
        todo.append(i)
        profiles.append(profile)
    if profiles:
        scored = _recommend_many(model, profiles, top_k, evidence_k)
        for i, res in zip(todo, scored):
            results[i] = res
    out = []
    for (row, pid, _), res, note in zip(items, results, notes):
        changes: dict[str, Any] = {}
        if res.profile_id != pid:
            changes["profile_id"] = pid
        if note:
            # the note (with the original length) replaces the model's shorter one
            changes["warnings"] = note + tuple(w for w in res.warnings if "truncated" not in w)
        if res.error is not None and res.error != first_line(res.error):
            changes["error"] = first_line(res.error)
        out.append(dataclasses.replace(res, **changes) if changes else res)
    return out


def first_line(text: str) -> str:
    lines = str(text).strip().splitlines()
    return lines[0] if lines else ""


def _recommend_many(model, profiles, top_k, evidence_k) -> list[RecommendationResult]:
    """All profiles at once; if that fails unexpectedly, one by one so only the culprit errs."""
    from recommender.exceptions import ModelError, NotFittedError

    try:
        return model.recommend_many(profiles, top_k=top_k, evidence_k=evidence_k, errors="collect")
    except (ModelError, NotFittedError):
        raise
    except Exception as exc:  # noqa: BLE001 - isolate the profile that broke the chunk
        if len(profiles) == 1:
            return [RecommendationResult(profile_id=profiles[0].profile_id, error=_one_line(exc))]
        logger.warning("a chunk of %d profiles failed (%s); scoring them one by one", len(profiles),
                       _one_line(exc))
    return [r for p in profiles for r in _recommend_many(model, [p], top_k, evidence_k)]


# --------------------------------------------------------------------- result shapes
def _record(row: int, result: RecommendationResult) -> dict[str, Any]:
    return {"profile_id": result.profile_id, "row": row, "error": result.error,
            "weak_evidence": bool(result.weak_evidence), "warnings": list(result.warnings),
            "matches": [m.to_dict() for m in result.matches], "n_matches": len(result.matches)}


def result_frame(rows: list[int], results: list[RecommendationResult]) -> pd.DataFrame:
    """Return one row per result with the columns of :data:`RESULT_COLUMNS`.

    Examples
    --------
    >>> df = result_frame([0], [RecommendationResult(profile_id="p1", error="bad")])
    >>> df[["profile_id", "row", "error", "n_matches"]].values.tolist()
    [['p1', 0, 'bad', 0]]
    """
    frame = pd.DataFrame([_record(r, res) for r, res in zip(rows, results)], columns=RESULT_COLUMNS)
    frame["row"] = frame["row"].astype("int64")
    frame["n_matches"] = frame["n_matches"].astype("int64")
    frame["weak_evidence"] = frame["weak_evidence"].astype(bool)
    frame["error"] = frame["error"].astype(object).where(frame["error"].notna(), None)
    return frame


def json_record(row: int, result: RecommendationResult) -> dict[str, Any]:
    rec = result.to_dict()
    out = {"profile_id": rec.pop("profile_id"), "row": row}
    out.update(rec)
    return out


def flat_frame(rows: list[int], results: list[RecommendationResult]) -> pd.DataFrame:
    """Return one row per (profile, match), first evidence flattened; an errored or
    match-less profile gets one row with only its id, row, error and warnings.

    Examples
    --------
    >>> df = flat_frame([3], [RecommendationResult(profile_id="p1")])
    >>> df[["profile_id", "row", "rank"]].values.tolist()
    [['p1', 3, <NA>]]
    """
    parts = []
    for row, res in zip(rows, results):
        part = res.to_frame() if res.matches else pd.DataFrame(
            [dict.fromkeys(FLAT_COLUMNS) | {"profile_id": res.profile_id, "error": res.error}],
            columns=FLAT_COLUMNS)
        part.insert(1, "row", row)
        part["weak_evidence"] = bool(res.weak_evidence)
        part["warnings"] = "; ".join(res.warnings)
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=OUTPUT_COLUMNS)
    frame = frame[OUTPUT_COLUMNS]
    for col in INT_COLUMNS:
        frame[col] = pd.array([None if _missing(v) else int(v) for v in frame[col]], dtype="Int64")
    for col in FLOAT_COLUMNS:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    frame["weak_evidence"] = frame["weak_evidence"].astype(bool)
    for col in OUTPUT_COLUMNS:
        if col not in INT_COLUMNS and col not in FLOAT_COLUMNS and col != "weak_evidence":
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame
