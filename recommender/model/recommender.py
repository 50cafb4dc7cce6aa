"""The :class:`Recommender` estimator: fit on a corpus, rank places for investor profiles."""

from __future__ import annotations

import logging
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
from recommender.model import features as feat
from recommender.model import links as links_mod
from recommender.model.chunks import iter_chunk_features
from recommender.model.evidence import select_evidence
from recommender.model.params import ParamsMixin
from recommender.model.results import Match, RecommendationResult
from recommender.model.scoring import fuse, get_pooling, pool_segments
from recommender.model.tfidf import TfidfIndex
from recommender.profiles import InvestorProfile
from recommender.text.normalize import normalize_for_features

logger = logging.getLogger(__name__)

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
    query_text: str
    expansion_text: str
    allowed: np.ndarray | None
    warnings: tuple[str, ...]


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
    weak_threshold : float, default=0.2
        A result whose best score is below this is flagged ``weak_evidence``.
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
                 weak_threshold=0.2, tokenizer_backend="jieba", n_jobs=1):
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
        self.tokenizer_backend = tokenizer_backend
        self.n_jobs = n_jobs

    # ------------------------------------------------------------------ validation
    def _validate_params(self):
        for name in ("text_weight", "passage_weight", "hierarchy_credit", "rollup_weight",
                     "document_link_weight", "catalogue_weight", "foreign_weight", "ancestor_weight",
                     "expansion_weight",
                     "weak_threshold"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
                raise InputError(f"{name} must be a number in [0, 1], got {value!r}")
        if not isinstance(self.evidence_prior, (int, float)) or self.evidence_prior < 0:
            raise InputError(f"evidence_prior must be a number >= 0, got {self.evidence_prior!r}")
        if not isinstance(self.top_passages, int) or self.top_passages < 1:
            raise InputError(f"top_passages must be a positive integer, got {self.top_passages!r}")
        get_pooling(self.pooling)
        from recommender.text.tokenizer import BACKENDS

        if self.tokenizer_backend not in BACKENDS:
            from recommender.exceptions import UnknownOptionError

            raise UnknownOptionError("tokenizer backend", self.tokenizer_backend, BACKENDS)

    def _check_fitted(self):
        if not hasattr(self, "vectorizer_"):
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
        from recommender.knowledge.linking import PlaceLinker
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

        # --- place links (salience, mention windows, roll-up to districts)
        linker = PlaceLinker(gaz)
        links = linker.link(corpus)
        links = links[links["passage_id"].isin(set(body["passage_id"]))]
        region_of_doc = links_mod.document_regions(links, passages)
        links = links_mod.apply_salience(links, region_of_doc, gaz, ancestor_weight=self.ancestor_weight,
                                         foreign_weight=self.foreign_weight)
        passage_row = {int(pid): i for i, pid in enumerate(body["passage_id"])}
        links, window_texts, window_passage = links_mod.window_links(links, body, passage_row, region_of_doc, linker)
        links = links_mod.roll_up(links, gaz, self.rollup_weight)
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
        self.unit_passage_ = np.concatenate([np.arange(len(body)), np.asarray(window_passage, dtype=np.int64)])
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
        """Resolve a profile's sectors, regions, levels and exclusions against the model.

        Raises
        ------
        EmptyProfileError, UnknownSectorError, UnknownRegionError, UnknownLevelError
        """
        self._check_fitted()
        profile = InvestorProfile.coerce(profile)
        tax, gaz = self.taxonomy_, self.gazetteer_
        warnings: list[str] = []
        resolution = tax.resolve_many(list(profile.sectors))
        if resolution.unresolved:
            msg = UnknownSectorError(resolution.unresolved, resolution.suggestions)
            if not resolution.codes and not profile.text:
                raise msg
            warnings.append(str(msg))
            logger.warning("%s", msg)
        text = normalize_for_features(profile.text)
        # tags found in the text weigh by how central they are to it (hits and context,
        # relative to the strongest); sectors the investor named weigh 1
        text_tags = self.tagger_.tag(text) if text else {}
        top = max(text_tags.values(), default=1.0)
        weights = {c: w / top for c, w in text_tags.items()}
        for code in resolution.codes:
            weights[code] = 1.0
        codes = tuple(feat.most_specific(list(resolution.codes) + list(text_tags), tax))
        tag_weights = tuple(float(weights[c]) for c in codes)
        expansion = []
        for code in codes:
            row = tax.tags.iloc[tax.index(code)]
            expansion.append(row["name"])
            expansion.extend(row["aliases"])
            expansion.extend(row["terms"])
        if profile.truncated:
            from recommender.profiles import MAX_TEXT_CHARS

            warnings.append(f"profile text truncated to {MAX_TEXT_CHARS} characters")
        allowed = self._filter_mask(profile, gaz)
        return PreparedProfile(profile, codes, tag_weights, text, " ".join(expansion),
                               allowed, tuple(warnings))

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
        if self.expansion_weight > 0:
            # one transform for the profiles' own words and the expansions not seen before
            rt = self._runtime()
            missing = list(dict.fromkeys(p.codes for p in prepared if not rt.has_expansion(p.codes)))
            texts = {p.codes: p.expansion_text for p in prepared}
            both = self.vectorizer_.transform([p.query_text for p in prepared] + [texts[c] for c in missing])
            Q = both[:len(prepared)]
            for k, codes in enumerate(missing):
                rt.store_expansion(codes, both[len(prepared) + k])
            Qx = sp.vstack([rt.expansion(p.codes) for p in prepared])
            Q = feat.l2_normalize_rows(Q + self.expansion_weight * Qx)
        else:
            Q = self.vectorizer_.transform([p.query_text for p in prepared])
        tax = self.taxonomy_
        rows, cols, vals = [], [], []
        for i, p in enumerate(prepared):
            for code, weight in zip(p.codes, p.tag_weights):
                rows.append(i)
                cols.append(tax.index(code))
                vals.append(weight)
        Tq = sp.coo_matrix((np.asarray(vals, dtype=np.float32), (rows, cols)),
                           shape=(len(prepared), len(tax.codes))).tocsr()
        Tq.data = np.minimum(Tq.data, 1.0)
        return sp.csr_matrix(Q, dtype=np.float32), Tq

    def score_matrix(self, prepared: Sequence[PreparedProfile]) -> dict[str, np.ndarray]:
        """Score every place for every prepared profile (vectorised, sparse products).

        Returns
        -------
        dict
            ``score``, ``text_score``, ``tag_score`` (each ``(n_profiles, n_places)``),
            and the passage relevances ``passage_text``/``passage_tag``
            (``(n_profiles, n_passages)``) used to pick evidence.
        """
        Q, Tq = self._query_vectors(prepared)
        rt = self._runtime()
        n, n_ent = len(prepared), len(self.entity_ids_)
        S = (Q @ rt.X_T).toarray().astype(np.float32, copy=False)             # text relevance
        tq_mass = np.asarray(Tq.sum(axis=1)).ravel()
        has_tags = tq_mass > 0
        G = (Tq @ rt.T_T).toarray().astype(np.float32, copy=False)
        G = np.minimum(G / np.where(has_tags, tq_mass, 1.0)[:, None], 1.0)     # tag coverage
        m = self.top_passages
        text_pass = np.empty((n, n_ent))
        tag_pass = np.empty((n, n_ent))
        step = 64  # rows at a time keep the (rows x links) temporaries small
        for lo in range(0, n, step):
            rows = slice(lo, min(n, lo + step))
            text_pass[rows] = pool_segments(S[rows][:, rt.flat_units] * rt.flat_weights, rt.flat_offsets, m,
                                            self.pooling)
            tag_pass[rows] = pool_segments(G[rows][:, rt.flat_units] * rt.flat_weights, rt.flat_offsets, m,
                                           self.pooling)
        shrink = self.entity_shrink_[None, :]
        text_prof = (Q @ rt.centroids_T).toarray() * shrink
        tag_prof = (feat.l2_normalize_rows(Tq) @ rt.tag_profile_T).toarray() * shrink
        text_score = fuse(text_pass, text_prof, self.passage_weight)
        tag_score = fuse(tag_pass, tag_prof, self.passage_weight)
        w = np.where(has_tags, self.text_weight, 1.0)[:, None]
        score = np.clip(w * text_score + (1.0 - w) * tag_score, 0.0, 1.0)
        return {"score": score, "text_score": text_score, "tag_score": tag_score,
                "passage_text": S, "passage_tag": G, "Q": Q, "Tq": Tq}

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
        matches = []
        for j in order:
            if len(matches) >= top_k:
                break
            # a place is a match only with at least one passage about what was asked
            evidence = select_evidence(self, j, i, scores, q_terms, p, max(evidence_k, 1))
            if not evidence:
                continue
            matches.append(self._match(len(matches) + 1, j, i, scores, p, evidence[:evidence_k], q_terms))
        best = matches[0].score if matches else 0.0
        warnings = list(p.warnings)
        weak = best < self.weak_threshold
        if weak:
            warnings.append(f"weak evidence: the best score is {best:.2f} (< {self.weak_threshold}); "
                            "the corpus says little about what was asked")
        return RecommendationResult(profile_id=p.profile.profile_id, matches=tuple(matches),
                                    weak_evidence=weak, warnings=tuple(warnings),
                                    resolved_sectors=tuple(self.taxonomy_.name(c) for c in p.codes))

    def _match(self, rank, j, i, scores, p, evidence, q_terms) -> Match:
        rt = self._runtime()
        supported = rt.supported[j]
        # a sector is supported when the place carries it or one of its sub-tags
        matched = [rt.tag_name[code] for code in p.codes if supported & rt.full_credit[code]]
        terms: list[str] = []
        for ev in evidence:
            terms.extend(t for t in ev.terms if t not in terms)
        return Match(rank=rank, entity_id=rt.entity_id[j], name=rt.name[j], level=rt.level[j],
                     parent=rt.parent[j], path=rt.path[j],
                     score=_r(scores["score"][i, j]), text_score=_r(scores["text_score"][i, j]),
                     tag_score=_r(scores["tag_score"][i, j]), matched_sectors=tuple(matched),
                     matched_terms=tuple(terms[:10]), evidence=tuple(evidence))

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
    """A tqdm bar on stderr during long fits, when stderr is a terminal and tqdm is installed
    (extra ``recommender[progress]``); otherwise None."""
    import sys

    if total < PARALLEL_MIN_PASSAGES:
        return None
    try:
        if not sys.stderr.isatty():
            return None
        from tqdm import tqdm
    except (ImportError, AttributeError, ValueError):
        return None
    return tqdm(total=total, desc=desc, unit="passage", file=sys.stderr, dynamic_ncols=True, leave=False)



def _r(x: float) -> float:
    return float(round(float(x), 6))


def check_k(value, name: str, low: int = 1) -> None:
    """Refuse a ``top_k``/``evidence_k`` that is not an integer between ``low`` and 10000.

    Examples
    --------
    >>> check_k(5, "top_k")
    >>> check_k(0, "top_k")
    Traceback (most recent call last):
    ...
    recommender.exceptions.InputError: top_k must be an integer between 1 and 10000, got 0
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= 10_000:
        raise InputError(f"{name} must be an integer between {low} and 10000, got {value!r}")
