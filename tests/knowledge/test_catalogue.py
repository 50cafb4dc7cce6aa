"""Tests of the bundled development-zone catalogue as citable evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from recommender.exceptions import TableSchemaError
from recommender.knowledge.catalogue import DevZoneCatalogue
from recommender.knowledge.gazetteer import Gazetteer
from recommender.knowledge.taxonomy import Taxonomy, data_path

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


@pytest.fixture(scope="module")
def cat():
    return DevZoneCatalogue.default()


def test_every_zone_has_a_verbatim_cell(cat):
    gaz = Gazetteer.default()
    with open(cat.source, encoding="utf-8") as fh:
        text = fh.read()
    assert len(cat) == 2543
    for eid in gaz.entities.loc[gaz.entities["level"] == "park", "entity_id"]:
        row = cat.get(eid)
        if row is None:
            continue  # a park read from the corpus, not a catalogue zone
        assert text[row.start:row.end] == row.text
        assert gaz.get(eid).name == row.name
    # the duplicated code: two zones, two rows
    assert cat.get("S377018-1").row != cat.get("S377018-2").row


@pytest.mark.skipif(not SHARED.exists(), reason="shared reference data not beside the repository")
def test_bundled_file_is_the_shared_catalogue():
    shared = SHARED / "data" / "devzones" / "china_devzones_2018.csv"
    assert data_path("china_devzones_2018.csv").read_bytes() == shared.read_bytes()


def test_support_follows_the_hierarchy(cat):
    tax = Taxonomy.default()
    # 醴陵经开区: 陶瓷、交通装备、新材料; a 材料工业 query is answered by its 陶瓷/新材料 labels
    row, codes, labels = cat.support("S437016", ["MAT"], tax)
    assert codes == ["MAT"] and "陶瓷" in labels
    assert cat.support("S437016", ["FOOD.TEA"], tax)[1] == []
    assert cat.support("430204", ["MAT"], tax) == (None, [], [])
    # 在建: a zone under construction supports nothing
    assert cat.get("G213019").text == "在建"
    assert cat.support("G213019", tax.codes, tax)[1] == []


def test_mismatched_mapping_is_refused(tmp_path):
    src = data_path("china_devzones_2018.csv").read_text(encoding="utf-8").split("\n")
    p = tmp_path / "c.csv"
    p.write_text("\n".join(src[:3]) + "\n", encoding="utf-8")
    with pytest.raises(TableSchemaError, match="rows"):
        DevZoneCatalogue(p, data_path("devzone_place_mapping.csv"))
    p.write_text(src[0] + "\n" + src[2] + "\n", encoding="utf-8")
    with pytest.raises(TableSchemaError, match="does not match"):
        DevZoneCatalogue(p, data_path("devzone_place_mapping.csv"))
