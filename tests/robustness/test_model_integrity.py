"""Model artifacts: every damaged or foreign file is refused before anything is unpickled;
saves are atomic."""

from __future__ import annotations

import hashlib
import json
import os

import joblib
import pytest

from recommender import Recommender
from recommender.exceptions import ModelError
from recommender.model import persistence
from recommender.model.persistence import manifest_path


@pytest.fixture()
def no_unpickling(monkeypatch):
    """Fail the test if anything reaches joblib.load."""

    def forbidden(*args, **kwargs):
        pytest.fail("joblib.load was called on a file that should have been refused first")

    monkeypatch.setattr(joblib, "load", forbidden)


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


def test_intact_copy_loads_and_recommends_the_same(model, model_copy):
    loaded = Recommender.load(model_copy)
    a = model.recommend({"sectors": ["陶瓷"], "text": "日用陶瓷"}, top_k=3).to_dict()
    b = loaded.recommend({"sectors": ["陶瓷"], "text": "日用陶瓷"}, top_k=3).to_dict()
    assert a == b


@pytest.mark.parametrize("where", [0, 1, 100, -1, "middle"])
def test_changed_byte(model_copy, no_unpickling, where):
    data = bytearray(model_copy.read_bytes())
    i = len(data) // 2 if where == "middle" else where
    data[i] ^= 0x01
    model_copy.write_bytes(bytes(data))
    _refused(model_copy, "SHA-256", "refit with 'recommender fit'")


@pytest.mark.parametrize("keep", [0, 10, 0.5])
def test_truncated_file(model_copy, no_unpickling, keep):
    data = model_copy.read_bytes()
    n = int(len(data) * keep) if isinstance(keep, float) else keep
    model_copy.write_bytes(data[:n])
    _refused(model_copy, "truncated", "refit")


def test_appended_bytes(model_copy, no_unpickling):
    with open(model_copy, "ab") as fh:
        fh.write(b"\x00" * 16)
    _refused(model_copy, "bytes but its manifest says", "refit")


@pytest.mark.parametrize("schema", [0, 2, 999, "1", None, True])
def test_other_schema_version(model_copy, no_unpickling, schema):
    m = _manifest(model_copy)
    m["schema_version"] = schema
    _write_manifest(model_copy, m)
    _refused(model_copy, "schema", "refit")


@pytest.mark.parametrize("lib", ["recommender", "scikit-learn", "jieba"])
def test_other_library_version(model_copy, no_unpickling, lib):
    m = _manifest(model_copy)
    m["versions"][lib] = "0.0.0-elsewhere"
    _write_manifest(model_copy, m)
    _refused(model_copy, f"saved with {lib} 0.0.0-elsewhere", "refit")


def test_missing_manifest(model_copy, no_unpickling):
    manifest_path(model_copy).unlink()
    _refused(model_copy, "has no manifest", "refit")


def test_missing_model_file(tmp_path, no_unpickling):
    _refused(tmp_path / "absent.joblib", "no model file", "recommender fit")


def test_random_bytes_without_manifest(tmp_path, no_unpickling):
    path = tmp_path / "random.joblib"
    path.write_bytes(os.urandom(10_000))
    _refused(path, "no manifest")


def _fake_manifest_for(path):
    """A manifest that describes ``path`` correctly (hash, size, versions, schema)."""
    data = path.read_bytes()
    manifest = {
        "format": "recommender-model", "schema_version": persistence.SCHEMA_VERSION,
        "versions": persistence._versions(),
        "files": {path.name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}},
    }
    _write_manifest(path, manifest)


def test_text_file_with_fake_manifest(tmp_path, no_unpickling):
    path = tmp_path / "notes.joblib"
    path.write_text("这不是模型文件。\nimport os; os.system('echo hi')\n", encoding="utf-8")
    _fake_manifest_for(path)
    _refused(path, "not a joblib model file", "refit")


def test_random_bytes_with_fake_manifest(tmp_path, no_unpickling):
    path = tmp_path / "random.joblib"
    path.write_bytes(b"PK\x03\x04" + os.urandom(4000))
    _fake_manifest_for(path)
    _refused(path, "not a joblib model file")


def test_payload_that_is_not_a_recommender(tmp_path):
    """A well-formed joblib file holding something else is refused after loading (by type)."""
    path = tmp_path / "dict.joblib"
    joblib.dump({"not": "a model"}, path, compress=3)
    _fake_manifest_for(path)
    _refused(path, "holds a dict, not a Recommender")


@pytest.mark.parametrize("content", [
    "{not json", "[]", "null", '{"format": "something-else"}', "\ufeff\x00\x01",
])
def test_unreadable_or_foreign_manifest(model_copy, no_unpickling, content):
    manifest_path(model_copy).write_text(content, encoding="utf-8")
    _refused(model_copy, "refit")


@pytest.mark.parametrize("field, value", [
    ("files", []), ("files", {"other.joblib": {}}), ("files", {"model.joblib": "abc"}),
    ("versions", "0.1"), ("versions", None),
])
def test_malformed_manifest_fields(model_copy, no_unpickling, field, value):
    m = _manifest(model_copy)
    m[field] = value
    _write_manifest(model_copy, m)
    _refused(model_copy, "refit")


def test_huge_manifest_is_not_read(model_copy, no_unpickling):
    with open(manifest_path(model_copy), "wb") as fh:
        fh.write(b" " * (persistence.MAX_MANIFEST_BYTES + 1))
    _refused(model_copy, "too large")


def test_renamed_model_file(model_copy, no_unpickling):
    other = model_copy.with_name("renamed.joblib")
    model_copy.rename(other)
    manifest_path(model_copy).rename(manifest_path(other))
    _refused(other, "does not describe this file")


# ------------------------------------------------------------------------ atomic saves
def test_crash_mid_save_keeps_the_old_model(model, model_copy, monkeypatch):
    before = {p.name for p in model_copy.parent.iterdir()}
    old_bytes = model_copy.read_bytes()
    old_manifest = manifest_path(model_copy).read_bytes()

    def crashing_dump(value, fh, *args, **kwargs):
        fh.write(b"\x78\x9c" + b"partial model bytes" * 1000)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(joblib, "dump", crashing_dump)
    with pytest.raises(OSError):
        model.save(model_copy)
    monkeypatch.undo()
    assert model_copy.read_bytes() == old_bytes
    assert manifest_path(model_copy).read_bytes() == old_manifest
    assert {p.name for p in model_copy.parent.iterdir()} == before  # no temporary files left
    assert isinstance(Recommender.load(model_copy), Recommender)


def test_crash_while_writing_manifest_keeps_the_old_pair(model, model_copy, monkeypatch):
    old_bytes = model_copy.read_bytes()

    def failing_versions():
        raise RuntimeError("interrupted")

    monkeypatch.setattr(persistence, "_versions", failing_versions)
    with pytest.raises(RuntimeError):
        model.save(model_copy)
    monkeypatch.undo()
    assert model_copy.read_bytes() == old_bytes
    assert len(list(model_copy.parent.iterdir())) == 2
    Recommender.load(model_copy)


def test_save_into_a_directory_path_is_refused(model, tmp_path):
    with pytest.raises(ModelError, match="is a directory"):
        model.save(tmp_path)


def test_save_then_load_round_trip_in_new_directory(model, tmp_path):
    path = tmp_path / "a" / "b" / "m.joblib"
    model.save(path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["m.joblib", "m.joblib.manifest.json"]
    m = _manifest(path)
    assert m["files"]["m.joblib"]["bytes"] == path.stat().st_size
    assert isinstance(Recommender.load(path), Recommender)
