"""Page layouts → documents, with site furniture left out.

A scraped page may hold one article or a listing of many. This module finds the
documents of a page and, inside each, the content blocks (usually lines) that
passages may be cut from. It never edits the text: every result is a span of the
string it was given.

Layouts (detected per page; see the sample corpus notes):

``bullet``
    a listing whose items start with ``• 【X招商】title``, then a body line and a
    ``YYYY-MM-DD`` date line;
``dash``
    a listing whose items start with a line holding only ``-`` (``- 联系我们`` is
    navigation, not an item);
``article``
    anything else: one or more articles without markers. Articles are split at a
    short headline followed (within two lines) by a kicker (``——…``) or a byline
    (``…记者…``). Five-year plans with ``第X章`` headings are one article.

Furniture left out everywhere: the portal footer (from ``有想补充的信息?点我投稿``
or the contribution rules on), pagination, hotlines, navigation, attachment and
disclaimer blocks, plan page chrome, date lines, photo credits, captions and bylines.
Tables' web chrome before the title (``下载 打印 … 来源：… 时间：…``) is handled by
:func:`split_table_text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from recommender.corpus.furniture import furniture_rules
from recommender.corpus.segment import Block, trim_span

__all__ = ["PageDocument", "detect_layout", "split_page", "split_table_text", "find_doc_date", "line_spans"]

_TAG = re.compile(r"^【([^】]{1,20}?)(?:招商)?】")
_DATE_LINE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_DATE_IN = re.compile(r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})")
_PLAN_HEAD = re.compile(r"^(?:第[一二三四五六七八九十百零〇0-9]+[篇章节]|专栏\s*[0-9一二三四五六七八九十]+)")
_SENT_PUNCT = "。;；,，:：、"

# Web-page furniture, as data (``corpus/data/page_furniture.csv``): ``cut`` lines end the
# page's content, ``tail`` lines end a table row's document, ``furniture`` lines are dropped.
_RULES = furniture_rules()
_CUT_EXACT = _RULES.exact("cut")
_CUT_PREFIX = _RULES.prefixes("cut")
_CUT_RES = _RULES.patterns("cut")
_TAIL_PREFIX = _RULES.prefixes("tail")
_FURNITURE_EXACT = _RULES.exact("furniture")
_FURNITURE_RE = _RULES.patterns("furniture")


@dataclass
class PageDocument:
    """One document found on a page (or in a table row).

    ``start``/``end`` span the document in the text; ``blocks`` are its content spans.

    Examples
    --------
    >>> d = PageDocument(0, 4, title="标题")
    >>> d.kind, d.blocks
    ('news', [])
    """

    start: int
    end: int
    title: str = ""
    region_tag: str = ""
    date: str = ""
    doc_date: str = ""
    kind: str = "news"
    truncated: bool = False
    blocks: list[Block] = field(default_factory=list)


def line_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Return the trimmed spans of the non-blank lines of ``text[start:end]``.

    Examples
    --------
    >>> t = "  a \\n\\n b"
    >>> [t[s:e] for s, e in line_spans(t)]
    ['a', 'b']
    """
    end = len(text) if end is None else end
    out = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        s, e = trim_span(text, pos, stop)
        if s < e:
            out.append((s, e))
        pos = stop + 1
    return out


def _is_cut(line: str) -> bool:
    return line in _CUT_EXACT or line.startswith(_CUT_PREFIX) or any(rx.match(line) for rx in _CUT_RES)


def is_furniture(line: str) -> bool:
    """True for a line that is site furniture, never content.

    Examples
    --------
    >>> is_furniture("400-162-2002"), is_furniture("株洲日报·掌上株洲记者周高通讯员谭洪汀")
    (True, True)
    >>> is_furniture("株洲市打造轨道交通装备产业集群。")
    False
    """
    if line in _FURNITURE_EXACT or _DATE_LINE.match(line):
        return True
    if len(line) > 80:
        return False
    return any(rx.search(line) for rx in _FURNITURE_RE)


def _is_headline_like(line: str) -> bool:
    """A short line without sentence punctuation: a heading, title or caption."""
    return len(line) <= 40 and line[-1] not in _SENT_PUNCT and "。" not in line[:-1]


def _content_limit(text: str, lines: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], int]:
    """Drop lines from the first footer marker on; return kept lines and the limit."""
    for i, (s, e) in enumerate(lines):
        if i > 0 and _is_cut(text[s:e]):
            return lines[:i], s
    return lines, len(text)


def detect_layout(text: str) -> str:
    """Return ``"bullet"``, ``"dash"`` or ``"article"`` for a page.

    Examples
    --------
    >>> detect_layout("• 【株洲招商】标题\\n\\n    正文。\\n\\n    2025-07-07")
    'bullet'
    >>> detect_layout("-\\n【长沙招商】标题\\n正文。\\n2025-07-07")
    'dash'
    >>> detect_layout("培育制造名城\\n\\n正文。")
    'article'
    """
    lines, _ = _content_limit(text, line_spans(text))
    strs = [text[s:e] for s, e in lines]
    bullets = sum(1 for ln in strs if ln.startswith("•") and len(ln) > 1 and not is_furniture(ln[1:].strip()))
    dashes = sum(1 for ln in strs if ln == "-")
    dates = sum(1 for ln in strs if _DATE_LINE.match(ln))
    if bullets and dates:
        return "bullet"
    if dashes and dates:
        return "dash"
    return "article"


# ----------------------------------------------------------------------------- dates

_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _cn_small(s: str) -> int | None:
    """Parse 一..三十一."""
    if not s:
        return None
    if s == "十":
        return 10
    if "十" in s:
        a, _, b = s.partition("十")
        tens = _CN_DIGIT.get(a, None) if a else 1
        ones = _CN_DIGIT.get(b, None) if b else 0
        return None if tens is None or ones is None else tens * 10 + ones
    return _CN_DIGIT.get(s) if len(s) == 1 else None


_DOC_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日[^。\n]{0,40}?会议")
_DOC_DATE_CN = re.compile(r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日[^。\n]{0,40}?会议")


def find_doc_date(text: str) -> str:
    """Find the delivery date of a report (``…年…月…日在…会议上``) as ``YYYY-MM-DD``.

    Examples
    --------
    >>> find_doc_date("2021年1月18日在株洲市第十五届人民代表大会第五次会议上")
    '2021-01-18'
    >>> find_doc_date("( 2021 年 2 月 4 日株洲市荷塘区第五届人民代表大会第六次会议批准)")
    '2021-02-04'
    >>> find_doc_date("——二〇二六年一月二十七日在甘肃省十四届人民代表大会第四次会议上")
    '2026-01-27'
    >>> find_doc_date("没有日期")
    ''
    """
    m = _DOC_DATE.search(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        return _fmt_date(y, mo, d)
    m = _DOC_DATE_CN.search(text)
    if m:
        y = int("".join(str(_CN_DIGIT[c]) for c in m.group(1)))
        mo, d = _cn_small(m.group(2)), _cn_small(m.group(3))
        if mo and d:
            return _fmt_date(y, mo, d)
    return ""


def _fmt_date(y: int, mo: int, d: int) -> str:
    if 1900 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31:
        return f"{y:04d}-{mo:02d}-{d:02d}"
    return ""


def parse_date(value: str) -> str:
    """Normalise a shown date to ``YYYY-MM-DD`` (``""`` when there is none).

    Examples
    --------
    >>> parse_date("2026/2/9 09:45"), parse_date("发表于:2022-08-10 10:29:27"), parse_date("")
    ('2026-02-09', '2022-08-10', '')
    """
    m = _DATE_IN.search(value or "")
    return _fmt_date(*(int(g) for g in m.groups())) if m else ""


# ----------------------------------------------------------------------------- kinds

def _kind(title: str, layout_kind: str) -> str:
    if "政府工作报告" in title:
        return "work_report"
    if "规划" in title:
        return "plan"
    return layout_kind


_PART = re.compile(r"(?:^|(?<=[。!?:！？：]))[ \t\u3000]*([一二三四五六七八九十])、(?![一二三四五六七八九十][、和])")


def _looks_truncated(text: str, doc: PageDocument) -> bool:
    """Honest guesses: the last body text stops mid-sentence, or a work report has
    part ``一、`` and no later part."""
    body = [b for b in doc.blocks if b.role in ("body", "glossary")]
    if not body:
        return False
    last = body[-1]
    s, e = trim_span(text, last.start, last.end)
    tail = text[e - 1] if e > s else "。"
    if tail not in "。!?！？”’\"」』)）…>]】" and not (last.role == "glossary"):
        return True
    if doc.kind == "work_report":
        parts = set()
        for b in doc.blocks:
            for m in _PART.finditer(text[b.start:b.end]):
                parts.add(m.group(1))
        if "一" in parts and not parts - {"一"}:
            return True
    return False


def _glossary_split(text: str, blocks: list[Block]) -> list[Block]:
    """Mark everything from ``名词解释`` on as glossary (inline or as its own line)."""
    out: list[Block] = []
    in_gloss = False
    for b in blocks:
        if in_gloss:
            out.append(Block(b.start, b.end, "glossary"))
            continue
        j = text.find("名词解释", b.start, b.end)
        if j < 0 or b.role == "title":
            out.append(b)
            continue
        in_gloss = True
        if j > b.start and text[b.start:j].strip():
            out.append(Block(b.start, j, b.role))
        out.append(Block(j, b.end, "glossary"))
    return out


def _finish(text: str, doc: PageDocument) -> PageDocument:
    doc.blocks = _glossary_split(text, doc.blocks)
    if doc.blocks:
        doc.end = max(doc.end, doc.blocks[-1].end)
    if not doc.doc_date:
        body_start = doc.blocks[0].start if doc.blocks else doc.start
        doc.doc_date = find_doc_date(text[body_start:body_start + 800])
    doc.truncated = doc.truncated or _looks_truncated(text, doc)
    return doc


# ----------------------------------------------------------------------------- listings

def _title_block(text: str, s: int, e: int) -> tuple[Block, str, str]:
    """Title line (bullet already removed) → (block, title, region tag)."""
    line = text[s:e]
    m = _TAG.match(line)
    tag = ""
    if m:
        tag = m.group(1)
        s2, e2 = trim_span(text, s + m.end(), e)
        s = s2 if s2 < e2 else s
    return Block(s, e, "title"), " ".join(text[s:e].split()), tag


def _body_role(line: str) -> str:
    if line.startswith(("- ", "◆", "• ")) or "**" in line or (line.startswith("——") and "。" in line):
        return "body"  # list items and infographic figures are content, not headings
    if _PLAN_HEAD.match(line) or _is_headline_like(line):
        return "heading"
    return "body"


def _split_listing(text: str, lines: list[tuple[int, int]], layout: str) -> list[PageDocument]:
    docs: list[PageDocument] = []
    cur: PageDocument | None = None
    expect_title = False
    for s, e in lines:
        line = text[s:e]
        if layout == "bullet" and line.startswith("•"):
            s, e = trim_span(text, s + 1, e)
            if s >= e or is_furniture(text[s:e]):
                continue
            cur = PageDocument(s, e)
            blk, cur.title, cur.region_tag = _title_block(text, s, e)
            cur.blocks.append(blk)
            docs.append(cur)
            continue
        if layout == "dash" and line == "-":
            expect_title = True
            continue
        if expect_title:
            expect_title = False
            if not is_furniture(line):
                cur = PageDocument(s, e)
                blk, cur.title, cur.region_tag = _title_block(text, s, e)
                cur.blocks.append(blk)
                docs.append(cur)
            continue
        if cur is None:
            continue
        if _DATE_LINE.match(line):
            if not cur.date:
                cur.date = parse_date(line)
                cur.end = e
            continue
        if is_furniture(line) or line.startswith("- "):
            continue
        cur.blocks.append(Block(s, e, _body_role(line)))
        cur.end = e
    for d in docs:
        d.kind = _kind(d.title, "news")
        _finish(text, d)
    return [d for d in docs if any(b.role != "title" for b in d.blocks)]


# ----------------------------------------------------------------------------- articles

def _article_starts(text: str, lines: list[tuple[int, int]]) -> list[int]:
    """Indexes into ``lines`` where an article starts (always includes the first)."""
    starts = [0]
    strs = [text[s:e] for s, e in lines]
    for i in range(1, len(strs)):
        if not _is_headline_like(strs[i]) or is_furniture(strs[i]):
            continue
        nxt = strs[i + 1:i + 3]
        if any(n.startswith(("——", "--")) and len(n) <= 60 and "。" not in n for n in nxt) or any(
            ("记者" in n or "通讯员" in n) and len(n) <= 60 and "。" not in n for n in nxt
        ):
            # the headline is the first of a run of headline-like lines ending at the kicker/byline
            if i - 1 > starts[-1] and not (strs[i - 1].startswith("——") or "记者" in strs[i - 1]):
                starts.append(i)
    return starts


def _split_article(text: str, lines: list[tuple[int, int]], kind_hint: str) -> PageDocument | None:
    """One article: title, headings, body; captions and credits left out."""
    strs = [text[s:e] for s, e in lines]
    keep = [not is_furniture(x) for x in strs]
    date = ""
    for x in strs:
        if x.startswith("[") and "发表于" in x:
            date = parse_date(x)
            break
    # captions: headline-like lines followed by a photo credit, and the trailing run of
    # headline-like lines at the end of the article (an article never ends with a heading)
    credit = re.compile(r"^(?:图片由.{1,30}提供|(?:制图|摄影|图|摄)\s*[/／:：])")
    for i, x in enumerate(strs):
        if keep[i] and _body_role(x) == "heading" and not _PLAN_HEAD.match(x):
            nxt = next((j for j in range(i + 1, len(strs)) if keep[j] or credit.match(strs[j])), None)
            if nxt is not None and credit.match(strs[nxt]):
                keep[i] = False
    for i in range(len(strs) - 1, -1, -1):
        if not keep[i]:
            continue
        if _body_role(strs[i]) == "heading" and not _PLAN_HEAD.match(strs[i]):
            keep[i] = False
            continue
        break
    idx = [i for i in range(len(strs)) if keep[i]]
    if not idx:
        return None
    first = idx[0]
    s0, e0 = lines[first]
    doc = PageDocument(s0, lines[idx[-1]][1], date=date)
    if _is_headline_like(strs[first]):
        doc.title = " ".join(strs[first].split())
        doc.blocks.append(Block(s0, e0, "title"))
    rest = idx[1:] if doc.title else idx  # no headline: the page starts with its body
    plan = sum(1 for x in strs if _PLAN_HEAD.match(x)) >= 2
    seen_body = False
    for i in rest:
        s, e = lines[i]
        role = _body_role(strs[i])
        if role == "heading" and not seen_body and not _PLAN_HEAD.match(strs[i]) and (
            plan or strs[i].startswith("——")
        ):
            role = "title"  # kickers, repeated or split title lines before the body
        seen_body = seen_body or role == "body"
        doc.blocks.append(Block(s, e, role))
    has_byline = any(
        ("记者" in x or "通讯员" in x or x.startswith("——")) and len(x) <= 60 for x in strs[: (idx[0] + 6)]
    )
    if not plan and "各位代表" in text[doc.start:doc.start + 600]:
        kind_hint = "work_report"  # a report's opening address, even without a title
    doc.kind = _kind(doc.title, "plan" if plan else ("feature" if has_byline else kind_hint))
    return _finish(text, doc)


def split_page(text: str) -> list[PageDocument]:
    """Find the documents of a page and their content blocks.

    Parameters
    ----------
    text : str
        The decoded page (for HTML, a copy whose tags are blanked out with line breaks).

    Returns
    -------
    list of PageDocument
        In page order; spans index ``text``.

    Examples
    --------
    >>> page = ("• 【株洲招商】株洲市政府工作报告\\n\\n    2021年1月18日在株洲市第十五届人民代表大会"
    ...         "第五次会议上 各位代表: 一、工作回顾。经济增长。\\n\\n    2025-07-07\\n\\n"
    ...         "有想补充的信息?点我投稿\\n共 2 页")
    >>> [(d.title, d.region_tag, d.date, d.doc_date, d.kind, d.truncated) for d in split_page(page)]
    [('株洲市政府工作报告', '株洲', '2025-07-07', '2021-01-18', 'work_report', True)]
    """
    lines, _limit = _content_limit(text, line_spans(text))
    layout = detect_layout(text)
    if layout in ("bullet", "dash"):
        return _split_listing(text, lines, layout)
    docs = []
    starts = _article_starts(text, lines)
    for k, a in enumerate(starts):
        b = starts[k + 1] if k + 1 < len(starts) else len(lines)
        doc = _split_article(text, lines[a:b], "news")
        if doc is not None:
            docs.append(doc)
    return docs


# ----------------------------------------------------------------------------- tables

_HEADER_LINE = re.compile(r"会议|^[—―\-(（]{0,2}\s*(?:\d{4}|[〇一二]{4})\s*年")


def split_table_text(text: str, title: str = "") -> PageDocument | None:
    """One table row's text → one document; web chrome before the title is left out.

    The title line (the row's ``title`` value, or a short line ending in
    ``政府工作报告``) found near the top starts the document; between it and
    ``各位代表`` only the title and the meeting header lines are kept.

    Examples
    --------
    >>> t = "下载\\n打印\\n【字号：\\n加大\\n】\\n2026年湖南省政府工作报告\\n——2026年2月3日在湖南省第十四届人民代表大会第四次会议上\\n来源：湖南日报\\n时间：2026-02-24\\n各位代表：\\n一、2025年工作回顾\\n经济稳定增长。"
    >>> d = split_table_text(t, "2026年湖南省政府工作报告")
    >>> [t[b.start:b.end] for b in d.blocks]
    ['2026年湖南省政府工作报告', '——2026年2月3日在湖南省第十四届人民代表大会第四次会议上', '各位代表：', '一、2025年工作回顾', '经济稳定增长。']
    >>> d.kind, d.doc_date
    ('work_report', '2026-02-03')
    """
    lines = line_spans(text)
    if not lines:
        return None
    strs = [text[s:e] for s, e in lines]
    head_zone = min(len(strs), 60)
    reps = next((i for i in range(head_zone) if strs[i].startswith("各位代表")), None)
    zone_end = reps if reps is not None else min(len(strs), 15)
    title_idx = None
    t_norm = "".join(title.split())
    for i in range(zone_end):
        x = "".join(strs[i].split())
        if (t_norm and x == t_norm) or (len(x) <= 40 and x.endswith("政府工作报告") and "作政府" not in x):
            title_idx = i
    blocks: list[Block] = []
    start_i = title_idx if title_idx is not None else 0
    lead_end = reps if (reps is not None and title_idx is not None) else start_i
    for i in range(start_i, len(strs)):
        s, e = lines[i]
        x = strs[i]
        if i == title_idx:
            blocks.append(Block(s, e, "title"))
            continue
        if i > start_i and x.startswith(_TAIL_PREFIX):
            break
        if i < lead_end:
            if _HEADER_LINE.search(x) and not is_furniture(x) and len(x) <= 80:
                blocks.append(Block(s, e, "title"))
            continue
        if is_furniture(x):
            continue
        blocks.append(Block(s, e, _body_role(x)))
    if not blocks:
        return None
    doc_title = title or " ".join(text[blocks[0].start:blocks[0].end].split())
    doc = PageDocument(blocks[0].start, blocks[-1].end, title=doc_title, blocks=blocks)
    doc.kind = _kind(doc_title, "work_report" if "政府工作报告" in text[:2000] else "news")
    doc.doc_date = find_doc_date(text[:3000])
    return _finish(text, doc)
