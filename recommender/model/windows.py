"""Mention windows: the part of a passage that states something of one place.

Reports name a county in one sentence and speak of another matter in the next, and
enumerate places with their products in one sentence (大力培育炎陵黄桃、茶陵红茶、
醴陵油茶…). Crediting a named place with the whole passage would make 醴陵 a tea
region and give a county the sector of its neighbour sentence. The evidence for a
named place is therefore read from its statements (see
:mod:`recommender.knowledge.statements`): the sentence that names it, narrowed to its
own clause when the sentence names several places, or the whole passage when the
passage is headed by the place's name.
"""

from __future__ import annotations

from recommender.knowledge.statements import statement_texts

__all__ = ["mention_windows"]


def mention_windows(text: str, mentions, context=()) -> dict[str, str]:
    """Return ``{entity_id: window text}`` for the places named in ``text``.

    Each place's statements (one per mention) are joined with a space.

    Parameters
    ----------
    text : str
        The passage's feature text (the same text the mentions were found in).
    mentions : sequence
        Objects with ``entity_id``, ``start`` and ``end``.
    context : iterable of str, optional
        The document's own region and the places containing it: they do not compete
        for clauses or for a passage's subject.

    Examples
    --------
    >>> from types import SimpleNamespace as M
    >>> t = "大力培育炎陵黄桃、茶陵红茶、醴陵油茶等品牌。"
    >>> ms = [M(entity_id="yl", start=4, end=6), M(entity_id="cl", start=9, end=11), M(entity_id="ll", start=14, end=16)]
    >>> mention_windows(t, ms)
    {'yl': '大力培育炎陵黄桃', 'cl': '茶陵红茶', 'll': '醴陵油茶等品牌'}
    >>> t = "石峰区、荷塘区共建轨道交通产业集群。"
    >>> mention_windows(t, [M(entity_id="sf", start=0, end=3), M(entity_id="ht", start=4, end=7)])["sf"]
    '石峰区、荷塘区共建轨道交通产业集群'
    >>> t = "全市新建5G基站。成功化解邵东徐家冲水库管涌险情。"
    >>> mention_windows(t, [M(entity_id="sd", start=13, end=15)])
    {'sd': '成功化解邵东徐家冲水库管涌险情'}
    """
    return statement_texts(text, mentions, context=context)
