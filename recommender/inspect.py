"""``recommender inspect``: list the places, the industry tags, or what a model was fitted on."""

from __future__ import annotations

import json

import pandas as pd

__all__ = ["entities_records", "sectors_records", "inspect_command"]


def entities_records(gazetteer=None) -> list[dict]:
    """Return every entity as a contract record (``entity_id, name, aliases, level, parent, path, sectors``).

    Examples
    --------
    >>> recs = entities_records()
    >>> next(r for r in recs if r["name"] == "石峰区")["path"]
    ['湖南省', '株洲市']
    """
    from recommender.knowledge.gazetteer import Gazetteer

    gaz = gazetteer or Gazetteer.default()
    out = []
    for row in gaz.entities.itertuples(index=False):
        out.append({"entity_id": row.entity_id, "name": row.name, "aliases": list(row.aliases),
                    "level": row.level, "parent": row.parent, "path": list(row.path),
                    "sectors": list(row.sectors)})
    return out


def sectors_records(taxonomy=None) -> list[dict]:
    """Return every industry tag as a contract record (``code, name, aliases, name_en, parent``,
    with ``terms``, ``synonyms_en``, its GB/T 4754 code ``gbt4754`` and ``false_friends``).

    Examples
    --------
    >>> any(r["name"] == "轨道交通装备" for r in sectors_records())
    True
    """
    from recommender.knowledge.taxonomy import Taxonomy

    tax = taxonomy or Taxonomy.default()
    return [{"code": r.code, "name": r.name, "aliases": list(r.aliases), "name_en": r.name_en,
             "parent": r.parent, "terms": list(r.terms), "synonyms_en": list(r.synonyms_en),
             "gbt4754": r.gbt4754, "false_friends": list(r.false_friends)}
            for r in tax.tags.itertuples(index=False)]


def _corpus_record(model) -> dict:
    passages = model.passages_
    by_kind = passages.groupby("kind")["doc_id"].nunique().to_dict()
    places = model.entities_.groupby("level")["entity_id"].count().to_dict()
    return {"passages": int(len(passages)), "documents": int(passages["doc_id"].nunique()),
            "sources": sorted(set(passages["source"])), "documents_by_kind": by_kind,
            "places_by_level": places, "terms": int(model.vocabulary_size_),
            "report": model.corpus_report_}


def inspect_command(what: str, fmt: str, model=None) -> str:
    """Return the text ``recommender inspect WHAT --format FMT`` prints."""
    if what == "entities":
        records = entities_records(model.gazetteer_ if model is not None else None)
    elif what == "sectors":
        records = sectors_records(model.taxonomy_ if model is not None else None)
    else:
        rec = _corpus_record(model)
        if fmt == "json":
            return json.dumps(rec, ensure_ascii=False, indent=2)
        lines = [rec["report"], "", f"passages used as evidence: {rec['passages']} in {rec['documents']} documents",
                 f"documents by kind: {rec['documents_by_kind']}", f"places with evidence: {rec['places_by_level']}",
                 f"vocabulary: {rec['terms']} terms"]
        return "\n".join(lines)
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=1)
    frame = pd.DataFrame(records)
    for col in frame.columns:
        if frame[col].map(lambda v: isinstance(v, list)).any():
            frame[col] = frame[col].map(lambda v: "、".join(v) if isinstance(v, list) else v)
    with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 40):
        return frame.to_string(index=False)
