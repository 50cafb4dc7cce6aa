"""Refitting an estimator on another corpus leaves nothing of the first fit behind."""

from __future__ import annotations

import json

from recommender import Recommender, load_corpus
from recommender.model import catalogue as cat_mod

def _report(city, *paragraphs):
    # paragraphs about the city itself, long enough to stand alone: the corpus describes it
    filler = "坚持稳中求进工作总基调,完整准确全面贯彻新发展理念,加快构建新发展格局,着力推动高质量发展,全面深化改革开放。"
    return {"region": city, "title": f"{city}政府工作报告",
            "text": "各位代表:\n\n" + "\n\n".join(p + filler for p in paragraphs)}


XINGTAI = [_report("邢台市", "全市做强轴承产业,建成精密轴承生产线。", "全市壮大羊绒产业。",
                   "全市发展汽车零部件产业。", "全市推进装备制造业发展。")]
LESHAN = [_report("乐山市", "全市发展晶硅光伏产业。", "全市建设绿色化工基地。", "全市推进文旅产业发展。",
                  "全市壮大食品加工产业。")]


def _corpus(tmp_path, name, reports):
    path = tmp_path / f"{name}.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in reports), encoding="utf-8")
    return load_corpus(path, region_column="region")


def test_a_refit_drops_what_queries_kept_of_the_first_fit(tmp_path):
    model = Recommender().fit(_corpus(tmp_path, "xingtai", XINGTAI))
    model.recommend({"sectors": ["光伏", "轴承"]})         # fills the per-model query caches
    kept = ("_runtime_tables", "_catalogue_scope", "_catalogue_index")
    assert all(name in model.__dict__ for name in kept)
    model.fit(_corpus(tmp_path, "leshan", LESHAN))
    assert not any(name in model.__dict__ for name in kept)
    assert cat_mod._scope(model) == cat_mod._scope(Recommender().fit(_corpus(tmp_path, "again", LESHAN)))
