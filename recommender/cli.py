"""Command-line interface: ``recommender fit | recommend | score | evaluate | inspect``.

The CLI holds no business logic: it parses arguments, calls the library, and turns the
library's errors into one line on stderr with exit status 2 (bad usage or input) or 1
(anything else; rerun with ``--verbose`` for the traceback).
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import sys
import time
from pathlib import Path

from recommender.exceptions import ModelError, RecommenderError

logger = logging.getLogger("recommender")

DEFAULT_MODEL = Path("models") / "recommender.model"


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
    f.add_argument("--model", help="where to save the model (default: $RECOMMENDER_MODEL or models/recommender.model)")
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
    r.add_argument("--model", help="model file (default: $RECOMMENDER_MODEL or models/recommender.model)")

    s = sub.add_parser("score", help="score a table of profiles (CSV, JSONL, Parquet or Excel)")
    s.add_argument("profiles", help="profiles file: .csv, .jsonl, .parquet or .xlsx (Chinese headers such as "
                   "企业名称, 所属行业, 企业简介, 意向区域 are understood)")
    s.add_argument("--out", required=True, help="results file: .jsonl, .csv (UTF-8 with BOM), .parquet or .xlsx")
    s.add_argument("--sheet", help="sheet of an .xlsx profiles file (default: the first)")
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


# ------------------------------------------------------------------ argument checks
#: Largest ``--top-k`` / ``--evidence-k`` accepted (the library's own bound).
MAX_K = 10_000


def _check_int(value: int, option: str, low: int, high: int | None = None) -> None:
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise _UsageError(f"{option} must be {bound}, got {value}")


def _check_n_jobs(value: int) -> None:
    if value == 0:
        raise _UsageError("--n-jobs must be a positive number of processes or -1 for all CPUs, got 0")


def _check_args(args) -> None:
    """Reject bad option values and missing input files before a model is loaded or fitted."""
    if getattr(args, "top_k", None) is not None:
        _check_int(args.top_k, "--top-k", 1, MAX_K)
    if getattr(args, "evidence_k", None) is not None:
        _check_int(args.evidence_k, "--evidence-k", 0, MAX_K)
    if getattr(args, "chunk_size", None) is not None:
        _check_int(args.chunk_size, "--chunk-size", 1)
    if getattr(args, "n_jobs", None) is not None:
        _check_n_jobs(args.n_jobs)
    if args.command == "score":
        from recommender.io import output_format

        output_format(args.out)  # raises InputError for an unsupported extension
        profiles = Path(args.profiles)
        if not profiles.is_file():
            raise _UsageError(f"profiles file not found: {profiles} (give a .csv, .jsonl, .parquet or .xlsx table)")
        if args.sheet is not None and profiles.suffix.lower() != ".xlsx":
            raise _UsageError(f"--sheet is for .xlsx workbooks; {profiles.name} is not one")
    if args.command == "evaluate" and not Path(args.benchmark_dir).is_dir():
        raise _UsageError(f"benchmark directory not found: {args.benchmark_dir} "
                          "(it needs profiles.csv and judgements.csv)")
    model = getattr(args, "model", None)
    if model and args.command != "fit":
        from recommender.model.persistence import read_manifest

        read_manifest(model)  # missing file or manifest: ModelError with the fix, no fitting first
    elif model:
        target = Path(model)
        if target.is_dir():
            raise _UsageError(f"--model {model} is a directory; give a file name such as {target / 'model.model'}")
        parent = next((q for q in target.parents if q.exists()), None)
        if parent is not None and not parent.is_dir():
            raise _UsageError(f"cannot save the model to {model}: {parent} is not a directory")


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
                model = Recommender.load(path)
                # the model lives until the command ends: later collections need not traverse it
                gc.freeze()
                return model
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
    report = str(corpus.report)
    del corpus  # the model keeps what it needs; free the corpus before the save's buffers
    path = _default_model_path(args.model)
    model.save(path)
    print(report)
    print(f"saved model to {path} ({len(model.passages_)} passages, {len(model.entity_ids_)} places, "
          f"{model.vocabulary_size_} terms)")
    return 0


def _cmd_recommend(args) -> int:
    from recommender.profiles import InvestorProfile

    import dataclasses

    from recommender.profiles import MAX_TEXT_CHARS

    # the warnings below are printed once from the result; keep the library's log quiet meanwhile
    quiet = [] if args.verbose else [logging.getLogger(n) for n in ("recommender.profiles",
                                                                     "recommender.model.recommender",
                                                                     "recommender.model.prepare",
                                                                     "recommender.model.rank")]
    levels = [lg.level for lg in quiet]
    try:
        for lg in quiet:
            lg.setLevel(logging.ERROR)
        profile = InvestorProfile(sectors=args.sector, text=args.text, regions=args.region,
                                  levels=args.level, exclude=args.exclude)
        model = _load_or_fit(args.model)
        result = model.recommend(profile, top_k=args.top_k, evidence_k=args.evidence_k)
    finally:
        for lg, level in zip(quiet, levels):
            lg.setLevel(level)
    if profile.truncated and not any("truncated" in w for w in result.warnings):
        note = f"text of {len(args.text.strip())} characters truncated to {MAX_TEXT_CHARS}"
        result = dataclasses.replace(result, warnings=(note,) + tuple(result.warnings))
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
            snippet = ev.highlighted(90)
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

    model = _load_or_fit(args.model)  # paths were checked by _check_args before this
    summary = score_file(model, args.profiles, args.out, top_k=args.top_k, evidence_k=args.evidence_k,
                         n_jobs=args.n_jobs, backend=args.backend, scheduler=args.scheduler,
                         chunk_size=args.chunk_size, progress=not args.quiet, sheet=args.sheet,
                         on_columns=lambda line: print(f"recommender: {line}", file=sys.stderr))
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
    """Run the CLI; return the exit status (0 ok, 2 bad usage or input, 1 other errors).

    Every error is reported as one line on stderr: user errors (bad options, missing
    files, unknown sectors/regions/levels, bad tables, unusable model files) exit with
    status 2; anything else exits with status 1 and a hint to rerun with ``--verbose``,
    which also prints the traceback.

    Examples
    --------
    >>> main(["recommend", "陶瓷", "--top-k", "0"])
    2
    """
    parser = _build_parser()
    raw = list(sys.argv[1:] if argv is None else argv)
    verbose = "--verbose" in raw or "-v" in raw
    try:
        args = parser.parse_args(raw)
        if not args.command:
            raise _UsageError(f"no command given: use one of {', '.join(_COMMANDS)} (see 'recommender --help')")
        logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                            format="recommender: %(levelname)s: %(message)s")
        # jieba's import sets its own logger to DEBUG (so a level set here would not hold): a
        # filter quiets it without importing jieba before a command needs it
        logging.getLogger("jieba").addFilter(_quiet_jieba)
        _check_args(args)
        return _COMMANDS[args.command](args)
    except _UsageError as exc:
        print(f"recommender: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `recommender inspect entities | head`
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:  # pragma: no cover
            pass
        return 0
    except (RecommenderError, FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError,
            FileExistsError) as exc:
        if verbose:
            logger.exception("failed")
        if isinstance(exc, OSError) and exc.strerror and exc.filename:
            msg = f"{exc.strerror.lower()}: {exc.filename} (check the path and its permissions)"
        else:
            msg = _first_line(exc)
        print(f"recommender: error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("recommender: interrupted", file=sys.stderr)
        return 130
    except ImportError as exc:
        print(f"recommender: error: {_first_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - last resort: one line, exit 1
        if verbose:
            import traceback

            traceback.print_exc()
        detail = _first_line(exc, default="")
        print(f"recommender: internal error: {exc.__class__.__name__}{': ' + detail if detail else ''}"
              " (rerun with --verbose for the traceback)", file=sys.stderr)
        return 1


def _quiet_jieba(record: logging.LogRecord) -> bool:
    """Let through only jieba's errors (its dictionary-loading chatter goes to DEBUG)."""
    return record.levelno >= logging.ERROR


def _first_line(exc: BaseException, default: str | None = None) -> str:
    """The first non-empty line of an exception's message (its class name if none)."""
    for line in str(exc).splitlines():
        if line.strip():
            return line.strip()
    return exc.__class__.__name__ if default is None else default


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
