"""Fit on small hand-made city reports: a sector narrower than its tag, spelled and read as written."""

from __future__ import annotations

import json

import pytest

from recommender import Recommender, load_corpus
from recommender.knowledge.taxonomy import Taxonomy
from recommender.model.query import english_terms, sector_items

REPORTS = [
    {"region": "邢台市", "title": "邢台市政府工作报告",
     "text": "各位代表:\n\n强力推动县域特色产业振兴。临西县做强轴承产业,建成精密轴承生产线,轴承产值突破百亿元。\n\n"
             "清河县发展通用设备制造,壮大泵阀、压缩机、减速器和齿轮产业,建设通用设备产业园。"},
    {"region": "黔南布依族苗族自治州", "title": "黔南州政府工作报告",
     "text": "各位代表:\n\n重点打造瓮安县千亿级磷化工产业园区,发展精细磷化工。\n\n"
             "都匀市发展精细化工和新材料产业,建设化工园区。"},
    {"region": "乐山市", "title": "乐山市政府工作报告",
     "text": "各位代表:\n\n沐川县获评魔芋之乡、全省竹产业高质量发展县。"
             "峨眉山市建设文旅康养基地,发展竹林观光。"},
]


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    path = tmp_path_factory.mktemp("narrow") / "reports.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in REPORTS), encoding="utf-8")
    return Recommender().fit(load_corpus(path, region_column="region"))


def _names(result):
    return [m.name for m in result.matches]


def test_a_product_of_a_broad_tag_is_narrower_than_the_tag():
    tax = Taxonomy.default()
    assert tax.narrower("轴承", ["EQP.GENERAL"]) and tax.narrower("羊绒", ["TEXT.TEXTILE"])
    assert not tax.narrower("通用设备", ["EQP.GENERAL"]) and not tax.narrower("纺织产业", ["TEXT.TEXTILE"])
    items = sector_items(tax, ["轴承", "通用设备", "钨钼新材料", "钢铁、有色金属"])
    exact = {i.input: i.exact for i in items}
    assert exact["轴承"] is False and exact["通用设备"] is True
    # side by side, the first word qualifies the second: 钨钼新材料 is a part of 新材料
    assert exact["钨钼"] is False and exact["新材料"] is False
    # a list of sectors names each of them
    assert exact["钢铁"] is True and exact["有色金属"] is True


def test_a_narrow_sector_is_searched_as_text_and_its_tag_only_supports(model):
    prepared = model.prepare({"sectors": ["轴承"], "text": "精密轴承制造企业", "levels": ["district"]})
    assert prepared.exact_codes == ()
    assert dict(zip(prepared.codes, prepared.tag_weights))["EQP.GENERAL"] == model.approximate_tag_weight
    assert prepared.tag_lead <= model.approximate_tag_weight
    assert any("names a part of the industry tag 通用设备" in w for w in prepared.warnings)
    # 清河县 makes general machinery, not bearings
    result = model.recommend({"sectors": ["轴承"], "text": "精密轴承制造企业", "levels": ["district"]}, top_k=3)
    assert _names(result)[0] == "临西县"
    assert "清河县" not in _names(result)


def test_a_sector_is_spelled_as_the_tokenizer_reads_it(model):
    # 磷化工 is no word of the vocabulary: it is searched as 磷 + 化工, and as written
    prepared = model.prepare({"sectors": ["磷化工"], "levels": ["district"]})
    literal = {t.term for t in prepared.terms if t.source == "sector literal"}
    assert {"磷", "化工"} <= literal
    assert any(text == "磷化工" for text, _, _ in prepared.phrases)
    assert _names(model.recommend({"sectors": ["磷化工"], "levels": ["district"]}, top_k=3))[0] == "瓮安县"


def test_the_containing_province_does_not_cut_a_countys_clause(model):
    result = model.recommend({"sectors": ["竹产业"], "text": "竹制品加工", "levels": ["district"]}, top_k=3)
    # 全省 is the province that contains 乐山市: 全省竹产业高质量发展县 is still said of 沐川县
    assert _names(result)[0] == "沐川县"
    assert [r.route for r in result.resolved_sectors] == ["literal"]   # 竹产业 is not 铝产业


def test_a_word_said_again_counts_again_and_a_place_name_is_no_content(model):
    once = model.prepare({"text": "轴承企业"})
    twice = model.prepare({"text": "轴承企业，寻找轴承产业集群"})
    content = {t.term: t.content for t in once.terms}
    again = {t.term: t.content for t in twice.terms}
    assert again["轴承"] == pytest.approx(1.5 * content["轴承"])
    where = model.prepare({"text": "轴承企业，计划在临西县建厂"})
    assert {t.term: t.content for t in where.terms}.get("临西县", 0.0) == 0.0


def test_english_profile_words_and_hyphenated_compounds():
    from recommender.text.english import english_phrases

    index = {"steel pipe": ("钢管",), "manufacture": ("制作",), "county": ("县",), "set up": ("建立",),
             "industrial park": ("工业园区",), "existing": ("既有",), "navel orange": ("脐橙",)}
    found = english_phrases("We manufacture steel pipes and want to set up in a county with an existing "
                            "industrial park growing navel-oranges", index)
    assert [(p.text, p.candidates) for p in found] == [("steel pipes", ("钢管",)), ("navel oranges", ("脐橙",))]


def test_a_sense_the_taxonomy_knows_is_preferred():
    index = {"down": ("下行", "羽绒"), "duck": ("鸭",)}
    vocab = {"下行": 0, "羽绒": 1, "鸭": 2}
    found, _ = english_terms("duck down", vocab, taxonomy=Taxonomy.default(), index=index,
                             cooccurrence=lambda a, b: 0, document_frequency=lambda w: 100 if w == "下行" else 5)
    assert dict((p, w) for p, w, _ in found)["down"] == "羽绒"


def test_english_clauses_weigh_like_chinese_ones(model):
    # what the firm does weighs fully, what it looks for half: phosphorus is said in both
    prepared = model.prepare({"text": "We refine phosphorus and are looking for a county with phosphorus"})
    content = {t.term: t.content for t in prepared.terms if t.source == "English lexicon"}
    idf = model.vectorizer_.idf_[model.vectorizer_.vocabulary_["磷"]]
    assert content["磷"] == pytest.approx(1.5 * idf, rel=1e-4)


def test_an_english_word_whose_tag_name_the_reports_never_use_keeps_its_own_sense():
    # "fruit" is an English name of 园艺林业, a name no report writes: 水果 is searched, the tag kept
    index = {"fruit": ("果实", "水果")}
    found, _ = english_terms("fruit", {"水果": 0}, taxonomy=Taxonomy.default(), index=index)
    assert found == [("fruit", "水果", ("AGRI.HORT",))]


def test_footwear_words_tag_the_footwear_industry():
    from recommender.knowledge.tagging import IndustryTagger

    tagger = IndustryTagger(Taxonomy.default())
    for text in ("宁远县入选国家鞋类外贸转型升级基地", "打造中部鞋业集群", "吴川羽绒和鞋业基地"):
        assert "TEXT.LEATHER" in tagger.tag(text)


def test_a_compound_is_found_however_the_tokenizer_cut_it(tmp_path):
    from recommender.model.prepare import phrase_hits

    reports = [{"region": "黔南布依族苗族自治州", "title": "黔南州政府工作报告",
                "text": "各位代表:\n\n聚力打造福泉—瓮安磷化工园区,工业总产值突破千亿元。\n\n"
                        "都匀市发展精细磷化工和新材料产业。\n\n荔波县发展生态旅游。"}]
    path = tmp_path / "reports.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in reports), encoding="utf-8")
    model = Recommender().fit(load_corpus(path, region_column="region"))
    prepared = model.prepare({"sectors": ["磷化工"]})
    hits = phrase_hits(model, [prepared]).toarray()[0]
    names = list(model.entities_["name"])
    (unit,) = model.entity_passages_[names.index("瓮安县")][0]
    words = {model.feature_names_[k] for k in model.X_[unit].indices}
    # 瓮安's clause was cut 磷 / 化工园区, yet it writes 磷化工 out; 荔波县's says nothing of it
    assert "磷" in words and "化工" not in words
    assert hits[unit] > 0
    assert hits[model.entity_passages_[names.index("荔波县")][0][0]] == 0
