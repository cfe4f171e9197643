"""Draw the statements that a second coder codes blind, stratified by group and stance.

Usage: python scripts/draw_agreement_sample.py [--size 150] [--seed 0] [--research] > FILE.csv

With --research, only the rows added from the project's own research records
(corpus/research/*.jsonl, the statements added after the register) are drawn from.

Each group x stance cell gives min(cell size, max(10, ceil(cell size * size / rows)))
statements, drawn with a seeded generator, so small cells (neutral, conditional) are
represented in full or well beyond their share. The output lists ids only; the texts the
coder sees are written separately, under opaque unit numbers, without codes or ids.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

from discourse import load_corpus

RESEARCH = Path(__file__).resolve().parent.parent / "corpus" / "research"


def research_ids() -> set[str]:
    """Ids of the statements added from the project's own research records."""
    ids = set()
    for path in sorted(RESEARCH.glob("2*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                ids.add(json.loads(line)["id"])
    return ids


def draw(size: int, seed: int, research: bool = False) -> list[str]:
    corpus = load_corpus()
    if research:
        corpus = corpus[corpus["id"].isin(research_ids())]
    rng = np.random.default_rng(seed)
    picked: list[str] = []
    for (_, _), cell in corpus.sort_values("id").groupby(["group", "stance"], observed=True):
        n = min(len(cell), max(10, math.ceil(len(cell) * size / len(corpus))))
        picked += list(rng.choice(cell["id"].to_numpy(), size=n, replace=False))
    return sorted(picked)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=150)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--research", action="store_true",
                        help="draw only from the rows added from corpus/research")
    args = parser.parse_args()
    print("id")
    for ident in draw(args.size, args.seed, args.research):
        print(ident)
    return 0


if __name__ == "__main__":
    sys.exit(main())
