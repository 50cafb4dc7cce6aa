"""Link passages to places: explicit mentions, self-references and the document's place.

Three kinds of link (the ``how`` column of :meth:`PlaceLinker.link`):

``mention``
    A name or alias of a gazetteer entity found by longest match, after context rules:
    a short name followed by a landmark word is no place (荷塘大道, 天心阁, 浏阳河); a
    place inside an organisation's name is none either (中车株洲…, 湖南工业大学,
    株洲沐鑫金属有限公司); a qualifier directly followed by a place inside it is dropped
    (株洲市石峰区 → 石峰区 only); a place named as a model or benchmark (借鉴…的成熟经验,
    以…为标杆, 对标…) is not linked; a meeting venue (在长沙召开) gets a low weight.
    In a document about a city (or one of its counties) the city's counties are also
    found by their short names (临清, 永年, 冠县; :meth:`PlaceLinker.local_forms`), and
    a county's name followed by a park word (浮梁低空经济产业园) names a park of that
    county (:meth:`PlaceLinker.report_parks`).
``self``
    An implicit self-reference (我区, 全市, 本镇, 该区, 我省 …) resolved against the
    document's own place: its level word (省/市/区/县/镇/乡) is matched against the
    document region and then its ancestors, so 全市 in a district report is the parent
    city but in a county-level city's report the city itself. A bare 高新区/经开区 in a
    document about a zone (or a county holding exactly one such zone) is that zone; in
    a city's report it is the city's zone of that kind (:meth:`PlaceLinker.city_zone`)
    or, when the gazetteer has none, a park of the city's own
    (:meth:`PlaceLinker.report_zone`).

Parks a report names that the gazetteer lacks are collected in ``report_parks_`` by
:meth:`PlaceLinker.link`; :func:`extend_gazetteer` adds them to a copy of the gazetteer.
``document``
    Every body or heading passage of a document whose place is known is linked to it
    with a lower weight, unless a stronger link already exists.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from recommender.knowledge.gazetteer import LEVELS, Gazetteer
from recommender.knowledge.wordlists import word_list

logger = logging.getLogger(__name__)

__all__ = ["PlaceLinker", "Mention", "short_name", "extend_gazetteer"]

DATA_DIR = Path(__file__).resolve().parent / "data"

# Word lists as data (knowledge/data/linking_words.csv; each list's first row says why).
LANDMARK_SUFFIXES = word_list("linking_words.csv", "landmark_suffix")
# a numeral then a measure word: 19项城市改革 is not 项城市
_COUNTED = re.compile(r"[0-9零一二三四五六七八九十百千万两几多]$")
_MEASURE_WORDS = frozenset("项个家条座批所名位户")
GENERIC_NAMES = frozenset(word_list("linking_words.csv", "generic_name"))
# Characters that end a full administrative or zone name: no landmark rule after them.
_FULL_NAME_ENDINGS = set("省市区县镇乡旗州盟园城谷")
# Organisation words after a place name (with at most a short brand in between).
_ORG_AFTER = re.compile(
    r"^[A-Za-z0-9\u4e00-\u9fff]{0,6}?(有限公司|有限责任|股份|集团|分公司|公司|大学|学院|学校|日报|晚报|电视台|"
    r"广播电视|分行|支行|银行|中烟|五建|研究院|研究所|车辆段|电力机车|车辆|商会|协会)"
)
_ORG_GAP_VERBS = re.compile(r"引进|建设|打造|推动|签约|落户|支持|依托|联合|实现|开展|与|和|及|等|的|在|是|为")
_ORG_BEFORE = word_list("linking_words.csv", "org_before")
NON_PLACE_SURFACES = word_list("linking_words.csv", "non_place")
_COMPARE_BEFORE = re.compile(r"(借鉴|学习|对标|效仿|参照|看齐|比照|赶超|比肩|向)[^。,;!?]{0,12}$")
_COMPARE_BEFORE_YI = re.compile(r"以[^。,;!?]{0,4}$")
_COMPARE_AFTER = re.compile(r"^[^。,;!?]{0,16}?(经验|做法|模式|标杆|榜样|样板)")
_BENCHMARK_AFTER = re.compile(r"^[^。,;!?]{0,12}?为(标杆|榜样|样板|标兵)")
_VENUE_BEFORE = re.compile(r"[在于]$")
_VENUE_AFTER = re.compile(r"^[^。,;!?]{0,6}?(召开|举行|举办|开幕|启幕|闭幕|落幕)")
_QUALIFIER_GAP = re.compile(r"^[\s()()·・]*$")

_SELF_REF = re.compile(r"(?<![资安保日])(?:我|全|本|该)([省市区县镇乡州])(?![场域镇县区市州级])|(?:^|(?<=[,。;:、!?“\s]))区内")
_GENERIC_ZONE = re.compile(r"(高新区|经开区|开发区)")
_MEETING = re.compile(r"在([^,。;:在]{0,20}?)第[一二三四五六七八九十]+届人民代表大会")
_REPORT_TITLE = re.compile(r"政府工作报告|规划|纲要")
# a bare zone word and the endings of the catalogue names of that kind of zone
_ZONE_ENDINGS = {
    "高新区": ("高新区", "高新技术产业开发区", "高新技术产业园区", "高新技术开发区"),
    "经开区": ("经开区", "经济技术开发区", "经济开发区"),
}
_ZONE_SLUG = {"高新区": "gaoxinqu", "经开区": "jingkaiqu"}
# a zone word right after a county's or city's name (独山经开区) and the kind it names
_ZONE_AFTER = re.compile(r"(高新技术产业开发区|经济技术开发区|经济开发区|高新区|经开区)")
_ZONE_KIND = {"高新技术产业开发区": "高新区", "高新区": "高新区", "经济技术开发区": "经开区", "经济开发区": "经开区",
              "经开区": "经开区"}
_BARE_ZONE = re.compile(r"(?<!国家)(?<!省级)(?<![类个各级批家省])(高新区|经开区)")
# what may follow a county's name and precede a park word in a park's own name
# (浮梁低空经济产业园, 独山轴承产业园): a short run without verbs or particles
_PARK_WORDS = re.compile(r"(?:产业园区|工业园区|工业集中区|产业集聚区|经济开发区|产业园|工业园|开发区)")
_PARK_MIDDLE = re.compile(r"[\u4e00-\u9fff]{0,8}?(?=(?:产业园区|工业园区|工业集中区|产业集聚区|经济开发区|产业园|工业园|开发区))")
_PARK_MIDDLE_STOP = re.compile(
    r"建设|打造|推进|推动|加快|支持|发展|争创|创建|申报|提升|积极|全力|聚力|着力|扩区|调区|获批|成功|实现|新增|"
    r"力争|完成|引进|落户|入驻|依托|围绕|重点|启动|谋划|规划|争取|设立|申建|晋升|升级|列入|纳入|认定|"
    r"建成|新建|扩建|筹建|组建|构建|投用|投产|培育|壮大|做强|做大|布局|招引|提质|改造|"
    r"等|的|和|与|及|在|为|是|个|各|两|三|四|五")
# park words that make a name with a place's name alone (万载工业园); 产业园 alone does not (常德产业园 …)
_PARK_WORDS_ALONE = ("工业园", "工业园区", "工业集中区", "产业集聚区", "经济开发区")
_AUTONOMOUS = re.compile(r"自治[县旗]$")
_WING = re.compile(r"^.{1,4}?([左右])翼([中前后]?)")
_BRAND_KINDS = {"产业品牌"}
_BODY_ROLES = {"body", "heading"}
HUNAN = "430000"


def short_name(name: str) -> str | None:
    """The short form a report uses for a county-level place, or None when it has none.

    A banner or county of a left or right wing by its first character and its wing
    (喀喇沁左翼蒙古族自治县 → 喀左, 科尔沁左翼中旗 → 科左中); another autonomous county by its
    first two characters (江华瑶族自治县 → 江华);
    another place by its name without the level word (临清市 → 临清, 永年区 → 永年)
    when two characters or more remain.

    Examples
    --------
    >>> short_name("临清市"), short_name("江华瑶族自治县"), short_name("冠县")
    ('临清', '江华', None)
    >>> short_name("喀喇沁左翼蒙古族自治县"), short_name("科尔沁左翼中旗")
    ('喀左', '科左中')
    """
    wing = _WING.search(name)
    if wing:
        return name[0] + wing.group(1) + wing.group(2)
    if _AUTONOMOUS.search(name):
        return name[:2]
    if name[-1:] in ("县", "市", "区", "旗") and len(name) >= 3:
        return name[:-1]
    return None


def _read_stoplist(path: Path) -> frozenset:
    if not path.exists():
        return frozenset()
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frozenset(table["surface"].str.strip())


def _park_slug(name: str) -> str:
    return f"{zlib.crc32(name.encode('utf-8')):08x}"


def extend_gazetteer(gazetteer: Gazetteer, rows) -> Gazetteer:
    """A copy of ``gazetteer`` with the park rows a report named (from :meth:`PlaceLinker.link`).

    Examples
    --------
    >>> gaz = Gazetteer.default()
    >>> row = {"entity_id": "park-430200-x", "name": "株洲示例产业园", "aliases": [], "level": "park",
    ...        "parent": "430200", "kind": "报告园区"}
    >>> extend_gazetteer(gaz, [row]).get("park-430200-x").path
    ('湖南省', '株洲市')
    """
    rows = list(rows)
    if not rows:
        return gazetteer
    new = pd.DataFrame(rows)
    for col in ("aliases", "path", "sectors"):
        if col not in new.columns:
            new[col] = [[] for _ in range(len(new))]
    table = pd.concat([gazetteer.entities, new[gazetteer.entities.columns.intersection(new.columns)]],
                      ignore_index=True)
    ambiguous = pd.DataFrame(
        [{"surface": form, "preferred": gazetteer.preferred(form)}
         for form, ids in gazetteer.surface_forms().items() if len(ids) > 1])
    return Gazetteer(table, ambiguous if not ambiguous.empty else None)


@dataclass(frozen=True)
class Mention:
    """A place found in a text.

    ``start``/``end`` are offsets into the text given to :meth:`PlaceLinker.mentions`;
    ``weight`` is 1.0 for an ordinary mention and lower for a meeting venue; ``how`` is
    ``"mention"`` or ``"self"``.

    Examples
    --------
    >>> Mention("430204", "石峰区", 0, 3)
    Mention(entity_id='430204', surface='石峰区', start=0, end=3, weight=1.0, how='mention')
    """

    entity_id: str
    surface: str
    start: int
    end: int
    weight: float = 1.0
    how: str = "mention"


class PlaceLinker:
    """Find places in passages and link a corpus's passages to places.

    Parameters
    ----------
    gazetteer : Gazetteer, optional
        Defaults to :meth:`Gazetteer.default`.
    document_weight : float
        Weight of the ``document`` link of a body passage to its document's place.
    venue_weight : float
        Weight of a mention that only names a meeting venue (在长沙召开).

    Examples
    --------
    >>> linker = PlaceLinker()
    >>> [(m.surface, m.entity_id) for m in linker.mentions("株洲市石峰区田心高科园,荷塘大道")]
    [('田心高科园', 'park-430204-tianxin-gaokeyuan')]
    >>> [m.surface for m in linker.mentions("茶陵县的茶叶,雨花经开区")]
    ['茶陵县', '雨花经开区']
    """

    def __init__(self, gazetteer: Gazetteer | None = None, *, document_weight: float = 0.5,
                 venue_weight: float = 0.3):
        self.gazetteer = gazetteer if gazetteer is not None else Gazetteer.default()
        self.document_weight = document_weight
        self.venue_weight = venue_weight
        gaz = self.gazetteer
        self._forms: dict[str, str | None] = {}
        for form in gaz.surface_forms():
            eid = gaz.preferred(form)
            if len(form) >= 2 and self._linkable(form, eid):
                self._forms[form] = eid
        for form in NON_PLACE_SURFACES:
            self._forms.setdefault(form, None)
        self._full = set(gaz.entities["name"])
        lengths: dict[str, set[int]] = {}
        for form in self._forms:
            lengths.setdefault(form[0], set()).add(len(form))
        self._lengths = {ch: sorted(ls, reverse=True) for ch, ls in lengths.items()}
        self._depth = {lvl: i for i, lvl in enumerate(LEVELS)}
        self._short_stop = (_read_stoplist(DATA_DIR / "alias_stoplist.csv")
                            | _read_stoplist(DATA_DIR / "short_name_stoplist.csv"))
        self._local_cache: dict[str, dict[str, str]] = {}
        self._local_merged: tuple[str, tuple[dict, dict]] | None = None

    def _linkable(self, form: str, entity_id: str) -> bool:
        """Whether a surface form is safe to look for in running text."""
        gaz = self.gazetteer
        if entity_id == HUNAN or HUNAN in gaz.ancestors(entity_id):
            return True
        if form in GENERIC_NAMES:
            return False
        # two-character county names elsewhere hide inside words (示范县, 新时代县域)
        return not (gaz.level(entity_id) == "district" and len(form) <= 2)

    # ------------------------------------------------------------------ mentions
    def _raw_matches(self, text: str, local: tuple[dict, dict] | None = None):
        forms, lengths = local if local is not None else (self._forms, self._lengths)
        i, n = 0, len(text)
        while i < n:
            ls = lengths.get(text[i])
            if ls is not None:
                for ln in ls:
                    if i + ln <= n:
                        form = text[i:i + ln]
                        if form in forms:
                            yield form, forms[form], i, i + ln
                            i += ln
                            break
                else:
                    i += 1
                continue
            i += 1

    def _is_short(self, surface: str) -> bool:
        return surface not in self._full and (len(surface) <= 3 or surface[-1] not in _FULL_NAME_ENDINGS)

    def _rejected(self, text: str, surface: str, start: int, end: int) -> bool:
        after = text[end:end + 20]
        before = text[max(0, start - 20):start]
        if self._is_short(surface) and after.startswith(LANDMARK_SUFFIXES):
            return True
        if surface[0] in _MEASURE_WORDS and _COUNTED.search(before):
            return True
        if before.endswith(_ORG_BEFORE):
            return True
        m = _ORG_AFTER.match(after)
        if m and not _ORG_GAP_VERBS.search(after[: m.start(1)]):
            return True
        if _COMPARE_BEFORE.search(before) and _COMPARE_AFTER.match(after):
            return True
        if _COMPARE_BEFORE_YI.search(before) and _BENCHMARK_AFTER.match(after):
            return True
        if re.search(r"(对标|比肩|赶超)$", before):
            return True
        return False

    def local_forms(self, region: str | None) -> tuple[dict, dict] | None:
        """Surface forms of a document about ``region``: the global ones plus its counties' short names.

        A city's report names its counties and districts by short names (临清, 永年,
        冠县) that are unsafe to look for anywhere else. In a document about a city (or
        about one of its counties) the county-level places of that city are also found
        by their short name and by a two-character full name, unless the form is a
        common word (``alias_stoplist.csv``, ``short_name_stoplist.csv``) or names
        another place. Returns ``None`` when there is nothing to add.

        Examples
        --------
        >>> linker = PlaceLinker()
        >>> [m.surface for m in linker.mentions("临清聚力打造轴承产业,冠县建强钢板基地", linker.local_forms("371500"))]
        ['临清', '冠县']
        >>> linker.mentions("临清聚力打造轴承产业,冠县建强钢板基地")
        []
        """
        if not region or region not in self.gazetteer:
            return None
        gaz = self.gazetteer
        anchor = region
        if gaz.level(anchor) not in ("city", "province"):
            anchor = next((a for a in gaz.ancestors(anchor) if gaz.level(a) in ("city", "province")), None)
        if anchor is None:
            return None
        extra = self._local_cache.get(anchor)
        if extra is None:
            extra = {}
            for child in gaz.children(anchor):
                if gaz.level(child) != "district":
                    continue
                name = gaz.get(child).name
                short = short_name(name)
                # 喀左县, 江华县: the short name of an autonomous county or banner with its level word
                level_word = name[-1] if _AUTONOMOUS.search(name) or name.endswith("旗") else ""
                for form in (name, short, short + level_word if short and level_word else None):
                    if (form and len(form) >= 2 and form not in self._short_stop and form not in GENERIC_NAMES
                            and self._forms.get(form, child) == child and not gaz.lookup(form)[1:]
                            and gaz.preferred(form) in (None, child)):
                        extra[form] = child
            extra = self._local_cache[anchor] = {f: e for f, e in extra.items() if f not in self._forms}
        if not extra:
            return None
        # the merged tables are kept for the last anchor only: a copy of the global tables
        # per city of a national corpus would hold a hundred megabytes, and a rebuild is two
        # dictionary copies (a fraction of a millisecond)
        merged = self._local_merged
        if merged is None or merged[0] != anchor:
            forms = {**self._forms, **extra}
            lengths = dict(self._lengths)
            for form in extra:
                lengths[form[0]] = sorted({*lengths.get(form[0], ()), len(form)}, reverse=True)
            merged = self._local_merged = (anchor, (forms, lengths))
        return merged[1]

    def mentions(self, text: str, local: tuple[dict, dict] | None = None) -> list[Mention]:
        """Places named in ``text`` (longest match, with the module's context rules).

        ``local`` is what :meth:`local_forms` returns for the document's region.

        Examples
        --------
        >>> linker = PlaceLinker()
        >>> [m.entity_id for m in linker.mentions("这一举措借鉴了长沙中电软件园的成熟经验,株洲持续发力")]
        ['430200']
        >>> [(m.surface, m.weight) for m in linker.mentions("表彰会在长沙召开")]
        [('长沙', 0.3)]
        >>> linker.mentions("中车株洲电力机车有限公司、湖南工业大学、天心阁")
        []
        """
        found: list[Mention] = []
        for surface, eid, start, end in self._raw_matches(text, local):
            if eid is None or self._rejected(text, surface, start, end):
                continue
            weight = 1.0
            if _VENUE_BEFORE.search(text[max(0, start - 1):start]) and _VENUE_AFTER.match(text[end:end + 12]):
                weight = self.venue_weight
            found.append(Mention(eid, surface, start, end, weight))
        # a qualifier directly followed by a place inside it: keep only the inner place
        kept = []
        for k, m in enumerate(found):
            nxt = found[k + 1] if k + 1 < len(found) else None
            if (nxt is not None and _QUALIFIER_GAP.match(text[m.end:nxt.start])
                    and nxt.entity_id != m.entity_id and self.gazetteer.is_within(nxt.entity_id, m.entity_id)):
                continue
            kept.append(m)
        return kept

    # -------------------------------------------------------------- self-refs
    @staticmethod
    def _level_words(entity_name: str, level: str) -> set[str]:
        words = {entity_name[-1]} if entity_name[-1] in "省市区县镇乡州" else set()
        if level == "province":
            words.add("省")
        return words

    def resolve_self(self, word: str, region: str | None) -> str | None:
        """Resolve a self-reference level word (区/市/县/镇/乡/省) against a region.

        Examples
        --------
        >>> linker = PlaceLinker()
        >>> linker.resolve_self("市", "430204"), linker.resolve_self("市", "430281")
        ('430200', '430281')
        >>> linker.resolve_self("县", "town-430224-huju")
        '430224'
        """
        if not region or region not in self.gazetteer:
            return None
        for cand in [region, *self.gazetteer.ancestors(region)]:
            ent = self.gazetteer.get(cand)
            if word in self._level_words(ent.name, ent.level):
                return cand
        return None

    def _generic_zone(self, word: str, region: str | None) -> str | None:
        if not region or region not in self.gazetteer:
            return None
        gaz = self.gazetteer
        ent = gaz.get(region)
        if ent.level == "park" and any(n.endswith(word) for n in gaz.names(region)):
            return region
        if ent.level == "district":
            hits = [c for c in gaz.children(region)
                    if gaz.level(c) == "park" and any(n.endswith(word) for n in gaz.names(c))]
            return hits[0] if len(hits) == 1 else None
        return self.city_zone(word, region)

    def city_zone(self, word: str, region: str | None) -> str | None:
        """The zone a bare 高新区/经开区 in a report about ``region`` stands for, or None.

        The candidates are the parks whose parent is the report's city (or the city
        containing the report's county) or one of that city's counties, and whose name
        or an alias ends like a zone of that kind (高新技术产业开发区, 经济技术开发区 …).
        A zone of the city itself wins over its counties' zones, and a national zone
        (approved by 国务院) over a provincial one; the word stands for a zone only when
        one candidate is left.

        Examples
        --------
        >>> linker = PlaceLinker()
        >>> linker.city_zone("高新区", "430200"), linker.city_zone("经开区", "430500")
        ('G432034', 'S437024')
        """
        tiers = self._zone_tiers(word, region)
        for tier in tiers:
            if len(tier) > 1:
                national = [p for p in tier if self.gazetteer.get(p).approval == "国务院"]
                tier = national if len(national) == 1 else tier
            if len(tier) == 1:
                return tier[0]
            if tier:
                return None
        return None

    def _zone_tiers(self, word: str, region: str | None) -> list[list[str]]:
        """Zones of a kind in a city: ``[the city's own, its counties']``; a county's own for a county."""
        gaz = self.gazetteer
        endings = _ZONE_ENDINGS.get(word)
        if endings is None or not region or region not in gaz or gaz.level(region) not in ("city", "province",
                                                                                            "district"):
            return [[], []]
        if gaz.level(region) == "district":
            return [[c for c in gaz.children(region)
                     if gaz.level(c) == "park" and any(n.endswith(endings) for n in gaz.names(c))], []]
        city = region
        tiers: list[list[str]] = [[], []]
        for child in gaz.children(city):
            level = gaz.level(child)
            kids = [child] if level == "park" else gaz.children(child) if level == "district" else []
            for park in kids:
                if gaz.level(park) == "park" and any(n.endswith(endings) for n in gaz.names(park)):
                    tiers[0 if park == child else 1].append(park)
        return tiers

    def self_references(self, text: str, region: str | None, skip: list[Mention] = ()) -> list[Mention]:
        """Implicit references (全区, 我市, 本镇 …, bare 高新区) resolved against ``region``.

        Examples
        --------
        >>> [m.entity_id for m in PlaceLinker().self_references("全区工业增长,全市第一,资本市场", "430204")]
        ['430204', '430200']
        >>> [m.entity_id for m in PlaceLinker().self_references("支持高新区率先发展,争创国家高新区", "430200")]
        ['G432034']
        """
        taken = [(m.start, m.end) for m in skip]

        def free(s, e):
            return not any(a < e and s < b for a, b in taken)

        out = []
        for m in _SELF_REF.finditer(text):
            word = m.group(1) or "区"
            eid = self.resolve_self(word, region)
            if eid and free(m.start(), m.end()):
                out.append(Mention(eid, m.group(0), m.start(), m.end(), 1.0, "self"))
        for m in _GENERIC_ZONE.finditer(text):
            if m.group(1) in _ZONE_ENDINGS and not _BARE_ZONE.match(text, m.start()):
                continue
            eid = self._generic_zone(m.group(1), region)
            if eid and free(m.start(), m.end()):
                out.append(Mention(eid, m.group(1), m.start(), m.end(), 1.0, "self"))
        return sorted(out, key=lambda x: x.start)

    # ------------------------------------------------------------- report parks
    def report_zone(self, word: str, region: str | None) -> dict | None:
        """A park entity of its own for a bare 高新区/经开区 that no known zone answers.

        In a report about a city (or a county) that has no zone of that kind in the
        gazetteer, the zone is named after its place as the report names it
        (景德镇市经开区), with a stable id ``park-<place>-<kind>`` and the place as parent.

        Examples
        --------
        >>> linker = PlaceLinker()
        >>> linker.report_zone("经开区", "360200")["name"], linker.report_zone("高新区", "430200")
        ('景德镇市经开区', None)
        """
        gaz = self.gazetteer
        if word not in _ZONE_SLUG or not region or region not in gaz:
            return None
        if gaz.level(region) not in ("city", "district") or any(self._zone_tiers(word, region)):
            return None
        if gaz.lookup(gaz.get(region).name + word):
            return None
        return self._zone_row(word, region)

    def _zone_row(self, kind: str, place: str, surface: str | None = None) -> dict:
        """The park row of a place's own zone of a kind: 景德镇市高新区, alias as the report wrote it."""
        name = self.gazetteer.get(place).name + kind
        aliases = [surface] if surface and surface != name and not self.gazetteer.lookup(surface) else []
        return {"entity_id": f"park-{place}-{_ZONE_SLUG[kind]}", "name": name, "aliases": aliases,
                "level": "park", "parent": place, "kind": "报告园区"}

    def report_parks(self, text: str, mentions: list[Mention]) -> list[tuple[Mention, dict | None]]:
        """Parks a report names after a county or city (独山经开区, 浮梁低空经济产业园).

        A county's or city's name directly followed by a zone word (高新区, 经开区,
        经济开发区 …) names that place's zone of the kind: the gazetteer's zone when the
        place has exactly one of that kind (a city's own zone preferred, as for a bare
        高新区), else a park of its own. A name followed, without a verb or particle in
        between, by at most eight characters and a park word (产业园, 工业园区 …) names a
        park of that place. Returns ``(mention, row)`` pairs: the mention spans the
        park's name; the row is ``None`` for a known zone, else a park entity named as the
        report names it, with a stable id from its name and the place as parent.

        Examples
        --------
        >>> linker = PlaceLinker()
        >>> text = "规划建设浮梁低空经济产业园,支持浮梁建设新城"
        >>> ms = linker.mentions(text, linker.local_forms("360200"))
        >>> [(m.surface, row["name"], row["parent"]) for m, row in linker.report_parks(text, ms)]
        [('浮梁低空经济产业园', '浮梁低空经济产业园', '360222')]
        >>> text = "推动茶陵经开区和景德镇经开区发展"
        >>> [(m.entity_id, row and row["name"]) for m, row in linker.report_parks(text, linker.mentions(text))]
        [('park-360200-jingkaiqu', '景德镇市经开区')]
        """
        gaz = self.gazetteer
        out = []
        for m in mentions:
            if m.how != "mention" or gaz.level(m.entity_id) not in ("district", "city"):
                continue
            zone = _ZONE_AFTER.match(text, m.end)
            if zone is not None:
                kind = _ZONE_KIND[zone.group(1)]
                if gaz.level(m.entity_id) == "city":
                    known = self.city_zone(kind, m.entity_id)
                    candidates = any(self._zone_tiers(kind, m.entity_id))
                else:
                    tier = self._zone_tiers(kind, m.entity_id)[0]
                    known = tier[0] if len(tier) == 1 else None
                    candidates = bool(tier)
                surface = m.surface + zone.group(1)
                if known is not None:
                    out.append((Mention(known, surface, m.start, zone.end(), m.weight), None))
                elif not candidates and not gaz.lookup(surface):
                    row = self._zone_row(kind, m.entity_id, surface)
                    out.append((Mention(row["entity_id"], surface, m.start, zone.end(), m.weight), row))
                continue
            mid = _PARK_MIDDLE.match(text, m.end)
            if mid is None or _PARK_MIDDLE_STOP.search(mid.group(0)):
                continue
            word = _PARK_WORDS.match(text, mid.end())
            name = m.surface + mid.group(0) + word.group(0)
            if gaz.lookup(name) or (not mid.group(0) and word.group(0) not in _PARK_WORDS_ALONE):
                continue
            row = {"entity_id": f"park-{m.entity_id}-{_park_slug(name)}", "name": name, "aliases": [],
                   "level": "park", "parent": m.entity_id, "kind": "报告园区"}
            out.append((Mention(row["entity_id"], name, m.start, word.end(), m.weight), row))
        return out

    # ------------------------------------------------------- document region
    def _deepest(self, ids: list[str], prior: str | None = None) -> str | None:
        """The most specific of a set of ids, preferring a chain and the prior's line."""
        if not ids:
            return None
        gaz = self.gazetteer
        uniq = list(dict.fromkeys(ids))
        non_brand = [i for i in uniq if gaz.get(i).kind not in _BRAND_KINDS]
        uniq = non_brand or uniq
        if prior:
            related = [i for i in uniq if gaz.is_within(i, prior) or gaz.is_within(prior, i)]
            uniq = related or uniq
        # drop every id that is an ancestor of another one
        leaves = [i for i in uniq if not any(j != i and gaz.is_within(j, i) for j in uniq)]
        return leaves[0]

    def _tag_region(self, region_tag: str | None) -> str | None:
        if not region_tag or not str(region_tag).strip():
            return None
        tag = str(region_tag).strip().strip("【】[]")
        if tag.endswith("招商"):
            tag = tag[:-2]
        hit = self.gazetteer.preferred(tag)
        if hit:
            return hit
        try:
            return self.gazetteer.resolve_region(tag)
        except ValueError:
            return None

    def _body_counts(self, text: str) -> Counter:
        return Counter(m.entity_id for m in self.mentions(text) if m.weight >= 1.0)

    def document_region(self, title: str | None, text: str | None, region_tag: str | None = None,
                        *, body_counts: Counter | None = None) -> str | None:
        """The document's own subject place, or None.

        In order: the meeting line of a report (在醴陵市第十六届人民代表大会…; a bare
        在市第十六届… takes the place from the title or tag), the title's most specific
        place, the 【X招商】 tag (a weak prior), else the most mentioned place of the body.
        A news title naming only a city yields to a place inside that city that the body
        names clearly more often. ``body_counts`` (full-weight mentions per place) may be
        given when the caller has already found the body's mentions.

        Examples
        --------
        >>> linker = PlaceLinker()
        >>> linker.document_region("2021年石峰区政府工作报告", "各位代表:……", "石峰区")
        '430204'
        >>> linker.document_region("2019年醴陵市政府工作报告", "2019年1月16日在市第十六届人民代表大会第四次会议上", "醴陵市")
        '430281'
        >>> linker.document_region("宁乡市培育壮大三大产业链", "……", "宁乡县招商")
        '430182'
        """
        title = title or ""
        text = text or ""
        tag = self._tag_region(region_tag)
        title_region = self._deepest([m.entity_id for m in self.mentions(title) if m.weight >= 1.0], tag)
        meeting = _MEETING.search(text[:600])
        if meeting:
            head = meeting.group(1)
            ids = [m.entity_id for m in self.mentions(head)]
            if ids:
                return self._deepest(ids)
            word = head.strip()[-1:] if head.strip() else ""
            anchor = title_region or tag
            if word in ("市", "区", "县", "镇", "乡") and anchor:
                found = self.resolve_self(word, anchor)
                if found:
                    return found
        if title_region:
            if not _REPORT_TITLE.search(title) and self.gazetteer.level(title_region) in ("province", "city"):
                counts = Counter(body_counts) if body_counts is not None else self._body_counts(text)
                inner = [(c, i) for i, c in counts.items()
                         if i != title_region and self.gazetteer.is_within(i, title_region)]
                inner.sort(reverse=True)
                if inner:
                    top_c, top = inner[0]
                    second = inner[1][0] if len(inner) > 1 else 0
                    if top_c >= 3 and top_c >= 2 * second and top_c >= counts.get(title_region, 0):
                        return top
            return title_region
        counts = Counter(body_counts) if body_counts is not None else self._body_counts(text)
        if tag:
            counts[tag] += 2
        if not counts:
            return None
        best = max(counts.items(), key=lambda kv: (kv[1], self._depth[self.gazetteer.level(kv[0])]))
        return best[0]

    # ------------------------------------------------------------------- link
    @staticmethod
    def _add_park(parks: dict, forms: dict, row: dict) -> bool:
        """Keep a report park (by id) unless another park already holds one of its names.

        ``forms`` maps every name and alias kept so far to its park id.
        """
        eid = row["entity_id"]
        if eid not in parks:
            if any(forms.get(f, eid) != eid for f in (row["name"], *row["aliases"])):
                return False
            parks[eid] = {**row, "aliases": []}
            forms[row["name"]] = eid
        known = parks[eid]
        for alias in row["aliases"]:
            if alias not in forms:
                known["aliases"].append(alias)
                forms[alias] = eid
        return True

    def link(self, corpus) -> pd.DataFrame:
        """Link every passage of ``corpus`` to places.

        ``corpus`` needs ``documents`` (doc_id, title, region_tag) and ``passages``
        (passage_id, doc_id, text, norm_text, role) DataFrames.

        Returns
        -------
        pandas.DataFrame
            Columns ``passage_id`` (int), ``entity_id`` (str), ``weight`` (float in
            (0, 1]) and ``how`` (``mention``, ``self`` or ``document``); one row per
            (passage, entity), the strongest link kept.

        Examples
        --------
        >>> import pandas as pd
        >>> from types import SimpleNamespace
        >>> docs = pd.DataFrame({"doc_id": [0], "title": ["2021年石峰区政府工作报告"], "region_tag": ["石峰区"]})
        >>> ps = pd.DataFrame({"passage_id": [0, 1], "doc_id": [0, 0], "text": ["全区工业增长。", "全市第一。"],
        ...                    "role": ["body", "body"]})
        >>> PlaceLinker().link(SimpleNamespace(documents=docs, passages=ps)).values.tolist()
        [[0, '430204', 1.0, 'self'], [1, '430200', 1.0, 'self'], [1, '430204', 0.5, 'document']]
        """
        docs = corpus.documents
        ps = corpus.passages
        text_col = "norm_text" if "norm_text" in ps.columns else "text"
        rows: list[tuple[int, str, float, str]] = []
        self.last_mentions_: dict[int, list[Mention]] = {}
        self.document_regions_: dict[int, str] = {}
        parks: dict[str, dict] = {}
        park_forms: dict[str, str] = {}
        by_doc = {k: g.sort_values("passage_id") for k, g in ps.groupby("doc_id", sort=False)}
        for doc in docs.itertuples(index=False):
            group = by_doc.get(doc.doc_id)
            if group is None:
                continue
            texts = [str(t) if isinstance(t, str) else "" for t in group[text_col]]
            pids = [int(p) for p in group["passage_id"]]
            title, tag = getattr(doc, "title", ""), getattr(doc, "region_tag", None)
            # the title's or tag's place says whose counties the body may name by short name
            tag_region = self._tag_region(tag)
            prior = self._deepest([m.entity_id for m in self.mentions(title or "") if m.weight >= 1.0],
                                  tag_region) or tag_region
            local = self.local_forms(prior)
            found = [self.mentions(text, local) for text in texts]
            counts = Counter(m.entity_id for ms in found for m in ms if m.weight >= 1.0)
            region = self.document_region(title, "\n".join(texts), tag, body_counts=counts)
            if region:
                self.document_regions_[int(doc.doc_id)] = region
            roles = group["role"] if "role" in group.columns else ["body"] * len(group)
            for pid, text, role, ments in zip(pids, texts, roles, found):
                named = self.report_parks(text, ments)
                if named:
                    for m, row in named:
                        if row is not None:
                            self._add_park(parks, park_forms, row)
                    # a name shared by parks of two places is left to the places
                    named = [(m, row) for m, row in named if row is None or row["entity_id"] in parks]
                    replaced = {m.start for m, _ in named}
                    ments = sorted([m for m in ments if m.start not in replaced] + [m for m, _ in named],
                                   key=lambda m: m.start)
                selfs = self.self_references(text, region, ments)
                for m in _BARE_ZONE.finditer(text):
                    if any(s.start <= m.start() < s.end for s in [*ments, *selfs]):
                        continue
                    row = self.report_zone(m.group(1), region)
                    if row is not None and self._add_park(parks, park_forms, row):
                        selfs.append(Mention(row["entity_id"], m.group(1), m.start(), m.end(), 1.0, "self"))
                self.last_mentions_[pid] = sorted([*ments, *selfs], key=lambda m: m.start)
                for m in ments:
                    rows.append((pid, m.entity_id, m.weight, "mention"))
                for m in selfs:
                    rows.append((pid, m.entity_id, m.weight, "self"))
                if region and role in _BODY_ROLES:
                    rows.append((pid, region, self.document_weight, "document"))
        self.report_parks_ = list(parks.values())
        out = pd.DataFrame(rows, columns=["passage_id", "entity_id", "weight", "how"])
        if out.empty:
            return out.astype({"passage_id": int, "entity_id": str, "weight": float, "how": str})
        rank = out["how"].map({"mention": 0, "self": 1, "document": 2})
        out = (out.assign(_r=rank).sort_values(["passage_id", "entity_id", "weight", "_r"],
                                               ascending=[True, True, False, True])
               .drop_duplicates(["passage_id", "entity_id"]).drop(columns="_r").reset_index(drop=True))
        out["passage_id"] = out["passage_id"].astype(int)
        out["weight"] = out["weight"].astype(float)
        return out
