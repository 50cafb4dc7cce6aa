"""Run a benchmark: the full model and its baselines, scored by the same metrics.

:func:`evaluate_benchmark` returns a JSON-serialisable report (per-system metrics,
per-profile details, notes); :func:`format_report` renders it as markdown.
"""

from __future__ import annotations

import logging
import math
import weakref
from pathlib import Path
from typing import Any

import numpy as np

from recommender.evaluation import metrics as M
from recommender.evaluation.baselines import BM25Baseline, RankedPlace, bm25_query, rank_places
from recommender.evaluation.benchmark import Benchmark, load_benchmark, resolve_judgements
from recommender.exceptions import InputError
from recommender.profiles import InvestorProfile

logger = logging.getLogger(__name__)

__all__ = ["evaluate_benchmark", "format_report", "SYSTEMS"]

#: System key → label used in the report, in table order.
SYSTEMS = {
    "model": "full model",
    "tfidf": "TF-IDF only",
    "tags": "tags only",
    "bm25": "BM25 passages",
}
EVIDENCE_K = 3


# ------------------------------------------------------------------------ systems
def _profiles(bench: Benchmark, model) -> tuple[list, dict[str, str]]:
    """Prepare every profile; return ``(prepared or None, errors by profile id)``."""
    prepared, errors = [], {}
    for rec in bench.profiles:
        pid = rec["profile_id"]
        try:
            prepared.append(model.prepare(InvestorProfile.from_dict(rec)))
        except InputError as exc:
            errors[pid] = str(exc)
            prepared.append(None)
            logger.warning("benchmark %s: profile %s cannot be scored: %s", bench.name, pid, exc)
    return prepared, errors


def _model_run(model, ok: list, k: int) -> list[list[RankedPlace]]:
    results = model.recommend_many([p.profile for p in ok], top_k=k, evidence_k=EVIDENCE_K, errors="collect")
    out = []
    for res in results:
        out.append([RankedPlace(m.entity_id, m.name, float(m.score),
                                tuple({"text": e.text, "source": e.source, "start": e.start, "end": e.end,
                                       "row": e.row, "score": e.score, "kind": e.kind} for e in m.evidence))
                    for m in res.matches])
    return out


_BM25_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _bm25_for(model) -> BM25Baseline:
    """The BM25 index of a fitted model, built once per fit (indexing tokenizes every passage)."""
    try:
        cached = _BM25_CACHE.get(model)
    except TypeError:  # not weak-referenceable or not hashable: no cache
        return BM25Baseline().fit(model)
    if cached is not None and cached[0] is model.passages_:
        return cached[1]
    bm25 = BM25Baseline().fit(model)
    _BM25_CACHE[model] = (model.passages_, bm25)
    return bm25


def run_systems(model, bench: Benchmark, k: int) -> tuple[dict[str, dict[str, list[RankedPlace]]], dict[str, str]]:
    """Rank places for every profile with every system.

    Returns
    -------
    runs : dict
        System key → profile id → ranked places (empty for a profile with an error).
    errors : dict
        Profile id → why it could not be scored.
    """
    prepared, errors = _profiles(bench, model)
    ids = bench.profile_ids
    ok_pos = [i for i, p in enumerate(prepared) if p is not None]
    ok = [prepared[i] for i in ok_pos]
    runs: dict[str, dict[str, list[RankedPlace]]] = {s: {pid: [] for pid in ids} for s in SYSTEMS}
    if not ok:
        return runs, errors
    for i, ranked in zip(ok_pos, _model_run(model, ok, k)):
        runs["model"][ids[i]] = ranked
    scores = model.score_matrix(ok)
    bm25 = _bm25_for(model)
    for r, i in enumerate(ok_pos):
        allowed = ok[r].allowed
        runs["tfidf"][ids[i]] = rank_places(model, scores.text_score[r], scores.passage_text[r].toarray().ravel(),
                                            allowed, k)
        runs["tags"][ids[i]] = rank_places(model, scores.tag_score[r], scores.passage_tag[r].toarray().ravel(),
                                           allowed, k)
        ps = bm25.passage_scores(bm25_query(ok[r].profile))
        runs["bm25"][ids[i]] = rank_places(model, bm25.place_scores(ps), ps, allowed, k)
    return runs, errors


# ------------------------------------------------------------------------ scoring
class _SourceCache:
    """Decoded sources, read once each (pages whole, tables by row)."""

    def __init__(self):
        self._pages: dict[str, str] = {}
        self._tables: dict[str, dict[int, str]] = {}

    def __call__(self, source: str, row: int | None) -> str:
        from recommender.corpus.load import read_page, read_table

        if row is None or int(row) < 0:
            if source not in self._pages:
                self._pages[source] = read_page(source)
            return self._pages[source]
        if source not in self._tables:
            self._tables[source] = {r["row"]: r["text"] for r in read_table(source).rows}
        rows = self._tables[source]
        if int(row) not in rows:
            raise ValueError(f"{source} has no data row {row} with text")
        return rows[int(row)]


def _cutoffs(k: int) -> tuple[int, ...]:
    return tuple(sorted({min(5, k), k}))


def _nan_to_none(x: float | None) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 4)


def _score_profile(ranked: list[RankedPlace], judged: dict[str, int], gaz, keywords, trap, members,
                   reader, k: int, rollup: tuple[str, ...] = ()) -> dict[str, Any]:
    ids = [p.entity_id for p in ranked]
    graded = M.grade_ranking(ids, judged, gaz, rollup)
    if rollup:
        # a place rolled up to a unit already ranked is dropped, not counted as a miss
        keep = M.drop_repeats(graded)
        ranked = [ranked[i] for i in keep]
        graded = [graded[i] for i in keep]
        ids = [ids[i] for i in keep]
    grades = [g for _, g in graded]
    has_judgements = any(g > 0 for g in judged.values())
    out: dict[str, Any] = {}
    for c in _cutoffs(k):
        out[f"ndcg@{c}"] = _nan_to_none(M.ndcg_at_k(grades, judged.values(), c)) if has_judgements else None
    out["p@1"] = M.precision_at_1(grades) if has_judgements else None
    out["rr"] = M.reciprocal_rank(grades) if has_judgements else None
    top_text = ranked[0].evidence[0]["text"] if ranked and ranked[0].evidence else None
    out["evidence_relevant"] = M.evidence_relevance(top_text, keywords)
    names = {p.entity_id: p.name for p in ranked}
    out["trap_violations"] = M.trap_violations(ids, trap, gaz, members, names) if trap else None
    failures, cited = [], 0
    for p in ranked:
        for ev in p.evidence:
            cited += 1
            row = None if ev.get("kind") == "catalogue" else ev["row"]  # a catalogue span indexes the whole file
            if not M.verbatim_ok(ev["text"], ev["source"], ev["start"], ev["end"], row, reader=reader):
                failures.append(f"{p.name}: {ev['source']} [{ev['start']}:{ev['end']}]")
    out["cited"] = cited
    out["verbatim_failures"] = failures
    out["ranking"] = [{"entity_id": p.entity_id, "name": p.name, "score": round(p.score, 6),
                       "judged_as": j, "grade": g} for p, (j, g) in zip(ranked, graded)]
    out["top_evidence"] = top_text
    return out


def _mean(values) -> float | None:
    vals = [v for v in values if v is not None]
    return round(float(np.mean(vals)), 4) if vals else None


def _summarise(system: str, per_profile: dict[str, dict], k: int) -> dict[str, Any]:
    rows = list(per_profile.values())
    row: dict[str, Any] = {"system": system, "label": SYSTEMS[system]}
    for c in _cutoffs(k):
        row[f"ndcg@{c}"] = _mean(r[f"ndcg@{c}"] for r in rows)
    row["p@1"] = _mean(r["p@1"] for r in rows)
    row["mrr"] = _mean(r["rr"] for r in rows)
    row["n_judged"] = sum(r["p@1"] is not None for r in rows)
    row["evidence_relevance"] = _mean(r["evidence_relevant"] for r in rows)
    row["evidence_checked"] = sum(r["evidence_relevant"] is not None for r in rows)
    traps = [r["trap_violations"] for r in rows if r["trap_violations"] is not None]
    row["trap_violations"] = sum(bool(t) for t in traps)
    row["trap_checks"] = len(traps)
    row["verbatim_total"] = sum(r["cited"] for r in rows)
    row["verbatim_ok"] = row["verbatim_total"] - sum(len(r["verbatim_failures"]) for r in rows)
    return row


def rollup_units(bench: Benchmark, gaz) -> tuple[str, ...]:
    """Entity ids of the benchmark's ``path_rollup`` units (names that resolve to no place are skipped).

    Examples
    --------
    >>> from recommender.knowledge.gazetteer import Gazetteer
    >>> import pandas as pd
    >>> b = Benchmark("t", [], pd.DataFrame(columns=["profile_id", "entity", "grade"]),
    ...               {"path_rollup": ["湖南省", "无此地"]})
    >>> rollup_units(b, Gazetteer.default())
    ('430000',)
    """
    from recommender.evaluation.benchmark import resolve_name

    out = []
    for name in bench.checks.get("path_rollup") or ():
        eid = resolve_name(str(name), gaz)
        if eid is None:
            logger.warning("benchmark %s: path_rollup unit %r is not in the gazetteer", bench.name, name)
        elif eid not in out:
            out.append(eid)
    return tuple(out)


# ------------------------------------------------------------------------ public
def _fit_model(corpus_paths):
    from recommender.model.recommender import Recommender

    if corpus_paths:
        from recommender.corpus import load_corpus

        corpus = load_corpus(list(corpus_paths))
    else:
        from recommender.datasets import load_sample_corpus

        corpus = load_sample_corpus()
    return Recommender().fit(corpus)


def evaluate_benchmark(bench_dir, model=None, corpus_paths=None, k: int = 10) -> dict[str, Any]:
    """Evaluate the model and its baselines on a benchmark directory.

    Parameters
    ----------
    bench_dir : str or Path
        A directory with ``profiles.csv``, ``judgements.csv`` and optionally ``checks.json``.
    model : Recommender, optional
        A fitted model. When ``None``, a default ``Recommender()`` is fitted on
        ``corpus_paths`` (or on the bundled sample corpus).
    corpus_paths : list of str, optional
        Report files or directories to fit on when no model is given.
    k : int, default=10
        Ranking depth; nDCG is reported at 5 and ``k``.

    Returns
    -------
    dict
        JSON-serialisable: ``benchmark``, ``k``, ``systems`` (one metrics row per system:
        ``ndcg@5``, ``ndcg@10``, ``p@1``, ``mrr``, ``evidence_relevance``,
        ``trap_violations``/``trap_checks``, ``verbatim_ok``/``verbatim_total`` …),
        ``profiles`` (per-profile rankings and metrics by system), ``unresolved_judgements``,
        ``skipped_profiles`` (no judgements: nDCG undefined), ``errors`` and ``notes``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "profiles.csv").write_text("profile_id,sectors,text\\np1,陶瓷,日用陶瓷\\n", encoding="utf-8")
    >>> _ = (d / "judgements.csv").write_text("profile_id,entity,grade\\np1,醴陵市,3\\n", encoding="utf-8")
    >>> report = evaluate_benchmark(d)                       # doctest: +SKIP
    >>> report["systems"][0]["system"], report["systems"][0]["p@1"]   # doctest: +SKIP
    ('model', 1.0)
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise InputError(f"k must be a positive integer, got {k!r}")
    bench = load_benchmark(bench_dir)
    if model is None:
        model = _fit_model(corpus_paths)
    gaz = model.gazetteer_
    judged, unresolved = resolve_judgements(bench, gaz)
    rollup = rollup_units(bench, gaz)
    runs, errors = run_systems(model, bench, int(k))
    reader = _SourceCache()
    members = bench.members
    notes: list[str] = []
    per_system: dict[str, dict[str, dict]] = {s: {} for s in SYSTEMS}
    for system in SYSTEMS:
        for pid in bench.profile_ids:
            per_system[system][pid] = _score_profile(
                runs[system][pid], judged.get(pid, {}), gaz, bench.evidence_keywords(pid), bench.trap(pid),
                members, reader, int(k), rollup)
    skipped = [pid for pid in bench.profile_ids if not any(g > 0 for g in judged.get(pid, {}).values())]
    if skipped:
        notes.append(f"no judgements (nDCG undefined, left out of the ranking means): {', '.join(skipped)}")
    orphans = sorted(set(judged) - set(bench.profile_ids))
    if orphans:
        notes.append(f"judgements for unknown profile ids ignored: {', '.join(orphans)}")
    if unresolved:
        notes.append("judged names not in the gazetteer (ignored): "
                     + ", ".join(f"{u['profile_id']}:{u['entity']}" for u in unresolved))
    if errors:
        notes.append("profiles that could not be scored (empty rankings): "
                     + "; ".join(f"{pid}: {msg}" for pid, msg in errors.items()))
    for system in SYSTEMS:
        for pid in bench.profile_ids:
            for v in per_system[system][pid]["trap_violations"] or ():
                notes.append(f"trap {pid} ({SYSTEMS[system]}): {v}")
    names = {eid: gaz.get(eid).name for pid in judged for eid in judged[pid]}
    profiles = []
    for pid in bench.profile_ids:
        profiles.append({
            "profile_id": pid,
            "error": errors.get(pid),
            "judged": {names[e]: g for e, g in judged.get(pid, {}).items()},
            "judged_names": {e: names[e] for e in judged.get(pid, {})},
            "evidence_keywords": bench.evidence_keywords(pid),
            "trap": bench.trap(pid),
            "systems": {s: per_system[s][pid] for s in SYSTEMS},
        })
    return {
        "benchmark": bench.name,
        "path": str(Path(bench_dir)),
        "k": int(k),
        "n_profiles": len(bench.profiles),
        "gain": "2^grade - 1, log2 discount",
        "systems": [_summarise(s, per_system[s], int(k)) for s in SYSTEMS],
        "profiles": profiles,
        "unresolved_judgements": unresolved,
        "skipped_profiles": skipped,
        "errors": errors,
        "notes": notes,
    }


def _ranked_label(r: dict, judged_names: dict) -> str:
    """``name(grade)``; ``name(→judged)`` for a place credited as a judged unit already seen."""
    if r["grade"]:
        return f"{r['name']}({r['grade']})"
    if r["judged_as"] is not None and r["judged_as"] in judged_names:
        return f"{r['name']}(→{judged_names[r['judged_as']]})"
    return r["name"]


def _fmt(x) -> str:
    return "–" if x is None else f"{x:.3f}"


def format_report(report: dict[str, Any]) -> str:
    """Render a report from :func:`evaluate_benchmark` as markdown.

    One table row per system (nDCG@5, nDCG@k, P@1, MRR, evidence relevance, trap
    violations, verbatim citations), a per-profile nDCG@k table, then the notes.

    Examples
    --------
    >>> r = {"benchmark": "b", "k": 10, "n_profiles": 1, "notes": [], "profiles": [],
    ...      "systems": [{"system": "model", "label": "full model", "ndcg@5": 0.5, "ndcg@10": 0.6,
    ...                   "p@1": 1.0, "mrr": 1.0, "n_judged": 1, "evidence_relevance": None,
    ...                   "evidence_checked": 0, "trap_violations": 0, "trap_checks": 0,
    ...                   "verbatim_ok": 3, "verbatim_total": 3}]}
    >>> print(format_report(r).splitlines()[2])
    | system | nDCG@5 | nDCG@10 | P@1 | MRR | evidence relevance | trap violations | verbatim |
    """
    k = report["k"]
    cut = _cutoffs(k)
    lines = [f"Benchmark `{report['benchmark']}`: {report['n_profiles']} profiles, top {k}, "
             f"gain 2^grade−1.", ""]
    head = ["system"] + [f"nDCG@{c}" for c in cut] + ["P@1", "MRR", "evidence relevance", "trap violations",
                                                       "verbatim"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
    for s in report["systems"]:
        cells = [s["label"]] + [_fmt(s.get(f"ndcg@{c}")) for c in cut] + [
            _fmt(s["p@1"]), _fmt(s["mrr"]),
            f"{_fmt(s['evidence_relevance'])} (n={s['evidence_checked']})",
            f"{s['trap_violations']}/{s['trap_checks']}",
            f"{s['verbatim_ok']}/{s['verbatim_total']}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    if report["profiles"]:
        systems = [s["system"] for s in report["systems"]]
        labels = [s["label"] for s in report["systems"]]
        lines += ["", f"Per profile nDCG@{k} (model's top 3 places):", ""]
        lines.append("| profile | " + " | ".join(labels) + " | model top 3 |")
        lines.append("|---|" + "|".join(["---:"] * len(systems)) + "|---|")
        for p in report["profiles"]:
            top = ", ".join(_ranked_label(r, p["judged_names"]) for r in p["systems"]["model"]["ranking"][:3])
            if p["error"]:
                top = f"error: {p['error']}"
            cells = [_fmt(p["systems"][s].get(f"ndcg@{k}")) for s in systems]
            lines.append(f"| {p['profile_id']} | " + " | ".join(cells) + f" | {top} |")
    if report["notes"]:
        lines += [""] + [f"- {n}" for n in report["notes"]]
    return "\n".join(lines)
