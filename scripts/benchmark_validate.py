"""Time ``validate_corpus`` on a large CSV full of broken rows (a check that validation is linear).

Usage: python scripts/benchmark_validate.py [--megabytes 50] [--rows-only]

Builds a CSV of about ``--megabytes`` MB in a temporary folder in which most rows are broken
in one of several ways (an extra field, an impossible date, an unknown code, an empty text, a
malformed URL, a duplicate id), then times one ``validate_corpus`` call over it and a second
over half of it. Linear validation takes about twice as long for twice the rows; the
problem-collection loop this replaced rescanned every problem for each broken row
(rows x problems). Prints figures; asserts nothing (machines are shared and noisy).
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
from pathlib import Path

from discourse import validate_corpus

HEADER = ["id", "date", "actor", "group", "text", "source_url", "stance"]
FILLER = ("The ministry said that providers would have to register every virtual private "
          "network with the regulator before the end of the year. ")


def broken_row(i: int) -> list[str]:
    row = [f"id-{i}", "2024-01-15", f"Actor {i % 997}", "state", FILLER, "https://example.org/a",
           "neutral"]
    kind = i % 7
    if kind == 0:
        row.append("extra")  # one field too many
    elif kind == 1:
        row[1] = "2024-02-30"  # impossible date
    elif kind == 2:
        row[3] = "ngo"  # unknown group code
    elif kind == 3:
        row[4] = " "  # empty text
    elif kind == 4:
        row[5] = "www.example.org"  # not a URL
    elif kind == 5:
        row[0] = f"id-{i - 1}"  # duplicate id (of a row with a bad URL)
    return row  # kind 6: a valid row


def write_csv(path: Path, megabytes: float) -> int:
    target = int(megabytes * 1_000_000)
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        while handle.tell() < target:
            for _ in range(1000):
                writer.writerow(broken_row(rows))
                rows += 1
    return rows


def time_validate(path: Path) -> tuple[float, int]:
    start = time.perf_counter()
    problems = validate_corpus(path, max_bytes=path.stat().st_size + 1)
    return time.perf_counter() - start, len(problems)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--megabytes", type=float, default=50.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        half, full = Path(tmp) / "half.csv", Path(tmp) / "full.csv"
        n_half = write_csv(half, args.megabytes / 2)
        n_full = write_csv(full, args.megabytes)
        print(f"{'file':<10} {'MB':>6} {'rows':>9} {'problems':>9} {'seconds':>8} {'rows/s':>9}")
        for name, path, n in (("half", half, n_half), ("full", full, n_full)):
            seconds, n_problems = time_validate(path)
            print(f"{name:<10} {path.stat().st_size / 1e6:6.1f} {n:9,d} {n_problems:9,d} "
                  f"{seconds:8.2f} {n / seconds:9,.0f}", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
