"""Tests of the industry taxonomy and the sector resolver."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from recommender.exceptions import TableSchemaError
from recommender.knowledge.taxonomy import SectorMatch, SectorResolution, Taxonomy, data_path

SHARED = Path(__file__).resolve().parents[2] / "shared"
if not SHARED.exists():
    SHARED = Path(__file__).resolve().parents[3] / "shared"


@pytest.fixture(scope="module")
def tax():
    return Taxonomy.default()


# ----------------------------------------------------------------- table shape
def test_table_columns_and_types(tax):
    cols = ["code", "name", "aliases", "terms", "name_en", "synonyms_en", "parent", "gbt4754", "level"]
    assert all(c in tax.tags.columns for c in cols)
    for rec in tax.tags.to_dict("records"):
        assert isinstance(rec["aliases"], list) and isinstance(rec["terms"], list)
        assert isinstance(rec["synonyms_en"], list)
        assert rec["level"] in (1, 2, 3)
        assert rec["name_en"], rec["code"]
        assert (rec["level"] == 1) == (rec["parent"] == "")


def test_size_and_shape(tax):
    assert 150 <= len(tax.codes) <= 400
    top = [c for c in tax.codes if tax.parent(c) == ""]
    assert 12 <= len(top) <= 40
    assert len(set(tax.codes)) == len(tax.codes)
    assert tax.codes == list(tax.tags["code"])
    for i, c in enumerate(tax.codes):
        assert tax.index(c) == i


def test_hierarchy_navigation(tax):
    assert tax.parent("AUTO.NEV") == "AUTO"
    assert "AUTO.NEV" in tax.children("AUTO")
    assert tax.ancestors("AUTO.NEV") == ["AUTO"]
    assert tax.ancestors("AUTO") == []
    for c in tax.codes:
        for ch in tax.children(c):
            assert tax.parent(ch) == c


def test_required_tags_exist(tax):
    names = set(tax.tags["name"])
    for n in ["轨道交通装备", "航空航天", "通用航空", "汽车零部件", "新能源汽车", "智能网联汽车", "工程机械",
              "功率半导体", "集成电路", "电子信息", "硬质合金", "新材料", "有色金属", "陶瓷", "玻璃", "烟花爆竹",
              "服饰", "茶叶", "油茶", "生物医药", "医疗器械", "现代物流", "冷链物流", "电子商务", "地理信息",
              "软件和信息服务", "人工智能", "大数据", "装配式建筑", "储能与电池材料", "光伏", "风电",
              "氢能与燃料电池", "节能环保", "文化创意", "旅游", "康养", "现代农业", "金融服务", "人力资源服务",
              "商贸", "会展", "家电", "化工", "建材", "电力装备"]:
        assert n in names, n


def test_gbt_codes_look_valid(tax):
    for g in tax.tags["gbt4754"]:
        assert g == "" or g.isdigit() or (len(g) == 1 and g.isalpha())


@pytest.mark.skipif(not (SHARED / "data").exists(), reason="shared reference data absent")
def test_gbt_codes_exist_in_standard(tax):
    with open(SHARED / "data" / "industry_classification" / "gbt4754_2017.csv", encoding="utf-8") as fh:
        official = {r["code"].strip(): r["name"].strip() for r in csv.DictReader(fh)}
    for c in tax.codes:
        g = tax.row(c)["gbt4754"]
        if g:
            assert g in official, (c, g)
    assert official[tax.row("MAT.CERAMIC")["gbt4754"]] == "陶瓷制品制造"
    assert official[tax.row("LIGHT.FIREWORKS")["gbt4754"]] == "焰火、鞭炮产品制造"


# ------------------------------------------------------------------- resolving
@pytest.mark.parametrize("sector, code", [
    ("EQP.RAIL", "EQP.RAIL"), ("eqp.rail", "EQP.RAIL"),
    ("轨道交通装备", "EQP.RAIL"), ("轨道交通", "EQP.RAIL"), ("牵引", "EQP.RAIL"), ("机车", "EQP.RAIL"),
    ("中车", "EQP.RAIL"), ("动车组", "EQP.RAIL"), ("变流器", "EQP.RAIL"),
    ("陶瓷", "MAT.CERAMIC"), ("日用陶瓷", "MAT.CERAMIC"), ("艺术瓷", "MAT.CERAMIC"), ("电瓷", "EQP.POWER"),
    ("炻瓷", "MAT.CERAMIC"), ("花炮", "LIGHT.FIREWORKS"), ("豆制品", "FOOD"), ("香干", "FOOD"),
    ("红茶", "FOOD.TEA"), ("茶饮", "FOOD.TEA"), ("油茶", "FOOD.OILTEA"), ("茶油", "FOOD.OILTEA"),
    ("介入", "BIO.DEVICE"), ("支架", "BIO.DEVICE"), ("导管", "BIO.DEVICE"), ("耗材", "BIO.DEVICE"),
    ("第三方物流", "LOG"), ("仓储", "LOG"), ("保税物流", "LOG.BONDED"), ("北斗", "DIG.GEO"), ("卫星", "DIG.GEO"),
    ("时空数据", "DIG.GEO"), ("机器视觉", "EQP.ROBOT"), ("液压", "EQP.CONST"), ("挖掘机", "EQP.CONST"),
    ("锂电", "EN.STORAGE"), ("光伏", "EN.PV"), ("风电", "EN.WIND"), ("氢能", "EN.H2"), ("燃料电池", "EN.H2"),
    ("三电", "AUTO.NEV"), ("电驱", "AUTO.NEV"), ("电池包", "AUTO.NEV"), ("芯片封装", "ELEC.IC"),
    ("硬质材料", "MAT.CEMENTED"), ("广告", "CULT.CREATIVE"), ("数据中心", "DIG.DATA"),
])
def test_resolve_chinese(tax, sector, code):
    assert code in tax.resolve(sector)


@pytest.mark.parametrize("sector, code", [
    ("电动车", "AUTO.NEV"), ("电动汽车", "AUTO.NEV"), ("遥感", "DIG.GEO"), ("GIS", "DIG.GEO"),
    ("PC构件", "CONST.PREFAB"), ("预制构件", "CONST.PREFAB"), ("刀具", "MAT.CEMENTED"),
    ("磷酸铁锂", "EN.STORAGE"), ("LFP", "EN.STORAGE"), ("电池回收", "EN.STORAGE"),
    ("IGBT", "ELEC.PSEMI"), ("SiC", "ELEC.PSEMI"), ("碳化硅", "ELEC.PSEMI"),
])
def test_everyday_words(tax, sector, code):
    assert tax.resolve(sector) == [code]


@pytest.mark.parametrize("sector, code", [
    ("power semiconductor", "ELEC.PSEMI"), ("IGBT", "ELEC.PSEMI"), ("ceramics", "MAT.CERAMIC"),
    ("ceramic tableware", "MAT.CERAMIC"), ("porcelain", "MAT.CERAMIC"), ("electric vehicle", "AUTO.NEV"),
    ("EV", "AUTO.NEV"), ("rail transit equipment", "EQP.RAIL"), ("logistics", "LOG"),
    ("cold chain", "LOG.COLD"), ("Cold-Chain", "LOG.COLD"), ("medical devices", "BIO.DEVICE"),
    ("GIS", "DIG.GEO"), ("remote sensing", "DIG.GEO"), ("robotics", "EQP.ROBOT"),
    ("machine vision", "EQP.ROBOT"), ("tea", "FOOD.TEA"), ("hydrogen", "EN.H2"), ("fuel cell", "EN.H2"),
    ("Fuel Cells", "EN.H2"), ("Power Semiconductors", "ELEC.PSEMI"), ("  Logistics ", "LOG"),
    ("camellia oil", "FOOD.OILTEA"), ("e-commerce", "TRADE.ECOM"), ("prefabricated construction", "CONST.PREFAB"),
    ("cemented carbide", "MAT.CEMENTED"), ("energy storage", "EN.STORAGE"), ("fireworks", "LIGHT.FIREWORKS"),
])
def test_resolve_english(tax, sector, code):
    assert tax.resolve(sector) == [code]


@pytest.mark.parametrize("sector, code", [
    ("功率半導體", "ELEC.PSEMI"), ("陶瓷", "MAT.CERAMIC"), ("電動車", "AUTO.NEV"),
    ("醫療器械", "BIO.DEVICE"), ("軌道交通裝備", "EQP.RAIL"), ("ＩＧＢＴ", "ELEC.PSEMI"),
])
def test_resolve_traditional_and_fullwidth(tax, sector, code):
    assert tax.resolve(sector) == [code]


def test_resolve_suffixes_and_unknown(tax):
    assert tax.resolve("陶瓷产业") == ["MAT.CERAMIC"]
    assert tax.resolve("物流行业") == ["LOG"]
    assert tax.resolve("") == []
    assert tax.resolve("   ") == []
    assert tax.resolve("量子引力") == []
    assert tax.resolve(None) == []
    assert tax.resolve("quantum gravity") == []


def test_resolve_many(tax):
    r = tax.resolve_many(["陶瓷", "ceramics", "電動車", "量子引力", "硬质合全", "陶瓷"])
    assert isinstance(r, SectorResolution)
    assert r.codes == ["MAT.CERAMIC", "AUTO.NEV"]
    assert r.unresolved == ["量子引力", "硬质合全"]
    assert "硬质合金" in r.suggestions["硬质合全"]
    assert set(r.suggestions) == set(r.unresolved)
    with pytest.raises(Exception):
        r.codes = []  # frozen


def test_resolve_many_single_string_and_english_suggestion(tax):
    assert tax.resolve_many("IGBT").codes == ["ELEC.PSEMI"]
    r = tax.resolve_many(["logistix"])
    assert r.unresolved == ["logistix"] and "logistics" in r.suggestions["logistix"]


def test_every_name_alias_term_resolves_to_its_tag(tax):
    for rec in tax.tags.to_dict("records"):
        for s in [rec["name"], *rec["aliases"], *rec["terms"], rec["name_en"], *rec["synonyms_en"]]:
            assert rec["code"] in tax.resolve(s), (rec["code"], s)


def test_vocabulary_and_english_index(tax):
    v = tax.vocabulary()
    assert len(v) == len(set(v))
    for w in ["轨道交通装备", "电动车", "预制构件", "磷酸铁锂", "茶陵", "金融安全区"]:
        assert w in v
    assert "茶陵" not in tax.vocabulary(include_false_friends=False)
    idx = tax.english_index()
    assert idx["remote sensing"] == ["DIG.GEO"]
    assert all(k == k.lower() for k in idx)
    assert idx["hydrogen"] == ["EN.H2"]


# ------------------------------------------------------------------- catalogue
def test_catalogue_labels_table_codes_known(tax):
    with open(data_path("catalogue_labels.csv"), encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 100
    for r in rows:
        codes = [c for c in r["codes"].split("|") if c]
        assert codes, r["label"]
        assert all(c in tax.codes for c in codes)
        assert tax.catalogue_codes(r["label"]) == codes


# Labels of the Hunan catalogue intentionally left without a tag (none: every label maps).
INTENTIONALLY_UNMAPPED: set[str] = set()


@pytest.mark.skipif(not (SHARED / "data").exists(), reason="shared reference data absent")
def test_every_hunan_catalogue_row_resolves(tax):
    df = pd.read_csv(SHARED / "data" / "devzones" / "hunan_devzones_2018.csv", dtype=str)
    assert len(df) == 129
    for _, row in df.iterrows():
        labels = [s.strip() for s in str(row["主导产业"]).split("、") if s.strip()]
        assert labels, row["开发区名称"]
        assert "在建" not in labels
        for lab in labels:
            if lab in INTENTIONALLY_UNMAPPED:
                continue
            assert tax.catalogue_codes(lab), (row["开发区名称"], lab)
        assert tax.catalogue_codes(row["主导产业"])


def test_catalogue_specific_labels(tax):
    assert tax.catalogue_codes("轨道交通装备") == ["EQP.RAIL"]
    assert tax.catalogue_codes("新能源汽车及零部件") == ["AUTO.NEV", "AUTO.PARTS"]
    assert tax.catalogue_codes("陶瓷") == ["MAT.CERAMIC"]
    assert tax.catalogue_codes("食品.") == ["FOOD"]
    assert tax.catalogue_codes("") == []


# ------------------------------------------------------------------ validation
HEADER = "code,name,name_en,parent,gbt4754,aliases,terms,query_terms,synonyms_en,exclude_contexts,shared\n"


def _write(tmp_path, text, name="t.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_from_csv_minimal(tmp_path):
    p = _write(tmp_path, HEADER + "A,农业,Agriculture,,01,,,,,,\nA.TEA,茶叶,Tea,A,0164,茶业,红茶,,tea,,\n")
    t = Taxonomy.from_csv(p)
    assert t.codes == ["A", "A.TEA"]
    assert t.resolve("红茶") == ["A.TEA"] and t.resolve("Tea") == ["A.TEA"]
    assert list(t.tags["level"]) == [1, 2]


@pytest.mark.parametrize("body, message", [
    ("A,农业,,,,,,,,,\nA,林业,,,,,,,,,\n", "duplicate code"),
    ("A,农业,,,,,,,,,\nB,林业,,X,,,,,,,\n", "unknown parent"),
    ("A,农业,,B,,,,,,,\nB,林业,,A,,,,,,,\n", "cycle"),
    ("A,农业,,,,茶,,,,,\nB,林业,,,,茶,,,,,\n", "several tags"),
    ("A,农业,,,,,,,tea,,\nB,林业,,,,,,,Tea,,\n", "several tags"),
    ("A b,农业,,,,,,,,,\n", "ASCII slug"),
    (",农业,,,,,,,,,\n", "ASCII slug"),
    ("A,,,,,,,,,,\n", "empty name"),
    ("A,农业,,,,,,,,,\nB,农业,,,,,,,,,\n", "already used"),
    ("A,农业,,,12345,,,,,,\n", "GB/T 4754"),
])
def test_validation_errors(tmp_path, body, message):
    p = _write(tmp_path, HEADER + body)
    with pytest.raises(TableSchemaError, match=message):
        Taxonomy.from_csv(p)


def test_shared_rule_allows_a_common_string(tmp_path):
    p = _write(tmp_path, HEADER + "A,农业,,,,茶,,,,,茶\nB,林业,,,,茶,,,,,茶\n")
    assert Taxonomy.from_csv(p).resolve("茶") == ["A", "B"]
    p = _write(tmp_path, HEADER + "A,农业,,,,茶,,,,,茶\nB,林业,,,,茶,,,,,\n")
    with pytest.raises(TableSchemaError):
        Taxonomy.from_csv(p)


def test_missing_column_and_missing_file(tmp_path):
    with pytest.raises(TableSchemaError, match="lacks column"):
        Taxonomy.from_csv(_write(tmp_path, "code,title\nA,农业\n"))
    with pytest.raises(TableSchemaError, match="cannot read"):
        Taxonomy.from_csv(tmp_path / "nope.csv")
    with pytest.raises(TableSchemaError):
        Taxonomy("not a frame")


def test_companion_tables_validated(tmp_path):
    p = _write(tmp_path, HEADER + "A,农业,,,,茶叶,,,,,\n")
    ff = _write(tmp_path, "string,codes,note\n茶陵,X,county\n", "ff.csv")
    with pytest.raises(TableSchemaError, match="unknown code"):
        Taxonomy.from_csv(p, false_friends=ff)
    ff = _write(tmp_path, "string,codes,note\n茶叶,,wrong\n", "ff.csv")
    with pytest.raises(TableSchemaError, match="false-friend"):
        Taxonomy.from_csv(p, false_friends=ff)
    cat = _write(tmp_path, "label,codes\n茶,Z\n", "cat.csv")
    with pytest.raises(TableSchemaError, match="catalogue"):
        Taxonomy.from_csv(p, catalogue=cat)
    ok = _write(tmp_path, "string,codes,note\n茶陵,,county\n", "ff.csv")
    assert Taxonomy.from_csv(p, false_friends=ok).false_friends == {"茶陵": ()}


def test_bundled_false_friends_are_known(tax):
    assert tax.false_friends["茶陵"] == ()
    assert tax.false_friends["储能式有轨电车"] == ("EQP.RAIL",)
    for s in ["油茶", "茶油", "茶陵", "茶颜悦色", "储能式有轨电车", "介入环评", "金融安全区"]:
        assert s in tax.false_friends


def test_default_returns_an_independent_object_each_call():
    first = Taxonomy.default()
    assert first is not Taxonomy.default()
    # changing one caller's taxonomy (its table, codes, lookups) leaves the next caller's intact
    first.tags.loc[first.tags["code"] == "AUTO.NEV", "name"] = "改名"
    first.tags.iloc[0]["aliases"].append("别名")
    first.codes.append("X.NEW")
    first.false_friends["电动车"] = ()
    first._lookup.clear()
    fresh = Taxonomy.default()
    assert fresh.resolve("电动车") == ["AUTO.NEV"] and fresh.name("AUTO.NEV") != "改名"
    assert "X.NEW" not in fresh.codes and "电动车" not in fresh.false_friends
    assert "别名" not in fresh.tags.iloc[0]["aliases"]
    assert fresh.bundled and not Taxonomy(fresh.tags).bundled


def test_default_is_picklable(tax):
    import pickle

    t2 = pickle.loads(pickle.dumps(tax))
    assert t2.codes == tax.codes and t2.resolve("电动车") == ["AUTO.NEV"]


# ------------------------------------------------------- national taxonomy (GB/T 4754)
CURATED_IDS = [
    "EQP", "EQP.RAIL", "EQP.AERO", "EQP.GA", "EQP.CONST", "EQP.GENERAL", "EQP.SPECIAL", "EQP.ROBOT",
    "EQP.POWER", "EQP.METAL", "AUTO", "AUTO.PARTS", "AUTO.NEV", "AUTO.ICV", "ELEC", "ELEC.IC", "ELEC.PSEMI",
    "ELEC.COMP", "ELEC.APPL", "MAT", "MAT.NEW", "MAT.CEMENTED", "MAT.NONFERR", "MAT.STEEL", "MAT.CERAMIC",
    "MAT.GLASS", "MAT.BUILD", "MAT.CHEM", "MAT.POLY", "EN", "EN.PV", "EN.WIND", "EN.H2", "EN.STORAGE",
    "EN.POWER", "ENV", "ENV.RECYCLE", "BIO", "BIO.PHARMA", "BIO.TCM", "BIO.DEVICE", "BIO.CARE", "FOOD",
    "FOOD.AGRI", "FOOD.BEV", "FOOD.TEA", "FOOD.OILTEA", "AGRI", "AGRI.LIVESTOCK", "AGRI.HORT", "TEXT",
    "TEXT.TEXTILE", "TEXT.APPAREL", "TEXT.LEATHER", "LIGHT", "LIGHT.FURN", "LIGHT.WOOD", "LIGHT.PAPER",
    "LIGHT.FIREWORKS", "DIG", "DIG.SOFT", "DIG.AI", "DIG.DATA", "DIG.GEO", "LOG", "LOG.COLD", "LOG.BONDED",
    "TRADE", "TRADE.ECOM", "TRADE.INTL", "TRADE.EXPO", "FIN", "SVC", "SVC.HR", "SVC.TEST", "SVC.RD", "CULT",
    "CULT.CREATIVE", "CULT.TOUR", "CONST", "CONST.PREFAB", "MIN",
]


def test_curated_ids_kept_in_place(tax):
    # fitted scores depend on the 82 hand-made tags: extended, never renumbered
    assert tax.codes[: len(CURATED_IDS)] == CURATED_IDS


def test_every_tag_has_english_name_and_known_gbt(tax):
    gbt = pd.read_csv(data_path("gbt4754_index.csv"), dtype=str, keep_default_na=False)
    codes = set(gbt["code"])
    for rec in tax.tags.to_dict("records"):
        assert rec["name_en"], rec["code"]
        if rec["gbt4754"]:
            assert rec["gbt4754"] in codes, rec["code"]
    assert set(gbt["tag"]) <= set(tax.codes)
    assert (gbt["level"].value_counts().sort_index().tolist()) == [20, 97, 473, 1381]


def test_gbt_codes_and_names_resolve(tax):
    assert tax.resolve("3612") == ["AUTO.NEV"]          # 新能源车整车制造: a curated tag stands for it
    assert tax.resolve("3611") == ["AUTO"]              # nearest tagged node on its code path
    assert tax.resolve("C36") == ["AUTO"]
    assert tax.resolve("钟表与计时仪器制造") == ["LIGHT.CLOCK"]
    assert tax.resolve("仪器仪表") == tax.resolve("仪器仪表制造业") == ["GB.40"]
    assert tax.match("4030")[0].route == "code"
    assert tax.match("稻谷种植")[0].route == "name"


def test_gbt_terms_are_specific():
    from recommender.knowledge.data.build_taxonomy import GENERIC_TERMS, usable_term

    tax = Taxonomy.default()
    for code in tax.codes:
        if not code.startswith("GB."):
            continue
        for term in tax.row(code)["terms"]:
            assert usable_term(term), (code, term)
            assert term not in GENERIC_TERMS
    for generic in ("服务", "制造", "其他", "生产", "管理", "其他谷物种植", "进行脱水"):
        assert not usable_term(generic)


def test_emerging_industries_resolve(tax):
    for sector, code in [("工业母机", "EQP.MACHTOOL"), ("黄金珠宝", "LIGHT.JEWELRY"), ("生物制造", "BIO.BIOMFG"),
                         ("核电", "EN.NUCLEAR"), ("商业航天", "EQP.SPACE"), ("具身智能", "EQP.HUMANOID"),
                         ("人形机器人", "EQP.HUMANOID"), ("脑机接口", "BIO.BCI"), ("量子科技", "DIG.QUANTUM"),
                         ("新型储能", "EN.STORAGE"), ("钟表", "LIGHT.CLOCK"), ("铝型材", "MAT.AL")]:
        assert tax.resolve(sector) == [code], sector
    # a child of a curated tag: a passage on it still answers the parent
    assert "EQP.GENERAL" in tax.ancestors("EQP.MACHTOOL")
    assert tax.parent("MAT.AL") == "MAT.NONFERR"


def test_false_friends_of_emerging_tags():
    from recommender.knowledge.tagging import IndustryTagger

    tagger = IndustryTagger(Taxonomy.default())
    assert {h.code for h in tagger.find("黄金周旅游接待游客")} == {"CULT.TOUR"}
    assert [h.code for h in tagger.find("发展黄金珠宝加工")] == ["LIGHT.JEWELRY"]
    assert tagger.find("严格考核电力保供") == []
    assert [h.code for h in tagger.find("丝绸之路经济带")] == []


def test_sector_routes(tax):
    def routes(s):
        return [(m.input, m.codes, m.route) for m in tax.match(s)]

    assert routes("ceramics") == [("ceramics", ("MAT.CERAMIC",), "english")]
    assert routes("mat.ceramic") == [("mat.ceramic", ("MAT.CERAMIC",), "code")]
    assert routes("遥感") == [("遥感", ("DIG.GEO",), "alias")]
    assert routes("新能源汽车及零部件")[0][1] == ("AUTO.NEV", "AUTO.PARTS")
    assert routes("陶瓷玻璃") == [("陶瓷", ("MAT.CERAMIC",), "compound"), ("玻璃", ("MAT.GLASS",), "compound")]
    assert routes("陶瓷及配套") == [("陶瓷", ("MAT.CERAMIC",), "compound")]
    assert routes("陶磁") == [("陶磁", ("MAT.CERAMIC",), "fuzzy")]
    assert routes("火星殖民") == [("火星殖民", (), "literal")]
    m = tax.match("钢铁、有色金属")
    assert all(x.source == "钢铁、有色金属" for x in m) and all(x.exact for x in m)


@pytest.mark.parametrize("compound", ["新能源汽车及零部件", "钢铁、有色金属", "生物医药和医疗器械", "电子信息及软件"])
def test_four_compounds_resolve_to_two_sectors(tax, compound):
    r = tax.resolve_many([compound])
    assert len(r.codes) >= 2, r.items
    assert not r.unresolved


def test_resolve_many_never_raises_and_keeps_fields(tax):
    r = tax.resolve_many(["陶瓷", "火星殖民", "", "陶磁"])
    assert r.codes == ["MAT.CERAMIC"]
    assert r.unresolved == ["火星殖民", "", "陶磁"]
    assert r.fuzzy_codes == ["MAT.CERAMIC"]
    assert r.literals == ["火星殖民", "陶磁"]
    assert [m.route for m in r.items] == ["name", "literal", "literal", "fuzzy"]
    assert all(isinstance(m, SectorMatch) for m in r.items)


def test_catalogue_labels_resolve_as_profile_sectors(tax):
    """>= 98% of the national catalogue's labels resolve exactly as a profile sector."""
    with open(data_path("catalogue_labels.csv"), encoding="utf-8") as fh:
        labels = [r["label"] for r in csv.DictReader(fh)]
    assert len(labels) == 1073
    resolved = [lab for lab in labels if tax.resolve_many([lab]).codes]
    assert len(resolved) / len(labels) >= 0.98


@pytest.mark.skipif(not (SHARED / "data").exists(), reason="shared reference data absent")
def test_gbt_small_classes_resolve_as_profile_sectors(tax):
    """>= 95% of the GB/T 4754 small-class names resolve exactly."""
    df = pd.read_csv(SHARED / "data" / "industry_classification" / "gbt4754_2017.csv", dtype=str)
    names = df.loc[df["level"] == "4", "name"].str.strip().tolist()
    assert len(names) == 1381
    resolved = [n for n in names if tax.resolve_many([n]).codes]
    assert len(resolved) / len(names) >= 0.95


@pytest.mark.skipif(not (SHARED / "data").exists(), reason="shared reference data absent")
def test_build_script_reproduces_tables(tmp_path):
    import shutil

    from recommender.knowledge.data.build_taxonomy import build

    for name in ("curated_tags.csv", "emerging_industries.csv", "gbt4754_en.csv", "catalogue_overrides.csv",
                 "false_friends.csv"):
        shutil.copy(data_path(name), tmp_path / name)
    tables = build(SHARED, tmp_path)
    assert set(tables) == {"taxonomy.csv", "gbt4754_index.csv", "catalogue_labels.csv"}
    for name, text in tables.items():
        assert text == data_path(name).read_text(encoding="utf-8"), name


@pytest.mark.skipif(not (SHARED / "data" / "city_reports").exists(), reason="shared reports absent")
def test_mining_script_reproduces_its_committed_output(tmp_path):
    from recommender.knowledge.data.mine_industry_phrases import main

    out = tmp_path / "mined.csv"
    assert main(["--shared", str(SHARED), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == data_path("mined_industry_phrases.csv").read_text(encoding="utf-8")
    mined = {r["phrase"]: r for r in csv.DictReader(open(out, encoding="utf-8"))}
    # the reviewed emerging industries were found in the reports
    for phrase in ("生物制造", "具身智能", "量子科技", "脑机接口", "商业航天"):
        assert phrase in mined and mined[phrase]["known"] == "yes", phrase
