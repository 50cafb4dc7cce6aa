"""The exact "is this word written in the passages" lookup and its character-gram filter."""

from __future__ import annotations

import random

import pytest

from recommender.model.runtime import SCANS_BEFORE_FILTER, RuntimeTables, GramFilter

ALPHABET = "新能源汽车电池材料铝箔钟表机芯纺织羊绒产业园区县市发展"


def _random_text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(n))


def test_filter_never_rejects_a_substring_of_its_text():
    rng = random.Random(7)
    text = _random_text(rng, 5_000)
    grams = GramFilter(text)
    for _ in range(2_000):
        i = rng.randrange(len(text) - 8)
        assert grams.may_hold(text[i:i + rng.randint(1, 8)])


def test_filter_rejects_most_absent_words():
    rng = random.Random(11)
    text = _random_text(rng, 300)
    grams = GramFilter(text)
    absent = [w for w in (_random_text(rng, 6) for _ in range(500)) if w not in text]
    rejected = sum(not grams.may_hold(w) for w in absent)
    assert rejected > 0.9 * len(absent)


def test_filter_reads_text_longer_than_one_block():
    text = "甲" * (GramFilter.BLOCK - 3) + "钟表机芯羊绒"          # runs of 6 across the block border
    grams = GramFilter(text)
    assert grams.may_hold("钟表机芯") and grams.may_hold("甲钟表") and grams.may_hold("甲甲钟表")
    assert grams.may_hold("甲甲甲钟表机") and grams.may_hold("表机芯羊绒")
    assert not grams.may_hold("机芯钟")


def test_filter_rejects_a_word_by_its_longer_runs():
    # every pair and triple of characters of the word is in the text, not the word
    text = "投资咨询，咨询服务，投资咨询业，资咨询服"
    grams = GramFilter(text)
    assert not grams.may_hold("投资咨询服务")
    assert grams.may_hold("咨询服务")


def test_filter_bitmap_grows_with_the_text_up_to_its_cap():
    small, large = GramFilter("钟表" * 10), GramFilter("钟表机芯" * 300_000)
    assert small.bits == GramFilter.MIN_BITS
    assert large.bits == min(GramFilter.MAX_BITS, (1_200_000 * GramFilter.BITS_PER_CHARACTER - 1).bit_length())
    assert large.bits > small.bits


def test_answers_are_the_same_before_and_after_the_filter_exists(model):
    tables = RuntimeTables(model)
    words = [p[:k] for p in tables.norm_text[:20] for k in (3, 5)] + ["钟表机芯", "羊绒纱线", "铝板带箔", "石峰区"]
    words += [f"不存在的词{i}" for i in range(SCANS_BEFORE_FILTER)]
    answers = [tables.written_in_corpus(w) for w in words]
    assert "_grams" in tables.__dict__            # enough lookups to build the filter
    joined = "\n".join(tables.norm_text)
    assert answers == [w in joined for w in words]
    fresh = RuntimeTables(model)
    fresh._grams = GramFilter(joined)
    assert [fresh.written_in_corpus(w) for w in words] == answers


@pytest.mark.parametrize("word", ["", "a", "z"])
def test_single_characters_are_always_scanned(word):
    assert GramFilter("xyz").may_hold(word)
