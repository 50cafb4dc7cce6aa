"""Catalogue evidence on the sample corpus: citations of kind "catalogue", below reports."""

from __future__ import annotations

import pytest

from recommender.knowledge.gazetteer import Gazetteer


@pytest.fixture(scope="module")
def hunan_labels():
    gaz = Gazetteer.default()
    ents = gaz.entities
    parks = ents[(ents["level"] == "park") & ents["entity_id"].str.match(r"^[GS]\d")]
    return sorted({s for eid, secs in zip(parks["entity_id"], parks["sectors"])
                   if gaz.is_within(eid, "430000") for s in secs})


def _verbatim(e):
    with open(e.source, encoding="utf-8") as fh:
        return fh.read()[e.start:e.end] == e.text


def test_hunan_catalogue_labels_find_matches_with_citations(model, hunan_labels):
    assert len(hunan_labels) > 100
    results = model.recommend_many([{"sectors": [lab]} for lab in hunan_labels], top_k=10, errors="collect")
    assert all(r.error is None for r in results)
    found = [lab for lab, r in zip(hunan_labels, results) if r.matches]
    assert len(found) / len(hunan_labels) >= 0.95
    cited = [e for r in results for m in r.matches for e in m.evidence if e.kind == "catalogue"]
    assert len(cited) > 20
    for e in cited:
        assert _verbatim(e)
        assert isinstance(e.row, int) and e.terms
        assert e.to_dict()["kind"] == "catalogue"
        # each highlight is a label of the cell that supports the profile, in source coordinates
        assert e.highlights
        with open(e.source, encoding="utf-8") as fh:
            source = fh.read()
        for a, b in e.highlights:
            assert e.start <= a < b <= e.end
            assert source[a:b] in e.terms


def test_report_evidence_outranks_a_catalogue_line(model):
    result = model.recommend({"sectors": ["纺织"]}, top_k=10, evidence_k=3)
    assert result.matches
    seen_catalogue_only = False
    for m in result.matches:
        kinds = [e.kind for e in m.evidence]
        # within a match, passages first; catalogue rows last
        assert kinds == sorted(kinds, key=lambda k: k == "catalogue")
        only = kinds and set(kinds) == {"catalogue"}
        if only and m.entity_id not in set(model.entity_ids_):
            seen_catalogue_only = True
        elif seen_catalogue_only:
            pytest.fail("a place with report evidence ranked after a catalogue-only zone")
    ceramics = model.recommend({"sectors": ["陶瓷"]}, top_k=5)
    assert ceramics.matches[0].evidence[0].kind == "passage"


def test_catalogue_only_zone_respects_filters(model):
    hits = model.recommend({"sectors": ["纺织"], "levels": ["district"]}, top_k=10)
    assert all(m.level == "district" for m in hits.matches)
    hits = model.recommend({"sectors": ["纺织"], "regions": ["长沙市"]}, top_k=10)
    gaz = model.gazetteer_
    assert all(gaz.is_within(m.entity_id, "430100") for m in hits.matches)
