"""Tests of the place gazetteer tables and queries."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from recommender.exceptions import UnknownRegionError
from recommender.knowledge.gazetteer import DATA_DIR, LEVELS, Entity, Gazetteer, GazetteerError

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.default()


def test_default_returns_an_independent_object_each_call():
    first = Gazetteer.default()
    assert first is not Gazetteer.default()
    shiqi = first.resolve_region("石峰")
    # changing one caller's gazetteer (its table, its lookups) leaves the next caller's intact
    first.entities.loc[first.entities["entity_id"] == shiqi, "name"] = "改名区"
    first.entities.iloc[0]["aliases"].append("别名")
    first._surfaces.clear()
    fresh = Gazetteer.default()
    assert fresh.resolve_region("石峰") == shiqi
    assert "改名区" not in set(fresh.entities["name"])
    assert "别名" not in fresh.entities.iloc[0]["aliases"]
    assert fresh.bundled and not Gazetteer.from_csv(DATA_DIR / "entities.csv", DATA_DIR / "ambiguous_surfaces.csv").bundled


def test_entities_frame_schema(gaz):
    df = gaz.entities
    assert list(df.columns) == ["entity_id", "name", "aliases", "level", "parent", "path", "sectors", "kind", "approval"]
    assert df["entity_id"].is_unique
    assert set(df["level"]) <= set(LEVELS)
    assert all(isinstance(v, list) for v in df["aliases"])
    assert gaz.get("430204").path == ("湖南省", "株洲市")
    assert isinstance(gaz.get("430204"), Entity)


def test_counts_of_admin_levels(gaz):
    lv = gaz.entities["level"].value_counts()
    assert lv["province"] == 34
    assert lv["district"] == 2846
    assert lv["city"] >= 330


def test_all_hunan_county_units_under_hunan(gaz):
    df = gaz.entities
    hunan = df[(df["level"] == "district") & df["entity_id"].str.startswith("43")]
    assert len(hunan) == 122
    for eid in hunan["entity_id"]:
        assert gaz.get(eid).path[0] == "湖南省"
        assert gaz.is_within(eid, "430000")
        assert gaz.level(gaz.get(eid).parent) == "city"


def test_all_catalogue_zones_present(gaz):
    zones = pd.read_csv(DATA_DIR / "devzone_place_mapping.csv", dtype=str, keep_default_na=False)
    assert len(zones) == 2543
    assert zones["entity_id"].is_unique
    assert (zones["basis"] != "").all()
    for row in zones.itertuples(index=False):
        ent = gaz.get(row.entity_id)
        assert ent.level == "park"
        assert ent.path[0] == row.province
        assert gaz.is_within(ent.entity_id, row.admin_code)
        assert ent.approval in ("国务院", "省政府")
    hunan = zones[zones["province"] == "湖南省"]
    assert len(hunan) == 129
    assert all(gaz.get(z).sectors for z in hunan["entity_id"])


def test_national_zones_placed_under_their_city_or_county(gaz):
    (suzhou,) = gaz.lookup("苏州工业园区")
    assert gaz.get(suzhou).path == ("江苏省", "苏州市")
    (zhangjiang,) = gaz.lookup("上海张江高新技术产业开发区")
    assert gaz.is_within(zhangjiang, "310115")  # 浦东新区
    assert gaz.lookup("北京经开区") == ["G111001"]
    (huangpu,) = gaz.lookup("张江高新区黄浦园")
    assert gaz.is_within(huangpu, "310101")  # placed by the district its name holds
    assert gaz.get(gaz.lookup("苏州浒墅关经开区")[0]).parent == "320500"


def test_catalogue_junk_rules(gaz):
    from recommender.knowledge.data.build_gazetteer import NON_INDUSTRY_LABELS, catalogue_sectors

    # 在建 (under construction) names no industry: the zone is kept, without sectors
    assert "在建" in NON_INDUSTRY_LABELS
    assert gaz.get("G213019").name == "营口综合保税区" and gaz.get("G213019").sectors == ()
    # stray punctuation is stripped from a label
    assert catalogue_sectors("食品.、木制品加工") == ["食品", "木制品加工"]
    assert gaz.get("S237008").sectors == ("食品", "木制品加工", "医药")
    # a code shared by two zones: both are kept, each with its own suffixed id
    assert "S377018" not in gaz
    assert {gaz.get("S377018-1").name, gaz.get("S377018-2").name} == {"山东淄川经济开发区", "山东临淄经济开发区"}
    # the 湽博 typo is placed under 淄博市 by a committed override with its basis
    (zibo,) = gaz.lookup("湽博高新技术产业开发区")
    assert gaz.get(zibo).parent == "370300"
    zones = pd.read_csv(DATA_DIR / "devzone_place_mapping.csv", dtype=str, keep_default_na=False)
    assert zones.loc[zones["short_name"] == "湽博", "basis"].iloc[0].startswith("typo")


def test_generic_zone_words_are_never_global_aliases(gaz):
    for bare in ("高新区", "经开区", "综保区", "开发区", "经济开发区", "高新技术产业开发区"):
        assert gaz.lookup(bare) == []
    # a generated form that several zones would share is dropped, not given to one of them
    forms = gaz.surface_forms()
    parks = set(gaz.entities.loc[gaz.entities["level"] == "park", "entity_id"])
    hunan_parks = {p for p in parks if gaz.is_within(p, "430000")}
    for form, ids in forms.items():
        park_ids = [i for i in ids if i in parks and i not in hunan_parks]
        if park_ids and len(ids) > 1:
            # only a zone's official name may be shared (settled by ambiguous_surfaces.csv)
            assert all(gaz.get(i).name == form for i in park_ids), form


@pytest.mark.skipif(not SHARED.exists(), reason="shared reference data not beside the repository")
def test_catalogue_matches_shared_file(gaz):
    path = SHARED / "data" / "devzones" / "hunan_devzones_2018.csv"
    with open(path, encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 129
    for r in rows:
        ent = gaz.get(r["代码"])
        assert ent.name == r["开发区名称"]
        assert ent.kind == r["开发区类型"]
        assert list(ent.sectors) == r["主导产业"].split("、")


def test_zone_aliases_and_placement(gaz):
    assert gaz.lookup("醴陵经开区") == ["S437016"]
    assert gaz.lookup("醴陵经济开发区") == ["S437016"]
    assert gaz.lookup("株洲高新区") == ["G432034"]
    assert gaz.lookup("湖南省株洲市高新技术产业开发区") == ["G432034"]
    assert gaz.lookup("株洲经开区") == ["S437019"]
    assert gaz.lookup("雨花经开区") == ["S437003"]
    assert gaz.lookup("天心经开区") == ["S437001"]
    assert gaz.lookup("攸县高新区") == ["S439079"]
    assert gaz.get("G433093").parent == "430121"  # 长沙黄花 is in 长沙县
    assert gaz.get("S437016").parent == "430281"
    assert gaz.get("G432034").sectors == ("轨道交通装备", "汽车", "生物医药")


@pytest.mark.parametrize(
    "name, parent",
    [
        ("田心高科园", "430204"), ("清水塘生态科技新城", "430204"), ("金山科技工业园", "430202"),
        ("南洲新区", "430212"), ("天心数谷", "430103"), ("湖南湘江新区", "430100"), ("东富工业园", "430281"),
        ("虎踞镇", "430224"), ("舲舫乡", "430224"), ("中国动力谷", "430200"), ("中国陶瓷谷", "430281"),
        ("金洲新区", "430182"), ("跳马镇", "430111"), ("材料科技城", "430202"), ("现代物流城", "430202"),
    ],
)
def test_curated_corpus_places(gaz, name, parent):
    ids = gaz.lookup(name)
    assert len(ids) == 1
    assert gaz.is_within(ids[0], parent)


def test_curated_aliases(gaz):
    (qst,) = gaz.lookup("清水塘生态科技新城")
    for alias in ("清水塘生态科技产业新城", "清水塘新城", "清水塘科技生态新城"):
        assert gaz.lookup(alias) == [qst]
    assert gaz.lookup("金州片区") == gaz.lookup("金洲新区")
    assert gaz.get(gaz.lookup("虎踞镇")[0]).level == "town"
    assert gaz.get(gaz.lookup("湘江新区")[0]).level == "park"


def test_short_aliases(gaz):
    assert "株洲" in gaz.names("430200")
    assert "石峰" in gaz.names("430204")
    assert "湖南" in gaz.names("430000")
    assert gaz.names("430223") == ["攸县"]  # never a one-character alias
    assert gaz.lookup("长沙") == ["430100"]  # the city, not 长沙县
    assert gaz.lookup("会同") == []  # stoplisted common word
    for form in gaz.surface_forms():
        assert len(form) >= 2


def test_old_names(gaz):
    assert gaz.resolve_region("宁乡县") == "430182"
    assert gaz.resolve_region("株洲县") == "430212"
    assert gaz.resolve_region("醴陵") == "430281"


def test_resolve_region(gaz):
    assert gaz.resolve_region("株洲市") == "430200"
    assert gaz.resolve_region("石峰") == "430204"
    assert gaz.resolve_region("430204") == "430204"
    assert gaz.resolve_region(" 湖南省 ") == "430000"
    assert gaz.resolve_region("株洲石峰区") == "430204"
    assert gaz.resolve_region("湖南省株洲市") == "430200"
    assert gaz.resolve_region("永定区") == "430802"  # shared with Fujian: Hunan first
    assert gaz.resolve_region("朝阳区") == "110105"  # shared outside Hunan: smaller code


def test_resolve_region_unknown(gaz):
    with pytest.raises(UnknownRegionError) as err:
        gaz.resolve_region("株州市")
    assert "株洲市" in err.value.matches
    assert isinstance(err.value, ValueError)
    with pytest.raises(UnknownRegionError):
        gaz.resolve_region("")


def test_hierarchy(gaz):
    park = gaz.lookup("田心高科园")[0]
    assert gaz.ancestors(park) == ["430204", "430200", "430000"]
    assert gaz.is_within(park, "430204")
    assert gaz.is_within("430204", "430204")
    assert not gaz.is_within("430204", "430100")
    assert not gaz.is_within("430000", "430204")
    assert "430204" in gaz.children("430200")
    assert park in gaz.children("430204")
    # municipalities: districts directly under the province code
    assert gaz.get("110105").parent == "110000"


def test_unknown_entity(gaz):
    with pytest.raises(KeyError):
        gaz.get("999999")
    with pytest.raises(ValueError):
        gaz.ancestors("nope")


def test_surface_forms(gaz):
    forms = gaz.surface_forms()
    assert forms["石峰区"] == ["430204"]
    assert forms["永定区"][0] == "430802"
    assert set(forms["永定区"]) == {"430802", "350803"}


def _table(rows):
    return pd.DataFrame(rows, columns=["entity_id", "name", "aliases", "level", "parent"])


def test_validation_duplicate_id():
    with pytest.raises(GazetteerError, match="duplicate"):
        Gazetteer(_table([["1", "甲省", "", "province", ""], ["1", "乙省", "", "province", ""]]))


def test_validation_unknown_parent():
    with pytest.raises(GazetteerError, match="unknown parent"):
        Gazetteer(_table([["1", "甲省", "", "province", ""], ["2", "乙市", "", "city", "9"]]))


def test_validation_unknown_level():
    with pytest.raises(GazetteerError, match="level"):
        Gazetteer(_table([["1", "甲省", "", "country", ""]]))


def test_validation_ambiguous_alias_needs_rule():
    rows = [["1", "甲省", "", "province", ""], ["2", "乙市", "甲乙", "city", "1"], ["3", "丙市", "甲乙", "city", "1"]]
    with pytest.raises(GazetteerError, match="甲乙"):
        Gazetteer(_table(rows))
    rule = pd.DataFrame({"surface": ["甲乙"], "preferred": ["3"]})
    gaz = Gazetteer(_table(rows), rule)
    assert gaz.resolve_region("甲乙") == "3"
    assert gaz.lookup("甲乙") == ["3", "2"]
    bad = pd.DataFrame({"surface": ["甲乙"], "preferred": ["1"]})
    with pytest.raises(GazetteerError, match="preferred"):
        Gazetteer(_table(rows), bad)


def test_from_csv_roundtrip(tmp_path):
    p = tmp_path / "e.csv"
    _table([["1", "甲省", "甲", "province", ""], ["2", "乙市", "乙城|乙都", "city", "1"]]).to_csv(p, index=False)
    gaz = Gazetteer.from_csv(p)
    assert gaz.names("2") == ["乙市", "乙城", "乙都"]
    assert gaz.get("2").path == ("甲省",)
    p.write_text("entity_id,name,aliases,level,parent\n1,甲省,,province,\n1,乙省,,province,\n", encoding="utf-8")
    with pytest.raises(GazetteerError):
        Gazetteer.from_csv(p)


@pytest.mark.skipif(not SHARED.exists(), reason="shared reference data not beside the repository")
def test_build_script_reproduces_tables(tmp_path):
    import shutil

    from recommender.knowledge.data.build_gazetteer import build

    for name in ("curated_places.csv", "curated_aliases.csv", "alias_stoplist.csv", "devzone_overrides.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    build(SHARED, tmp_path)
    for name in ("entities.csv", "devzone_place_mapping.csv", "ambiguous_surfaces.csv", "china_devzones_2018.csv"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (DATA_DIR / name).read_text(encoding="utf-8"), name


def test_inspect_entities_lists_every_catalogue_zone_under_its_province():
    from recommender.inspect import entities_records, sectors_records

    records = {r["entity_id"]: r for r in entities_records()}
    zones = pd.read_csv(DATA_DIR / "devzone_place_mapping.csv", dtype=str, keep_default_na=False)
    for row in zones.itertuples(index=False):
        rec = records[row.entity_id]
        assert rec["level"] == "park" and rec["path"][0] == row.province
    sectors = sectors_records()
    assert all(r["code"] and r["name_en"] for r in sectors)
    assert {"EQP.MACHTOOL", "GB.40"} <= {r["code"] for r in sectors}
