"""Stopword lists: general Chinese stopwords plus the boilerplate of government reports."""

from __future__ import annotations

import functools
from importlib import resources

__all__ = ["general_stopwords", "report_boilerplate", "investor_boilerplate", "default_stopwords"]


def _word_list(name: str) -> frozenset[str]:
    """Read a bundled word list: one word per line, ``#`` comments and blank lines skipped."""
    text = resources.files("recommender.text").joinpath(name).read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@functools.lru_cache(maxsize=1)
def general_stopwords() -> frozenset[str]:
    """Return the general Chinese stopword list (``stopwords-iso`` zh, 794 words).

    Examples
    --------
    >>> "的" in general_stopwords()
    True
    """
    return _word_list("stopwords-zh.txt")


@functools.lru_cache(maxsize=1)
def report_boilerplate() -> frozenset[str]:
    """Return the domain stopwords of government reports (各位代表, 坚持, 推进, 加快 …).

    Words that every government work report and plan repeats and that say nothing about a
    place's industries (``stopwords-report.txt``). Kept short on purpose: words such as
    产业, 园区 or 制造 are evidence and stay in the vocabulary.

    Examples
    --------
    >>> {"坚持", "推进", "加快"} <= report_boilerplate()
    True
    """
    return _word_list("stopwords-report.txt")


@functools.lru_cache(maxsize=1)
def investor_boilerplate() -> frozenset[str]:
    """Return the words every investor description uses and no region's evidence answers.

    寻找…的园区, 希望靠近…, …企业 (``stopwords-investor.txt``): they only add noise to a query.

    Examples
    --------
    >>> {"寻找", "企业", "looking"} <= investor_boilerplate()
    True
    """
    return _word_list("stopwords-investor.txt")


@functools.lru_cache(maxsize=1)
def default_stopwords() -> frozenset[str]:
    """Return the union of the general, the report and the investor-description stopwords.

    Examples
    --------
    >>> "各位代表" in default_stopwords() and "陶瓷" not in default_stopwords()
    True
    """
    return general_stopwords() | report_boilerplate() | investor_boilerplate()
