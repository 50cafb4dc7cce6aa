"""Fixtures for the robustness tests: the session model saved with a pinned build fingerprint.

The model is saved with a fixed build fingerprint (and the CLI tests see the same one), so
that the CLI's "fitted by a different build" notice never adds a stderr line while the
package's sources are being edited.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from recommender.model import persistence

# tests/robustness/conftest.py -> repo root is parents[2]; ../shared sits beside the clone
SHARED = Path(__file__).resolve().parents[3] / "shared"
FINGERPRINT = "robustness-tests"


@pytest.fixture(scope="session")
def saved_model(model, tmp_path_factory):
    """Path of the session model saved once (do not modify it: copy it with ``model_copy``)."""
    path = tmp_path_factory.mktemp("robust-model") / "model.model"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(persistence, "code_fingerprint", lambda: FINGERPRINT)
        model.save(path)
    return path


@pytest.fixture()
def model_copy(saved_model, tmp_path):
    """A private copy of the saved model and its manifest, free to corrupt."""
    dst = tmp_path / "copy" / "model.model"
    dst.parent.mkdir()
    shutil.copy2(saved_model, dst)
    shutil.copy2(persistence.manifest_path(saved_model), persistence.manifest_path(dst))
    return dst


@pytest.fixture()
def cli_env(monkeypatch, saved_model):
    """Point the CLI at the session model and pin the build fingerprint."""
    monkeypatch.setattr(persistence, "code_fingerprint", lambda: FINGERPRINT)
    monkeypatch.setenv("RECOMMENDER_MODEL", str(saved_model))
    return saved_model
