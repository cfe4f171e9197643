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


def test_a_saved_run_prints_as_a_markdown_table(tmp_path):
    rows = [{"step": "themes", "n": 1000000, "seconds": 167.612, "peak_mb": 3301.9,
             "raw_seconds": 164.377, "raw_peak_mb": 2768.8, "ratio": 1.02, "nmi": 0.7012,
             "raw_nmi": 0.4543},
            {"step": "label_cli", "n": 25000, "seconds": None, "peak_mb": None,
             "raw_seconds": None, "raw_peak_mb": None, "ratio": None, "texts_per_s": None,
             "error": "timed out after 10 s"}]
    saved = tmp_path / "run.jsonl"
    saved.write_text("# 2026-12-07, 2 cores\n" + "\n".join(json.dumps(r) for r in rows) + "\n",
                     encoding="utf-8")
    done = _harness("--table", str(saved), tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    header, rule, *body = done.stdout.splitlines()
    assert header.startswith("| step | n |") and rule.startswith("|---|")
    assert body == [
        "| themes | 10^6 | 167.61 | 3,302 | 164.38 | 2,769 | 1.02 | 0.7012 / 0.4543 | – |  |",
        "| label_cli | 25,000 | – | – | – | – | – | – | – | timed out after 10 s |"]
