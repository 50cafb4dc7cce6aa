"""Place statements: the part of a passage that states something *of* a place.

A passage is about 400 characters of a report; it often names a county in one sentence
and speaks of a different matter in the next. A place earns a passage's words only
where the report says them of that place. The rules, applied to the feature text of a
passage and the places found in it:

1. **Sentence.** A place's statement is the sentence that names it. A sentence ends at
   ``。 ! ? ;`` (full or half width), at a paragraph break (a run of white space
   between two non-ASCII characters, which is what a line break becomes in the
   normalised text), at a Markdown bold marker ``**`` and before a list marker
   (``1.``, ``(一)``, ``一是``).
2. **Clause.** When a sentence names several places (the document's own region
   included, except in the titles a place earned: 沐川获评…、全省竹产业高质量发展县 is all
   said of 沐川), each place keeps its own clause: from the last clause separator
   (``, 、 :``) before its mention up to the separator that precedes the next place's
   mention, and for the last place up to the next comma (依托朝阳县有色金属新材料、
   建平县新型建材 … gives 朝阳县 only 依托朝阳县有色金属新材料). A clause that says
   nothing but the place's name (石峰区、荷塘区共建…) shares the next clause, and the
   last such clause the whole sentence.
3. **Subject.** A passage that opens with a place's name as its heading (灵璧县:…,
   **灵璧县**…) and names no other place (the document's own region and the places
   containing it aside) is about that place: its statement is the whole passage.

Examples
--------
>>> from types import SimpleNamespace as M
>>> t = "依托朝阳县有色金属新材料、建平县新型建材、喀左县半导体新材料。"
>>> ms = [M(entity_id="cy", start=2, end=5), M(entity_id="jp", start=13, end=16),
...       M(entity_id="kz", start=21, end=24)]
>>> [t[a:b] for a, b in statement_spans(t, ms)["jp"]]
['建平县新型建材']
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

__all__ = ["sentence_bounds", "statement_spans", "statement_texts"]

# sentence ends: punctuation, a former line break between non-ASCII characters, bold marks
_SENTENCE_END = re.compile(r"[。!?！？;；]+|(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])|\*\*")
# list markers that open a new statement: 1. / 1、 / (一) / 一是 / ①
_LIST_MARKER = re.compile(
    r"(?<![0-9.])(?:[0-9]{1,2}[.、](?![0-9])|[(（][一二三四五六七八九十0-9]{1,3}[)）]|"
    r"[一二三四五六七八九十]是(?=[^\x00-\x7f])|[①-⑳])"
)
_CLAUSE_SEP = re.compile(r"[,，、:：]")
_CLAUSE_END = re.compile(r"[,，:：]")
# words that say nothing about a place by themselves (支持A县、B县…; A县和B县…)
_FILLER = re.compile(r"[\s,，、:：和与及等以在对把将为由的\"“”'‘’《》()（）*]|支持|推动|推进|依托|加快|鼓励|引导")
# verbs of a title a place earned (获评 X、Y): the titles after them are all the place's own
_AWARD = re.compile(r"获评|评为|入选|荣获|获批|列为|命名为")
# what follows a place's name that heads a paragraph about it (灵璧县:… / **灵璧县**…)
_HEADING_AFTER = re.compile(r"[^\x00-\x7f]{0,4}?(?::|：|\*\*|\s)")


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """The ``(start, end)`` of the sentence of ``text`` that holds position ``pos``.

    Examples
    --------
    >>> t = "全市经济增长。**临清聚力打造轴承产业**1.冠县建强钢板基地"
    >>> [t[slice(*sentence_bounds(t, t.index(w)))] for w in ("经济", "临清", "冠县")]
    ['全市经济增长', '临清聚力打造轴承产业', '1.冠县建强钢板基地']
    """
    lo, hi = 0, len(text)
    # one character past ``pos`` lets the look-arounds of the patterns see it
    for m in _SENTENCE_END.finditer(text, 0, pos + 1):
        if m.end() <= pos:
            lo = m.end()
    for m in _LIST_MARKER.finditer(text, lo, pos + 1):
        if m.start() < pos:
            lo = m.start()
    for pattern in (_SENTENCE_END, _LIST_MARKER):
        m = pattern.search(text, pos + 1)
        if m:
            hi = min(hi, m.start())
    return lo, hi


def _is_bare(text: str, start: int, end: int, mention) -> bool:
    """True when a clause says nothing beyond the place's own name."""
    rest = text[start:mention.start] + text[mention.end:end]
    return len(_FILLER.sub("", rest)) < 2


def _clauses(text: str, lo: int, hi: int, ordered: Sequence) -> list[tuple[int, int]]:
    """One clause span per mention of a sentence naming several places (rule 2)."""
    spans = []
    for k, m in enumerate(ordered):
        prev_end = ordered[k - 1].end if k else lo
        start = lo if k == 0 else prev_end
        for sep in _CLAUSE_SEP.finditer(text, prev_end if k else lo, m.start):
            start = sep.end()
        if k + 1 < len(ordered):
            nxt = ordered[k + 1]
            end = nxt.start
            for sep in _CLAUSE_SEP.finditer(text, m.end, nxt.start):
                end = sep.start()
        else:
            # the last place's clause ends at the next comma: what follows is shared by all
            nxt = _CLAUSE_END.search(text, m.end, hi)
            end = nxt.start() if nxt else hi
        spans.append([start, max(end, m.end)])
    # a clause that is only the name shares what follows it (石峰区、荷塘区共建…)
    for k in range(len(spans) - 1, -1, -1):
        s, e = spans[k]
        if _is_bare(text, s, e, ordered[k]):
            spans[k][1] = spans[k + 1][1] if k + 1 < len(spans) else hi
            if k + 1 == len(spans):
                spans[k][0] = lo
    return [(s, e) for s, e in spans]


def _subject(text: str, mentions: Sequence, context: frozenset) -> str | None:
    """The place a passage is about (rule 3), or None.

    The passage must open with the place's name set off as a heading (followed by
    ``:``, ``**`` or a paragraph break) and name no other place outside ``context``.
    """
    named = {m.entity_id for m in mentions if m.entity_id not in context}
    if len(named) != 1:
        return None
    first = min((m for m in mentions if m.entity_id in named), key=lambda m: m.start)
    lead = _LIST_MARKER.sub("", text[:first.start]).strip(" *")
    if lead or not _HEADING_AFTER.match(text, first.end):
        return None
    return first.entity_id


def statement_spans(text: str, mentions: Iterable, *, context: Iterable[str] = ()) -> dict[str, list[tuple[int, int]]]:
    """Return ``{entity_id: [(start, end), …]}``: where ``text`` states something of each place.

    Parameters
    ----------
    text : str
        The passage's feature text (the text the mentions were found in).
    mentions : iterable
        Objects with ``entity_id``, ``start`` and ``end`` (offsets into ``text``).
    context : iterable of str, optional
        Ids that do not compete for a passage's subject: the document's own region and
        the places that contain it.

    Returns
    -------
    dict
        Spans per place, in text order, without repeats; a place named several times
        has several spans.

    Examples
    --------
    >>> from types import SimpleNamespace as M
    >>> t = "灵璧县:做强轴承产业集群。打造紧固件基地。"
    >>> [t[a:b] for a, b in statement_spans(t, [M(entity_id="lb", start=0, end=3)], context={"sz"})["lb"]]
    ['灵璧县:做强轴承产业集群。打造紧固件基地。']
    >>> t = "灵璧县民兵连获第一名。做强轴承产业集群。"
    >>> [t[a:b] for a, b in statement_spans(t, [M(entity_id="lb", start=0, end=3)])["lb"]]
    ['灵璧县民兵连获第一名']
    >>> t = "全市做强轴承产业。支持灵璧县建设示范县。"
    >>> [t[a:b] for a, b in statement_spans(t, [M(entity_id="lb", start=11, end=14)])["lb"]]
    ['支持灵璧县建设示范县']
    >>> t = "石峰区、荷塘区共建轨道交通产业集群。"
    >>> ms = [M(entity_id="sf", start=0, end=3), M(entity_id="ht", start=4, end=7)]
    >>> {k: [t[a:b] for a, b in v] for k, v in statement_spans(t, ms).items()}
    {'sf': ['石峰区、荷塘区共建轨道交通产业集群'], 'ht': ['荷塘区共建轨道交通产业集群']}
    >>> t = "沐川获评魔芋之乡、全省竹产业高质量发展县。"
    >>> ms = [M(entity_id="mc", start=0, end=2), M(entity_id="sc", start=9, end=11)]
    >>> [t[a:b] for a, b in statement_spans(t, ms, context={"ls", "sc"})["mc"]]
    ['沐川获评魔芋之乡、全省竹产业高质量发展县']
    """
    mentions = sorted(mentions, key=lambda m: (m.start, m.end))
    context = frozenset(context)
    out: dict[str, list[tuple[int, int]]] = {}
    if not mentions:
        return out
    subject = _subject(text, mentions, context)
    if subject is not None:
        out[subject] = [(0, len(text))]
    by_sentence: dict[tuple[int, int], list] = {}
    for m in mentions:
        if m.entity_id == subject:
            continue
        by_sentence.setdefault(sentence_bounds(text, m.start), []).append(m)
    for (lo, hi), ms in by_sentence.items():
        # a title a place earned names the region that ranks it: in 沐川获评…、全省竹产业
        # 高质量发展县 the province (全省) cuts no clause, all the titles are 沐川's
        places = [m for m in ms if not (m.entity_id in context and _AWARD.search(text, lo, m.start))]
        if len({m.entity_id for m in places}) < 2:
            spans = [(lo, hi)] * len(ms)
        else:
            clause = dict(zip(map(id, places), _clauses(text, lo, hi, places)))
            spans = [clause.get(id(m), (lo, hi)) for m in ms]
        for m, (s, e) in zip(ms, spans):
            s, e = _trim(text, s, e)
            if s < e and (s, e) not in out.setdefault(m.entity_id, []):
                out[m.entity_id].append((s, e))
    return {k: v for k, v in out.items() if v}


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t*,，、:：":
        start += 1
    while end > start and text[end - 1] in " \t*,，、:：":
        end -= 1
    return start, end


def statement_texts(text: str, mentions: Iterable, *, context: Iterable[str] = ()) -> dict[str, str]:
    """Like :func:`statement_spans`, with each place's statements joined by a space.

    Examples
    --------
    >>> from types import SimpleNamespace as M
    >>> t = "大力培育炎陵黄桃、茶陵红茶、醴陵油茶等品牌。"
    >>> ms = [M(entity_id="yl", start=4, end=6), M(entity_id="cl", start=9, end=11),
    ...       M(entity_id="ll", start=14, end=16)]
    >>> statement_texts(t, ms)
    {'yl': '大力培育炎陵黄桃', 'cl': '茶陵红茶', 'll': '醴陵油茶等品牌'}
    """
    return {k: " ".join(text[a:b] for a, b in v) for k, v in statement_spans(text, mentions, context=context).items()}
