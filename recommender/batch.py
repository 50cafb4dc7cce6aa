"""Batch scoring: a table of investor profiles in, one ranked result per profile out.

Nothing is lost: every input profile comes back, in input order, either with its
matches or with a one-line ``error``; a bad row never affects the others. Profiles are
scored chunk by chunk with :meth:`Recommender.recommend_many` (vectorised sparse
products inside), in this process, on local joblib workers or on a Dask cluster (see
:mod:`recommender.batch_backends`), and results stream out chunk by chunk so that a
very large input runs in bounded memory.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import sys
from collections import deque
from itertools import islice
from typing import Any, Iterable, Iterator

import numpy as np
import pandas as pd

from recommender.columns import apply_profile_columns, map_profile_columns
from recommender.exceptions import InputError, RecommenderError, TableSchemaError
from recommender.model.results import FLAT_COLUMNS, RecommendationResult
from recommender.profiles import MAX_TEXT_CHARS, PROFILE_FIELDS, InvestorProfile

logger = logging.getLogger(__name__)

__all__ = ["RESULT_COLUMNS", "OUTPUT_COLUMNS", "score_batch", "iter_score_batch", "score_file",
           "score_chunk", "result_frame", "flat_frame"]

#: Columns of :func:`score_batch`'s result, one row per input profile.
RESULT_COLUMNS = ["profile_id", "row", "error", "weak_evidence", "warnings", "matches", "n_matches"]
#: Columns of the flat CSV/Parquet output: one row per (profile, match).
OUTPUT_COLUMNS = ["profile_id", "row"] + FLAT_COLUMNS[1:] + ["weak_evidence", "warnings"]
#: CSV/JSONL/Parquet inputs larger than this are read in chunks rather than at once.
#: Cell (``__error__``) the JSONL reader sets for a line that is not a JSON object.
_ROW_ERROR_KEY = "__error__"
_LIST_FIELDS = ("sectors", "regions", "levels", "exclude")
_INT_COLUMNS = ("row", "rank", "evidence_row", "evidence_start", "evidence_end")
_FLOAT_COLUMNS = ("score", "text_score", "tag_score", "evidence_score")


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


class _ItemMaker:
    """Turn raw inputs (dicts, table rows, profiles, strings) into ``(row, profile_id, payload)``.

    Unknown columns are dropped with a single logged warning per batch.
    """

    def __init__(self):
        self.warned_unknown = False

    def warn_unknown(self, unknown: Iterable[str]) -> None:
        unknown = sorted({str(k) for k in unknown} - {_ROW_ERROR_KEY})
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
        bad = raw.get(_ROW_ERROR_KEY)
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


class _FrameStream:
    """An iterable of DataFrame chunks read from a large profiles file."""

    def __init__(self, make_iter):
        self._make_iter = make_iter

    def __iter__(self):
        return self._make_iter()


def _progress_bar(progress: bool, total: int | None):
    if not progress:
        return None
    try:
        if not sys.stderr.isatty():
            return None
        from tqdm import tqdm
    except (ImportError, AttributeError, ValueError):
        return None
    return tqdm(total=total, unit="profile", file=sys.stderr, dynamic_ncols=True, leave=False)


def _iter_items(profiles: Any, maker: _ItemMaker) -> Iterator[tuple[int, str, Any]]:
    """Yield ``(row, profile_id, payload)`` for a DataFrame, an iterable of frames' rows or profiles."""
    if isinstance(profiles, pd.DataFrame):
        frames: Iterable[pd.DataFrame] = [profiles]
    elif isinstance(profiles, _FrameStream):
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
        mapping = map_profile_columns(c for c in frame.columns if c != _ROW_ERROR_KEY)
        maker.warn_unknown(mapping.ignored)
        mapped, _ = apply_profile_columns(frame, mapping)
        if _ROW_ERROR_KEY in frame.columns:
            mapped[_ROW_ERROR_KEY] = frame[_ROW_ERROR_KEY]
        frame = mapped
        for lo in range(0, len(frame), step):
            part = frame.iloc[lo:lo + step]
            for r, rec in _frame_rows(part, row + lo):
                yield maker.make(r, rec)
        row += len(frame)


def _chunked(items: Iterator, size: int) -> Iterator[list]:
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
        if res.error is not None and res.error != _first_line(res.error):
            changes["error"] = _first_line(res.error)
        out.append(dataclasses.replace(res, **changes) if changes else res)
    return out


def _first_line(text: str) -> str:
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


def _json_record(row: int, result: RecommendationResult) -> dict[str, Any]:
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
    for col in _INT_COLUMNS:
        frame[col] = pd.array([None if _missing(v) else int(v) for v in frame[col]], dtype="Int64")
    for col in _FLOAT_COLUMNS:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    frame["weak_evidence"] = frame["weak_evidence"].astype(bool)
    for col in OUTPUT_COLUMNS:
        if col not in _INT_COLUMNS and col not in _FLOAT_COLUMNS and col != "weak_evidence":
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


# ---------------------------------------------------------------------- batch API
def _check_chunk_size(chunk_size: Any) -> int:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
        raise InputError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    return int(chunk_size)


def _check_params(top_k, evidence_k, n_jobs, backend, chunk_size) -> int:
    from recommender.batch_backends import check_backend, check_n_jobs
    from recommender.model.recommender import check_k

    check_k(top_k, "top_k", 1)
    check_k(evidence_k, "evidence_k", 0)
    check_backend(backend)
    check_n_jobs(n_jobs)
    return _check_chunk_size(chunk_size)


def _iter_scored(model, profiles, *, top_k, evidence_k, n_jobs, backend, chunk_size, scheduler,
                 progress, total=None) -> Iterator[tuple[list[int], list[RecommendationResult]]]:
    """Yield ``(rows, results)`` chunk by chunk, in input order."""
    from recommender.batch_backends import run_chunks

    chunk_size = _check_params(top_k, evidence_k, n_jobs, backend, chunk_size)
    if hasattr(model, "_check_fitted"):
        model._check_fitted()
    if total is None and hasattr(profiles, "__len__") and not isinstance(profiles, _FrameStream):
        total = len(profiles)
    maker = _ItemMaker()
    row_chunks: deque[list[int]] = deque()

    def chunks():
        for chunk in _chunked(_iter_items(profiles, maker), chunk_size):
            row_chunks.append([row for row, _, _ in chunk])
            yield chunk

    bar = _progress_bar(progress, total)
    try:
        for results in run_chunks(model, chunks(), top_k=top_k, evidence_k=evidence_k, n_jobs=n_jobs,
                                  backend=backend, scheduler=scheduler):
            rows = row_chunks.popleft()
            if bar is not None:
                bar.update(len(rows))
            yield rows, results
    finally:
        if bar is not None:
            bar.close()


def iter_score_batch(model, profiles, top_k: int = 10, evidence_k: int = 3, n_jobs: int = 1,
                     backend: str = "loky", chunk_size: int = 512, scheduler: Any = None,
                     progress: bool = False) -> Iterator[pd.DataFrame]:
    """Score profiles chunk by chunk and yield one result DataFrame per chunk, in input order.

    Same parameters and row shape as :func:`score_batch`; only one chunk's results (per
    worker) are held at a time, so a million-row input streams through.

    Yields
    ------
    DataFrame
        Columns :data:`RESULT_COLUMNS`, at most ``chunk_size`` rows.
    """
    for rows, results in _iter_scored(model, profiles, top_k=top_k, evidence_k=evidence_k, n_jobs=n_jobs,
                                      backend=backend, chunk_size=chunk_size, scheduler=scheduler,
                                      progress=progress):
        yield result_frame(rows, results)


def score_batch(model, profiles, top_k: int = 10, evidence_k: int = 3, n_jobs: int = 1,
                backend: str = "loky", chunk_size: int = 512, scheduler: Any = None,
                progress: bool = False) -> pd.DataFrame:
    """Score a table of investor profiles: one result row per input profile, in input order.

    Parameters
    ----------
    model : Recommender
        A fitted model.
    profiles : DataFrame or iterable
        A table with the profile fields as columns (``profile_id``, ``sectors``, ``text``,
        ``regions``, ``levels``, ``exclude``; list cells as lists or ``;``-separated text),
        or an iterable of dicts, :class:`InvestorProfile` objects or texts. A table's
        columns may also carry the usual Chinese headers (企业名称, 所属行业, 企业简介,
        主营业务, 意向区域, 层级, 排除, simplified or traditional; see
        :mod:`recommender.columns`). Unknown columns are ignored with one logged warning.
    top_k : int, default=10
        Places per profile.
    evidence_k : int, default=3
        Evidence passages per place.
    n_jobs : int, default=1
        Workers (``-1`` = all CPUs). ``1`` scores in this process.
    backend : {"loky", "threading", "dask"}, default="loky"
        ``loky``: local worker processes (joblib); ``dask``: a dask.distributed cluster.
    chunk_size : int, default=512
        Profiles scored together in one vectorised call.
    scheduler : str, optional
        Address of a running Dask scheduler (``tcp://host:8786``) for ``backend="dask"``;
        without it a local cluster of ``n_jobs`` processes is started for the run.
    progress : bool, default=False
        Show a tqdm progress bar on a terminal.

    Returns
    -------
    DataFrame
        Columns ``profile_id`` (the given id, or the row number as text), ``row``
        (0-based input row), ``error`` (None or a one-line message), ``weak_evidence``,
        ``warnings`` (list of str), ``matches`` (list of match dicts as in the result
        records) and ``n_matches``.

    Raises
    ------
    InputError
        Bad parameters or a ``profiles`` argument that is not a table. Bad rows never
        raise: they get their own ``error``.

    Examples
    --------
    >>> from recommender import Recommender, load_sample_corpus
    >>> rec = Recommender().fit(load_sample_corpus())
    >>> table = pd.DataFrame({"profile_id": ["a", "b"], "sectors": ["陶瓷", ""], "text": ["日用陶瓷", ""]})
    >>> out = score_batch(rec, table, top_k=2)
    >>> out["profile_id"].tolist(), out["n_matches"].tolist(), out["error"].isna().tolist()
    (['a', 'b'], [2, 0], [True, False])
    """
    frames = list(iter_score_batch(model, profiles, top_k=top_k, evidence_k=evidence_k, n_jobs=n_jobs,
                                   backend=backend, chunk_size=chunk_size, scheduler=scheduler,
                                   progress=progress))
    if not frames:
        return result_frame([], [])
    return pd.concat(frames, ignore_index=True)


def score_file(model, in_path, out_path, *args, **kwargs) -> str:
    """Score a profiles file and write the results; see :func:`recommender.batch_files.score_file`."""
    from recommender.batch_files import score_file as _score_file

    return _score_file(model, in_path, out_path, *args, **kwargs)
