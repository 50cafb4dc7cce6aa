"""Build the industry taxonomy tables from GB/T 4754-2017, the reviewed tag tables and the
development-zone catalogue.

Run from the repository root, with the shared reference data beside the clone::

    python -m recommender.knowledge.data.build_taxonomy [--shared ../shared] [--check]

Inputs
------
Committed beside this script (reviewed by hand):

``curated_tags.csv``
    the hand-made tags (ids kept stable: fitted scores depend on them), with their
    GB/T 4754 code where one exists.
``emerging_industries.csv``
    industries the current reports name that the curated tags lacked (商业航天, 人形机器人
    与具身智能, 脑机接口 …), reviewed from the output of ``mine_industry_phrases.py``
    (``mined_industry_phrases.csv``); the ``mined`` column quotes the mined phrases
    with the number of reports naming them, ``basis`` the reason and GB/T class.
``gbt4754_en.csv``
    English names of the GB/T 4754 sections and divisions.
``catalogue_overrides.csv``
    catalogue labels whose tags the rules below would get wrong, with a note.

From the shared data: ``data/industry_classification/gbt4754_2017.csv`` (all four
levels with the official remarks) and ``data/devzones/china_devzones_2018.csv``.

Outputs
-------
``taxonomy.csv``
    the curated tags, then the emerging ones, then one tag per GB/T section and
    division that no curated or emerging tag stands for (code ``GB.<GB/T code>``,
    parent: the tag of its section). A tag "stands for" a GB/T node when its
    ``gbt4754`` column names the node, or when the node's official name is one of the
    tag's strings (林业 is an alias of 园艺林业), in Chinese or English.
``gbt4754_index.csv``
    every GB/T node (``code, level, name, tag``): the tag of the nearest node on its
    code path that a tag stands for (3612 新能源车整车制造 → 新能源汽车; 3611 → 汽车).
    The resolver accepts the official codes and names through it.
``catalogue_labels.csv``
    every 主导产业 label of the national catalogue (cleaned as the gazetteer cleans
    it) with its tag codes and the ``method``: ``override``, ``resolve`` (the label
    is a tag string or GB/T name), ``compound`` (each part of A及B / A、B / A和B …
    resolves), ``tagged`` (the tagger finds tag terms inside it: approximate), or
    ``unmapped``.

Matching terms taken from GB/T 4754
-----------------------------------
Only tags created here from GB/T receive running-text terms from it (the curated and
emerging tags keep their reviewed terms; GB/T names reach them through the index, for
resolving only). A GB/T string becomes a term of a ``GB.`` tag when it is a class or
group name, or an item of a remark list (包括稻谷、小麦、玉米 …), that

* has at least 3 characters,
* holds none of :data:`GENERIC_PARTS` (其他, 未列明, 辅助, 相关 …) and is not one of
  :data:`GENERIC_TERMS` (服务, 制造, 生产活动 …),
* is a name, not a clause (no leading verb or function word such as 进行, 由, 通过, and
  no 的/之/者/所 inside; a remark item also holds no 或/对/在/和/具有 …: 陆地或海洋 and
  具有历史 are fragments of sentences),
* is not a remark item that several divisions name (天然气 is a raw material of chemical
  fibres as well as a product of extraction; GB/T names of classes are always kept),
* is not government vocabulary: found in fewer than a tenth of the 1,224 city and 31
  provincial reports (:data:`COMMON_SHARE`; 基础设施建设, 学前教育 and 全民健身 are in more), and
* is no string of another tag (the first tag to claim a string keeps it).

With ``--check`` nothing is written and the exit status says whether the committed
tables are current.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TAG_COLUMNS = ["code", "name", "name_en", "parent", "gbt4754", "aliases", "terms", "query_terms",
               "synonyms_en", "exclude_contexts", "shared", "false_friends"]
GENERIC_PARTS = ("其他", "未列明", "辅助", "相关", "有关", "以外", "除外", "不包括", "专业及", "类似", "本门类",
                 "本类", "大类", "中类", "小类", "本组")
GENERIC_TERMS = frozenset(
    "服务 制造 生产 加工 活动 管理 其他 产品 设备 制品 工业 行业 产业 批发 零售 修理 维修 工程 建筑 "
    "生产活动 服务活动 管理活动 制造活动 加工活动 经营活动 专业活动 技术服务 咨询服务 信息服务 "
    "设备制造 产品制造 制品制造 零部件 配件 原料 材料 用品 器材 工具 机械 装置 系统 组织 机构 "
    "中介服务 代理服务 租赁服务 运输服务 社会服务 公共服务 商务服务 居民服务".split())
_REMARK_SPLIT = re.compile(r"[，,；;。：:（）()“”\s]|以及|及其|包括|还包括|如|等")
_REMARK_LEAD = re.compile(r"^(?:指|对|从事|专门|各种|各类|用于|利用|以|为|将|在|和|与|或|及|的)+")
# Remark items that start with a verb or function word are clauses, not names of things.
_CLAUSE_START = re.compile(
    r"^(?:进行|由|经|通过|开展|提供|接受|除|把|也|但|均|其中|主要|同一|后面|自然界|不论|该|按照|依法|向|从|"
    r"含|即|并|或|其|本|此|各|凡|根据|按|用|使|只|仅|一般|可|已|未|非|凡是|所有|一切|全部|部分)")
_CLAUSE_PART = re.compile(r"[的之者所其被]|为了|以上|以下|之间|方面")
# Inside a remark item these mark a fragment of a sentence (陆地或海洋, 具有历史, 设在社区,
# 物体在温度), not the name of a product or activity.
_FRAGMENT = re.compile(r"[或对供某他该在和与]|不含|含有|具有|设有|有些|进行|两个|四个|主要|唯一|核心|要素|价值|生活")
#: A GB/T string found in at least this share of the city and provincial reports is
#: government vocabulary (基础设施建设, 学前教育, 全民健身), not a marker of an industry.
COMMON_SHARE = 0.1


def _shared_default() -> Path:
    return HERE.parents[3] / "shared"


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _split(cell: str | None) -> list[str]:
    return [x.strip() for x in (cell or "").split("|") if x.strip()]


def _key(text: str) -> str:
    sys.path.insert(0, str(HERE.parents[2]))
    from recommender.knowledge.taxonomy import sector_key

    return sector_key(text)


def remark_items(remark: str) -> list[str]:
    """Items named in a GB/T remark (the part before 不包括), trimmed of lead words.

    Examples
    --------
    >>> remark_items("指对铜、铅锌、镍钴等常用有色金属矿的采选；不包括冶炼")
    ['铜', '铅锌', '镍钴', '常用有色金属矿的采选']
    >>> remark_items("指在陆地或海洋，对天然原油的开采")
    ['天然原油的开采']
    """
    text = (remark or "").split("不包括")[0]
    out: list[str] = []
    for chunk in _REMARK_SPLIT.split(text):
        for item in chunk.split("、"):
            item = _REMARK_LEAD.sub("", item.strip())
            if item and item not in out and not _FRAGMENT.search(item):
                out.append(item)
    return out


def usable_term(term: str) -> bool:
    """Whether a GB/T string is specific enough to tag running text.

    Examples
    --------
    >>> usable_term("稻谷种植"), usable_term("其他谷物种植"), usable_term("服务"), usable_term("铜")
    (True, False, False, False)
    >>> usable_term("进行脱水"), usable_term("自然界中含量较小")
    (False, False)
    """
    if len(term) < 3 or len(term) > 10 or term in GENERIC_TERMS:
        return False
    if not re.fullmatch(r"[\u4e00-\u9fff]+", term):
        return False
    if _CLAUSE_START.match(term) or _CLAUSE_PART.search(term):
        return False
    return not any(p in term for p in GENERIC_PARTS)


def load_gbt(shared: Path) -> list[dict]:
    """Rows of GB/T 4754-2017 with stripped names, in table order."""
    rows = _read(shared / "data" / "industry_classification" / "gbt4754_2017.csv")
    for r in rows:
        r["name"] = r["name"].strip()
        r["code"] = r["code"].strip()
    return rows


def _path(row: dict) -> list[str]:
    """Codes from the section down to the row (A, 01, 011, 0111)."""
    out = [row["section"]]
    for col in ("division", "group", "class"):
        if row[col] and row[col] not in out:
            out.append(row[col])
    return out


def common_vocabulary(shared: Path, candidates) -> set[str]:
    """Candidates found in at least :data:`COMMON_SHARE` of the reports (city and provincial)."""
    import ahocorasick_rs

    from recommender.knowledge.data.mine_industry_phrases import iter_texts

    cands = sorted(set(candidates))
    if not cands:
        return set()
    automaton = ahocorasick_rs.AhoCorasick(cands)
    counts = [0] * len(cands)
    n_docs = 0
    for _, text in iter_texts(shared):
        n_docs += 1
        for k in {m[0] for m in automaton.find_matches_as_indexes(text, overlapping=True)}:
            counts[k] += 1
    if not n_docs:
        return set()
    return {c for c, n in zip(cands, counts) if n >= COMMON_SHARE * n_docs}


#: Sections whose remarks list the goods traded or repaired (批发和零售业, 居民服务、修理): the
#: goods (自行车, 摩托车) name other industries, so only the class names become terms.
NAMES_ONLY_SECTIONS = ("F", "O")


def gbt_candidates(row: dict, shared_items: set[str] = frozenset()) -> list[str]:
    """The strings of a GB/T node that may become running-text terms (name, remark items).

    ``shared_items`` are remark items named under several divisions (天然气 is a raw
    material of chemical fibres and a product of extraction): they mark no one industry.
    """
    out = [row["name"]] if row["level"] in ("3", "4") else []
    if row["section"] not in NAMES_ONLY_SECTIONS:
        out += [s for s in remark_items(row["remark"]) if s not in shared_items]
    return [s for s in out if usable_term(s)]


def shared_remark_items(gbt: list[dict]) -> set[str]:
    """Remark items that the remarks of more than one division (or section) name."""
    seen: dict[str, set[str]] = {}
    for r in gbt:
        for s in remark_items(r["remark"]):
            seen.setdefault(s, set()).add(r["division"] or r["section"])
    return {s for s, where in seen.items() if len(where) > 1}


def build_tags(curated: list[dict], emerging: list[dict], gbt: list[dict], gbt_en: dict[str, str],
               false_friends: list[str] = (), common: set[str] = frozenset()):
    """Return ``(tags, index_rows, dropped)``: the taxonomy rows, the GB/T index, and the
    GB/T strings left out because another tag (or a false friend) holds them."""
    tags: list[dict] = []
    for src in (curated, emerging):
        for r in src:
            tags.append({c: (r.get(c) or "").strip() for c in TAG_COLUMNS})
    claimed: dict[str, str] = {}
    for t in tags:
        for s in [t["name"], *_split(t["aliases"]), *_split(t["terms"]), *_split(t["query_terms"]),
                  t["name_en"], *_split(t["synonyms_en"])]:
            claimed.setdefault(_key(s), t["code"])
    blocked = {_key(f) for f in false_friends}
    for t in tags:
        blocked.update(_key(f) for f in _split(t["false_friends"]))
    home: dict[str, str] = {}
    for t in tags:
        if t["gbt4754"]:
            home.setdefault(t["gbt4754"], t["code"])
    names = {t["name"] for t in tags}
    by_code = {r["code"]: r for r in gbt}
    created: dict[str, dict] = {}
    for r in gbt:
        if r["level"] not in ("1", "2") or r["code"] in home:
            continue
        section = r["section"]
        if r["level"] == "2" and r["name"] == by_code[section]["name"]:
            home[r["code"]] = home[section]  # 房地产业, 教育, 国际组织: the division is its section
            continue
        if r["code"] not in gbt_en:
            raise ValueError(f"GB/T {r['code']} {r['name']} has no English name in gbt4754_en.csv")
        holder = claimed.get(_key(r["name"])) or claimed.get(_key(gbt_en[r["code"]]))
        if holder:
            home[r["code"]] = holder  # a tag already holds the official name (林业) or its English
            continue
        tag = {c: "" for c in TAG_COLUMNS}
        tag.update(code=f"GB.{r['code']}", name=r["name"], name_en=gbt_en[r["code"]], gbt4754=r["code"],
                   parent=home[section] if r["level"] == "2" else "")
        claimed[_key(r["name"])] = tag["code"]
        names.add(r["name"])
        home[r["code"]] = tag["code"]
        created[tag["code"]] = tag
        tags.append(tag)
    index_rows, dropped = [], []
    shared_items = shared_remark_items(gbt)
    terms: dict[str, list[str]] = {c: [] for c in created}
    for r in gbt:
        path = _path(r)
        tag = next(home[c] for c in reversed(path) if c in home)
        index_rows.append({"code": r["code"], "level": r["level"], "name": r["name"], "tag": tag})
        if tag not in created:
            continue
        for s in gbt_candidates(r, shared_items):
            if s in common:
                dropped.append((r["code"], s, "government vocabulary"))
                continue
            k = _key(s)
            owner = "false friend" if k in blocked else claimed.get(k)
            if owner is None:
                claimed[k] = tag
                terms[tag].append(s)
            elif owner != tag:
                dropped.append((r["code"], s, owner))
    for code, tag in created.items():
        tag["terms"] = "|".join(terms[code])
    return tags, index_rows, dropped


def render(rows: list[dict], columns: list[str]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def catalogue_label_counts(devzones_csv: Path) -> dict[str, int]:
    """How many zones name each 主导产业 label (cleaned as the gazetteer cleans them)."""
    from recommender.knowledge.data.build_gazetteer import catalogue_sectors

    counts: dict[str, int] = {}
    for row in _read(devzones_csv):
        for label in catalogue_sectors(row.get("主导产业") or ""):
            counts[label] = counts.get(label, 0) + 1
    return counts


def map_labels(tax, labels: dict[str, int], overrides: dict[str, list[str]]):
    """Return rows ``(label, codes, method, zones)`` and the labels left unmapped."""
    from recommender.knowledge.tagging import IndustryTagger

    tagger = IndustryTagger(tax)
    rows, unmapped = [], []
    for label, n in sorted(labels.items(), key=lambda kv: (-kv[1], kv[0])):
        items = tax.match(label)
        if label in overrides:
            codes, method = overrides[label], "override"
        elif items and all(m.exact for m in items):
            codes = list(dict.fromkeys(c for m in items for c in m.codes))
            method = "compound" if items[0].route == "compound" else "resolve"
        else:
            codes = list(dict.fromkeys(h.code for h in tagger.find(label)))
            method = "tagged"
        if not codes:
            unmapped.append(label)
            method = "unmapped"
        rows.append({"label": label, "codes": "|".join(codes), "method": method, "zones": n})
    return rows, unmapped


def build(shared: Path, out_dir: Path = HERE) -> dict[str, str]:
    """Return the text of each output table (name → CSV text); nothing is written."""
    sys.path.insert(0, str(HERE.parents[2]))
    from recommender.knowledge.taxonomy import Taxonomy

    curated = _read(out_dir / "curated_tags.csv")
    emerging = _read(out_dir / "emerging_industries.csv")
    gbt_en = {r["code"]: r["name_en"] for r in _read(out_dir / "gbt4754_en.csv")}
    gbt = load_gbt(shared)
    known = {r["code"] for r in gbt}
    for t in curated + emerging:
        if t.get("gbt4754") and t["gbt4754"] not in known:
            raise ValueError(f"tag {t['code']}: GB/T 4754 code {t['gbt4754']} does not exist")
    ff_rows = _read(out_dir / "false_friends.csv")
    shared_items = shared_remark_items(gbt)
    common = common_vocabulary(shared, [s for r in gbt for s in gbt_candidates(r, shared_items)])
    tags, index_rows, dropped = build_tags(curated, emerging, gbt, gbt_en, [r["string"] for r in ff_rows], common)
    for code, s, owner in dropped:
        print(f"GB/T {code}: {s!r} left to {owner}", file=sys.stderr)
    out = {"taxonomy.csv": render(tags, TAG_COLUMNS),
           "gbt4754_index.csv": render(index_rows, ["code", "level", "name", "tag"])}
    tmp = io.StringIO(out["taxonomy.csv"])
    import pandas as pd

    tax = Taxonomy(pd.read_csv(tmp, dtype=str, keep_default_na=False),
                   pd.DataFrame(ff_rows),
                   gbt=pd.read_csv(io.StringIO(out["gbt4754_index.csv"]), dtype=str, keep_default_na=False))
    overrides = {r["label"]: _split(r["codes"]) for r in _read(out_dir / "catalogue_overrides.csv")}
    for label, codes in overrides.items():
        for c in codes:
            if c not in tax.codes:
                raise ValueError(f"catalogue override {label}: unknown code {c}")
    labels = catalogue_label_counts(shared / "data" / "devzones" / "china_devzones_2018.csv")
    rows, unmapped = map_labels(tax, labels, overrides)
    for label in unmapped:
        print(f"catalogue label {label!r} maps to no tag", file=sys.stderr)
    out["catalogue_labels.csv"] = render(rows, ["label", "codes", "method", "zones"])
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=_shared_default(),
                    help="the shared reference folder holding data/ (default ../shared beside the repo)")
    ap.add_argument("--out", type=Path, default=HERE, help="folder of the input and output tables")
    ap.add_argument("--check", action="store_true", help="verify instead of writing")
    args = ap.parse_args(argv)
    tables = build(args.shared, args.out)
    stale = []
    for name, text in tables.items():
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path} ({text.count(chr(10)) - 1} rows)")
    for name in stale:
        print(f"ERROR: {name} is out of date: re-run without --check", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
