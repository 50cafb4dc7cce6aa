"""Mine candidate industry phrases from the shared report corpora, for review.

Run from the repository root, with the shared reference data beside the clone::

    python -m recommender.knowledge.data.mine_industry_phrases [--shared ../shared] [--top 400]

Reads the city reports (``data/city_reports/*.jsonl``, field ``text``) and the
provincial reports (``data/provincial_reports_2026/*.csv``, field ``full_text``) and
collects the items of the lists reports use to name industries:

* ``A、B、C等(战略性)(新兴|未来|主导|特色|支柱)产业`` and ``布局A、B、C等`` after 培育/发展/
  布局/壮大/打造 — each 、-separated item;
* ``X产业集群``, ``X产业链`` and ``X产业园`` — the head ``X``.

An item is kept when it is 2 to 8 Chinese characters after trimming list words
(加快, 培育, 积极, 大力 …). Items that the bundled taxonomy already resolves are marked
``known``. The result, ``mined_industry_phrases.csv`` (``phrase, documents, mentions,
known, example``), sorted by the number of documents naming the phrase, is the input a
reviewer reads to extend ``emerging_industries.csv`` by hand; it is not read by the
library. Deterministic: same corpora, same output.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent

_LIST = re.compile(r"((?:[\u4e00-\u9fff]{2,10}、){1,12}[\u4e00-\u9fff]{2,10})等(?:战略性)?(?:新兴|未来|主导|特色|支柱|优势|重点)?产业")
_VERB_LIST = re.compile(r"(?:培育|发展|布局|壮大|打造|前瞻布局|抢占)((?:[\u4e00-\u9fff]{2,10}、){1,12}[\u4e00-\u9fff]{2,10})")
_HEAD = re.compile(r"([\u4e00-\u9fff]{2,8})(?:产业集群|产业链|产业园)")
_LEAD = re.compile(r"^(?:加快|加速|培育|发展|布局|壮大|打造|积极|大力|推动|推进|前瞻|抢占|做强|做大|做优|提升|建设|聚焦|围绕|实施|以及|和|及|与|深化|拓展|探索|支持|一批|新兴|未来|前沿|重点)+")
_GENERIC = {"产业", "经济", "企业", "项目", "集群", "园区", "特色", "优势", "主导", "支柱", "新兴", "未来",
            "传统", "现代", "重点", "新型", "战略", "基地", "平台", "工程", "行动", "服务", "制造", "领域",
            "千亿级", "百亿级", "万亿级", "标志性", "国家级", "省级", "世界级"}


def _clean(item: str) -> str | None:
    item = _LEAD.sub("", item.strip())
    item = re.sub(r"(?:产业|行业)$", "", item)
    if not 2 <= len(item) <= 8 or item in _GENERIC:
        return None
    if re.search(r"[年月日亿万个家项]", item) and re.search(r"[一二三四五六七八九十百千\d]", item):
        return None
    return item


def iter_texts(shared: Path):
    """Yield ``(document id, text)`` for every city and provincial report."""
    for path in sorted((shared / "data" / "city_reports").glob("*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            for k, line in enumerate(fh):
                rec = json.loads(line)
                yield f"{path.name}:{k}", rec.get("text") or ""
    csv.field_size_limit(sys.maxsize)
    for path in sorted((shared / "data" / "provincial_reports_2026").glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for k, rec in enumerate(csv.DictReader(fh)):
                if rec.get("full_text"):  # run_manifest_2026.csv lists the reports, without text
                    yield f"{path.name}:{k}", rec["full_text"]


def mine(texts) -> tuple[Counter, Counter, dict[str, str]]:
    """Count, per candidate phrase, the documents and the mentions naming it."""
    docs: Counter = Counter()
    mentions: Counter = Counter()
    example: dict[str, str] = {}
    for doc_id, text in texts:
        seen: set[str] = set()
        for rx in (_LIST, _VERB_LIST):
            for m in rx.finditer(text):
                for raw in m.group(1).split("、"):
                    item = _clean(raw)
                    if item:
                        mentions[item] += 1
                        seen.add(item)
                        example.setdefault(item, m.group(0)[:60])
        for m in _HEAD.finditer(text):
            item = _clean(m.group(1))
            if item:
                mentions[item] += 1
                seen.add(item)
                example.setdefault(item, m.group(0))
        for item in seen:
            docs[item] += 1
    return docs, mentions, example


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=HERE.parents[3] / "shared",
                    help="the shared reference folder holding data/ (default ../shared beside the repo)")
    ap.add_argument("--top", type=int, default=400, help="how many phrases to write (default 400)")
    ap.add_argument("--min-documents", type=int, default=5, help="drop rarer phrases (default 5)")
    ap.add_argument("--out", type=Path, default=HERE / "mined_industry_phrases.csv")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(HERE.parents[2]))
    from recommender.knowledge.taxonomy import Taxonomy

    tax = Taxonomy.default()
    docs, mentions, example = mine(iter_texts(args.shared))
    rows = [(p, n, mentions[p], "yes" if tax.resolve(p) else "", example[p])
            for p, n in docs.items() if n >= args.min_documents]
    rows.sort(key=lambda r: (-r[1], -r[2], r[0]))
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["phrase", "documents", "mentions", "known", "example"])
        w.writerows(rows[: args.top])
    print(f"wrote {args.out} ({min(len(rows), args.top)} of {len(rows)} phrases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
