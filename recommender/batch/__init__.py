"""Batch scoring: many investor profiles in, one ranked result per profile out.

- :mod:`recommender.batch.chunks`: profile rows to items, chunk scoring, result frames.
- :mod:`recommender.batch.backends`: where chunks run (this process, joblib, Dask).
- :mod:`recommender.batch.api`: :func:`score_batch` and :func:`iter_score_batch` on tables.
- :mod:`recommender.batch.files`: :func:`score_file`, streaming profiles files in and out.
"""

from recommender.batch.api import iter_score_batch, score_batch
from recommender.batch.chunks import OUTPUT_COLUMNS, RESULT_COLUMNS, flat_frame, result_frame, score_chunk
from recommender.batch.files import score_file

__all__ = ["score_batch", "iter_score_batch", "score_file", "score_chunk", "result_frame", "flat_frame",
           "RESULT_COLUMNS", "OUTPUT_COLUMNS"]
