"""Exceptions raised by :mod:`recommender`.

Every error a user can cause derives from :class:`RecommenderError` and says what
is wrong and how to fix it in one line. The CLI turns these into exit status 2.
"""

from __future__ import annotations

import difflib
from typing import Iterable, Sequence


def close_matches(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """Return up to ``n`` candidates that look like ``word``.

    Examples
    --------
    >>> close_matches("株洲", ["株洲市", "长沙市", "湘潭市"])
    ['株洲市']
    """
    pool = list(dict.fromkeys(candidates))
    found = difflib.get_close_matches(word, pool, n=n, cutoff=0.5)
    if len(found) < n:
        extra = [c for c in pool if word and (word in c or c in word) and c not in found]
        found.extend(extra[: n - len(found)])
    return found


def _hint(matches: Sequence[str]) -> str:
    return f" Did you mean: {', '.join(matches)}?" if matches else ""


class RecommenderError(Exception):
    """Base class of every error the library raises on purpose."""


class InputError(RecommenderError, ValueError):
    """Bad input from the caller (a profile, a parameter, a file)."""


class EmptyProfileError(InputError):
    """A profile with neither sectors nor text."""

    def __init__(self, profile_id: str | None = None):
        who = f"profile {profile_id!r}" if profile_id else "the profile"
        super().__init__(
            f"{who} is empty: give at least one sector (e.g. '轨道交通装备') or a text description"
        )


class UnknownSectorError(InputError):
    """No sector string of a profile could be resolved to a taxonomy tag."""

    def __init__(self, sectors: Sequence[str], suggestions: dict[str, list[str]] | None = None):
        suggestions = suggestions or {}
        parts = []
        for s in sectors:
            parts.append(f"{s!r}" + (f" (close: {', '.join(suggestions.get(s, []))})" if suggestions.get(s) else ""))
        super().__init__(
            "unknown sector " + "; ".join(parts)
            + ": use a code, Chinese name, alias or English name listed by 'recommender inspect sectors'"
        )
        self.sectors = list(sectors)
        self.suggestions = suggestions


class UnknownRegionError(InputError):
    """A region (or exclusion) that names no known place."""

    def __init__(self, region: str, matches: Sequence[str] = ()):
        super().__init__(
            f"unknown region {region!r}.{_hint(matches)} "
            "Use a place name or adcode listed by 'recommender inspect entities'"
        )
        self.region = region
        self.matches = list(matches)


class UnknownLevelError(InputError):
    """A level outside ``province, city, district, park, town``."""

    def __init__(self, level: str, valid: Sequence[str]):
        m = close_matches(level, valid)
        super().__init__(f"unknown level {level!r}.{_hint(m)} Valid levels: {', '.join(valid)}")
        self.level = level


class UnknownOptionError(InputError):
    """A strategy or option name that is not registered."""

    def __init__(self, kind: str, name: str, valid: Sequence[str]):
        super().__init__(f"unknown {kind} {name!r}; valid: {', '.join(valid)}")


class TableSchemaError(InputError):
    """A table lacks required columns or has a malformed row."""


class CorpusError(InputError):
    """A corpus path that does not exist or a corpus with no usable text."""


class DecodeError(InputError):
    """A file that cannot be read as text; ``reason`` is short (``binary``, ``empty`` …)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class GazetteerError(InputError):
    """The gazetteer tables are inconsistent (duplicate id, unknown parent, ...)."""


class UnknownEntityError(GazetteerError, KeyError):
    """An entity id that the gazetteer does not hold."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class ModelError(RecommenderError):
    """A model artifact that is missing, corrupt or from another version."""


class NotFittedError(RecommenderError, ValueError, AttributeError):
    """A method that needs a fitted model was called before ``fit``.

    Like scikit-learn's ``NotFittedError`` it is both a ``ValueError`` and an
    ``AttributeError``; it is not a subclass of it, so that a query process need not import
    scikit-learn. ``sklearn.utils.validation.check_is_fitted`` recognises a fitted
    :class:`~recommender.Recommender` through its ``__sklearn_is_fitted__``.
    """

    def __init__(self, what: str = "Recommender"):
        super().__init__(f"this {what} is not fitted yet: call fit(corpus) or Recommender.load(path) first")
