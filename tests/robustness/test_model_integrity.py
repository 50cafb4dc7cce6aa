"""Model artifacts: plain data only. Every damaged, foreign or tampered file is refused
with one line, nothing on the load path unpickles (so a swapped file cannot run code, even
with its manifest rewritten), saves are atomic, and every fitted attribute round-trips."""

from __future__ import annotations

import hashlib
import io
import json
import os
import pickle
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from recommender import Recommender
from recommender.exceptions import ModelError
from recommender.model import persistence
from recommender.model.persistence import manifest_path

PROFILES = [{"sectors": ["陶瓷"], "text": "日用陶瓷"}, {"text": "新能源汽车零部件", "regions": ["长沙市"]},
            "轨道交通装备", {"sectors": ["硬质合金"], "levels": ["park"]}]


@pytest.fixture(autouse=True)
def no_unpickling(monkeypatch):
    """Fail the test if anything on the load path unpickles."""

    def forbidden(*args, **kwargs):
        pytest.fail("the load path unpickled something")

    for module, name in ((pickle, "load"), (pickle, "loads"), (pickle, "Unpickler"), (joblib, "load")):
        monkeypatch.setattr(module, name, forbidden)


class _Payload:
    """Unpickling this writes a marker file: the proof that a file ran code."""

    marker = None

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _manifest(path):
    return json.loads(manifest_path(path).read_text(encoding="utf-8"))


def _write_manifest(path, manifest):
    manifest_path(path).write_text(json.dumps(manifest), encoding="utf-8")


def _refused(path, *pieces):
    with pytest.raises(ModelError) as info:
        Recommender.load(path)
    msg = str(info.value)
    assert "\n" not in msg
    for piece in pieces:
        assert piece in msg, msg
    return msg


def _members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _forge(path, members: dict[str, bytes]):
    """Write ``members`` as the model archive and a manifest that matches it exactly: what
    someone who can write both files would do."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    path.write_bytes(buf.getvalue())
    m = _manifest(path) if manifest_path(path).exists() else {
        "format": "recommender-model", "schema_version": persistence.SCHEMA_VERSION,
        "versions": persistence._versions()}
    m["files"] = {path.name: {"sha256": hashlib.sha256(buf.getvalue()).hexdigest(), "bytes": len(buf.getvalue())}}
    m["contents"] = {n: {"sha256": hashlib.sha256(d).hexdigest(), "bytes": len(d)} for n, d in members.items()}
    _write_manifest(path, m)


def test_intact_copy_loads_and_recommends_the_same(model, model_copy):
    loaded = Recommender.load(model_copy)
    for profile in PROFILES:
        assert model.recommend(profile, top_k=5).to_dict() == loaded.recommend(profile, top_k=5).to_dict()


def test_archive_holds_arrays_and_json_only(model_copy):
    members = _members(model_copy)
    assert "model.json" in members
    for name, data in members.items():
        assert name == "model.json" or name.endswith(".npy"), name
        if name.endswith(".npy"):
            assert not np.load(io.BytesIO(data), allow_pickle=False).dtype.hasobject
    index = json.loads(members["model.json"])
    assert set(index["attributes"]) == set(persistence.fitted_attributes(Recommender.load(model_copy)))


@pytest.mark.parametrize("where", [0, 1, 100, -1, "middle"])
def test_changed_byte(model_copy, where):
    data = bytearray(model_copy.read_bytes())
    i = len(data) // 2 if where == "middle" else where
    data[i] ^= 0x01
    model_copy.write_bytes(bytes(data))
    _refused(model_copy, "SHA-256", "refit with 'recommender fit'")


@pytest.mark.parametrize("keep", [0, 10, 0.5])
def test_truncated_file(model_copy, keep):
    data = model_copy.read_bytes()
    n = int(len(data) * keep) if isinstance(keep, float) else keep
    model_copy.write_bytes(data[:n])
    _refused(model_copy, "truncated", "refit")


def test_appended_bytes(model_copy):
    with open(model_copy, "ab") as fh:
        fh.write(b"\x00" * 16)
    _refused(model_copy, "bytes but its manifest says", "refit")


@pytest.mark.parametrize("schema", [0, 1, persistence.SCHEMA_VERSION - 1, persistence.SCHEMA_VERSION + 1, 999,
                                    str(persistence.SCHEMA_VERSION), None, True])
def test_other_schema_version(model_copy, schema):
    m = _manifest(model_copy)
    m["schema_version"] = schema
    _write_manifest(model_copy, m)
    _refused(model_copy, "schema", "refit")


@pytest.mark.parametrize("lib", ["recommender", "scikit-learn", "jieba"])
def test_other_library_version(model_copy, lib):
    m = _manifest(model_copy)
    m["versions"][lib] = "0.0.0-elsewhere"
    _write_manifest(model_copy, m)
    _refused(model_copy, f"saved with {lib} 0.0.0-elsewhere", "refit")


def test_missing_manifest(model_copy):
    manifest_path(model_copy).unlink()
    _refused(model_copy, "has no manifest", "refit")


def test_missing_model_file(tmp_path):
    _refused(tmp_path / "absent.model", "no model file", "recommender fit")


def test_random_bytes_without_manifest(tmp_path):
    path = tmp_path / "random.model"
    path.write_bytes(os.urandom(10_000))
    _refused(path, "no manifest")


def _fake_manifest_for(path):
    """A manifest that describes ``path`` correctly (hash, size, versions, schema)."""
    data = path.read_bytes()
    manifest = {
        "format": "recommender-model", "schema_version": persistence.SCHEMA_VERSION,
        "versions": persistence._versions(), "contents": {},
        "files": {path.name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}},
    }
    _write_manifest(path, manifest)


def test_text_file_with_fake_manifest(tmp_path):
    path = tmp_path / "notes.model"
    path.write_text("这不是模型文件。\nimport os; os.system('echo hi')\n", encoding="utf-8")
    _fake_manifest_for(path)
    _refused(path, "not a recommender model archive", "refit")


def test_random_bytes_with_fake_manifest(tmp_path):
    path = tmp_path / "random.model"
    path.write_bytes(b"PK\x03\x04" + os.urandom(4000))
    _fake_manifest_for(path)
    _refused(path, "refit")


def test_swapped_pickle_with_rewritten_manifest_runs_nothing(model_copy, tmp_path, monkeypatch):
    """The old attack: a pickle put in place of the model, its manifest rewritten to match."""
    monkeypatch.setattr(_Payload, "marker", tmp_path / "ran")
    with open(model_copy, "wb") as fh:
        pickle.Pickler(fh).dump(_Payload())
    _fake_manifest_for(model_copy)
    _refused(model_copy, "not a recommender model archive")
    assert not (tmp_path / "ran").exists()


def test_pickled_array_member_runs_nothing(model_copy, tmp_path, monkeypatch):
    """An archive member replaced by an object array (which only unpickling could read)."""
    monkeypatch.setattr(_Payload, "marker", tmp_path / "ran")
    members = _members(model_copy)
    name = next(n for n in members if n.startswith("X_.data"))
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.array([_Payload()], dtype=object), allow_pickle=True)
    members[name] = buf.getvalue()
    _forge(model_copy, members)
    _refused(model_copy, "holds Python objects", "refit")
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize("change", ["extra member", "missing member", "unknown kind", "bad index", "class"])
def test_forged_archives_are_refused(model_copy, change):
    members = _members(model_copy)
    index = json.loads(members["model.json"])
    if change == "extra member":
        members["run_me.py"] = b"import os"
    elif change == "missing member":
        del members[next(n for n in members if n.startswith("L_.indices"))]
    elif change == "unknown kind":
        index["attributes"]["X_"] = {"kind": "pickle", "module": "os", "name": "system"}
    elif change == "bad index":
        index = ["not", "an", "index"]
    elif change == "class":
        index["class"] = "dict"
    members["model.json"] = json.dumps(index).encode()
    _forge(model_copy, members)
    msg = _refused(model_copy)
    assert "refit" in msg or "not a Recommender" in msg


def test_manifest_that_does_not_list_the_members(model_copy):
    m = _manifest(model_copy)
    m["contents"] = {"model.json": {}}
    _write_manifest(model_copy, m)
    _refused(model_copy, "does not hold the members", "refit")


@pytest.mark.parametrize("content", [
    "{not json", "[]", "null", '{"format": "something-else"}', "\ufeff\x00\x01",
])
def test_unreadable_or_foreign_manifest(model_copy, content):
    manifest_path(model_copy).write_text(content, encoding="utf-8")
    _refused(model_copy, "refit")


@pytest.mark.parametrize("field, value", [
    ("files", []), ("files", {"other.model": {}}), ("files", {"model.model": "abc"}),
    ("versions", "0.1"), ("versions", None), ("contents", None), ("contents", {"model.json": 3}),
])
def test_malformed_manifest_fields(model_copy, field, value):
    m = _manifest(model_copy)
    m[field] = value
    _write_manifest(model_copy, m)
    _refused(model_copy, "refit")


def test_huge_manifest_is_not_read(model_copy):
    with open(manifest_path(model_copy), "wb") as fh:
        fh.write(b" " * (persistence.MAX_MANIFEST_BYTES + 1))
    _refused(model_copy, "too large")


def test_renamed_model_file(model_copy):
    other = model_copy.with_name("renamed.model")
    model_copy.rename(other)
    manifest_path(model_copy).rename(manifest_path(other))
    _refused(other, "does not describe this file")


# ----------------------------------------------------------------- generic attributes
def test_new_fitted_attributes_round_trip(model, tmp_path):
    """Attributes added to the estimator later are saved by type, with no format change."""
    extra = {
        "rank_weights_": np.linspace(0, 1, 7, dtype=np.float32),
        "rank_matrix_": sp.csc_array(np.array([[0, 1.5], [2.0, 0]], dtype=np.float32)),
        "rank_table_": pd.DataFrame({"code": ["A", "B"], "w": [0.5, 1.0], "n": [1, 2],
                                     "parts": [("x", "y"), ("z",)]}),
        "rank_rules_": {"decay": 0.5, "levels": ["park", "district"], "on": True},
        "rank_count_": np.int64(3),
        "rank_names_": np.array(["陶瓷", "硬质合金"], dtype=object),
        "rank_rows_": [[("CER", "陶瓷")] * (i % 3) for i in range(persistence.JSON_ROWS_MIN + 5)],
    }
    m = Recommender.load(_save_copy(model, tmp_path))
    for k, v in extra.items():
        setattr(m, k, v)
    m.save(tmp_path / "extra.model")
    back = Recommender.load(tmp_path / "extra.model")
    np.testing.assert_array_equal(back.rank_weights_, extra["rank_weights_"])
    assert isinstance(back.rank_matrix_, sp.csc_array)
    np.testing.assert_array_equal(back.rank_matrix_.toarray(), extra["rank_matrix_"].toarray())
    pd.testing.assert_frame_equal(back.rank_table_, extra["rank_table_"], check_dtype=False)
    assert back.rank_rules_ == extra["rank_rules_"]
    assert back.rank_count_ == 3 and back.rank_count_.dtype == np.int64
    assert back.rank_names_.tolist() == ["陶瓷", "硬质合金"] and back.rank_names_.dtype == object
    # a long list is read item by item on access; tuples come back as lists
    assert back.rank_rows_ == [[list(t) for t in row] for row in extra["rank_rows_"]]
    assert back.rank_rows_[4] == [["CER", "陶瓷"]] and len(back.rank_rows_) == len(extra["rank_rows_"])


def test_text_columns_written_block_by_block_round_trip(model, tmp_path, monkeypatch):
    """A save encodes text a block of strings at a time: blocks, empty strings and
    characters outside the Basic Multilingual Plane (two UTF-16 units) keep their offsets."""
    monkeypatch.setattr(persistence._EncodedText, "BLOCK", 3)
    names = ["陶瓷", "", "𠮷野家", "硬质合金𠀋", "a", "", "株洲𠮷"] * 3
    m = Recommender.load(_save_copy(model, tmp_path))
    m.rank_text_ = pd.DataFrame({"name": names, "n": np.arange(len(names))})
    m.rank_names_ = np.array(names, dtype=object)
    m.save(tmp_path / "text.model")
    back = Recommender.load(tmp_path / "text.model")
    assert back.rank_text_["name"].tolist() == names and back.rank_names_.tolist() == names
    assert back.passages_["text"].tolist() == m.passages_["text"].tolist()


def _save_copy(model, tmp_path):
    path = tmp_path / "base.model"
    model.save(path)
    return path


@pytest.mark.parametrize("value, named", [
    (lambda x: x, "builtins.function"), ({1, 2}, "builtins.set"),
    (np.array([{"a": 1}], dtype=object), "object array"), ([object()], "builtins.list"),
])
def test_unsupported_attribute_fails_at_save_naming_it(model, tmp_path, value, named):
    m = Recommender.load(_save_copy(model, tmp_path))
    m.mystery_ = value
    with pytest.raises(ModelError) as info:
        m.save(tmp_path / "bad.model")
    assert "'mystery_'" in str(info.value) and named in str(info.value)
    assert not (tmp_path / "bad.model").exists()


def test_large_arrays_are_memory_mapped_read_only(saved_model, monkeypatch):
    monkeypatch.setattr(persistence, "MMAP_MIN_BYTES", 1024)
    loaded = Recommender.load(saved_model)
    assert not loaded.X_.data.flags.writeable
    assert loaded.recommend("陶瓷", top_k=1).matches


# ------------------------------------------------------------------------ atomic saves
def test_crash_mid_save_keeps_the_old_model(model, model_copy, monkeypatch):
    before = {p.name for p in model_copy.parent.iterdir()}
    old_bytes = model_copy.read_bytes()
    old_manifest = manifest_path(model_copy).read_bytes()

    real_write = persistence._write_member
    written = []

    def crashing_write(zf, fh, name, data):
        if written:
            fh.write(b"partial model bytes" * 1000)
            raise OSError(28, "No space left on device")
        written.append(name)
        real_write(zf, fh, name, data)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(persistence, "_write_member", crashing_write)
        with pytest.raises(OSError):
            model.save(model_copy)
    assert model_copy.read_bytes() == old_bytes
    assert manifest_path(model_copy).read_bytes() == old_manifest
    assert {p.name for p in model_copy.parent.iterdir()} == before  # no temporary files left
    assert isinstance(Recommender.load(model_copy), Recommender)


def test_crash_while_writing_manifest_keeps_the_old_pair(model, model_copy, monkeypatch):
    old_bytes = model_copy.read_bytes()

    def failing_versions():
        raise RuntimeError("interrupted")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(persistence, "_versions", failing_versions)
        with pytest.raises(RuntimeError):
            model.save(model_copy)
    assert model_copy.read_bytes() == old_bytes
    assert len(list(model_copy.parent.iterdir())) == 2
    Recommender.load(model_copy)


def test_save_into_a_directory_path_is_refused(model, tmp_path):
    with pytest.raises(ModelError, match="is a directory"):
        model.save(tmp_path)


def test_save_then_load_round_trip_in_new_directory(model, tmp_path):
    path = tmp_path / "a" / "b" / "m.model"
    model.save(path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["m.model", "m.model.manifest.json"]
    m = _manifest(path)
    assert m["files"]["m.model"]["bytes"] == path.stat().st_size
    assert isinstance(Recommender.load(path), Recommender)
