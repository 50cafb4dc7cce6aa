"""Tests of passage tagging: term finding, false friends, context weighting, matrices."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.exceptions import InputError
from recommender.knowledge.tagging import IndustryTagger, TermHit
from recommender.knowledge.taxonomy import Taxonomy


@pytest.fixture(scope="module")
def tagger():
    return IndustryTagger(Taxonomy.default())


def codes(tagger, text):
    return {h.code for h in tagger.find(text)}


# -------------------------------------------------------------------- finding
def test_find_offsets_and_surface(tagger):
    text = "株洲打造轨道交通装备产业集群,IGBT芯片与碳化硅器件"
    hits = tagger.find(text)
    assert all(isinstance(h, TermHit) for h in hits)
    for h in hits:
        assert text[h.start:h.end] == h.term
    assert [h.code for h in hits][:1] == ["EQP.RAIL"]
    assert hits[0].term.startswith("轨道交通装备")  # longest match, not 轨道交通
    assert {"ELEC.PSEMI"} <= codes(tagger, text)


def test_hits_are_frozen_and_ordered(tagger):
    hits = tagger.find("陶瓷、玻璃、服饰、烟花等产业集群")
    assert [h.code for h in hits] == ["MAT.CERAMIC", "MAT.GLASS", "TEXT.APPAREL", "LIGHT.FIREWORKS"]
    assert [h.start for h in hits] == sorted(h.start for h in hits)
    with pytest.raises(Exception):
        hits[0].code = "X"


@pytest.mark.parametrize("text, code", [
    ("发展电动车产业", "AUTO.NEV"), ("电动汽车整车项目", "AUTO.NEV"), ("遥感卫星数据服务", "DIG.GEO"),
    ("GIS平台企业", "DIG.GEO"), ("PC构件生产基地", "CONST.PREFAB"), ("预制构件工厂", "CONST.PREFAB"),
    ("数控刀具企业", "MAT.CEMENTED"), ("磷酸铁锂正极", "EN.STORAGE"), ("LFP电芯", "EN.STORAGE"),
    ("废旧电池回收利用", "EN.STORAGE"), ("IGBT应用产业园", "ELEC.PSEMI"), ("SiC器件", "ELEC.PSEMI"),
    ("碳化硅衬底", "ELEC.PSEMI"), ("氢燃料电池汽车", "EN.H2"), ("中车株洲所牵引变流器", "EQP.RAIL"),
    ("心脏介入类耗材", "BIO.DEVICE"), ("第三方物流企业", "LOG"), ("茶陵红茶品牌", "FOOD.TEA"),
    ("攸县香干产业园", "FOOD"), ("醴陵油茶产业", "FOOD.OILTEA"), ("日用陶瓷与艺术瓷", "MAT.CERAMIC"),
    ("花炮产业小镇", "LIGHT.FIREWORKS"), ("天心软件产业园", "DIG.SOFT"), ("省人工智能产业园", "DIG.AI"),
    ("精品钢产量占比提高", "MAT.STEEL"), ("支持鞍钢转型升级", "MAT.STEEL"), ("推进大飞机规模化发展", "EQP.AERO"),
    ("国产客机机身结构件", "EQP.AERO"), ("空客二线投产", "EQP.AERO"),
])
def test_everyday_terms_in_text(tagger, text, code):
    assert code in codes(tagger, text)


@pytest.mark.parametrize("text, code", [
    ("A leading maker of power semiconductors (IGBT) and SiC modules", "ELEC.PSEMI"),
    ("Electric vehicles and EVs", "AUTO.NEV"),
    ("Cold-chain logistics hub", "LOG.COLD"),
    ("remote sensing and GIS services", "DIG.GEO"),
    ("Ceramic tableware and porcelain", "MAT.CERAMIC"),
    ("Hydrogen fuel cells", "EN.H2"),
])
def test_english_terms(tagger, text, code):
    assert code in codes(tagger, text)


def test_english_word_boundaries(tagger):
    assert "DIG.GEO" not in codes(tagger, "logistics")  # no GIS inside logistics
    assert "AUTO.NEV" not in codes(tagger, "every eventual level")  # no EV inside words
    assert "ELEC.PSEMI" not in codes(tagger, "basic music")
    assert "AUTO.NEV" in codes(tagger, "EV电池包")  # ASCII next to CJK is a boundary


def test_traditional_and_fullwidth_text(tagger):
    text = "發展電動車與功率半導體,ＩＧＢＴ模組"
    hits = tagger.find(text)
    assert {"AUTO.NEV", "ELEC.PSEMI"} <= {h.code for h in hits}
    for h in hits:
        assert text[h.start:h.end] == h.term


# -------------------------------------------------------------- false friends
@pytest.mark.parametrize("text, wrong", [
    ("大力发展油茶苗木,油茶产业年总产值超15亿", "FOOD.TEA"),
    ("成功入围全省综合油料大县和茶油大县", "FOOD.TEA"),
    ("茶陵县济康医养中心", "FOOD.TEA"),
    ("对口帮扶茶陵", "FOOD.TEA"),
    ("文和友、茶颜悦色等品牌企业成为各地竞相招商对象", "FOOD.TEA"),
    ("茶马古道与茶马线", "FOOD.TEA"),
    ("醴茶铁路恢复客运运营", "FOOD.TEA"),
    ("全球首列机场捷运储能式有轨电车等一批重大创新成果问世", "EN.STORAGE"),
    ("六、提前介入环评强化源头管理", "BIO.DEVICE"),
    ("生态环境局主动介入评估环境影响", "BIO.DEVICE"),
    ("注重常态化疫情防控,开展冷链食品排查,外防输入、内防反弹", "LOG.COLD"),
    ("深入开展冷链食品市场专项整治行动", "LOG.COLD"),
    ("严格入境人员和进口冷链食品等入境物流防控管理", "LOG.COLD"),
    ("常态化疫情防控。严防进口冷链食品疫情风险", "LOG.COLD"),
    ("强化金融监管,严厉打击和处置非法集资,获得省级金融安全区授牌", "FIN"),
    ("有效巩固了“省级金融安全区”创建成果", "FIN"),
    ("大力推进生活面源污染治理,规劝市民文明燃放烟花鞭炮,开展餐饮油烟整治", "LIGHT.FIREWORKS"),
    ("重点抓好煤矿、非煤矿山、危险化学品、烟花鞭炮、道路交通等领域专项整治", "LIGHT.FIREWORKS"),
    ("抓好企业生产和烟花爆竹、道路交通等重点领域专项整治", "LIGHT.FIREWORKS"),
    ("烟花爆竹禁放禁燃", "LIGHT.FIREWORKS"),
    ("烟花爆竹、煤矿、非煤矿山、危化品等直管高危行业领域安全生产连续3年无事故", "LIGHT.FIREWORKS"),
    ("抓好中央、省环保督察问题整改", "ENV"),
    ("烟花爆竹机械化生产", "EQP"),
])
def test_false_friends_get_no_wrong_tag(tagger, text, wrong):
    assert wrong not in codes(tagger, text)
    assert wrong not in tagger.tag(text)


def test_tram_is_rail(tagger):
    assert codes(tagger, "储能式有轨电车") == {"EQP.RAIL"}


def test_capital_market_is_finance(tagger):
    hits = tagger.find("对接资本市场")
    assert [(h.code, h.term) for h in hits] == [("FIN", "资本市场")]


def test_true_industry_mentions_survive(tagger):
    assert "LIGHT.FIREWORKS" in codes(tagger, "推进花炮产品科技研发和自动化生产,促进花炮产业安全、环保、健康发展")
    assert "LIGHT.FIREWORKS" in codes(tagger, "7条烟花和1条爆竹自动化生产线建成投产")
    assert "LOG.COLD" in codes(tagger, "医药冷链物流产业园")
    assert "FOOD.TEA" in codes(tagger, "将军山白茶")
    assert "FIN" in codes(tagger, "发展科技金融、供应链金融")
    assert "BIO.DEVICE" in codes(tagger, "加强以心脏介入类、外周介入类为主的医疗器械产业")


def test_false_friend_mechanism_is_data_driven(tmp_path):
    (tmp_path / "t.csv").write_text(
        "code,name,parent,terms,exclude_contexts\nA,茶叶,,红茶|茶业,禁止\nB,地名,,,\n", encoding="utf-8")
    (tmp_path / "f.csv").write_text("string,codes\n茶业镇,B\n", encoding="utf-8")
    tax = Taxonomy.from_csv(tmp_path / "t.csv", false_friends=tmp_path / "f.csv")
    t = IndustryTagger(tax)
    assert [h.code for h in t.find("茶业镇的红茶")] == ["B", "A"]
    assert t.find("禁止红茶") == []


# ------------------------------------------------------------------ weighting
def test_weights_saturate_and_lie_in_unit_interval(tagger):
    one = tagger.tag("发展陶瓷产业")["MAT.CERAMIC"]
    many = tagger.tag("陶瓷产业、陶瓷企业、陶瓷基地、陶瓷项目")["MAT.CERAMIC"]
    assert 0 < one < many <= 1
    assert one == pytest.approx(0.5)
    for w in tagger.tag("陶瓷" * 200 + "产业").values():
        assert 0 < w <= 1


def test_context_weighting(tagger):
    industry = tagger.tag("建设陶瓷产业园")["MAT.CERAMIC"]
    neutral = tagger.tag("陶瓷")["MAT.CERAMIC"]
    governance = tagger.tag("开展陶瓷窑炉污染整治")["MAT.CERAMIC"]
    assert industry > neutral > governance > 0


def test_parent_share(tagger):
    assert set(tagger.tag("新能源汽车产业")) == {"AUTO.NEV"}
    w = IndustryTagger(Taxonomy.default(), parent_share=0.5).tag("新能源汽车产业")
    assert 0 < w["AUTO"] < w["AUTO.NEV"]


def test_tag_empty_and_bad_input(tagger):
    assert tagger.tag("") == {}
    assert tagger.find("") == []
    assert tagger.tag("今天天气很好") == {}
    with pytest.raises(InputError):
        tagger.find(None)
    with pytest.raises(InputError):
        IndustryTagger(Taxonomy.default(), parent_share=2)


# ------------------------------------------------------------------- matrices
def test_tag_many_shape_dtype_and_rows(tagger):
    texts = ["陶瓷产业集群", "", "Electric vehicles", "茶陵县"]
    m = tagger.tag_many(texts)
    tax = tagger.taxonomy
    assert sp.issparse(m) and m.format == "csr"
    assert m.shape == (4, len(tax.codes))
    assert m.dtype == np.float32
    assert m[1].nnz == 0 and m[3].nnz == 0
    assert m[0, tax.index("MAT.CERAMIC")] == pytest.approx(tagger.tag(texts[0])["MAT.CERAMIC"])
    assert m[2, tax.index("AUTO.NEV")] > 0
    assert (m.data > 0).all() and (m.data <= 1).all()
    assert tagger.tag_many(iter(texts)).shape == m.shape
    assert tagger.tag_many([]).shape == (0, len(tax.codes))


def test_sample_corpus_tags(tagger):
    from recommender.datasets import load_sample_corpus

    corpus = load_sample_corpus()
    texts = [getattr(d, "text", d) for d in (corpus if isinstance(corpus, (list, tuple)) else [])]
    if not texts or not all(isinstance(t, str) for t in texts):
        from recommender.datasets import sample_corpus_paths

        texts = [p.read_text(encoding="utf-8") for p in map(__import__("pathlib").Path, sample_corpus_paths())]
    m = tagger.tag_many(texts)
    tax = tagger.taxonomy
    total = np.asarray(m.sum(axis=0)).ravel()
    for code in ["EQP.RAIL", "MAT.CERAMIC", "MAT.CEMENTED", "CONST.PREFAB", "DIG.GEO", "ELEC.PSEMI"]:
        assert total[tax.index(code)] > 0, code
    assert total[tax.index("EN.H2")] == 0  # the sample never mentions hydrogen


def test_pickle_roundtrip(tagger):
    t2 = pickle.loads(pickle.dumps(tagger))
    text = "IGBT芯片与陶瓷产业"
    assert t2.find(text) == tagger.find(text)
    assert t2.tag(text) == tagger.tag(text)


def test_automaton_scan_matches_the_plain_loop():
    """Oracle: the Aho-Corasick scan finds exactly what the position-by-position loop finds."""
    from recommender import load_sample_corpus

    tagger = IndustryTagger(Taxonomy.default())
    texts = load_sample_corpus().passages["norm_text"].tolist()
    texts += ["A maker of Electric Vehicles and EVs", "IGBTs and IGBT芯片, xIGBT", "LFPx LFP BMS.",
              "eVTOL evtols", "退休职工基本养老金实现增长,新建养老服务设施", "发展黄金珠宝与钟表机芯"]
    for text in texts:
        fast = [(i, j, codes) for i, j, codes, _, _ in tagger._scan(text)]
        slow = [(i, j, codes) for i, j, codes, _, _ in tagger._scan_reference(text)]
        assert fast == slow, text[:60]
