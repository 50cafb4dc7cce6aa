"""Building the frozen index from a corpus: passage tokens and TF-IDF, industry tags,
place links and the places' profiles.

:func:`build_index` does what :meth:`Recommender.fit <recommender.model.recommender.Recommender.fit>`
learns and returns it as the estimator's fitted attributes; the estimator only validates
its parameters and stores them.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.exceptions import CorpusError
from recommender.model import features as feat
from recommender.model import links as links_mod
from recommender.model.chunks import ParallelChunks, iter_chunk_features
from recommender.model.tfidf import TfidfIndex
from recommender.progress import terminal_progress

logger = logging.getLogger(__name__)

__all__ = ["build_index", "start_tokenization", "fit_text_index", "PARALLEL_MIN_PASSAGES"]

#: Corpora with fewer passages are tokenized in-process whatever ``n_jobs`` says.
PARALLEL_MIN_PASSAGES = 2000
_LEVEL_ORDER = {"province": 0, "city": 1, "district": 2, "park": 3, "town": 4}


def build_index(model, corpus, gazetteer=None, taxonomy=None) -> dict[str, Any]:
    """Learn TF-IDF, tag and place-link matrices from a corpus.

    Parameters
    ----------
    model : Recommender
        Read for its parameters only (``min_df``, ``rollup_weight``, ``n_jobs``, …).
    corpus : Corpus
        From :func:`recommender.load_corpus` or :func:`recommender.load_sample_corpus`.
    gazetteer, taxonomy : optional
        Knowledge tables; default to the bundled ones.

    Returns
    -------
    dict
        Fitted attribute name (``X_``, ``entity_ids_``, ``passages_``, …) → value.

    Raises
    ------
    CorpusError
        When the corpus has no body passage, no known place or no words.

    Examples
    --------
    >>> from recommender import Recommender, load_sample_corpus
    >>> state = build_index(Recommender(), load_sample_corpus())
    >>> state["X_"].shape[0] == len(state["unit_passage_"])
    True
    """
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
    tokenizer = Tokenizer(user_words=user_words, backend=model.tokenizer_backend)
    pending = start_tokenization(tokenizer, texts, tagger, n_jobs=model.n_jobs)

    # --- place links (salience, place statements, roll-up to districts); parks the
    # reports name that the gazetteer lacks join it as parks of their county or city
    linker = PlaceLinker(gaz, document_weight=model.document_link_weight)
    links = linker.link(corpus)
    gaz = extend_gazetteer(gaz, linker.report_parks_)
    links = links[links["passage_id"].isin(set(body["passage_id"]))]
    region_of_doc = links_mod.document_regions(linker.document_regions_, passages)
    links = links_mod.apply_salience(links, region_of_doc, gaz, ancestor_weight=model.ancestor_weight,
                                     foreign_weight=model.foreign_weight)
    passage_row = {int(pid): i for i, pid in enumerate(body["passage_id"])}
    links, window_texts, window_passage = links_mod.window_links(links, body, passage_row, region_of_doc,
                                                                 linker, gaz)
    del linker  # its mentions of every passage are no longer needed
    # the mention windows go to the same workers, which tokenize and tag them while this
    # process rolls the links up and builds the passages' TF-IDF
    windows = (pending.submit(window_texts, hits=False)
               if isinstance(pending, ParallelChunks) and window_texts else None)
    unit_passage = np.concatenate([np.arange(len(body)), np.asarray(window_passage, dtype=np.int64)])
    links = links_mod.roll_up(links, gaz, model.rollup_weight, unit_passage)
    entity_ids = sorted(set(links["entity_id"]), key=lambda e: (_LEVEL_ORDER.get(gaz.get(e).level, 9), e))
    if not entity_ids:
        raise CorpusError("no passage of the corpus names a known place: nothing to rank")
    entity_index = {e: i for i, e in enumerate(entity_ids)}
    n_units = len(body) + len(window_texts)
    L = feat.link_matrix(links, entity_index, n_units)

    # --- text features (passages, then the mention windows in the same vector space),
    # built from streamed token counts: no token list is ever held for the whole corpus;
    # the passages' tags come from the same chunks
    X, vectorizer, T_pass, passage_hits = fit_text_index(model, tokenizer, texts, pending, tagger)
    del texts, pending
    if windows is None:
        windows = iter_chunk_features(tokenizer, tagger, window_texts, hits=False)
    window_tags = []

    def window_counts():
        for f in windows:
            window_tags.append(f.tags)
            yield f.counts

    X_win = vectorizer.transform_counts(window_counts())
    if X_win.shape[0]:
        X = sp.vstack([X, X_win]).tocsr()
    del X_win, windows, window_texts

    # --- tag features; each passage's (code, term) hits are kept to name the matched
    # words of evidence
    H = feat.hierarchy_matrix(tax, model.hierarchy_credit)
    T_win = sp.vstack(window_tags) if window_tags else tagger.analyze_many([])[0]
    T_raw = sp.csr_matrix(sp.vstack([T_pass, T_win]), dtype=np.float32)
    del T_pass, T_win, window_tags
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
        feat.l2_normalize_rows(tag_mass) + model.catalogue_weight * feat.expand_tags(catalogue, H))

    state: dict[str, Any] = {}
    state["passage_hits_"] = passage_hits
    state["unit_passage_"] = unit_passage
    state["gazetteer_"] = gaz
    state["taxonomy_"] = tax
    state["tagger_"] = tagger
    state["tokenizer_"] = tokenizer
    state["vectorizer_"] = vectorizer
    state["hierarchy_"] = H
    state["X_"] = X
    state["T_"] = T_exact
    state["T_raw_"] = T_raw
    state["L_"] = L
    state["centroids_"] = centroids
    state["tag_profile_"] = tag_profile
    state["tag_support_"] = sp.csr_matrix(LT @ T_raw + catalogue)
    state["entity_ids_"] = np.asarray(entity_ids)
    state["entities_"] = links_mod.entity_table(entity_ids, gaz)
    state["entity_passages_"] = links_mod.entity_unit_lists(L)
    mass = np.asarray(L.sum(axis=0)).ravel()
    state["entity_shrink_"] = (mass / (mass + model.evidence_prior) if model.evidence_prior > 0
                               else np.ones_like(mass))
    # a column selection shares the body's data (copy-on-write), no second copy of the text
    state["passages_"] = body[["passage_id", "doc_id", "source", "row", "start", "end", "text",
                               "norm_text", "title", "date", "kind"]]
    state["vocabulary_size_"] = len(vectorizer.idf_)
    state["feature_names_"] = vectorizer.get_feature_names_out()
    state["corpus_report_"] = str(getattr(corpus, "report", ""))
    logger.info("fitted on %d passages, %d places, %d terms", len(body), len(entity_ids),
                state["vocabulary_size_"])
    return state


def start_tokenization(tokenizer, texts, tagger=None, *, n_jobs=1):
    """Start counting the tokens of ``texts`` (and tagging them) in worker processes, or
    return None to do it in this process, chunk by chunk, when they are needed.

    Each worker builds its jieba engine and tagger once and keeps them for every chunk;
    the chunks come back as compact :class:`~recommender.model.chunks.ChunkFeatures`, in
    order. This only pays on large corpora (``PARALLEL_MIN_PASSAGES`` passages or more).

    Parameters
    ----------
    tokenizer : Tokenizer
    texts : list of str
        The passages' normalised texts.
    tagger : IndustryTagger, optional
    n_jobs : int, default=1
        Worker processes (joblib's convention: -1 for every core).

    Returns
    -------
    iterator of ChunkFeatures or None

    Examples
    --------
    >>> from recommender.text.tokenizer import Tokenizer
    >>> start_tokenization(Tokenizer(), ["株洲市轨道交通装备"], n_jobs=2) is None
    True
    """
    from joblib import effective_n_jobs

    n_workers = effective_n_jobs(n_jobs)
    if n_workers <= 1 or len(texts) < PARALLEL_MIN_PASSAGES:
        return None
    return iter_chunk_features(tokenizer, tagger, texts, n_workers=n_workers)


def fit_text_index(model, tokenizer, texts, pending, tagger):
    """Fit the TF-IDF index on streamed counts.

    Parameters
    ----------
    model : Recommender
        Read for ``min_df``, ``max_df`` and ``sublinear_tf``.
    tokenizer : Tokenizer
    texts : list of str
    pending : iterator of ChunkFeatures or None
        From :func:`start_tokenization`; None to tokenize here.
    tagger : IndustryTagger

    Returns
    -------
    X : csr_matrix
        The passages' TF-IDF rows.
    index : TfidfIndex
    tags : csr_matrix
        The passages' tag matrix.
    hits : list
        The passages' tag hits.

    Raises
    ------
    CorpusError
        When no vocabulary can be built.
    """
    from recommender.model.tfidf import fit_tfidf

    chunks = pending if pending is not None else iter_chunk_features(tokenizer, tagger, texts)
    bar = _progress_bar(len(texts), "tokenizing")
    tags: list = []
    hits: list = []
    # each hit comes as its own (code, term) tuple; equal ones share one (a few thousand
    # distinct pairs among hundreds of thousands of hits on a national corpus)
    same: dict = {}

    def counts():
        for f in chunks:
            tags.append(f.tags)
            hits.extend([same.setdefault(h, h) for h in row] for row in f.hits)
            if bar is not None:
                bar.update(len(f.counts.lengths))
            yield f.counts

    try:
        X, names, idf = fit_tfidf(counts(), min_df=model.min_df, max_df=model.max_df,
                                  sublinear_tf=model.sublinear_tf)
    except ValueError as exc:
        raise CorpusError(f"cannot build a vocabulary from the corpus ({exc}); give texts with words") from exc
    finally:
        if bar is not None:
            bar.close()
    index = TfidfIndex(tokenizer, names, idf, sublinear_tf=model.sublinear_tf, norm="l2")
    return X, index, sp.vstack(tags).tocsr(), hits


def _progress_bar(total: int, desc: str):
    """A terminal progress bar during long fits (large corpora only), else None."""
    return terminal_progress(total, unit="passage", desc=desc) if total >= PARALLEL_MIN_PASSAGES else None
