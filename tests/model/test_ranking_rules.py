"""The ranking rules, each shown on a small hand-made corpus (one report per place)."""

import pytest

from recommender import Recommender, load_corpus
from recommender.knowledge.taxonomy import Taxonomy
from recommender.model.query import english_terms, sector_items, split_unknown

GENERIC = "坚持制造强市，壮大产业集群，引进高端人才，推动制造业集群发展，人才集聚。"
REPORTS = {
    "醴陵市": GENERIC + "完善人才政策，制造业增加值增长，产业集群规模扩大，人才总量提升。",
    "攸县": "攸县引进钟表企业，建成钟表产业园，年产钟表200万只。" + GENERIC,
    "茶陵县": "茶陵县推进核电配套，建成核电阀门生产线，产值突破10亿元。改善营商环境。",
    "炎陵县": "炎陵县全面推进新能源、新材料、生物医药、钟表、数字经济等产业发展。" + GENERIC,
    "荷塘区": GENERIC + "荷塘区加强城市管理，推进乡村振兴。",
    "芦淞区": "芦淞区发展服装产业，建设服装市场。" + GENERIC,
    "渌口区": "渌口区发展新型显示产业，建设显示面板项目。推进新能源、新材料、数字经济、钟表等产业发展。",
    "天元区": "天元区推广新型建材，完善城市大屏显示设施。推动数字经济、钟表、文旅等融合发展。",
}


@pytest.fixture(scope="module")
def rules_model(tmp_path_factory):
    root = tmp_path_factory.mktemp("rules")
    for i, (place, body) in enumerate(REPORTS.items()):
        (root / f"{i}.txt").write_text(f"{place}2025年政府工作报告\n\n{body}\n", encoding="utf-8")
    return Recommender(generic_share=0.5).fit(load_corpus([str(root)]))


def test_generic_words_alone_never_make_a_match(rules_model):
    result = rules_model.recommend({"text": "制造 产业集群 人才"}, top_k=5)
    assert not result.matches
    assert result.weak_evidence


def test_specific_words_carry_generic_words_support(rules_model):
    result = rules_model.recommend({"text": "钟表制造企业，寻找产业集群和人才"}, top_k=5)
    names = [m.name for m in result.matches]
    assert "醴陵市" not in names                      # generic words only
    assert names[0] == "攸县"                         # the report about clocks beats a list mention
    assert names.index("攸县") < names.index("炎陵县")


def test_a_profile_whose_core_the_reports_never_use_is_weak(rules_model):
    result = rules_model.recommend({"text": "钢琴琴弦制造，寻找产业集群和人才"}, top_k=5)
    assert result.weak_evidence
    assert any("钢琴" in w and "琴弦" in w for w in result.warnings)
    assert all(m.score < rules_model.weak_threshold for m in result.matches)


def test_english_through_the_lexicon(rules_model):
    result = rules_model.recommend({"text": "Nuclear power valves supplier"}, top_k=3)
    assert result.matches[0].name == "茶陵县"
    lexicon = {t.term for t in result.query_terms if t.source == "English lexicon"}
    assert {"核电", "阀门"} <= lexicon


def test_highlights_are_the_matched_sentences(rules_model):
    result = rules_model.recommend({"text": "核电阀门"}, top_k=1)
    ev = result.matches[0].evidence[0]
    assert ev.highlights
    for a, b in ev.highlights:
        assert ev.start <= a < b <= ev.end
        sentence = ev.text[a - ev.start:b - ev.start]
        assert "核电" in sentence and "营商环境" not in sentence
    assert "核电" in ev.highlighted()


def test_unknown_compounds_are_searched_through_their_parts():
    assert split_unknown("服装加工", {"服装": 0, "加工": 1}) == ["服装", "加工"]
    assert split_unknown("机芯", {"机": 0}) == []


def test_sector_routes_are_honest():
    tax = Taxonomy.default()
    items = {i.input: i for i in sector_items(tax, ["陶瓷", "钟表机芯", "钟表产业xyz", "不存在的行业"])}
    assert items["陶瓷"].route == "name" and items["陶瓷"].exact
    assert items["钟表"].route == items["机芯"].route == "compound" and items["机芯"].source == "钟表机芯"
    assert items["钟表产业xyz"].route == "fuzzy" and not items["钟表产业xyz"].exact   # a guess, not a tag
    assert items["不存在的行业"].route == "literal" and items["不存在的行业"].codes == ()


def test_a_fuzzy_sector_is_searched_as_text_with_a_warning(rules_model):
    result = rules_model.recommend({"sectors": ["钟表产业xyz"]}, top_k=3)
    assert result.matches[0].name == "攸县"
    assert [r.route for r in result.resolved_sectors] == ["fuzzy"]
    assert any("searched as literal text" in w for w in result.warnings)


def test_english_sense_is_chosen_by_the_other_words():
    index = {"ship": ("转运", "船舶"), "insurance": ("保险",)}
    vocab = {"转运": 0, "船舶": 1, "保险": 2}
    together = {("船舶", "保险"): 5, ("转运", "保险"): 0}
    found, missing = english_terms("ship insurance", vocab, index=index,
                                   cooccurrence=lambda a, b: together.get((a, b), 0))
    assert found[0][1] == "船舶" and not missing


def test_a_character_standing_for_several_words_is_no_translation():
    """沈 simplifies both 沈 (to sink, a surname) and 瀋 (juice): "juice" is 汁, never 沈;
    a character that simplifies one word only (钢 for steel) stays."""
    from recommender.text.english import gloss_index

    index = gloss_index()
    assert "沈" not in index["juice"] and "汁" in index["juice"]
    assert "钢" in index["steel"] and "茶" in index["tea"]


def test_a_compound_counts_where_a_report_writes_it_out(rules_model):
    result = rules_model.recommend({"sectors": ["新型显示"]}, top_k=5)
    names = [m.name for m in result.matches]
    assert names[0] == "渌口区"
    assert "天元区" not in names[:1]


def test_list_mentions_rank_below_a_program(rules_model):
    result = rules_model.recommend({"text": "钟表"}, top_k=5)
    kinds = {m.name: m.mention for m in result.matches}
    assert kinds["攸县"] == "substantive"
    assert kinds["天元区"] == "list"
    names = [m.name for m in result.matches]
    assert names[0] == "攸县"
    assert all(names.index("攸县") < names.index(n) for n in ("天元区", "渌口区", "炎陵县"))


def test_a_text_tag_leads_only_as_far_as_it_explains_the_profile(model):
    # 电动车 names the EV sector: its tag stands for most of the profile
    ev = model.prepare({"text": "电动车电机电控供应商"})
    # 汽车 is one word among several about piano strings: its tag stands for little
    strings = model.prepare({"text": "钢琴琴弦生产企业，产品也供应汽车厂"})
    assert strings.text_codes == ("AUTO",)
    assert ev.tag_lead > strings.tag_lead
    assert strings.tag_lead < 0.5


def test_results_say_how_the_profile_was_read(rules_model):
    result = rules_model.recommend({"sectors": ["钟表产业xyz"], "text": "Nuclear power valves"}, top_k=1)
    record = result.to_dict()
    assert record["resolved_sectors"][0]["route"] == "fuzzy"
    sources = {t["source"] for t in record["query_terms"]}
    assert {"sector literal", "English lexicon"} <= sources
    for m in record["matches"]:
        for ev in m["evidence"]:
            assert ev["highlights"] and all(ev["start"] <= a < b <= ev["end"] for a, b in ev["highlights"])


@pytest.fixture(scope="module")
def long_report_model(tmp_path_factory):
    root = tmp_path_factory.mktemp("long")
    items = ["新能源", "新材料", "生物医药", "数字经济", "文旅", "现代物流", "食品加工", "电子信息"]
    sentences = []
    for k in range(12):
        picked = "、".join(items[k % 4:k % 4 + 3] + ["玩具"])
        sentences.append(f"石峰区第{k + 1}项任务是推动{picked}等产业协同发展，完善配套政策。")
    reports = {
        "石峰区": "".join(sentences),
        "攸县": "攸县建成玩具产业园，引进玩具企业12家，年产玩具500万件。",
        "茶陵县": "茶陵县推进乡村振兴，改善营商环境，发展特色农业。",
        "炎陵县": "炎陵县发展黄桃种植，建设冷链仓储设施。",
        "芦淞区": "芦淞区发展服装产业，建设服装市场。",
        "荷塘区": "荷塘区加强城市管理，推进老旧小区改造。",
    }
    for i, (place, body) in enumerate(reports.items()):
        (root / f"{i}.txt").write_text(f"{place}2025年政府工作报告\n\n{body}\n", encoding="utf-8")
    return Recommender(generic_share=0.5).fit(load_corpus([str(root)]))


def test_a_long_report_of_lists_does_not_answer_everything(long_report_model):
    result = long_report_model.recommend({"text": "玩具制造企业"}, top_k=3)
    names = [m.name for m in result.matches]
    assert names[0] == "攸县"
    assert names.index("攸县") < names.index("石峰区")
    kinds = {m.name: m.mention for m in result.matches}
    assert kinds["石峰区"] == "list"


def test_link_pooling_equals_the_dense_segment_pooling():
    """Pooling through the links, reading only positive passages, gives exactly the
    dense gather-and-pool result, for every registered pooling."""
    import numpy as np

    from recommender.model.scoring import POOLINGS, LinkPooling, pool_segments

    rng = np.random.default_rng(5)
    n_units, n_places = 60, 12
    links = [rng.choice(n_units, size=rng.integers(1, 8), replace=False) for _ in range(n_places)]
    units = np.concatenate(links)
    weights = rng.choice([0.25, 0.5, 1.0], size=len(units)).astype(np.float32)
    offsets = np.cumsum([0] + [len(x) for x in links[:-1]])
    values = rng.random((7, n_units)).astype(np.float32)
    values[values < 0.7] = 0.0                      # mostly zero, like a real profile's passages
    values[0] = 0.0                                  # a profile no passage answers
    pool = LinkPooling(units, weights, offsets, n_units)
    for kind in POOLINGS:
        for m in (1, 3):
            dense = pool_segments(values[:, units] * weights, offsets, m, kind)
            assert np.array_equal(pool(values, m, kind), dense)
            assert np.array_equal(pool(values.astype(np.float64), m, kind, weighted=False),
                                  pool_segments(values.astype(np.float64)[:, units], offsets, m, kind))
    assert not pool(values, 3).any(axis=1)[0]
