"""Batch scoring from files: stream a profiles table in, write one result per profile out.

Reads CSV (UTF-8 or GB18030), JSONL or Parquet profiles in chunks and writes JSONL, CSV
(formula cells neutralised) or Parquet results chunk by chunk to a temporary file that is
renamed at the end. The scoring itself is :mod:`recommender.batch.api`.
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
from typing import Any

import pandas as pd

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
from recommender.exceptions import InputError, TableSchemaError

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
    _check_columns(path, [str(c).strip() for c in header.columns])

    def frames():
        try:
            reader = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding=encoding,
                                 chunksize=chunk_size, on_bad_lines="error")
            yield from reader
        except (UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
            raise InputError(f"cannot read {path}: {exc.__class__.__name__}: {first_line(str(exc))}") from None

    return FrameStream(frames)


def _jsonl_stream(path: Path, chunk_size: int) -> FrameStream:
    def rows():
        from recommender.io import iter_jsonl_objects

        yield from iter_jsonl_objects(path, ROW_ERROR_KEY)

    try:
        first = list(islice(rows(), chunk_size))
    except UnicodeDecodeError as exc:
        raise InputError(f"cannot read {path}: not UTF-8 text ({exc.reason})") from None
    keys = {k for obj in first for k in obj}
    _check_columns(path, sorted(keys))

    def frames():
        it = rows()
        try:
            for chunk in chunked(it, chunk_size):
                yield pd.DataFrame(chunk)
        except UnicodeDecodeError as exc:
            raise InputError(f"cannot read {path}: not UTF-8 text ({exc.reason})") from None

    return FrameStream(frames)


def _parquet_stream(path: Path, chunk_size: int) -> FrameStream:
    pq = _import_parquet()
    try:
        pf = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001
        raise InputError(f"cannot read {path}: {exc.__class__.__name__}: {first_line(str(exc))}") from None
    _check_columns(path, [str(c).strip() for c in pf.schema_arrow.names])

    def frames():
        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunk_size):
            yield batch.to_pandas()

    return FrameStream(frames)


def _check_columns(path: Path, columns: list[str]) -> None:
    if "sectors" not in columns and "text" not in columns:
        raise TableSchemaError(f"{path} has no 'sectors' or 'text' column (columns: {', '.join(columns) or 'none'}); "
                               "a profiles table needs at least one of them")


def _open_profiles(in_path, chunk_size: int):
    """Return ``(profiles, total)``: a DataFrame for a small file, a chunk stream for a large one."""
    from recommender.io import read_profiles_table

    path = Path(in_path)
    if not path.is_file():
        raise InputError(f"profiles file not found: {path}")
    ext = path.suffix.lower()
    if path.stat().st_size > STREAM_THRESHOLD_BYTES and ext in (".csv", ".jsonl", ".parquet"):
        logger.info("reading %s in chunks of %d rows", path, chunk_size)
        stream = {".csv": _csv_stream, ".jsonl": _jsonl_stream, ".parquet": _parquet_stream}[ext]
        return stream(path, max(chunk_size, 1024)), None
    frame = read_profiles_table(path)
    return frame, len(frame)


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


_WRITERS = {"jsonl": _JsonlWriter, "csv": _CsvWriter, "parquet": _ParquetWriter}


def score_file(model, in_path, out_path, top_k: int = 10, evidence_k: int = 3, n_jobs: int = 1,
               backend: str = "loky", scheduler: Any = None, chunk_size: int = 512,
               progress: bool = False) -> str:
    """Score a profiles file and write the results; return a one-line summary.

    The input is a CSV (UTF-8 or GB18030), JSONL or Parquet table of profiles (see
    :func:`score_batch`); a very large CSV/JSONL/Parquet file is read in chunks. The
    output format follows ``out_path``'s extension:

    - ``.jsonl``: one result record per input row, in input order (``profile_id``,
      ``row``, ``error``, ``weak_evidence``, ``warnings``, ``resolved_sectors``,
      ``matches``); byte-identical across runs and worker counts;
    - ``.csv`` (formula-like cells neutralised) and ``.parquet``: one row per (profile,
      match) with the first evidence passage flattened (columns :data:`OUTPUT_COLUMNS`),
      and one row with only the id and error for a profile with no match.

    Results are written chunk by chunk to a temporary file renamed to ``out_path`` at
    the end, so a failed run leaves no partial output.

    Parameters
    ----------
    model : Recommender
    in_path, out_path : str or Path
    top_k, evidence_k, n_jobs, backend, scheduler, chunk_size, progress
        As in :func:`score_batch`.

    Returns
    -------
    str
        ``"scored N profiles: M matched, E errored, Z without matches in T s -> out_path"``.

    Raises
    ------
    InputError
        A missing or unreadable input file, or an unsupported output extension.
    TableSchemaError
        A table with neither a ``sectors`` nor a ``text`` column.
    """
    from recommender.io import output_format

    start = time.perf_counter()
    out_path = Path(out_path)
    fmt = output_format(out_path)
    if fmt == "parquet":
        _import_parquet()
    chunk_size = check_params(top_k, evidence_k, n_jobs, backend, chunk_size)
    profiles, total = _open_profiles(in_path, chunk_size)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(f".{out_path.name}.{uuid.uuid4().hex[:8]}.tmp")
    counts = {"profiles": 0, "matched": 0, "errored": 0}
    writer = None
    try:
        writer = _WRITERS[fmt](tmp)
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
