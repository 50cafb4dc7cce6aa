"""Determinism: same corpus and profiles give byte-identical JSONL across fits in fresh
processes (with different hash seeds) and across worker counts (``--n-jobs 1`` and ``2``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[2]

PROFILES = pd.DataFrame([
    {"profile_id": "rail", "sectors": "轨道交通装备", "text": "牵引变流器配套", "regions": "", "levels": ""},
    {"profile_id": "ceramics", "sectors": "陶瓷", "text": "日用陶瓷", "regions": "", "levels": "district"},
    {"profile_id": "carbide", "sectors": "", "text": "硬质合金刀具", "regions": "株洲市", "levels": ""},
    {"profile_id": "empty", "sectors": "", "text": "", "regions": "", "levels": ""},
    {"profile_id": "bad-level", "sectors": "陶瓷", "text": "", "regions": "", "levels": "planet"},
    {"profile_id": "aero", "sectors": "航空航天", "text": "中小航空发动机", "regions": "湖南省", "levels": ""},
    {"profile_id": "english", "sectors": "new materials", "text": "advanced ceramics supplier", "regions": "",
     "levels": ""},
    {"profile_id": "vague", "sectors": "", "text": "发展", "regions": "", "levels": ""},
])


def _env(seed):
    env = {**os.environ, "PYTHONHASHSEED": str(seed),
           "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("RECOMMENDER_MODEL", None)
    return env


_SCRIPT = """
import sys
from recommender import Recommender, load_sample_corpus
from recommender.batch import score_file

profiles, out, n_jobs = sys.argv[1], sys.argv[2], [int(n) for n in sys.argv[3:]]
model = Recommender().fit(load_sample_corpus())
for n in n_jobs:
    score_file(model, profiles, out + f".{n}.jsonl", top_k=5, evidence_k=2, n_jobs=n, chunk_size=3)
"""


def _fit_and_score(tmp_path, profiles, name, seed, n_jobs):
    """Fit on the sample in a fresh interpreter and score with each worker count."""
    out = tmp_path / name
    proc = subprocess.run([sys.executable, "-c", _SCRIPT, str(profiles), str(out), *map(str, n_jobs)],
                          cwd=tmp_path, env=_env(seed), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return {n: (tmp_path / f"{name}.{n}.jsonl").read_bytes() for n in n_jobs}


def test_jsonl_is_byte_identical_across_fits(tmp_path):
    profiles = tmp_path / "profiles.csv"
    PROFILES.to_csv(profiles, index=False)
    a = _fit_and_score(tmp_path, profiles, "a", 1, [1])
    b = _fit_and_score(tmp_path, profiles, "b", 2, [1])
    assert a[1] == b[1], "two fits in fresh processes (different hash seeds) differ"
    lines = a[1].decode("utf-8").splitlines()
    assert [line.split('"profile_id": ')[1].split(",")[0].strip('"') for line in lines] == \
        PROFILES["profile_id"].tolist()
    assert not (tmp_path / "models").exists()


def test_cli_score_with_two_workers_matches_one(saved_model, tmp_path, monkeypatch, capsys):
    from recommender import cli
    from recommender.model import persistence

    monkeypatch.setattr(persistence, "code_fingerprint", lambda: "robustness-tests")
    profiles = tmp_path / "profiles.csv"
    PROFILES.to_csv(profiles, index=False)
    outs = []
    for n in (1, 2):
        out = tmp_path / f"cli{n}.jsonl"
        assert cli.main(["score", str(profiles), "--out", str(out), "--model", str(saved_model),
                         "--n-jobs", str(n), "--chunk-size", "3", "--quiet"]) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_recommend_json_is_identical_in_process(model):
    profile = {"sectors": ["轨道交通装备"], "text": "牵引变流器配套"}
    first = model.recommend(profile, top_k=10).to_dict()
    for _ in range(3):
        assert model.recommend(profile, top_k=10).to_dict() == first
    many = model.recommend_many([profile, {"text": "陶瓷"}, profile], top_k=10)
    assert many[0].to_dict() == first == many[2].to_dict()
