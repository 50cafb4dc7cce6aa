"""Split document text into verbatim passages with character offsets.

Everything here works on offsets into one string and never edits it: a passage
is a span ``(start, end)`` such that ``text[start:end]`` is the quoted evidence.
Spans never begin or end with white space.

The unit of input is a :class:`Block`: a span of a document that the page parser
(:mod:`recommender.corpus.pages`) found to be content, with a role (``body``,
``heading``, ``title`` or ``glossary``). Blocks are usually physical lines; furniture
between them has already been left out, so a passage never crosses a block unless
only white space separates the two blocks.

Algorithm, per body block:

1. cut at inline section markers (``一、``, ``(一)``, ``（一）``, ``①``) that follow
   ``。 ! ? :`` or the start of the block; ``第 一、`` (a marker after a CJK
   character and a space) is not a marker. Each hard marker starts a section
   whose heading is the marker plus its first clause;
2. cut each section into sentences (``。 ! ? ！ ？`` plus closing quotes);
   a sentence longer than ``max_len`` is cut at ``； ; ， , 、`` (never inside an
   ASCII word or number when avoidable);
3. pack consecutive sentences of a section greedily up to ``max_len`` characters;
4. merge leftovers shorter than ``min_len`` into a neighbour with the same
   heading and role when the result still fits in ``max_len``.
"""

from __future__ import annotations

import re
from typing import Iterable, NamedTuple

__all__ = [
    "Block",
    "Segment",
    "MAX_LEN",
    "MIN_LEN",
    "trim_span",
    "split_sentences",
    "find_sections",
    "segment_span",
    "segment_blocks",
]

MAX_LEN = 400
MIN_LEN = 20

_WS = " \t\r\n\u3000\u00a0\ufeff\u200b"
_SENT_END = re.compile(r"[。!?！？]+[”’\"」』)）】]*|\n")
_SOFT_CUT = "；;，,、 "
_MARKER = re.compile(
    r"(?:^|(?<=[。!?:！？：]))[ \t\u3000]*"
    r"(?P<m>[一二三四五六七八九十]{1,3}、(?![一二三四五六七八九十][、和])|[(（][一二三四五六七八九十]{1,3}[)）]|[①-⑩])"
)
_HEADING_CAP = 60
_COMFORT_LEN = 80


class Block(NamedTuple):
    """A content span of a document, as found by the page parser.

    ``role`` is ``"body"``, ``"heading"`` (a section heading: sets the heading of
    the passages after it), ``"title"`` (a document title: a heading passage that
    does not become the section heading) or ``"glossary"``.

    Examples
    --------
    >>> Block(0, 5, "body")
    Block(start=0, end=5, role='body')
    """

    start: int
    end: int
    role: str = "body"


class Segment(NamedTuple):
    """A passage span with its section heading and role.

    Examples
    --------
    >>> Segment(0, 4, "", "body")
    Segment(start=0, end=4, heading='', role='body')
    """

    start: int
    end: int
    heading: str
    role: str


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Move ``start`` right and ``end`` left past white space.

    Examples
    --------
    >>> trim_span("  株洲 ", 0, 5)
    (2, 4)
    """
    while start < end and text[start] in _WS:
        start += 1
    while end > start and text[end - 1] in _WS:
        end -= 1
    return start, end


def _cut_long(text: str, start: int, end: int, max_len: int, min_len: int) -> list[tuple[int, int]]:
    """Cut a span longer than ``max_len`` at clause delimiters."""
    out: list[tuple[int, int]] = []
    a = start
    while end - a > max_len:
        limit = a + max_len
        cut = -1
        for i in range(limit - 1, a + min_len - 1, -1):
            if text[i] in _SOFT_CUT:
                cut = i + 1
                break
        if cut < 0:
            cut = limit
            # do not split an ASCII word or number
            while cut > a + 1 and _is_word(text[cut - 1]) and _is_word(text[cut]):
                cut -= 1
            if cut <= a + 1:
                cut = limit
        s, e = trim_span(text, a, cut)
        if s < e:
            out.append((s, e))
        a, _ = trim_span(text, cut, end)
    s, e = trim_span(text, a, end)
    if s < e:
        out.append((s, e))
    return out


def _is_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "._%")


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return the trimmed sentence spans of ``text[start:end]``.

    A sentence ends after ``。 ! ? ！ ？`` (with any closing quotes) or at a line break.

    Examples
    --------
    >>> t = "株洲很好。“长沙也好!”\\n湘潭"
    >>> [t[a:b] for a, b in split_sentences(t)]
    ['株洲很好。', '“长沙也好!”', '湘潭']
    """
    end = len(text) if end is None else end
    spans = []
    a = start
    for m in _SENT_END.finditer(text, start, end):
        s, e = trim_span(text, a, m.end())
        if s < e:
            spans.append((s, e))
        a = m.end()
    s, e = trim_span(text, a, end)
    if s < e:
        spans.append((s, e))
    return spans


def _heading_of(text: str, start: int, end: int) -> str:
    """The marker plus its first clause (up to ``。``), capped in length."""
    stop = min(end, start + _HEADING_CAP)
    j = text.find("。", start, stop)
    if j < 0:
        j = stop
        for ch in "!?！？":
            k = text.find(ch, start, stop)
            if 0 <= k < j:
                j = k
        if j == stop and stop - start >= _HEADING_CAP:
            for ch in ",，:：;；":
                k = text.find(ch, start + 4, stop)
                if 0 <= k < j:
                    j = k
    return text[start:j].strip()


def find_sections(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str | None]]:
    """Cut ``text[start:end]`` at inline section markers.

    Returns ``(start, end, heading)`` triples covering the span in order. ``heading``
    is ``None`` for the part before the first marker and for circled-number items
    (``①``), which start a new passage but keep the enclosing heading.

    Examples
    --------
    >>> t = "总体向好。一、工作回顾。全市唯一没有 一、二类风险。(一)产业扎实推进。项目多"
    >>> [(t[a:b], h) for a, b, h in find_sections(t)]
    [('总体向好。', None), ('一、工作回顾。全市唯一没有 一、二类风险。', '一、工作回顾'), ('(一)产业扎实推进。项目多', '(一)产业扎实推进')]
    """
    end = len(text) if end is None else end
    sub = text[start:end]
    cuts: list[tuple[int, str | None]] = []
    for m in _MARKER.finditer(sub):
        pos = start + m.start("m")
        marker = m.group("m")
        heading = None if "\u2460" <= marker[0] <= "\u2469" else _heading_of(text, pos, end)
        cuts.append((pos, heading))
    out: list[tuple[int, int, str | None]] = []
    prev, prev_h = start, None
    for pos, h in cuts:
        if pos > prev:
            out.append((prev, pos, prev_h))
        elif out == [] and pos == prev:
            pass
        prev, prev_h = pos, h
    out.append((prev, end, prev_h))
    return [(a, b, h) for a, b, h in out if trim_span(text, a, b)[0] < trim_span(text, a, b)[1]]


def _merge_tiny(spans: list[list], text: str, max_len: int, min_len: int, key=None) -> list[list]:
    """Merge spans shorter than ``min_len`` into a compatible neighbour.

    ``spans`` are mutable ``[start, end, *rest]`` lists; ``key(span)`` says which
    neighbours are compatible (same heading and role); only white space may lie
    between merged spans.
    """
    key = key or (lambda s: None)
    out = list(spans)
    i = 0
    while i < len(out):
        s = out[i]
        if s[1] - s[0] >= min_len:
            i += 1
            continue
        prev = out[i - 1] if i > 0 else None
        nxt = out[i + 1] if i + 1 < len(out) else None
        if (
            prev is not None and key(prev) == key(s) and s[1] - prev[0] <= max_len
            and not text[prev[1]:s[0]].strip(_WS)
        ):
            prev[1] = s[1]
            del out[i]
            continue
        if (
            nxt is not None and key(nxt) == key(s) and nxt[1] - s[0] <= max_len
            and not text[s[1]:nxt[0]].strip(_WS)
        ):
            nxt[0] = s[0]
            del out[i]
            continue
        i += 1
    return out


def segment_span(
    text: str, start: int = 0, end: int | None = None, *, max_len: int = MAX_LEN, min_len: int = MIN_LEN
) -> list[tuple[int, int]]:
    """Pack the sentences of ``text[start:end]`` into passages of at most ``max_len`` chars.

    Examples
    --------
    >>> t = "株洲市打造轨道交通产业集群。" * 3
    >>> [(a, b) for a, b in segment_span(t, max_len=30)]
    [(0, 28), (28, 42)]
    """
    end = len(text) if end is None else end
    units: list[tuple[int, int]] = []
    for a, b in split_sentences(text, start, end):
        if b - a > max_len:
            units.extend(_cut_long(text, a, b, max_len, min_len))
        else:
            units.append((a, b))
    packed: list[list[int]] = []
    for a, b in units:
        if packed and b - packed[-1][0] <= max_len and "\n" not in text[packed[-1][1]:a]:
            packed[-1][1] = b
        else:
            packed.append([a, b])
    packed = _merge_tiny(packed, text, max_len, min_len)
    return [(a, b) for a, b in packed]


def segment_blocks(
    text: str, blocks: Iterable[Block], *, max_len: int = MAX_LEN, min_len: int = MIN_LEN
) -> list[Segment]:
    """Turn the content blocks of one document into passage segments.

    Examples
    --------
    >>> t = "第一章 发展基础\\n(一)产业项目建设扎实推进。新开工项目30个。(二)园区提质。完成投资9亿元。"
    >>> blocks = [Block(0, 8, "heading"), Block(9, len(t), "body")]
    >>> [(t[s.start:s.end], s.heading, s.role) for s in segment_blocks(t, blocks)]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('第一章 发展基础', '', 'heading'),
     ('(一)产业项目建设扎实推进。新开工项目30个。', '(一)产业项目建设扎实推进', 'body'),
     ('(二)园区提质。完成投资9亿元。', '(二)园区提质', 'body')]
    """
    heading = ""
    out: list[list] = []
    for blk in blocks:
        s, e = trim_span(text, blk.start, blk.end)
        if s >= e:
            continue
        if blk.role in ("heading", "title"):
            for a, b in segment_span(text, s, e, max_len=max_len, min_len=1):
                out.append([a, b, heading, "heading"])
            if blk.role == "heading":
                heading = " ".join(text[s:e].split())
            continue
        if blk.role == "glossary":
            heading = "名词解释"
        for a, b, h in find_sections(text, s, e):
            if h is not None:
                heading = h
            for x, y in segment_span(text, a, b, max_len=max_len, min_len=min_len):
                out.append([x, y, heading, blk.role])
    key = lambda sp: (sp[2], sp[3]) if sp[3] != "heading" else object()  # noqa: E731
    body = _merge_tiny(out, text, max_len, min_len, key=key)
    # short lines (list items, figures) join their neighbours up to a comfortable length
    body = _merge_tiny(body, text, max_len, _COMFORT_LEN, key=key)
    return [Segment(a, b, h, r) for a, b, h, r in body]
