"""recommender: rank Chinese parks and districts for an investor's sectors, with cited evidence.

The public names are imported lazily so that ``import recommender`` stays fast.

Examples
--------
>>> import recommender
>>> {"Recommender", "InvestorProfile", "load_corpus"} <= set(recommender.__all__)
True
"""

from __future__ import annotations

import importlib
import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())

_EXPORTS = {
    "Recommender": "recommender.model.recommender",
    "RecommendationResult": "recommender.model.results",
    "Match": "recommender.model.results",
    "Evidence": "recommender.model.results",
    "InvestorProfile": "recommender.profiles",
    "Corpus": "recommender.corpus",
    "load_corpus": "recommender.corpus",
    "load_sample_corpus": "recommender.datasets",
    "Gazetteer": "recommender.knowledge.gazetteer",
    "Taxonomy": "recommender.knowledge.taxonomy",
    "SectorMatch": "recommender.knowledge.taxonomy",
    "RecommenderError": "recommender.exceptions",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'recommender' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
