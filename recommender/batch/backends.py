"""Where batch chunks run: in this process, on local workers (joblib) or on a Dask cluster.

Each backend takes an iterable of chunks (lists of profile items, see
:func:`recommender.batch.chunks.score_chunk`) and yields one list of results per chunk, in the
order the chunks came in. Chunks are consumed lazily and only a bounded number are in
flight at once, so a stream of any length runs in bounded memory.

The model is shipped to each worker once: joblib workers load it from a temporary file
the first time they see it and keep it for the following chunks; Dask workers receive it
by ``client.scatter(model, broadcast=True)``.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections import deque
from pathlib import Path
from typing import Any, Iterable, Iterator

from recommender.batch.chunks import score_chunk
from recommender.exceptions import InputError, UnknownOptionError

logger = logging.getLogger(__name__)

__all__ = ["BACKENDS", "run_chunks", "check_backend", "check_n_jobs"]

#: Backends accepted by :func:`run_chunks` (``loky`` is joblib's process pool).
BACKENDS = ("loky", "threading", "dask")

#: How long to wait for a Dask scheduler given by address.
DASK_CONNECT_TIMEOUT = "30s"

# Worker-process cache of models loaded from a file: {path: model}. Holds one entry.
_WORKER_MODELS: dict[str, Any] = {}


def check_backend(backend: str) -> str:
    """Return ``backend`` if it is a known backend name.

    Raises
    ------
    UnknownOptionError
        For any other name (the message lists the valid ones).

    Examples
    --------
    >>> check_backend("dask")
    'dask'
    """
    if backend not in BACKENDS:
        raise UnknownOptionError("batch backend", str(backend), BACKENDS)
    return backend


def check_n_jobs(n_jobs: Any) -> int:
    """Return ``n_jobs`` as an int (``None`` means 1; negative counts from the CPU count, as in joblib).

    Raises
    ------
    InputError
        For 0, a non-integer or a bool.

    Examples
    --------
    >>> check_n_jobs(None), check_n_jobs(2)
    (1, 2)
    """
    if n_jobs is None:
        return 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise InputError(f"n_jobs must be a non-zero integer (-1 = all CPUs), got {n_jobs!r}")
    return int(n_jobs)


def _effective_workers(n_jobs: int) -> int:
    if n_jobs > 0:
        return n_jobs
    return max(1, (os.cpu_count() or 1) + 1 + n_jobs)


def run_chunks(model, chunks: Iterable[list], *, top_k: int, evidence_k: int, n_jobs: int = 1,
               backend: str = "loky", scheduler: Any = None) -> Iterator[list]:
    """Score chunks of profile items and yield each chunk's results, in input order.

    Parameters
    ----------
    model : Recommender
        A fitted model.
    chunks : iterable of list
        Lists of ``(row, profile_id, payload)`` items (see :func:`recommender.batch.chunks.score_chunk`).
    top_k, evidence_k : int
        Passed to :meth:`Recommender.recommend_many`.
    n_jobs : int, default=1
        Workers. With ``1`` and a joblib backend the chunks run in this process.
    backend : {"loky", "threading", "dask"}, default="loky"
        ``dask`` runs on dask.distributed: on the cluster at ``scheduler``, or on a
        ``LocalCluster`` of ``n_jobs`` (default 2) single-threaded worker processes
        started for the run and closed after.
    scheduler : str or distributed.Client, optional
        Address of a running Dask scheduler (``tcp://host:8786``), or a connected client
        (left open). Only with ``backend="dask"``.

    Yields
    ------
    list of RecommendationResult
        One list per chunk, one result per item.

    Examples
    --------
    >>> list(run_chunks(None, [], top_k=3, evidence_k=1))
    []
    """
    check_backend(backend)
    n_jobs = check_n_jobs(n_jobs)
    if scheduler is not None and backend != "dask":
        raise InputError("a scheduler address needs backend='dask'")
    if backend == "dask":
        return _run_dask(model, chunks, top_k, evidence_k, n_jobs, scheduler)
    if n_jobs == 1:
        return _run_serial(model, chunks, top_k, evidence_k)
    return _run_joblib(model, chunks, top_k, evidence_k, n_jobs, backend)


def _run_serial(model, chunks, top_k, evidence_k):

    for chunk in chunks:
        yield score_chunk(model, chunk, top_k, evidence_k)


# --------------------------------------------------------------------------- joblib
def _score_chunk_from_file(model_path: str, items: list, top_k: int, evidence_k: int) -> list:
    """Worker side: load the model once per process, then score a chunk.

    The cache is keyed by the file's name, which holds a digest of the pickled model,
    so a worker reused for a later run of the same model does not load it again.
    """

    key = Path(model_path).name
    model = _WORKER_MODELS.get(key)
    if model is None:
        import joblib

        _WORKER_MODELS.clear()
        model = joblib.load(model_path)
        _WORKER_MODELS[key] = model
    return score_chunk(model, items, top_k, evidence_k)


def _dump_model(model, tmpdir: str) -> str:
    """Pickle the model once into ``tmpdir``; the file is named by the pickle's digest."""
    import hashlib

    import joblib

    staging = Path(tmpdir) / "model.joblib"
    joblib.dump(model, staging)
    digest = hashlib.sha256()
    with open(staging, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    path = Path(tmpdir) / f"model-{digest.hexdigest()[:24]}.joblib"
    os.replace(staging, path)
    return str(path)


def _run_joblib(model, chunks, top_k, evidence_k, n_jobs, backend):
    from joblib import Parallel, delayed


    workers = _effective_workers(n_jobs)
    if backend == "threading":  # shared memory: no copy of the model needed
        calls = (delayed(score_chunk)(model, chunk, top_k, evidence_k) for chunk in chunks)
        yield from Parallel(n_jobs=workers, backend="threading", return_as="generator",
                            pre_dispatch="2*n_jobs")(calls)
        return
    tmpdir = tempfile.mkdtemp(prefix="recommender-batch-")
    try:
        path = _dump_model(model, tmpdir)  # pickled once; each worker loads it once
        logger.info("scoring on %d %s workers", workers, backend)
        calls = (delayed(_score_chunk_from_file)(path, chunk, top_k, evidence_k) for chunk in chunks)
        yield from Parallel(n_jobs=workers, backend=backend, return_as="generator",
                            pre_dispatch="2*n_jobs")(calls)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


# ----------------------------------------------------------------------------- dask
def _import_distributed():
    try:
        import distributed
    except ImportError as exc:
        raise ImportError("backend='dask' needs the optional extra: pip install 'recommender[dask]'") from exc
    return distributed


def _run_dask(model, chunks, top_k, evidence_k, n_jobs, scheduler):
    distributed = _import_distributed()

    cluster = None
    own_client = True
    if scheduler is None:
        workers = 2 if n_jobs == 1 else _effective_workers(n_jobs)
        logger.info("starting a local Dask cluster of %d worker processes", workers)
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
        client = distributed.Client(cluster)
    elif isinstance(scheduler, str):
        try:
            client = distributed.Client(scheduler, timeout=DASK_CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise InputError(f"cannot connect to the Dask scheduler at {scheduler}: {exc}") from None
    else:
        client, own_client = scheduler, False
    try:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        model_future = client.scatter(model, broadcast=True)
        in_flight: deque = deque()
        limit = 2 * n_workers + 2
        for chunk in chunks:
            in_flight.append(client.submit(score_chunk, model_future, chunk, top_k, evidence_k, pure=False))
            if len(in_flight) >= limit:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
    finally:
        if own_client:
            client.close()
        if cluster is not None:
            cluster.close()
