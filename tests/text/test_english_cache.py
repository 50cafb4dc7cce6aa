"""The CC-CEDICT gloss index is kept in the cache directory between processes."""

from __future__ import annotations

import json

import pytest

from recommender.text import english


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """A cache directory of the test's own, and no index built in this process yet."""
    monkeypatch.setenv("RECOMMENDER_CACHE", str(tmp_path / "cache"))
    english.gloss_index.cache_clear()
    yield tmp_path / "cache"
    english.gloss_index.cache_clear()


def test_the_index_is_written_once_and_read_back_equal(fresh, monkeypatch):
    built = english.gloss_index()
    files = list(fresh.glob("cedict-glosses-*.json"))
    assert len(files) == 1 and not list(fresh.glob("*.tmp"))
    english.gloss_index.cache_clear()

    def no_build():
        raise AssertionError("the cached index should have been read")

    monkeypatch.setattr(english, "_build_index", no_build)
    assert english.gloss_index() == built
    assert english.gloss_index()["nuclear power"][-1] == "核电"


def test_a_damaged_cache_is_rebuilt(fresh):
    built = english.gloss_index()
    path, = fresh.glob("cedict-glosses-*.json")
    for damage in ("{not json", json.dumps(["a list"]), json.dumps({"steel": "钢"})):
        path.write_text(damage, encoding="utf-8")
        english.gloss_index.cache_clear()
        assert english.gloss_index() == built
        assert json.loads(path.read_text(encoding="utf-8"))["nuclear power"][-1] == "核电"


def test_an_unwritable_cache_only_costs_the_build(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("RECOMMENDER_CACHE", str(blocker / "cache"))     # below a file: mkdir fails
    english.gloss_index.cache_clear()
    try:
        assert english.gloss_index()["nuclear power"][-1] == "核电"
    finally:
        english.gloss_index.cache_clear()


def test_the_cache_name_follows_the_dictionary_and_the_code(tmp_path, monkeypatch):
    monkeypatch.setenv("RECOMMENDER_CACHE", str(tmp_path))
    source = tmp_path / "dict.gz"
    source.write_bytes(b"one")
    first = english._cache_file(source)
    source.write_bytes(b"two")
    assert english._cache_file(source) != first and first.parent == tmp_path
