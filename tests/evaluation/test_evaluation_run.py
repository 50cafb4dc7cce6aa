"""evaluate_benchmark / format_report on a tiny benchmark, the CLI, and the dev benchmark."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from recommender.evaluation import BM25Baseline, evaluate_benchmark, format_report, rank_places
from recommender.evaluation.baselines import bm25_query
from recommender.profiles import InvestorProfile

HUNAN_DEV = Path(__file__).resolve().parents[3] / "shared" / "benchmark" / "hunan_dev"

SYSTEMS = ["model", "tfidf", "tags", "bm25"]


@pytest.fixture(scope="module")
def report(tiny_bench, model):
    return evaluate_benchmark(tiny_bench, model=model)


def test_report_shape_and_json(report):
    json.dumps(report, ensure_ascii=False, allow_nan=False)          # strict JSON, no NaN
    assert [s["system"] for s in report["systems"]] == SYSTEMS
    assert report["k"] == 10 and report["n_profiles"] == 3
    for s in report["systems"]:
        for key in ("ndcg@5", "ndcg@10", "p@1", "mrr", "evidence_relevance"):
            assert s[key] is None or 0.0 <= s[key] <= 1.0
        assert s["n_judged"] == 2                                   # T2 has no judgements
        assert s["trap_checks"] == 2
        assert s["verbatim_ok"] == s["verbatim_total"] > 0


def test_empty_judgements_are_skipped_and_unknown_names_reported(report):
    assert report["skipped_profiles"] == ["T2"]
    t2 = next(p for p in report["profiles"] if p["profile_id"] == "T2")
    assert t2["systems"]["model"]["ndcg@10"] is None
    assert t2["systems"]["model"]["evidence_relevant"] is not None   # evidence is still checked
    assert report["unresolved_judgements"] == [{"profile_id": "T1", "entity": "没有这个地方", "grade": 2}]
    assert any("没有这个地方" in n for n in report["notes"])


def test_model_ranks_the_obvious_answers(report):
    by_id = {p["profile_id"]: p for p in report["profiles"]}
    t1 = by_id["T1"]["systems"]["model"]
    assert t1["ranking"][0]["name"] == "醴陵市" and t1["p@1"] == 1.0
    assert t1["evidence_relevant"] == 1.0
    # the region constraint of T3 is respected by every system
    for system in SYSTEMS:
        assert by_id["T3"]["systems"][system]["trap_violations"] == []
    # the mean is over judged profiles only
    model_row = report["systems"][0]
    vals = [by_id[p]["systems"]["model"]["ndcg@10"] for p in ("T1", "T3")]
    assert model_row["ndcg@10"] == pytest.approx(np.mean(vals), abs=1e-4)


def test_duplicates_in_ranking_get_no_gain(report):
    for p in report["profiles"]:
        for system in SYSTEMS:
            credited = [r["judged_as"] for r in p["systems"][system]["ranking"] if r["grade"] > 0]
            assert len(credited) == len(set(credited))


def test_bad_profile_is_reported_not_fatal(tmp_path, model):
    d = tmp_path / "b"
    d.mkdir()
    (d / "profiles.csv").write_text("profile_id,text,regions\nok,日用陶瓷,\nbad,陶瓷,火星市\n", encoding="utf-8")
    (d / "judgements.csv").write_text("profile_id,entity,grade\nok,醴陵市,3\nbad,醴陵市,3\n", encoding="utf-8")
    rep = evaluate_benchmark(d, model=model)
    assert "火星市" in rep["errors"]["bad"]
    bad = next(p for p in rep["profiles"] if p["profile_id"] == "bad")
    assert bad["systems"]["model"]["ranking"] == [] and bad["systems"]["model"]["ndcg@10"] == 0.0
    assert rep["systems"][0]["p@1"] == 0.5


def test_format_report_is_a_markdown_table(report):
    text = format_report(report)
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("| system"))
    assert lines[head] == ("| system | nDCG@5 | nDCG@10 | P@1 | MRR | evidence relevance | "
                           "trap violations | verbatim |")
    rows = lines[head + 2: head + 6]
    assert [r.split("|")[1].strip() for r in rows] == ["full model", "TF-IDF only", "tags only", "BM25 passages"]
    assert "T2" in text


def test_invalid_k(tiny_bench, model):
    from recommender.exceptions import InputError

    with pytest.raises(InputError):
        evaluate_benchmark(tiny_bench, model=model, k=0)


# ------------------------------------------------------------------ baselines
def test_bm25_baseline_on_sample(model):
    bm = BM25Baseline().fit(model)
    prof = InvestorProfile(text="日用陶瓷与艺术瓷", sectors=["陶瓷"])
    ps = bm.passage_scores(bm25_query(prof))
    # one score per feature unit of the model (its passages, plus any mention windows)
    n_units = len(getattr(model, "unit_passage_", model.passages_))
    assert ps.shape == (n_units,) and ps.max() > 0
    ranked = rank_places(model, bm.place_scores(ps), ps, None, 5)
    assert ranked[0].name == "醴陵市"
    ev = ranked[0].evidence[0]
    assert "瓷" in ev["text"]
    assert np.all(bm.passage_scores("完全无关的火星词语xyzzy") >= 0)


def test_baselines_respect_filters(model):
    prepared = model.prepare({"text": "陶瓷", "regions": ["长沙市"]})
    scores = model.score_matrix([prepared])
    ranked = rank_places(model, scores.text_score[0], scores.passage_text[0].toarray().ravel(), prepared.allowed, 10)
    gaz = model.gazetteer_
    assert all(gaz.is_within(p.entity_id, "430100") for p in ranked)


# ------------------------------------------------------------------ CLI
def test_cli_evaluate(tiny_bench, model_path, monkeypatch, capsys):
    from recommender.cli import main

    monkeypatch.setenv("RECOMMENDER_MODEL", str(model_path))
    assert main(["evaluate", str(tiny_bench)]) == 0
    out = capsys.readouterr().out
    assert "| full model |" in out and "| T1 |" in out


def test_cli_evaluate_missing_dir(tmp_path, model_path, monkeypatch, capsys):
    from recommender.cli import main

    monkeypatch.setenv("RECOMMENDER_MODEL", str(model_path))
    assert main(["evaluate", str(tmp_path / "nope")]) == 2
    assert "not found" in capsys.readouterr().err


# ------------------------------------------------------------------ dev benchmark
@pytest.mark.skipif(not HUNAN_DEV.is_dir(), reason="shared dev benchmark (../shared) not present")
def test_dev_benchmark(model):
    rep = evaluate_benchmark(HUNAN_DEV, model=model)
    assert rep["n_profiles"] == 15 and rep["unresolved_judgements"] == [] and rep["errors"] == {}
    assert rep["skipped_profiles"] == []
    for s in rep["systems"]:
        assert s["n_judged"] == 15 and s["trap_checks"] == 3 and s["evidence_checked"] == 15
        assert s["verbatim_ok"] == s["verbatim_total"] > 0
        assert not math.isnan(s["ndcg@10"])
    full = rep["systems"][0]
    assert full["ndcg@10"] >= 0.5                               # a loose floor, not a target
    assert "| full model |" in format_report(rep)


def test_trap_violation_is_counted_and_noted(tmp_path, model):
    d = tmp_path / "b"
    d.mkdir()
    (d / "profiles.csv").write_text("profile_id,sectors,text\nc1,陶瓷,日用陶瓷\n", encoding="utf-8")
    (d / "judgements.csv").write_text("profile_id,entity,grade\nc1,醴陵市,3\n", encoding="utf-8")
    (d / "checks.json").write_text('{"traps": {"c1": {"not_in_top": 3, "units": ["醴陵市"]}}}', encoding="utf-8")
    rep = evaluate_benchmark(d, model=model, k=5)
    model_row = rep["systems"][0]
    assert (model_row["trap_violations"], model_row["trap_checks"]) == (1, 1)
    assert any(n.startswith("trap c1 (full model)") for n in rep["notes"])
    # k=5: nDCG is reported at 5 only, and the table follows
    assert "ndcg@10" not in model_row and "| system | nDCG@5 | P@1 |" in format_report(rep)
