"""The Dask backend gives the same results as the local (joblib) one."""

from __future__ import annotations

import pandas as pd
import pytest

from recommender.batch import score_batch

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        yield cluster


def _rankings(frame):
    return [[(m["entity_id"], m["score"], m["text_score"], m["tag_score"]) for m in ms] for ms in frame["matches"]]


def test_dask_cluster_matches_loky(model, messy_profiles, cluster):
    local = score_batch(model, messy_profiles, top_k=4, evidence_k=2, n_jobs=2, chunk_size=3)
    remote = score_batch(model, messy_profiles, top_k=4, evidence_k=2, backend="dask",
                         scheduler=cluster.scheduler_address, chunk_size=3)
    assert _rankings(remote) == _rankings(local)
    pd.testing.assert_frame_equal(remote, local)


def test_dask_with_a_connected_client(model, messy_profiles, cluster):
    serial = score_batch(model, messy_profiles, top_k=2, evidence_k=1)
    with distributed.Client(cluster) as client:
        remote = score_batch(model, messy_profiles, top_k=2, evidence_k=1, backend="dask",
                             scheduler=client, chunk_size=5)
        assert client.status == "running"  # a client we were given is left open
    pd.testing.assert_frame_equal(remote, serial)


def test_unreachable_scheduler_is_an_input_error(model, monkeypatch):
    import recommender.batch.backends as backends
    from recommender.exceptions import InputError

    monkeypatch.setattr(backends, "DASK_CONNECT_TIMEOUT", "2s")
    with pytest.raises(InputError, match="cannot connect to the Dask scheduler"):
        score_batch(model, [{"text": "陶瓷"}], backend="dask", scheduler="tcp://127.0.0.1:1")


@pytest.mark.filterwarnings("ignore:Port .* is already in use")
def test_local_cluster_started_for_the_run(model, messy_profiles):
    """Without a scheduler a LocalCluster of worker processes is started and closed."""
    serial = score_batch(model, messy_profiles.head(6), top_k=2, evidence_k=1)
    remote = score_batch(model, messy_profiles.head(6), top_k=2, evidence_k=1, backend="dask", n_jobs=2,
                         chunk_size=3)
    pd.testing.assert_frame_equal(remote, serial)
