"""`recommender score` through the CLI entry function."""

from __future__ import annotations

import json

import pytest

from recommender.cli import main


@pytest.fixture()
def profiles_csv(tmp_path, messy_profiles):
    path = tmp_path / "profiles.csv"
    messy_profiles.to_csv(path, index=False)
    return path


def test_score_writes_jsonl_and_prints_summary(model_path, profiles_csv, messy_profiles, tmp_path, capsys):
    out = tmp_path / "results.jsonl"
    code = main(["score", str(profiles_csv), "--out", str(out), "--model", str(model_path),
                 "--top-k", "3", "--evidence-k", "1", "--chunk-size", "4", "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert f"scored {len(messy_profiles)} profiles" in captured.err
    assert "errored" in captured.err and "matched" in captured.err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["row"] for r in records] == list(range(len(messy_profiles)))
    assert all(len(r["matches"]) <= 3 for r in records)


def test_score_csv_output(model_path, profiles_csv, tmp_path, capsys):
    out = tmp_path / "results.csv"
    assert main(["score", str(profiles_csv), "--out", str(out), "--model", str(model_path), "--quiet"]) == 0
    assert out.read_bytes().startswith(b"\xef\xbb\xbfprofile_id,row,rank,entity_id")  # BOM: Excel reads UTF-8


def test_missing_input_file_exits_2(model_path, tmp_path, capsys):
    code = main(["score", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "r.jsonl"), "--model", str(model_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "not found" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_table_without_profile_columns_exits_2(model_path, tmp_path, capsys):
    src = tmp_path / "p.csv"
    src.write_text("company,city\n甲,长沙\n", encoding="utf-8")
    code = main(["score", str(src), "--out", str(tmp_path / "r.jsonl"), "--model", str(model_path)])
    err = capsys.readouterr().err
    assert code == 2 and "'sectors' or 'text'" in err
    assert not (tmp_path / "r.jsonl").exists()


def test_unsupported_output_extension_exits_2(model_path, profiles_csv, tmp_path, capsys):
    code = main(["score", str(profiles_csv), "--out", str(tmp_path / "r.xls"), "--model", str(model_path)])
    err = capsys.readouterr().err
    assert code == 2 and "unsupported output extension" in err
