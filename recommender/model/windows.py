"""Mention windows: the part of a passage that speaks about one of several places.

Reports enumerate places with their products in one sentence (大力培育炎陵黄桃、茶陵红茶、
攸县香干、醴陵油茶…). Crediting every place with every product of such a passage would
make 醴陵 a tea region. When a passage names several places, the evidence for each named
place is read from a window around its mention: the sentence holding it, narrowed to the
enumeration item (the stretch between ``、`` or ``,``) when that sentence names several
places too and the item says more than the place's name.
"""

from __future__ import annotations

import re

__all__ = ["mention_windows"]

_SENTENCE_END = re.compile(r"[。!?！？;；]")
_ITEM_SEP = re.compile(r"[、,，]")


def _bounds(text: str, start: int, end: int, pattern: re.Pattern, lo: int = 0, hi: int | None = None):
    hi = len(text) if hi is None else hi
    left = lo
    for m in pattern.finditer(text, lo, start):
        left = m.end()
    right = hi
    m = pattern.search(text, end, hi)
    if m:
        right = m.start()
    return left, right


def mention_windows(text: str, mentions) -> dict[str, str]:
    """Return ``{entity_id: window text}`` for the places named in ``text``.

    Only meaningful when ``mentions`` hold two or more distinct places; each place's
    windows (one per mention) are joined with a space.

    Parameters
    ----------
    text : str
        The passage's feature text (the same text the mentions were found in).
    mentions : sequence
        Objects with ``entity_id``, ``start`` and ``end``.

    Examples
    --------
    >>> from types import SimpleNamespace as M
    >>> t = "大力培育炎陵黄桃、茶陵红茶、醴陵油茶等品牌。"
    >>> ms = [M(entity_id="yl", start=4, end=6), M(entity_id="cl", start=9, end=11), M(entity_id="ll", start=14, end=16)]
    >>> mention_windows(t, ms)
    {'yl': '大力培育炎陵黄桃', 'cl': '茶陵红茶', 'll': '醴陵油茶等品牌'}
    >>> t = "石峰区、荷塘区共建轨道交通产业集群。"
    >>> mention_windows(t, [M(entity_id="sf", start=0, end=3), M(entity_id="ht", start=4, end=7)])["sf"]
    '石峰区、荷塘区共建轨道交通产业集群'
    """
    out: dict[str, list[str]] = {}
    for m in mentions:
        s_lo, s_hi = _bounds(text, m.start, m.end, _SENTENCE_END)
        others = {o.entity_id for o in mentions if s_lo <= o.start < s_hi and o.entity_id != m.entity_id}
        window = text[s_lo:s_hi]
        if others:
            i_lo, i_hi = _bounds(text, m.start, m.end, _ITEM_SEP, s_lo, s_hi)
            item = text[i_lo:i_hi]
            if len(item.strip()) - (m.end - m.start) >= 2:
                window = item
        window = window.strip()
        if window and window not in out.setdefault(m.entity_id, []):
            out[m.entity_id].append(window)
    return {k: " ".join(v) for k, v in out.items()}
