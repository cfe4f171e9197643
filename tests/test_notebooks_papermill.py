"""The papermill check (scripts/run_papermill_checks.py) finds what it is meant to find.

Each test runs a tiny notebook written here through the check's own function, on a real
kernel: a figure whose title says "VPN" about another topic, a share drawn from one
statement without a word about it, an unknown parameter, an error; and a clean notebook.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("papermill")
nbformat = pytest.importorskip("nbformat")
from nbformat.v4 import new_code_cell, new_notebook  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _check_module():
    spec = importlib.util.spec_from_file_location(
        "run_papermill_checks", ROOT / "scripts" / "run_papermill_checks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHECK = _check_module()

FIGURE = """\
import pandas as pd
from matplotlib.figure import Figure

fig = Figure()
fig.suptitle({title!r})
fig.supxlabel({note!r})
fig.add_subplot().set_title("panel")
table = pd.DataFrame({{"n": [{n}, 12], "share": [1.0, 0.5]}})
fig  # a figure builder's cell: figures.figure_x(corpus)"""


def _notebook(tmp_path: Path, *cells: str, parameters: str | None = None) -> Path:
    if parameters is None:
        parameters = "\n".join(f"{name} = None" for name in CHECK.PARAMETER_NAMES)
    first = new_code_cell(parameters)
    first.metadata["tags"] = ["parameters"]
    path = tmp_path / "01_tiny.ipynb"
    nbformat.write(new_notebook(cells=[first, *map(new_code_cell, cells)],
                                metadata={"kernelspec": {"name": "python3",
                                                         "display_name": "Python 3",
                                                         "language": "python"}}), path)
    return path


def test_a_clean_notebook_passes(tmp_path):
    path = _notebook(tmp_path, FIGURE.format(title="Statements on age limits", note="n = 14",
                                             n=5))
    assert CHECK.check_notebook(path, "other-topic", tmp_path) == []


def test_vpn_wording_and_an_unannounced_small_cell_are_found(tmp_path):
    cells = [FIGURE.format(title="Statements on VPN regulation", note="Source: corpus", n=1),
             "from IPython.display import Markdown\nMarkdown('- Most VPN users oppose.')"]
    problems = CHECK.check_notebook(_notebook(tmp_path, *cells), "other-topic", tmp_path)
    assert any("figure text says 'VPN'" in p for p in problems)
    assert any("rendered Markdown says 'VPN'" in p for p in problems)
    assert any("n = 1 without saying so" in p for p in problems)


def test_a_small_cell_that_is_announced_passes(tmp_path):
    cell = FIGURE.format(title="Stance", note="Hatched: cells of n < 3 statements", n=2)
    assert CHECK.check_notebook(_notebook(tmp_path, cell), "other-topic", tmp_path) == []


def test_errors_and_missing_parameters_are_found(tmp_path):
    path = _notebook(tmp_path, "raise ValueError('boom')", parameters="CORPUS_PATH = None")
    problems = CHECK.check_notebook(path, "india", tmp_path)
    assert any(p.startswith("error:") and "boom" in p for p in problems)
    assert any("unknown parameter" in p for p in problems)
