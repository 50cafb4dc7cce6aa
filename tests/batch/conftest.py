"""Fixtures for the batch tests (the session model is in ``tests/conftest.py``)."""

from __future__ import annotations

import pandas as pd
import pytest



@pytest.fixture()
def messy_profiles():
    """Good profiles with every kind of bad row mixed in (the golden batch table)."""
    rows = [
        {"profile_id": "ceramics", "sectors": "陶瓷", "text": "日用陶瓷", "regions": "", "levels": ""},
        {"profile_id": "empty", "sectors": "", "text": "", "regions": "", "levels": ""},
        {"profile_id": "nan", "sectors": float("nan"), "text": float("nan"), "regions": None, "levels": None},
        {"profile_id": "bad-sector", "sectors": "不存在的行业", "text": "", "regions": "", "levels": ""},
        {"profile_id": "half-sector", "sectors": "不存在的行业;陶瓷", "text": "", "regions": "", "levels": ""},
        {"profile_id": "bad-region", "sectors": "陶瓷", "text": "", "regions": "火星", "levels": ""},
        {"profile_id": "bad-level", "sectors": "陶瓷", "text": "", "regions": "", "levels": "planet"},
        {"profile_id": "long", "sectors": "", "text": "硬质合金刀具" * 8500, "regions": "", "levels": ""},
        {"profile_id": "emoji", "sectors": "", "text": "🚄😀 轨道交通装备 🚀", "regions": "", "levels": ""},
        {"profile_id": "sql", "sectors": "轨道交通装备", "text": "'; DROP TABLE profiles; -- OR 1=1",
         "regions": "", "levels": ""},
        {"profile_id": "ceramics", "sectors": "陶瓷", "text": "日用陶瓷", "regions": "", "levels": ""},
        {"profile_id": None, "sectors": "轨道交通装备", "text": "牵引变流器", "regions": "湖南省", "levels": "district"},
        {"profile_id": "formula", "sectors": "", "text": "=HYPERLINK(\"http://x\") 陶瓷", "regions": "", "levels": ""},
    ]
    return pd.DataFrame(rows)
