"""Place-level reading: which place a passage's sector statement belongs to.

Each rule is checked on a small hand-made text (no benchmark answers).
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from recommender.knowledge.linking import PlaceLinker, extend_gazetteer, short_name
from recommender.knowledge.statements import sentence_bounds, statement_spans, statement_texts
from recommender.model import links as links_mod


@pytest.fixture(scope="module")
def linker() -> PlaceLinker:
    return PlaceLinker()


def M(eid, text, surface, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return SimpleNamespace(entity_id=eid, start=start, end=start + len(surface))


# ------------------------------------------------------------------ rule 1: sentence
def test_county_does_not_take_the_sector_of_another_sentence():
    t = "支持灵璧县建设国家新型城镇化示范县。做强轴承产业集群,打造紧固件基地。"
    windows = statement_texts(t, [M("lb", t, "灵璧县")], context={"suzhou"})
    assert windows == {"lb": "支持灵璧县建设国家新型城镇化示范县"}
    assert "轴承" not in windows["lb"]


@pytest.mark.parametrize("text, expected", [
    ("全市做强新材料。**临清聚力打造轴承产业**冠县建强钢板基地", "临清聚力打造轴承产业"),
    ("全市做强新材料。1.临清聚力打造轴承产业2.冠县建强钢板基地", "1.临清聚力打造轴承产业"),
    ("全市做强新材料 临清聚力打造轴承产业 冠县建强钢板基地", "临清聚力打造轴承产业"),
    ("全市做强新材料;临清聚力打造轴承产业;冠县建强钢板基地", "临清聚力打造轴承产业"),
    ("一是做强新材料,二是临清聚力打造轴承产业,三是冠县建强钢板基地", "二是临清聚力打造轴承产业,"),
])
def test_sentence_ends_of_city_reports(text, expected):
    # bold marks, numbered items, paragraph breaks (spaces in the feature text), semicolons
    lo, hi = sentence_bounds(text, text.index("临清"))
    assert text[lo:hi] == expected


def test_passage_headed_by_a_place_is_about_it():
    t = "灵璧县:做强轴承产业集群。打造紧固件基地。"
    assert statement_texts(t, [M("lb", t, "灵璧县")]) == {"lb": t}
    # a name that merely opens a sentence does not make the passage its own
    t = "灵璧县民兵连获第一名。做强轴承产业集群。"
    assert statement_texts(t, [M("lb", t, "灵璧县")]) == {"lb": "灵璧县民兵连获第一名"}


# --------------------------------------------------------------- rule 2: enumerations
def test_enumeration_across_counties_gives_each_its_clause():
    t = "依托朝阳县有色金属新材料、建平县新型建材、喀左县半导体新材料,打造千亿产业集群。"
    ms = [M("cy", t, "朝阳县"), M("jp", t, "建平县"), M("kz", t, "喀左县")]
    assert statement_texts(t, ms) == {"cy": "依托朝阳县有色金属新材料", "jp": "建平县新型建材",
                                      "kz": "喀左县半导体新材料"}


def test_clause_keeps_its_own_list_of_products():
    t = "支持东昌府区建设现代服务业为主体、先进制造业为支撑的首善之区,临清聚力打造轴承产业新高地。"
    ms = [M("dcf", t, "东昌府区"), M("lq", t, "临清")]
    out = statement_texts(t, ms)
    assert out["dcf"] == "支持东昌府区建设现代服务业为主体、先进制造业为支撑的首善之区"
    assert out["lq"] == "临清聚力打造轴承产业新高地"


def test_shared_predicate_and_the_document_region():
    t = "石峰区、荷塘区共建轨道交通产业集群。"
    out = statement_texts(t, [M("sf", t, "石峰区"), M("ht", t, "荷塘区")])
    assert out == {"sf": "石峰区、荷塘区共建轨道交通产业集群", "ht": "荷塘区共建轨道交通产业集群"}
    # the document's own city named in the sentence keeps its clause too
    t = "株洲作为中国动力谷的核心承载地,汽车产业是其重点发展的三大动力产业之一。"
    out = statement_texts(t, [M("zz", t, "株洲"), M("dlg", t, "中国动力谷")], context={"zz"})
    assert out["dlg"] == "作为中国动力谷的核心承载地"


def test_spans_index_the_text():
    t = "推动传统产业升级,支持抚顺县博翔环保、清原县隆烨科技等扩能增效。"
    ms = [M("fs", t, "抚顺县"), M("qy", t, "清原县")]
    for eid, spans in statement_spans(t, ms).items():
        for a, b in spans:
            assert 0 <= a < b <= len(t)
    assert statement_texts(t, ms)["fs"] == "支持抚顺县博翔环保"


# ------------------------------------------------- short names within the city's report
def test_short_names():
    assert short_name("临清市") == "临清"
    assert short_name("江华瑶族自治县") == "江华"
    assert short_name("冠县") is None


def test_counties_by_short_name_only_in_their_citys_report(linker):
    text = "临清聚力打造全国轴承产业新高地,冠县建强精品钢板基地"
    local = linker.local_forms("371500")  # 聊城市
    assert [m.entity_id for m in linker.mentions(text, local)] == ["371581", "371525"]
    assert linker.mentions(text) == []
    assert linker.mentions(text, linker.local_forms("430200")) == []


def test_local_forms_switching_cities_finds_the_same_places(linker):
    # the merged tables are kept for one city at a time; going back and forth between the
    # cities of a national corpus must not change what either city's report finds
    text = "临清聚力打造全国轴承产业新高地,冠县建强精品钢板基地,吉水县、永丰县"
    fresh = PlaceLinker(linker.gazetteer)
    expected = {city: [m.entity_id for m in fresh.mentions(text, PlaceLinker(linker.gazetteer).local_forms(city))]
                for city in ("371500", "360800", "430200")}
    held = linker.local_forms("371500")
    for city in ("360800", "371500", "430200", "360800", "371500"):
        assert [m.entity_id for m in linker.mentions(text, linker.local_forms(city))] == expected[city]
    # a table handed out earlier stays valid after the linker moved on to other cities
    assert [m.entity_id for m in linker.mentions(text, held)] == expected["371500"]
    assert expected["371500"][:2] == ["371581", "371525"] and "371581" not in expected["430200"]


def test_county_named_like_its_city_is_not_found_by_the_citys_name(linker):
    # 抚顺县's short form is the city's own name: in 抚顺's report 抚顺 is the city
    local = linker.local_forms("210400")
    assert local is None or local[0].get("抚顺") != "210421"
    assert [m.entity_id for m in linker.mentions("抚顺新钢铁拓市场,抚顺县发展旅游", local)] == ["210400", "210421"]


def test_common_words_are_not_short_names(linker):
    local = linker.local_forms("211300")  # 朝阳市: 朝阳县's short form is a common word
    assert [m.surface for m in linker.mentions("发展朝阳产业,朝阳县有色金属新材料", local)] == ["朝阳县"]


# --------------------------------------------------------------- rule 3: park mentions
def test_bare_zone_in_a_citys_report_is_the_citys_zone(linker):
    assert [m.entity_id for m in linker.self_references("支持高新区率先发展", "430200")] == ["G432034"]
    # national status and kinds of zones in general are not a zone
    assert linker.self_references("争取晋升国家高新区,各类开发区", "430200") == []


def test_bare_zone_without_a_known_zone_becomes_the_citys_own_park(linker):
    # 景德镇 has a catalogue 高新区 (its report's bare 高新区 is that zone) but no 经开区
    assert [m.entity_id for m in linker.self_references("支持高新区率先发展", "360200")] == ["G362099"]
    assert linker.report_zone("高新区", "360200") is None
    row = linker.report_zone("经开区", "360200")
    assert row == {"entity_id": "park-360200-jingkaiqu", "name": "景德镇市经开区", "aliases": [],
                   "level": "park", "parent": "360200", "kind": "报告园区"}
    gaz = extend_gazetteer(linker.gazetteer, [row])
    assert gaz.ancestors("park-360200-jingkaiqu")[0] == "360200"


def test_park_named_after_a_county(linker):
    text = "规划建设浮梁低空经济产业园和高新区无人机产业园,支持浮梁建设新城"
    ms = linker.mentions(text, linker.local_forms("360200"))
    found = linker.report_parks(text, ms)
    assert [(m.surface, row["parent"]) for m, row in found] == [("浮梁低空经济产业园", "360222")]
    assert found[0][1]["entity_id"] == found[0][0].entity_id
    assert linker.report_parks(text, ms)[0][1]["entity_id"] == found[0][1]["entity_id"]  # stable id
    # a verb between the county and the park word: not a park's name
    text = "支持浮梁建设产业园"
    assert linker.report_parks(text, linker.mentions(text, linker.local_forms("360200"))) == []
    text = "浮梁建成陶瓷产业园"
    assert linker.report_parks(text, linker.mentions(text, linker.local_forms("360200"))) == []


# --------------------------------------------------------- linking a city's report
def _corpus(title, tag, texts):
    docs = pd.DataFrame({"doc_id": [0], "title": [title], "region_tag": [tag]})
    ps = pd.DataFrame({"passage_id": list(range(len(texts))), "doc_id": [0] * len(texts), "text": texts,
                       "norm_text": texts, "role": ["body"] * len(texts)})
    return SimpleNamespace(documents=docs, passages=ps)


def test_city_report_links_and_windows(linker):
    texts = ["支持灵璧县建设国家新型城镇化示范县。做强轴承产业集群,打造紧固件基地。",
             "支持高新区率先发展,新建光伏组件项目。"]
    corpus = _corpus("宿州市政府工作报告", "宿州市", texts)
    links = linker.link(corpus)
    gaz = extend_gazetteer(linker.gazetteer, linker.report_parks_)
    assert {"park-341300-gaoxinqu", "341323", "341300"} <= set(links["entity_id"])
    region = links_mod.document_regions(linker.document_regions_, corpus.passages)
    assert region == {0: "341300", 1: "341300"}
    out, windows, origin = links_mod.window_links(links, corpus.passages, {0: 0, 1: 1}, region, linker, gaz)
    unit = dict(zip(out["entity_id"], out["unit"]))
    assert windows[unit["341323"] - 2] == "支持灵璧县建设国家新型城镇化示范县"
    # a one-sentence passage is its place's statement: no window
    assert unit["park-341300-gaoxinqu"] == 1 and len(windows) == 1
    assert unit["341300"] in (0, 1)  # the city keeps its whole passages


def test_zone_named_after_its_county_or_city(linker):
    # the city's known zone of that kind, whatever the report calls it
    text = "支持邵阳经济技术开发区建设装备制造产业园"
    found = linker.report_parks(text, linker.mentions(text))
    assert [(m.entity_id, m.surface, row) for m, row in found] == [("S437024", "邵阳经济技术开发区", None)]
    # a county's catalogue zone by the short name people write
    text = "以独山经开区为产业转移承接平台"
    assert [m.entity_id for m in linker.mentions(text, linker.local_forms("522700"))] == ["S527058"]
    # a county without a known zone of the kind: a park of its own, the report's name an alias
    text = "以荔波经开区为产业转移承接平台"
    found = linker.report_parks(text, linker.mentions(text, linker.local_forms("522700")))
    (m, row), = found
    assert (m.surface, row["name"], row["aliases"], row["parent"]) == ("荔波经开区", "荔波县经开区", ["荔波经开区"],
                                                                       "522722")


def test_names_inside_ordinary_phrases_are_not_places(linker):
    # a counted measure word (19项城市改革), a bay (长沙湾), an estuary in the county's own city
    assert linker.mentions("推进19项城市改革任务") == []
    assert linker.mentions("长沙湾特大桥合龙在即") == []
    local = linker.local_forms("370500")  # 东营市
    assert [m.surface for m in linker.mentions("黄河口滩羊品牌,河口区建设港口", local)] == ["河口区"]


def test_enumeration_of_a_citys_counties_read_from_the_report(linker):
    # the issue's example, as 朝阳市's report writes it (喀左县 for 喀喇沁左翼蒙古族自治县)
    text = "依托朝阳县有色金属新材料、建平县新型建材、喀左县半导体新材料,打造千亿级产业集群。"
    ms = linker.mentions(text, linker.local_forms("211300"))
    windows = statement_texts(text, ms, context={"211300", "210000"})
    assert windows == {"211321": "依托朝阳县有色金属新材料", "211322": "建平县新型建材",
                       "211324": "喀左县半导体新材料"}
