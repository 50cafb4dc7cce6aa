"""Every constructor parameter of :class:`Recommender` changes what the model does."""

from __future__ import annotations

import numpy as np
import pytest

from recommender import Recommender
from recommender.model import fit as fit_module

#: A value other than the default for each parameter (n_jobs is checked on its own below).
ALTERNATIVES = {
    "min_df": 2,
    "max_df": 0.05,
    "sublinear_tf": False,
    "text_weight": 0.9,
    "passage_weight": 0.2,
    "top_passages": 1,
    "pooling": "max",
    "hierarchy_credit": 1.0,
    "rollup_weight": 0.1,
    "document_link_weight": 0.05,
    "catalogue_weight": 1.0,
    "foreign_weight": 1.0,
    "ancestor_weight": 1.0,
    "evidence_prior": 0.0,
    "expansion_weight": 0.0,
    "weak_threshold": 0.9,
    "weak_coverage": 0.9,
    "generic_share": 0.5,
    "generic_weight": 1.0,
    "approximate_tag_weight": 1.0,
    "coverage_power": 0.0,
    "wish_weight": 1.0,
}

PROFILES = [
    {"sectors": ["轨道交通装备"], "text": "牵引变流器配套"},
    {"sectors": ["汽车"], "text": "整车制造"},
    {"sectors": ["陶瓷"], "text": "日用陶瓷"},
    {"text": "冷链物流仓储"},
    {"sectors": ["新能源汽车"]},
    {"sectors": ["电瓷电器xyz"]},
    {"text": "日用陶瓷生产，希望靠近物流园区和硬质合金产业"},
]


def _fingerprint(model) -> tuple:
    """What a user sees: places, scores, flags and cited spans, plus the vocabulary size."""
    out = [len(model.vectorizer_.vocabulary_)]
    for profile in PROFILES:
        result = model.recommend(profile, top_k=10, evidence_k=2)
        out.append(result.weak_evidence)
        for m in result.matches:
            out.append((m.entity_id, round(m.score, 6), round(m.text_score, 6), round(m.tag_score, 6),
                        tuple((e.source, e.start, e.end) for e in m.evidence)))
    return tuple(out)


@pytest.fixture(scope="module")
def default_fingerprint(model):
    return _fingerprint(model)


def test_every_parameter_is_listed():
    assert set(Recommender().get_params()) == set(ALTERNATIVES) | {"n_jobs", "tokenizer_backend"}


@pytest.mark.parametrize("name", sorted(ALTERNATIVES))
def test_parameter_changes_the_answer(name, sample_corpus, default_fingerprint):
    changed = Recommender(**{name: ALTERNATIVES[name]}).fit(sample_corpus)
    assert _fingerprint(changed) != default_fingerprint, f"{name}={ALTERNATIVES[name]!r} changed nothing"


def test_tokenizer_backend_segments_with_that_engine(sample_corpus, monkeypatch):
    """rjieba implements jieba's algorithm (same answers, faster): the effect is which engine runs."""
    rjieba = pytest.importorskip("rjieba")
    calls = []

    class SpyJieba(rjieba.Jieba):
        def cut(self, *args, **kwargs):
            calls.append(1)
            return super().cut(*args, **kwargs)

    monkeypatch.setattr(rjieba, "Jieba", SpyJieba)
    fitted = Recommender(tokenizer_backend="rjieba").fit(sample_corpus)
    assert calls and fitted.recommend({"sectors": ["陶瓷"]}, top_k=1).matches[0].name == "醴陵市"


def test_n_jobs_tokenizes_in_worker_processes(sample_corpus, model, monkeypatch):
    calls = []
    original = fit_module.start_tokenization

    def spy(*args, **kwargs):
        pending = original(*args, **kwargs)
        calls.append(pending is not None)
        return pending

    monkeypatch.setattr(fit_module, "PARALLEL_MIN_PASSAGES", 0)
    monkeypatch.setattr(fit_module, "start_tokenization", spy)
    parallel = Recommender(n_jobs=2).fit(sample_corpus)
    assert calls == [True]
    np.testing.assert_array_equal(parallel.X_.toarray(), model.X_.toarray())
