"""The :class:`Recommender` estimator: fit on a corpus, rank places for investor profiles.

The estimator holds the parameters and the fitted state; the work is done by one module
per step, data flowing one way:

* :mod:`recommender.model.fit` — corpus → fitted index (``build_index``);
* :mod:`recommender.model.prepare` — profile → :class:`PreparedProfile` → query vectors;
* :mod:`recommender.model.score` — index + prepared profiles → :class:`~recommender.model.score.Scores`;
* :mod:`recommender.model.rank` — scores → ranked places with evidence (result records).
"""

from __future__ import annotations

import logging
from typing import Any, Iterable, Sequence

from recommender.exceptions import InputError, NotFittedError, UnknownSectorError
from recommender.model.params import ParamsMixin
from recommender.model.prepare import PreparedProfile, prepare_profile
from recommender.model.rank import CONTAINER_LEVELS, rank_results
from recommender.model.results import RecommendationResult
from recommender.model.score import Scores, score_matrix
from recommender.model.scoring import get_pooling
from recommender.model.stored import DeferredAttributes
from recommender.validation import check_k

logger = logging.getLogger(__name__)

__all__ = ["Recommender", "PreparedProfile", "Scores", "CONTAINER_LEVELS", "PARALLEL_MIN_PASSAGES"]


def __getattr__(name: str):
    # the fitting code (and what it imports) loads only when a model is fitted
    if name == "PARALLEL_MIN_PASSAGES":
        from recommender.model.fit import PARALLEL_MIN_PASSAGES

        return PARALLEL_MIN_PASSAGES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Recommender(DeferredAttributes, ParamsMixin):
    """Rank parks and districts for an investor's sectors, with cited evidence passages.

    Parameters
    ----------
    min_df : int or float, default=1
        Ignore tokens found in fewer passages (TF-IDF).
    max_df : float, default=0.5
        Ignore tokens found in more than this share of passages (TF-IDF).
    sublinear_tf : bool, default=True
        Use ``1 + log(tf)`` term frequencies.
    text_weight : float, default=0.5
        Share of the text score in the final score when the profile has industry tags
        (the rest is the tag score).
    passage_weight : float, default=0.6
        Share of passage evidence (soft OR over the best passages) against profile
        similarity (the place's aggregated vector) in each of the text and tag scores.
    top_passages : int, default=3
        How many of a place's best passages the pooling looks at.
    pooling : {"soft_or", "max", "mean_top"}, default="soft_or"
        How passage relevances are pooled into a place's passage evidence.
    hierarchy_credit : float, default=0.3
        Credit a place's tag profile earns for a query tag from passages on its parent
        (汽车 for a 新能源汽车 query). A passage on the child fully answers a query on the
        parent; siblings earn nothing. Passage evidence itself counts only passages on
        the asked sector or a sub-sector.
    rollup_weight : float, default=0.8
        Weight with which a park's or town's passages also count for the district
        (or city) that contains it.
    document_link_weight : float, default=1.0
        Weight of the link between a passage and its document's own region when the
        passage does not name a place itself (passed to the linker's output as given).
        By default a report speaks for its region in every passage, whether or not the
        passage repeats the region's name (全省, 贵州): a report that names itself often
        does not outweigh one that does not.
    catalogue_weight : float, default=0.5
        Weight of a park's official leading industries (2018 catalogue) in its tag profile.
    foreign_weight : float, default=0.5
        Factor on the link between a passage and a place outside its document's own
        region named in passing (a neighbour, a partner city): a report speaks
        first-hand about its own region and the places in it.
    ancestor_weight : float, default=0.25
        Factor on the link between a passage and a place that *contains* its document's
        region (全市, 全省 or the city's name in a district report): such statements set
        the district in its city's or province's context and say little about the larger
        place as a destination.
    evidence_prior : float, default=3.0
        Shrinkage of profile similarity towards 0 for places with little evidence: the
        similarity is multiplied by ``mass / (mass + evidence_prior)``, where ``mass`` is
        the place's summed link weight (about its number of passages).
    expansion_weight : float, default=0.5
        Weight of the words the taxonomy adds to a profile's query (its tags' names,
        aliases and everyday terms) against the profile's own words.
    weak_threshold : float, default=0.05
        A result whose best score is below this is flagged ``weak_evidence``.
    weak_coverage : float, default=0.2
        A result is also flagged ``weak_evidence`` when no place's evidence holds this share
        of the profile's distinguishing content (a watch-movement maker in reports that never
        say 钟表 or 机芯, answered only through 机械 and 精密).
    generic_share : float, default=0.02
        A word found in more than this share of passages (and in five passages at least)
        is *generic* (制造, 集群, 人才): it supports a match but cannot make a passage
        relevant alone. Words of the industry taxonomy stay specific up to five times this
        share.
    generic_weight : float, default=0.3
        Factor on the query weight of generic words.
    approximate_tag_weight : float, default=0.4
        Weight of industry tags read from the profile's free text rather than named as
        its sectors, and the factor on the tag share of the score when a profile has
        only such tags: approximate tags support, they do not lead.
    wish_weight : float, default=0.5
        Weight, in the profile's distinguishing content, of the words after its first
        clause (what the firm looks for) against the first clause (what it does).
    coverage_power : float, default=0.5
        Exponent of the coverage factor: a place's score is multiplied by the share of
        the profile's distinguishing content found in its best passage to this power.
    tokenizer_backend : {"jieba", "rjieba"}, default="jieba"
        Segmentation engine; recorded in the model and used for queries too.
    n_jobs : int, default=1
        Processes used to tokenize passages in ``fit``.

    Attributes
    ----------
    passages_ : DataFrame
        The evidence passages (body text only) with their citations.
    entities_ : DataFrame
        The places that have evidence, in the column order of the link matrix.
    vectorizer_ : TfidfIndex
        The fitted vocabulary and idf weights (transforms query text without scikit-learn).
    taxonomy_, gazetteer_ : Taxonomy, Gazetteer

    Examples
    --------
    >>> from recommender import load_sample_corpus
    >>> rec = Recommender().fit(load_sample_corpus())
    >>> result = rec.recommend({"sectors": ["陶瓷"], "text": "日用陶瓷"}, top_k=3)
    >>> result.matches[0].name
    '醴陵市'
    """

    def __init__(self, *, min_df=1, max_df=0.5, sublinear_tf=True, text_weight=0.5,
                 passage_weight=0.6, top_passages=3, pooling="soft_or", hierarchy_credit=0.3,
                 rollup_weight=0.8, document_link_weight=1.0, catalogue_weight=0.5,
                 foreign_weight=0.5, ancestor_weight=0.25, evidence_prior=3.0, expansion_weight=0.5,
                 weak_threshold=0.05, weak_coverage=0.2, generic_share=0.02, generic_weight=0.3,
                 approximate_tag_weight=0.4,
                 coverage_power=0.5, wish_weight=0.5, tokenizer_backend="jieba", n_jobs=1):
        self.min_df = min_df
        self.max_df = max_df
        self.sublinear_tf = sublinear_tf
        self.text_weight = text_weight
        self.passage_weight = passage_weight
        self.top_passages = top_passages
        self.pooling = pooling
        self.hierarchy_credit = hierarchy_credit
        self.rollup_weight = rollup_weight
        self.document_link_weight = document_link_weight
        self.catalogue_weight = catalogue_weight
        self.foreign_weight = foreign_weight
        self.ancestor_weight = ancestor_weight
        self.evidence_prior = evidence_prior
        self.expansion_weight = expansion_weight
        self.weak_threshold = weak_threshold
        self.weak_coverage = weak_coverage
        self.generic_share = generic_share
        self.generic_weight = generic_weight
        self.approximate_tag_weight = approximate_tag_weight
        self.coverage_power = coverage_power
        self.wish_weight = wish_weight
        self.tokenizer_backend = tokenizer_backend
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ validation
    def _validate_params(self):
        for name in ("text_weight", "passage_weight", "hierarchy_credit", "rollup_weight",
                     "document_link_weight", "catalogue_weight", "foreign_weight", "ancestor_weight",
                     "expansion_weight", "weak_threshold", "weak_coverage", "generic_share", "generic_weight",
                     "approximate_tag_weight", "wish_weight"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
                raise InputError(f"{name} must be a number in [0, 1], got {value!r}")
        if not isinstance(self.evidence_prior, (int, float)) or self.evidence_prior < 0:
            raise InputError(f"evidence_prior must be a number >= 0, got {self.evidence_prior!r}")
        if not isinstance(self.coverage_power, (int, float)) or not 0 <= self.coverage_power <= 4:
            raise InputError(f"coverage_power must be a number in [0, 4], got {self.coverage_power!r}")
        if not isinstance(self.top_passages, int) or self.top_passages < 1:
            raise InputError(f"top_passages must be a positive integer, got {self.top_passages!r}")
        get_pooling(self.pooling)
        from recommender.text.tokenizer import BACKENDS

        if self.tokenizer_backend not in BACKENDS:
            from recommender.exceptions import UnknownOptionError

            raise UnknownOptionError("tokenizer backend", self.tokenizer_backend, BACKENDS)

    def __sklearn_is_fitted__(self) -> bool:
        """Whether ``fit`` (or ``load``) has run: what :func:`sklearn.utils.validation.check_is_fitted` asks."""
        return hasattr(self, "vectorizer_")

    def _check_fitted(self):
        if not self.__sklearn_is_fitted__():
            raise NotFittedError()

    def _runtime(self):
        """Query-time lookup tables, built on first use and never saved."""
        rt = self.__dict__.get("_runtime_tables")
        if rt is None:
            from recommender.model.runtime import RuntimeTables

            rt = self.__dict__["_runtime_tables"] = RuntimeTables(self)
        return rt

    def _saved_runtime_tables(self):
        """Query tables a saved model holds besides its fitted attributes (see
        :func:`recommender.model.runtime.saved_tables`)."""
        from recommender.model.runtime import saved_tables

        return saved_tables(self)

    def __getstate__(self):
        self.resolve_deferred()  # a pickle holds the DataFrames, not the archive's buffers
        state = super().__getstate__()
        state = dict(state)
        state.pop("_deferred_attributes", None)
        state.pop("_saved_runtime", None)
        state.pop("_runtime_tables", None)
        state.pop("_catalogue_scope", None)
        state.pop("_catalogue_index", None)
        return state

    # ------------------------------------------------------------------------- fit
    def fit(self, corpus, y=None, *, gazetteer=None, taxonomy=None):
        """Learn TF-IDF, tag and place-link matrices from a corpus (see :mod:`recommender.model.fit`).

        Parameters
        ----------
        corpus : Corpus
            From :func:`recommender.load_corpus` or :func:`recommender.load_sample_corpus`.
        y : ignored
        gazetteer, taxonomy : optional
            Knowledge tables; default to the bundled ones.

        Returns
        -------
        self
        """
        from recommender.model.fit import build_index

        self._validate_params()
        for stale in ("_deferred_attributes", "_saved_runtime", "_runtime_tables", "_catalogue_scope",
                      "_catalogue_index"):
            self.__dict__.pop(stale, None)
        for name, value in build_index(self, corpus, gazetteer=gazetteer, taxonomy=taxonomy).items():
            setattr(self, name, value)
        return self

    # -------------------------------------------------------------------- profiles
    def prepare(self, profile: Any) -> PreparedProfile:
        """Resolve a profile's sectors, words, regions, levels and exclusions against the model
        (see :func:`recommender.model.prepare.prepare_profile`).

        Parameters
        ----------
        profile : InvestorProfile, dict or str
            A string is taken as the profile's text.

        Returns
        -------
        PreparedProfile

        Raises
        ------
        EmptyProfileError, UnknownSectorError, UnknownRegionError, UnknownLevelError
        """
        return prepare_profile(self, profile)

    def score_matrix(self, prepared: Sequence[PreparedProfile]) -> Scores:
        """Score every place for every prepared profile (see :func:`recommender.model.score.score_matrix`).

        Parameters
        ----------
        prepared : sequence of PreparedProfile
            From :meth:`prepare`.

        Returns
        -------
        Scores
            ``score``, ``text_score``, ``tag_score``, ``coverage`` (each
            ``(n_profiles, n_places)``), and the passage relevances
            ``passage_text``/``passage_tag`` (sparse, ``(n_profiles, n_units)``) used to pick evidence.
        """
        return score_matrix(self, prepared)

    # ------------------------------------------------------------------ recommend
    def recommend(self, profile: Any, top_k: int = 10, evidence_k: int = 3) -> RecommendationResult:
        """Rank places for one profile.

        Parameters
        ----------
        profile : InvestorProfile, dict or str
            A string is taken as the profile's text.
        top_k : int, default=10
            How many places to return.
        evidence_k : int, default=3
            How many evidence passages per place.

        Returns
        -------
        RecommendationResult
        """
        check_k(top_k, "top_k")
        check_k(evidence_k, "evidence_k", low=0)
        prepared = self.prepare(profile)
        return rank_results(self, [prepared], top_k, evidence_k)[0]

    def recommend_many(self, profiles: Iterable[Any], top_k: int = 10, evidence_k: int = 3,
                       *, errors: str = "raise") -> list[RecommendationResult]:
        """Rank places for many profiles at once (vectorised).

        With ``errors="collect"`` a profile that cannot be scored yields a result whose
        ``error`` says why, and the others are unaffected; with ``"raise"`` the first
        bad profile raises.

        Parameters
        ----------
        profiles : iterable of InvestorProfile, dict or str
        top_k : int, default=10
        evidence_k : int, default=3
        errors : {"raise", "collect"}, default="raise"

        Returns
        -------
        list of RecommendationResult
            One per profile, in order.
        """
        check_k(top_k, "top_k")
        check_k(evidence_k, "evidence_k", low=0)
        self._check_fitted()
        slots: list[Any] = []
        prepared: list[PreparedProfile] = []
        for raw in profiles:
            try:
                p = self.prepare(raw)
            except (InputError, UnknownSectorError) as exc:
                if errors == "raise":
                    raise
                pid = raw.get("profile_id") if isinstance(raw, dict) else getattr(raw, "profile_id", None)
                slots.append(RecommendationResult(profile_id=None if pid is None else str(pid), error=str(exc)))
                continue
            slots.append(len(prepared))
            prepared.append(p)
        results = rank_results(self, prepared, top_k, evidence_k) if prepared else []
        return [results[s] if isinstance(s, int) else s for s in slots]

    # --------------------------------------------------------------- persistence
    def save(self, path) -> "Recommender":
        """Save the fitted model as plain data (arrays and JSON tables in one archive) with a
        manifest beside it; the write is atomic (see :mod:`recommender.model.persistence`)."""
        from recommender.model.persistence import save_model

        self._check_fitted()
        save_model(self, path)
        return self

    @classmethod
    def load(cls, path) -> "Recommender":
        """Load a model saved by :meth:`save`, refusing a changed or mismatched artifact.

        Loading reads arrays and JSON only: a model file cannot run code.
        """
        from recommender.model.persistence import load_model

        return load_model(path, expected_class=cls)

    def score_batch(self, profiles, top_k: int = 10, evidence_k: int = 3, n_jobs: int = 1,
                    backend: str = "loky", **kwargs) -> "pandas.DataFrame":
        """Score a table of profiles; every input row comes back (see :mod:`recommender.batch`)."""
        from recommender.batch import score_batch

        return score_batch(self, profiles, top_k=top_k, evidence_k=evidence_k, n_jobs=n_jobs,
                           backend=backend, **kwargs)
