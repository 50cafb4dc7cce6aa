"""Bundled datasets: the Hunan sample corpus."""

from __future__ import annotations

from pathlib import Path

SAMPLE_DIR = Path(__file__).resolve().parent / "hunan"


def sample_corpus_paths() -> list[Path]:
    """Return the paths of the bundled Hunan sample pages, sorted by name.

    Examples
    --------
    >>> [p.name[:3] for p in sample_corpus_paths()]
    ['000', '001', '002', '003', '004']
    """
    return sorted(SAMPLE_DIR.glob("*.txt"))


def load_sample_corpus():
    """Load the bundled sample corpus (five scraped pages of Hunan reports).

    Returns
    -------
    Corpus
        Documents and passages of the sample pages.

    Examples
    --------
    >>> corpus = load_sample_corpus()
    >>> len(corpus.documents) > 30
    True
    """
    from recommender.corpus import load_corpus

    return load_corpus(sample_corpus_paths())
