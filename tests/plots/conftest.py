"""Fixtures for the plot tests: the Agg backend and one result of the session model."""

from __future__ import annotations

import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

@pytest.fixture(scope="session")
def rail_result(model):
    return model.recommend({"profile_id": "rail", "sectors": ["轨道交通装备"], "text": "牵引变流器配套"},
                           top_k=6)


@pytest.fixture(autouse=True)
def _close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")
