"""Tests of the industry taxonomy and the sector resolver."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from recommender.exceptions import TableSchemaError
from recommender.knowledge.taxonomy import SectorResolution, Taxonomy, data_path

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
        assert rec["level"] in (1, 2)
        assert rec["name_en"], rec["code"]
        assert (rec["level"] == 1) == (rec["parent"] == "")


def test_size_and_shape(tax):
    assert 60 <= len(tax.codes) <= 150
    top = [c for c in tax.codes if tax.parent(c) == ""]
    assert 12 <= len(top) <= 20
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


def test_default_is_cached_and_picklable(tax):
    import pickle

    assert Taxonomy.default() is tax
    t2 = pickle.loads(pickle.dumps(tax))
    assert t2.codes == tax.codes and t2.resolve("电动车") == ["AUTO.NEV"]
