"""Time each step of the kit against its plain pandas / scikit-learn equivalent, at scale.

Usage::

    python scripts/benchmark.py [--sizes 1000,10000,100000,1000000] [--json]
                                [--steps load,validate,...] [--timeout SECONDS] [--keep DIR]
                                [--themes-params JSON] [--label-params JSON]

(``make benchmark`` runs it at ``BENCH_SIZES``; the shipped corpus's timings are in
``scripts/benchmark_corpus.py``.) For each size ``n`` a synthetic corpus of ``n`` statements
is written as CSV: rows of the shipped corpus drawn with replacement by a seeded generator
(``--seed``, default 0), each given a unique id (``<id>-s<i>``) and a new text of 2 to 5
sentences drawn from the sentences of the shipped statements that share its first frame (the
frameless ones pool theirs), so that texts are new but the vocabulary and every code stay
real, and each statement's first frame is a planted theme. Then every step runs twice, the
kit's way and the plain way, each in a fresh Python process (after a warm-up read of the
shipped corpus, so that imports are not timed; its wall time is measured inside it, around
the step only; its peak resident memory is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of
the whole process, imports and the table the step starts from included):

=========  ====================================  ==========================================
step       the kit                               plain pandas / scikit-learn
=========  ====================================  ==========================================
load       ``load_corpus(path)``                 ``pandas.read_csv(path, dtype=str,
                                                 keep_default_na=False)``
validate   ``validate_corpus(path)``             the same ``read_csv`` (no checks)
themes     ``ThemeModel(n_themes=12,             ``TfidfVectorizer`` + ``NMF(12)``
           **themes_params).fit``                ``.fit_transform``
terms      ``contrast.distinctive_terms``        ``CountVectorizer`` + sums per group
label      ``label.label_texts(texts,            ``TfidfVectorizer`` + ``LogisticRegression``
           **label_params)`` (model fitted on    ``predict_proba`` (fitted beforehand)
           the shipped corpus beforehand)
label_cli  ``discourse label --lines FILE        (none)
           --out OUT.csv``, a subprocess, on
           one text per line
figures    ``figures.write_figures``             (none)
=========  ====================================  ==========================================

The analysis steps get their table from ``load_corpus`` (kit) or ``read_csv`` (plain)
before the clock starts. Only public functions of the kit are called, so the harness keeps
working as they change; ``--themes-params '{"batch_size": 4096}'`` and ``--label-params
'{"n_jobs": 2}'`` pass JSON keyword arguments to ``ThemeModel`` and ``label_texts``.

One line per step and size is printed; with ``--json`` one JSON object per line: ``step``,
``n``, ``seconds``, ``peak_mb``, ``raw_seconds``, ``raw_peak_mb``, ``ratio`` (kit seconds /
plain seconds; null without a plain step, or if a run failed or timed out, with ``error``),
and for ``themes`` ``nmi`` and ``raw_nmi`` (scikit-learn's ``normalized_mutual_info_score``
of each statement's dominant theme against its planted first frame, for the kit and for the
plain NMF), for ``label`` and ``label_cli`` ``texts_per_s``. ``label_cli`` times the whole
command (start-up, reading, labelling, writing) and its peak memory is the command's own
(``RUSAGE_CHILDREN``). The targets of the scale work are printed at the end (to stderr with
``--json``); nothing is asserted: machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

STEPS = ("load", "validate", "themes", "terms", "label", "label_cli", "figures")
#: Steps without a plain equivalent.
KIT_ONLY = ("label_cli", "figures")
N_THEMES = 12
NO_LIMIT = 10**13  # max_bytes for synthetic files (the default limit is 100 MB)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def synthetic_corpus(n: int, seed: int = 0, source: str | os.PathLike[str] | None = None) -> str:
    """Return a CSV corpus of ``n`` statements resampled from ``source`` (default: shipped).

    Rows are drawn with replacement; each gets the id ``<id>-s<i>`` and a text of 2 to 5
    sentences drawn from the sentences of the texts that share its first frame (the texts
    without a frame pool theirs). The same ``n`` and ``seed`` give the same bytes.
    """
    from discourse.paths import shipped_corpus_file

    with open(source or shipped_corpus_file(), encoding="utf-8-sig", newline="") as handle:
        header, *body = list(csv.reader(handle))
    id_col, text_col = header.index("id"), header.index("text")
    frame_col = header.index("frames")
    pools: dict[str, list[str]] = {}
    for row in body:
        pools.setdefault(_first_frame(row[frame_col]), []).extend(
            s for s in _SENTENCE_END.split(row[text_col].strip()) if s)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(body), size=n)
    counts = rng.integers(2, 6, size=n)
    draws = rng.random(size=int(counts.sum()))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    start = 0
    for i, (pick, count) in enumerate(zip(picks.tolist(), counts.tolist(), strict=True)):
        row = list(body[pick])
        pool = pools[_first_frame(row[frame_col])]
        row[id_col] = f"{row[id_col]}-s{i}"
        row[text_col] = " ".join(pool[int(u * len(pool))]
                                 for u in draws[start:start + count].tolist())
        start += count
        writer.writerow(row)
    return out.getvalue()


def _first_frame(value: str) -> str:
    """The first frame code of a ``frames`` value (``""`` if none): the planted theme."""
    return next((part.strip() for part in value.split(";") if part.strip()), "")


def _planted(path: str) -> list[str]:
    import pandas as pd

    return [_first_frame(v) for v in pd.read_csv(path, dtype=str, keep_default_na=False,
                                                 usecols=["frames"])["frames"]]


def _nmi(dominant, path: str) -> float:
    from sklearn.metrics import normalized_mutual_info_score

    return round(float(normalized_mutual_info_score(_planted(path), list(dominant))), 4)


def _params(name: str) -> dict:
    """JSON keyword arguments from the environment (set by the driver's --*-params)."""
    return json.loads(os.environ.get(name) or "{}")


# -- one step, one side, in this process (called as a subprocess) -----------------------------


def _plain_table(path: str):
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _kit_table(path: str):
    from discourse import load_corpus  # imported by the warm-up already

    return load_corpus(path, max_bytes=NO_LIMIT, progress=False)


def _prepare(step: str, side: str, path: str, work: str):
    """Return the function to time (everything before it is untimed)."""
    if step == "load":
        return (lambda: _kit_table(path)) if side == "kit" else (lambda: _plain_table(path))
    if step == "validate":
        if side == "kit":
            from discourse import validate_corpus

            return lambda: validate_corpus(path, max_bytes=NO_LIMIT, progress=False)
        return lambda: _plain_table(path)
    if step == "themes":
        if side == "kit":
            from discourse.themes import ThemeModel

            corpus = _kit_table(path)

            def kit_themes():
                model = ThemeModel(n_themes=N_THEMES, **_params("BENCH_THEMES_PARAMS"))
                return model.fit(corpus["text"], actors=corpus["actor"])

            return kit_themes, lambda model: {"nmi": _nmi(_dominant(model, corpus), path)}
        from sklearn.decomposition import NMF
        from sklearn.feature_extraction.text import TfidfVectorizer

        table = _plain_table(path)

        def plain_themes():
            X = TfidfVectorizer(stop_words="english", min_df=2).fit_transform(table["text"])
            return NMF(n_components=N_THEMES, init="nndsvda", random_state=0,
                       max_iter=1000).fit_transform(X)

        def plain_nmi(W):
            return {"nmi": _nmi(np.where(W.sum(axis=1) > 0, W.argmax(axis=1), -1), path)}

        return plain_themes, plain_nmi
    if step == "terms":
        if side == "kit":
            from discourse.contrast import distinctive_terms

            corpus = _kit_table(path)
            return lambda: distinctive_terms(corpus)
        import pandas as pd
        import scipy.sparse as sp
        from sklearn.feature_extraction.text import CountVectorizer

        table = _plain_table(path)

        def plain_terms():
            counts = CountVectorizer(stop_words="english", ngram_range=(1, 2),
                                     min_df=2).fit_transform(table["text"])
            codes, groups = pd.factorize(table["group"], sort=True)
            onehot = sp.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                                   shape=(len(groups), len(codes)))
            return onehot @ counts

        return plain_terms
    if step == "label":
        if side == "kit":
            from discourse import load_corpus
            from discourse.label import label_texts

            params = _params("BENCH_LABEL_PARAMS")
            shipped = load_corpus()
            texts = _kit_table(path)["text"].tolist()
            label_texts(texts[:1], shipped, **params)  # fits (or loads) the model: untimed
            return (lambda: label_texts(texts, shipped, **params),
                    lambda _: {"texts_per_s": None})
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        from discourse.paths import shipped_corpus_file

        train = _plain_table(str(shipped_corpus_file()))
        train = train[train["stance"] != ""]
        model = make_pipeline(TfidfVectorizer(stop_words="english", min_df=2),
                              LogisticRegression(max_iter=1000))
        model.fit(train["text"], train["stance"])
        texts = _plain_table(path)["text"]
        return lambda: model.predict_proba(texts)
    if step == "label_cli":
        if side == "raw":
            return None
        lines = Path(work) / "statements.txt"
        out = Path(work) / "labelled.csv"
        # written by a small streaming subprocess: a child forked from a process that held
        # the corpus would start from that process's peak memory (see _run)
        subprocess.run([sys.executable, __file__, "--write-lines", path, str(lines)],
                       check=True)
        command = [str(Path(sys.executable).with_name("discourse")), "label",
                   "--lines", str(lines), "--out", str(out)]
        if not Path(command[0]).exists():
            command[:1] = [sys.executable, "-m", "discourse"]
        # fit (or load) the cached labellers first, untimed, as the label step does
        from discourse import load_corpus
        from discourse.label import label_texts

        label_texts(["The regulator ordered ISPs to block VPNs."], load_corpus())

        def cli():
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                tail = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
                raise RuntimeError(f"discourse label --lines/--out failed: {tail}")
            return done

        return cli, lambda _: {"texts_per_s": None, "child": True}
    if step == "figures":
        if side == "raw":
            return None
        from discourse.figures import write_figures

        corpus = _kit_table(path)
        return lambda: write_figures(corpus, Path(work) / "figures", corpus_path=path)
    raise ValueError(f"unknown step '{step}'; steps are {', '.join(STEPS)}")


def _warm_up(side: str) -> None:
    """Import and run the reader once on the shipped corpus, so that neither side pays for
    imports or pandas' first-call set-up inside the timed step."""
    from discourse.paths import shipped_corpus_file

    if side == "kit":
        from discourse import load_corpus

        load_corpus(shipped_corpus_file(), progress=False)
    else:
        _plain_table(str(shipped_corpus_file()))


def _dominant(model, corpus) -> np.ndarray:
    """Each statement's dominant theme (-1 if none): the fitted attribute, else transform."""
    dominant = getattr(model, "dominant_theme_", None)
    if dominant is not None:
        return np.asarray(dominant)
    weights = model.transform(corpus["text"])
    return np.where(weights.sum(axis=1) > 0, weights.argmax(axis=1), -1)


def _run_here(step: str, side: str, path: str, work: str) -> dict:
    _warm_up(side)
    prepared = _prepare(step, side, path, work)
    if prepared is None:
        return {"seconds": None, "peak_mb": None}
    fn, extras = prepared if isinstance(prepared, tuple) else (prepared, None)
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    found = extras(result) if extras else {}
    if found.pop("child", False):  # the step's work ran in a subprocess: its own peak
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    row = {"seconds": round(seconds, 3), "peak_mb": round(peak, 1)}
    if "texts_per_s" in found:
        found["texts_per_s"] = round(_count_rows(path) / seconds, 1)
    return {**row, **found}


def _count_rows(path: str) -> int:
    return len(_plain_table(path))


# -- the driver -----------------------------------------------------------------------------


def _run(step: str, side: str, path: Path, work: Path, timeout: float,
         params: dict[str, str]) -> dict:
    """Run one side of one step in a fresh process.

    Linux keeps ``ru_maxrss`` across ``exec``: a child starts with the peak of the process
    it was forked from. So this driver never holds a corpus (it is written by a
    subprocess too), and its own small peak is the floor of every reported figure.
    """
    if step in KIT_ONLY and side == "raw":
        return {"seconds": None, "peak_mb": None}
    command = [sys.executable, __file__, "--run", step, side, str(path), str(work)]
    env = {**os.environ, "TQDM_DISABLE": "1", "DISCOURSE_CACHE": str(work / "cache"),
           **params}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "peak_mb": None, "error": f"timed out after {timeout:.0f} s"}
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        return {"seconds": None, "peak_mb": None, "error": tail}
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_lines(source: str, target: str) -> None:
    """Write the texts of a CSV corpus one per line (white space runs made one space),
    reading and writing row by row so that memory stays small."""
    with open(source, encoding="utf-8", newline="") as handle, \
            open(target, "w", encoding="utf-8", newline="\n") as out:
        rows = csv.reader(handle)
        column = next(rows).index("text")
        for row in rows:
            out.write(" ".join(row[column].split()) + "\n")


def markdown_table(path: Path) -> str:
    """Return the JSON lines of a run (``--json`` output) as a Markdown table.

    Lines that are not JSON objects (comments, blank lines) are skipped; numbers are shown
    as the run printed them, a missing one as a dash, an error in the last column.
    """
    def cell(value: object, digits: int | None = None) -> str:
        if value is None:
            return "–"
        if isinstance(value, float) and digits is not None:
            return f"{value:,.{digits}f}"
        return f"{value:,}" if isinstance(value, int) else str(value)

    lines = ["| step | n | kit s | kit peak MB | plain s | plain peak MB | kit / plain "
             "| NMI kit / plain | texts/s | error |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for text in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(text)
        except json.JSONDecodeError:
            continue
        if not isinstance(row, dict) or "step" not in row:
            continue
        nmi = (f"{cell(row['nmi'])} / {cell(row.get('raw_nmi'))}"
               if row.get("nmi") is not None else "–")
        lines.append(" | ".join([
            f"| {row['step']}", f"10^{len(str(row['n'])) - 1}"
            if str(row["n"]).rstrip("0") == "1" else cell(row["n"]),
            cell(row.get("seconds"), 2), cell(row.get("peak_mb"), 0),
            cell(row.get("raw_seconds"), 2), cell(row.get("raw_peak_mb"), 0),
            cell(row.get("ratio")), nmi, cell(row.get("texts_per_s"), 0),
            f"{row.get('error', '')} |"]))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated numbers of "
                        "statements (default 1000,10000; the issue's table: "
                        "1000,10000,100000,1000000)")
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated steps "
                        f"(default all: {','.join(STEPS)})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic corpora")
    parser.add_argument("--timeout", type=float, default=1800, help="longest run of one step, "
                        "in seconds (default 1800)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--keep", default=None, metavar="DIR", help="write the corpora here "
                        "and keep them (default: a temporary folder)")
    parser.add_argument("--themes-params", default="{}", metavar="JSON", help="keyword "
                        "arguments for ThemeModel, as a JSON object (default {})")
    parser.add_argument("--label-params", default="{}", metavar="JSON", help="keyword "
                        "arguments for label.label_texts, as a JSON object (default {})")
    parser.add_argument("--table", default=None, metavar="FILE", help="print the JSON lines "
                        "of an earlier run (--json > FILE) as a Markdown table, and exit")
    parser.add_argument("--run", nargs=4, help=argparse.SUPPRESS)  # STEP SIDE PATH WORK
    parser.add_argument("--generate", nargs=3, help=argparse.SUPPRESS)  # N SEED PATH
    parser.add_argument("--write-lines", nargs=2, help=argparse.SUPPRESS)  # CSV TXT
    args = parser.parse_args(argv)
    if args.table:
        print(markdown_table(Path(args.table)))
        return 0
    if args.run:
        print(json.dumps(_run_here(*args.run)))
        return 0
    if args.write_lines:
        write_lines(*args.write_lines)
        return 0
    if args.generate:
        n, seed, path = args.generate
        Path(path).write_text(synthetic_corpus(int(n), int(seed)), encoding="utf-8",
                              newline="")
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = [s for s in steps if s not in STEPS]
    if unknown or not sizes or min(sizes) < 1:
        parser.error(f"--steps: choose from {', '.join(STEPS)}; --sizes: positive numbers")
    params = {}
    for option, name in (("themes_params", "BENCH_THEMES_PARAMS"),
                         ("label_params", "BENCH_LABEL_PARAMS")):
        try:
            value = json.loads(getattr(args, option))
        except json.JSONDecodeError as err:
            parser.error(f"--{option.replace('_', '-')}: not JSON ({err})")
        if not isinstance(value, dict):
            parser.error(f"--{option.replace('_', '-')}: give a JSON object, such as "
                         '\'{"batch_size": 4096}\'')
        params[name] = json.dumps(value)
    info = sys.stderr if args.json else sys.stdout
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}", file=info)
    if not args.json:
        print(f"{'step':<9} {'n':>9} {'seconds':>9} {'peak MB':>9} {'plain s':>9} "
              f"{'plain MB':>9} {'ratio':>7}")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            path = folder / f"synthetic-{n}-seed{args.seed}.csv"
            if not path.exists():  # in a subprocess: this one stays small (see _run)
                subprocess.run([sys.executable, __file__, "--generate", str(n), str(args.seed),
                                str(path)], check=True)
            for step in steps:
                kit = _run(step, "kit", path, Path(tmp), args.timeout, params)
                raw = _run(step, "raw", path, Path(tmp), args.timeout, params)
                ratio = (round(kit["seconds"] / raw["seconds"], 2)
                         if kit["seconds"] and raw["seconds"] else None)
                row = {"step": step, "n": n, "seconds": kit["seconds"],
                       "peak_mb": kit["peak_mb"], "raw_seconds": raw["seconds"],
                       "raw_peak_mb": raw["peak_mb"], "ratio": ratio}
                if step == "themes":
                    row["nmi"], row["raw_nmi"] = kit.get("nmi"), raw.get("nmi")
                if step in ("label", "label_cli"):
                    row["texts_per_s"] = kit.get("texts_per_s")
                errors = "; ".join(r["error"] for r in (kit, raw) if "error" in r)
                if errors:
                    row["error"] = errors
                results.append(row)
                if args.json:
                    print(json.dumps(row), flush=True)
                else:
                    def show(value, fmt):
                        width = int(fmt.split(".")[0])
                        return format(value, fmt) if value is not None else "-".rjust(width)
                    print(f"{step:<9} {n:>9} {show(row['seconds'], '9.2f')} "
                          f"{show(row['peak_mb'], '9.0f')} {show(row['raw_seconds'], '9.2f')} "
                          f"{show(row['raw_peak_mb'], '9.0f')} {show(ratio, '7.2f')}"
                          + "".join(f"  {k}={row[k]}" for k in ("nmi", "raw_nmi",
                                                                 "texts_per_s") if k in row)
                          + (f"  ({errors})" if errors else ""), flush=True)
    _targets(results, info)
    return 0


def _targets(results: list[dict], out) -> None:
    """Print the scale targets and how the largest run of each step compares (not asserted)."""
    from discourse import load_corpus
    from discourse.corpus import corpus_digest

    def largest(step: str) -> dict | None:
        rows = [r for r in results if r["step"] == step and r["seconds"] is not None]
        return max(rows, key=lambda r: r["n"]) if rows else None

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    print("# targets (at 10^6 statements; printed, not asserted):", file=out)
    row = largest("themes")
    line = "#   themes no slower than plain TF-IDF + NMF, peak <= 2 GB"
    if row and row["raw_seconds"]:
        line += (f"; at n={row['n']}: {row['ratio']:.2f} x, {row['peak_mb']:.0f} MB, NMI "
                 f"{row.get('nmi')} (plain {row.get('raw_nmi')}) "
                 f"({verdict(row['ratio'] <= 1 and row['peak_mb'] <= 2048)})")
    print(line, file=out)
    row = largest("load")
    line = "#   load_corpus <= 2 x pandas.read_csv"
    if row and row["ratio"] is not None:
        line += f"; at n={row['n']}: {row['ratio']:.2f} x ({verdict(row['ratio'] <= 2)})"
    print(line, file=out)
    row = largest("label")
    line = "#   label >= 5,000 texts/s, peak <= 1 GB"
    if row and row.get("texts_per_s"):
        line += (f"; at n={row['n']}: {row['texts_per_s']:,.0f} texts/s, "
                 f"{row['peak_mb']:.0f} MB "
                 f"({verdict(row['texts_per_s'] >= 5000 and row['peak_mb'] <= 1024)})")
    print(line, file=out)
    row = largest("figures")
    line = "#   figures peak <= 2 GB"
    if row:
        line += f"; at n={row['n']}: {row['peak_mb']:.0f} MB ({verdict(row['peak_mb'] <= 2048)})"
    print(line, file=out)
    print(f"# shipped corpus digest: {corpus_digest(load_corpus())} (tests/test_corpus_columns"
          ".py checks that both readers give this same table)", file=out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
