"""Fixtures shared by every test package: the sample corpus and one model fitted on it.

The model is fitted once per test session and shared; tests must not modify it (fit a
model of their own, or copy the saved one, when they need to change something).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender import Recommender, load_sample_corpus

#: ``../shared`` beside the repository: reference data and benchmarks.
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def sample_corpus():
    """The bundled Hunan sample corpus, loaded once."""
    return load_sample_corpus()


@pytest.fixture(scope="session")
def model(sample_corpus):
    """A :class:`Recommender` with default parameters fitted on the sample corpus."""
    return Recommender().fit(sample_corpus)


@pytest.fixture(scope="session")
def model_path(model, tmp_path_factory):
    """The session model saved once (read-only: copy it before changing it)."""
    path = tmp_path_factory.mktemp("model") / "model.joblib"
    model.save(path)
    return path


@pytest.fixture(scope="session")
def shared_dir():
    """``../shared``, or skip when the reference data is not beside the clone."""
    if not SHARED.is_dir():
        pytest.skip("../shared reference data not available")
    return SHARED
