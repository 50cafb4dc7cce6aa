"""Plots on the sample-fitted model: shapes, labels, honest score parts, fonts, no global state."""

from __future__ import annotations

import io
import logging

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from recommender import Recommender, plots
from recommender.exceptions import InputError, NotFittedError
from recommender.model.results import Match, RecommendationResult


def _bars(ax):
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def _labels(ticklabels):
    return [t.get_text() for t in ticklabels]


def _match(rank, name, score, text, tag):
    return Match(rank=rank, entity_id=f"e{rank}", name=name, level="district", parent="株洲市",
                 path=("湖南省", "株洲市"), score=score, text_score=text, tag_score=tag)


# ------------------------------------------------------------------------- fonts
def test_cjk_font_found_and_has_chinese_glyphs():
    from matplotlib import font_manager

    name = plots.cjk_font()
    if name is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    path = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
    font = font_manager.get_font(path)
    assert all(font.get_char_index(ord(ch)) for ch in "株洲轨道交通")


def test_cjk_font_prefers_listed_families():
    name = plots.cjk_font()
    if name is None:
        pytest.skip("no CJK font installed")
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    preferred = [n for n in plots.CJK_FONT_PREFERENCES if n in installed]
    if preferred:
        assert name in preferred


def test_no_cjk_font_logs_warning_and_returns_none(monkeypatch, caplog):
    monkeypatch.setattr(plots, "_find_cjk_font", lambda: None)
    monkeypatch.setattr(plots, "_WARNED", False)
    with caplog.at_level(logging.WARNING, logger="recommender.plots"):
        assert plots.cjk_font() is None
        # plotting still works, with boxes instead of characters
        fig = plots.score_breakdown_chart(RecommendationResult("p", (_match(1, "醴陵市", 0.6, 0.5, 0.7),)))
    assert isinstance(fig, Figure)
    warnings = [r for r in caplog.records if r.name == "recommender.plots" and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "fonts-noto-cjk" in warnings[0].getMessage()


def test_use_cjk_font_is_scoped():
    before = (list(matplotlib.rcParams["font.sans-serif"]), matplotlib.rcParams["axes.unicode_minus"])
    with plots.use_cjk_font():
        assert matplotlib.rcParams["axes.unicode_minus"] is False
        name = plots.cjk_font()
        if name is not None:
            assert matplotlib.rcParams["font.sans-serif"][0] == name
    after = (list(matplotlib.rcParams["font.sans-serif"]), matplotlib.rcParams["axes.unicode_minus"])
    assert after == before


def test_use_cjk_font_keeps_settings_changed_by_others():
    """A notebook's inline backend turns interactive mode on inside the first plot call."""
    was = matplotlib.is_interactive()
    try:
        with plots.use_cjk_font() as name:
            matplotlib.interactive(not was)
        assert matplotlib.is_interactive() is (not was)
        assert name == plots.cjk_font()
    finally:
        matplotlib.interactive(was)


def test_plotting_leaves_global_rcparams_alone(model, rail_result):
    before = dict(matplotlib.rcParams)
    plots.place_industry_heatmap(model, top_places=4, top_tags=4)
    plots.score_breakdown_chart(rail_result)
    assert dict(matplotlib.rcParams) == before


def test_texts_keep_cjk_font_after_the_call(rail_result):
    """A notebook draws the figure after the function returned: the font must stick."""
    name = plots.cjk_font()
    if name is None:
        pytest.skip("no CJK font installed")
    fig = plots.score_breakdown_chart(rail_result)
    fig.savefig(io.BytesIO(), format="png")  # draws outside any rc context
    ax = fig.axes[0]
    for label in ax.get_yticklabels() + [ax.title]:
        assert label.get_fontfamily()[0] == name


# ----------------------------------------------------------------------- heatmap
def test_heatmap_shape_and_labels(model):
    fig = plots.place_industry_heatmap(model, top_places=6, top_tags=5)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(fig.axes) == 2  # heatmap + colour bar
    ylabels, xlabels = _labels(ax.get_yticklabels()), _labels(ax.get_xticklabels())
    assert len(ylabels) == 6 and len(xlabels) == 5
    assert ax.images[0].get_array().shape == (6, 5)
    names = set(model.taxonomy_.name(c) for c in model.taxonomy_.codes)
    assert set(xlabels) <= names
    assert any(label.startswith("株洲市") for label in ylabels)


def test_heatmap_rows_are_the_places_with_most_support(model):
    fig = plots.place_industry_heatmap(model, top_places=3, top_tags=3, normalize=None, annotate=False)
    totals = np.asarray(model.tag_support_.sum(axis=1)).ravel()
    expected = [model.entities_["name"].iloc[i] for i in np.argsort(-totals, kind="stable")[:3]]
    got = [t.split("（")[0] for t in _labels(fig.axes[0].get_yticklabels())]
    assert got == expected
    values = fig.axes[0].images[0].get_array()
    assert values.max() > 1  # raw support, not shares


def test_heatmap_row_shares_sum_to_one(model):
    fig = plots.place_industry_heatmap(model, top_places=5, top_tags=8)
    values = np.asarray(fig.axes[0].images[0].get_array())
    np.testing.assert_allclose(values.sum(axis=1), 1.0, rtol=1e-6)
    assert any(t.get_text().endswith("%") for t in fig.axes[0].texts)


def test_heatmap_levels_filter(model):
    fig = plots.place_industry_heatmap(model, top_places=5, top_tags=5, levels=["park"])
    level_of = dict(zip(model.entities_["name"], model.entities_["level"]))
    for label in _labels(fig.axes[0].get_yticklabels()):
        assert level_of[label.split("（")[0]] == "park"


def test_heatmap_draws_on_given_axes(model):
    fig, (a, b) = plt.subplots(1, 2)
    out = plots.place_industry_heatmap(model, top_places=3, top_tags=3, ax=b)
    assert out is fig and len(b.images) == 1 and not a.images


def test_heatmap_errors(model):
    with pytest.raises(NotFittedError):
        plots.place_industry_heatmap(Recommender())
    with pytest.raises(InputError):
        plots.place_industry_heatmap(model, top_places=0)
    with pytest.raises(InputError):
        plots.place_industry_heatmap(model, normalize="column")
    with pytest.raises(InputError):
        plots.place_industry_heatmap(model, levels=["planet"])


# --------------------------------------------------------------- score breakdown
def test_score_breakdown_parts_add_up_to_the_score(model, rail_result):
    fig = plots.score_breakdown_chart(rail_result, text_weight=model.text_weight)
    ax = fig.axes[0]
    n = len(rail_result.matches)
    assert _labels(ax.get_yticklabels()) == [f"{m.rank}. {m.name}" for m in rail_result.matches]
    bars = _bars(ax)
    assert len(bars) == 2 * n
    text_bars, tag_bars = bars[:n], bars[n:]
    for m, tb, gb in zip(rail_result.matches, text_bars, tag_bars):
        assert tb.get_width() == pytest.approx(m.text_part, abs=1e-6)
        assert gb.get_width() == pytest.approx(m.tag_part, abs=1e-6)
        assert gb.get_x() + gb.get_width() == pytest.approx(m.score, abs=1e-4)
    marks = ax.collections[0].get_offsets()
    np.testing.assert_allclose(np.asarray(marks)[:, 0], [m.score for m in rail_result.matches])


def test_score_breakdown_draws_the_parts_the_model_gives(model, rail_result):
    fig = plots.score_breakdown_chart(rail_result, top_k=3)
    assert len(_bars(fig.axes[0])) == 6
    assert "text part + tag part" in fig.axes[0].get_title()


def test_score_breakdown_profile_without_tags_is_all_text(model):
    """A profile whose text carries no industry tag is scored on text alone (w = 1)."""
    result = model.recommend({"text": "政务服务 一网通办"}, top_k=3)
    assert not model.prepare({"text": "政务服务 一网通办"}).codes
    assert result.matches
    fig = plots.score_breakdown_chart(result, text_weight=model.text_weight)
    bars = _bars(fig.axes[0])
    n = len(result.matches)
    assert [b.get_width() for b in bars[:n]] == pytest.approx([m.score for m in result.matches], abs=1e-5)
    assert "no industry tag" in fig.axes[0].get_title()


def test_infer_text_weight_on_hand_made_matches():
    m = [_match(1, "甲区", 0.4, 0.4, 0.0), _match(2, "乙区", 0.3, 0.3, 0.2)]
    assert plots.infer_text_weight(m, hint=0.5) == 1.0
    m = [_match(1, "甲区", 0.31, 0.1, 0.4), _match(2, "乙区", 0.56, 0.7, 0.5)]
    assert plots.infer_text_weight(m) == pytest.approx(0.3)
    assert plots.infer_text_weight([], hint=0.4) == 0.4


def test_score_breakdown_side_by_side_when_weights_do_not_fit():
    m = [_match(1, "甲区", 0.9, 0.1, 0.2), _match(2, "乙区", 0.1, 0.8, 0.9)]
    assert plots.infer_text_weight(m) is None
    fig = plots.score_breakdown_chart(RecommendationResult("p", tuple(m)))
    bars = _bars(fig.axes[0])
    assert [b.get_width() for b in bars] == pytest.approx([0.1, 0.8, 0.2, 0.9])


def test_score_breakdown_errors():
    with pytest.raises(InputError, match="failed"):
        plots.score_breakdown_chart(RecommendationResult("p", error="empty profile"))
    with pytest.raises(InputError, match="no match"):
        plots.score_breakdown_chart(RecommendationResult("p"))
    ok = RecommendationResult("p", (_match(1, "甲区", 0.5, 0.5, 0.5),))
    with pytest.raises(InputError):
        plots.score_breakdown_chart(ok, text_weight=1.5)
    with pytest.raises(InputError):
        plots.score_breakdown_chart(ok, top_k=0)


# ---------------------------------------------------------- documents per place
def test_documents_per_place_from_corpus(sample_corpus):
    corpus = sample_corpus
    fig = plots.documents_per_place_chart(corpus, top=5)
    ax = fig.axes[0]
    labels = _labels(ax.get_yticklabels())
    assert len(labels) == 5 and labels[0] == "株洲"
    kinds = corpus.documents["kind"].nunique()
    assert len(_bars(ax)) == 5 * kinds
    total_zhuzhou = sum(b.get_width() for b in _bars(ax) if abs(b.get_y() + b.get_height() / 2) < 1e-9)
    assert total_zhuzhou == (corpus.documents["region_tag"] == "株洲").sum()


def test_passages_per_place_from_model(model):
    fig = plots.documents_per_place_chart(model, top=4)
    labels = _labels(fig.axes[0].get_yticklabels())
    assert len(labels) == 4
    ends = {}
    for b in _bars(fig.axes[0]):
        y = round(b.get_y() + b.get_height() / 2)
        ends[y] = max(ends.get(y, 0), b.get_x() + b.get_width())
    counts = [ends[i] for i in range(4)]
    assert counts == sorted(counts, reverse=True)
    assert all(c <= len(model.passages_) for c in counts)


def test_documents_per_place_rejects_other_objects():
    with pytest.raises(InputError):
        plots.documents_per_place_chart(object())


def test_missing_matplotlib_names_the_extra(monkeypatch, model):
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"recommender\[plots\]"):
        plots.place_industry_heatmap(model)


def test_importing_plots_does_not_import_matplotlib():
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    code = "import sys, recommender.plots; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
