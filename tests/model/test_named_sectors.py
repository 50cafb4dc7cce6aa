"""Fit on small hand-made reports: a sector the investor named stays a query tag."""

from __future__ import annotations

import pytest

from recommender import Recommender, load_corpus

REPORTS = {
    "阿克苏市": "出台纺织服装扶持政策,纺织服装产业增加值增长20%。改善营商环境。",
    "库尔勒市": "推进现代物流发展,建设物流园区。改善营商环境。",
}
PROFILE = {"sectors": ["纺织服装"], "text": "棉纺织和服装加工企业"}


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    root = tmp_path_factory.mktemp("named")
    for i, (place, body) in enumerate(REPORTS.items()):
        (root / f"{i}.txt").write_text(f"{place}2025年政府工作报告\n\n{body}\n", encoding="utf-8")
    return Recommender().fit(load_corpus([str(root)]))


def test_sub_sectors_of_the_text_refine_the_named_sector(model):
    prepared = model.prepare(PROFILE)
    # 纺织 and 服装 in the text are sub-sectors of 纺织服装; the named sector is kept beside them
    assert "TEXT" in prepared.codes
    assert {"TEXT.TEXTILE", "TEXT.APPAREL"} <= set(prepared.codes)


def test_a_passage_on_the_named_sector_answers_it(model):
    result = model.recommend(PROFILE, top_k=3)
    top = result.matches[0]
    assert top.name == "阿克苏市"
    assert top.tag_score > 0 and "纺织服装" in top.matched_sectors
