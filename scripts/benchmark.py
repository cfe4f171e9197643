"""Print timings and peak memory of the kit's main steps on the shipped corpus.

Usage: python scripts/benchmark.py [--repeat N]   (or `make benchmark`)

Benchmarks print figures; they assert nothing (machines are shared and noisy). Each step is
run N times (default 3); the first (cold) run and the median wall time are reported, then
the process's peak resident memory after all steps.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import discourse
from discourse import contrast, evaluate, figures, themes
from discourse.label import fit_labellers


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Return the first run's time (cold: imports and file caches) and the median of all."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    corpus = discourse.load_corpus()
    with tempfile.TemporaryDirectory() as tmp:
        steps: list[tuple[str, Callable[[], object]]] = [
            ("load_corpus (shipped)", discourse.load_corpus),
            ("validate_corpus (shipped)", discourse.validate_corpus),
            ("ThemeModel(n_themes=9).fit", lambda: themes.ThemeModel(n_themes=9).fit(
                corpus["text"], actors=corpus["actor"])),
            ("choose_n_themes (k = 4..12)", lambda: themes.choose_n_themes(
                corpus["text"], corpus["actor"])),
            ("distinctive_terms (by group)", lambda: contrast.distinctive_terms(corpus)),
            ("fit_labellers", lambda: fit_labellers(corpus)),
            ("evaluate (5 folds x 3 repeats)", lambda: evaluate.evaluate(corpus)),
            ("  stance classifier alone", lambda: evaluate.out_of_fold_predictions(corpus)),
            ("write_figures (7 figures)", lambda: figures.write_figures(corpus, Path(tmp))),
        ]
        print(f"discourse {discourse.__version__}, {len(corpus)} statements; seconds for the "
              f"first run (cold) and the median of {args.repeat} runs (later runs can use "
              "warm caches; evaluate keeps nothing between calls)")
        for name, fn in steps:
            first, median = timed(fn, args.repeat)
            print(f"{name:<34} {first:8.2f} {median:8.2f}", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak resident memory':<34} {peak:8.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
