"""Evaluation of a fitted recommender against graded benchmark judgements.

``evaluate_benchmark(dir)`` runs the full model and its baselines (BM25 over passages,
TF-IDF only, tags only) on a benchmark directory and returns a JSON-serialisable
report; ``format_report(report)`` renders it as a markdown table. The metric functions
live in :mod:`recommender.evaluation.metrics`.

Examples
--------
>>> from recommender.evaluation import ndcg_at_k
>>> ndcg_at_k([3, 0], [3], 10)
1.0
"""

from __future__ import annotations

from recommender.evaluation.baselines import BM25Baseline, RankedPlace, rank_places
from recommender.evaluation.benchmark import Benchmark, load_benchmark, resolve_judgements
from recommender.evaluation.metrics import (
    dcg_at_k,
    evidence_relevance,
    grade_ranking,
    ndcg_at_k,
    precision_at_1,
    reciprocal_rank,
    trap_violations,
    verbatim_ok,
)
from recommender.evaluation.run import evaluate_benchmark, format_report

__all__ = [
    "evaluate_benchmark",
    "format_report",
    "Benchmark",
    "load_benchmark",
    "resolve_judgements",
    "BM25Baseline",
    "RankedPlace",
    "rank_places",
    "dcg_at_k",
    "ndcg_at_k",
    "precision_at_1",
    "reciprocal_rank",
    "grade_ranking",
    "evidence_relevance",
    "trap_violations",
    "verbatim_ok",
]
