"""Fit on small hand-made reports: an enumeration of named projects is a program, not a list mention."""

from __future__ import annotations

import pytest

from recommender import Recommender, load_corpus

REPORTS = {
    "荷塘区": "加快冷链物流产业园、网络货运平台、智能仓储、供应链枢纽中心等项目建设。改善营商环境。",
    "芦淞区": "推动冷链物流、新材料、文化旅游、数字经济等产业发展。改善营商环境。",
}


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    root = tmp_path_factory.mktemp("projects")
    for i, (place, body) in enumerate(REPORTS.items()):
        (root / f"{i}.txt").write_text(f"{place}2025年政府工作报告\n\n{body}\n", encoding="utf-8")
    return Recommender().fit(load_corpus([str(root)]))


def test_a_list_of_projects_outranks_a_list_of_sectors(model):
    result = model.recommend({"text": "冷链物流企业,寻找仓储用地"}, top_k=5)
    kinds = {m.name: m.mention for m in result.matches}
    assert kinds["荷塘区"] == "substantive"
    assert kinds["芦淞区"] == "list"
    assert result.matches[0].name == "荷塘区"
