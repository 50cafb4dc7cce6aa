"""A region filter read through the model's region index allows the places the scan of every
place's ancestors allows."""

import numpy as np
import pytest

from recommender.model.prepare import filter_mask
from recommender.model.stored import stored_table
from recommender.profiles import InvestorProfile


@pytest.mark.parametrize("regions, exclude", [
    (("株洲市",), ()), (("长沙市", "醴陵市"), ()), (("湖南省",), ("株洲市",)), (("芦淞区",), ()),
])
def test_index_and_scan_agree(model, regions, exclude):
    profile = InvestorProfile(text="陶瓷", regions=regions, exclude=exclude)
    entities = stored_table(model, "entities_")
    rt = model._runtime()
    by_index = filter_mask(entities, profile, model.gazetteer_, within=rt.places_within)
    by_scan = filter_mask(entities, profile, model.gazetteer_)
    np.testing.assert_array_equal(by_index, by_scan)
    assert 0 < by_index.sum() < len(by_index)
