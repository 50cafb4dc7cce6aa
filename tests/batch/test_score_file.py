"""score_file: CSV/JSONL/Parquet in, JSONL/CSV/Parquet out, nothing lost, atomic, deterministic."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import recommender.batch.files as batch_files
import recommender.io as rio
from recommender.batch import OUTPUT_COLUMNS, score_batch, score_file
from recommender.exceptions import InputError, TableSchemaError


@pytest.fixture()
def profiles_csv(tmp_path, messy_profiles):
    path = tmp_path / "profiles.csv"
    messy_profiles.assign(owner="ignored").to_csv(path, index=False)
    return path


def _read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_one_record_per_input_row(model, profiles_csv, messy_profiles, tmp_path):
    out = tmp_path / "out" / "results.jsonl"
    summary = score_file(model, profiles_csv, out, top_k=3, evidence_k=1, chunk_size=4)
    records = _read_jsonl(out)
    assert len(records) == len(messy_profiles)
    assert [r["row"] for r in records] == list(range(len(messy_profiles)))
    assert records[0]["profile_id"] == "ceramics" and records[11]["profile_id"] == "11"
    assert list(records[0])[:3] == ["profile_id", "row", "error"]
    assert {"weak_evidence", "warnings", "matches"} <= set(records[0])
    errored = sum(r["error"] is not None for r in records)
    matched = sum(r["error"] is None and bool(r["matches"]) for r in records)
    assert summary.startswith(f"scored {len(records)} profiles: {matched} matched, {errored} errored")
    assert str(out) in summary
    # the same as the in-memory batch
    frame = score_batch(model, messy_profiles, top_k=3, evidence_k=1)
    assert [r["matches"] for r in records] == frame["matches"].tolist()
    assert [r["error"] for r in records] == frame["error"].tolist()
    assert list(out.parent.iterdir()) == [out]  # no temp file left behind


def test_csv_one_row_per_match_with_flat_evidence(model, profiles_csv, messy_profiles, tmp_path):
    out = tmp_path / "results.csv"
    score_file(model, profiles_csv, out, top_k=3, evidence_k=1, chunk_size=5)
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(table.columns) == OUTPUT_COLUMNS
    assert sorted(set(table["row"].astype(int))) == list(range(len(messy_profiles)))
    assert table["row"].astype(int).is_monotonic_increasing
    frame = score_batch(model, messy_profiles, top_k=3, evidence_k=1)
    expected_rows = sum(max(1, n) for n in frame["n_matches"])
    assert len(table) == expected_rows
    first = table.iloc[0]
    match = frame.loc[0, "matches"][0]
    assert first["rank"] == "1" and first["name"] == match["name"]
    assert first["evidence_text"] == match["evidence"][0]["text"]
    assert int(first["evidence_start"]) == match["evidence"][0]["start"]
    errored = table[table["row"] == "1"]
    assert len(errored) == 1 and "empty" in errored.iloc[0]["error"] and errored.iloc[0]["rank"] == ""
    # a formula-like id cannot run in a spreadsheet
    assert not any(v.startswith(("=", "+", "@")) for col in table.columns for v in table[col])


def test_parquet_same_flat_columns(model, profiles_csv, messy_profiles, tmp_path):
    pytest.importorskip("pyarrow")
    out_pq, out_csv = tmp_path / "results.parquet", tmp_path / "results.csv"
    score_file(model, profiles_csv, out_pq, top_k=3, evidence_k=1, chunk_size=4)
    score_file(model, profiles_csv, out_csv, top_k=3, evidence_k=1)
    pq = pd.read_parquet(out_pq)
    csv = pd.read_csv(out_csv, dtype=str, keep_default_na=False)
    assert list(pq.columns) == OUTPUT_COLUMNS
    assert len(pq) == len(csv)
    assert pq["row"].tolist() == csv["row"].astype(int).tolist()
    assert pq["name"].fillna("").tolist() == csv["name"].tolist()
    assert pq["score"].dropna().between(0, 1).all()
    import pyarrow as pa
    import pyarrow.parquet as pq_mod

    schema = pq_mod.read_schema(out_pq)
    assert schema.field("evidence_start").type == pa.int64()
    assert schema.field("score").type == pa.float64()


@pytest.mark.parametrize("ext", [".jsonl", ".parquet"])
def test_jsonl_and_parquet_inputs(model, messy_profiles, tmp_path, ext):
    src = tmp_path / f"profiles{ext}"
    table = messy_profiles.copy()
    if ext == ".jsonl":
        lines = [json.dumps({k: v for k, v in rec.items() if isinstance(v, str)}, ensure_ascii=False)
                 for rec in table.to_dict(orient="records")]
        lines.insert(2, "{not json")
        src.write_text("\n".join(lines) + "\n", encoding="utf-8")
        n = len(table) + 1
    else:
        pytest.importorskip("pyarrow")
        table.to_parquet(src)
        n = len(table)
    out = tmp_path / "r.jsonl"
    score_file(model, src, out, top_k=2, evidence_k=1)
    records = _read_jsonl(out)
    assert len(records) == n
    if ext == ".jsonl":
        assert records[2]["error"].startswith("line 3: invalid JSON")
        assert records[0]["error"] is None


def test_gb18030_csv_input(model, tmp_path):
    src = tmp_path / "gbk.csv"
    src.write_bytes("profile_id,sectors,text\np1,陶瓷,日用陶瓷\n".encode("gb18030"))
    out = tmp_path / "r.jsonl"
    score_file(model, src, out, top_k=1, evidence_k=0)
    assert _read_jsonl(out)[0]["matches"][0]["name"] == "醴陵市"


def test_jsonl_byte_identical_across_runs_and_n_jobs(model, profiles_csv, tmp_path):
    outs = []
    for i, n_jobs in enumerate([1, 1, 2]):
        out = tmp_path / f"r{i}.jsonl"
        score_file(model, profiles_csv, out, top_k=3, evidence_k=2, n_jobs=n_jobs, chunk_size=3)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1] == outs[2]


@pytest.mark.parametrize("ext", [".csv", ".jsonl", ".parquet"])
def test_large_files_are_read_in_chunks(model, messy_profiles, tmp_path, monkeypatch, ext):
    if ext == ".parquet":
        pytest.importorskip("pyarrow")
    src = tmp_path / f"profiles{ext}"
    table = pd.concat([messy_profiles] * 3, ignore_index=True).fillna("")
    if ext == ".csv":
        table.to_csv(src, index=False)
    elif ext == ".jsonl":
        table.to_json(src, orient="records", lines=True, force_ascii=False)
    else:
        table.to_parquet(src)
    whole, streamed = tmp_path / "whole.jsonl", tmp_path / "streamed.jsonl"
    score_file(model, src, whole, top_k=2, evidence_k=1)
    calls = []
    monkeypatch.setattr(batch_files, "STREAM_THRESHOLD_BYTES", 0)
    monkeypatch.setattr(rio, "read_profiles_table", lambda p: calls.append(p))
    score_file(model, src, streamed, top_k=2, evidence_k=1, chunk_size=5)
    assert not calls
    assert streamed.read_bytes() == whole.read_bytes()
    assert len(_read_jsonl(streamed)) == len(table)


def test_streamed_table_without_profile_columns(model, tmp_path, monkeypatch):
    monkeypatch.setattr(batch_files, "STREAM_THRESHOLD_BYTES", 0)
    src = tmp_path / "p.csv"
    src.write_text("name,owner\na,b\n", encoding="utf-8")
    with pytest.raises(TableSchemaError):
        score_file(model, src, tmp_path / "r.jsonl")


def test_errors_before_any_output(model, tmp_path, profiles_csv):
    with pytest.raises(InputError, match="not found"):
        score_file(model, tmp_path / "missing.csv", tmp_path / "r.jsonl")
    bad = tmp_path / "bad.csv"
    bad.write_text("name,owner\na,b\n", encoding="utf-8")
    with pytest.raises(TableSchemaError, match="'sectors' or 'text'"):
        score_file(model, bad, tmp_path / "r.jsonl")
    with pytest.raises(InputError, match="unsupported output extension"):
        score_file(model, profiles_csv, tmp_path / "r.xls")
    with pytest.raises(InputError, match="chunk_size"):
        score_file(model, profiles_csv, tmp_path / "r.jsonl", chunk_size=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "profiles.csv"]


def test_failed_run_leaves_no_partial_output(model, profiles_csv, tmp_path):
    out = tmp_path / "r.jsonl"
    out.write_text("previous\n", encoding="utf-8")

    class Broken:
        def recommend_many(self, profiles, **kw):
            from recommender.exceptions import ModelError

            raise ModelError("model is broken")

    with pytest.raises(Exception, match="broken"):
        score_file(Broken(), profiles_csv, out, chunk_size=2)
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["profiles.csv", "r.jsonl"]
