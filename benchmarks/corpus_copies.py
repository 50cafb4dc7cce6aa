"""Deterministic, perturbed copies of the bundled sample corpus at k× its size.

The corpus loader drops a passage whose normalised text it has already seen, so plain
copies would collapse back to 1×. Each copy ``i > 0`` of each sample page is therefore
perturbed, with a RNG seeded by ``(seed, i, file)``:

* on lines that lie entirely inside body passages of the original page (found with the
  library's own loader, so page chrome, titles, dates and footers stay untouched):
  sentences are shuffled, the clauses of each sentence are rotated, and statistics
  (a number followed by a unit such as 亿, 万, %, 家) get fresh digits;
* over the whole page, two pairs of Hunan prefecture names are swapped (株洲 ↔ 湘潭 …),
  so a copy reads as a report on other places.

Copy 0 is the original page, so the 1× corpus *is* the sample corpus.
"""

from __future__ import annotations

import random
import re
import zlib
from pathlib import Path

__all__ = ["body_lines", "perturb_page", "write_copies"]

_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]*")
_CLAUSE = re.compile(r"[^，,；;]+[，,；;]?")
_STAT = re.compile(r"\d+(?:\.\d+)?(?=\s?(?:亿|万|%|％|个|家|元|吨|项|亩|公里|平方|倍|人|台|辆|千|百))")
_CITIES = ["长沙", "株洲", "湘潭", "衡阳", "邵阳", "岳阳", "常德", "益阳", "郴州", "永州", "怀化", "娄底"]


def body_lines(path: Path, min_share: float = 0.8) -> set[int]:
    """Indices of the physical lines of ``path`` that are mostly passage text.

    A line qualifies when at least ``min_share`` of its characters lie inside passages
    of the original page (as the library's own loader cuts them) and at least one of
    those passages is body text, or when it repeats such a line word for word; page
    chrome, dates and footers are never passages.

    Examples
    --------
    >>> from recommender.datasets import sample_corpus_paths
    >>> len(body_lines(sample_corpus_paths()[0])) > 5
    True
    """
    from recommender.corpus import load_corpus

    corpus = load_corpus([path])
    text = corpus.source_text(str(path))
    ps = corpus.passages
    inside = bytearray(len(text) + 1)
    body = bytearray(len(text) + 1)
    for s, e, role in zip(ps["start"].astype(int), ps["end"].astype(int), ps["role"]):
        inside[s:e] = b"\x01" * (e - s)
        if role == "body":
            body[s:e] = b"\x01" * (e - s)
    out, pos = set(), 0
    lines = text.split("\n")
    for i, line in enumerate(lines):
        lo, hi = pos, pos + len(line)
        pos = hi + 1
        n = len(line.strip())
        if n < 20:
            continue
        if sum(inside[lo:hi]) >= min_share * n and any(body[lo:hi]):
            out.add(i)
    # a paragraph the page repeats (its copy was dropped as a duplicate) counts too
    chosen = {lines[i].strip() for i in out}
    out |= {i for i, line in enumerate(lines) if len(line.strip()) >= 20 and line.strip() in chosen}
    return out


def _perturb_line(line: str, rng: random.Random) -> str:
    indent = line[: len(line) - len(line.lstrip())]
    tail = line[len(line.rstrip()):]
    core = line.strip()
    sentences = _SENTENCE.findall(core)
    if "".join(sentences) != core:  # unusual punctuation: leave the order alone
        sentences = [core]
    out = []
    for s in sentences:
        clauses = _CLAUSE.findall(s)
        if len(clauses) >= 2 and "".join(clauses) == s:
            # rotate the clauses, keeping each clause's own punctuation; the sentence's
            # final mark stays at the end
            stop = s[-1] if s[-1] in "。！？!?" else ""
            body = s[: len(s) - len(stop)]
            clauses = _CLAUSE.findall(body)
            if len(clauses) >= 2:
                if clauses[-1][-1] not in "，,；;":
                    clauses[-1] += "，"
                k = rng.randrange(1, len(clauses))
                rotated = "".join(clauses[k:] + clauses[:k])
                s = rotated[:-1] + stop
        out.append(s)
    if len(out) >= 2:
        rng.shuffle(out)
    core = "".join(out)
    core = _STAT.sub(lambda m: _new_number(m.group(0), rng), core)
    return indent + core + tail


def _new_number(number: str, rng: random.Random) -> str:
    digits = [rng.choice("123456789")] + [rng.choice("0123456789") for _ in number[1:]]
    return "".join("." if c == "." else d for c, d in zip(number, digits))


def _swap_places(text: str, rng: random.Random) -> str:
    a, b, c, d = rng.sample(_CITIES, 4)
    table = {a: b, b: a, c: d, d: c}
    return re.sub("|".join(table), lambda m: table[m.group(0)], text)


def perturb_page(text: str, lines: set[int], seed: int) -> str:
    """Return a perturbed copy of a page's text (see the module docstring).

    Examples
    --------
    >>> page = "标题\\n株洲市推进陶瓷产业，新增企业12家，投资30亿元。醴陵市建设园区。\\n"
    >>> out = perturb_page(page, {1}, seed=3)
    >>> out.split("\\n")[0], len(out.split("\\n")) == 3
    ('标题', True)
    >>> out == perturb_page(page, {1}, seed=3)
    True
    """
    rng = random.Random(seed)
    parts = text.split("\n")
    for i in sorted(lines):
        if i < len(parts):
            parts[i] = _perturb_line(parts[i], rng)
    return _swap_places("\n".join(parts), rng)


def write_copies(paths, scale: int, out_dir: Path, seed: int = 0) -> list[Path]:
    """Write ``scale`` copies of each page under ``out_dir/copy_NNN/`` and return their paths.

    Examples
    --------
    >>> import tempfile
    >>> from recommender.datasets import sample_corpus_paths
    >>> with tempfile.TemporaryDirectory() as d:
    ...     files = write_copies(sample_corpus_paths()[:1], 2, Path(d))
    ...     [f.parent.name for f in files]
    ['copy_000', 'copy_001']
    """
    paths = [Path(p) for p in paths]
    out_dir = Path(out_dir)
    pages = []
    for p in paths:
        raw = p.read_bytes()
        text = raw.decode("utf-8-sig")
        pages.append((p, text, body_lines(p) if scale > 1 else set()))
    written = []
    for i in range(scale):
        d = out_dir / f"copy_{i:03d}"
        d.mkdir(parents=True, exist_ok=True)
        for p, text, lines in pages:
            target = d / p.name
            if i == 0:
                target.write_text(text, encoding="utf-8", newline="")
            else:
                s = zlib.crc32(f"{seed}:{i}:{p.name}".encode())
                target.write_text(perturb_page(text, lines, s), encoding="utf-8", newline="")
            written.append(target)
    return written
