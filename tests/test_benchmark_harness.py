"""``scripts/benchmark.py`` runs at a tiny size and prints one JSON object per step and size."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "benchmark.py"
KEYS = {"step", "n", "seconds", "peak_mb", "raw_seconds", "raw_peak_mb", "ratio"}


def _harness(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=600, cwd=tmp_path)


def test_the_harness_prints_one_json_object_per_step_and_size(tmp_path):
    done = _harness("--sizes", "200", "--steps", "load,validate", "--json",
                    "--keep", str(tmp_path), tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["step"], r["n"]) for r in rows] == [("load", 200), ("validate", 200)]
    for row in rows:
        assert KEYS <= set(row), row
        assert "error" not in row, row
        assert row["seconds"] > 0 and row["raw_seconds"] > 0
        assert row["peak_mb"] > 0 and row["raw_peak_mb"] > 0
        assert row["ratio"] == pytest.approx(row["seconds"] / row["raw_seconds"], abs=0.01)
    assert "# targets" in done.stderr and "load_corpus <= 2 x pandas.read_csv" in done.stderr
    # the corpora are synthetic, seeded and kept: n statements each, with unique ids
    import pandas as pd

    table = pd.read_csv(tmp_path / "synthetic-200-seed0.csv", dtype=str, keep_default_na=False)
    assert len(table) == 200 and table["id"].is_unique


def test_the_harness_refuses_bad_options(tmp_path):
    for args in (["--steps", "nope"], ["--sizes", "0"], ["--themes-params", "[1]"],
                 ["--label-params", "{bad"]):
        done = _harness("--sizes", "10", *args, tmp_path=tmp_path) if args[0] != "--sizes" \
            else _harness(*args, tmp_path=tmp_path)
        assert done.returncode == 2, (args, done.stderr)
        assert "error:" in done.stderr
