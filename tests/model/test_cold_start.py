"""A loaded model answers without building what a query does not need: no pandas, no
scikit-learn, tables read row by row, saved transposes mapped; and what it builds on
demand is what the fitted model holds."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recommender import Recommender
from recommender.model import persistence
from recommender.model.stored import StoredFrame, TextColumn, stored_table

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def loaded(model_path):
    return Recommender.load(model_path)


def test_query_process_imports_neither_pandas_nor_scikit_learn(model_path):
    code = (
        "import sys, json\n"
        "from recommender import Recommender\n"
        f"m = Recommender.load({str(model_path)!r})\n"
        "r = m.recommend({'sectors': ['陶瓷'], 'text': '日用陶瓷', 'regions': ['株洲市']}, top_k=3)\n"
        "print(json.dumps([r.matches[0].name, 'pandas' in sys.modules, 'sklearn' in sys.modules]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    name, pandas_imported, sklearn_imported = json.loads(out.stdout.strip().splitlines()[-1])
    assert name and not pandas_imported and not sklearn_imported


def test_loaded_tables_stay_stored_until_read(model, model_path):
    m = Recommender.load(model_path)
    m.recommend("轨道交通装备", top_k=3)
    assert set(m.deferred_attributes()) == {"passages_", "entities_"}
    assert isinstance(stored_table(m, "passages_"), StoredFrame)
    assert isinstance(stored_table(m, "passages_")["text"], TextColumn)
    # reading the attribute builds the DataFrame the fitted model holds, once
    pd.testing.assert_frame_equal(m.passages_, model.passages_, check_dtype=False)
    pd.testing.assert_frame_equal(m.entities_, model.entities_, check_dtype=False)
    assert m.passages_ is m.passages_ and m.deferred_attributes() == []
    assert set(persistence.fitted_attributes(m)) == set(persistence.fitted_attributes(model))


def test_rows_read_on_access_match_the_fitted_tables(model, loaded):
    rt = loaded._runtime()
    p = model.passages_
    for i in (0, len(p) // 2, len(p) - 1):
        assert (rt.text[i], rt.norm_text[i], rt.source[i], rt.title[i]) == (
            p["text"][i], p["norm_text"][i], p["source"][i], p["title"][i])
    idx, w = loaded.entity_passages_[3]
    ref_idx, ref_w = model.entity_passages_[3]
    np.testing.assert_array_equal(idx, ref_idx)
    np.testing.assert_array_equal(w, ref_w)
    assert len(loaded.entity_passages_) == len(model.entity_passages_)


def test_saved_transposes_are_the_computed_ones(model, loaded):
    fresh, mapped = model._runtime(), loaded._runtime()
    assert set(loaded.__dict__["_saved_runtime"]) == {"X_T", "T_T", "Traw_T", "centroids_T", "tag_profile_T"}
    for name in ("X_T", "T_T", "Traw_T", "centroids_T", "tag_profile_T"):
        a, b = getattr(fresh, name), getattr(mapped, name)
        assert a.shape == b.shape and (a != b).nnz == 0, name
    assert mapped.X_T is loaded.__dict__["_saved_runtime"]["X_T"]


def test_loaded_model_recommends_as_the_fitted_one(model, loaded):
    for profile in ({"sectors": ["陶瓷"], "text": "日用陶瓷"}, "新能源汽车零部件 寻找配套园区",
                    {"text": "硬质合金刀具", "levels": ["park"]}):
        assert loaded.recommend(profile, top_k=5).to_dict() == model.recommend(profile, top_k=5).to_dict()


def test_pickled_loaded_model_holds_dataframes(model_path):
    m = Recommender.load(model_path)
    back = pickle.loads(pickle.dumps(m))
    assert isinstance(back.__dict__["passages_"], pd.DataFrame)
    assert back.deferred_attributes() == [] and "_saved_runtime" not in back.__dict__
    assert back.recommend("陶瓷", top_k=2).to_dict() == m.recommend("陶瓷", top_k=2).to_dict()


def test_resaving_a_loaded_model_round_trips(model, model_path, tmp_path):
    m = Recommender.load(model_path)
    m.save(tmp_path / "again.model")
    again = Recommender.load(tmp_path / "again.model")
    pd.testing.assert_frame_equal(again.passages_, model.passages_, check_dtype=False)
    assert again.recommend("陶瓷", top_k=3).to_dict() == model.recommend("陶瓷", top_k=3).to_dict()


def test_text_column_with_characters_outside_the_basic_plane():
    values = ["陶瓷", "𠀀𠀁醴陵", "", "株洲"]
    data = np.frombuffer("".join(values).encode("utf-16-le", "surrogatepass"), dtype=np.uint8)
    offsets = np.cumsum([0] + [len(v) for v in values])
    col = TextColumn.from_buffer(data, offsets)
    assert [col[i] for i in range(len(values))] == values and col.tolist() == values
    with pytest.raises(ValueError):
        TextColumn.from_buffer(data, offsets + 1)


def test_text_column_search_matches_a_scan_of_the_items():
    rng = np.random.default_rng(7)
    alphabet = list("陶瓷醴陵株洲x") + ["𠀀", "𠀁"]
    values = ["".join(rng.choice(alphabet, size=rng.integers(0, 6))) for _ in range(60)]
    data = np.frombuffer("".join(values).encode("utf-16-le", "surrogatepass"), dtype=np.uint8)
    stored = TextColumn.from_buffer(data, np.cumsum([0] + [len(v) for v in values]))
    joined = TextColumn.from_strings(values)
    text = "".join(values)
    words = {text[i:i + n] for n in (1, 2, 3, 4) for i in range(len(text) - n + 1)} | {"陶陶陶陶陶", "𠀀𠀀𠀀"}
    for word in sorted(words):
        expected = any(word in v for v in values)
        assert stored.contains(word) == expected == joined.contains(word), word
    assert [stored[i] for i in range(len(values))] == values


def test_text_column_decodes_whole_after_many_reads(monkeypatch):
    from recommender.model import stored

    monkeypatch.setattr(stored, "READS_BEFORE_DECODING", 3)
    values = ["陶瓷", "𠀀醴陵", "株洲", "", "x"]
    data = np.frombuffer("".join(values).encode("utf-16-le", "surrogatepass"), dtype=np.uint8)
    col = TextColumn.from_buffer(data, np.cumsum([0] + [len(v) for v in values]))
    assert [col[i] for i in range(len(values))] * 2 == values * 2
    assert col.contains("醴陵") and not col.contains("瓷𠀀")
