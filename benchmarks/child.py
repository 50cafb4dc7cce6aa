"""Work that the benchmark runs in a fresh interpreter, so that each figure includes the
interpreter start, imports and dictionary loading, and memory is measured per process.

Usage (driven by :mod:`run`)::

    python benchmarks/child.py fit FILES.txt OUT.json [--backend jieba] [--n-jobs 1] [--save MODEL]
                                                      [--region-column region]
    python benchmarks/child.py jieba FILES.txt OUT.json
    python benchmarks/child.py batch MODEL OUT.json --profiles PROFILES.jsonl [--n-jobs 1]

``jieba`` cuts each page file whole, and each row's ``text`` of a ``.jsonl`` table (read a
line at a time: the same texts a fit reads from such a table).

``FILES.txt`` lists the input files, one a line. ``OUT.json`` receives timestamps taken
with :func:`time.monotonic` (a system-wide clock on Linux, so the parent can subtract
its own spawn time) and in-process durations.
"""

from __future__ import annotations

import json
import sys
import time

T0 = time.monotonic()


def _own_peak_mb() -> float | None:
    """This process's own peak resident memory in MB (``VmHWM``, Linux), or None.

    ``ru_maxrss`` of a process started by fork and exec keeps the peak of the forked copy
    of its parent before the exec, so a child of a parent holding a large index would
    report the parent's memory; ``VmHWM`` belongs to the process's own memory map.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def _fit(files, out, backend, n_jobs, save, region_column=None):
    import logging

    logging.disable(logging.WARNING)
    from recommender import Recommender
    from recommender.corpus import load_corpus

    t_imported = time.monotonic()
    corpus = load_corpus(files, region_column=region_column)
    t_loaded = time.monotonic()
    rec = Recommender(tokenizer_backend=backend, n_jobs=n_jobs).fit(corpus)
    t_end = time.monotonic()
    info = {
        "t_start": T0, "t_imported": t_imported, "t_loaded": t_loaded, "t_end": t_end,
        "load_s": t_loaded - t_imported, "fit_s": t_end - t_loaded, "work_s": t_end - t_imported,
        "n_characters": int(corpus.report.n_characters), "n_passages": int(len(corpus.passages)),
        "n_body": int(len(rec.passages_)), "n_units": int(rec.X_.shape[0]),
        "n_terms": int(rec.X_.shape[1]), "n_places": int(len(rec.entity_ids_)),
    }
    del corpus  # as the CLI does before saving
    if save:
        rec.save(save)
        info["save_s"] = time.monotonic() - t_end
    info["own_peak_mb"] = _own_peak_mb()
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(info, fh)


def _jieba(files, out):
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    t_imported = time.monotonic()
    tok = jieba.Tokenizer()
    tok.initialize()
    t_ready = time.monotonic()
    n_tokens = 0
    n_chars = 0
    for text in _texts(files):
        n_chars += len(text)
        for _ in tok.cut(text):
            n_tokens += 1
    t_end = time.monotonic()
    info = {"t_start": T0, "t_imported": t_imported, "t_ready": t_ready, "t_end": t_end,
            "dict_s": t_ready - t_imported, "cut_s": t_end - t_ready, "work_s": t_end - t_imported,
            "n_characters": n_chars, "n_tokens": n_tokens}
    info["own_peak_mb"] = _own_peak_mb()
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(info, fh)


def _texts(files):
    """The texts of page files (whole) and of ``.jsonl`` tables (each row's ``text``), streamed."""
    for path in files:
        if path.endswith(".jsonl"):
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        try:
                            text = json.loads(line).get("text")
                        except (ValueError, AttributeError):
                            continue
                        if isinstance(text, str):
                            yield text
            continue
        with open(path, "rb") as fh:
            raw = fh.read()
        try:
            yield raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            yield raw.decode("gb18030")


def _batch(model, out, profiles_path, n_jobs):
    import logging

    logging.disable(logging.WARNING)
    import pandas as pd

    from recommender import Recommender

    t_imported = time.monotonic()
    rec = Recommender.load(model)
    profiles = pd.read_json(profiles_path, lines=True, dtype=False)
    t_loaded = time.monotonic()
    result = rec.score_batch(profiles, top_k=10, evidence_k=2, n_jobs=n_jobs)
    t_end = time.monotonic()
    info = {"t_start": T0, "t_imported": t_imported, "t_loaded": t_loaded, "t_end": t_end,
            "load_s": t_loaded - t_imported, "score_s": t_end - t_loaded, "n_profiles": int(len(profiles)),
            "errors": int(result["error"].notna().sum())}
    info["own_peak_mb"] = _own_peak_mb()
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(info, fh)


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task", choices=["fit", "jieba", "batch"])
    parser.add_argument("files", help="the list of input files (fit, jieba) or the model (batch)")
    parser.add_argument("out")
    parser.add_argument("--backend", default="jieba")
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--save", default=None)
    parser.add_argument("--region-column", default=None)
    parser.add_argument("--profiles", default=None)
    args = parser.parse_args(argv)
    if args.task == "batch":
        _batch(args.files, args.out, args.profiles, args.n_jobs)
        return 0
    with open(args.files, encoding="utf-8") as fh:
        files = [line.rstrip("\n") for line in fh if line.strip()]
    if args.task == "fit":
        _fit(files, args.out, args.backend, args.n_jobs, args.save, args.region_column)
    else:
        _jieba(files, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
