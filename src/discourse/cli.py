"""The ``discourse`` command: a thin face over the library (the only module that prints)."""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .corpus import CorpusError, CorpusWarning, load_corpus, summarize_corpus, validate_corpus
from .paths import shipped_corpus_file

__all__ = ["main", "build_parser"]


class _Fail(Exception):
    """A user-facing failure: print the message and exit with ``code``."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False))


def _load(path: str | None):
    """Load a corpus strictly; report its problems (never a traceback) and warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CorpusWarning)
        try:
            corpus = load_corpus(path)
        except CorpusError as err:
            lines = [str(p) for p in err.problems]
            raise _Fail("\n".join(lines) + f"\n{len(err.problems)} problem(s); "
                        f"run 'discourse validate {path or ''}' for the full list") from None
    for warning in caught:
        if issubclass(warning.category, CorpusWarning):
            print(str(warning.message), file=sys.stderr)
    return corpus


# -- commands ----------------------------------------------------------------------------------


def _cmd_validate(args: argparse.Namespace) -> int:
    problems = validate_corpus(*args.paths)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        print(f"{len(errors)} error(s), {len(problems) - len(errors)} warning(s)", file=sys.stderr)
        return 1
    count = ""
    if len(args.paths) == 1:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CorpusWarning)  # printed above already
            count = f"{len(load_corpus(args.paths[0], strict=False).corpus)} statements, "
    print(f"valid: {count}{len(problems)} warning(s)", file=sys.stderr)
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    summary = summarize_corpus(_load(args.corpus))
    if args.json:
        _print_json(summary)
        return 0
    print(f"rows: {summary['rows']}")
    print(f"dates: {summary['date_min']} to {summary['date_max']}")
    for key in ("groups", "actor_types", "countries", "stances", "frames", "years"):
        print(f"{key}:")
        for value, count in summary[key].items():
            print(f"  {value:<24} {count:>5}")
    return 0


def _cmd_themes(args: argparse.Namespace) -> int:
    from .themes import themes_report

    report = themes_report(_load(args.corpus), n_themes=args.n_themes, seed=args.seed)
    if args.json:
        _print_json(report)
        return 0
    print(f"{report['n_themes']} themes (seed {report['seed']}): "
          f"stability {_num(report['stability'])}, coherence (NPMI) "
          f"{_num(report['coherence'])}")
    for theme in report["themes"]:
        print(f"\n[{theme['id']}] {theme['label']}  "
              f"({theme['share']:.1%} of statements, n={theme['n_documents']})")
        print("    " + ", ".join(theme["top_terms"]))
    if report.get("selection"):
        print("\nnumber of themes chosen by stability and coherence:")
        for row in report["selection"]:
            mark = "*" if row["chosen"] else " "
            print(f" {mark} k={row['n_themes']:>2}  stability {_num(row['stability'])}  "
                  f"coherence {_num(row['coherence'])}  ({row.get('reason', '')})")
    return 0


def _cmd_terms(args: argparse.Namespace) -> int:
    from .contrast import distinctive_terms, top_terms

    corpus = _load(args.corpus)
    if args.by not in corpus.columns:
        raise _Fail(f"--by: no column '{args.by}' in the corpus; choose one of "
                    f"{', '.join(c for c in corpus.columns if c not in ('text', 'notes'))}")
    table = top_terms(distinctive_terms(corpus, by=args.by, min_count=args.min_count),
                      n=args.top)
    if table.empty:
        raise _Fail(f"no term occurs at least {args.min_count} times and more often in one "
                    f"'{args.by}' value than in the rest; the corpus may be too small "
                    "(try --min-count 2)")
    keep = ["group", "term", "z", "p_adj", "count_group", "count_rest"]
    if args.json:
        records = table[keep].to_dict(orient="records")
        for rec in records:
            rec["group"] = str(rec["group"])
            rec["z"] = round(float(rec["z"]), 4)
            rec["p_adj"] = float(f"{float(rec['p_adj']):.4g}")
            rec["count_group"] = int(rec["count_group"])
            rec["count_rest"] = int(rec["count_rest"])
        _print_json(records)
        return 0
    for group, rows in table.groupby("group", sort=False, observed=True):
        print(f"\n{group}")
        print(f"  {'term':<28} {'z':>7} {'p_adj':>9} {'count':>8} {'rest':>7}")
        for row in rows.itertuples():
            print(f"  {row.term:<28} {row.z:>7.2f} {row.p_adj:>9.2g} {row.count_group:>8} "
                  f"{row.count_rest:>7}")
    return 0


def _read_statement(name: str) -> tuple[str, str]:
    if name == "-":
        data = sys.stdin.buffer.read()
        source = "<stdin>"
    else:
        path = Path(name)
        if not path.is_file():
            raise _Fail(f"{name}: no such file")
        data = path.read_bytes()
        source = name
    if b"\0" in data:
        raise _Fail(f"{source}: looks like a binary file; give a UTF-8 text file with one "
                    "statement")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise _Fail(f"{source}: not UTF-8 text (invalid byte at offset {err.start}); save it "
                    "as UTF-8") from None
    if not text.strip():
        raise _Fail(f"{source}: the statement is empty; give a file (or standard input) "
                    "holding the text of one statement")
    return source, text.strip()


def _cmd_label(args: argparse.Namespace) -> int:
    from .label import label_texts

    inputs = [_read_statement(name) for name in (args.files or ["-"])]
    corpus = _load(args.corpus)
    results = label_texts([text for _, text in inputs], corpus,
                          sources=[source for source, _ in inputs])
    for result in results:
        if args.json:
            print(json.dumps(result, ensure_ascii=False))
            continue
        proba = result["stance_proba"][result["stance"]]
        print(f"{result['source']}")
        print(f"  stance:   {result['stance']} (p = {proba:.2f})")
        print(f"  frames:   {', '.join(result['frames']) or '(none)'}")
        print(f"  evidence: {', '.join(result['evidence'])}")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from .evaluate import evaluate

    with warnings.catch_warnings():
        # scikit-learn warns when a class has fewer members than folds; the report's
        # per-class support shows the same thing
        warnings.simplefilter("ignore", UserWarning)
        report = evaluate(_load(args.corpus), n_splits=args.splits, n_repeats=args.repeats,
                          random_state=args.seed)
    if args.json:
        _print_json(report)
        return 0
    stance = report["stance"]
    cv = report["cv"]
    print(f"{report['n']} statements, {report['n_actors']} actors; {cv['splits']}-fold CV "
          f"grouped by {cv['grouped_by']}, {cv['repeats']} repeats, seed {cv['seed']}")
    print("\nstance (macro-F1, 95% bootstrap interval)")
    rows = [("classifier", stance)] + list(stance["baselines"].items())
    for name, block in rows:
        low, high = block["macro_f1_ci"]
        print(f"  {name:<12} {block['macro_f1']:.3f}  [{low:.3f}, {high:.3f}]")
    print("\n  per class (classifier): precision recall f1 support")
    for code, scores in stance["per_class"].items():
        print(f"  {code:<22} {scores['precision']:.3f} {scores['recall']:.3f} "
              f"{scores['f1']:.3f} {scores['support']:>5}")
    frames = report["frames"]
    lexicon = frames["baselines"]["lexicon"]
    print("\nframes: micro-F1 / macro-F1")
    print(f"  classifier   {frames['micro_f1']:.3f} / {frames['macro_f1']:.3f}")
    print(f"  lexicon      {lexicon['micro_f1']:.3f} / {lexicon['macro_f1']:.3f}")
    print("\n  per frame F1: classifier / lexicon")
    for code, scores in frames["per_frame"].items():
        print(f"  {code:<22} {scores['f1']:.3f} / {lexicon['per_frame'][code]['f1']:.3f}")
    return 0


def _cmd_figures(args: argparse.Namespace) -> int:
    from .figures import write_figures

    corpus_path = args.corpus or shipped_corpus_file()
    corpus = _load(args.corpus)
    try:
        manifest = write_figures(corpus, Path(args.out), corpus_path=corpus_path)
    except OSError as err:  # --out is a file, lies below one, or cannot be written
        named = {args.out, str(Path(args.out).resolve())}
        where = "" if err.filename is None or str(err.filename) in named else \
            f" ({err.filename})"
        raise _Fail(f"discourse figures: cannot write to --out {args.out}{where}: "
                    f"{err.strerror or err}; give a folder you can write to") from None
    for figure in manifest["figures"]:
        print(f"{figure['id']}: {', '.join(f['path'] for f in figure['files'])}")
    for skipped in manifest.get("skipped", []):
        print(f"skipped {skipped['id']}: {skipped['reason']}", file=sys.stderr)
    print(f"wrote {len(manifest['figures'])} figures and manifest.json to {args.out}",
          file=sys.stderr)
    return 0


# -- parser ------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``discourse`` command."""
    parser = argparse.ArgumentParser(
        prog="discourse",
        description="Load, validate and analyse corpora of statements on regulating VPNs.",
    )
    parser.add_argument("--version", action="version", version=f"discourse {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def corpus_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--corpus", metavar="PATH", default=None,
                       help="corpus file or folder (default: the shipped corpus)")

    p = sub.add_parser("validate", help="check corpus files; one line per problem")
    p.add_argument("paths", nargs="+", metavar="PATH", help="a .csv/.jsonl file, a data package "
                   "or a folder of .md/.txt statements")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("info", help="rows, date range and counts of a corpus")
    corpus_option(p)
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("themes", help="TF-IDF + NMF themes with stability and coherence")
    corpus_option(p)
    p.add_argument("--n-themes", type=int, default=None, metavar="K",
                   help="number of themes (default: chosen by stability and coherence)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.set_defaults(func=_cmd_themes)

    p = sub.add_parser("terms", help="most distinctive terms per group (weighted log-odds)")
    corpus_option(p)
    p.add_argument("--by", default="group", metavar="COLUMN", help="grouping column "
                   "(default: group)")
    p.add_argument("--top", type=int, default=10, metavar="N", help="terms per group "
                   "(default 10)")
    p.add_argument("--min-count", type=int, default=5, metavar="N", help="least number of "
                   "occurrences of a term in the corpus (default 5)")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    p.set_defaults(func=_cmd_terms)

    p = sub.add_parser("label", help="label new statements with stance and frames")
    corpus_option(p)
    p.add_argument("files", nargs="*", metavar="FILE", help="one statement per file; none or "
                   "'-' reads standard input")
    p.add_argument("--json", action="store_true", help="print one JSON object per line")
    p.set_defaults(func=_cmd_label)

    p = sub.add_parser("evaluate", help="actor-grouped cross-validation of the labellers")
    corpus_option(p)
    p.add_argument("--splits", type=int, default=5, metavar="K", help="folds (default 5)")
    p.add_argument("--repeats", type=int, default=3, metavar="R", help="repeats with other "
                   "seeds (default 3)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("figures", help="write every publication figure with its data")
    corpus_option(p)
    p.add_argument("--out", default="figures", metavar="DIR", help="output folder, replaced "
                   "as a whole once every file is written (default: figures)")
    p.set_defaults(func=_cmd_figures)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``discourse`` command; return its exit code (never raise a traceback)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("n_themes", "top", "min_count", "repeats"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if getattr(args, "splits", 2) < 2:
        parser.error("--splits must be at least 2")
    try:
        return args.func(args)
    except _Fail as fail:
        print(f"{fail}", file=sys.stderr)
        return fail.code
    except ValueError as err:  # the library's word for input it cannot analyse
        print(f"discourse {args.command}: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"discourse {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as err:  # a bug, or an input we did not foresee: still no traceback
        print(f"discourse: error: {type(err).__name__}: {err}", file=sys.stderr)
        print("this is a bug in discourse if the input was valid; please report it",
              file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
