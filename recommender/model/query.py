"""What a profile asks for: its sector strings as resolved, and its query terms with their source.

A profile is read into

* **sector items**: one per sector string (a compound such as ``新能源汽车及零部件``
  may give one per part), each with the tag codes it became and the route taken
  (``code``, ``name``, ``alias``, ``english``, ``compound`` are exact; ``fuzzy`` is an
  approximate guess; ``literal`` means nothing resolved). Only exact items count as
  industry tags. A fuzzy or literal string is searched as literal text: its words become
  query terms, and the result says so in a warning; it never lends a neighbour's tag its
  full weight.
* **query terms**: the words of the profile text (an out-of-vocabulary compound such as
  棉纺织 is searched through its parts found in the fitted vocabulary), the words of
  literal sector strings, the names and terms of exact tags (taxonomy expansion) and,
  for English text, Chinese words found through the CC-CEDICT lexicon
  (:mod:`recommender.text.english`).
* **missing terms**: distinguishing words of the profile that the fitted corpus never
  uses (钟表, 机芯): they count against every place's coverage of the profile, so a
  profile whose core the reports never mention is flagged as weak evidence instead of
  being answered by its generic words.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

logger = logging.getLogger(__name__)

__all__ = ["SectorItem", "QueryTerm", "sector_items", "product_word", "split_unknown", "sector_words",
           "profile_clauses", "without_applications", "english_terms", "first_clause_end", "EXACT_ROUTES",
           "TERM_SOURCES"]

#: Routes whose tags are trusted as the investor's sectors.
EXACT_ROUTES = frozenset({"code", "name", "alias", "english", "compound"})
#: Where a query term came from.
TERM_SOURCES = ("profile text", "sector literal", "taxonomy expansion", "English lexicon")

#: A Han character.
HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class SectorItem:
    """How one sector string was understood.

    Examples
    --------
    >>> SectorItem("陶瓷", ("MAT.CERAMIC",), "name", "陶瓷").exact
    True
    >>> SectorItem("钟表机芯", ("EQP",), "fuzzy", "钟表机芯").exact
    False
    >>> SectorItem("轴承", ("EQP.GENERAL",), "alias", "轴承", narrow=True).exact
    False
    """

    input: str
    codes: tuple[str, ...]
    route: str
    source: str
    narrow: bool = False

    @property
    def exact(self) -> bool:
        """True when the tags can be trusted (code, name, alias, English name or compound part)
        and the string is not narrower than them (see :meth:`Taxonomy.narrower`)."""
        return self.route in EXACT_ROUTES and bool(self.codes) and not self.narrow


@dataclass(frozen=True)
class QueryTerm:
    """A word the profile is searched with.

    Attributes
    ----------
    term : str
        A word of the fitted vocabulary.
    source : str
        One of :data:`TERM_SOURCES`.
    origin : str
        What it was read from (the profile word, sector string or English phrase).
    weight : float
        Its weight before IDF (1 for the profile's own words).
    content : float
        Its share in the profile's distinguishing content (IDF times clause weight; 0 for
        a generic word).
    """

    term: str
    source: str
    origin: str
    weight: float = 1.0
    content: float = 0.0

    def to_dict(self) -> dict:
        """Plain record for JSON output.

        Examples
        --------
        >>> QueryTerm("核电", "English lexicon", "nuclear power").to_dict()["source"]
        'English lexicon'
        """
        return {"term": self.term, "source": self.source, "origin": self.origin, "weight": round(self.weight, 4),
                "content": round(self.content, 4)}


def sector_items(taxonomy, sectors: Sequence[str]) -> tuple[SectorItem, ...]:
    """Resolve sector strings to :class:`SectorItem` records, one or more per string.

    The taxonomy's resolver records the route of each string (code, name, alias, English,
    compound part, fuzzy, literal); a compound gives one record per part. A string resolved
    through one of a tag's everyday terms or catalogue labels names only a part of the tag
    (轴承 in 通用设备, 羊绒 in 纺织): it is marked ``narrow`` and is not exact, so the string
    itself is searched and the broad tag only supports it.

    Examples
    --------
    >>> from recommender.knowledge.taxonomy import Taxonomy
    >>> [(i.input, i.codes, i.route) for i in sector_items(Taxonomy.default(), ["陶瓷", "不存在的行业"])]
    [('陶瓷', ('MAT.CERAMIC',), 'name'), ('不存在的行业', (), 'literal')]
    >>> [(i.input, i.route, i.exact) for i in sector_items(Taxonomy.default(), ["轴承"])]
    [('轴承', 'alias', False)]
    >>> [(i.input, i.exact) for i in sector_items(Taxonomy.default(), ["钨钼新材料"])]
    [('钨钼', False), ('新材料', False)]
    """
    sectors = [s for s in sectors if isinstance(s, str) and s.strip()]
    if not sectors:
        return ()
    out = []
    for i in taxonomy.resolve_many(sectors).items:
        narrow = i.route in EXACT_ROUTES and i.route != "code" and taxonomy.narrower(i.input, i.codes)
        out.append(SectorItem(str(i.input), tuple(i.codes), str(i.route), str(i.source), narrow))
    # two industry words side by side (钨钼新材料) name one industry: the first qualifies the
    # second, so a narrow part makes the whole string narrow
    for source in {it.source for it in out if it.narrow and not CONNECTORS.search(it.source)}:
        out = [SectorItem(it.input, it.codes, it.route, it.source, True) if it.source == source else it
               for it in out]
    return tuple(out)


def product_word(taxonomy, word: str, code: str) -> bool:
    """Whether ``word`` reaches the tag ``code`` only as one of its everyday terms (a product
    or a part of the industry: 客机 for 航空航天, 碳纤维 for 新材料), not as its name or an alias.

    Such a word names part of the tag's industry: the tag's other sub-sectors (商业航天 under
    航空航天) do not answer it.

    Examples
    --------
    >>> from recommender.knowledge.taxonomy import Taxonomy
    >>> tax = Taxonomy.default()
    >>> product_word(tax, "客机", "EQP.AERO"), product_word(tax, "航空", "EQP.AERO")
    (True, False)
    >>> product_word(tax, "航空航天", "EQP.AERO")
    False
    """
    from recommender.knowledge.taxonomy import sector_key

    row = taxonomy.row(code)
    key = sector_key(word)
    if key in {sector_key(w) for w in [row["name"], *row["aliases"]]}:
        return False
    return key in {sector_key(w) for w in [*row["terms"], *(row.get("query_terms") or ())]}


def split_unknown(token: str, vocabulary: Mapping[str, int], min_len: int = 2) -> list[str]:
    """Parts of an out-of-vocabulary Chinese word that the vocabulary knows.

    Longest vocabulary word first, left to right, parts of at least ``min_len``
    characters; the parts are returned only when they cover at least half of the word.

    Examples
    --------
    >>> split_unknown("服装加工", {"服装": 0, "加工": 1})
    ['服装', '加工']
    >>> split_unknown("钟表", {"钟": 0})
    []
    >>> split_unknown("IGBT模块", {"igbt": 0, "模块": 1})
    ['igbt', '模块']
    """
    parts: list[str] = []
    covered = 0
    i = 0
    while i < len(token):
        for j in range(len(token), i + min_len - 1, -1):
            piece = token[i:j]
            if piece not in vocabulary and piece.lower() in vocabulary:
                piece = piece.lower()              # the vectorizer keeps Latin words in lower case
            if piece in vocabulary:
                parts.append(piece)
                covered += j - i
                i = j
                break
        else:
            i += 1
    return parts if covered * 2 >= len(token) else []


_CLAUSE_END = re.compile(r"[，,。；;：:！!？?]|寻找|希望|想要|想|需要|计划|拟|looking for|looking|seeking|seeks|\bwants?\b"
                         r"|searching|\bplans? to\b|\bintends? to\b", re.IGNORECASE)


_ASIDE = re.compile(r"（[^（）]*）|\([^()]*\)")


def first_clause_end(text: str) -> int:
    """Where the first clause of a profile text ends (see :func:`profile_clauses`).

    Examples
    --------
    >>> text = "We make steel pipes and want a county with a pipe cluster"
    >>> text[:first_clause_end(text)]
    'We make steel pipes and '
    >>> first_clause_end("陶瓷")
    2
    """
    m = _CLAUSE_END.search(text or "")
    return m.start() if m is not None and m.start() > 0 else len(text or "")


def profile_clauses(text: str, wish_weight: float) -> list[tuple[str, float]]:
    """Split profile text into what the firm does (weight 1) and the rest (``wish_weight``).

    The first clause runs to the first punctuation mark or to a verb of seeking (寻找,
    希望, 想, 需要, looking for …): 茶叶精深加工与茶饮品牌企业 | 寻找原料产区与消费市场.
    A remark in brackets (examples, uses: 压力容器、风电叶片用) details the clause it sits
    in and weighs ``wish_weight`` too.

    Examples
    --------
    >>> profile_clauses("钟表机芯制造企业，寻找钟表产业集群", 0.5)
    [('钟表机芯制造企业', 1.0), ('，寻找钟表产业集群', 0.5)]
    >>> profile_clauses("碳纤维制品企业（压力容器用）", 0.5)
    [('碳纤维制品企业', 1.0), ('（压力容器用）', 0.5)]
    >>> profile_clauses("陶瓷", 0.5)
    [('陶瓷', 1.0)]
    """
    if not text:
        return []
    asides = [m.group(0) for m in _ASIDE.finditer(text)]
    plain = _ASIDE.sub(" ", text)
    m = _CLAUSE_END.search(plain)
    if m is None or m.start() == 0:
        out = [(plain.strip() or text, 1.0)]
    else:
        out = [(plain[:m.start()].strip(), 1.0), (plain[m.start():], float(wish_weight))]
    return out + [(a, float(wish_weight)) for a in asides]


#: An application the profile names: 风电叶片用 / 压力容器、风电叶片用 (a list closed by 用 before a
#: mark or the end), 用于风电叶片, 应用于汽车, 面向医疗器械 (to the end of the clause, or to the
#: 的 that closes it: 用于新能源汽车的电池材料 keeps 电池材料).
_APPLICATION = re.compile(
    r"[^，,。；;：:！!？?（）()\s]+(?<![应利使运采适作费信效享调租占试实通])用(?=[，,。；;：:！!？?）)\s]|$)"
    r"|(?:应用于|适用于|用于|服务于|面向)[^，,。；;：:！!？?（）()的]*的?")


def without_applications(text: str) -> str:
    """``text`` without the applications it names, for reading the profile's own industries.

    An application (风电叶片用, 用于…, 应用于…, 面向…) names the investor's customers, not
    its own industry: a carbon-fibre maker whose parts go into wind-turbine blades is not a
    wind-power firm. Each application is replaced by a space.

    Parameters
    ----------
    text : str
        The profile's free text (normalised).

    Returns
    -------
    str
        ``text`` with each application replaced by a space; the remaining text is unchanged.

    Examples
    --------
    >>> without_applications("碳纤维复合材料制品企业（压力容器、风电叶片用），寻找原丝供应")
    '碳纤维复合材料制品企业（ ），寻找原丝供应'
    >>> without_applications("特种玻璃企业，产品用于光伏组件")
    '特种玻璃企业，产品 '
    >>> without_applications("用于新能源汽车的电池材料企业")
    ' 电池材料企业'
    >>> without_applications("人工智能应用软件企业，新能源汽车零部件")
    '人工智能应用软件企业，新能源汽车零部件'
    >>> without_applications("大数据应用")
    '大数据应用'
    """
    return _APPLICATION.sub(" ", text)


#: Words that join or close a sector name without naming anything (新能源汽车及零部件, 纺织产业).
CONNECTORS = re.compile(r"[及与和、/／·]")
_SECTOR_SUFFIXES = ("产业链", "产业", "行业", "领域")


def strip_sector_suffix(text: str) -> str:
    """A sector name without a closing 产业链/产业/行业/领域.

    Examples
    --------
    >>> strip_sector_suffix("纺织产业"), strip_sector_suffix("产业")
    ('纺织', '产业')
    """
    for suf in _SECTOR_SUFFIXES:
        if text.endswith(suf) and len(text) > len(suf):
            return text[: -len(suf)]
    return text


def sector_words(sector: str, vocabulary: Mapping[str, int]) -> list[str] | None:
    """Vocabulary words that spell a sector string written in Chinese, or ``None``.

    A sector string names an industry; searched as text, it must be spelled *entirely*
    by words the corpus uses (after dropping connectors such as 及 and a closing 产业 or
    行业): 工业母机 → 工业, 母机. A string of which some characters are not covered
    (不存在的行业) is not an industry the corpus names, and ``None`` says so.

    Examples
    --------
    >>> sector_words("工业母机", {"工业": 0, "母机": 1})
    ['工业', '母机']
    >>> sector_words("煤化工产业", {"煤化工": 0, "化工": 1})
    ['煤化工']
    >>> sector_words("不存在的行业", {"存在": 0}) is None
    True
    """
    key = strip_sector_suffix("".join(HAN.findall(sector)))
    parts = [p for p in CONNECTORS.split(key) if p]
    out: list[str] = []
    for part in parts:
        if part in vocabulary:
            out.append(part)
            continue
        i = 0
        while i < len(part):
            for j in range(len(part), i, -1):
                if part[i:j] in vocabulary and (j - i >= 2 or j - i == len(part)):
                    out.append(part[i:j])
                    i = j
                    break
            else:
                return None
    return list(dict.fromkeys(out)) or None


def _base_words(word: str) -> list[str]:
    from recommender.text.english import _base_forms

    return _base_forms(word.lower())


def english_terms(text: str, vocabulary: Mapping[str, int], *, taxonomy=None,
                  cooccurrence: Callable[[str, str], int] | None = None,
                  document_frequency: Callable[[str], int] | None = None,
                  index=None) -> tuple[list[tuple[str, str, tuple[str, ...]]], list[str]]:
    """Chinese query words for English text: ``(phrases, missing)``.

    Phrases are found longest first (:func:`recommender.text.english.english_phrases`),
    the taxonomy's English names and synonyms before the dictionary. A dictionary phrase
    keeps only candidates in ``vocabulary``; when several remain, the sense is the one
    most used together with the other phrases' words, as a share of its own uses
    (``cooccurrence / (df + 5)``; a rare other word counts more, ``1 / log2(2 + df)``),
    then the most frequent one. A phrase none of whose candidates the
    corpus uses is reported in ``missing``.

    Returns
    -------
    phrases : list of (phrase, chosen word or "", tag codes)
        Tag codes are set when the taxonomy answered (the chosen word is then its name, or,
        when the reports never use the name, the phrase's own sense: 水果 for "fruit").
    missing : list of str
        The lexicon's first candidate for each phrase the corpus never uses.

    Examples
    --------
    >>> idx = {"nuclear power": ("核动力", "核电"), "pump": ("泵",), "packaging": ("包装",)}
    >>> english_terms("Nuclear power pumps", {"核电": 0, "泵": 1}, index=idx)
    ([('Nuclear power', '核电', ()), ('pumps', '泵', ())], [])
    >>> english_terms("IGBT packaging", {"封装": 0}, index=idx)
    ([], ['包装'])
    """
    from recommender.text.english import english_phrases

    def first(phrase: str) -> tuple[str, ...]:
        if taxonomy is None:
            return ()
        codes = taxonomy.resolve(phrase)
        return tuple("TAG:" + c for c in codes)

    phrases = english_phrases(text, index=index, first=first if taxonomy is not None else None,
                              keep=lambda c: c in vocabulary)
    kept: list[tuple[str, list[str], tuple[str, ...]]] = []
    missing: list[str] = []
    for ph in phrases:
        if ph.candidates and ph.candidates[0].startswith("TAG:"):
            codes = tuple(c[4:] for c in ph.candidates)
            names = [taxonomy.name(c) for c in codes]
            if not any(n in vocabulary for n in names):
                # the tag's name is no word of the reports (园艺林业 for "fruit"): the phrase's
                # own senses are searched, the tag still comes along
                lexicon = gloss_index_of(index)
                words = ph.text.lower().split()
                senses = [c for last in _base_words(words[-1])
                          for c in lexicon.get(" ".join(words[:-1] + [last]), ()) if c in vocabulary]
                if senses:
                    names = list(dict.fromkeys(senses))
            kept.append((ph.text, names, codes))
            continue
        in_vocab = [c for c in ph.candidates if c in vocabulary]
        if in_vocab:
            kept.append((ph.text, in_vocab, ()))
        elif any(HAN.search(c) for c in ph.candidates):
            missing.append(ph.candidates[0])
    extra = {}
    if index is None:
        from recommender.text.english import compound_index

        compounds = compound_index()
        for phrase, cands, codes in kept:
            if not codes and " " not in phrase.strip():
                extra[phrase] = [c for w in dict.fromkeys(_base_words(phrase))
                                 for c in compounds.get(w, ()) if c in vocabulary and c not in cands]
    out = []
    for k, (phrase, cands, codes) in enumerate(kept):
        more = extra.get(phrase, [])
        if taxonomy is not None and len(cands) > 1:
            # a profile is about an industry: a sense the industry taxonomy knows ("down" → 羽绒,
            # not 下行) is preferred to senses it does not
            known = [c for c in cands if taxonomy.resolve(c)]
            cands = known or cands
        if len(cands) == 1 and not more:
            out.append((phrase, cands[0], codes))
            continue
        # the senses of the other phrases that have only one (鸭, 鹅绒 for "down") decide; the
        # candidates of other ambiguous phrases only when no phrase is unambiguous
        others = [c for m, (_, oc, _) in enumerate(kept) if m != k and len(oc) == 1
                  for c in oc] or [c for m, (_, oc, _) in enumerate(kept) if m != k for c in oc]

        def support(c: str) -> tuple:
            # how often the sense is used together with the profile's other words, as a share of
            # its own uses (a word used everywhere, 底线, co-occurs with anything); a rare other
            # word (核电) counts more than a common one
            freq = document_frequency(c) if document_frequency else 0
            co = 0.0
            if cooccurrence:
                for o in others:
                    n = cooccurrence(c, o)
                    if n > 0:
                        weight = 1.0 / math.log2(2 + (document_frequency(o) if document_frequency else 0))
                        co += weight * n / (freq + 5.0)
            return (round(co, 9), freq)

        def _count(c: str) -> int:
            return sum(1 for o in others if cooccurrence(c, o) > 0) if cooccurrence else 0

        best = max(cands, key=support)
        if more:
            # a compound's sense (游轮 "cruise ship" for "cruise") wins only on the evidence of at
            # least two more of the profile's other words
            alt = max(more, key=support)
            if _count(alt) >= max(2, _count(best) + 1) and support(alt) > support(best):
                best = alt
        out.append((phrase, best, codes))
    return out, missing


def gloss_index_of(index=None) -> Mapping[str, tuple[str, ...]]:
    """The English lexicon given, or CC-CEDICT's (:func:`recommender.text.english.gloss_index`)."""
    if index is not None:
        return index
    from recommender.text.english import gloss_index

    return gloss_index()
