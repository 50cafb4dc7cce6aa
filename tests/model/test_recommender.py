"""Contract, behaviour and error tests of the Recommender estimator."""

import json
import logging

import numpy as np
import pytest
from sklearn.base import clone

from recommender import InvestorProfile, Recommender
from recommender.exceptions import (
    EmptyProfileError,
    InputError,
    NotFittedError,
    UnknownLevelError,
    UnknownRegionError,
    UnknownSectorError,
)

PROFILES = [
    {"profile_id": "rail", "sectors": ["轨道交通装备"], "text": "轨道交通牵引变流器配套企业"},
    {"profile_id": "ceramics", "sectors": ["陶瓷"], "text": "日用陶瓷与艺术瓷生产企业"},
    {"profile_id": "igbt", "text": "功率半导体（IGBT模块封装测试）企业"},
    {"profile_id": "alloy", "sectors": ["新材料"], "text": "硬质合金数控刀具制造商"},
    {"profile_id": "geo", "text": "地理信息/遥感/北斗时空数据服务公司"},
    {"profile_id": "en", "text": "Ceramic tableware and art porcelain manufacturer"},
    {"profile_id": "tw", "sectors": ["軌道交通裝備"], "text": "牽引變流器"},
    {"profile_id": "changsha", "text": "新能源汽车零部件企业", "regions": ["长沙市"]},
]


def test_estimator_contract():
    rec = Recommender(text_weight=0.7)
    assert rec.get_params()["text_weight"] == 0.7
    assert clone(rec).get_params() == rec.get_params()
    with pytest.raises(NotFittedError):
        rec.recommend("陶瓷")


def test_invalid_params_are_refused_at_fit(sample_corpus):
    with pytest.raises(InputError, match="text_weight"):
        Recommender(text_weight=1.5).fit(sample_corpus)
    with pytest.raises(InputError, match="pooling"):
        Recommender(pooling="median").fit(sample_corpus)


def test_scores_lie_in_unit_interval_and_are_sorted(model):
    for profile in PROFILES:
        result = model.recommend(profile, top_k=10)
        scores = [m.score for m in result.matches]
        assert scores == sorted(scores, reverse=True)
        for m in result.matches:
            for value in (m.score, m.text_score, m.tag_score):
                assert 0.0 <= value <= 1.0
        assert [m.rank for m in result.matches] == list(range(1, len(result.matches) + 1))


@pytest.mark.parametrize("profile, expected", [
    ({"sectors": ["陶瓷"], "text": "日用陶瓷与艺术瓷"}, {"醴陵市"}),
    ({"text": "Ceramic tableware and art porcelain manufacturer"}, {"醴陵市"}),
    ({"sectors": ["工程机械"], "text": "液压件"}, {"宁乡市"}),
    ({"sectors": ["軌道交通裝備"], "text": "牽引變流器"}, {"石峰区", "株洲市"}),
    ({"text": "Rail transit traction converter supplier"}, {"石峰区", "株洲市"}),
])
def test_obvious_profiles_rank_the_obvious_place_first(model, profile, expected):
    assert model.recommend(profile, top_k=3).matches[0].name in expected


def test_matches_report_why(model):
    result = model.recommend({"sectors": ["陶瓷"], "text": "日用陶瓷"}, top_k=3)
    top = result.matches[0]
    assert "陶瓷" in top.matched_sectors
    assert top.matched_terms
    assert [(r.sector, r.tags, r.route) for r in result.resolved_sectors] == [("陶瓷", ("陶瓷",), "name")]
    assert {"sector literal", "taxonomy expansion"} <= {t.source for t in result.query_terms}
    for ev in top.evidence:
        assert ev.highlights
        for a, b in ev.highlights:
            assert ev.start <= a < b <= ev.end
            assert any(t in ev.text[a - ev.start:b - ev.start] for t in ev.terms)


def test_evidence_is_verbatim_about_the_sector_and_not_repeated(model):
    for profile in PROFILES:
        result = model.recommend(profile, top_k=5, evidence_k=3)
        for m in result.matches:
            texts = [e.text for e in m.evidence]
            assert len(texts) == len(set(texts))
            for e in m.evidence:
                with open(e.source, encoding="utf-8") as fh:
                    assert fh.read()[e.start:e.end] == e.text
                assert e.terms, "every evidence passage shares terms with the profile"


def test_evidence_never_cites_glossaries_or_furniture(model, sample_corpus):
    glossary = set(sample_corpus.passages.loc[sample_corpus.passages["role"] != "body", "text"])
    for profile in PROFILES:
        for m in model.recommend(profile, top_k=5, evidence_k=3).matches:
            for e in m.evidence:
                assert e.text not in glossary
                assert "投稿" not in e.text and "温馨提示" not in e.text and "名词解释" not in e.text


def test_same_input_same_output(model, sample_corpus):
    again = Recommender().fit(sample_corpus)
    for profile in PROFILES:
        assert model.recommend(profile).to_dict() == again.recommend(profile).to_dict()


def test_save_load_round_trip(model, tmp_path):
    path = tmp_path / "m.joblib"
    model.save(path)
    loaded = Recommender.load(path)
    for profile in PROFILES:
        assert loaded.recommend(profile).to_dict() == model.recommend(profile).to_dict()
    manifest = json.loads((tmp_path / "m.joblib.manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] >= 1
    assert {"recommender", "scikit-learn", "jieba"} <= set(manifest["versions"])
    assert manifest["files"]["m.joblib"]["sha256"]


def test_region_filter_follows_the_hierarchy(model):
    result = model.recommend({"text": "新能源汽车零部件", "regions": ["长沙市"]}, top_k=10)
    assert result.matches
    for m in result.matches:
        assert m.name == "长沙市" or "长沙市" in m.path


def test_region_by_adcode_and_level_filter(model):
    result = model.recommend({"text": "陶瓷", "regions": ["430200"], "levels": ["district"]}, top_k=10)
    assert result.matches and all(m.level == "district" and "株洲市" in m.path for m in result.matches)


def test_exclude(model):
    result = model.recommend({"sectors": ["陶瓷"], "exclude": ["醴陵市"]}, top_k=10)
    assert "醴陵市" not in [m.name for m in result.matches]


def test_parks_and_districts_both_ranked(model):
    result = model.recommend({"sectors": ["陶瓷"], "text": "陶瓷产业集群"}, top_k=10)
    levels = {m.level for m in result.matches}
    assert {"district", "park"} <= levels


def test_no_evidence_is_flagged_weak(model):
    for text in ["氢燃料电池 电堆", "hydrogen fuel cell stack"]:
        result = model.recommend(text, top_k=5)
        assert result.weak_evidence
        assert all(m.score < model.weak_threshold for m in result.matches)
        assert any("weak evidence" in w for w in result.warnings)
    strong = model.recommend({"sectors": ["陶瓷"], "text": "日用陶瓷"})
    assert not strong.weak_evidence


def test_bad_profiles(model, caplog):
    with pytest.raises(EmptyProfileError):
        model.recommend({"sectors": [], "text": "  "})
    # a sector known only approximately is searched as literal text, with a warning that
    # names close matches; the guessed tag is reported as a guess
    literal = model.recommend({"sectors": ["电瓷电器xyz"]})
    assert any("unknown sector" in w and "literal text" in w for w in literal.warnings)
    assert [(r.sector, r.route) for r in literal.resolved_sectors] == [("电瓷电器xyz", "fuzzy")]
    assert literal.matches and literal.matches[0].name == "醴陵市"
    # a sector string none of whose words the reports use cannot be searched: alone, an error
    with pytest.raises(UnknownSectorError, match="不存在的行业"):
        model.recommend({"sectors": ["不存在的行业"]})
    with pytest.raises(UnknownSectorError):
        model.recommend({"sectors": ["!!!"]})
    with caplog.at_level(logging.WARNING):
        result = model.recommend({"sectors": ["不存在的行业"], "text": "日用陶瓷"})
    assert result.matches and any("unknown sector" in w for w in result.warnings)
    with pytest.raises(UnknownRegionError, match="株洲"):
        model.recommend({"text": "陶瓷", "regions": ["株州市"]})
    with pytest.raises(UnknownLevelError, match="district"):
        model.recommend({"text": "陶瓷", "levels": ["distrct"]})
    with pytest.raises(InputError, match="unknown profile field"):
        model.recommend({"text": "陶瓷", "sector": ["陶瓷"]})
    with pytest.raises(InputError, match="top_k"):
        model.recommend("陶瓷", top_k=0)


def test_recommend_many_collects_errors_in_order(model):
    profiles = [PROFILES[0], {"text": ""}, PROFILES[1], {"text": "陶瓷", "levels": ["x"]}]
    results = model.recommend_many(profiles, errors="collect")
    assert [r.error is None for r in results] == [True, False, True, False]
    assert results[0].to_dict() == model.recommend(PROFILES[0]).to_dict()
    with pytest.raises(EmptyProfileError):
        model.recommend_many(profiles)


def test_to_frame_has_one_row_per_match(model):
    result = model.recommend(InvestorProfile(sectors=["陶瓷"], text="日用陶瓷"), top_k=4)
    frame = result.to_frame()
    assert len(frame) == len(result.matches)
    assert {"evidence_text", "evidence_source", "evidence_start", "score"} <= set(frame.columns)


def test_fit_on_provincial_tables_ranks_provinces(shared_dir):
    from recommender import load_corpus

    corpus = load_corpus(shared_dir / "data" / "provincial_reports_2026" / "2026_黑龙江省_政府工作报告.csv")
    corpus2 = load_corpus([shared_dir / "data" / "provincial_reports_2026" / name for name in
                           ("2026_黑龙江省_政府工作报告.csv", "2026_海南省_政府工作报告.csv",
                            "2026_内蒙古自治区_政府工作报告.csv", "2026_广东省_政府工作报告.csv")])
    assert len(corpus.documents) == 1
    rec = Recommender().fit(corpus2)
    top = rec.recommend({"text": "冰雪旅游 滑雪场", "levels": ["province"]}, top_k=3).matches[0]
    assert top.name == "黑龙江省"
    top = rec.recommend({"text": "稀土新材料", "levels": ["province"]}, top_k=3).matches[0]
    assert top.name == "内蒙古自治区"
    ev = top.evidence[0]
    assert ev.row == 0
    import pandas as pd

    table = pd.read_csv(ev.source, dtype=str, keep_default_na=False)
    assert table["full_text"].iloc[ev.row][ev.start:ev.end] == ev.text


def test_scores_mean_the_same_across_profiles(model):
    # a profile's score does not depend on which other profiles are scored with it
    alone = model.recommend(PROFILES[0]).to_dict()
    together = model.recommend_many(PROFILES)[0].to_dict()
    assert alone == together
    assert np.isclose(model.recommend(PROFILES[1]).matches[0].score,
                      model.recommend_many([PROFILES[2], PROFILES[1]])[1].matches[0].score)


def test_every_match_has_evidence_about_the_profile(model):
    for profile in PROFILES + [{"text": "光伏"}, {"text": "通用航空 飞机零部件"}]:
        for m in model.recommend(profile, top_k=10, evidence_k=2).matches:
            assert m.evidence, f"{m.name} listed without a passage for {profile}"
    # evidence_k=0 returns the same places, without passages
    with_ev = [m.name for m in model.recommend({"text": "光伏"}, top_k=5).matches]
    without = model.recommend({"text": "光伏"}, top_k=5, evidence_k=0).matches
    assert [m.name for m in without] == with_ev and all(not m.evidence for m in without)


def test_parallel_tokenization_gives_the_same_model(model, sample_corpus, monkeypatch):
    import recommender.model.fit as fit_module

    monkeypatch.setattr(fit_module, "PARALLEL_MIN_PASSAGES", 0)
    started = []
    original = fit_module.start_tokenization

    def spy(tokenizer, texts, *args, **kwargs):
        pending = original(tokenizer, texts, *args, **kwargs)
        started.append(pending is not None)
        return pending

    monkeypatch.setattr(fit_module, "start_tokenization", spy)
    parallel = Recommender(n_jobs=2).fit(sample_corpus)
    assert started == [True]
    # the mention windows too are tokenized by the workers: this process never builds jieba's
    # dictionary during a parallel fit
    assert parallel.X_.shape[0] > len(parallel.passages_) and parallel.tokenizer_._engine is None
    assert (parallel.X_ != model.X_).nnz == 0
    assert (parallel.T_raw_ != model.T_raw_).nnz == 0 and parallel.passage_hits_ == model.passage_hits_
    for profile in PROFILES[:4]:
        assert parallel.recommend(profile).to_dict() == model.recommend(profile).to_dict()


def test_check_is_fitted_recognises_the_model(model):
    from sklearn.exceptions import NotFittedError as SklearnNotFittedError
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)
    with pytest.raises(SklearnNotFittedError):
        check_is_fitted(Recommender())
    with pytest.raises(NotFittedError) as info:
        Recommender().recommend("陶瓷")
    assert isinstance(info.value, ValueError) and isinstance(info.value, AttributeError)
