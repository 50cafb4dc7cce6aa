"""Fixtures for the corpus tests: the provincial reports, loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.corpus import load_corpus
from recommender.datasets import sample_corpus_paths

# tests/corpus/conftest.py -> the repo root is parents[2]; ../shared sits beside the clone
SHARED = Path(__file__).resolve().parents[3] / "shared"
PROVINCIAL = SHARED / "data" / "provincial_reports_2026"


@pytest.fixture(scope="session")
def provincial_corpus():
    if not PROVINCIAL.is_dir():
        pytest.skip("shared reference data (../shared) not present")
    return load_corpus(PROVINCIAL)

