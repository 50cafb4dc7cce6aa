"""Ingestion: report files → documents → verbatim passages with offsets.

Examples
--------
>>> from recommender.corpus import load_corpus
>>> from recommender.datasets import sample_corpus_paths
>>> corpus = load_corpus(sample_corpus_paths())
>>> sorted(corpus.passages.role.unique())
['body', 'glossary', 'heading']
"""

from recommender.corpus.corpus import Corpus, CorpusReport, load_corpus

__all__ = ["Corpus", "CorpusReport", "load_corpus"]
