"""CLI error handling: every user error exits 2 with one line on stderr, internal errors exit 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from recommender import cli

REPO = Path(__file__).resolve().parents[2]


def run_cli(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, f"expected exactly one stderr line, got {lines!r}"
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["recommend", ""], ["empty", "sector"]),
        (["recommend", "   "], ["empty"]),
        (["recommend", "陶瓷", "--level", "planet"], ["unknown level 'planet'", "Valid levels: province"]),
        (["recommend", "陶瓷", "--level", "distrct"], ["Did you mean: district"]),
        (["recommend", "陶瓷", "--region", "株州"], ["unknown region '株州'", "Did you mean", "株洲",
                                                   "recommender inspect entities"]),
        (["recommend", "陶瓷", "--exclude", "火星基地"], ["unknown region '火星基地'"]),
        (["recommend", "陶瓷", "--top-k", "-1"], ["--top-k must be between 1 and 10000, got -1"]),
        (["recommend", "陶瓷", "--top-k", "0"], ["--top-k must be between 1 and 10000, got 0"]),
        (["recommend", "陶瓷", "--top-k", str(10**9)], ["--top-k must be between 1 and 10000"]),
        (["recommend", "陶瓷", "--evidence-k", "-3"], ["--evidence-k must be between 0 and 10000"]),
        (["recommend", "陶瓷", "--top-k", "many"], ["invalid int value: 'many'", "--help"]),
        (["recommend", "陶瓷", "--format", "xlsx"], ["invalid choice: 'xlsx'"]),
        (["recommend", "", "--sector", "!!!"], ["unknown sector '!!!'", "inspect sectors"]),
        (["frobnicate"], ["invalid choice: 'frobnicate'"]),
        ([], ["no command given", "recommend"]),
        (["fit", "/definitely/not/here"], ["corpus path does not exist"]),
        (["fit", "--n-jobs", "0"], ["--n-jobs", "-1 for all CPUs"]),
        (["evaluate", "/definitely/not/here"], ["benchmark directory not found"]),
    ],
)
def test_user_errors_exit_2_with_one_line(capsys, cli_env, argv, expected):
    code, out, err = run_cli(capsys, *argv)
    line = one_error_line(err)
    assert code == 2, err
    assert line.startswith("recommender: error: ")
    for piece in expected:
        assert piece in line
    assert out == ""


def test_missing_model_file_names_the_fix(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("RECOMMENDER_MODEL", raising=False)
    missing = tmp_path / "nope" / "model.joblib"
    code, out, err = run_cli(capsys, "recommend", "陶瓷", "--model", missing)
    line = one_error_line(err)
    assert code == 2
    assert "no model file" in line and str(missing) in line and "recommender fit" in line
    assert not missing.exists()  # nothing was fitted or cached there


def test_missing_profiles_file(capsys, cli_env, tmp_path):
    code, out, err = run_cli(capsys, "score", tmp_path / "absent.csv", "--out", tmp_path / "r.jsonl")
    line = one_error_line(err)
    assert code == 2 and "profiles file not found" in line and "absent.csv" in line
    assert not (tmp_path / "r.jsonl").exists()


def test_profiles_table_without_required_columns(capsys, cli_env, tmp_path):
    table = tmp_path / "profiles.csv"
    table.write_text("name,industry\nacme,陶瓷\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "score", table, "--out", tmp_path / "r.jsonl")
    line = one_error_line(err)
    assert code == 2
    assert "no 'sectors' or 'text' column" in line and "name, industry" in line
    assert not (tmp_path / "r.jsonl").exists()


@pytest.mark.parametrize("out_name", ["results.xls", "results", "results.json"])
def test_unsupported_output_extension(capsys, cli_env, tmp_path, out_name):
    table = tmp_path / "profiles.csv"
    table.write_text("profile_id,text\np1,陶瓷\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "score", table, "--out", tmp_path / out_name)
    line = one_error_line(err)
    assert code == 2 and "unsupported output extension" in line and ".jsonl, .csv, .parquet or .xlsx" in line


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "no-manifest", "bad-manifest"])
def test_corrupt_model_file(capsys, monkeypatch, model_copy, damage):
    from recommender.model import persistence

    monkeypatch.setattr(persistence, "code_fingerprint", lambda: "robustness-tests")  # as in conftest
    data = bytearray(model_copy.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
        model_copy.write_bytes(bytes(data))
    elif damage == "truncate":
        model_copy.write_bytes(bytes(data[: len(data) // 3]))
    elif damage == "garbage":
        model_copy.write_bytes(os.urandom(4096))
    elif damage == "no-manifest":
        persistence.manifest_path(model_copy).unlink()
    else:
        persistence.manifest_path(model_copy).write_text("{not json", encoding="utf-8")
    code, out, err = run_cli(capsys, "recommend", "陶瓷", "--model", model_copy)
    line = one_error_line(err)
    assert code == 2, err
    assert "refit" in line and str(model_copy) in line


def test_internal_error_exits_1_with_verbose_hint(capsys, cli_env, monkeypatch):
    def boom(args):
        raise RuntimeError("something broke\nsecond line of detail")

    monkeypatch.setitem(cli._COMMANDS, "recommend", boom)
    code, out, err = run_cli(capsys, "recommend", "陶瓷")
    line = one_error_line(err)
    assert code == 1
    assert line == ("recommender: internal error: RuntimeError: something broke "
                    "(rerun with --verbose for the traceback)")


def test_internal_error_with_verbose_shows_traceback(capsys, cli_env, monkeypatch):
    def boom(args):
        raise RuntimeError("something broke")

    monkeypatch.setitem(cli._COMMANDS, "recommend", boom)
    code, out, err = run_cli(capsys, "--verbose", "recommend", "陶瓷")
    assert code == 1
    assert "Traceback" in err and err.strip().splitlines()[-1].startswith("recommender: internal error")


def test_internal_error_without_message(capsys, cli_env, monkeypatch):
    def boom(args):
        raise KeyError()

    monkeypatch.setitem(cli._COMMANDS, "inspect", boom)
    code, out, err = run_cli(capsys, "inspect", "sectors")
    line = one_error_line(err)
    assert code == 1 and "KeyError" in line and "--verbose" in line


def test_user_error_does_not_fit_a_model_first(capsys, monkeypatch, tmp_path):
    """Bad options are refused before the (slow) default model is built and cached."""
    target = tmp_path / "cache" / "model.joblib"
    monkeypatch.setenv("RECOMMENDER_MODEL", str(target))
    code, out, err = run_cli(capsys, "recommend", "陶瓷", "--top-k", "0")
    assert code == 2 and not target.exists()


# ----------------------------------------------------------------- real processes
def _run(args, cwd, env_extra=None):
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("RECOMMENDER_MODEL", None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "recommender", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_subprocess_missing_model(tmp_path):
    proc = _run(["recommend", "轨道交通装备", "--model", tmp_path / "missing.joblib"], cwd=tmp_path)
    assert proc.returncode == 2
    line = one_error_line(proc.stderr)
    assert "no model file" in line and proc.stdout == ""
    assert not (tmp_path / "models").exists()


def test_subprocess_bad_top_k_and_missing_input(tmp_path):
    proc = _run(["recommend", "陶瓷", "--top-k", "-1"], cwd=tmp_path)
    assert proc.returncode == 2
    assert "--top-k must be between 1 and 10000" in one_error_line(proc.stderr)
    proc = _run(["score", "absent.csv", "--out", "r.jsonl"], cwd=tmp_path,
                env_extra={"RECOMMENDER_MODEL": str(tmp_path / "m.joblib")})
    assert proc.returncode == 2
    assert "profiles file not found" in one_error_line(proc.stderr)
    assert not (tmp_path / "m.joblib").exists() and not (tmp_path / "models").exists()


def test_subprocess_not_a_model(tmp_path):
    fake = tmp_path / "model.joblib"
    fake.write_bytes(os.urandom(2048))
    proc = _run(["recommend", "陶瓷", "--model", fake], cwd=tmp_path)
    assert proc.returncode == 2
    line = one_error_line(proc.stderr)
    assert "no manifest" in line and "refit" in line


def test_cli_leaves_library_logging_as_it_found_it(capsys, cli_env):
    import logging

    before = {n: logging.getLogger(n).level for n in ("recommender.profiles", "recommender.model.recommender")}
    assert cli.main(["recommend", "陶瓷", "--top-k", "1"]) == 0
    assert cli.main(["recommend", "", "--level", "planet"]) == 2
    capsys.readouterr()
    assert {n: logging.getLogger(n).level for n in before} == before


def test_subprocess_fit_warns_about_skipped_files_on_stderr(tmp_path):
    d = tmp_path / "reports"
    d.mkdir()
    (d / "a.txt").write_text("株洲市石峰区发展轨道交通装备产业，牵引变流器实现本地配套。\n", encoding="utf-8")
    (d / "b.txt").write_bytes(b"")
    proc = _run(["fit", d, "--model", tmp_path / "m.joblib"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"skipping {d / 'b.txt'}: empty" in proc.stderr
    assert f"skipped {d / 'b.txt'}: empty" in proc.stdout
