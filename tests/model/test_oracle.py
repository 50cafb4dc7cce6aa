"""Scores checked against an independent reading of the documented rule.

The expectation is computed from the raw passage texts with scikit-learn's
``TfidfVectorizer`` and numpy (cosines, soft OR over the best passages, the place's
aggregated vector, the coverage factor), never through the model's own matrices or
helpers; only the segmentation (the model's tokenizer) is shared, as an input. The
parameters switch off the parts that are not text (tags, taxonomy expansion, generic-word
damping, evidence shrinkage) so that the rule reads::

    text_score = β · soft_or(top m passage cosines) + (1 − β) · cos(query, Σ passage vectors)
    score      = text_score · coverage ** coverage_power

with ``coverage`` the largest share of the query's idf mass one passage of the place holds.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from recommender import Recommender, load_corpus

#: One row per passage (a row is its own document): every passage names a project and a
#: figure, so every mention is substantive and the mention factor is 1.
PASSAGES = {
    "荷塘区": ["建成医药冷链物流中心项目,新增冷库库容5万吨,引进冷链物流企业3家。",
               "引进跨境电商企业8家,建成电商产业园项目,网络零售额增长20%。",
               "建成新能源电池材料生产线项目,电池材料产值达到20亿元。"],
    "醴陵市": ["建成日用陶瓷生产线项目,陶瓷产值突破800亿元,出口增长15%。",
               "建成冷链仓储项目,新增冷库库容2万吨,农产品冷链流通率提高。"],
    "雨花区": ["建成智能制造装备产业园项目,智能制造装备产值60亿元。",
               "建成医药物流配送中心项目,新增医药仓储面积3万平方米。",
               "建成电池回收生产线项目,废旧电池回收产能5万吨。"],
}
#: One clause each (every word weighs fully in the coverage).
QUERIES = ["医药冷链仓储冷库", "电池回收电池材料", "冷链物流", "跨境电商产业园", "陶瓷冷库", "冷库库容产值",
           "智能制造装备产值"]
PARAMS = dict(document_link_weight=1.0, max_df=1.0, generic_share=1.0, generic_weight=1.0,
              expansion_weight=0.0, text_weight=1.0, evidence_prior=0.0)


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    rows = [{"region": r, "title": f"{r}政府工作报告", "text": t} for r, ps in PASSAGES.items() for t in ps]
    path = tmp_path_factory.mktemp("oracle") / "reports.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return Recommender(**PARAMS).fit(load_corpus(path, region_column="region"))


def _unit(v):
    n = np.linalg.norm(v)
    return v / n if n > 0 else v


def expected_scores(model, query):
    """Place name → (text_score, score), computed from the raw texts."""
    texts = [t for ps in PASSAGES.values() for t in ps]
    vec = TfidfVectorizer(tokenizer=model.tokenizer_, token_pattern=None, lowercase=False,
                          sublinear_tf=model.sublinear_tf, min_df=1, max_df=1.0, norm="l2")
    X = vec.fit_transform(texts).toarray()
    q = vec.transform([query]).toarray()[0]
    in_query = q > 0
    query_mass = vec.idf_[in_query].sum()
    beta, m = model.passage_weight, model.top_passages
    out, row = {}, 0
    for place, passages in PASSAGES.items():
        rows = X[row:row + len(passages)]
        row += len(passages)
        cos = rows @ q
        top = np.sort(cos)[::-1][:m]
        pooled = 1.0 - np.prod(1.0 - top)
        similarity = q @ _unit(rows.sum(axis=0))
        text = beta * pooled + (1.0 - beta) * similarity
        coverage = max(vec.idf_[in_query & (r > 0)].sum() / query_mass for r in rows)
        out[place] = (text, text * coverage ** model.coverage_power) if cos.max() > 0 else (0.0, 0.0)
    return out


@pytest.mark.parametrize("query", QUERIES)
def test_scores_match_an_independent_computation(fitted, query):
    expected = expected_scores(fitted, query)
    result = fitted.recommend({"text": query}, top_k=10, evidence_k=1)
    got = {m.name: m for m in result.matches}
    # every place with a passage about the query is returned, in the order of its score
    assert set(got) == {p for p, (_, s) in expected.items() if s > 0}
    assert [m.name for m in result.matches] == sorted(got, key=lambda p: -expected[p][1])
    for name, match in got.items():
        text, score = expected[name]
        assert match.text_score == pytest.approx(text, abs=2e-6)
        assert match.score == pytest.approx(score, abs=2e-6)
        # tags are switched off: the whole score is its text part
        assert match.tag_part == 0.0 and match.text_part == pytest.approx(score, abs=2e-6)

