"""score_batch / iter_score_batch: one row per input profile, in order, bad rows isolated."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from recommender.batch import RESULT_COLUMNS, iter_score_batch, score_batch, score_chunk
from recommender.exceptions import InputError, UnknownOptionError
from recommender.profiles import InvestorProfile


def _by_id(frame):
    return dict(zip(frame["row"], frame.to_dict(orient="records")))


def test_every_row_comes_back_in_order(model, messy_profiles):
    out = score_batch(model, messy_profiles, top_k=3, evidence_k=1)
    assert list(out.columns) == RESULT_COLUMNS
    assert len(out) == len(messy_profiles)
    assert out["row"].tolist() == list(range(len(messy_profiles)))
    expected_ids = [pid if isinstance(pid, str) else str(i) for i, pid in enumerate(messy_profiles["profile_id"])]
    assert out["profile_id"].tolist() == expected_ids
    assert out["profile_id"].tolist().count("ceramics") == 2
    assert (out["n_matches"] == out["matches"].map(len)).all()


def test_bad_rows_get_their_own_error(model, messy_profiles):
    out = score_batch(model, messy_profiles, top_k=3, evidence_k=1).set_index("row")
    errors = out["error"]
    for row in (1, 2):  # empty and all-NaN
        assert "empty" in errors[row]
    # an unknown sector alone whose words the reports never use cannot be searched: an error
    assert "unknown sector" in errors[3] and "不存在的行业" in errors[3]
    assert "unknown region" in errors[5] and "火星" in errors[5]
    assert "unknown level" in errors[6] and "planet" in errors[6]
    for row in (1, 2, 3, 5, 6):
        assert out.loc[row, "n_matches"] == 0
        assert "\n" not in errors[row]
    # the others are scored and unaffected by their neighbours
    for row in (0, 4, 7, 8, 9, 10, 11, 12):
        assert errors[row] is None, (row, errors[row])
        assert out.loc[row, "n_matches"] >= 1
    assert out.loc[0, "matches"] == out.loc[10, "matches"]
    assert out.loc[0, "matches"][0]["name"] == "醴陵市"


def test_warnings_for_partial_sectors_and_long_text(model, messy_profiles):
    out = score_batch(model, messy_profiles, top_k=3, evidence_k=1).set_index("row")
    assert any("不存在的行业" in w for w in out.loc[4, "warnings"])
    assert any("truncated" in w for w in out.loc[7, "warnings"])
    assert out.loc[0, "warnings"] == []
    assert out["weak_evidence"].dtype == bool


def test_filters_are_applied_per_row(model, messy_profiles):
    out = score_batch(model, messy_profiles, top_k=5, evidence_k=1).set_index("row")
    levels = {m["level"] for m in out.loc[11, "matches"]}
    assert levels == {"district"}
    assert all(m["path"][0] == "湖南省" for m in out.loc[11, "matches"])


def test_match_records_follow_the_contract(model):
    out = score_batch(model, [{"profile_id": "p", "sectors": ["陶瓷"], "text": "日用陶瓷"}], top_k=2, evidence_k=2)
    match = out.loc[0, "matches"][0]
    expected = model.recommend({"sectors": ["陶瓷"], "text": "日用陶瓷"}, top_k=2, evidence_k=2)
    assert match == expected.matches[0].to_dict()
    for ev in match["evidence"]:
        assert 0 <= ev["start"] < ev["end"]
        assert 0.0 <= match["score"] <= 1.0


def test_chunked_path_agrees_with_one_shot(model, messy_profiles):
    one = score_batch(model, messy_profiles, top_k=4, evidence_k=2)
    chunked = score_batch(model, messy_profiles, top_k=4, evidence_k=2, chunk_size=3)
    pd.testing.assert_frame_equal(one, chunked)


def test_iter_score_batch_yields_bounded_chunks(model, messy_profiles):
    chunks = list(iter_score_batch(model, messy_profiles, top_k=2, evidence_k=1, chunk_size=4))
    assert [len(c) for c in chunks] == [4, 4, 4, 1]
    assert pd.concat(chunks)["row"].tolist() == list(range(len(messy_profiles)))


def test_streams_a_generator_without_len(model):
    def gen():
        for i in range(7):
            yield {"profile_id": f"g{i}", "text": "陶瓷" if i % 2 else ""}

    it = iter_score_batch(model, gen(), top_k=1, evidence_k=0, chunk_size=3)
    first = next(it)
    assert first["profile_id"].tolist() == ["g0", "g1", "g2"]
    rest = pd.concat(list(it))
    assert rest["profile_id"].tolist() == ["g3", "g4", "g5", "g6"]
    assert rest["error"].isna().tolist() == [True, False, True, False]


def test_unknown_columns_warn_once(model, messy_profiles, caplog):
    table = messy_profiles.assign(owner="x", budget=1.5)
    with caplog.at_level(logging.WARNING, logger="recommender.batch.chunks"):
        out = score_batch(model, table, top_k=1, evidence_k=0, chunk_size=2)
    msgs = [r.getMessage() for r in caplog.records if "unknown profile column" in r.getMessage()]
    assert len(msgs) == 1 and "'budget'" in msgs[0] and "'owner'" in msgs[0]
    assert out["error"].notna().sum() == 5  # empty (2), unsearchable sector, unknown region, unknown level


def test_malformed_cells_err_only_their_row(model):
    rows = [
        {"profile_id": "ok", "sectors": ["陶瓷"], "text": "日用陶瓷"},
        {"profile_id": "dict", "sectors": {"a": 1}, "text": "陶瓷"},
        {"profile_id": "nested", "sectors": [["陶瓷"]], "text": ""},
        {"profile_id": "bool", "text": True},
        {"profile_id": "jsonl", "__error__": "line 5: invalid JSON (Expecting value)"},
        {"profile_id": "numeric", "text": 12345, "sectors": "陶瓷"},
        "轨道交通装备 牵引变流器",
        InvestorProfile(sectors=["陶瓷"], profile_id="obj"),
        42,
    ]
    out = score_batch(model, rows, top_k=1, evidence_k=0).set_index("row")
    assert out.loc[0, "error"] is None
    assert "malformed cell in column 'sectors'" in out.loc[1, "error"]
    assert "malformed cell in column 'sectors'" in out.loc[2, "error"]
    assert "malformed cell in column 'text'" in out.loc[3, "error"]
    assert out.loc[4, "error"].startswith("line 5")
    assert out.loc[5, "error"] is None
    assert out.loc[6, "error"] is None and out.loc[6, "profile_id"] == "6"
    assert out.loc[7, "profile_id"] == "obj" and out.loc[7, "error"] is None
    assert "not int" in out.loc[8, "error"]


def test_an_unexpected_failure_is_isolated_to_its_profile(model):
    class Flaky:
        """Fails on any chunk holding the profile whose text is 'boom'."""

        def recommend_many(self, profiles, **kw):
            if any(p.text == "boom" for p in profiles):
                raise RuntimeError("boom\nwith a second line")
            return model.recommend_many(profiles, **kw)

    items = [(0, "a", {"text": "陶瓷"}), (1, "b", {"text": "boom"}), (2, "c", {"text": "陶瓷"})]
    out = score_chunk(Flaky(), items, top_k=1, evidence_k=0)
    assert [r.profile_id for r in out] == ["a", "b", "c"]
    assert out[1].error == "internal error: RuntimeError: boom"
    assert out[0].error is None and out[2].matches


def test_recommender_method_delegates(model, messy_profiles):
    direct = score_batch(model, messy_profiles, top_k=2, evidence_k=1)
    via = model.score_batch(messy_profiles, top_k=2, evidence_k=1)
    pd.testing.assert_frame_equal(direct, via)


def test_empty_input_gives_empty_frame(model):
    out = score_batch(model, pd.DataFrame({"text": pd.Series([], dtype=str)}))
    assert list(out.columns) == RESULT_COLUMNS and len(out) == 0


@pytest.mark.parametrize("kwargs, exc", [
    ({"top_k": 0}, InputError), ({"evidence_k": -1}, InputError), ({"chunk_size": 0}, InputError),
    ({"n_jobs": 0}, InputError), ({"backend": "spark"}, UnknownOptionError),
    ({"scheduler": "tcp://x:1"}, InputError),
])
def test_bad_parameters_raise(model, kwargs, exc):
    with pytest.raises(exc):
        score_batch(model, [{"text": "陶瓷"}], **kwargs)


def test_single_profile_not_in_a_list_raises(model):
    with pytest.raises(InputError, match="wrap a single profile"):
        score_batch(model, {"text": "陶瓷"})


def test_scores_are_deterministic_and_in_range(model, messy_profiles):
    a = score_batch(model, messy_profiles, top_k=5)
    b = score_batch(model, messy_profiles, top_k=5)
    pd.testing.assert_frame_equal(a, b)
    scores = np.array([m["score"] for ms in a["matches"] for m in ms])
    assert ((scores >= 0) & (scores <= 1)).all()


def test_progress_bar_only_on_a_terminal(model, monkeypatch):
    import io
    import sys

    from recommender.batch.chunks import progress_bar as _progress_bar

    assert _progress_bar(False, 10) is None
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a TTY
    assert _progress_bar(True, 10) is None
    out = score_batch(model, [{"text": "陶瓷"}], top_k=1, progress=True)
    assert len(out) == 1

    class FakeTTY(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stderr", FakeTTY())
    pytest.importorskip("tqdm")
    bar = _progress_bar(True, 10)
    assert bar is not None
    bar.update(10)
    bar.close()
    monkeypatch.setitem(sys.modules, "tqdm", None)  # tqdm missing: silently no bar
    assert _progress_bar(True, 10) is None
