"""Typed, frozen results: :class:`Evidence`, :class:`Match` and :class:`RecommendationResult`."""

from __future__ import annotations

from dataclasses import dataclass, field
import json
from typing import Any

__all__ = ["Evidence", "Match", "RecommendationResult", "ResolvedSector"]


@dataclass(frozen=True)
class ResolvedSector:
    """How one sector string of a profile was understood.

    ``route`` is ``code``, ``name``, ``alias``, ``english`` or ``compound`` (exact: the
    tags count as the investor's sectors), ``fuzzy`` (an approximate guess: the tags only
    support) or ``literal`` (no tag: the string is searched as text).

    Examples
    --------
    >>> ResolvedSector("陶瓷", ("MAT.CERAMIC",), ("陶瓷",), "name").to_dict()["route"]
    'name'
    """

    sector: str
    codes: tuple[str, ...]
    tags: tuple[str, ...]
    route: str

    def to_dict(self) -> dict[str, Any]:
        """Plain record for JSON output."""
        return {"sector": self.sector, "codes": list(self.codes), "tags": list(self.tags), "route": self.route}


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
    highlights: tuple[tuple[int, int], ...] = ()
    kind: str = "passage"

    def highlighted(self, width: int = 90) -> str:
        """The first highlighted sentence, with ``…`` where the passage or the sentence is cut.

        Falls back to the passage's opening when nothing is highlighted.

        Examples
        --------
        >>> e = Evidence(text="推进千个项目。IGBT产线投产。", source="a.txt", start=10, end=26, title="",
        ...              date="", score=0.5, highlights=((17, 26),))
        >>> e.highlighted()
        '…IGBT产线投产。'
        """
        if not self.highlights:
            snippet = " ".join(self.text.split())
            return snippet if len(snippet) <= width else snippet[:width] + "…"
        a, b = self.highlights[0]
        a, b = a - self.start, b - self.start
        sentence = " ".join(self.text[a:b].split())
        head = "…" if a > 0 else ""
        tail = "…" if b < len(self.text) else ""
        if len(sentence) > width:
            first = min((sentence.find(t) for t in self.terms if t in sentence), default=0)
            lo = max(0, min(first - width // 3, len(sentence) - width))
            head = "…" if lo > 0 or head else ""
            sentence = sentence[lo:lo + width]
            tail = "…"
        return head + sentence + tail

    def to_dict(self) -> dict[str, Any]:
        """Return the contract's evidence record (``row`` only for table and catalogue sources)."""
        out = {"text": self.text, "source": self.source, "start": self.start, "end": self.end,
               "title": self.title, "date": self.date, "score": self.score}
        if self.row is not None:
            out["row"] = self.row
        out["terms"] = list(self.terms)
        out["highlights"] = [[int(a), int(b)] for a, b in self.highlights]
        out["kind"] = self.kind
        return out


@dataclass(frozen=True)
class Match:
    """One ranked place with its score, the parts of the score, and its evidence.

    ``text_part + tag_part == score`` (up to rounding): the text and tag scores weighted by
    the profile's shares and scaled by the place's coverage and mention factors.
    """

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
    mention: str = "substantive"
    text_part: float | None = None
    tag_part: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the contract's match record."""
        return {
            "rank": self.rank, "entity_id": self.entity_id, "name": self.name, "level": self.level,
            "parent": self.parent, "path": list(self.path), "score": self.score,
            "text_score": self.text_score, "tag_score": self.tag_score,
            "matched_sectors": list(self.matched_sectors), "matched_terms": list(self.matched_terms),
            "mention": self.mention, "text_part": self.text_part, "tag_part": self.tag_part,
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
    resolved_sectors: tuple = field(default=())
    query_terms: tuple = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Return the contract's result record (one JSON object)."""
        return {
            "profile_id": self.profile_id, "error": self.error,
            "weak_evidence": self.weak_evidence, "warnings": list(self.warnings),
            "resolved_sectors": [_plain(s) for s in self.resolved_sectors],
            "query_terms": [_plain(t) for t in self.query_terms],
            "matches": [m.to_dict() for m in self.matches],
        }

    def to_frame(self) -> "pandas.DataFrame":
        """Return one row per match with the first evidence passage flattened.

        Examples
        --------
        >>> RecommendationResult(profile_id="p1").to_frame().columns[:3].tolist()
        ['profile_id', 'rank', 'entity_id']
        """
        rows = [_flat_row(self.profile_id, m, self.error) for m in self.matches]
        if not rows and self.error is not None:
            rows = [_flat_row(self.profile_id, None, self.error)]
        import pandas as pd

        return pd.DataFrame(rows, columns=FLAT_COLUMNS)

    def __len__(self) -> int:
        return len(self.matches)

    def __iter__(self):
        return iter(self.matches)

    def __getitem__(self, i):
        return self.matches[i]


def _plain(x):
    return x.to_dict() if hasattr(x, "to_dict") else x


FLAT_COLUMNS = [
    "profile_id", "rank", "entity_id", "name", "level", "parent", "path", "score", "text_score",
    "tag_score", "matched_sectors", "matched_terms", "evidence_text", "evidence_source",
    "evidence_row", "evidence_start", "evidence_end", "evidence_title", "evidence_date",
    "evidence_score", "evidence_highlights", "error",
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
                   evidence_date=ev.date, evidence_score=ev.score,
                   evidence_highlights=json.dumps([[int(a), int(b)] for a, b in ev.highlights]))
    return row


