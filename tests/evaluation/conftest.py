"""Fixtures for the evaluation tests (the session model is in ``tests/conftest.py``)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tiny_bench(tmp_path_factory):
    """A three-profile benchmark: a clean one, one without judgements, one unresolvable name.

    Read-only for the tests that use it.
    """
    d = tmp_path_factory.mktemp("bench") / "tiny"
    d.mkdir()
    (d / "profiles.csv").write_text(
        "profile_id,sectors,text,regions,levels\n"
        "T1,陶瓷,日用陶瓷与艺术瓷生产企业,,\n"
        "T2,,硬质合金数控刀具制造商,,\n"
        "T3,轨道交通装备,轨道交通牵引变流器配套,株洲市,\n",
        encoding="utf-8",
    )
    (d / "judgements.csv").write_text(
        "profile_id,entity,grade\n"
        "T1,醴陵市,3\n"
        "T1,株洲市,1\n"
        "T1,没有这个地方,2\n"
        "T3,石峰区,3\n"
        "T3,株洲市,2\n",
        encoding="utf-8",
    )
    (d / "checks.json").write_text(
        '{"evidence_keywords": {"T1": ["陶瓷", "瓷"], "T2": ["硬质合金"]},'
        ' "traps": {"T1": {"not_in_top": 3, "units": ["攸县"]}, "T3": {"only_under": "株洲市"}}}',
        encoding="utf-8",
    )
    return d
