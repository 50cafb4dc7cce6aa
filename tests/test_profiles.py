import math

import pytest

from recommender.exceptions import EmptyProfileError, InputError, UnknownLevelError
from recommender.profiles import MAX_TEXT_CHARS, InvestorProfile, split_list_field


@pytest.mark.parametrize("raw, expected", [
    ("a;b", ["a", "b"]), ("a；b、c|d", ["a", "b", "c", "d"]), (" a ; ; ", ["a"]),
    (None, []), (math.nan, []), (["x", None, " y "], ["x", "y"]),
])
def test_split_list_field(raw, expected):
    assert split_list_field(raw) == expected


def test_profile_validation():
    with pytest.raises(EmptyProfileError):
        InvestorProfile()
    with pytest.raises(EmptyProfileError):
        InvestorProfile.from_dict({"sectors": math.nan, "text": math.nan})
    with pytest.raises(UnknownLevelError, match="park"):
        InvestorProfile(text="x", levels=["parks"])
    with pytest.raises(InputError, match="sector"):
        InvestorProfile.from_dict({"sector": "陶瓷"})
    assert InvestorProfile(text="x", levels=["District"]).levels == ("district",)


def test_long_text_is_truncated_with_warning(caplog):
    p = InvestorProfile(text="陶" * (MAX_TEXT_CHARS + 5))
    assert len(p.text) == MAX_TEXT_CHARS and p.truncated
    assert "truncated" in caplog.text


def test_coerce():
    assert InvestorProfile.coerce("陶瓷").text == "陶瓷"
    p = InvestorProfile(text="a")
    assert InvestorProfile.coerce(p) is p
    assert InvestorProfile.coerce({"profile_id": 3, "text": "a"}).profile_id == "3"
