"""The sparse, vectorised scoring agrees with a slow dense brute-force reading of the rule
(passage relevance gated by coverage of the profile's distinguishing content), both read
from the same fitted matrices and query vectors; the independent check, from raw text
with scikit-learn, is ``test_oracle.py``."""

import numpy as np

from recommender.model import features as feat
from recommender.model.links import catalogue_tags
from recommender.model.prepare import query_vectors

PROFILES = [
    {"sectors": ["轨道交通装备"], "text": "轨道交通牵引变流器配套企业"},
    {"text": "功率半导体（IGBT模块封装测试）企业"},
    {"sectors": ["陶瓷"]},
    {"text": "物流园区与仓储用地 冷链"},
    {"text": "Ceramic tableware"},
    {"sectors": ["陶瓷", "日用陶瓷"], "text": "轨道交通装备配套与陶瓷新材料"},
]


def _unit(v):
    n = np.linalg.norm(v)
    return v / n if n > 0 else v


def _soft_or_top(values, m):
    top = np.sort(np.clip(values, 0, 1))[::-1][:m]
    return 1.0 - np.prod(1.0 - top)


def brute_force(model, prepared):
    X = model.X_.toarray().astype(np.float64)
    T_exact = model.T_.toarray().astype(np.float64)
    T_full = feat.expand_tags(model.T_raw_, model.hierarchy_).toarray().astype(np.float64)
    L = model.L_.toarray().astype(np.float64)
    catalogue = catalogue_tags(list(model.entity_ids_), model.gazetteer_, model.taxonomy_)
    C = feat.expand_tags(catalogue, model.hierarchy_).toarray().astype(np.float64)
    tax = model.taxonomy_
    Q = query_vectors(model, [prepared])[0].toarray().astype(np.float64)[0]
    tq = np.zeros(len(tax.codes))
    for code, w in zip(prepared.codes, prepared.tag_weights):
        tq[tax.index(code)] = min(1.0, w)
    beta, m = model.passage_weight, model.top_passages
    rt = model._runtime()
    vocab = model.vectorizer_.vocabulary_
    # the profile's distinguishing content: specific own words (IDF), its tags, words never used
    spec = {vocab[t.term]: t.content for t in prepared.own_terms if t.term in vocab and t.content > 0}
    content_tags = np.zeros(len(tax.codes))
    for code, units in zip(prepared.codes, prepared.tag_content):
        content_tags[tax.index(code)] = units
    total = (sum(spec.values()) + rt.max_idf * content_tags.sum() + prepared.missing_mass
             + sum(m for _, _, m in prepared.phrases))
    norm_text = model.passages_["norm_text"].tolist()

    def coverage(u):
        held = sum(v for k, v in spec.items() if X[u, k] > 0) + rt.max_idf * (content_tags @ (T_exact[u] > 0))
        held += sum(m for text, parts, m in prepared.phrases
                    if all(X[u, vocab[w]] > 0 for w in parts) and text in norm_text[model.unit_passage_[u]])
        return min(1.0, held / total) if total > 0 else 0.0

    lead = min(1.0, prepared.tag_lead)
    out = np.zeros((3, L.shape[1]))
    for j in range(L.shape[1]):
        units = np.flatnonzero(L[:, j])
        w = L[units, j]
        mass = L[:, j].sum()
        shrink = mass / (mass + model.evidence_prior)
        cov = np.array([coverage(u) for u in units])
        s = np.array([Q @ X[u] for u in units]) * (cov > 0)
        g = np.array([min(1.0, tq @ T_exact[u] / tq.sum()) if tq.sum() > 0 else 0.0 for u in units]) * (cov > 0)
        centroid = _unit(sum(L[u, j] * X[u] for u in units))
        profile = _unit(_unit(sum(L[u, j] * T_full[u] for u in units)) + model.catalogue_weight * C[j])
        text = beta * _soft_or_top(w * s, m) + (1 - beta) * (Q @ centroid) * shrink
        tag = beta * _soft_or_top(w * g, m) + (1 - beta) * (_unit(tq) @ profile) * shrink
        share = (1 - model.text_weight) * lead
        score = ((1 - share) * text + share * tag) * cov.max(initial=0.0) ** model.coverage_power
        out[:, j] = [min(1.0, max(0.0, score)), text, tag]
    return out


def test_sparse_scoring_matches_dense_oracle(model):
    for raw in PROFILES:
        prepared = model.prepare(raw)
        fast = model.score_matrix([prepared])
        slow = brute_force(model, prepared)
        np.testing.assert_allclose(fast.score[0], slow[0], atol=1e-5)
        np.testing.assert_allclose(fast.text_score[0], slow[1], atol=1e-5)
        np.testing.assert_allclose(fast.tag_score[0], slow[2], atol=1e-5)
