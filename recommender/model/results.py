"""Typed, frozen results: :class:`Evidence`, :class:`Match` and :class:`RecommendationResult`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["Evidence", "Match", "RecommendationResult"]


@dataclass(frozen=True)
class Evidence:
    """A verbatim passage cited for a match.

    ``text == decoded_source_text[start:end]`` where the decoded text is the whole file
    (page sources, ``row is None``) or the text field of data row ``row`` (table sources).
    ``kind`` is ``"passage"`` (a report passage) or ``"catalogue"`` (a zone's 主导产业 cell
    in the bundled development-zone catalogue: ``row`` is its data row and the span
    indexes the whole file, ``open(source, encoding="utf-8").read()[start:end] == text``).

    Examples
    --------
    >>> e = Evidence(text="陶瓷", source="a.txt", start=3, end=5, title="t", date="", score=0.5)
    >>> e.to_dict()["end"]
    5
    """

    text: str
    source: str
    start: int
    end: int
    title: str
    date: str
    score: float
    row: int | None = None
    terms: tuple[str, ...] = ()
    kind: str = "passage"

    def to_dict(self) -> dict[str, Any]:
        """Return the contract's evidence record (``row`` only for table and catalogue sources)."""
        out = {"text": self.text, "source": self.source, "start": self.start, "end": self.end,
               "title": self.title, "date": self.date, "score": self.score}
        if self.row is not None:
            out["row"] = self.row
        out["terms"] = list(self.terms)
        out["kind"] = self.kind
        return out


@dataclass(frozen=True)
class Match:
    """One ranked place with its score, the parts of the score, and its evidence."""

    rank: int
    entity_id: str
    name: str
    level: str
    parent: str
    path: tuple[str, ...]
    score: float
    text_score: float
    tag_score: float
    matched_sectors: tuple[str, ...] = ()
    matched_terms: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the contract's match record."""
        return {
            "rank": self.rank, "entity_id": self.entity_id, "name": self.name, "level": self.level,
            "parent": self.parent, "path": list(self.path), "score": self.score,
            "text_score": self.text_score, "tag_score": self.tag_score,
            "matched_sectors": list(self.matched_sectors), "matched_terms": list(self.matched_terms),
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class RecommendationResult:
    """The ranked matches for one profile.

    Attributes
    ----------
    profile_id : str or None
        The profile's id, echoed back.
    matches : tuple of Match
        Best first.
    weak_evidence : bool
        True when even the best match scores below the model's ``weak_threshold``: the
        corpus holds little or no evidence for what was asked.
    warnings : tuple of str
        Non-fatal problems (for example sectors that could not be resolved).
    error : str or None
        Set only in batch results, for a profile that could not be scored.
    """

    profile_id: str | None
    matches: tuple[Match, ...] = ()
    weak_evidence: bool = False
    warnings: tuple[str, ...] = ()
    error: str | None = None
    resolved_sectors: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Return the contract's result record (one JSON object)."""
        return {
            "profile_id": self.profile_id, "error": self.error,
            "weak_evidence": self.weak_evidence, "warnings": list(self.warnings),
            "resolved_sectors": list(self.resolved_sectors),
            "matches": [m.to_dict() for m in self.matches],
        }

    def to_frame(self) -> pd.DataFrame:
        """Return one row per match with the first evidence passage flattened.

        Examples
        --------
        >>> RecommendationResult(profile_id="p1").to_frame().columns[:3].tolist()
        ['profile_id', 'rank', 'entity_id']
        """
        rows = [_flat_row(self.profile_id, m, self.error) for m in self.matches]
        if not rows and self.error is not None:
            rows = [_flat_row(self.profile_id, None, self.error)]
        return pd.DataFrame(rows, columns=FLAT_COLUMNS)

    def __len__(self) -> int:
        return len(self.matches)

    def __iter__(self):
        return iter(self.matches)

    def __getitem__(self, i):
        return self.matches[i]


FLAT_COLUMNS = [
    "profile_id", "rank", "entity_id", "name", "level", "parent", "path", "score", "text_score",
    "tag_score", "matched_sectors", "matched_terms", "evidence_text", "evidence_source",
    "evidence_row", "evidence_start", "evidence_end", "evidence_title", "evidence_date",
    "evidence_score", "error",
]


def _flat_row(profile_id, match: Match | None, error: str | None) -> dict[str, Any]:
    row = dict.fromkeys(FLAT_COLUMNS)
    row["profile_id"] = profile_id
    row["error"] = error
    if match is None:
        return row
    row.update(rank=match.rank, entity_id=match.entity_id, name=match.name, level=match.level,
               parent=match.parent, path="/".join(match.path), score=match.score,
               text_score=match.text_score, tag_score=match.tag_score,
               matched_sectors=";".join(match.matched_sectors),
               matched_terms=";".join(match.matched_terms))
    if match.evidence:
        ev = match.evidence[0]
        row.update(evidence_text=ev.text, evidence_source=ev.source, evidence_row=ev.row,
                   evidence_start=ev.start, evidence_end=ev.end, evidence_title=ev.title,
                   evidence_date=ev.date, evidence_score=ev.score)
    return row


