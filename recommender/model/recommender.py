"""The :class:`Recommender` estimator: fit on a corpus, rank places for investor profiles."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recommender.exceptions import (
    CorpusError,
    InputError,
    NotFittedError,
    UnknownSectorError,
)
from recommender.model import catalogue as cat_mod
from recommender.model import features as feat
from recommender.model import links as links_mod
from recommender.model.chunks import iter_chunk_features
from recommender.model.evidence import MENTION_STRENGTH, evidence_strength, select_evidence
from recommender.model.params import ParamsMixin
from recommender.model.query import (CONNECTORS, HAN, QueryTerm, english_terms, first_clause_end, profile_clauses,
                                     sector_items,
                                     sector_words, split_unknown, strip_sector_suffix, without_applications)
from recommender.model.results import Match, RecommendationResult, ResolvedSector
from recommender.model.scoring import (below_descendants, combine, fuse, get_pooling, passage_coverage,
                                       pool_segments)
from recommender.model.tfidf import TfidfIndex
from recommender.profiles import InvestorProfile
from recommender.progress import terminal_progress
from recommender.text.normalize import normalize_for_features
from recommender.validation import check_k

logger = logging.getLogger(__name__)

_LATIN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*")
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9\-' ]*")

#: Levels that contain the districts and parks an investor settles in.
CONTAINER_LEVELS = frozenset({"province", "city"})

__all__ = ["Recommender", "PreparedProfile"]

#: Corpora with fewer passages are tokenized in-process whatever ``n_jobs`` says.
PARALLEL_MIN_PASSAGES = 2000
_LEVEL_ORDER = {"province": 0, "city": 1, "district": 2, "park": 3, "town": 4}


@dataclass(frozen=True)
class PreparedProfile:
    """A profile resolved against a fitted model: tag codes, query text, filters."""

    profile: InvestorProfile
    codes: tuple[str, ...]
    tag_weights: tuple[float, ...]
    expansion_text: str
    allowed: np.ndarray | None
    warnings: tuple[str, ...]
    sectors: tuple = ()
    terms: tuple = ()
    own_terms: tuple = ()
    missing: tuple[str, ...] = ()
    missing_mass: float = 0.0
    exact_codes: tuple[str, ...] = ()
    text_codes: tuple[str, ...] = ()
    tag_content: tuple[float, ...] = ()
    tag_lead: float = 0.0
    phrases: tuple = ()
    expand_codes: tuple[str, ...] = ()


class Recommender(ParamsMixin):
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
    document_link_weight : float, default=0.5
        Weight of the link between a passage and its document's own region when the
        passage does not name a place itself (passed to the linker's output as given).
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
                 rollup_weight=0.8, document_link_weight=0.5, catalogue_weight=0.5,
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

    def __getstate__(self):
        state = super().__getstate__()
        state = dict(state)
        state.pop("_runtime_tables", None)
        state.pop("_catalogue_scope", None)
        return state

    # ------------------------------------------------------------------------- fit
    def fit(self, corpus, y=None, *, gazetteer=None, taxonomy=None):
        """Learn TF-IDF, tag and place-link matrices from a corpus.

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
        self._validate_params()
        from recommender.knowledge.gazetteer import Gazetteer
        from recommender.knowledge.linking import PlaceLinker, extend_gazetteer
        from recommender.knowledge.tagging import IndustryTagger
        from recommender.knowledge.taxonomy import Taxonomy
        from recommender.text.tokenizer import Tokenizer

        gaz = gazetteer if gazetteer is not None else Gazetteer.default()
        tax = taxonomy if taxonomy is not None else Taxonomy.default()
        tagger = IndustryTagger(tax)

        passages = corpus.passages
        body = passages[passages["role"] == "body"].reset_index(drop=True)
        if body.empty:
            raise CorpusError("the corpus has no body passages to learn from: give report pages or tables with text")

        # --- tokenization and tagging start first: on a large corpus with n_jobs > 1 they
        # run in worker processes, chunk by chunk, while this process links places
        texts = body["norm_text"].tolist()
        user_words = sorted(set(gaz.surface_forms()) | set(tax.vocabulary()))
        tokenizer = Tokenizer(user_words=user_words, backend=self.tokenizer_backend)
        pending = self._start_tokenization(tokenizer, texts, tagger)

        # --- place links (salience, place statements, roll-up to districts); parks the
        # reports name that the gazetteer lacks join it as parks of their county or city
        linker = PlaceLinker(gaz, document_weight=self.document_link_weight)
        links = linker.link(corpus)
        gaz = extend_gazetteer(gaz, linker.report_parks_)
        links = links[links["passage_id"].isin(set(body["passage_id"]))]
        region_of_doc = links_mod.document_regions(linker.document_regions_, passages)
        links = links_mod.apply_salience(links, region_of_doc, gaz, ancestor_weight=self.ancestor_weight,
                                         foreign_weight=self.foreign_weight)
        passage_row = {int(pid): i for i, pid in enumerate(body["passage_id"])}
        links, window_texts, window_passage = links_mod.window_links(links, body, passage_row, region_of_doc,
                                                                     linker, gaz)
        unit_passage = np.concatenate([np.arange(len(body)), np.asarray(window_passage, dtype=np.int64)])
        links = links_mod.roll_up(links, gaz, self.rollup_weight, unit_passage)
        entity_ids = sorted(set(links["entity_id"]), key=lambda e: (_LEVEL_ORDER.get(gaz.get(e).level, 9), e))
        if not entity_ids:
            raise CorpusError("no passage of the corpus names a known place: nothing to rank")
        entity_index = {e: i for i, e in enumerate(entity_ids)}
        n_units = len(body) + len(window_texts)
        L = feat.link_matrix(links, entity_index, n_units)

        # --- text features (passages, then the mention windows in the same vector space),
        # built from streamed token counts: no token list is ever held for the whole corpus;
        # the passages' tags come from the same chunks
        X, vectorizer, T_pass, passage_hits = self._fit_tfidf(tokenizer, texts, pending, tagger)
        del texts, pending
        if window_texts:
            X = sp.vstack([X, vectorizer.transform_counts(
                f.counts for f in iter_chunk_features(tokenizer, None, window_texts))]).tocsr()

        # --- tag features; each passage's (code, term) hits are kept to name the matched
        # words of evidence
        H = feat.hierarchy_matrix(tax, self.hierarchy_credit)
        T_win, _ = tagger.analyze_many(window_texts)
        T_raw = sp.csr_matrix(sp.vstack([T_pass, T_win]), dtype=np.float32)
        T = feat.expand_tags(T_raw, H)
        # passage evidence counts only a passage on the sector itself or on a sub-sector;
        # the parent-tag credit enters through the place's tag profile
        H_full = H.copy()
        H_full.data = np.where(H_full.data >= 1.0, H_full.data, 0.0).astype(np.float32)
        H_full.eliminate_zeros()
        T_exact = feat.expand_tags(T_raw, H_full)

        # --- place profiles
        LT = sp.csr_matrix(L.T)
        centroids = feat.l2_normalize_rows(LT @ X)
        tag_mass = sp.csr_matrix(LT @ T)
        catalogue = links_mod.catalogue_tags(entity_ids, gaz, tax)
        tag_profile = feat.l2_normalize_rows(
            feat.l2_normalize_rows(tag_mass) + self.catalogue_weight * feat.expand_tags(catalogue, H))

        self.passage_hits_ = passage_hits
        self.unit_passage_ = unit_passage
        self.gazetteer_ = gaz
        self.taxonomy_ = tax
        self.tagger_ = tagger
        self.tokenizer_ = tokenizer
        self.vectorizer_ = vectorizer
        self.hierarchy_ = H
        self.X_ = X
        self.T_ = T_exact
        self.T_raw_ = T_raw
        self.L_ = L
        self.centroids_ = centroids
        self.tag_profile_ = tag_profile
        self.tag_support_ = sp.csr_matrix(LT @ T_raw + catalogue)
        self.entity_ids_ = np.asarray(entity_ids)
        self.entities_ = links_mod.entity_table(entity_ids, gaz)
        self.entity_passages_ = links_mod.entity_unit_lists(L)
        mass = np.asarray(L.sum(axis=0)).ravel()
        self.entity_shrink_ = mass / (mass + self.evidence_prior) if self.evidence_prior > 0 else np.ones_like(mass)
        # a column selection shares the body's data (copy-on-write), no second copy of the text
        self.passages_ = body[["passage_id", "doc_id", "source", "row", "start", "end", "text",
                               "norm_text", "title", "date", "kind"]]
        self.vocabulary_size_ = len(vectorizer.idf_)
        self.feature_names_ = self.vectorizer_.get_feature_names_out()
        self.corpus_report_ = str(getattr(corpus, "report", ""))
        logger.info("fitted on %d passages, %d places, %d terms", len(body), len(entity_ids),
                    self.vocabulary_size_)
        return self

    def _start_tokenization(self, tokenizer, texts, tagger=None):
        """Start counting the tokens of ``texts`` (and tagging them) in worker processes, or
        return None to do it in this process, chunk by chunk, when they are needed.

        Each worker builds its jieba engine and tagger once and keeps them for every chunk;
        the chunks come back as compact :class:`~recommender.model.chunks.ChunkFeatures`, in
        order. This only pays on large corpora.
        """
        from joblib import effective_n_jobs

        n_workers = effective_n_jobs(self.n_jobs)
        if n_workers <= 1 or len(texts) < PARALLEL_MIN_PASSAGES:
            return None
        return iter_chunk_features(tokenizer, tagger, texts, n_workers=n_workers)

    def _fit_tfidf(self, tokenizer, texts, pending, tagger):
        """Fit the TF-IDF index on streamed counts; return the passages' matrix, the index,
        and the passages' tag matrix and tag hits."""
        from recommender.model.tfidf import fit_tfidf

        chunks = pending if pending is not None else iter_chunk_features(tokenizer, tagger, texts)
        bar = _progress_bar(len(texts), "tokenizing")
        tags: list = []
        hits: list = []

        def counts():
            for f in chunks:
                tags.append(f.tags)
                hits.extend(f.hits)
                if bar is not None:
                    bar.update(len(f.counts.lengths))
                yield f.counts

        try:
            X, names, idf = fit_tfidf(counts(), min_df=self.min_df, max_df=self.max_df,
                                      sublinear_tf=self.sublinear_tf)
        except ValueError as exc:
            raise CorpusError(f"cannot build a vocabulary from the corpus ({exc}); give texts with words") from exc
        finally:
            if bar is not None:
                bar.close()
        index = TfidfIndex(tokenizer, names, idf, sublinear_tf=self.sublinear_tf, norm="l2")
        return X, index, sp.vstack(tags).tocsr(), hits

    # -------------------------------------------------------------------- profiles
    def prepare(self, profile: Any) -> PreparedProfile:
        """Resolve a profile's sectors, words, regions, levels and exclusions against the model.

        Sector strings resolved exactly become industry tags; fuzzy or unresolved ones are
        searched as literal text (with a warning). The profile's words are kept when the
        fitted vocabulary has them; an unknown compound is searched through its known parts.
        The profile's *distinguishing content* is the IDF mass of its specific words (the
        first clause, which says what the firm does, weighs fully; the rest, what it looks
        for, weighs ``wish_weight``), the words the corpus does not use (covered only through
        the industry tag that explains them, else ``missing``), and one unit per exact tag.
        English text is read through the CC-CEDICT lexicon.

        Raises
        ------
        EmptyProfileError, UnknownSectorError, UnknownRegionError, UnknownLevelError
        """
        self._check_fitted()
        profile = InvestorProfile.coerce(profile)
        tax, gaz = self.taxonomy_, self.gazetteer_
        rt = self._runtime()
        warnings: list[str] = []
        items = sector_items(tax, list(profile.sectors))
        exact_codes = list(dict.fromkeys(c for it in items if it.exact for c in it.codes))
        fuzzy_codes = [c for it in items if not it.exact for c in it.codes]
        literal = [it for it in items if not it.exact and not it.narrow]
        for it in items:
            if it.narrow:
                names = "、".join(tax.name(c) for c in it.codes)
                warnings.append(f"sector {it.input!r} names a part of the industry tag {names}: searched as "
                                f"literal text, the tag only supports it (weight {self.approximate_tag_weight})")
        if literal:
            unresolved = [it.input for it in literal]
            sugg = {s: tax.suggest(s) for s in unresolved}
            warnings.append(str(UnknownSectorError(unresolved, sugg)).replace(
                ": use a code", ": searched as literal text; for a tag use a code", 1))
        text = normalize_for_features(profile.text)
        words = self._read_words(items, text)
        own_terms = words["terms"]
        oov = words["oov"]
        english_codes = words["english_codes"]
        # tags found in the text (and its translation) weigh by how central they are to it and
        # lead only as far as their words explain the profile's content (电动车 explains an
        # EV-parts profile; 汽车 explains little of an aluminium-sheet one)
        # an application the text names (风电叶片用, 用于…) is the investor's market, not its industry
        tag_text = " ".join([without_applications(text)] + words["translated"])
        text_tags = self.tagger_.tag(tag_text) if tag_text.strip() else {}
        # a taxonomy English name in the text (Power semiconductor) is read like a tag term in it
        top = max(text_tags.values(), default=1.0)
        for code in english_codes:
            text_tags[code] = top
        english_named, english_codes = english_codes, []
        content = {t.term: t.content for t in own_terms if t.content > 0}
        total = sum(content.values()) + sum(oov.values())
        explained_oov: dict[str, float] = {}            # tag code -> mass of unknown words it explains
        claimed: set[str] = set()

        def explains(code: str, word: str) -> bool:
            return any(word == x or (len(x) >= 2 and (x in word or word in x)) for x in rt.tag_words(code))

        weights: dict[str, float] = {}
        for c in list(dict.fromkeys(exact_codes + list(text_tags))):
            mine = [w for w in oov if w not in claimed and explains(c, w)]
            claimed.update(mine)
            explained_oov[c] = sum(oov[w] for w in mine)
            if c in text_tags:
                share = (explained_oov[c] + sum(v for t, v in content.items() if explains(c, t))) / total \
                    if total > 0 else 1.0
                weights[c] = (text_tags[c] / top) * min(1.0, share)
        # approximate guesses (a fuzzy sector, a tag named in English text) support at reduced weight
        for code in english_codes + fuzzy_codes:
            weights[code] = max(weights.get(code, 0.0), self.approximate_tag_weight)
        # a tag broader than the sector the investor named (通用设备 for 轴承) stays a support,
        # however much of the text its words explain
        for code in {c for it in items if it.narrow for c in it.codes}:
            weights[code] = min(weights[code], self.approximate_tag_weight)
        for code in exact_codes:
            weights[code] = 1.0
        # a sector the investor named stays a query tag: sub-sectors read from the text refine it
        # (a passage on 纺织服装 answers a 纺织服装 profile whose text says 棉纺织), never replace it
        codes = tuple(dict.fromkeys(feat.most_specific(exact_codes, tax) + feat.most_specific(
            exact_codes + english_codes + fuzzy_codes + list(text_tags), tax)))
        tag_weights = tuple(float(weights[c]) for c in codes)
        exact = tuple(c for c in codes if c in set(exact_codes) or set(tax.ancestors(c)) & set(exact_codes))
        text_codes = tuple(c for c in codes if c in text_tags and c not in exact and c not in fuzzy_codes)
        # content each tag stands for, in units of the largest IDF: an exact tag one unit plus
        # the unknown words it explains; a text tag the unknown words it explains
        tag_content = tuple(
            (1.0 if c in exact else 0.0) + explained_oov.get(c, 0.0) / rt.max_idf if c in exact or c in text_codes
            else 0.0 for c in codes)
        missing = {w: m for w, m in oov.items() if w not in claimed}
        # how far tags lead the score: fully for sectors the investor named; for tags read from
        # the text, as far as the words they explain make up the content a passage can hold
        lead = max([weights[c] for c in codes if c not in text_codes] + [0.0])
        matchable = total - sum(missing.values())     # words no passage holds count for neither part
        if text_codes and matchable > 0:
            explained = sum(explained_oov.get(c, 0.0) for c in text_codes) + sum(
                v for t, v in content.items() if any(explains(c, t) for c in text_codes))
            lead = max(lead, min(1.0, explained / matchable))
        expand_codes = [c for c in codes if c in exact or c in english_named]
        expansion = []
        for code in expand_codes:
            row = tax.tags.iloc[tax.index(code)]
            expansion.append(row["name"])
            expansion.extend(row["aliases"])
            expansion.extend(row["terms"])
        searchable = bool(exact) or any(t.content > 0 for t in own_terms)
        if not searchable and not text:
            unresolved = [it.input for it in literal]
            raise UnknownSectorError(unresolved, {s: tax.suggest(s) for s in unresolved})
        if missing:
            warnings.append("words of the profile that the reports never use (no place can match them): "
                            + ", ".join(missing))
        if profile.truncated:
            from recommender.profiles import MAX_TEXT_CHARS

            warnings.append(f"profile text truncated to {MAX_TEXT_CHARS} characters")
        allowed = self._filter_mask(profile, gaz)
        vocab = self.vectorizer_.vocabulary_
        exp_terms = tuple(QueryTerm(t, "taxonomy expansion", tax.name(c), self.expansion_weight)
                          for c in expand_codes for t in dict.fromkeys(self.tokenizer_(" ".join(
                              [tax.tags.iloc[tax.index(c)]["name"]] + list(tax.tags.iloc[tax.index(c)]["aliases"]))))
                          if t in vocab)
        return PreparedProfile(profile, codes, tag_weights, " ".join(expansion), allowed, tuple(warnings),
                               sectors=items, terms=own_terms + exp_terms, own_terms=own_terms,
                               missing=tuple(missing), missing_mass=float(sum(missing.values())),
                               exact_codes=exact, text_codes=text_codes, tag_content=tag_content, tag_lead=lead,
                               phrases=words["phrases"],
                               expand_codes=tuple(expand_codes))

    def _read_words(self, items, text: str) -> dict:
        """The profile's searched words with their content mass, and the words the corpus lacks.

        Returns a dict: ``terms`` (QueryTerm, first occurrence kept), ``oov`` (unknown Chinese
        word → content mass), ``english_codes`` (tags the taxonomy's English names gave) and
        ``translated`` (the Chinese words chosen for English phrases).
        """
        from recommender.text.english import is_english

        rt = self._runtime()
        vocab = self.vectorizer_.vocabulary_
        terms: list[QueryTerm] = []
        oov: dict[str, float] = {}
        phrases: dict[str, tuple[tuple[str, ...], float]] = {}

        def add_phrase(text: str, parts, weight: float) -> None:
            # a compound the profile names is best matched where a report writes it out
            parts = tuple(dict.fromkeys(parts))
            if len(parts) >= 2 and "".join(parts) == text:
                old = phrases.get(text, ((), 0.0))[1]
                phrases[text] = (parts, max(old, rt.max_idf * weight))

        gaz = self.gazetteer_

        def term(word: str, source: str, origin: str, weight: float) -> None:
            j = vocab[word]
            # a place named in the text (在四川省内建设) says where the firm looks, which the
            # profile's regions decide, not what it does: it supports a match, it is no content
            where = source == "profile text" and bool(gaz.lookup(word))
            mass = float(rt.idf[j]) * weight if rt.specific[j] and not where else 0.0
            terms.append(QueryTerm(word, source, origin, 1.0, mass))

        def add_words(chunk: str, source: str, weight: float) -> None:
            # a Latin word is searched as written only when it is an acronym or code (IGBT, 5G,
            # T800); English words go through the lexicon
            codes_written = {w.lower() for w in _LATIN_WORD.findall(chunk) if not any(ch.islower() for ch in w)}
            for tok in dict.fromkeys(self.tokenizer_(chunk)):
                if tok.isascii() and tok.lower() not in codes_written:
                    continue
                if tok in vocab:
                    term(tok, source, tok, weight)
                elif HAN.search(tok) and not rt.written_in_corpus(tok):
                    parts = split_unknown(tok, vocab)
                    for part in parts:
                        term(part, source, tok, weight)
                    add_phrase(tok, parts, weight)
                    if not parts and len(tok) >= 2:
                        oov[tok] = max(oov.get(tok, 0.0), rt.max_idf * weight)

        # the investor's own sector words are searched too (核电 is narrower than its tag 电力热力);
        # a Chinese sector string counts only when the corpus' words spell all of it
        english_sectors: list[str] = []
        for it in items:
            written = normalize_for_features(it.input)
            if HAN.search(written):
                # spelled by the corpus' words of two characters or more, else as the tokenizer
                # reads it in running text (磷化工 → 磷 化工)
                found = sector_words(written, vocab) or self._spelled(written)
                if found:
                    for w in found:
                        term(w, "sector literal", it.input, 1.0)
                    for piece in CONNECTORS.split(written):
                        add_phrase(strip_sector_suffix(piece), [w for w in found if w in piece], 1.0)
                elif not it.exact:
                    oov[written] = rt.max_idf
            elif not it.exact:
                english_sectors.append(written)
        # the applications it names (风电叶片用, 用于…) are the investor's customers, not its industry
        for clause, weight in profile_clauses(without_applications(text), self.wish_weight):
            add_words(clause, "profile text", weight)
        english_codes: list[str] = []
        translated: list[str] = []
        latin = " ".join(_LATIN_RUN.findall(text) + english_sectors)
        if latin.strip() and is_english(latin):
            tax = self.taxonomy_
            found, lost = english_terms(latin, vocab, taxonomy=tax, cooccurrence=rt.cooccurrence,
                                        document_frequency=rt.document_frequency)
            # as in Chinese, what the firm does (the first clause) weighs fully and what it looks
            # for weighs wish_weight
            first_end, pos = first_clause_end(latin), 0
            for phrase, word, codes in found:
                at = latin.find(phrase, pos)
                pos = at + len(phrase) if at >= 0 else pos
                weight = 1.0 if 0 <= at < first_end else self.wish_weight
                english_codes.extend(codes)
                names = [tax.name(c) for c in codes]
                # the tag's name where the reports use it, else the phrase's own word (水果 for "fruit")
                for w in ([n for n in names if n in vocab] or ([word] if word and word not in names else names)):
                    if w in vocab:
                        term(w, "English lexicon", phrase, weight)
                    else:
                        add_words(w, "English lexicon", weight)
                translated.append(word)
            for w in lost:
                # the lexicon's word may simply not be the reports' wording: half weight
                oov.setdefault(w, rt.max_idf * self.wish_weight)
        # a word the profile says again (what the firm does, then what it looks for: "navel
        # oranges … a navel-orange growing county") is its core: each saying adds its content
        first: dict[str, QueryTerm] = {}
        for t in terms:
            if t.term not in first:
                first[t.term] = t
            else:
                old = first[t.term]
                first[t.term] = QueryTerm(t.term, old.source, old.origin, 1.0, old.content + t.content)
        return {"terms": tuple(first.values()), "oov": oov, "english_codes": english_codes,
                "translated": translated, "phrases": tuple((t, p, m) for t, (p, m) in phrases.items())}

    def _spelled(self, sector: str) -> list[str] | None:
        """Vocabulary words that spell a Chinese sector string as the tokenizer reads it, or None.

        Each part (between connectors, without a closing 产业 or 行业) must be spelled in full
        by the tokens the fitted tokenizer gives it, every token a word of the vocabulary.
        """
        vocab = self.vectorizer_.vocabulary_
        out: list[str] = []
        key = strip_sector_suffix("".join(HAN.findall(sector)))
        for part in (p for p in CONNECTORS.split(key) if p):
            tokens = [t for t in self.tokenizer_(part) if t.strip()]
            if not tokens or "".join(tokens) != part or any(t not in vocab for t in tokens):
                return None
            out.extend(tokens)
        return list(dict.fromkeys(out)) or None

    def _filter_mask(self, profile: InvestorProfile, gaz) -> np.ndarray | None:
        if not (profile.regions or profile.levels or profile.exclude):
            return None
        ents = self.entities_
        mask = np.ones(len(ents), dtype=bool)
        if profile.levels:
            mask &= ents["level"].isin(profile.levels).to_numpy()
        if profile.regions:
            regions = {gaz.resolve_region(r) for r in profile.regions}
            inside = [bool(regions & ({eid} | set(anc))) for eid, anc in zip(ents["entity_id"], ents["ancestors"])]
            mask &= np.asarray(inside, dtype=bool)
        if profile.exclude:
            excluded = {gaz.resolve_region(name) for name in profile.exclude}
            mask &= ~ents["entity_id"].isin(excluded).to_numpy()
        return mask

    # ------------------------------------------------------------------- vectors
    def _query_vectors(self, prepared: Sequence[PreparedProfile]):
        """Query matrices: weighted TF-IDF ``Q``, tags ``Tq``, exact tags ``Te``, and the
        profiles' distinguishing content ``Qs`` (IDF of each specific own term) with the
        mass of content no passage can cover (``missing``)."""
        rt = self._runtime()
        n, V = len(prepared), len(self.feature_names_)
        idf = rt.idf
        rows, cols, vals = [], [], []
        srows, scols, svals = [], [], []
        for i, p in enumerate(prepared):
            for t in p.own_terms:
                j = self.vectorizer_.vocabulary_.get(t.term)
                if j is None:
                    continue
                rows.append(i)
                cols.append(j)
                vals.append(t.weight)
                if t.content > 0:
                    srows.append(i)
                    scols.append(j)
                    svals.append(t.content)
        own = sp.csr_matrix((np.asarray(vals, dtype=np.float32), (rows, cols)), shape=(n, V))
        own.sum_duplicates()
        own.data = np.minimum(own.data, 1.0)
        own = feat.l2_normalize_rows(own.multiply(idf[None, :]).tocsr())
        if self.expansion_weight > 0:
            missing = list(dict.fromkeys(p.expand_codes for p in prepared if not rt.has_expansion(p.expand_codes)))
            if missing:
                texts = {p.expand_codes: p.expansion_text for p in prepared}
                X_exp = self.vectorizer_.transform([texts[c] for c in missing])
                for k, codes in enumerate(missing):
                    rt.store_expansion(codes, X_exp[k])
            Qx = sp.vstack([rt.expansion(p.expand_codes) for p in prepared]).tocsr()
            Q = own + self.expansion_weight * Qx
        else:
            Q = own
        # generic words (used by most reports) support a match but weigh less
        Q = feat.l2_normalize_rows(sp.csr_matrix(Q.multiply(rt.term_weight[None, :])))
        Qs = sp.csr_matrix((np.asarray(svals, dtype=np.float32), (srows, scols)), shape=(n, V))
        Qs.sum_duplicates()
        tax = self.taxonomy_
        rows, cols, vals, erows, ecols, evals = [], [], [], [], [], []
        for i, p in enumerate(prepared):
            for code, weight, units in zip(p.codes, p.tag_weights, p.tag_content or [0.0] * len(p.codes)):
                rows.append(i)
                cols.append(tax.index(code))
                vals.append(weight)
                if units > 0:
                    erows.append(i)
                    ecols.append(tax.index(code))
                    evals.append(units)
        Tq = sp.coo_matrix((np.asarray(vals, dtype=np.float32), (rows, cols)),
                           shape=(n, len(tax.codes))).tocsr()
        Tq.data = np.minimum(Tq.data, 1.0)
        Te = sp.coo_matrix((np.asarray(evals, dtype=np.float32), (erows, ecols)),
                           shape=(n, len(tax.codes))).tocsr()
        missing_mass = np.asarray([p.missing_mass for p in prepared], dtype=np.float64)
        PH = self._phrase_hits(prepared)
        return sp.csr_matrix(Q, dtype=np.float32), Tq, Te, Qs, missing_mass, PH

    def _phrase_hits(self, prepared: Sequence[PreparedProfile]) -> sp.csr_matrix:
        """``(n_profiles, n_units)`` content mass of the profile's compounds written out in each unit.

        Only units holding every part of a compound are read (their posting lists
        intersected), so the check stays small whatever the corpus size.
        """
        rt = self._runtime()
        vocab = self.vectorizer_.vocabulary_
        X = rt.Xbin_T
        rows, cols, vals = [], [], []
        for i, p in enumerate(prepared):
            for text, parts, mass in p.phrases:
                units = None
                for part in parts:
                    j = vocab.get(part)
                    if j is None:
                        units = np.empty(0, dtype=np.int64)
                        break
                    posting = X.indices[X.indptr[j]:X.indptr[j + 1]]
                    units = posting if units is None else np.intersect1d(units, posting, assume_unique=True)
                for u in (units if units is not None else ()):
                    if text in rt.norm_text[rt.unit_passage[int(u)]]:
                        rows.append(i)
                        cols.append(int(u))
                        vals.append(mass)
        return sp.csr_matrix((np.asarray(vals, dtype=np.float32), (rows, cols)),
                             shape=(len(prepared), rt.Xbin_T.shape[1]))

    def score_matrix(self, prepared: Sequence[PreparedProfile]) -> dict[str, np.ndarray]:
        """Score every place for every prepared profile (vectorised, sparse products).

        The rule is :mod:`recommender.model.scoring`'s: passage relevance needs the
        profile's distinguishing content (a specific word or an exact tag), and a place's
        score is scaled by how much of that content its best passage covers.

        Returns
        -------
        dict
            ``score``, ``text_score``, ``tag_score``, ``coverage`` (each
            ``(n_profiles, n_places)``), and the passage relevances
            ``passage_text``/``passage_tag`` (``(n_profiles, n_units)``) used to pick evidence.
        """
        Q, Tq, Te, Qs, missing_mass, PH = self._query_vectors(prepared)
        rt = self._runtime()
        n, n_ent = len(prepared), len(self.entity_ids_)
        S = (Q @ rt.X_T).toarray().astype(np.float32, copy=False)             # text relevance
        tq_mass = np.asarray(Tq.sum(axis=1)).ravel()
        has_tags = tq_mass > 0
        G = (Tq @ rt.T_T).toarray().astype(np.float32, copy=False)
        G = np.minimum(G / np.where(has_tags, tq_mass, 1.0)[:, None], 1.0)     # tag coverage
        n_exact = np.asarray(Te.sum(axis=1)).ravel()      # tag content units (exact and from the text)
        phrase_mass = np.asarray([sum(m for _, _, m in p.phrases) for p in prepared], dtype=np.float64)
        C = passage_coverage((Qs @ rt.Xbin_T).toarray() + PH.toarray(), (Te @ rt.Tbin_T).toarray(),
                             np.asarray(Qs.sum(axis=1)).ravel() + phrase_mass, n_exact, missing_mass, rt.max_idf)
        S = S * (C > 0)                      # generic words alone never make a passage relevant
        G = G * (C > 0)
        m = self.top_passages
        text_pass = np.empty((n, n_ent))
        tag_pass = np.empty((n, n_ent))
        cover = np.empty((n, n_ent))
        step = 64  # rows at a time keep the (rows x links) temporaries small
        for lo in range(0, n, step):
            rows = slice(lo, min(n, lo + step))
            text_pass[rows] = pool_segments(S[rows][:, rt.flat_units] * rt.flat_weights, rt.flat_offsets, m,
                                            self.pooling)
            tag_pass[rows] = pool_segments(G[rows][:, rt.flat_units] * rt.flat_weights, rt.flat_offsets, m,
                                           self.pooling)
            cover[rows] = pool_segments(C[rows][:, rt.flat_units], rt.flat_offsets, 1, "max")
        shrink = self.entity_shrink_[None, :]
        text_prof = (Q @ rt.centroids_T).toarray() * shrink
        tag_prof = (feat.l2_normalize_rows(Tq) @ rt.tag_profile_T).toarray() * shrink
        text_score = fuse(text_pass, text_prof, self.passage_weight)
        tag_score = fuse(tag_pass, tag_prof, self.passage_weight)
        lead = np.asarray([p.tag_lead for p in prepared])
        tag_share = (1.0 - self.text_weight) * np.minimum(lead, 1.0)
        score = combine(text_score, tag_score, tag_share, cover, self.coverage_power)
        return {"score": score, "text_score": text_score, "tag_score": tag_score, "coverage": cover,
                "tag_share": tag_share,
                "passage_text": S, "passage_tag": G, "passage_coverage": C, "Q": Q, "Tq": Tq}

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
        return self._results([prepared], top_k, evidence_k)[0]

    def recommend_many(self, profiles: Iterable[Any], top_k: int = 10, evidence_k: int = 3,
                       *, errors: str = "raise") -> list[RecommendationResult]:
        """Rank places for many profiles at once (vectorised).

        With ``errors="collect"`` a profile that cannot be scored yields a result whose
        ``error`` says why, and the others are unaffected; with ``"raise"`` the first
        bad profile raises.
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
        results = self._results(prepared, top_k, evidence_k) if prepared else []
        return [results[s] if isinstance(s, int) else s for s in slots]

    def _results(self, prepared: Sequence[PreparedProfile], top_k: int, evidence_k: int):
        scores = self.score_matrix(prepared)
        out = []
        for i, p in enumerate(prepared):
            out.append(self._one_result(i, p, scores, top_k, evidence_k))
        return out

    def _one_result(self, i, p: PreparedProfile, scores, top_k, evidence_k) -> RecommendationResult:
        score = scores["score"][i]
        candidates = np.flatnonzero(score > 0)
        if p.allowed is not None:
            candidates = candidates[p.allowed[candidates]]
        # rank by score, ties broken by entity id for determinism
        order = candidates[np.lexsort((self.entity_ids_[candidates], -np.round(score[candidates], 9)))]
        q_row = scores["Q"][i]
        q_terms = {int(c): float(v) for c, v in zip(q_row.indices, q_row.data)}
        # a place is a match only with at least one passage about what was asked; among the
        # leading candidates, a place whose best evidence is a list mention scores below one with
        # a named project, firm or figure (MENTION_STRENGTH)
        rt = self._runtime()
        pool = []
        depth = max(3 * top_k, 30)
        for j in order:
            if len(pool) >= depth:
                break
            # a place is a match only with a passage about what was asked, or its catalogue row
            evidence = select_evidence(self, j, i, scores, q_terms, p, max(evidence_k, 1))
            cited = cat_mod.catalogue_evidence(self, str(self.entity_ids_[j]), p)
            if not evidence and cited is None:
                continue
            kind = evidence_strength(evidence, rt.is_specific_or_tag)
            pool.append((float(score[j]) * MENTION_STRENGTH[kind], j, evidence, kind, cited))
        # a city or province ranks below a district or park inside it that its own report recommends
        if pool:
            capped = below_descendants([t[0] for t in pool], [rt.ancestors[t[1]] for t in pool],
                                       [rt.entity_id[t[1]] for t in pool],
                                       [rt.level[t[1]] in CONTAINER_LEVELS for t in pool],
                                       [self._first_hand(t[1], i, scores) for t in pool])
            pool = [(c, *t[1:]) for c, t in zip(capped, pool)]
        pool.sort(key=lambda t: (-round(t[0], 9), self.entity_ids_[t[1]]))
        matches = []
        for rank, (adjusted, j, evidence, kind, cited) in enumerate(pool[:top_k], start=1):
            evidence = evidence[:evidence_k]
            if cited is not None and len(evidence) < evidence_k:
                evidence.append(cited)  # after the report passages: a report outranks a catalogue line
            matches.append(self._match(rank, j, i, scores, p, evidence, q_terms, adjusted, kind))
        # then catalogue zones that no passage links to, from their catalogue row alone, below
        # every place a report speaks of: a report's evidence outranks a bare catalogue line
        if len(matches) < top_k:
            floor = matches[-1].score if matches else 1.0
            for item in cat_mod.catalogue_only(self, p)[: top_k - len(matches)]:
                matches.append(cat_mod.catalogue_match(self, len(matches) + 1, item, evidence_k, ceiling=floor))
        best = matches[0].score if matches else 0.0
        # how much of what sets the profile apart the best-covered place's evidence holds
        held = float(scores["coverage"][i].max(initial=0.0)) if matches else 0.0
        warnings = list(p.warnings)
        weak = best < self.weak_threshold or held < self.weak_coverage
        if weak:
            why = (f"the best evidence holds {held:.0%} of what distinguishes the profile (< {self.weak_coverage:.0%})"
                   if held < self.weak_coverage else f"the best score is {best:.2f} (< {self.weak_threshold})")
            warnings.append(f"weak evidence: {why}; the corpus says little about what was asked")
        tax = self.taxonomy_
        resolved = tuple(ResolvedSector(it.input, it.codes, tuple(tax.name(c) for c in it.codes), it.route)
                         for it in p.sectors)
        return RecommendationResult(profile_id=p.profile.profile_id, matches=tuple(matches),
                                    weak_evidence=weak, warnings=tuple(warnings),
                                    resolved_sectors=resolved, query_terms=tuple(p.terms))

    def _first_hand(self, j, i, scores) -> bool:
        """Whether place ``j`` has a relevant passage of its own: a whole passage of its own
        report (or one it heads), not a sentence cut from someone else's report."""
        units, _ = self.entity_passages_[j]
        own = units[units < len(self.passages_)]
        return bool(own.size) and bool(((scores["passage_text"][i, own] > 0)
                                        | (scores["passage_tag"][i, own] > 0)).any())

    def _match(self, rank, j, i, scores, p, evidence, q_terms, adjusted, kind) -> Match:
        rt = self._runtime()
        # the score's two parts as they add up: shares, coverage and mention factor applied
        share = float(scores["tag_share"][i])
        factor = float(scores["coverage"][i, j]) ** self.coverage_power * MENTION_STRENGTH[kind]
        text_part = (1.0 - share) * float(scores["text_score"][i, j]) * factor
        tag_part = share * float(scores["tag_score"][i, j]) * factor
        supported = rt.supported[j]
        # a sector is supported when the place carries it or one of its sub-tags
        matched = [rt.tag_name[code] for code in p.codes if supported & rt.full_credit[code]]
        terms: list[str] = []
        for ev in evidence:
            terms.extend(t for t in ev.terms if t not in terms)
        return Match(rank=rank, entity_id=rt.entity_id[j], name=rt.name[j], level=rt.level[j],
                     parent=rt.parent[j], path=rt.path[j],
                     score=_r(adjusted), text_score=_r(scores["text_score"][i, j]),
                     text_part=_r(text_part), tag_part=_r(tag_part),
                     tag_score=_r(scores["tag_score"][i, j]), matched_sectors=tuple(matched),
                     matched_terms=tuple(terms[:10]), evidence=tuple(evidence), mention=kind)

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
                    backend: str = "loky", **kwargs) -> pd.DataFrame:
        """Score a table of profiles; every input row comes back (see :mod:`recommender.batch`)."""
        from recommender.batch import score_batch

        return score_batch(self, profiles, top_k=top_k, evidence_k=evidence_k, n_jobs=n_jobs,
                           backend=backend, **kwargs)


def _progress_bar(total: int, desc: str):
    """A terminal progress bar during long fits (large corpora only), else None."""
    return terminal_progress(total, unit="passage", desc=desc) if total >= PARALLEL_MIN_PASSAGES else None



def _r(x: float) -> float:
    return float(round(float(x), 6))
