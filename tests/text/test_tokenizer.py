import pickle

import jieba
import pytest

from recommender.exceptions import UnknownOptionError
from recommender.text.normalize import normalize_for_features, to_simplified
from recommender.text.tokenizer import Tokenizer


def test_domain_words_stay_whole_and_stopwords_drop():
    tok = Tokenizer(user_words=["清水塘生态科技新城", "硬质合金", "轨道交通装备"])
    tokens = tok("各位代表，坚持推进清水塘生态科技新城建设，做强硬质合金和轨道交通装备产业")
    assert "清水塘生态科技新城" in tokens and "硬质合金" in tokens and "轨道交通装备" in tokens
    assert not {"各位代表", "坚持", "推进", "和", "，"} & set(tokens)


def test_no_global_jieba_state_is_touched():
    word = "某某测试专用新词汇"
    before = jieba.dt.FREQ.get(word) if jieba.dt.initialized else None
    Tokenizer(user_words=[word])("这是" + word)
    after = jieba.dt.FREQ.get(word) if jieba.dt.initialized else None
    assert before == after is None


def test_picklable_and_same_tokens_after_round_trip():
    tok = Tokenizer(user_words=["田心高科园"])
    text = "田心高科园 IGBT 功率半导体"
    first = tok(text)
    clone = pickle.loads(pickle.dumps(tok))
    assert clone._engine is None
    assert clone(text) == first
    assert "igbt" in first


def test_unknown_backend():
    with pytest.raises(UnknownOptionError, match="jieba"):
        Tokenizer(backend="spacy")


def test_rjieba_backend_keeps_domain_words():
    pytest.importorskip("rjieba")
    tok = Tokenizer(user_words=["田心高科园"], backend="rjieba")
    assert "田心高科园" in tok("加快田心高科园建设")
    assert pickle.loads(pickle.dumps(tok))("田心高科园") == ["田心高科园"]


def test_normalisation_works_on_a_copy():
    raw = "“ 十四五 ” 時期 2020 年"
    assert normalize_for_features(raw) == "“十四五”时期2020年"
    assert raw == "“ 十四五 ” 時期 2020 年"
    assert to_simplified("醫療器械") == "医疗器械"


@pytest.mark.parametrize("searches", [10**9, 50])
def test_stored_prefix_dictionary_segments_like_jieba(monkeypatch, searches):
    """A tokenizer reading its prefix dictionary from arrays (as a loaded model does) cuts
    exactly like one that loaded jieba's dictionary, before and after it switches to a dict."""
    from recommender.datasets import load_sample_corpus
    from recommender.text import tokenizer as tok_module
    from recommender.text.tokenizer import PrefixDictionary, Tokenizer

    monkeypatch.setattr(tok_module, "_SEARCHES_BEFORE_DICT", searches)
    words = ["田心高科园", "轨道交通装备", "醴陵经开区"]
    full = Tokenizer(user_words=words)
    stored = Tokenizer(user_words=words, dictionary=PrefixDictionary(*full.prefix_dictionary()))
    texts = load_sample_corpus().passages["norm_text"].tolist()[:200] + ["", "IGBT模块 and SiC", "𠀀字"]
    assert [stored.segment(t) for t in texts] == [full.segment(t) for t in texts]
    assert (stored.engine.FREQ._full is not None) == (searches < 10**9)
