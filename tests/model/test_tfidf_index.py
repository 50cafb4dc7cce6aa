"""The TF-IDF index that answers queries without scikit-learn matches scikit-learn exactly."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.model import features as feat
from recommender.model.tfidf import TfidfIndex, l2_normalize_rows

QUERIES = ["轨道交通装备 牵引变流器配套", "日用陶瓷、电瓷和工业陶瓷", "", "IGBT芯片 功率半导体 半导体",
           "没有任何词在词表里的句子 zzzz", "陶瓷陶瓷陶瓷产业集群"]


@pytest.fixture(scope="module")
def fitted(model):
    from recommender.datasets import load_sample_corpus

    corpus = load_sample_corpus()
    texts = corpus.passages["norm_text"].tolist()[:300]
    vec = feat.make_vectorizer(model.tokenizer_, min_df=1, max_df=0.5, sublinear_tf=True, n_documents=len(texts))
    vec.fit(texts)
    return vec, texts


def test_transform_is_bitwise_equal_to_scikit_learn(fitted):
    vec, texts = fitted
    index = TfidfIndex.from_vectorizer(vec)
    docs = texts[:50] + QUERIES
    ours, theirs = index.transform(docs), sp.csr_matrix(vec.transform(docs))
    assert ours.dtype == theirs.dtype == np.float32
    assert (ours.indptr == theirs.indptr).all() and (ours.indices == theirs.indices).all()
    assert (ours.data == theirs.data).all()


def test_bisection_and_dictionary_agree(fitted, monkeypatch):
    vec, texts = fitted
    a = TfidfIndex.from_vectorizer(vec)
    b = TfidfIndex.from_vectorizer(vec)
    _ = b.vocabulary_  # force the dictionary path
    assert a._vocabulary is None
    assert (a.transform(QUERIES) != b.transform(QUERIES)).nnz == 0
    assert a._vocabulary is None  # a few queries never build the dictionary
    for term in ["陶瓷", "不存在的词语", "", "zzz"]:
        assert a._column(term) == b.vocabulary_.get(term)


def test_unsorted_vocabulary_falls_back_to_the_dictionary():
    index = TfidfIndex(str.split, ["产业", "陶瓷", "集群"][::-1], np.ones(3, dtype=np.float32), sublinear_tf=False)
    assert index._column("产业") == 2 and index._column("陶瓷") == 1 and index._column("无") is None


@pytest.mark.parametrize("block", [1 << 20, 7, 1])
def test_row_normalisation_matches_scikit_learn(monkeypatch, block):
    from sklearn.preprocessing import normalize

    from recommender.model import tfidf

    monkeypatch.setattr(tfidf, "_NORMALIZE_BLOCK", block)

    rng = np.random.default_rng(0)
    m = sp.random(40, 300, density=0.05, format="csr", dtype=np.float32, random_state=rng)
    keep = np.ones(40, dtype=np.float32)
    keep[3] = keep[39] = 0.0
    m = sp.csr_matrix(sp.diags(keep) @ m)  # row 3 empty
    ours = l2_normalize_rows(m)
    theirs = normalize(m, norm="l2")
    assert (ours != theirs).nnz == 0


@pytest.mark.parametrize("min_df, max_df", [(1, 0.5), (2, 1.0), (1, 30), (0.01, 0.2)])
def test_streamed_fit_is_bitwise_equal_to_scikit_learn(model, min_df, max_df):
    from recommender.datasets import load_sample_corpus
    from recommender.model.tfidf import count_tokens, fit_tfidf

    texts = load_sample_corpus().passages["norm_text"].tolist()
    vec = feat.make_vectorizer(model.tokenizer_, min_df=min_df, max_df=max_df, sublinear_tf=True,
                               n_documents=len(texts))
    theirs = sp.csr_matrix(vec.fit_transform(texts))
    chunks = (count_tokens(model.tokenizer_, texts[i:i + 97]) for i in range(0, len(texts), 97))
    X, names, idf = fit_tfidf(chunks, min_df=min_df, max_df=max_df, sublinear_tf=True)
    assert names.tolist() == vec.get_feature_names_out().tolist()
    assert idf.dtype == np.float32 and (idf == vec.idf_).all()
    assert (X.indptr == theirs.indptr).all() and (X.indices == theirs.indices).all()
    assert (X.data == theirs.data).all()
    index = TfidfIndex(model.tokenizer_, names, idf, sublinear_tf=True)
    counted = index.transform_counts([count_tokens(model.tokenizer_, QUERIES)])
    direct = index.transform(QUERIES)
    assert (counted.indices == direct.indices).all() and (counted.data == direct.data).all()


def test_streamed_fit_refuses_an_empty_vocabulary():
    from recommender.model.tfidf import count_tokens, fit_tfidf

    with pytest.raises(ValueError, match="empty vocabulary"):
        fit_tfidf([count_tokens(str.split, ["", " "])])
    # empty texts first and last, and a term pruned by max_df
    X, names, _ = fit_tfidf([count_tokens(str.split, ["", "甲 乙", "甲 丙", "甲", ""])], max_df=2)
    assert names.tolist() == ["丙", "乙"] and X.shape == (5, 2) and X.indptr.tolist() == [0, 0, 1, 2, 2, 2]
    with pytest.raises(ValueError, match="no terms remain"):
        fit_tfidf([count_tokens(str.split, ["甲 乙", "甲 丙"])], min_df=3, max_df=10)


def test_expansion_vectors_from_per_sector_counts_equal_the_joined_text(model):
    """A combination's expansion is its sectors' words joined by spaces; the counts kept
    per sector add up to the joined text's, so the weighted rows are bitwise equal."""
    from recommender.model.prepare import sum_counts

    tax, rt, index = model.taxonomy_, model._runtime(), model.vectorizer_
    codes = list(tax.codes)
    combos = [tuple(codes[i:i + k]) for k in (1, 2, 3) for i in range(0, len(codes) - k, 7)]
    joined = index.transform([" ".join(w for c in combo for w in tax.expansion_words(c)) for combo in combos])
    summed = index.weigh_counts([sum_counts(rt.expansion_counts(c) for c in combo) for combo in combos])
    assert joined.nnz > 0
    assert (joined.indptr == summed.indptr).all() and (joined.indices == summed.indices).all()
    assert (joined.data == summed.data).all()
