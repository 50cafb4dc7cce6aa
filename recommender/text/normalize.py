"""Normalisation of text for features (never for cited text).

Evidence is quoted verbatim from the source; everything here works on copies used
to build features: traditional to simplified Chinese, NFKC width folding, and the
removal of stray spaces that scraping leaves inside numbers, quotes and words
(``2020 年`` → ``2020年``, ``“ 十四五 ”`` → ``“十四五”``).
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["to_simplified", "normalize_for_features", "has_traditional"]

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_CJK_PUNCT = r"\u3000-\u303f\uff00-\uffef“”‘’《》【】·…—"
# A space is noise when a CJK character or CJK punctuation stands on either side of it
# and the other side is CJK, a digit, % or punctuation.
_SPACE_NOISE = re.compile(
    rf"(?<=[{_CJK}{_CJK_PUNCT}0-9%,.:;!?()])[ \t\u00a0\u3000]+(?=[{_CJK}{_CJK_PUNCT}])"
    rf"|(?<=[{_CJK}{_CJK_PUNCT}])[ \t\u00a0\u3000]+(?=[0-9%])"
)
_MULTISPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=1)
def _traditional_chars() -> frozenset[str]:
    import os

    import opencc

    path = os.path.join(os.path.dirname(opencc.__file__), "dictionary", "TSCharacters.txt")
    chars = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            key = line.split("\t", 1)[0].strip()
            if len(key) == 1:
                chars.add(key)
    # Characters shared by both scripts map to themselves and are harmless to convert;
    # keep only those whose simplified form differs.
    with open(path, encoding="utf-8") as fh:
        same = {ln.split("\t")[0] for ln in fh if ln.split("\t")[0] in ln.split("\t")[1].split()}
    return frozenset(chars - same)


def has_traditional(text: str) -> bool:
    """Return True when ``text`` holds a character that only traditional script uses.

    Examples
    --------
    >>> has_traditional("電動車"), has_traditional("电动车")
    (True, False)
    """
    return not _traditional_chars().isdisjoint(text)


def to_simplified(text: str) -> str:
    """Convert traditional Chinese to simplified (OpenCC ``t2s``); a no-op on simplified text.

    Examples
    --------
    >>> to_simplified("功率半導體與陶瓷產業")
    '功率半导体与陶瓷产业'
    """
    if not text or not has_traditional(text):
        return text
    return _converter().convert(text)


def normalize_for_features(text: str) -> str:
    """Return a copy of ``text`` fit for tokenising and term matching.

    Applies NFKC, traditional → simplified, removes scraping spaces next to CJK
    characters and folds other runs of white space to one space. English letters
    keep their case (the tokenizer lowercases where it wants to).

    Examples
    --------
    >>> normalize_for_features("2020 年全区地区生产总值达到 244.2 亿元, “ 十四五 ” 時期")
    '2020年全区地区生产总值达到244.2亿元,“十四五”时期'
    """
    if not text:
        return ""
    out = unicodedata.normalize("NFKC", text)
    out = to_simplified(out)
    out = _SPACE_NOISE.sub("", out)
    out = _MULTISPACE.sub(" ", out)
    return out.strip()
