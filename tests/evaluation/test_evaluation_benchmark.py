"""Reading benchmark directories and resolving judged names."""

from __future__ import annotations

import pytest

from recommender.evaluation.benchmark import load_benchmark, resolve_judgements
from recommender.exceptions import InputError, TableSchemaError
from recommender.knowledge.gazetteer import Gazetteer


def _write(d, profiles, judgements, checks=None):
    d.mkdir(exist_ok=True)
    (d / "profiles.csv").write_text(profiles, encoding="utf-8")
    (d / "judgements.csv").write_text(judgements, encoding="utf-8")
    if checks is not None:
        (d / "checks.json").write_text(checks, encoding="utf-8")
    return d


def test_reads_tiny_benchmark(tiny_bench):
    b = load_benchmark(tiny_bench)
    assert b.name == "tiny"
    assert b.profile_ids == ["T1", "T2", "T3"]
    assert b.profiles[2]["regions"] == "株洲市"
    assert b.judgements["grade"].tolist() == [3, 1, 2, 3, 2]
    assert b.evidence_keywords("T1") == ["陶瓷", "瓷"]
    assert b.evidence_keywords("T3") == []
    assert b.trap("T3") == {"only_under": "株洲市"}
    assert b.trap("T2") is None


def test_checks_json_is_optional_and_gb18030_csv_is_read(tmp_path):
    d = tmp_path / "b"
    d.mkdir()
    (d / "profiles.csv").write_bytes("profile_id,text\np1,陶瓷企业\n".encode("gb18030"))
    (d / "judgements.csv").write_bytes("profile_id,entity,grade\np1,醴陵,3\n".encode("gb18030"))
    b = load_benchmark(d)
    assert b.checks == {} and b.profiles[0]["text"] == "陶瓷企业"


def test_resolves_names_and_aliases_and_reports_unknown(tiny_bench):
    judged, unresolved = resolve_judgements(load_benchmark(tiny_bench), Gazetteer.default())
    assert judged["T1"] == {"430281": 3, "430200": 1}
    assert judged["T2"] == {}
    assert judged["T3"] == {"430204": 3, "430200": 2}
    assert unresolved == [{"profile_id": "T1", "entity": "没有这个地方", "grade": 2}]


def test_duplicate_judgement_keeps_highest_grade(tmp_path):
    d = _write(tmp_path / "b", "profile_id,text\np1,x\n", "profile_id,entity,grade\np1,醴陵市,1\np1,醴陵,3\n")
    judged, _ = resolve_judgements(load_benchmark(d), Gazetteer.default())
    assert judged["p1"] == {"430281": 3}


@pytest.mark.parametrize("profiles, judgements, error", [
    ("profile_id,text\np1,x\n", "profile_id,entity,grade\np1,醴陵市,4\n", InputError),
    ("profile_id,text\np1,x\n", "profile_id,entity,grade\np1,醴陵市,high\n", InputError),
    ("profile_id,text\np1,x\n", "profile_id,place,grade\np1,醴陵市,3\n", TableSchemaError),
    ("text\nx\n", "profile_id,entity,grade\np1,醴陵市,3\n", TableSchemaError),
    ("profile_id,text,colour\np1,x,red\n", "profile_id,entity,grade\np1,醴陵市,3\n", TableSchemaError),
    ("profile_id,text\np1,x\np1,y\n", "profile_id,entity,grade\np1,醴陵市,3\n", InputError),
])
def test_malformed_tables_raise(tmp_path, profiles, judgements, error):
    d = _write(tmp_path / "b", profiles, judgements)
    with pytest.raises(error):
        load_benchmark(d)


def test_missing_directory_or_files_and_bad_json(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_benchmark(tmp_path / "nope")
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "profiles.csv").write_text("profile_id,text\np1,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="judgements.csv"):
        load_benchmark(tmp_path / "half")
    d = _write(tmp_path / "b", "profile_id,text\np1,x\n", "profile_id,entity,grade\n", "{not json")
    with pytest.raises(InputError, match="checks.json"):
        load_benchmark(d)
