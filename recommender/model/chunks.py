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

__all__ = ["ChunkFeatures", "analyze_chunk", "iter_chunk_features", "CHUNK_SIZE"]

#: Passages per chunk (per task when worker processes do the work).
CHUNK_SIZE = 1000

_WORKER_STATE: dict[str, tuple] = {}


class ChunkFeatures(NamedTuple):
    """The features of a chunk of passages: token counts, tag matrix (rows = passages) and
    each passage's ``(code, term)`` tag hits."""

    counts: TokenCounts
    tags: sp.csr_matrix | None
    hits: list | None


def analyze_chunk(tokenizer, tagger, texts) -> ChunkFeatures:
    """Count the tokens of ``texts`` and, with a ``tagger``, tag them.

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
    tags, hits = tagger.analyze_many(texts)
    return ChunkFeatures(counts, tags, hits)


def _analyze_in_worker(key: str, state: bytes, texts) -> ChunkFeatures:
    # ``state`` is this fit's tokenizer and tagger, pickled once by the process that started
    # the workers (joblib pickles every task's arguments anyway); a worker unpickles it, and
    # builds the jieba engine and the tagger's patterns, only for the first chunk it gets
    objects = _WORKER_STATE.get(key)
    if objects is None:
        import pickle

        _WORKER_STATE.clear()
        objects = _WORKER_STATE[key] = pickle.loads(state)
    return analyze_chunk(objects[0], objects[1], texts)


def iter_chunk_features(tokenizer, tagger, texts, n_workers: int = 1) -> Iterator[ChunkFeatures]:
    """Yield the :class:`ChunkFeatures` of ``texts`` chunk by chunk, in order; with
    ``n_workers > 1`` the chunks are processed in worker processes (joblib) and this
    returns at once, the work going on in the background."""
    chunks = [texts[i:i + CHUNK_SIZE] for i in range(0, len(texts), CHUNK_SIZE)]
    if n_workers <= 1:
        return (analyze_chunk(tokenizer, tagger, chunk) for chunk in chunks)
    from joblib import Parallel, delayed

    import pickle

    key = uuid.uuid4().hex  # one fit, one key: workers rebuild nothing between its chunks
    state = pickle.dumps((tokenizer, tagger), protocol=pickle.HIGHEST_PROTOCOL)
    return Parallel(n_jobs=n_workers, return_as="generator")(
        delayed(_analyze_in_worker)(key, state, chunk) for chunk in chunks)
