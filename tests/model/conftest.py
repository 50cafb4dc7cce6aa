from pathlib import Path

import pytest

from recommender import Recommender, load_sample_corpus

SHARED = Path(__file__).resolve().parents[3] / "shared"


@pytest.fixture(scope="session")
def sample_corpus():
    return load_sample_corpus()


@pytest.fixture(scope="session")
def model(sample_corpus):
    return Recommender().fit(sample_corpus)


@pytest.fixture(scope="session")
def shared_dir():
    if not SHARED.is_dir():
        pytest.skip("../shared reference data not available")
    return SHARED
