"""Batch scoring from files: stream a profiles table in, write one result per profile out.

Reads CSV (UTF-8 with or without BOM, or GB18030), JSONL, Parquet or Excel profiles
(large CSV/JSONL/Parquet files in chunks), with the contract's column names or the
Chinese headers of :mod:`recommender.columns`, and writes JSONL, CSV (UTF-8 with BOM,
formula cells neutralised), Parquet or Excel results chunk by chunk to a temporary file
that is renamed at the end. The scoring itself is :mod:`recommender.batch.api`.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import time
import uuid
from itertools import islice
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from recommender.columns import ColumnMapping, apply_profile_columns, check_profile_columns, map_profile_columns
from recommender.batch.api import check_params, iter_scored
from recommender.batch.chunks import (
    FLOAT_COLUMNS,
    INT_COLUMNS,
    OUTPUT_COLUMNS,
    ROW_ERROR_KEY,
    FrameStream,
    chunked,
    first_line,
    flat_frame,
    json_record,
)
from recommender.exceptions import InputError

logger = logging.getLogger(__name__)

__all__ = ["score_file", "STREAM_THRESHOLD_BYTES"]

#: Profiles files larger than this are read in chunks rather than at once.
STREAM_THRESHOLD_BYTES = 64 * 2**20


# ------------------------------------------------------------------------- files in
def _sniff_encoding(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def _csv_stream(path: Path, chunk_size: int) -> FrameStream:
    encoding = _sniff_encoding(path)
    try:
        header = pd.read_csv(path, dtype=str, nrows=0, encoding=encoding)
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"cannot read {path}: {exc.__class__.__name__}: {first_line(str(exc))}") from None
    mapping = _check_columns(path, [str(c).strip() for c in header.columns])

    def frames():
        try:
            reader = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding=encoding,
                                 chunksize=chunk_size, on_bad_lines="error")
            for chunk in reader:
                yield _map_chunk(chunk)
        except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
            raise InputError(f"cannot read {path}: {exc.__class__.__name__}: {first_line(str(exc))}") from None

    return FrameStream(frames), mapping


def _jsonl_stream(path: Path, chunk_size: int) -> FrameStream:
    def rows():
        from recommender.io import iter_jsonl_objects

        yield from iter_jsonl_objects(path, ROW_ERROR_KEY)

    try:
        first = list(islice(rows(), chunk_size))
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read {path}: not UTF-8 text ({exc.reason})") from None
    keys = list(dict.fromkeys(k for obj in first for k in obj))
    mapping = _check_columns(path, keys)

    def frames():
        it = rows()
        try:
            for chunk in chunked(it, chunk_size):
                yield _map_chunk(pd.DataFrame(chunk))
        except UnicodeDecodeError as exc:
            raise InputError(f"cannot read {path}: not UTF-8 text ({exc.reason})") from None

    return FrameStream(frames), mapping


def _parquet_stream(path: Path, chunk_size: int) -> FrameStream:
    pq = _import_parquet()
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"cannot read {path}: {exc.__class__.__name__}: {first_line(str(exc))}") from None
    mapping = _check_columns(path, [str(c).strip() for c in pf.schema_arrow.names])

    def frames():
        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_size):
            yield _map_chunk(batch.to_pandas())

    return FrameStream(frames), mapping


def _check_columns(path: Path, columns: list[str]) -> ColumnMapping:
    columns = [c for c in columns if c != ROW_ERROR_KEY]
    mapping = map_profile_columns(columns)
    check_profile_columns(mapping, columns, str(path))
    return mapping


def _map_chunk(frame: pd.DataFrame) -> pd.DataFrame:
    """A chunk with the contract's column names (a JSON Lines row error column kept)."""
    frame.columns = [str(c).strip() for c in frame.columns]
    mapped, _ = apply_profile_columns(frame, map_profile_columns(c for c in frame.columns if c != ROW_ERROR_KEY))
    if ROW_ERROR_KEY in frame.columns:
        mapped[ROW_ERROR_KEY] = frame[ROW_ERROR_KEY]
    return mapped


def _open_profiles(in_path, chunk_size: int, sheet: str | None = None):
    """Return ``(profiles, total, mapping, raw)``: a DataFrame for a small file (``raw`` the
    table as read), a chunk stream for a large one (``total`` and ``raw`` None)."""
    from recommender.io import read_profiles_source

    path = Path(in_path)
    if not path.is_file():
        raise InputError(f"profiles file not found: {path}")
    ext = path.suffix.lower()
    if sheet is None and path.stat().st_size > STREAM_THRESHOLD_BYTES and ext in (".csv", ".jsonl", ".parquet"):
        logger.info("reading %s in chunks of %d rows", path, chunk_size)
        stream = {".csv": _csv_stream, ".jsonl": _jsonl_stream, ".parquet": _parquet_stream}[ext]
        frames, mapping = stream(path, max(chunk_size, 1024))
        return frames, None, mapping, None
    raw = read_profiles_source(path, sheet)
    mapping = _check_columns(path, list(raw.columns))
    frame = _map_chunk(raw.copy(deep=False))
    return frame, len(frame), mapping, raw.drop(columns=[ROW_ERROR_KEY], errors="ignore")


# ------------------------------------------------------------------------ files out
def _import_parquet():
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise ImportError("Parquet files need the optional extra: pip install 'recommender[parquet]'") from exc
    return pq


def _parquet_schema():
    import pyarrow as pa

    types = {c: pa.string() for c in OUTPUT_COLUMNS}
    types.update({c: pa.int64() for c in INT_COLUMNS})
    types.update({c: pa.float64() for c in FLOAT_COLUMNS})
    types["weak_evidence"] = pa.bool_()
    return pa.schema([(c, types[c]) for c in OUTPUT_COLUMNS])


class _JsonlWriter:
    def __init__(self, path: Path):
        self.fh = open(path, "w", encoding="utf-8", newline="\n")

    def write(self, rows, results):
        lines = [json.dumps(json_record(r, res), ensure_ascii=False, sort_keys=False) + "\n"
                 for r, res in zip(rows, results)]
        self.fh.write("".join(lines))

    def close(self):
        self.fh.close()


class _CsvWriter:
    def __init__(self, path: Path):
        from recommender.io import write_csv

        self.path = path
        self.write_csv = write_csv
        self.started = False

    def write(self, rows, results):
        frame = flat_frame(rows, results)
        self.write_csv(frame, self.path, header=not self.started, mode="a" if self.started else "w")
        self.started = True

    def close(self):
        if not self.started:
            self.write_csv(pd.DataFrame(columns=OUTPUT_COLUMNS), self.path)


class _ParquetWriter:
    def __init__(self, path: Path):
        pq = _import_parquet()
        self.schema = _parquet_schema()
        self.writer = pq.ParquetWriter(str(path), self.schema)

    def write(self, rows, results):
        import pyarrow as pa

        frame = flat_frame(rows, results)
        self.writer.write_table(pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False))

    def close(self):
        self.writer.close()


def _xlsx_writer(path: Path, inputs: pd.DataFrame | None = None):
    from recommender.excel import XlsxResultWriter

    return XlsxResultWriter(path, inputs)


_WRITERS = {"jsonl": _JsonlWriter, "csv": _CsvWriter, "parquet": _ParquetWriter, "xlsx": _xlsx_writer}


def score_file(model, in_path, out_path, top_k: int = 10, evidence_k: int = 3, n_jobs: int = 1,
               backend: str = "loky", scheduler: Any = None, chunk_size: int = 512,
               progress: bool = False, sheet: str | None = None,
               on_columns: Callable[[str], Any] | None = None) -> str:
    """Score a profiles file and write the results; return a one-line summary.

    The input is a CSV (UTF-8 with or without BOM, or GB18030), JSONL, Parquet or Excel
    (``.xlsx``, first sheet or ``sheet``) table of profiles (see :func:`score_batch`);
    its columns may carry the contract's names or the usual Chinese headers (企业名称,
    所属行业, 企业简介, 主营业务, 意向区域, 层级, 排除, simplified or traditional, see
    :mod:`recommender.columns`). A very large CSV/JSONL/Parquet file is read in chunks.
    The output format follows ``out_path``'s extension:

    - ``.jsonl``: one result record per input row, in input order (``profile_id``,
      ``row``, ``error``, ``weak_evidence``, ``warnings``, ``resolved_sectors``,
      ``matches``); byte-identical across runs and worker counts;
    - ``.csv`` (UTF-8 with BOM, formula-like cells neutralised) and ``.parquet``: one row
      per (profile, match) with the first evidence passage flattened (columns
      :data:`OUTPUT_COLUMNS`), and one row with only the id and error for a profile with
      no match;
    - ``.xlsx``: a ``matches`` sheet as the CSV plus a readable ``citation`` of the first
      evidence, and a ``profiles`` sheet with every input row (its status, error,
      warnings, best place, then the row's own cells); formula-like cells neutralised.

    Results are written chunk by chunk to a temporary file renamed to ``out_path`` at
    the end, so a failed run leaves no partial output.

    Parameters
    ----------
    model : Recommender
    in_path, out_path : str or Path
    top_k, evidence_k, n_jobs, backend, scheduler, chunk_size, progress
        As in :func:`score_batch`.
    sheet : str, optional
        The sheet of an ``.xlsx`` input (default the first).
    on_columns : callable, optional
        Called once with a one-line description of the input columns used and ignored
        (:meth:`ColumnMapping.describe`), before scoring starts.

    Returns
    -------
    str
        ``"scored N profiles: M matched, E errored, Z without matches in T s -> out_path"``.

    Raises
    ------
    InputError
        A missing or unreadable input file, or an unsupported output extension.
    TableSchemaError
        A table with no column for ``sectors`` or ``text``.
    ImportError
        Excel or Parquet files without their optional extra.
    """
    from recommender.io import output_format

    start = time.perf_counter()
    out_path = Path(out_path)
    fmt = output_format(out_path)
    if fmt == "parquet":
        _import_parquet()
    if fmt == "xlsx" or Path(in_path).suffix.lower() == ".xlsx":
        from recommender.excel import import_openpyxl

        import_openpyxl()
    chunk_size = check_params(top_k, evidence_k, n_jobs, backend, chunk_size)
    profiles, total, mapping, raw = _open_profiles(in_path, chunk_size, sheet)
    if on_columns is not None:
        on_columns(mapping.describe())
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{uuid.uuid4().hex[:8]}.tmp")
    counts = {"profiles": 0, "matched": 0, "errored": 0}
    writer = None
    try:
        writer = _WRITERS[fmt](tmp, raw) if fmt == "xlsx" else _WRITERS[fmt](tmp)
        for rows, results in iter_scored(model, profiles, top_k=top_k, evidence_k=evidence_k, n_jobs=n_jobs,
                                          backend=backend, chunk_size=chunk_size, scheduler=scheduler,
                                          progress=progress, total=total):
            writer.write(rows, results)
            counts["profiles"] += len(results)
            counts["matched"] += sum(1 for r in results if r.error is None and r.matches)
            counts["errored"] += sum(1 for r in results if r.error is not None)
        writer.close()
        writer = None
        os.replace(tmp, out_path)
    finally:
        if writer is not None:
            try:
                writer.close()
            except Exception:  # noqa: BLE001 - already failing
                pass
        if tmp.exists():
            tmp.unlink()
    empty = counts["profiles"] - counts["matched"] - counts["errored"]
    elapsed = time.perf_counter() - start
    return (f"scored {counts['profiles']} profiles: {counts['matched']} matched, {counts['errored']} errored, "
            f"{empty} without matches in {elapsed:.1f} s -> {out_path}")
