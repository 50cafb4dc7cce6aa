"""Per-passage features computed a chunk of passages at a time, in this process or in
worker processes: token counts (for the TF-IDF) and industry tags with their hits.

Both are pure functions of a passage's text, so a corpus can be cut into chunks, the
chunks processed anywhere, and the results laid end to end in passage order. A worker
process keeps the tokenizer and tagger of the fit it serves (built once: jieba's
dictionary, the tagger's patterns), however many chunks it processes.
"""

from __future__ import annotations

import uuid
from typing import Iterator, NamedTuple

import scipy.sparse as sp

from recommender.model.tfidf import TokenCounts, count_tokens

__all__ = ["ChunkFeatures", "ParallelChunks", "analyze_chunk", "iter_chunk_features", "CHUNK_SIZE"]

#: Passages per chunk (per task when worker processes do the work).
CHUNK_SIZE = 1000

_WORKER_STATE: dict[str, tuple] = {}


class ChunkFeatures(NamedTuple):
    """The features of a chunk of passages: token counts, tag matrix (rows = passages) and
    each passage's ``(code, term)`` tag hits."""

    counts: TokenCounts
    tags: sp.csr_matrix | None
    hits: list | None


def analyze_chunk(tokenizer, tagger, texts, hits: bool = True) -> ChunkFeatures:
    """Count the tokens of ``texts`` and, with a ``tagger``, tag them (with ``hits=False``
    the tag hits are not kept).

    Examples
    --------
    >>> from recommender.knowledge.tagging import IndustryTagger
    >>> from recommender.knowledge.taxonomy import Taxonomy
    >>> f = analyze_chunk(str.split, IndustryTagger(Taxonomy.default()), ["陶瓷 产业", "电动车"])
    >>> f.counts.words, f.tags.shape[0], f.hits[1]
    (['陶瓷', '产业', '电动车'], 2, [('AUTO.NEV', '电动车')])
    """
    counts = count_tokens(tokenizer, texts)
    if tagger is None:
        return ChunkFeatures(counts, None, None)
    tags, found = tagger.analyze_many(texts)
    return ChunkFeatures(counts, tags, found if hits else None)


def _analyze_in_worker(key: str, state: bytes, texts, hits: bool = True) -> ChunkFeatures:
    # ``state`` is this fit's tokenizer and tagger, pickled once by the process that started
    # the workers (joblib pickles every task's arguments anyway); a worker unpickles it, and
    # builds the jieba engine and the tagger's patterns, only for the first chunk it gets
    objects = _WORKER_STATE.get(key)
    if objects is None:
        import pickle

        _WORKER_STATE.clear()
        objects = _WORKER_STATE[key] = pickle.loads(state)
    return analyze_chunk(objects[0], objects[1], texts, hits)


def _chunks(texts) -> list:
    return [texts[i:i + CHUNK_SIZE] for i in range(0, len(texts), CHUNK_SIZE)]


class ParallelChunks:
    """The :class:`ChunkFeatures` of ``texts`` computed by worker processes (joblib), an
    iterator that yields them in order; the work goes on in the background from the start.

    The workers keep the tokenizer and tagger they were sent (its jieba engine, the tagger's
    patterns) for every chunk of the same fit: :meth:`submit` gives them more texts (a fit's
    mention windows, known only after linking) without rebuilding either.

    Parameters
    ----------
    tokenizer, tagger
        As for :func:`analyze_chunk`.
    texts : list of str
    n_workers : int
        Worker processes (2 or more).
    hits : bool, default=True
        Keep each text's tag hits.
    """

    def __init__(self, tokenizer, tagger, texts, n_workers: int, *, hits: bool = True, _shared=None):
        import pickle

        from joblib import Parallel, delayed

        # one fit, one key: workers rebuild nothing between its chunks
        self._shared = _shared or (uuid.uuid4().hex, pickle.dumps((tokenizer, tagger),
                                                                  protocol=pickle.HIGHEST_PROTOCOL), n_workers)
        key, state, n = self._shared
        self._results = Parallel(n_jobs=n, return_as="generator")(
            delayed(_analyze_in_worker)(key, state, chunk, hits) for chunk in _chunks(texts))

    def __iter__(self) -> "ParallelChunks":
        return self

    def __next__(self) -> ChunkFeatures:
        return next(self._results)

    def submit(self, texts, *, hits: bool = True) -> "ParallelChunks":
        """Start computing the features of more texts on the same workers."""
        return ParallelChunks(None, None, texts, 0, hits=hits, _shared=self._shared)


def iter_chunk_features(tokenizer, tagger, texts, n_workers: int = 1, *, hits: bool = True) -> Iterator[ChunkFeatures]:
    """Yield the :class:`ChunkFeatures` of ``texts`` chunk by chunk, in order; with
    ``n_workers > 1`` the chunks are processed in worker processes (a :class:`ParallelChunks`)
    and this returns at once, the work going on in the background.

    Examples
    --------
    >>> [f.counts.lengths.tolist() for f in iter_chunk_features(str.split, None, ["陶瓷 产业", "电瓷"])]
    [[2, 1]]
    """
    if n_workers <= 1:
        return (analyze_chunk(tokenizer, tagger, chunk, hits) for chunk in _chunks(texts))
    return ParallelChunks(tokenizer, tagger, texts, n_workers, hits=hits)
