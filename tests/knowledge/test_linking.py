"""Tests of linking passages to places (golden cases from the corpus notes)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from recommender.knowledge.gazetteer import Gazetteer
from recommender.knowledge.linking import Mention, PlaceLinker


@pytest.fixture(scope="module")
def linker() -> PlaceLinker:
    return PlaceLinker()


def ids(linker, text):
    return [m.entity_id for m in linker.mentions(text)]


def surfaces(linker, text):
    return [m.surface for m in linker.mentions(text)]


def test_mention_offsets(linker):
    text = "推动醴陵经开区和攸县高新区发展"
    ms = linker.mentions(text)
    assert [m.surface for m in ms] == ["醴陵经开区", "攸县高新区"]
    for m in ms:
        assert isinstance(m, Mention)
        assert text[m.start:m.end] == m.surface
        assert m.weight == 1.0 and m.how == "mention"


def test_longest_match(linker):
    assert ids(linker, "株洲高新区天易科技城") == ["G432034", "park-430200-tianyi-keji-cheng"] or ids(
        linker, "株洲高新区天易科技城") == ["park-430200-tianyi-keji-cheng"]
    assert surfaces(linker, "清水塘生态科技产业新城") == ["清水塘生态科技产业新城"]
    assert ids(linker, "天心数谷") == ["park-430103-tianxin-shugu"]


def test_qualifier_dropped(linker):
    assert ids(linker, "株洲市石峰区") == ["430204"]
    assert ids(linker, "(湖南省)株洲市荷塘区国民经济") == ["430202"]
    assert ids(linker, "湖南省株洲市打造产业集群") == ["430200"]
    assert ids(linker, "石峰区田心高科园") == ["park-430204-tianxin-gaokeyuan"]


@pytest.mark.parametrize(
    "text",
    ["天心阁", "荷塘大道", "荷塘月色", "荷塘小学", "石峰大桥", "石峰山", "雨花大道", "浏阳河", "金山银山", "城中村",
     "茶叶", "田心大道"],
)
def test_landmarks_are_not_places(linker, text):
    assert linker.mentions(text) == []


def test_tea_is_not_chaling(linker):
    assert ids(linker, "发展茶产业,茶陵红茶") == ["430224"]
    assert ids(linker, "天心区与田心片区") == ["430103"]


@pytest.mark.parametrize(
    "text",
    ["中车株洲电力机车有限公司", "北汽株洲分公司", "株洲沐鑫金属有限公司", "株洲维通利电气项目", "湖南工业大学",
     "中车株洲车辆公司", "株洲日报", "湖南中烟", "国家开发银行湖南省分行"],
)
def test_company_names_are_not_places(linker, text):
    assert linker.mentions(text) == []


def test_comparison_not_linked(linker):
    text = "这一举措借鉴了长沙中电软件园的成熟经验,聚焦互联网"
    assert linker.mentions(text) == []
    assert linker.mentions("株洲市明确提出以长沙中电软件园为标杆") and ids(
        linker, "株洲市明确提出以长沙中电软件园为标杆") == ["430200"]
    assert "430100" in ids(linker, "长沙加速构建智能汽车产业链")


def test_venue_low_weight(linker):
    (m,) = linker.mentions("总结表彰会在长沙召开")
    assert m.entity_id == "430100" and m.weight < 0.5


def test_self_reference_levels(linker):
    # 全市 in a district report is the parent city; in a county-level city it is itself
    assert linker.resolve_self("市", "430204") == "430200"
    assert linker.resolve_self("市", "430223") == "430200"
    assert linker.resolve_self("市", "430281") == "430281"
    assert linker.resolve_self("区", "430202") == "430202"
    assert linker.resolve_self("区", "S437019") == "S437019"
    huju = Gazetteer.default().lookup("虎踞镇")[0]
    assert linker.resolve_self("县", huju) == "430224"
    assert linker.resolve_self("镇", huju) == huju
    assert linker.resolve_self("省", "430204") == "430000"
    assert linker.resolve_self("镇", "430204") is None
    assert linker.resolve_self("市", None) is None


def test_self_reference_false_hits(linker):
    assert linker.self_references("发展资本市场", "430200") == []
    assert linker.self_references("建设金融安全区", "430223") == []
    refs = linker.self_references("我区经济增长,全市第一", "430202")
    assert [(m.surface, m.entity_id, m.how) for m in refs] == [("我区", "430202", "self"), ("全市", "430200", "self")]


def test_generic_zone_word(linker):
    assert [m.entity_id for m in linker.self_references("经开区技工贸总值增长", "430281")] == ["S437016"]
    assert [m.entity_id for m in linker.self_references("高新区新增企业", "G432034")] == ["G432034"]
    # in a city's report a bare zone word is that city's zone of the kind
    assert [m.entity_id for m in linker.self_references("理顺高新区、经开区运行管理机制", "430200")] == [
        "G432034", "S437019"]


@pytest.mark.parametrize(
    "title, text, tag, expected",
    [
        ("2021年石峰区政府工作报告", "各位代表:", "石峰区", "430204"),
        ("2019年醴陵市政府工作报告", "2019年1月16日在市第十六届人民代表大会第四次会议上董巍各位代表", "醴陵市", "430281"),
        ("2021年天心区政府工作报告", "2020年12月26日在长沙市天心区第五届人民代表大会第七次会议上", "天心区", "430103"),
        ("宁乡市培育壮大三大产业链", "近年来,宁乡市聚焦制造业", "宁乡县", "430182"),
        ("", "全区经济", "宁乡县招商", "430182"),
        ("湖南省一季度物流业需求增长成本上升引关注", "湖南省物流", "长沙", "430000"),
        ("2021年湖南省科技金融服务工作总结表彰会在长沙召开", "会议在长沙召开", "长沙", "430000"),
        ("株洲经开区将全力建设“一区双城”", "全区正以高质量", "株洲", "S437019"),
        ("2020年虎踞镇政府工作报告", "2019年,虎踞镇在县委、县政府", "茶陵县", "town-430224-huju"),
        ("株洲吉安实现43项高频事项跨省通办", "株洲与江西省吉安市签订", "株洲", "430200"),
        ("", "", None, None),
    ],
)
def test_document_region(linker, title, text, tag, expected):
    assert linker.document_region(title, text, tag) == expected


def _corpus(docs, passages):
    return SimpleNamespace(documents=pd.DataFrame(docs), passages=pd.DataFrame(passages))


def test_link_frame_contract(linker):
    corpus = _corpus(
        {"doc_id": [0, 1], "title": ["2019年攸县政府工作报告", "无题"], "region_tag": ["攸县", ""]},
        {"passage_id": [0, 1, 2, 3, 4], "doc_id": [0, 0, 0, 1, 1],
         "text": ["全县工业增长,全市第一。", "茶陵红茶品牌。", "名词解释:一县一特。", "天气晴朗。", "借鉴了长沙中电软件园的成熟经验。"],
         "role": ["body", "body", "glossary", "body", "body"]},
    )
    out = linker.link(corpus)
    assert list(out.columns) == ["passage_id", "entity_id", "weight", "how"]
    assert out["passage_id"].dtype.kind == "i"
    assert out["weight"].between(0, 1, inclusive="right").all()
    assert set(out["how"]) <= {"mention", "self", "document"}
    assert not out.duplicated(["passage_id", "entity_id"]).any()
    got = {(r.passage_id, r.entity_id): (r.weight, r.how) for r in out.itertuples()}
    assert got[(0, "430223")] == (1.0, "self")       # 全县 = 攸县
    assert got[(0, "430200")] == (1.0, "self")       # 全市 = 株洲市 in a county report
    assert got[(1, "430224")] == (1.0, "mention")
    assert got[(1, "430223")] == (0.5, "document")
    assert (2, "430223") not in got                  # glossary: no document link
    assert not any(pid in (3, 4) for pid, _ in got)  # no region, comparison only


def test_link_empty(linker):
    out = linker.link(_corpus({"doc_id": [], "title": [], "region_tag": []},
                              {"passage_id": [], "doc_id": [], "text": [], "role": []}))
    assert list(out.columns) == ["passage_id", "entity_id", "weight", "how"] and out.empty


def test_mentions_on_long_text(linker):
    from recommender.datasets import sample_corpus_paths

    raw = "".join(open(p, encoding="utf-8").read() for p in sample_corpus_paths())
    text = (raw * (2_000_000 // len(raw) + 1))[:2_000_000]
    ms = linker.mentions(text)
    assert len(ms) > 5000
    assert all(text[m.start:m.end] == m.surface for m in ms[:1000])


# ---------------------------------------------------------------- real corpus
@pytest.fixture(scope="module")
def sample_links(linker):
    try:
        from recommender.corpus import load_corpus
        from recommender.datasets import sample_corpus_paths
    except ImportError:  # pragma: no cover - corpus module not there yet
        pytest.skip("recommender.corpus.load_corpus not available")
    corpus = load_corpus(sample_corpus_paths())
    links = linker.link(corpus)
    merged = links.merge(corpus.passages[["passage_id", "doc_id", "norm_text"]], on="passage_id")
    return corpus, merged.merge(corpus.documents[["doc_id", "title"]], on="doc_id")


def _doc_links(merged, title_part):
    return merged[merged["title"].str.contains(title_part, regex=False)]


def test_sample_self_references(sample_links):
    corpus, m = sample_links

    def self_targets(title_part, word):
        sel = _doc_links(m, title_part)
        sel = sel[(sel["how"] == "self") | (sel["how"] == "mention")]
        return {r.entity_id for r in sel.itertuples() if word in r.norm_text}

    liling = _doc_links(m, "醴陵市政府工作报告")
    assert (liling["entity_id"] == "430281").any()
    full = _doc_links(m, "2021年醴陵市政府工作报告")
    rows = full[full["norm_text"].str.contains("全市") & (full["how"] == "self")]
    assert set(rows["entity_id"]) - {"430000"} <= {"430281", "S437016"} and "430281" in set(rows["entity_id"])
    you = _doc_links(m, "2019年攸县政府工作报告")
    rows = you[you["norm_text"].str.contains("全市") & (you["how"] == "self")]
    assert "430200" in set(rows["entity_id"])
    hetang = _doc_links(m, "荷塘区国民经济")
    rows = hetang[hetang["norm_text"].str.contains("我区")]
    assert "430202" in set(rows["entity_id"])
    huju = _doc_links(m, "虎踞镇政府工作报告")
    assert {"430224", Gazetteer.default().lookup("虎踞镇")[0]} <= set(huju["entity_id"])


def test_sample_regions_and_false_friends(sample_links):
    corpus, m = sample_links
    c9 = _doc_links(m, "表彰会在长沙召开")
    assert not ((c9["entity_id"] == "430100") & (c9["weight"] >= 1.0)).any()
    d2 = _doc_links(m, "株洲打造产业互联网融合发展新高地")
    rows = d2[d2["norm_text"].str.contains("中电软件园的成熟经验")]
    assert "430100" not in set(rows["entity_id"])
    b1 = _doc_links(m, "培育制造名城")
    assert set(b1.loc[b1["how"] == "document", "entity_id"]) == {"430204"}
    assert not (m["entity_id"].isin(["140302", "371526", "340523"])).any()  # 城区, 范县, 和县
