"""The exact "is this word written in the passages" lookup and its trigram filter."""

from __future__ import annotations

import random

import pytest

from recommender.model.runtime import SCANS_BEFORE_FILTER, RuntimeTables, TrigramFilter

ALPHABET = "新能源汽车电池材料铝箔钟表机芯纺织羊绒产业园区县市发展"


def _random_text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(n))


def test_filter_never_rejects_a_substring_of_its_text():
    rng = random.Random(7)
    text = _random_text(rng, 5_000)
    grams = TrigramFilter(text)
    for _ in range(2_000):
        i = rng.randrange(len(text) - 8)
        assert grams.may_hold(text[i:i + rng.randint(1, 8)])


def test_filter_rejects_most_absent_words():
    rng = random.Random(11)
    text = _random_text(rng, 300)
    grams = TrigramFilter(text)
    absent = [w for w in (_random_text(rng, 6) for _ in range(500)) if w not in text]
    rejected = sum(not grams.may_hold(w) for w in absent)
    assert rejected > 0.9 * len(absent)


def test_filter_reads_text_longer_than_one_block():
    text = "甲" * (1 << 20) + "钟表机芯"
    grams = TrigramFilter(text)
    assert grams.may_hold("钟表机芯") and grams.may_hold("甲钟表")
    assert not grams.may_hold("机芯钟")


def test_answers_are_the_same_before_and_after_the_filter_exists(model):
    tables = RuntimeTables(model)
    words = [p[:k] for p in tables.norm_text[:20] for k in (3, 5)] + ["钟表机芯", "羊绒纱线", "铝板带箔", "石峰区"]
    words += [f"不存在的词{i}" for i in range(SCANS_BEFORE_FILTER)]
    answers = [tables.written_in_corpus(w) for w in words]
    assert "_trigrams" in tables.__dict__            # enough lookups to build the filter
    joined = "\n".join(tables.norm_text)
    assert answers == [w in joined for w in words]
    fresh = RuntimeTables(model)
    fresh._trigrams = TrigramFilter(joined)
    assert [fresh.written_in_corpus(w) for w in words] == answers


@pytest.mark.parametrize("word", ["", "a", "ab"])
def test_short_words_are_always_scanned(word):
    assert TrigramFilter("xyz").may_hold(word)
