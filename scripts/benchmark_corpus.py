"""Print timings and peak memory of the kit's main steps on the shipped corpus.

Usage: python scripts/benchmark_corpus.py [--repeat N]   (or `make benchmark-corpus`)

Timings at scale, against plain pandas / scikit-learn: ``scripts/benchmark.py``.

With the encoder extra installed it also reports the sentence encoder's speed (texts per
second, each distinct text of the corpus and the other-genre set encoded once) and the
evaluation with ``features="tfidf+encoder"``.

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
from discourse.features import encode_texts, encoder_available, load_encoder
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
            ("  without the other genres", lambda: evaluate.evaluate(corpus, external=False)),
            ("  stance classifier alone", lambda: evaluate.out_of_fold_predictions(corpus)),
            ("write_figures (7 figures)", lambda: figures.write_figures(corpus, Path(tmp))),
        ]
        print(f"discourse {discourse.__version__}, {len(corpus)} statements; seconds for the "
              f"first run (cold) and the median of {args.repeat} runs (later runs can use "
              "warm caches; evaluate keeps nothing between calls)")
        for name, fn in steps:
            first, median = timed(fn, args.repeat)
            print(f"{name:<34} {first:8.2f} {median:8.2f}", flush=True)
        if encoder_available():
            texts = sorted({*corpus["text"].astype(str),
                            *evaluate.load_external()["text"].astype(str)})
            start = time.perf_counter()
            model = load_encoder()
            loaded = time.perf_counter() - start
            start = time.perf_counter()
            encode_texts(texts, model)
            seconds = time.perf_counter() - start
            print(f"{'load the sentence encoder':<34} {loaded:8.2f}")
            print(f"{'encode ' + str(len(texts)) + ' distinct texts':<34} {seconds:8.2f}"
                  f"   ({len(texts) / seconds:.1f} texts/s)", flush=True)
            first, _ = timed(lambda: evaluate.evaluate(corpus, features="tfidf+encoder"), 1)
            print(f"{'evaluate, tfidf+encoder (1 run)':<34} {first:8.2f}", flush=True)
        else:
            print("sentence encoder: not installed (pip install -e '.[encoder]')")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'peak resident memory':<34} {peak:8.0f} MB")


if __name__ == "__main__":
    main(sys.argv[1:])
