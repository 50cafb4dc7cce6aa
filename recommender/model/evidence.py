"""Choosing the evidence passages cited for a match, and the sentences in them that matched."""

from __future__ import annotations

import dataclasses
import functools
import re

import numpy as np

from recommender.model.results import Evidence
from recommender.text.normalize import normalize_for_features

__all__ = ["select_evidence", "UnitRelevance", "with_highlights", "sentence_spans", "highlight_spans", "mention_kind",
           "clause_kind", "MENTION_STRENGTH"]

#: How much a place's best evidence sentence supports its score, by kind of mention.
MENTION_STRENGTH = {"substantive": 1.0, "statement": 0.75, "list": 0.5}
#: A figure with a unit (产能 200万吨, 产值 10亿元, 增长 20%) …
_FIGURE = re.compile(r"(?<![第\d.])\d+(?:\.\d+)?\s*(?:万|亿|千|百)?\s*(?:吨|元|美元|千瓦|瓦|千瓦时|台|辆|套|架|艘|只|件|片|个|家|项|亩|条|座|"
                     r"GW|MW|GWh|kW|%|％|倍|头|只|箱)|[千百万]亿级|[千百]万吨级|万吨级|[千百]亿元")
#: … or a named firm, project or production line.
_NAMED = re.compile(r"公司|集团|有限|股份|项目|生产线|产线|工厂|基地|产业园|投产|开工|竣工|落地|签约|建成|获批|核准|挂牌|开通")
_LIST_SEP = re.compile(r"[、]")
#: The close of an enumeration of projects (…、韵达供应链枢纽中心等项目建设).
_PROJECT_LIST = re.compile(r"等(?:\d+个|[一二三四五六七八九十百]+个)?(?:重点|重大)?(?:项目|企业)")


def mention_kind(sentence: str, terms) -> str:
    """How a sentence speaks of the matched terms: ``substantive``, ``statement`` or ``list``.

    A sentence that names the sector among three or more items of an enumeration
    (推动新能源、新材料、生物医药等产业发展) is a *list* mention unless it gives a figure or
    enumerates named projects, firms or parks (…、智能仓储、枢纽中心等项目建设: a program);
    one with a figure (产值突破10亿元, 增长20%, 千亿级) or a named firm, project, park or line
    (建成核电阀门生产线) is *substantive*; anything else is a plain *statement* (推动核电发展).

    Examples
    --------
    >>> mention_kind("全面推进新能源、新材料、生物医药、钟表等产业发展。", ["钟表"])
    'list'
    >>> mention_kind("建成核电阀门生产线,产值突破10亿元。", ["核电"])
    'substantive'
    >>> mention_kind("推动核电产业发展。", ["核电"])
    'statement'
    >>> mention_kind("第3项任务是推动新能源、新材料、核电等产业发展。", ["核电"])   # an ordinal is no figure
    'list'
    >>> mention_kind("加快钢铁城物流产业园、网络货运平台、智能仓储、供应链枢纽中心等项目建设。", ["仓储"])
    'substantive'
    """
    if _FIGURE.search(sentence):
        return "substantive"
    items = _LIST_SEP.split(sentence)
    if len(items) >= 3 and any(t in item for item in items for t in terms):
        # an enumeration of named projects, firms or parks is a program, not a list of sectors
        if not (_PROJECT_LIST.search(items[-1]) or any(_NAMED.search(item) for item in items[1:-1]
                                                       if any(t in item for t in terms))):
            return "list"
    if _NAMED.search(sentence):
        return "substantive"
    return "statement"


_CLAUSE_SEP = re.compile(r"[，,：:]")


def clause_kind(sentence: str, terms) -> str:
    """The strongest :func:`mention_kind` of the clauses of ``sentence`` that hold a term.

    A long sentence of a report strings several topics together with commas; a figure or a
    named project counts for the sector only in the clause that names it or in the clause
    right after it (产业增加值增长15%), not anywhere in the sentence.

    Examples
    --------
    >>> s = "推动桥头铝电50万吨绿电铝项目建设，培育壮大特殊钢、碳纤维、铜箔等产业，做强绿铝品牌。"
    >>> clause_kind(s, ["碳纤维"]), mention_kind(s, ["碳纤维"])
    ('list', 'substantive')
    >>> clause_kind("纺织产业加快发展，增加值增长15%左右。", ["纺织"])
    'substantive'
    """
    order = ("list", "statement", "substantive")
    clauses = _CLAUSE_SEP.split(sentence)
    best = None
    for k, clause in enumerate(clauses):
        if not any(t in clause for t in terms):
            continue
        kind = mention_kind(clause, terms)
        if kind != "substantive" and k + 1 < len(clauses) and _FIGURE.search(clauses[k + 1]):
            kind = "substantive"       # 纺织产业快速发展，增加值增长15%
        if best is None or order.index(kind) > order.index(best):
            best = kind
    return best or mention_kind(sentence, terms)


def evidence_strength(evidence, keep=lambda term: True) -> str:
    """The strongest kind of mention among the evidence sentences holding kept terms.

    Examples
    --------
    >>> from recommender.model.results import Evidence
    >>> e = Evidence(text="推进核电、风电、光伏等发展。建成核电阀门生产线。", source="a", start=0, end=25,
    ...              title="", date="", score=1.0, terms=("核电",))
    >>> evidence_strength([e])
    'substantive'
    """
    best = "list"
    order = ("list", "statement", "substantive")
    for ev in evidence:
        terms = tuple(t for t in ev.terms if keep(t)) or tuple(ev.terms)
        for _, _, norm in _sentences(ev.text):
            if not any(t in norm for t in terms):
                continue
            kind = _clause_kind(norm, terms)
            if order.index(kind) > order.index(best):
                best = kind
            if best == "substantive":
                return best
    return best


_SENTENCE_END = re.compile(r"[。！？!?；;\n]")


@functools.lru_cache(maxsize=1 << 13)
def _sentences(text: str) -> tuple[tuple[int, int, str], ...]:
    """``(start, end, normalised sentence)`` of each sentence of a passage (cached: the
    passages of popular places are read for many profiles)."""
    return tuple((a, b, normalize_for_features(text[a:b])) for a, b in sentence_spans(text))


@functools.lru_cache(maxsize=1 << 15)
def _clause_kind(sentence: str, terms: tuple[str, ...]) -> str:
    """:func:`clause_kind`, cached on the normalised sentence and the terms."""
    return clause_kind(sentence, terms)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text`` (end marks kept, outer white space trimmed).

    Examples
    --------
    >>> t = "推进项目建设。 株洲建成IGBT产线！"
    >>> [t[a:b] for a, b in sentence_spans(t)]
    ['推进项目建设。', '株洲建成IGBT产线！']
    """
    spans = []
    lo = 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((lo, m.end()))
        lo = m.end()
    if lo < len(text):
        spans.append((lo, len(text)))
    out = []
    for a, b in spans:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out


def highlight_spans(text: str, offset: int, terms, keep=None, limit: int = 3) -> tuple[tuple[int, int], ...]:
    """Source spans of the sentences of a passage that hold one of ``terms``.

    The sentences holding the most distinct content terms (``keep(term)`` true: specific
    or industry words) come first, then those with the most terms (up to ``limit``), each
    as ``(offset + start, offset + end)`` inside the passage; terms are matched on the
    normalised sentence (full-width forms, traditional characters).

    Examples
    --------
    >>> t = "全市推进千个重点项目。株洲IGBT芯片产线投产，功率半导体集群成形。"
    >>> highlight_spans(t, 100, ["IGBT", "功率半导体"])
    ((111, 134),)
    """
    wanted = [t for t in dict.fromkeys(terms) if t]
    if not wanted:
        return ()
    scored = []
    for a, b, norm in _sentences(text):
        norm = norm.lower()
        held = [t for t in wanted if t.lower() in norm]
        if held:
            content = sum(1 for t in held if keep is None or keep(t))
            scored.append((-content, -len(held), a, b))
    scored.sort()
    return tuple((offset + a, offset + b) for _, _, a, b in scored[:limit])


def with_highlights(evidence: Evidence, keep=None) -> Evidence:
    """``evidence`` with its :func:`highlight_spans` filled in (from its text, start and terms).

    Examples
    --------
    >>> e = Evidence(text="推进项目建设。株洲建成IGBT产线！", source="a", start=10, end=28, title="",
    ...              date="", score=1.0, terms=("IGBT",))
    >>> with_highlights(e).highlights
    ((17, 28),)
    """
    return dataclasses.replace(evidence, highlights=highlight_spans(evidence.text, evidence.start,
                                                                    evidence.terms, keep))


class UnitRelevance:
    """For one profile, every place's relevant units (passages and mention windows), best
    first: what :func:`select_evidence` cites from, computed on arrays for all places at once.

    A unit's relevance to a place is its text and tag relevance (mixed by the text weight
    when the profile has tags) times its link weight to the place times its coverage of
    the profile's distinguishing content; only units with a positive relevance are kept,
    grouped by place, best first (ties by unit). ``first_hand[j]`` says whether place
    ``j`` has a passage of its own (not a mention window) with any text or tag relevance.

    Parameters
    ----------
    model : Recommender
        A fitted model.
    profile_row : int
        The profile's row in ``scores``.
    scores : Scores
        From :func:`recommender.model.score.score_matrix`.
    prepared : PreparedProfile

    Examples
    --------
    >>> from recommender import Recommender, load_sample_corpus
    >>> from recommender.model.prepare import prepare_profile
    >>> from recommender.model.score import score_matrix
    >>> model = Recommender().fit(load_sample_corpus())
    >>> p = prepare_profile(model, {"sectors": ["陶瓷"]})
    >>> table = UnitRelevance(model, 0, score_matrix(model, [p]), p)
    >>> j = list(model.entity_ids_).index("430281")
    >>> units, relevance, tag = table.of(j)
    >>> bool(len(units) > 0 and (relevance[:-1] >= relevance[1:]).all()), bool(table.first_hand[j])
    (True, True)
    """

    def __init__(self, model, profile_row: int, scores, prepared):
        rt = model._runtime()
        links, n_passages = rt.link_pooling, rt.n_passages
        # the units the profile touches (sorted), and their text, tag and coverage values
        text_units, text_values = _positive_row(scores.passage_text, profile_row)
        tag_units, tag_values = _positive_row(scores.passage_tag, profile_row)
        touched = _sorted_union(text_units, tag_units)
        text = _on(touched, text_units, text_values)
        tag = _on(touched, tag_units, tag_values)
        cover = _on(touched, *_positive_row(scores.passage_coverage, profile_row))
        link, at = links.links_of(touched)                 # ``at``: each link's position in ``touched``
        unit = touched[at]
        place = links.place[link]
        self.first_hand = np.zeros(links.n_places, dtype=bool)
        self.first_hand[place[unit < n_passages]] = True
        tw = model.text_weight if prepared.codes else 1.0
        g = tag[at]
        relevance = (tw * text[at] + (1.0 - tw) * g) * links.weights[link]
        relevance = relevance * cover[at]
        keep = relevance > 0
        place, unit, relevance, g = place[keep], unit[keep], relevance[keep], g[keep]
        order = np.lexsort((unit, -relevance, place))
        self._place, self._unit, self._relevance, self._tag = place[order], unit[order], relevance[order], g[order]

    def of(self, entity_col: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The place's relevant units, their relevances and tag relevances, best first."""
        lo, hi = np.searchsorted(self._place, [entity_col, entity_col + 1])
        return self._unit[lo:hi], self._relevance[lo:hi], self._tag[lo:hi]


def _positive_row(m, i: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns and values of the positive entries of row ``i`` of a canonical CSR matrix."""
    lo, hi = m.indptr[i], m.indptr[i + 1]
    columns, values = m.indices[lo:hi], m.data[lo:hi]
    positive = values > 0
    return columns[positive].astype(np.int64), values[positive]


def _sorted_union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """:func:`numpy.union1d` of two sorted arrays of distinct integers (a sort, no hashing).

    Examples
    --------
    >>> _sorted_union(np.array([1, 4, 9]), np.array([2, 4])).tolist()
    [1, 2, 4, 9]
    """
    both = np.concatenate([a, b])
    both.sort()
    return both[np.r_[True, both[1:] != both[:-1]]] if len(both) else both


def _on(units: np.ndarray, columns: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` placed at ``units`` (sorted; 0 where a unit is not among ``columns``)."""
    out = np.zeros(len(units), dtype=values.dtype)
    at = np.searchsorted(units, columns)
    inside = at < len(units)
    inside[inside] = units[at[inside]] == columns[inside]
    out[at[inside]] = values[inside]
    return out


def select_evidence(model, entity_col: int, profile_row: int, scores, q_terms: dict[int, float],
                    prepared, evidence_k: int, highlight: bool = True,
                    units: UnitRelevance | None = None) -> list[Evidence]:
    """Return up to ``evidence_k`` passages that support place ``entity_col`` for a profile.

    A passage qualifies only when it is about what was asked: it shares at least one
    term with the profile's query vector or carries one of the profile's industry tags
    (not merely the place's name). Passages are ranked by their relevance times their
    link weight times their coverage of the profile's distinguishing content (the citation
    should hold the most of what was asked); a passage whose normalised text repeats one
    already chosen is skipped. With ``highlight=False`` the records carry no highlights yet
    (a caller that cites only some of them adds them with :func:`with_highlights`).

    ``scores`` is a :class:`~recommender.model.score.Scores` (its ``passage_text``,
    ``passage_tag`` and ``passage_coverage`` rows are read); ``units``, when given, is the
    profile's :class:`UnitRelevance` (built once for all the places of a result).
    """
    if evidence_k <= 0:
        return []
    if units is None:
        units = UnitRelevance(model, profile_row, scores, prepared)
    ranked, relevance, G = units.of(entity_col)
    X = model.X_
    rt = model._runtime()
    vocab = rt.vocab
    chosen: list[Evidence] = []
    seen: dict[int, list[str]] = {}     # the normalised texts cited, by length (decoded on a tie)
    for pos, unit in enumerate(ranked.tolist()):
        row = rt.unit_passage[unit]
        same_length = seen.get(rt.norm_length(row))
        if same_length and rt.norm_text[row] in same_length:    # a passage already cited (or a window of it)
            continue
        lo, hi = X.indptr[unit], X.indptr[unit + 1]
        shared = [(q_terms[c], vocab[c]) for c in X.indices[lo:hi].tolist() if c in q_terms]
        if not shared and G[pos] <= 0:
            continue
        seen.setdefault(rt.norm_length(row), []).append(rt.norm_text[row])
        shared.sort(key=lambda t: (-t[0], t[1]))
        terms = [t for _, t in shared[:6]]
        if G[pos] > 0:
            for term in rt.tag_terms(row, prepared.codes):
                if term not in terms:
                    terms.append(term)
        chosen.append(Evidence(
            text=rt.text[row], source=rt.source[row], start=rt.start[row], end=rt.end[row],
            title=rt.title[row], date=rt.date[row], score=float(round(float(relevance[pos]), 6)),
            row=rt.row[row], terms=tuple(terms[:8]),
            highlights=(highlight_spans(rt.text[row], rt.start[row], terms[:8], rt.is_specific_or_tag)
                        if highlight else ()),
        ))
        if len(chosen) >= evidence_k:
            break
    return chosen
