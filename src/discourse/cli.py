"""The ``discourse`` command: a thin face over the library (the only module that prints)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .corpus import CorpusError, CorpusWarning, load_corpus, summarize_corpus, validate_corpus
from .paths import shipped_corpus_file
from .schema import MAX_FILE_BYTES

#: Default of ``discourse label --max-chars`` (as :data:`discourse.label.MAX_CHARS`; kept
#: here so that ``--help`` does not import the models).
MAX_CHARS = 100_000

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


def _load(path: str | None, **options: Any):
    """Load a corpus strictly; report its problems (never a traceback) and warnings.

    ``options`` (``encoding``, ``max_bytes``) go to :func:`~discourse.corpus.load_corpus`.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CorpusWarning)
        try:
            corpus = _load_on(options.pop("scheduler", None), path, **options)
        except CorpusError as err:
            lines = [str(p) for p in err.problems]
            raise _Fail("\n".join(lines) + f"\n{len(err.problems)} problem(s); "
                        f"run 'discourse validate {path or ''}' for the full list") from None
    for warning in caught:
        if issubclass(warning.category, CorpusWarning):
            print(str(warning.message), file=sys.stderr)
    return corpus


def _read_options(args: argparse.Namespace) -> dict[str, Any]:
    return {"encoding": args.encoding, "max_bytes": args.max_bytes,
            "scheduler": getattr(args, "scheduler", None)}


def _load_on(scheduler: str | None, path: Any, **options: Any):
    """``load_corpus`` on this machine, or on the Dask scheduler at ``scheduler``."""
    if scheduler is None:
        return load_corpus(path, **options)
    from .distributed import connect
    from .distributed import load_corpus as load_on_cluster

    client = connect(scheduler)
    try:
        return load_on_cluster(path, client=client, **options)
    finally:
        client.close()


# -- commands ----------------------------------------------------------------------------------


def _cmd_validate(args: argparse.Namespace) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)  # printed below with the errors
        options = _read_options(args)
        scheduler = options.pop("scheduler")
        if scheduler is None:  # read once, keeping only the ids of a valid file
            problems, n_records, n_valid = validate_corpus(*args.paths, return_counts=True,
                                                           **options)
        else:
            result = _load_on(scheduler, args.paths, strict=False, **options)
            problems, n_records, n_valid = result.problems, result.n_records, len(result.corpus)
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        print(f"{len(errors)} error(s), {len(problems) - len(errors)} warning(s); "
              f"{n_valid} of {n_records} statements valid", file=sys.stderr)
        return 1
    print(f"valid: {n_valid} statements, {len(problems)} warning(s)", file=sys.stderr)
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    summary = summarize_corpus(_load(args.corpus, **_read_options(args)))
    if args.json:
        _print_json(summary)
        return 0
    print(f"rows: {summary['rows']}")
    print(f"dates: {summary['date_min']} to {summary['date_max']}")
    print(f"organisations: {summary['organisations']}")
    for key in ("groups", "actor_types", "countries", "stances", "scopes", "genres", "frames",
                "years"):
        print(f"{key}:")
        for value, count in summary[key].items():
            print(f"  {value:<24} {count:>5}")
        if key in ("scopes", "genres"):
            uncoded = summary["rows"] - sum(summary[key].values())
            if uncoded:
                print(f"  {'(not coded)':<24} {uncoded:>5}")
    return 0


def _theme_labels_option(args: argparse.Namespace, default_source: bool = True):
    """The curated theme labels to use: ``--theme-labels PATH``, ``none``, or by default
    the ``theme_labels.csv`` beside the corpus (the shipped one without ``--corpus``) if
    there is one."""
    from .themes import theme_labels_file

    given = getattr(args, "theme_labels", None)
    if given is not None:
        if given.lower() == "none":
            return False
        if not Path(given).is_file():
            raise _Fail(f"--theme-labels: no file {given}; give a CSV with theme_key, label "
                        "and note, or 'none'")
        return Path(given)
    if not default_source:
        return False
    if args.corpus is None:
        path = theme_labels_file()
    else:
        corpus = Path(args.corpus)
        path = theme_labels_file(corpus if corpus.is_dir() else corpus.parent)
    return path if path.is_file() else False


def _print_warnings(caught: list, category: type) -> None:
    for warning in caught:
        if issubclass(warning.category, category):
            print(f"warning: {warning.message}", file=sys.stderr)


def _cmd_themes(args: argparse.Namespace) -> int:
    from .themes import ThemeLabelWarning, themes_report

    labels = _theme_labels_option(args)
    scheduler = getattr(args, "scheduler", None)
    if scheduler is not None and args.n_themes is None:
        raise _Fail("--scheduler needs --n-themes K: choosing the number of themes fits "
                    "every candidate on this machine")
    corpus = _load(args.corpus, scheduler=scheduler)
    client = None
    if scheduler is not None:
        from .distributed import connect

        try:
            client = connect(scheduler)
        except ValueError as err:
            raise _Fail(str(err)) from None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ThemeLabelWarning)
            report = themes_report(corpus, n_themes=args.n_themes, seed=args.seed,
                                   theme_labels=labels if labels is not False else None,
                                   client=client, n_jobs=args.n_jobs)
    finally:
        if client is not None:
            client.close()
    _print_warnings(caught, ThemeLabelWarning)
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
    from .contrast import distinctive_terms, groups_without_terms, top_terms

    corpus = _load(args.corpus, scheduler=args.scheduler)
    if args.by not in corpus.columns:
        raise _Fail(f"--by: no column '{args.by}' in the corpus; choose one of "
                    f"{', '.join(c for c in corpus.columns if c not in ('text', 'notes'))}")
    clean = not args.all_terms
    table = top_terms(distinctive_terms(corpus, by=args.by, min_count=args.min_count),
                      n=args.top, exclude_speakers=clean, collapse_nested=clean)
    if table.empty:
        raise _Fail(f"no term occurs at least {args.min_count} times and more often in one "
                    f"'{args.by}' value than in the rest; the corpus may be too small "
                    "(try --min-count 2)")
    empty = groups_without_terms(table)
    note = (f"no distinctive term for: {', '.join(empty)} (none used at least "
            f"{args.min_count} times and more than in the rest)" if empty else "")
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
        if note:
            print(note, file=sys.stderr)
        return 0
    for group, rows in table.groupby("group", sort=False, observed=True):
        print(f"\n{group}")
        print(f"  {'term':<28} {'z':>7} {'p_adj':>9} {'count':>8} {'rest':>7}")
        for row in rows.itertuples():
            print(f"  {row.term:<28} {row.z:>7.2f} {row.p_adj:>9.2g} {row.count_group:>8} "
                  f"{row.count_rest:>7}")
    if note:
        print(f"\n{note}")
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


def _list_hint(source: str, text: str) -> None:
    """Suggest ``--lines`` for a text file that looks like a list of statements."""
    from .label_io import LIST_HINT_LINES

    lines = sum(1 for line in text.splitlines() if line.strip())
    if lines > LIST_HINT_LINES:
        print(f"{source}: {lines:,} non-empty lines labelled as one statement; if each line "
              "is a statement, give --lines (or a .csv/.jsonl corpus)", file=sys.stderr)


def _label_bundle(args: argparse.Namespace):
    from .label import load_labellers

    return load_labellers(_load(args.corpus), features=args.features)


def _cmd_label(args: argparse.Namespace) -> int:
    from .label_io import input_kind

    names = args.files or ["-"]
    kinds = [input_kind(name, args.lines) for name in names]
    if any(kind != "statement" for kind in kinds):
        if len(names) > 1:
            raise _Fail("discourse label: give one corpus file or folder at a time (or "
                        "several .txt files, one statement each)")
        if args.json:
            raise _Fail("--json prints one statement per file; for a corpus give --format "
                        "jsonl (or --out FILE.jsonl)")
        return _label_corpus(args, names[0])
    from .label import label_texts

    inputs = [_read_statement(name) for name in names]
    for source, text in inputs:
        _list_hint(source, text)
    if args.out is not None or args.format is not None:
        return _label_corpus(args, None, inputs)
    corpus = _load(args.corpus)
    results = label_texts([text for _, text in inputs], corpus,
                          sources=[source for source, _ in inputs],
                          max_chars=args.max_chars or None, features=args.features,
                          min_confidence=args.min_confidence, explain=args.explain)
    for result in results:
        if args.json:
            print(json.dumps(result, ensure_ascii=False))
            continue
        print(f"{result['source']}")
        if result["needs_review"]:
            print(f"  needs review: {result['review_reason']}")
            if result["stance"] is None:
                continue
        print(f"  stance:   {result['stance']} (confidence {result['confidence']:.2f})")
        print(f"  frames:   {', '.join(result['frames']) or '(none)'}")
        if args.explain:
            print(f"  evidence: {', '.join(result['evidence'])}")
    return 0


def _label_corpus(args: argparse.Namespace, path: str | None,
                  statements: list[tuple[str, str]] | None = None) -> int:
    """Label a corpus (or statement files) chunk by chunk into a labelled table."""
    import time

    from tqdm import tqdm

    from .label import BATCH_SIZE
    from .label_io import LabelInputError, LabelledWriter, Rows, read_rows

    batch_size = BATCH_SIZE if args.batch_size is None else args.batch_size
    fmt = args.format
    if fmt is None and args.out not in (None, "-"):
        suffix = Path(args.out).suffix.lower()
        fmt = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(suffix)
        if fmt is None:
            raise _Fail(f"--out {args.out}: give a .csv or .jsonl file, or --format csv|jsonl")
    if fmt is None:
        fmt = "jsonl" if path is not None and Path(path).suffix.lower() in (
            ".jsonl", ".ndjson") else "csv"
    max_chars = args.max_chars or None
    # a chunk gives every worker a run of 8 batches (the labellers go to a worker once per
    # chunk); with one job a chunk is one batch
    workers = max(1, args.n_jobs if args.n_jobs > 0 else os.cpu_count() or 1)
    per_call = batch_size * (1 if workers == 1 else 8 * workers)
    skipped: list[int] = []
    if statements is not None:
        chunks = iter([Rows("-", ["source", "text"],
                            [{"source": s, "text": t} for s, t in statements],
                            [1] * len(statements), [s for s, _ in statements])])
        text_column = "text"
        for source, text in statements:
            if max_chars is not None and len(text) > max_chars:
                raise _Fail(f"{source}: text: {len(text):,} characters, more than the limit "
                            f"of {max_chars:,}; split it into statements or raise the limit "
                            "(--max-chars, 0: no limit)")
    else:
        text_column = args.text_column
        chunks = read_rows(path, lines=args.lines, text_column=text_column,
                           chunk_size=per_call, encoding=args.encoding,
                           max_chars=max_chars, skipped=skipped)
    writer = None
    start = time.perf_counter()
    try:
        first = next(chunks, None)
        if first is None:
            raise _Fail(f"{path}: no statement to label")
        bundle = _label_bundle(args)
        start = time.perf_counter()
        writer = LabelledWriter(args.out, fmt, first.columns, explain=args.explain,
                                prefix=args.prefix)
        with tqdm(unit="text", desc="label", file=sys.stderr, leave=False,
                  disable=not sys.stderr.isatty()) as bar:
            chunk = first
            while chunk is not None:
                labels = bundle.label_columns(chunk.texts(text_column), args.min_confidence,
                                              explain=args.explain,
                                              batch_size=batch_size,
                                              n_jobs=args.n_jobs, checked=True)
                writer.write(chunk, labels)
                bar.update(len(chunk.records))
                chunk = next(chunks, None)
        writer.close()
    except LabelInputError as err:
        if writer is not None:
            writer.discard()
        raise _Fail(f"{err}\nnothing written" if args.out not in (None, "-")
                    else str(err)) from None
    except BaseException:
        if writer is not None:
            writer.discard()
        raise
    if skipped and skipped[0]:
        print(f"{path}: skipped {skipped[0]:,} blank line(s)", file=sys.stderr)
    seconds = time.perf_counter() - start
    where = args.out if args.out not in (None, "-") else "standard output"
    print(f"labelled {writer.rows:,} statements in {seconds:.1f} s "
          f"({writer.rows / max(seconds, 1e-9):,.0f}/s) to {where}", file=sys.stderr)
    return 0


def _print_stance_block(title: str, block: dict[str, Any]) -> None:
    print(f"\n{title} (macro-F1, 95% bootstrap interval)")
    for name, scores in [("classifier", block), *block["baselines"].items()]:
        low, high = scores["macro_f1_ci"]
        print(f"  {name:<12} {scores['macro_f1']:.3f}  [{low:.3f}, {high:.3f}]")
    print("\n  per class (classifier): precision recall f1 support")
    for code, scores in block["per_class"].items():
        print(f"  {code:<22} {scores['precision']:.3f} {scores['recall']:.3f} "
              f"{scores['f1']:.3f} {scores['support']:>5}")
    coverage = ", ".join(f"{c['coverage']:.0%}: {c['accuracy']:.3f}" for c in block["coverage"])
    print(f"\n  accuracy of the most confident predictions (coverage: accuracy): {coverage}")
    review = block["review"]
    kept = review.get("accuracy_kept")
    print(f"  review threshold (chosen in the training folds, median "
          f"{review['threshold_median']:.2f}): {review['reviewed']:.0%} to review"
          + (f", accuracy of the rest {kept:.3f}" if kept is not None else ""))


def _print_frame_block(title: str, block: dict[str, Any]) -> None:
    lexicon = block["baselines"]["lexicon"]
    print(f"\n{title} (micro-F1 [95% interval] / macro-F1; frames per statement)")
    for name, scores in (("classifier", block), ("lexicon", lexicon)):
        low, high = scores["micro_f1_ci"]
        per = scores["per_statement"]
        print(f"  {name:<12} {scores['micro_f1']:.3f} [{low:.3f}, {high:.3f}] / "
              f"{scores['macro_f1']:.3f}; {per['predicted']:.2f} predicted, "
              f"{per['coded']:.2f} coded")
    print("\n  per frame: precision recall f1 (classifier) | precision recall f1 (lexicon)")
    for code, scores in block["per_frame"].items():
        lex = lexicon["per_frame"][code]
        print(f"  {code:<20} {scores['precision']:.3f} {scores['recall']:.3f} "
              f"{scores['f1']:.3f} | {lex['precision']:.3f} {lex['recall']:.3f} "
              f"{lex['f1']:.3f}  ({scores['support']})")


def _cmd_evaluate(args: argparse.Namespace) -> int:
    import time

    from .evaluate import evaluate

    start = time.perf_counter()
    with warnings.catch_warnings():
        # scikit-learn warns when a class has fewer members than folds; the report's
        # per-class support shows the same thing
        warnings.simplefilter("ignore", UserWarning)
        report = evaluate(_load(args.corpus), n_splits=args.splits, n_repeats=args.repeats,
                          random_state=args.seed, features=args.features,
                          external=False if args.no_external else None).report
    seconds = time.perf_counter() - start
    if args.json:
        _print_json(report)
        return 0
    stance = report["stance"]
    cv = report["cv"]
    print(f"{report['n']} statements, {report['n_actors']} actors; {cv['splits']}-fold CV "
          f"grouped by {cv['grouped_by']}, {cv['repeats']} repeats, seed {cv['seed']}; "
          f"features {report['features']}; {seconds:.0f} s")
    print("(tfidf is the default: it needs no extra; discourse.evaluate.choose_features "
          "ranks feature sets by the other-genre stance score, see the README)")
    unit = "organisations" if cv["grouped_by"] == "org_id" else "actors"
    _print_stance_block(f"stance: {stance['n']} statements from {stance['n_orgs']} {unit}",
                        stance)
    if "external" in stance:
        _print_stance_block(f"stance on other genres: {stance['external']['n']} texts of "
                            "held-out statements", stance["external"])
        print(f"  transfer gap (other genres minus CV): {stance['gap']['macro_f1']:+.3f}")
    frames = report["frames"]
    _print_frame_block(f"frames: {frames['n']} statements from {frames['n_orgs']} {unit}",
                       frames)
    if "external" in frames:
        _print_frame_block(f"frames on other genres: {frames['external']['n']} texts",
                           frames["external"])
        print(f"  transfer gap (other genres minus CV): {frames['gap']['micro_f1']:+.3f}")
    print("\ntargets (benchmarks, not tests):")
    for row in report["targets"]:
        verdict = "met" if row["met"] else f"missed by {row['short_by']:.3f}"
        print(f"  {row['target']:<44} {row['value']:.3f} (goal {row['goal']}): {verdict}")
    return 0


def _cmd_figures(args: argparse.Namespace) -> int:
    from .figures import write_figures
    from .themes import ThemeLabelWarning

    corpus_path = args.corpus or shipped_corpus_file()
    labels = _theme_labels_option(args)
    corpus = _load(args.corpus, encoding=args.encoding, max_bytes=args.max_bytes)
    params = {"case_country": args.case_country, "window": args.window,
              "period": args.period, "topic": args.topic, "corpus_name": args.corpus_name,
              "theme_labels": labels}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ThemeLabelWarning)
            manifest = write_figures(corpus, Path(args.out), corpus_path=corpus_path,
                                     **params)
        _print_warnings(caught, ThemeLabelWarning)
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


def _cmd_collect(args: argparse.Namespace) -> int:
    import importlib.util

    missing = [name for name in ("urllib3", "trafilatura", "lxml_html_clean", "pypdf", "tqdm")
               if importlib.util.find_spec(name) is None]
    if missing:
        raise _Fail(f"discourse collect needs {', '.join(missing)}: install the collect "
                    "extra, pip install 'discourse[collect]'")
    from tqdm import tqdm

    from .collect import CollectPolicy, collect_corpus, reextract

    corpus = _load(args.corpus)
    only = None
    if args.only is not None:
        only = [part.strip() for part in args.only.split(",") if part.strip()]
    out = Path(args.out)
    if args.reextract:
        result = reextract(corpus, out)
    else:
        policy = CollectPolicy(rate=args.rate, retries=args.retries,
                               connect_timeout=args.timeout, read_timeout=args.timeout,
                               deadline=args.max_time, allow_loopback=args.allow_loopback)
        total = len(set(only)) if only is not None else len(corpus)
        with tqdm(total=total, unit="row", desc="collect", file=sys.stderr, leave=False,
                  disable=not sys.stderr.isatty()) as bar:
            def on_row(record) -> None:
                bar.update(1)
                bar.set_postfix_str(f"{record.id}: {record.status}", refresh=False)

            try:
                result = collect_corpus(corpus, out, only=only, resume=args.resume,
                                        retry_failed=args.retry_failed, policy=policy,
                                        on_row=on_row)
            except KeyboardInterrupt:
                bar.close()
                print(f"interrupted: every row finished so far is kept in {out / 'cache'}; "
                      "run the same command with --resume to go on", file=sys.stderr)
                return 130
    for row in result.report.itertuples(index=False):
        kept = " (kept from an earlier run)" if row.reused else ""
        detail = row.reason or f"{row.chars} characters, {row.extractor}"
        print(f"{row.status:<8} {row.id}  {detail}{kept}")
    counts = result.counts
    print(f"{counts['rows_in']} rows in: {counts['fetched']} fetched, {counts['failed']} failed, "
          f"{counts['skipped']} skipped ({counts['reused']} kept from an earlier run)",
          file=sys.stderr)
    print(f"full-text corpus: {result.corpus_file}; per-row report: {out / 'report.csv'}",
          file=sys.stderr)
    print(f"the collected texts belong to their publishers: keep them on this machine "
          f"({out / 'NOTICE.md'})", file=sys.stderr)
    return 0


# -- parser ------------------------------------------------------------------------------------


def _agreement_entry(row: Any) -> dict[str, Any]:
    def number(value: Any) -> float | None:
        return None if value is None or value != value else round(float(value), 4)

    entry = {"n": int(row.n), "agreement": number(row.agreement), "alpha": number(row.alpha),
             "alpha_interval": [number(row.alpha_low), number(row.alpha_high)],
             "kappa": number(row.kappa), "n_boot_valid": int(row.n_boot_valid)}
    if row.kind == "frame":
        entry.update(n_a=int(row.n_a), n_b=int(row.n_b))
    return entry


def _cmd_agree(args: argparse.Namespace) -> int:
    from .agreement import CodesError, agreement_table, confusion_table, read_codes

    try:
        codes_a, codes_b = read_codes(args.codes_a), read_codes(args.codes_b)
        table = agreement_table(codes_a, codes_b, n_boot=args.boot, random_state=args.seed)
        confusion = confusion_table(codes_a, codes_b)
    except CodesError as err:
        raise _Fail("\n".join(str(p) for p in err.problems)
                    + f"\n{len(err.problems)} problem(s); nothing compared") from None
    stance = table[table["kind"] == "stance"].iloc[0]
    frames = table[table["kind"] == "frame"]
    if args.json:
        _print_json({
            "n": int(stance.n), "n_boot": args.boot, "seed": args.seed,
            "stance": _agreement_entry(stance),
            "frames": {row.variable: _agreement_entry(row) for row in frames.itertuples()},
            "stance_confusion": confusion.to_dict("records"),
        })
        return 0
    print(f"statements coded by both: {int(stance.n)} (bootstrap: {args.boot} resamples, "
          f"seed {args.seed})")
    print(f"{'variable':<22}{'alpha':>7}  {'95% interval':<16}{'kappa':>7}{'agree':>7}")
    for row in table.itertuples():
        interval = f"[{_num(_nan_none(row.alpha_low))}, {_num(_nan_none(row.alpha_high))}]"
        print(f"{row.variable:<22}{_num(_nan_none(row.alpha)):>7}  {interval:<16}"
              f"{_num(_nan_none(row.kappa)):>7}{row.agreement:>7.3f}")
    print("stance, coder A (rows) by coder B (columns):")
    square = confusion.pivot(index="coder_a", columns="coder_b", values="n")
    order = list(dict.fromkeys(confusion["coder_a"]))  # codebook order, not alphabetical
    print(square.loc[order, order].to_string())
    return 0


def _nan_none(value: Any) -> float | None:
    return None if value != value else float(value)


def _period_arg(value: str) -> str | tuple[int, ...]:
    """``--period``: a calendar period name, ``all``, or comma-separated era start years."""
    if value in ("year", "quarter", "month", "all"):
        return value
    try:
        return tuple(int(part) for part in value.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r}: give year, quarter, month, all, or years such as 2024,2025") from None


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

    def features_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--features", choices=["tfidf", "tfidf+encoder"], default="tfidf",
                       help="features of the classifiers (default tfidf; tfidf+encoder "
                       "needs pip install -e \".[encoder]\")")

    def theme_labels_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--theme-labels", default=None, metavar="PATH", help="curated theme "
                       "labels (CSV: theme_key, label, note), or 'none' (default: "
                       "theme_labels.csv beside the corpus, if any)")

    def read_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--encoding", default=None, metavar="CODEC",
                       help="encoding of the corpus files, e.g. cp1252 (default: UTF-8; a "
                       "line that is not UTF-8 is reported, never guessed)")
        p.add_argument("--max-bytes", type=int, default=MAX_FILE_BYTES, metavar="N",
                       help=f"largest file read, in bytes (default {MAX_FILE_BYTES:,})")

    def scheduler_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--scheduler", default=None, metavar="ADDRESS", help="read and check "
                       "the corpus on the Dask scheduler at ADDRESS, e.g. tcp://host:8786 "
                       "(needs the dask extra; default: this machine)")

    p = sub.add_parser("validate", help="check corpus files; one line per problem")
    p.add_argument("paths", nargs="+", metavar="PATH", help="a .csv/.jsonl file, a data package "
                   "or a folder of .md/.txt statements")
    read_options(p)
    scheduler_option(p)
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("info", help="rows, date range and counts of a corpus")
    corpus_option(p)
    read_options(p)
    scheduler_option(p)
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("themes", help="TF-IDF + NMF themes with stability and coherence")
    corpus_option(p)
    p.add_argument("--n-themes", type=int, default=None, metavar="K",
                   help="number of themes (default: chosen by stability and coherence)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--n-jobs", type=int, default=None, metavar="N", help="stability fits run "
                   "in N processes (same results; default 1)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", help="read the corpus and "
                   "fit the themes (mini-batch NMF, needs --n-themes) on the Dask scheduler at "
                   "ADDRESS, e.g. tcp://host:8786 (needs the dask extra; default: this "
                   "machine, exact NMF)")
    theme_labels_option(p)
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
    p.add_argument("--all-terms", action="store_true", help="keep speaker labels (ministry, "
                   "committee, ...) and nested pairs (human / human rights), which are left "
                   "out by default")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    scheduler_option(p)
    p.set_defaults(func=_cmd_terms)

    p = sub.add_parser(
        "label", help="label statements with stance and frames: a corpus file or folder, "
        "one text per line, or one statement per file",
        description="Label statements with a stance and frames. A .csv or .jsonl file or a "
        "folder (of .md/.txt files, one statement each) is labelled into a table: the "
        "input's columns, then stance, p_<code> for each stance code, confidence, "
        "needs_review, review_reason, frames (';'-joined in CSV) and, with --explain, "
        "evidence. With --lines a text file (or standard input) holds one statement per "
        "line (blank lines are skipped and counted). Any other file, and standard input, "
        "is one statement, printed as text (or --json); --out/--format write it as a table "
        "too.")
    corpus_option(p)
    p.add_argument("files", nargs="*", metavar="INPUT", help="a .csv/.jsonl corpus, a folder, "
                   "a text file with --lines, or files of one statement each; none or '-' "
                   "reads standard input")
    p.add_argument("--lines", action="store_true", help="one statement per line of the input")
    p.add_argument("--text-column", default="text", metavar="NAME", help="column (CSV) or "
                   "field (JSONL) holding the statements (default: text)")
    p.add_argument("--out", default=None, metavar="FILE", help="write the labelled table to "
                   "FILE (.csv or .jsonl; written whole or not at all) instead of standard "
                   "output")
    p.add_argument("--format", choices=["csv", "jsonl"], default=None, help="output format "
                   "(default: from --out's extension, else the input's: jsonl for JSONL, csv "
                   "otherwise)")
    p.add_argument("--explain", action="store_true", help="add the evidence terms of each "
                   "stance")
    p.add_argument("--prefix", default="", metavar="TEXT", help="put TEXT before the names of "
                   "the label columns, e.g. label_ when the input has a stance column")
    p.add_argument("--batch-size", type=int, default=None, metavar="N", help="statements "
                   "read and labelled together (default: discourse.label.BATCH_SIZE; memory "
                   "grows with it)")
    p.add_argument("--n-jobs", type=int, default=1, metavar="N", help="batches labelled at "
                   "once in worker processes (default 1; -1: one per core)")
    p.add_argument("--encoding", default=None, metavar="CODEC", help="encoding of the input "
                   "(default: UTF-8)")
    p.add_argument("--json", action="store_true", help="print one JSON object per line (one "
                   "statement per file)")
    p.add_argument("--max-chars", type=int, default=MAX_CHARS, metavar="N",
                   help=f"longest statement accepted, in characters (default {MAX_CHARS:,}; "
                   "0: no limit)")
    features_option(p)
    p.add_argument("--min-confidence", type=float, default=None, metavar="P",
                   help="mark stances with a confidence below P as needs_review (default: "
                   "the threshold chosen in cross-validation)")
    p.set_defaults(func=_cmd_label)

    p = sub.add_parser("evaluate", help="cross-validation of the labellers, grouped by "
                       "organisation (org_id, else actor)")
    corpus_option(p)
    p.add_argument("--splits", type=int, default=5, metavar="K", help="folds (default 5)")
    p.add_argument("--repeats", type=int, default=3, metavar="R", help="repeats with other "
                   "seeds (default 3)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    features_option(p)
    p.add_argument("--no-external", action="store_true", help="skip the other-genre test "
                   "texts (corpus/external/other_genres.csv)")
    p.set_defaults(func=_cmd_evaluate)

    p = sub.add_parser("agree", help="agreement of two coders (Krippendorff's alpha, kappa)")
    p.add_argument("codes_a", metavar="CODES_A", help="CSV of coder A: id, stance, frames")
    p.add_argument("codes_b", metavar="CODES_B", help="CSV of coder B: the same ids")
    p.add_argument("--boot", type=int, default=1000, metavar="N", help="bootstrap resamples "
                   "for the intervals (default 1000)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.set_defaults(func=_cmd_agree)

    p = sub.add_parser("figures", help="write every publication figure with its data")
    corpus_option(p)
    read_options(p)
    p.add_argument("--out", default="figures", metavar="DIR", help="output folder, replaced "
                   "as a whole once every file is written (default: figures)")
    p.add_argument("--case-country", default=None, metavar="CODE", help="ISO code of the "
                   "case in figure 1 (default: the country with most statements)")
    p.add_argument("--window", nargs=2, default=None, metavar=("START", "END"),
                   help="first and last day of figure 1, e.g. 2024-01-01 2025-06-30 "
                   "(default: 18 months from January of the case's busiest month's year)")
    p.add_argument("--period", type=_period_arg, default=None, metavar="PERIOD",
                   help="periods of the over-time figures: year, quarter, month, all, or "
                   "the years eras start, e.g. 2024,2025 (default: resolved from the data)")
    p.add_argument("--topic", default=None, metavar="TEXT", help="what is regulated, for "
                   "titles, e.g. 'social-media use' (default: VPNs for a VPN corpus, else "
                   "none)")
    p.add_argument("--corpus-name", default=None, metavar="TEXT", help="the corpus as named "
                   "in footnotes (default: 'discourse corpus' for a VPN corpus, else 'the "
                   "corpus')")
    theme_labels_option(p)
    p.set_defaults(func=_cmd_figures)

    p = sub.add_parser("collect", help="fetch each row's source_url and write a full-text "
                       "corpus (needs the collect extra)")
    corpus_option(p)
    p.add_argument("--out", default="collected", metavar="DIR", help="output folder: cache, "
                   "statements.csv, report.csv (default: collected)")
    p.add_argument("--only", default=None, metavar="IDS", help="comma-separated ids of the "
                   "rows to fetch (default: all)")
    p.add_argument("--rate", type=float, default=2.0, metavar="SECONDS", help="least delay "
                   "between two requests to one host (default 2; a longer robots.txt "
                   "Crawl-delay wins)")
    p.add_argument("--retries", type=int, default=3, metavar="N", help="retries after a 429, "
                   "5xx or connection error, with growing waits (default 3)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="connect "
                   "and read timeout (default 30)")
    p.add_argument("--max-time", type=float, default=60.0, metavar="SECONDS", help="longest "
                   "time for one whole response (default 60)")
    p.add_argument("--resume", action="store_true", help="keep rows already done in --out "
                   "and fetch only the rest")
    p.add_argument("--retry-failed", action="store_true", help="with --resume, fetch the rows "
                   "that failed once more")
    p.add_argument("--reextract", action="store_true", help="redo the text extraction from "
                   "the cached raw bytes, without any request")
    p.add_argument("--allow-loopback", action="store_true", help="allow 127.0.0.1 and ::1 "
                   "(for testing against a local server)")
    p.set_defaults(func=_cmd_collect)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``discourse`` command; return its exit code (never raise a traceback)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("n_themes", "top", "min_count", "repeats", "boot"):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if getattr(args, "max_bytes", 1) < 1:
        parser.error("--max-bytes must be at least 1")
    if getattr(args, "splits", 2) < 2:
        parser.error("--splits must be at least 2")
    if getattr(args, "max_chars", 0) < 0:
        parser.error("--max-chars must be 0 (no limit) or more")
    if getattr(args, "batch_size", None) is not None and args.batch_size < 1:
        parser.error("--batch-size must be at least 1")
    if getattr(args, "n_jobs", 1) == 0:
        parser.error("--n-jobs must be 1 or more, or -1 for one per core")
    confidence = getattr(args, "min_confidence", None)
    if confidence is not None and not 0 <= confidence <= 1:
        parser.error("--min-confidence must be between 0 and 1")
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
