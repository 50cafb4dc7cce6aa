"""Check ``taxonomy.csv`` against GB/T 4754-2017 and derive ``catalogue_labels.csv``.

Run from the repository root, with the shared reference data beside the clone::

    python recommender/knowledge/data/build_taxonomy.py [--shared ../shared] [--check]

1. Every ``gbt4754`` code of ``taxonomy.csv`` must exist in
   ``data/industry_classification/gbt4754_2017.csv``; the script prints each tag with the
   official name of its code so that a reviewer can check the fit.
2. Every 主导产业 label of ``data/devzones/hunan_devzones_2018.csv`` (cells split on 、) is
   mapped to tag codes, in this order: the committed override table
   ``catalogue_overrides.csv``; an exact :meth:`Taxonomy.resolve` of the label (name, alias,
   term, with 产业/行业 suffixes tolerated); the codes the tagger finds inside the label.
   The result is written to ``catalogue_labels.csv`` (``label, codes, method, zones``).
   With ``--check`` nothing is written and the exit status says whether the file is current.

Source of the catalogue: 中国开发区审核公告目录 (2018), NDRC et al.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _shared_default() -> Path:
    return HERE.parents[3] / "shared" / "data"


def _load_taxonomy():
    sys.path.insert(0, str(HERE.parents[2]))
    from recommender.knowledge.taxonomy import Taxonomy

    return Taxonomy.from_csv(HERE / "taxonomy.csv", false_friends=HERE / "false_friends.csv")


def check_gbt(tax, gbt_csv: Path) -> list[str]:
    """Return error messages for GB/T codes of the taxonomy that the standard lacks."""
    with open(gbt_csv, encoding="utf-8") as fh:
        names = {r["code"].strip(): r["name"].strip() for r in csv.DictReader(fh)}
    errors = []
    for code in tax.codes:
        g = tax.row(code)["gbt4754"]
        if not g:
            continue
        if g not in names:
            errors.append(f"{code}: GB/T 4754 code {g} does not exist")
        else:
            print(f"{code:<16} {tax.name(code):<10} {g:<5} {names[g]}")
    return errors


def catalogue_labels(devzones_csv: Path) -> Counter:
    """Count each 主导产业 label of the catalogue (cells split on 、)."""
    labels: Counter = Counter()
    with open(devzones_csv, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for part in (row.get("主导产业") or "").split("、"):
                part = part.strip().rstrip(".。")
                if part:
                    labels[part] += 1
    return labels


def map_labels(tax, labels: Counter, overrides: dict[str, list[str]]):
    """Return rows ``(label, codes, method, zones)`` and the labels left unmapped."""
    from recommender.knowledge.tagging import IndustryTagger

    tagger = IndustryTagger(tax)
    rows, unmapped = [], []
    for label, n in sorted(labels.items(), key=lambda kv: (-kv[1], kv[0])):
        if label in overrides:
            codes, method = overrides[label], "override"
        else:
            codes, method = tax.resolve(label), "resolve"
            if not codes:
                codes = list(dict.fromkeys(h.code for h in tagger.find(label)))
                method = "tagged"
        if not codes:
            unmapped.append(label)
            method = "unmapped"
        rows.append((label, "|".join(codes), method, n))
    return rows, unmapped


def render(rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["label", "codes", "method", "zones"])
    w.writerows(rows)
    return buf.getvalue()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=_shared_default(),
                    help="the shared reference data folder (default: ../shared/data beside the repo)")
    ap.add_argument("--check", action="store_true", help="verify instead of writing")
    args = ap.parse_args(argv)
    tax = _load_taxonomy()
    errors = check_gbt(tax, args.shared / "industry_classification" / "gbt4754_2017.csv")
    with open(HERE / "catalogue_overrides.csv", encoding="utf-8") as fh:
        overrides = {r["label"]: [c for c in r["codes"].split("|") if c] for r in csv.DictReader(fh)}
    for label, codes in overrides.items():
        errors += [f"override {label}: unknown code {c}" for c in codes if c not in tax.codes]
    labels = catalogue_labels(args.shared / "devzones" / "hunan_devzones_2018.csv")
    rows, unmapped = map_labels(tax, labels, overrides)
    errors += [f"catalogue label {lab!r} maps to no tag" for lab in unmapped]
    text = render(rows)
    out = HERE / "catalogue_labels.csv"
    if args.check:
        if not out.exists() or out.read_text(encoding="utf-8") != text:
            errors.append(f"{out.name} is out of date: re-run without --check")
    else:
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out} ({len(rows)} labels)")
    for e in errors:
        print("ERROR:", e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
