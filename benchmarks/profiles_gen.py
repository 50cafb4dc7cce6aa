"""Deterministic, varied investor profiles for the batch and latency benchmarks.

Profiles draw on the bundled industry taxonomy (tag names, aliases, codes, English
names, everyday terms) and on Hunan place names from the bundled gazetteer, so they
look like what investors type: ``["轨道交通装备"]`` with "牵引变流器配套，考虑株洲",
``["Aerospace"]`` with an English sentence, a bare text without sectors, sometimes a
region or level filter.
"""

from __future__ import annotations

import random

import pandas as pd

__all__ = ["generate_profiles", "query_text"]

_CN_TEMPLATES = [
    "{term}",
    "{term}{term2}配套",
    "寻找{term}项目落地，重点考虑{place}",
    "我们是一家{term}企业，计划在{place}投资建厂",
    "{term}产业链上下游，{term2}",
    "拟投资{term}生产基地，需要土地和配套政策",
    "{place}{term}园区",
]
_EN_TEMPLATES = [
    "{en} manufacturer looking for an industrial park",
    "investor in {en}",
    "{en} and {en2} supply chain",
]


def _tag_records(taxonomy) -> list[dict]:
    records = []
    for row in taxonomy.tags.itertuples(index=False):
        records.append({
            "code": row.code, "name": row.name, "aliases": list(row.aliases), "terms": list(row.terms),
            "name_en": row.name_en, "synonyms_en": list(row.synonyms_en),
        })
    return records


def _hunan_places(gazetteer) -> tuple[list[str], list[str]]:
    ents = gazetteer.entities
    hunan = ents[ents["entity_id"].str.startswith("43") & ents["level"].isin(["city", "district"])]
    cities = sorted(hunan.loc[hunan["level"] == "city", "name"])
    districts = sorted(hunan.loc[hunan["level"] == "district", "name"])
    return cities, districts


def _sector_word(rng: random.Random, tag: dict) -> str:
    r = rng.random()
    if r < 0.5:
        return tag["name"]
    if r < 0.7 and tag["aliases"]:
        return rng.choice(tag["aliases"])
    if r < 0.85:
        return tag["name_en"]
    return tag["code"]


def generate_profiles(n: int, seed: int = 0, taxonomy=None, gazetteer=None) -> pd.DataFrame:
    """Return ``n`` varied profiles as a table (list fields ``;``-joined, as in CSV input).

    Parameters
    ----------
    n : int
        Number of profiles.
    seed : int, default=0
        Seed of the generator; the same seed gives the same table.
    taxonomy, gazetteer : optional
        Knowledge tables; default to the bundled ones.

    Returns
    -------
    DataFrame
        Columns ``profile_id, sectors, text, regions, levels``.

    Examples
    --------
    >>> df = generate_profiles(50, seed=1)
    >>> df.shape, df["profile_id"].iloc[0]
    ((50, 5), 'p000000')
    >>> bool(((df["sectors"] != "") | (df["text"] != "")).all())
    True
    >>> df.equals(generate_profiles(50, seed=1))
    True
    """
    if taxonomy is None:
        from recommender.knowledge.taxonomy import Taxonomy

        taxonomy = Taxonomy.default()
    if gazetteer is None:
        from recommender.knowledge.gazetteer import Gazetteer

        gazetteer = Gazetteer.default()
    tags = _tag_records(taxonomy)
    cities, districts = _hunan_places(gazetteer)
    places = cities + districts
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        picked = rng.sample(tags, 2)
        n_sectors = rng.choices([0, 1, 2], weights=[2, 6, 2])[0]
        sectors = [_sector_word(rng, t) for t in picked[:n_sectors]]
        terms = [w for t in picked for w in (t["terms"] or [t["name"]])]
        kind = rng.random()
        if kind < 0.12:
            ens = [w for t in picked for w in ([t["name_en"]] + t["synonyms_en"])]
            text = rng.choice(_EN_TEMPLATES).format(en=rng.choice(ens), en2=rng.choice(ens))
        elif kind < 0.92 or not sectors:
            text = rng.choice(_CN_TEMPLATES).format(term=rng.choice(terms), term2=rng.choice(terms),
                                                    place=rng.choice(places))
        else:
            text = ""
        regions = ""
        r = rng.random()
        if r < 0.08:
            regions = rng.choice(cities)
        elif r < 0.12:
            regions = "湖南省"
        levels = rng.choice(["park", "district", "park;district"]) if rng.random() < 0.1 else ""
        rows.append({"profile_id": f"p{i:06d}", "sectors": ";".join(sectors), "text": text,
                     "regions": regions, "levels": levels})
    return pd.DataFrame(rows, columns=["profile_id", "sectors", "text", "regions", "levels"])


def query_text(row) -> str:
    """The words a keyword retriever gets for a profile: its text and sectors.

    Examples
    --------
    >>> query_text({"sectors": "陶瓷;Aerospace", "text": "日用陶瓷"})
    '日用陶瓷 陶瓷 Aerospace'
    """
    sectors = [s for s in str(row["sectors"]).split(";") if s]
    return " ".join([str(row["text"])] + sectors).strip()
