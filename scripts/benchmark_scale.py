"""Time each step of the kit against its plain pandas / scikit-learn equivalent, at scale.

Usage::

    python scripts/benchmark_scale.py [--sizes 1000,10000] [--steps load,validate,...]
                                      [--json] [--timeout SECONDS] [--keep DIR]

For each size ``n`` a synthetic corpus of ``n`` statements is written as CSV: rows of the
shipped corpus drawn with replacement by a seeded generator (``--seed``, default 0), each
given a unique id (``<id>-s<i>``) and a new text of 2 to 5 sentences drawn from all the
corpus's sentences, so that texts are new but the vocabulary and every code stay real.
Then every step runs twice, the kit's way and the plain way, each in a fresh Python process
(after a warm-up read of the shipped corpus, so that imports are not timed; its wall time
is measured inside it, around the step only; its peak resident memory is
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of the whole process, imports and the table
the step starts from included):

========  =====================================  ===========================================
step      the kit                                plain pandas / scikit-learn
========  =====================================  ===========================================
load      ``load_corpus(path)``                  ``pandas.read_csv(path, dtype=str,
                                                 keep_default_na=False)``
validate  ``validate_corpus(path)``              the same ``read_csv`` (no checks)
themes    ``ThemeModel(n_themes=9).fit``         ``TfidfVectorizer`` + ``NMF(9)``
terms     ``contrast.distinctive_terms``         ``CountVectorizer`` + sums per group
label     ``label.label_texts`` (model fitted    ``TfidfVectorizer`` + ``LogisticRegression``
          on the shipped corpus beforehand)      ``predict_proba`` (fitted beforehand)
figures   ``figures.write_figures``              (none)
========  =====================================  ===========================================

The analysis steps get their table from ``load_corpus`` (kit) or ``read_csv`` (plain)
before the clock starts. One line per step and size is printed; with ``--json`` one JSON
object per line: ``step``, ``n``, ``seconds``, ``peak_mb``, ``raw_seconds``,
``raw_peak_mb``, ``ratio`` (kit seconds / plain seconds; null without a plain step or if a
run failed or timed out, with ``error``). The targets of the scale work are printed at the
end (to stderr with ``--json``); nothing is asserted: machines are shared and noisy.
Only public functions of the kit are called, so the harness keeps working as they change.
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

STEPS = ("load", "validate", "themes", "terms", "label", "figures")
NO_LIMIT = 10**13  # max_bytes for synthetic files (the default limit is 100 MB)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def synthetic_corpus(n: int, seed: int = 0, source: str | os.PathLike[str] | None = None) -> str:
    """Return a CSV corpus of ``n`` statements resampled from ``source`` (default: shipped).

    Rows are drawn with replacement; each gets the id ``<id>-s<i>`` and a text of 2 to 5
    sentences drawn from the sentences of all texts. The same ``n`` and ``seed`` give the
    same bytes.
    """
    from discourse.paths import shipped_corpus_file

    with open(source or shipped_corpus_file(), encoding="utf-8-sig", newline="") as handle:
        header, *body = list(csv.reader(handle))
    id_col, text_col = header.index("id"), header.index("text")
    sentences = [s for row in body for s in _SENTENCE_END.split(row[text_col].strip()) if s]
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(body), size=n)
    counts = rng.integers(2, 6, size=n)
    drawn = rng.integers(0, len(sentences), size=int(counts.sum()))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    start = 0
    for i, (pick, count) in enumerate(zip(picks.tolist(), counts.tolist(), strict=True)):
        row = list(body[pick])
        row[id_col] = f"{row[id_col]}-s{i}"
        row[text_col] = " ".join(sentences[j] for j in drawn[start:start + count].tolist())
        start += count
        writer.writerow(row)
    return out.getvalue()


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
            return lambda: ThemeModel(n_themes=9).fit(corpus["text"], actors=corpus["actor"])
        from sklearn.decomposition import NMF
        from sklearn.feature_extraction.text import TfidfVectorizer

        table = _plain_table(path)

        def plain_themes():
            X = TfidfVectorizer(stop_words="english", min_df=2).fit_transform(table["text"])
            return NMF(n_components=9, init="nndsvda", random_state=0, max_iter=1000).fit(X)

        return plain_themes
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

            shipped = load_corpus()
            texts = _kit_table(path)["text"].tolist()
            label_texts(texts[:1], shipped)  # fits (or loads) the cached model: untimed
            return lambda: label_texts(texts, shipped)
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


def _run_here(step: str, side: str, path: str, work: str) -> dict:
    _warm_up(side)
    fn = _prepare(step, side, path, work)
    if fn is None:
        return {"seconds": None, "peak_mb": None}
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {"seconds": round(seconds, 3), "peak_mb": round(peak, 1)}


# -- the driver -----------------------------------------------------------------------------


def _run(step: str, side: str, path: Path, work: Path, timeout: float) -> dict:
    """Run one side of one step in a fresh process.

    Linux keeps ``ru_maxrss`` across ``exec``: a child starts with the peak of the process
    it was forked from. So this driver never holds a corpus (it is written by a
    subprocess too), and its own small peak is the floor of every reported figure.
    """
    if step == "figures" and side == "raw":
        return {"seconds": None, "peak_mb": None}
    command = [sys.executable, __file__, "--run", step, side, str(path), str(work)]
    env = {**os.environ, "TQDM_DISABLE": "1", "DISCOURSE_CACHE": str(work / "cache")}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"seconds": None, "peak_mb": None, "error": f"timed out after {timeout:.0f} s"}
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        return {"seconds": None, "peak_mb": None, "error": tail}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated numbers of "
                        "statements (default 1000,10000)")
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated steps "
                        f"(default all: {','.join(STEPS)})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic corpora")
    parser.add_argument("--timeout", type=float, default=1800, help="longest run of one step, "
                        "in seconds (default 1800)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--keep", default=None, metavar="DIR", help="write the corpora here "
                        "and keep them (default: a temporary folder)")
    parser.add_argument("--run", nargs=4, help=argparse.SUPPRESS)  # STEP SIDE PATH WORK
    parser.add_argument("--generate", nargs=3, help=argparse.SUPPRESS)  # N SEED PATH
    args = parser.parse_args(argv)
    if args.run:
        print(json.dumps(_run_here(*args.run)))
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
                kit = _run(step, "kit", path, Path(tmp), args.timeout)
                raw = _run(step, "raw", path, Path(tmp), args.timeout)
                ratio = (round(kit["seconds"] / raw["seconds"], 2)
                         if kit["seconds"] and raw["seconds"] else None)
                row = {"step": step, "n": n, "seconds": kit["seconds"],
                       "peak_mb": kit["peak_mb"], "raw_seconds": raw["seconds"],
                       "raw_peak_mb": raw["peak_mb"], "ratio": ratio}
                errors = "; ".join(r["error"] for r in (kit, raw) if "error" in r)
                if errors:
                    row["error"] = errors
                results.append(row)
                if args.json:
                    print(json.dumps(row), flush=True)
                else:
                    def show(value, fmt):
                        return format(value, fmt) if value is not None else "-"
                    print(f"{step:<9} {n:>9} {show(row['seconds'], '9.2f')} "
                          f"{show(row['peak_mb'], '9.0f')} {show(row['raw_seconds'], '9.2f')} "
                          f"{show(row['raw_peak_mb'], '9.0f')} {show(ratio, '7.2f')}"
                          + (f"  ({errors})" if errors else ""), flush=True)
    _targets(results, info)
    return 0


def _targets(results: list[dict], out) -> None:
    """Print the scale targets and whether this run met them."""
    from discourse import load_corpus
    from discourse.corpus import corpus_digest

    loads = [r for r in results if r["step"] == "load" and r["ratio"] is not None]
    if loads:
        big = max(loads, key=lambda r: r["n"])
        verdict = "met" if big["ratio"] <= 2 else "NOT met"
        print(f"# target: load_corpus <= 2 x pandas.read_csv at 10^6 statements; at n="
              f"{big['n']}: {big['ratio']:.2f} x ({verdict})", file=out)
    print(f"# shipped corpus digest: {corpus_digest(load_corpus())} (tests/test_corpus_columns"
          ".py checks that both readers give this same table)", file=out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
