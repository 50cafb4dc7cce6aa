"""Web-page furniture rules, read from the bundled table ``corpus/data/page_furniture.csv``.

Each row of the table is one rule: ``rule`` says what a matching line does (``cut``: the
page's content ends there; ``tail``: a table row's document ends there; ``furniture``: the
line is dropped), ``match`` how the ``pattern`` is compared with a stripped line
(``exact``, ``prefix`` or ``regex``), and ``note`` why it is there.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from importlib import resources

from recommender.exceptions import InputError

__all__ = ["FurnitureRules", "furniture_rules"]

RULES = ("cut", "tail", "furniture")
MATCHES = ("exact", "prefix", "regex")


@dataclass(frozen=True)
class FurnitureRules:
    """The furniture table as ``(rule, match, pattern)`` rows, with lookups per rule.

    Examples
    --------
    >>> rules = FurnitureRules((("cut", "prefix", "相关链接"), ("furniture", "exact", "打印")))
    >>> rules.prefixes("cut"), sorted(rules.exact("furniture"))
    (('相关链接',), ['打印'])
    """

    rows: tuple[tuple[str, str, str], ...]

    def __post_init__(self):
        for rule, match, pattern in self.rows:
            if rule not in RULES or match not in MATCHES or not pattern:
                raise InputError(f"bad page-furniture rule {(rule, match, pattern)!r}: "
                                 f"rule must be one of {RULES}, match one of {MATCHES}, pattern non-empty")

    def exact(self, rule: str) -> frozenset[str]:
        """Lines that match ``rule`` when equal to one of these."""
        return frozenset(p for r, m, p in self.rows if r == rule and m == "exact")

    def prefixes(self, rule: str) -> tuple[str, ...]:
        """Lines that match ``rule`` when they start with one of these (for ``str.startswith``)."""
        return tuple(p for r, m, p in self.rows if r == rule and m == "prefix")

    def patterns(self, rule: str) -> tuple[re.Pattern, ...]:
        """Compiled regular expressions of ``rule``, in table order."""
        return tuple(re.compile(p) for r, m, p in self.rows if r == rule and m == "regex")


@functools.lru_cache(maxsize=1)
def furniture_rules() -> FurnitureRules:
    """Return the bundled furniture rules (read once).

    Examples
    --------
    >>> "打印本页" in furniture_rules().prefixes("tail")
    True
    """
    text = resources.files("recommender.corpus").joinpath("data", "page_furniture.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return FurnitureRules(tuple((row["rule"], row["match"], row["pattern"]) for row in rows))
