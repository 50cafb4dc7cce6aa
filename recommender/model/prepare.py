"""Reading a profile against a fitted model: profile → :class:`PreparedProfile` → query vectors.

:func:`prepare_profile` resolves the profile's sectors, words, regions, levels and
exclusions; :func:`query_vectors` turns prepared profiles into the sparse query matrices
that :func:`recommender.model.score.score_matrix` multiplies with the index.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, Sequence

import numpy as np
import scipy.sparse as sp

from recommender.exceptions import UnknownSectorError
from recommender.model import features as feat
from recommender.model.query import (CONNECTORS, HAN, QueryTerm, english_terms, first_clause_end, product_word,
                                     profile_clauses, sector_items, sector_words, split_unknown, strip_sector_suffix,
                                     without_applications)
from recommender.model.stored import column_list, stored_table
from recommender.profiles import InvestorProfile
from recommender.text.normalize import normalize_for_features

logger = logging.getLogger(__name__)

__all__ = ["PreparedProfile", "prepare_profile", "read_words", "spelled", "filter_mask", "query_vectors", "phrase_hits"]

_LATIN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*")
_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z0-9\-' ]*")


@dataclass(frozen=True)
class PreparedProfile:
    """A profile resolved against a fitted model: tag codes, query text, filters."""

    profile: InvestorProfile
    codes: tuple[str, ...]
    tag_weights: tuple[float, ...]
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
    product_codes: tuple[str, ...] = ()


def prepare_profile(model, profile: Any) -> PreparedProfile:
    """Resolve a profile's sectors, words, regions, levels and exclusions against the model.

    Sector strings resolved exactly become industry tags; fuzzy or unresolved ones are
    searched as literal text (with a warning). The profile's words are kept when the
    fitted vocabulary has them; an unknown compound is searched through its known parts.
    The profile's *distinguishing content* is the IDF mass of its specific words (the
    first clause, which says what the firm does, weighs fully; the rest, what it looks
    for, weighs ``wish_weight``), the words the corpus does not use (covered only through
    the industry tag that explains them, else ``missing``), and one unit per exact tag.
    English text is read through the CC-CEDICT lexicon.

    Parameters
    ----------
    model : Recommender
        A fitted model.
    profile : InvestorProfile, dict or str
        A string is taken as the profile's text.

    Returns
    -------
    PreparedProfile

    Raises
    ------
    EmptyProfileError, UnknownSectorError, UnknownRegionError, UnknownLevelError

    Examples
    --------
    >>> from recommender import Recommender, load_sample_corpus
    >>> model = Recommender().fit(load_sample_corpus())
    >>> prepare_profile(model, {"sectors": ["陶瓷"]}).exact_codes
    ('MAT.CERAMIC',)
    """
    model._check_fitted()
    profile = InvestorProfile.coerce(profile)
    tax, gaz = model.taxonomy_, model.gazetteer_
    rt = model._runtime()
    warnings: list[str] = []
    items = _searchable_narrow(model, sector_items(tax, list(profile.sectors)))
    exact_codes = list(dict.fromkeys(c for it in items if it.exact for c in it.codes))
    fuzzy_codes = [c for it in items if not it.exact for c in it.codes]
    literal = [it for it in items if not it.exact and not it.narrow]
    for it in items:
        if it.narrow:
            names = "、".join(tax.name(c) for c in it.codes)
            warnings.append(f"sector {it.input!r} names a part of the industry tag {names}: searched as "
                            f"literal text, the tag only supports it (weight {model.approximate_tag_weight})")
    if literal:
        unresolved = [it.input for it in literal]
        sugg = {s: tax.suggest(s) for s in unresolved}
        warnings.append(str(UnknownSectorError(unresolved, sugg)).replace(
            ": use a code", ": searched as literal text; for a tag use a code", 1))
    text = normalize_for_features(profile.text)
    words = read_words(model, items, text)
    own_terms = words["terms"]
    oov = words["oov"]
    english_codes = words["english_codes"]
    # tags found in the text (and its translation) weigh by how central they are to it and
    # lead only as far as their words explain the profile's content (电动车 explains an
    # EV-parts profile; 汽车 explains little of an aluminium-sheet one)
    # an application the text names (风电叶片用, 用于…) is the investor's market, not its industry
    tag_text = " ".join([without_applications(text)] + words["translated"])
    text_tags = model.tagger_.tag(tag_text) if tag_text.strip() else {}
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
        weights[code] = max(weights.get(code, 0.0), model.approximate_tag_weight)
    # a tag broader than the sector the investor named (通用设备 for 轴承) stays a support,
    # however much of the text its words explain
    for code in {c for it in items if it.narrow for c in it.codes}:
        weights[code] = min(weights[code], model.approximate_tag_weight)
    for code in exact_codes:
        weights[code] = 1.0
    # a sector the investor named stays a query tag: sub-sectors read from the text refine it
    # (a passage on 纺织服装 answers a 纺织服装 profile whose text says 棉纺织), never replace it
    codes = tuple(dict.fromkeys(feat.most_specific(exact_codes, tax) + feat.most_specific(
        exact_codes + english_codes + fuzzy_codes + list(text_tags), tax)))
    tag_weights = tuple(float(weights[c]) for c in codes)
    # a tag reached only through a product word (客机 → 航空航天) answers for that product:
    # its other sub-sectors (商业航天) do not
    narrow, wide = set(), set(english_named) | set(fuzzy_codes)
    for it in items:
        for c in (it.codes if it.exact else ()):
            (narrow if it.route == "alias" and product_word(tax, it.input, c) else wide).add(c)
    for hit in (model.tagger_.find(tag_text) if text_tags else ()):
        (narrow if product_word(tax, hit.term, hit.code) else wide).add(hit.code)
    product_codes = tuple(c for c in codes if c in narrow and c not in wide)
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
    # a narrow sector the reports never write is still asked through the tag that supports it
    searchable = bool(exact) or any(t.content > 0 for t in own_terms) or any(it.narrow for it in items)
    if not searchable and not text:
        unresolved = [it.input for it in literal]
        raise UnknownSectorError(unresolved, {s: tax.suggest(s) for s in unresolved})
    if missing:
        warnings.append("words of the profile that the reports never use (no place can match them): "
                        + ", ".join(missing))
    if profile.truncated:
        from recommender.profiles import MAX_TEXT_CHARS

        warnings.append(f"profile text truncated to {MAX_TEXT_CHARS} characters")
    allowed = filter_mask(stored_table(model, "entities_"), profile, gaz, within=rt.places_within)
    vocab = model.vectorizer_.vocabulary_
    exp_terms = tuple(QueryTerm(t, "taxonomy expansion", tax.name(c), model.expansion_weight)
                      for c in expand_codes for t in dict.fromkeys(model.tokenizer_(" ".join(
                          [tax.row(c)["name"]] + list(tax.row(c)["aliases"]))))
                      if t in vocab)
    return PreparedProfile(profile, codes, tag_weights, allowed, tuple(warnings),
                           sectors=items, terms=own_terms + exp_terms, own_terms=own_terms,
                           missing=tuple(missing), missing_mass=float(sum(missing.values())),
                           exact_codes=exact, text_codes=text_codes, tag_content=tag_content, tag_lead=lead,
                           phrases=words["phrases"],
                           expand_codes=tuple(expand_codes), product_codes=product_codes)

def read_words(model, items, text: str) -> dict:
    """The profile's searched words with their content mass, and the words the corpus lacks.

    Parameters
    ----------
    model : Recommender
        A fitted model.
    items : sequence
        The profile's resolved sectors (:func:`recommender.model.query.sector_items`).
    text : str
        The profile's text, normalised for features.

    Returns
    -------
    dict
        ``terms`` (QueryTerm, first occurrence kept), ``oov`` (unknown Chinese word →
        content mass), ``english_codes`` (tags the taxonomy's English names gave),
        ``translated`` (the Chinese words chosen for English phrases) and ``phrases``
        (compounds to find written out: text, parts, content mass).
    """
    from recommender.text.english import is_english

    rt = model._runtime()
    vocab = model.vectorizer_.vocabulary_
    terms: list[QueryTerm] = []
    oov: dict[str, float] = {}
    phrases: dict[str, tuple[tuple[str, ...], float]] = {}

    def add_phrase(text: str, parts, weight: float) -> None:
        # a compound the profile names is best matched where a report writes it out
        parts = tuple(dict.fromkeys(parts))
        if len(parts) >= 2 and "".join(parts) == text:
            old = phrases.get(text, ((), 0.0))[1]
            phrases[text] = (parts, max(old, rt.max_idf * weight))

    gaz = model.gazetteer_

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
        for tok in dict.fromkeys(model.tokenizer_(chunk)):
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
            found = sector_words(written, vocab) or spelled(model, written)
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
    for clause, weight in profile_clauses(without_applications(text), model.wish_weight):
        add_words(clause, "profile text", weight)
    english_codes: list[str] = []
    translated: list[str] = []
    latin = " ".join(_LATIN_RUN.findall(text) + english_sectors)
    if latin.strip() and is_english(latin):
        tax = model.taxonomy_
        found, lost = english_terms(latin, vocab, taxonomy=tax, cooccurrence=rt.cooccurrence,
                                    document_frequency=rt.document_frequency)
        # as in Chinese, what the firm does (the first clause, its sectors) weighs fully and
        # what it looks for (looking for …, seeking …) weighs wish_weight
        first_end, pos = first_clause_end(latin), 0
        sectors_written = " ".join(english_sectors).lower()
        for phrase, word, codes in found:
            at = latin.find(phrase, pos)
            pos = at + len(phrase) if at >= 0 else pos
            weight = 1.0 if 0 <= at < first_end or phrase.lower() in sectors_written else model.wish_weight
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
            oov.setdefault(w, rt.max_idf * model.wish_weight)
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

def _searchable_narrow(model, items):
    """The sector items, a narrow one made exact again when the corpus uses its string too
    widely to index it (more than ``max_df`` of the passages): like a generic word it cannot
    tell places apart, and its tag answers for it."""
    vocab = model.vectorizer_.vocabulary_
    rt = model._runtime()
    out = []
    for it in items:
        written = normalize_for_features(it.input)
        if it.narrow and not (sector_words(written, vocab) or spelled(model, written)) \
                and rt.written_in_corpus(strip_sector_suffix(written)):
            it = replace(it, narrow=False)
        out.append(it)
    return tuple(out)


def spelled(model, sector: str) -> list[str] | None:
    """Vocabulary words that spell a Chinese sector string as the tokenizer reads it, or None.

    Each part (between connectors, without a closing 产业 or 行业) must be spelled in full
    by the tokens the fitted tokenizer gives it, every token a word of the vocabulary.

    Parameters
    ----------
    model : Recommender
        A fitted model.
    sector : str
        A sector string of the profile, normalised.

    Returns
    -------
    list of str or None
        The words in order, or None when some part is not spelled by vocabulary words.
    """
    vocab = model.vectorizer_.vocabulary_
    out: list[str] = []
    key = strip_sector_suffix("".join(HAN.findall(sector)))
    for part in (p for p in CONNECTORS.split(key) if p):
        tokens = [t for t in model.tokenizer_(part) if t.strip()]
        if not tokens or "".join(tokens) != part or any(t not in vocab for t in tokens):
            return None
        out.extend(tokens)
    return list(dict.fromkeys(out)) or None


def filter_mask(entities, profile: InvestorProfile, gaz, within=None) -> np.ndarray | None:
    """Which places the profile's regions, levels and exclusions allow.

    Parameters
    ----------
    entities : DataFrame or StoredFrame
        The model's ``entities_`` (``entity_id``, ``level``, ``ancestors``), as built or as
        stored (see :func:`recommender.model.stored.stored_table`).
    profile : InvestorProfile
    gaz : Gazetteer
        Resolves region names to ids.
    within : callable, optional
        ``within(region_id)`` gives the columns of the places that are the region or lie
        inside it (:meth:`~recommender.model.runtime.RuntimeTables.places_within`); by
        default each place's ancestors are read.

    Returns
    -------
    ndarray of bool or None
        One flag per place; None when the profile filters nothing.

    Examples
    --------
    >>> import pandas as pd
    >>> ents = pd.DataFrame({"entity_id": ["430200", "430281"], "level": ["city", "district"],
    ...                      "ancestors": [("430000",), ("430000", "430200")]})
    >>> filter_mask(ents, InvestorProfile(text="陶瓷", levels=("district",)), None).tolist()
    [False, True]
    """
    if not (profile.regions or profile.levels or profile.exclude):
        return None
    n = len(entities)
    ids = column_list(entities, "entity_id")
    mask = np.ones(n, dtype=bool)
    if profile.levels:
        levels = set(profile.levels)
        mask &= np.fromiter((v in levels for v in column_list(entities, "level")), dtype=bool, count=n)
    if profile.regions:
        regions = {gaz.resolve_region(r) for r in profile.regions}
        if within is not None:
            inside = np.zeros(n, dtype=bool)
            for region in regions:
                inside[within(region)] = True
        else:
            inside = np.asarray([bool(regions & ({eid} | set(anc)))
                                 for eid, anc in zip(ids, column_list(entities, "ancestors"))], dtype=bool)
        mask &= inside
    if profile.exclude:
        excluded = {gaz.resolve_region(name) for name in profile.exclude}
        mask &= ~np.fromiter((v in excluded for v in ids), dtype=bool, count=n)
    return mask

def query_vectors(model, prepared: Sequence[PreparedProfile]):
    """Query matrices: weighted TF-IDF ``Q``, tags ``Tq``, exact tags ``Te``, and the
    profiles' distinguishing content ``Qs`` (IDF of each specific own term) with the
    mass of content no passage can cover (``missing``).

    Parameters
    ----------
    model : Recommender
        A fitted model.
    prepared : sequence of PreparedProfile

    Returns
    -------
    Q : csr_matrix, shape (n_profiles, n_terms)
    Tq, Te : csr_matrix, shape (n_profiles, n_tags)
    Qs : csr_matrix, shape (n_profiles, n_terms)
    N : csr_matrix, shape (n_profiles, n_tags)
        1 for each tag reached only through a product word (``product_codes``).
    missing_mass : ndarray, shape (n_profiles,)
    PH : csr_matrix, shape (n_profiles, n_units)
        From :func:`phrase_hits`.

    Examples
    --------
    >>> from recommender import Recommender, load_sample_corpus
    >>> model = Recommender().fit(load_sample_corpus())
    >>> Q, Tq, Te, Qs, N, missing_mass, PH = query_vectors(model, [model.prepare("日用陶瓷")])
    >>> Q.shape == (1, len(model.feature_names_)), PH.shape[1] == model.X_.shape[0]
    (True, True)
    """
    rt = model._runtime()
    n, V = len(prepared), len(model.feature_names_)
    idf = rt.idf
    rows, cols, vals = [], [], []
    srows, scols, svals = [], [], []
    for i, p in enumerate(prepared):
        for t in p.own_terms:
            j = model.vectorizer_.vocabulary_.get(t.term)
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
    if model.expansion_weight > 0:
        missing = list(dict.fromkeys(p.expand_codes for p in prepared if not rt.has_expansion(p.expand_codes)))
        if missing:
            # the expansion text of a combination is its sectors' texts joined by spaces: its
            # counts are the sum of theirs, counted once per sector
            X_exp = model.vectorizer_.weigh_counts([sum_counts(rt.expansion_counts(c) for c in codes)
                                                    for codes in missing])
            for k, codes in enumerate(missing):
                rt.store_expansion(codes, X_exp[k])
        Qx = sp.vstack([rt.expansion(p.expand_codes) for p in prepared]).tocsr()
        Q = own + model.expansion_weight * Qx
    else:
        Q = own
    # generic words (used by most reports) support a match but weigh less
    Q = feat.l2_normalize_rows(sp.csr_matrix(Q.multiply(rt.term_weight[None, :])))
    Qs = sp.csr_matrix((np.asarray(svals, dtype=np.float32), (srows, scols)), shape=(n, V))
    Qs.sum_duplicates()
    tax = model.taxonomy_
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
    prow = [i for i, p in enumerate(prepared) for _ in p.product_codes]
    pcol = [tax.index(c) for p in prepared for c in p.product_codes]
    N = sp.csr_matrix((np.ones(len(prow), dtype=np.float32), (prow, pcol)), shape=(n, len(tax.codes)))
    missing_mass = np.asarray([p.missing_mass for p in prepared], dtype=np.float64)
    PH = phrase_hits(model, prepared)
    return sp.csr_matrix(Q, dtype=np.float32), Tq, Te, Qs, N, missing_mass, PH


def sum_counts(counters) -> Counter:
    """Column counts added up (what the texts they count, joined by spaces, would count)."""
    total: Counter = Counter()
    for counter in counters:
        total.update(counter)
    return total


def phrase_hits(model, prepared: Sequence[PreparedProfile]) -> sp.csr_matrix:
    """``(n_profiles, n_units)`` content mass of the profile's compounds written out in each unit.

    Only units holding a specific part of the compound are read (their posting lists;
    the rarest part's when no part is specific), so the check stays small whatever the
    corpus size, and such a unit counts wherever its passage writes the compound out,
    however the tokenizer cut it there.

    Parameters
    ----------
    model : Recommender
        A fitted model.
    prepared : sequence of PreparedProfile

    Returns
    -------
    csr_matrix, shape (n_profiles, n_units)
    """
    rt = model._runtime()
    rows, cols, vals = [], [], []
    for i, p in enumerate(prepared):
        for text, parts, mass in p.phrases:
            for u in rt.units_writing(text, parts):
                rows.append(i)
                cols.append(u)
                vals.append(mass)
    return sp.csr_matrix((np.asarray(vals, dtype=np.float32), (rows, cols)),
                         shape=(len(prepared), rt.Xbin_T.shape[1]))
