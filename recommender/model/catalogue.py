"""Catalogue evidence: a park's official leading industries as a citation of its own kind.

Two uses, both weighed below what a report says:

* a place of the model whose catalogue row (主导产业) supports one of the profile's tags
  cites that row after its report passages (:func:`catalogue_evidence`); a tag that
  stands only for a narrower sector the profile named (纺织 for 羊绒) is supported only by
  a label that writes that sector out (羊绒, not 纺织);
* a catalogue zone that no passage of the corpus links to, but which lies in a county
  or city the corpus describes, is ranked from its catalogue row alone
  (:func:`catalogue_only`), with the score ``(1 - text_weight) · (1 - passage_weight) ·
  catalogue_weight · coverage``: the part of the tag score that a place's catalogue
  profile can earn, where ``coverage`` is the share of the profile's tag weight its row
  supports (at most 0.1 with the default weights, below the weak-evidence threshold).
  Such zones are listed after every place with report evidence: a report's evidence
  outranks a bare catalogue line.

A county or city is "described" by the corpus when its passages' summed link weight
reaches ``max(1, evidence_prior)``.
"""

from __future__ import annotations

import numpy as np

from recommender.knowledge.catalogue import DevZoneCatalogue
from recommender.model.results import Evidence, Match

__all__ = ["catalogue_evidence", "catalogue_only", "catalogue_match"]


def _evidence(catalogue, row, labels, score) -> Evidence:
    # the cell's items are its "sentences": each supporting label is highlighted where written
    found = ((row.text.find(label), label) for label in labels)
    highlights = tuple(sorted((row.start + i, row.start + i + len(label)) for i, label in found if i >= 0))
    return Evidence(text=row.text, source=catalogue.source, start=row.start, end=row.end,
                    title=f"中国开发区审核公告目录(2018) {row.name} 主导产业", date="2018",
                    score=float(round(score, 6)), row=row.row, terms=tuple(labels), kind="catalogue",
                    highlights=highlights)


def _literal(prepared) -> dict[str, list[str]]:
    """Codes that stand only for narrower sectors the profile named (羊绒 → 纺织), with those sectors."""
    exact = set(prepared.exact_codes)
    out: dict[str, list[str]] = {}
    for item in prepared.sectors:
        if getattr(item, "narrow", False):
            for code in item.codes:
                if code not in exact:
                    out.setdefault(code, []).append(item.input)
    return out


def _coverage(codes, prepared) -> float:
    weights = dict(zip(prepared.codes, prepared.tag_weights))
    total = sum(weights.values())
    return sum(weights[c] for c in codes) / total if total > 0 else 0.0


def catalogue_evidence(model, entity_id: str, prepared) -> Evidence | None:
    """The place's catalogue row as evidence, when it supports one of the profile's tags.

    Its score is ``catalogue_weight · (1 - text_weight) · coverage``.
    """
    if not prepared.codes:
        return None
    catalogue = DevZoneCatalogue.default()
    row, codes, labels = catalogue.support(entity_id, prepared.codes, model.taxonomy_, _literal(prepared))
    if not codes:
        return None
    score = model.catalogue_weight * (1.0 - model.text_weight) * _coverage(codes, prepared)
    return _evidence(catalogue, row, labels, score)


def _scope(model) -> list[str]:
    """Catalogue zones outside the model's places, under a county or city the corpus describes."""
    cached = model.__dict__.get("_catalogue_scope")
    if cached is not None:
        return cached
    gaz = model.gazetteer_
    mass = np.asarray(model.L_.sum(axis=0)).ravel()
    need = max(1.0, float(model.evidence_prior))
    described = {str(e) for e, m in zip(model.entity_ids_, mass)
                 if m >= need and gaz.level(str(e)) in ("city", "district")}
    known = {str(e) for e in model.entity_ids_}
    out = []
    for eid in gaz.ids("park"):
        if eid in known or eid not in DevZoneCatalogue.default():
            continue
        if described.intersection(gaz.ancestors(eid)):
            out.append(eid)
    model.__dict__["_catalogue_scope"] = out
    return out


def _scope_for(model, codes) -> list[str]:
    """The zones of :func:`_scope` whose catalogue row may support one of ``codes`` (a label
    maps to the code or to a sub-tag of it), in :func:`_scope`'s order.

    An index from each code to the zones whose labels reach it (a label's codes and
    their ancestors) is built once per model, so a profile checks a handful of rows, not
    every zone in scope.
    """
    index = model.__dict__.get("_catalogue_index")
    if index is None:
        catalogue = DevZoneCatalogue.default()
        tax = model.taxonomy_
        index = {}
        for pos, eid in enumerate(_scope(model)):
            reached: set[str] = set()
            for label in catalogue.get(eid).labels():
                for code in (tax.catalogue_codes(label) if label else []):
                    reached.add(code)
                    reached.update(tax.ancestors(code))
            for code in reached:
                index.setdefault(code, []).append(pos)
        model.__dict__["_catalogue_index"] = index
    scope = _scope(model)
    positions = sorted({pos for code in dict.fromkeys(codes) for pos in index.get(code, ())})
    return [scope[pos] for pos in positions]


def catalogue_only(model, prepared) -> list[tuple[float, str, Evidence, tuple[str, ...]]]:
    """Zones ranked from their catalogue row alone: ``(score, entity_id, evidence,
    matched sector names)``, best first (ties by id), within the profile's filters."""
    if not prepared.codes:
        return []
    catalogue = DevZoneCatalogue.default()
    gaz, tax = model.gazetteer_, model.taxonomy_
    profile = prepared.profile
    regions = {gaz.resolve_region(r) for r in profile.regions} if profile.regions else set()
    excluded = {gaz.resolve_region(r) for r in profile.exclude} if profile.exclude else set()
    if profile.levels and "park" not in profile.levels:
        return []
    factor = (1.0 - model.text_weight) * (1.0 - model.passage_weight) * model.catalogue_weight
    literal = _literal(prepared)
    out = []
    for eid in _scope_for(model, prepared.codes):
        if eid in excluded or (regions and not regions.intersection([eid, *gaz.ancestors(eid)])):
            continue
        row, codes, labels = catalogue.support(eid, prepared.codes, tax, literal)
        if not codes:
            continue
        score = float(round(factor * _coverage(codes, prepared), 6))
        if score > 0:
            out.append((score, eid, _evidence(catalogue, row, labels, score),
                        tuple(tax.name(c) for c in codes)))
    out.sort(key=lambda t: (-t[0], t[1]))
    return out


def catalogue_match(model, rank: int, item, evidence_k: int, ceiling: float = 1.0) -> Match:
    """The :class:`Match` of a zone ranked from its catalogue row alone.

    Its score is capped at ``ceiling`` (the weakest report-backed match of the same result),
    so that catalogue-only zones rank below every place a report speaks of; its score is
    all tag part.
    """
    score, eid, evidence, sectors = item
    score = min(score, ceiling)
    ent = model.gazetteer_.get(eid)
    parent = model.gazetteer_.get(ent.parent).name if ent.parent else ""
    return Match(rank=rank, entity_id=eid, name=ent.name, level=ent.level, parent=parent, path=tuple(ent.path),
                 score=score, text_score=0.0, tag_score=float(round(score / max(1e-9, 1.0 - model.text_weight), 6)),
                 matched_sectors=sectors, matched_terms=evidence.terms, mention="list", text_part=0.0,
                 tag_part=score,
                 evidence=(evidence,) if evidence_k > 0 else ())
