"""Command-line interface: ``recommender fit | recommend | score | evaluate | inspect``.

The CLI holds no business logic: it parses arguments, calls the library, and turns the
library's errors into one line on stderr with exit status 2 (bad usage or input) or 1
(anything else; rerun with ``--verbose`` for the traceback).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

from recommender.exceptions import ModelError, RecommenderError

logger = logging.getLogger("recommender")

DEFAULT_MODEL = Path("models") / "recommender.joblib"


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, no usage dump
        raise _UsageError(f"{message} (see '{self.prog} --help')")


def _default_model_path(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    env = os.environ.get("RECOMMENDER_MODEL")
    return Path(env) if env else DEFAULT_MODEL


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="recommender", description="Rank parks and districts for an investor's sectors, "
                "with cited evidence from Chinese government reports.")
    p.add_argument("--verbose", "-v", action="store_true", help="log progress and show tracebacks")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    f = sub.add_parser("fit", help="fit a model on report files (none = the bundled sample)")
    f.add_argument("paths", nargs="*", help="files or directories of reports")
    f.add_argument("--model", help="where to save the model (default: $RECOMMENDER_MODEL or models/recommender.joblib)")
    f.add_argument("--text-column", help="text column of table inputs")
    f.add_argument("--region-column", help="region column of table inputs")
    f.add_argument("--backend", choices=["jieba", "rjieba"], default="jieba", help="tokenizer backend")
    f.add_argument("--n-jobs", type=int, default=1, help="processes for tokenization")

    r = sub.add_parser("recommend", help="rank places for one profile")
    r.add_argument("text", nargs="?", default="", help="free description of the investor")
    r.add_argument("--sector", action="append", default=[], help="industry tag (repeatable)")
    r.add_argument("--region", action="append", default=[], help="keep places inside this region (repeatable)")
    r.add_argument("--level", action="append", default=[], help="keep this level: province, city, district, park, town")
    r.add_argument("--exclude", action="append", default=[], help="leave this place out (repeatable)")
    r.add_argument("--top-k", type=int, default=5)
    r.add_argument("--evidence-k", type=int, default=3)
    r.add_argument("--format", choices=["table", "json", "csv"], default="table")
    r.add_argument("--model", help="model file (default: $RECOMMENDER_MODEL or models/recommender.joblib)")

    s = sub.add_parser("score", help="score a table of profiles (CSV, JSONL or Parquet)")
    s.add_argument("profiles", help="profiles file: .csv, .jsonl or .parquet")
    s.add_argument("--out", required=True, help="results file: .jsonl, .csv or .parquet")
    s.add_argument("--top-k", type=int, default=10)
    s.add_argument("--evidence-k", type=int, default=2)
    s.add_argument("--n-jobs", type=int, default=1)
    s.add_argument("--backend", choices=["loky", "dask"], default="loky")
    s.add_argument("--scheduler", help="address of a running dask.distributed scheduler")
    s.add_argument("--chunk-size", type=int, default=512)
    s.add_argument("--quiet", action="store_true", help="no progress bar")
    s.add_argument("--model")

    e = sub.add_parser("evaluate", help="metrics of the ranking against graded judgements")
    e.add_argument("benchmark_dir")
    e.add_argument("--model")
    e.add_argument("--format", choices=["table", "json"], default="table")
    e.add_argument("--corpus", nargs="*", help="fit on these files for the evaluation (default: the model's corpus)")

    i = sub.add_parser("inspect", help="list entities, sectors or the corpus")
    i.add_argument("what", nargs="?", choices=["entities", "sectors", "corpus"], default="corpus")
    i.add_argument("--format", choices=["table", "json"], default="table")
    i.add_argument("--model")
    return p


# ------------------------------------------------------------------------- model I/O
def _load_or_fit(model_arg: str | None):
    """Load the model; with no explicit model and no cache, fit on the bundled sample."""
    from recommender.model.recommender import Recommender

    path = _default_model_path(model_arg)
    explicit = bool(model_arg or os.environ.get("RECOMMENDER_MODEL"))
    if path.exists():
        from recommender.model.persistence import code_fingerprint, read_manifest

        try:
            stale = read_manifest(path).get("code_fingerprint") != code_fingerprint()
            if stale and explicit:
                print(f"recommender: warning: {path} was fitted by a different build of the library; "
                      "refit with 'recommender fit' if results look off", file=sys.stderr)
            if not stale or explicit:
                return Recommender.load(path)
            print(f"recommender: cached model {path} was fitted by a different build; refitting", file=sys.stderr)
        except ModelError as exc:
            if explicit:
                raise
            print(f"recommender: cached model unusable ({exc}); refitting", file=sys.stderr)
    elif explicit and model_arg:
        raise ModelError(f"no model file at {path}: run 'recommender fit --model {path}' first")
    from recommender.datasets import load_sample_corpus

    if not path.exists():
        print(f"recommender: no model at {path}; fitting on the bundled Hunan sample corpus and caching it there",
              file=sys.stderr)
    start = time.perf_counter()
    model = Recommender().fit(load_sample_corpus())
    try:
        model.save(path)
    except OSError as exc:
        print(f"recommender: could not cache the model at {path} ({exc}); continuing", file=sys.stderr)
    print(f"recommender: model ready in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return model


# ------------------------------------------------------------------------- commands
def _cmd_fit(args) -> int:
    from recommender.corpus import load_corpus
    from recommender.datasets import load_sample_corpus, sample_corpus_paths
    from recommender.model.recommender import Recommender

    if args.paths:
        corpus = load_corpus(args.paths, text_column=args.text_column, region_column=args.region_column)
    else:
        corpus = load_sample_corpus()
        print(f"recommender: fitting on the bundled sample ({len(sample_corpus_paths())} pages)", file=sys.stderr)
    model = Recommender(tokenizer_backend=args.backend, n_jobs=args.n_jobs).fit(corpus)
    path = _default_model_path(args.model)
    model.save(path)
    print(str(corpus.report))
    print(f"saved model to {path} ({len(model.passages_)} passages, {len(model.entity_ids_)} places, "
          f"{model.vocabulary_size_} terms)")
    return 0


def _cmd_recommend(args) -> int:
    from recommender.profiles import InvestorProfile

    profile = InvestorProfile(sectors=args.sector, text=args.text, regions=args.region,
                              levels=args.level, exclude=args.exclude)
    model = _load_or_fit(args.model)
    result = model.recommend(profile, top_k=args.top_k, evidence_k=args.evidence_k)
    for w in result.warnings:
        print(f"recommender: warning: {w}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "csv":
        from recommender.io import frame_to_csv_text

        sys.stdout.write(frame_to_csv_text(result.to_frame()))
    else:
        print(format_table(result))
    return 0


def format_table(result) -> str:
    """Render a result as a human-readable table (rank, place, path, score, evidence)."""
    if not result.matches:
        return "no place has evidence for this profile"
    lines = []
    head = f"{'#':>2}  {'place':<14}{'level':<9}{'score':>6} {'text':>5} {'tag':>5}  path"
    lines.append(head)
    lines.append("-" * 72)
    for m in result.matches:
        path = " > ".join(m.path)
        lines.append(f"{m.rank:>2}  {_pad(m.name, 14)}{m.level:<9}{m.score:>6.2f} {m.text_score:>5.2f} "
                     f"{m.tag_score:>5.2f}  {path}")
        if m.matched_sectors:
            lines.append(f"    sectors: {', '.join(m.matched_sectors)}")
        if m.evidence:
            ev = m.evidence[0]
            snippet = " ".join(ev.text.split())
            if len(snippet) > 90:
                snippet = snippet[:90] + "…"
            where = f"{Path(ev.source).name}" + (f" row {ev.row}" if ev.row is not None else "")
            lines.append(f"    「{snippet}」")
            lines.append(f"    — {ev.title} ({ev.date or 'undated'}), {where} [{ev.start}:{ev.end}]")
    if result.weak_evidence:
        lines.append("")
        lines.append("note: weak evidence — the corpus says little about this profile; treat the ranking with care")
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    import unicodedata

    w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - w)


def _cmd_score(args) -> int:
    from recommender.batch import score_file

    model = _load_or_fit(args.model)
    summary = score_file(model, args.profiles, args.out, top_k=args.top_k, evidence_k=args.evidence_k,
                         n_jobs=args.n_jobs, backend=args.backend, scheduler=args.scheduler,
                         chunk_size=args.chunk_size, progress=not args.quiet)
    print(summary, file=sys.stderr)
    return 0


def _cmd_evaluate(args) -> int:
    from recommender.evaluation.run import evaluate_benchmark, format_report

    model = _load_or_fit(args.model) if not args.corpus else None
    report = evaluate_benchmark(args.benchmark_dir, model=model, corpus_paths=args.corpus)
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    return 0


def _cmd_inspect(args) -> int:
    from recommender.inspect import inspect_command

    model = _load_or_fit(args.model) if args.what == "corpus" or args.model else None
    print(inspect_command(args.what, args.format, model=model))
    return 0


_COMMANDS = {"fit": _cmd_fit, "recommend": _cmd_recommend, "score": _cmd_score,
             "evaluate": _cmd_evaluate, "inspect": _cmd_inspect}


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (0 ok, 2 bad usage or input, 1 other errors)."""
    parser = _build_parser()
    verbose = "--verbose" in (argv if argv is not None else sys.argv[1:]) or "-v" in (argv or sys.argv[1:])
    try:
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help(sys.stderr)
            return 2
        logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                            format="recommender: %(levelname)s: %(message)s")
        logging.getLogger("jieba").setLevel(logging.ERROR)
        return _COMMANDS[args.command](args)
    except _UsageError as exc:
        print(f"recommender: error: {exc}", file=sys.stderr)
        return 2
    except (RecommenderError, FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        if verbose:
            logger.exception("failed")
        msg = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        print(f"recommender: error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("recommender: interrupted", file=sys.stderr)
        return 130
    except ImportError as exc:
        print(f"recommender: error: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - last resort: one line, exit 1
        if verbose:
            import traceback

            traceback.print_exc()
        print(f"recommender: internal error: {exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
              " (rerun with --verbose for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
