"""The :class:`Corpus` (documents, verbatim passages, decoded texts) and :func:`load_corpus`."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from recommender.corpus.load import DecodeError, find_input_files, iter_sources, read_page, read_table
from recommender.corpus.pages import PageDocument, parse_date, split_page, split_table_text
from recommender.corpus.segment import MAX_LEN, MIN_LEN, segment_blocks
from recommender.exceptions import CorpusError, TableSchemaError
from recommender.text.normalize import normalize_for_features

logger = logging.getLogger(__name__)

__all__ = ["Corpus", "CorpusReport", "load_corpus", "DOCUMENT_COLUMNS", "PASSAGE_COLUMNS"]

DOCUMENT_COLUMNS = [
    "doc_id", "source", "row", "start", "end", "title", "region_tag", "date", "doc_date", "kind", "truncated",
]
PASSAGE_COLUMNS = [
    "passage_id", "doc_id", "source", "row", "start", "end", "text", "heading", "role", "norm_text",
    "title", "date", "kind",
]
#: A table row longer than this is not one report (a scraping or export error): it is skipped and reported.
MAX_REPORT_CHARS = 1_000_000
#: Row problems listed one a line in the printed report (all are kept in ``row_problems``).
MAX_LISTED_PROBLEMS = 50
_HTML_MASK = re.compile(r"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->|<[^>]*>", re.S | re.I)


@dataclass
class CorpusReport:
    """What :func:`load_corpus` read, skipped and produced.

    Examples
    --------
    >>> r = CorpusReport(files_read=["a.txt"], files_skipped=[("b.txt", "empty")],
    ...                  n_documents=2, n_passages=5, n_characters=900)
    >>> print(r)
    corpus: 1 file read, 1 skipped, 2 documents, 5 passages, 900 characters
      skipped b.txt: empty
    """

    files_read: list[str] = field(default_factory=list)
    files_skipped: list[tuple[str, str]] = field(default_factory=list)
    n_documents: int = 0
    n_passages: int = 0
    n_characters: int = 0
    rows_skipped: int = 0
    duplicates_dropped: int = 0
    row_problems: list[tuple[str, str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        n = len(self.files_read)
        lines = [
            f"corpus: {n} file{'s' if n != 1 else ''} read, {len(self.files_skipped)} skipped, "
            f"{self.n_documents} documents, {self.n_passages} passages, {self.n_characters} characters"
        ]
        if self.rows_skipped:
            lines.append(f"  {self.rows_skipped} table rows skipped (empty text)")
        if self.duplicates_dropped:
            lines.append(f"  {self.duplicates_dropped} repeated passages dropped")
        lines.extend(f"  skipped {p}: {why}" for p, why in self.files_skipped)
        shown = self.row_problems[:MAX_LISTED_PROBLEMS]
        lines.extend(f"  {p} {where}: {why}" for p, where, why in shown)
        if len(self.row_problems) > len(shown):
            lines.append(f"  ... and {len(self.row_problems) - len(shown)} more row problems")
        return "\n".join(lines)


@dataclass
class Corpus:
    """Documents and verbatim passages of a set of reports.

    Parameters
    ----------
    documents : pandas.DataFrame
        One row per document (columns :data:`DOCUMENT_COLUMNS`).
    passages : pandas.DataFrame
        One row per passage (columns :data:`PASSAGE_COLUMNS`); for every row
        ``source_text(source, row)[start:end] == text``.
    texts : dict
        ``(source, row) -> decoded text`` (``row`` is -1 for page files).
    report : CorpusReport
        Files read and skipped, counts.

    Examples
    --------
    >>> from recommender.datasets import load_sample_corpus
    >>> c = load_sample_corpus()
    >>> p = c.passages.iloc[0]
    >>> c.source_text(p.source, p.row)[p.start:p.end] == p.text
    True
    >>> len(c) == len(c.passages)
    True
    """

    documents: pd.DataFrame
    passages: pd.DataFrame
    texts: dict = field(default_factory=dict)
    report: CorpusReport = field(default_factory=CorpusReport)

    def __len__(self) -> int:
        return len(self.passages)

    def source_text(self, source, row: int = -1) -> str:
        """Return the decoded text that passage offsets of ``(source, row)`` index.

        Raises
        ------
        KeyError
            When the corpus holds no such source.
        """
        key = (str(source), int(row))
        if key not in self.texts:
            raise KeyError(f"no text for source {str(source)!r} row {row} in this corpus")
        return self.texts[key]

    def summary(self) -> str:
        """A short human-readable multi-line summary (the report plus kinds).

        Examples
        --------
        >>> from recommender.datasets import load_sample_corpus
        >>> load_sample_corpus().summary().splitlines()[0].startswith("corpus: 5 files read")
        True
        """
        kinds = self.documents["kind"].value_counts().sort_index() if len(self.documents) else {}
        extra = ", ".join(f"{k}: {v}" for k, v in dict(kinds).items())
        return str(self.report) + (f"\n  kinds: {extra}" if extra else "")

    def __repr__(self) -> str:
        return f"Corpus({self.report.n_documents} documents, {self.report.n_passages} passages)"


def _mask_html(text: str) -> str:
    """Same-length copy of ``text`` whose tags are replaced by line breaks."""
    return _HTML_MASK.sub(lambda m: "\n" * len(m.group(0)), text)


class _Builder:
    def __init__(self, max_len: int, min_len: int):
        self.max_len, self.min_len = max_len, min_len
        self.docs: list[dict] = []
        # passages column by column: a dict per passage costs more than its text
        self.passages: dict[str, list] = {c: [] for c in PASSAGE_COLUMNS}
        self.n_passages = 0
        self.texts: dict = {}
        self.seen: set[str] = set()
        self.dropped = 0

    def add(self, source: str, row: int, text: str, view: str, doc: PageDocument, *,
            region_tag: str | None = None, date: str | None = None) -> None:
        doc_id = len(self.docs)
        d = {
            "doc_id": doc_id, "source": source, "row": row, "start": doc.start, "end": doc.end,
            "title": doc.title, "region_tag": doc.region_tag if region_tag is None else region_tag,
            "date": doc.date if date is None else date, "doc_date": doc.doc_date, "kind": doc.kind,
            "truncated": bool(doc.truncated),
        }
        self.docs.append(d)
        self.texts[(source, row)] = text
        for seg in segment_blocks(view, doc.blocks, max_len=self.max_len, min_len=self.min_len):
            piece = text[seg.start:seg.end]
            norm = normalize_for_features(piece)
            if norm in self.seen:
                self.dropped += 1
                continue
            self.seen.add(norm)
            values = {
                "passage_id": self.n_passages, "doc_id": doc_id, "source": source, "row": row,
                "start": seg.start, "end": seg.end, "text": piece, "heading": seg.heading, "role": seg.role,
                "norm_text": norm, "title": d["title"], "date": d["date"], "kind": d["kind"],
            }
            for col, column in self.passages.items():
                column.append(values[col])
            self.n_passages += 1


def _frames(b: _Builder) -> tuple[pd.DataFrame, pd.DataFrame]:
    docs = pd.DataFrame(b.docs, columns=DOCUMENT_COLUMNS)
    # text columns stay Python strings (object columns): converting a national corpus to
    # Arrow strings costs a second copy of its text, and every selection of rows (the
    # model's body passages) would copy the text again instead of sharing it
    ints = {"passage_id", "doc_id", "row", "start", "end"}
    passages = pd.DataFrame({c: (b.passages[c] if c in ints else pd.Series(b.passages[c], dtype=object))
                             for c in PASSAGE_COLUMNS}, columns=PASSAGE_COLUMNS)
    b.passages = {}
    for df, ints in ((docs, ["doc_id", "row", "start", "end"]), (passages, ["passage_id", "doc_id", "row", "start", "end"])):
        for c in ints:
            df[c] = df[c].astype("int64")
    docs["truncated"] = docs["truncated"].astype(bool)
    return docs, passages


def load_corpus(
    paths,
    *,
    text_column: str | None = None,
    region_column: str | None = None,
    max_len: int = MAX_LEN,
    min_len: int = MIN_LEN,
    max_report_chars: int = MAX_REPORT_CHARS,
) -> Corpus:
    """Read pages and tables of reports into documents and verbatim passages.

    Parameters
    ----------
    paths : str, Path or iterable of them
        Files or directories (searched recursively, in sorted order, for ``.txt .md
        .html .htm .csv .jsonl .parquet``).
    text_column, region_column : str, optional
        Table columns to use instead of the defaults (``text/full_text/content/body``
        and ``region/province/city/district``). A named column that is missing raises.
    max_len, min_len : int
        Passage length bounds in characters (see :mod:`recommender.corpus.segment`).
    max_report_chars : int, default=1_000_000
        A table row with a longer text is skipped as not being one report.

    Table rows that cannot be used (a corrupt JSON line, a row without text, a text over
    ``max_report_chars``) are skipped and listed with their file and line in
    ``report.row_problems`` (a row with an empty region is fitted and listed too); the
    other rows of the file are read.

    Returns
    -------
    Corpus

    Raises
    ------
    CorpusError
        A path that does not exist, or nothing usable loaded.
    TableSchemaError
        ``text_column``/``region_column`` given and missing from a table.

    Examples
    --------
    >>> from recommender.datasets import sample_corpus_paths
    >>> c = load_corpus(sample_corpus_paths())
    >>> c.documents.groupby(c.documents.source.str.extract(r"(\\d{3})_")[0]).size().tolist()
    [10, 2, 10, 10, 1]
    """
    files = find_input_files(paths)
    report = CorpusReport()
    b = _Builder(max_len, min_len)

    def skip(path: str, reason: str) -> None:
        if reason.startswith(f"{path}: "):  # errors name their file; the report already does
            reason = reason[len(path) + 2:]
        logger.warning("skipping %s: %s", path, reason)
        report.files_skipped.append((path, reason))

    for path, kind in iter_sources(files):
        if kind == "unsupported":
            skip(path, f"unsupported file type {Path(path).suffix or '(none)'!r}")
            continue
        if kind == "page":
            try:
                text = read_page(path)
            except DecodeError as exc:
                skip(path, exc.reason)
                continue
            except OSError as exc:
                skip(path, f"unreadable ({exc.strerror or exc})")
                continue
            view = _mask_html(text) if Path(path).suffix.lower() in (".html", ".htm") else text
            docs = split_page(view)
            if not docs:
                skip(path, "no documents found")
                continue
            for doc in docs:
                b.add(path, -1, text, view, doc)
            report.files_read.append(path)
            continue
        try:
            table = read_table(path, text_column=text_column, region_column=region_column)
        except TableSchemaError as exc:
            if text_column is not None or region_column is not None:
                raise
            skip(path, str(exc))
            continue
        except DecodeError as exc:
            skip(path, exc.reason)
            continue
        except (ValueError, OSError) as exc:
            skip(path, f"unreadable table ({exc})")
            continue
        report.rows_skipped += table.n_empty
        report.row_problems.extend((path, where, why) for where, why in table.problems)
        if table.problems:
            logger.warning("%s: %d row problem(s), first %s: %s", path, len(table.problems), *table.problems[0])
        n_before = len(b.docs)
        for rec in table.rows:
            if len(rec["text"]) > max_report_chars:
                where = f"line {rec['line']}" if rec.get("line") else f"row {rec['row']}"
                report.row_problems.append((path, where, f"{len(rec['text']):,} characters, over the {max_report_chars:,} "
                                            "of one report; skipped (split it into its reports)"))
                logger.warning("%s %s: a %d-character text skipped", path, where, len(rec["text"]))
                report.rows_skipped += 1
                continue
            doc = split_table_text(rec["text"], rec["title"])
            if doc is None:
                report.rows_skipped += 1
                continue
            b.add(path, rec["row"], rec["text"], rec["text"], doc,
                  region_tag=rec["region"], date=parse_date(rec["date"]))
        if len(b.docs) == n_before:
            skip(path, "no rows with text")
            continue
        report.files_read.append(path)

    if not b.docs:
        why = "; ".join(f"{p}: {r}" for p, r in report.files_skipped) or "no supported files"
        raise CorpusError(f"no usable documents in the corpus ({why})")
    docs, passages = _frames(b)
    report.n_documents = len(docs)
    report.n_passages = len(passages)
    report.n_characters = sum(len(t) for t in b.texts.values())
    report.duplicates_dropped = b.dropped
    logger.info("loaded corpus: %d documents, %d passages", report.n_documents, report.n_passages)
    return Corpus(documents=docs, passages=passages, texts=b.texts, report=report)
