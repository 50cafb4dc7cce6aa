"""Batch scoring API: a table of investor profiles in, one ranked result per profile out.

Nothing is lost: every input profile comes back, in input order, either with its
matches or with a one-line ``error``; a bad row never affects the others. Profiles are
scored chunk by chunk with :meth:`Recommender.recommend_many` (vectorised sparse
products inside), in this process, on local joblib workers or on a Dask cluster (see
:mod:`recommender.batch.backends`), and results stream out chunk by chunk so that a
very large input runs in bounded memory. Files in and out are :mod:`recommender.batch.files`.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import Any, Iterator

import numpy as np
import pandas as pd

from recommender.batch.backends import check_backend, check_n_jobs, run_chunks
from recommender.batch.chunks import (
    FrameStream,
    ItemMaker,
    chunked,
    iter_items,
    progress_bar,
    result_frame,
)
from recommender.exceptions import InputError
from recommender.model.results import RecommendationResult
from recommender.validation import check_k

logger = logging.getLogger(__name__)

__all__ = ["score_batch", "iter_score_batch", "iter_scored", "check_params"]


def _check_chunk_size(chunk_size: Any) -> int:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
        raise InputError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    return int(chunk_size)


def check_params(top_k, evidence_k, n_jobs, backend, chunk_size) -> int:
    """Check the batch parameters together; return the chunk size as an ``int``."""
    check_k(top_k, "top_k", 1)
    check_k(evidence_k, "evidence_k", 0)
    check_backend(backend)
    check_n_jobs(n_jobs)
    return _check_chunk_size(chunk_size)


def iter_scored(model, profiles, *, top_k, evidence_k, n_jobs, backend, chunk_size, scheduler,
                 progress, total=None) -> Iterator[tuple[list[int], list[RecommendationResult]]]:
    """Yield ``(rows, results)`` chunk by chunk, in input order."""
    chunk_size = check_params(top_k, evidence_k, n_jobs, backend, chunk_size)
    if hasattr(model, "_check_fitted"):
        model._check_fitted()
    if total is None and hasattr(profiles, "__len__") and not isinstance(profiles, FrameStream):
        total = len(profiles)
    maker = ItemMaker()
    row_chunks: deque[list[int]] = deque()

    def chunks():
        for chunk in chunked(iter_items(profiles, maker), chunk_size):
            row_chunks.append([row for row, _, _ in chunk])
            yield chunk

    bar = progress_bar(progress, total)
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
    for rows, results in iter_scored(model, profiles, top_k=top_k, evidence_k=evidence_k, n_jobs=n_jobs,
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
