"""Every notebook takes the same parameters, one a line, and hard-codes no statement.

Checked on the stored notebooks (the product) and on the cells ``scripts/make_notebooks.py``
writes (so that a rebuild keeps them so).
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PARAMETER_NAMES = _load_script("run_papermill_checks").PARAMETER_NAMES
#: A statement id of the shipped corpus: two letters, a date, a slug (pk-20241118-wispap).
STATEMENT_ID = re.compile(r"\b[a-z]{2}-20[0-9]{6}-[a-z0-9-]+")


def _stored() -> list[tuple[str, nbformat.NotebookNode]]:
    return [(p.name, nbformat.read(p, as_version=4))
            for p in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))]


def _built(tmp_path_factory) -> list[tuple[str, nbformat.NotebookNode]]:
    folder = tmp_path_factory.mktemp("built")
    _load_script("make_notebooks").main(folder)
    return [(f"built/{p.name}", nbformat.read(p, as_version=4))
            for p in sorted(folder.glob("[0-9]*.ipynb"))]


@pytest.fixture(scope="module")
def notebooks(tmp_path_factory) -> list[tuple[str, nbformat.NotebookNode]]:
    return _stored() + _built(tmp_path_factory)


def _parameters(notebook) -> list:
    return [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]


def test_every_notebook_takes_every_parameter_one_a_line(notebooks):
    problems = []
    for name, notebook in notebooks:
        cells = _parameters(notebook)
        if len(cells) != 1:
            problems.append(f"{name}: {len(cells)} cells tagged 'parameters'")
            continue
        assigned = []
        for node in ast.parse(cells[0].source).body:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name)):
                problems.append(f"{name}: line {node.lineno} is not one `NAME = value` "
                                "(papermill sees one parameter per line)")
                continue
            assigned.append(node.targets[0].id)
        missing = [p for p in PARAMETER_NAMES if p not in assigned]
        if missing:
            problems.append(f"{name}: no parameter {', '.join(missing)}")
    assert not problems, "\n".join(problems)


def test_no_notebook_hard_codes_a_statement_id(notebooks):
    found = [f"{name}: {match}" for name, notebook in notebooks for cell in notebook.cells
             if cell.cell_type == "code" for match in STATEMENT_ID.findall(cell.source)]
    assert not found, "\n".join(found)


def test_what_we_found_is_rendered_from_findings(notebooks):
    """The section "What we found" holds a cell that renders discourse.findings."""
    problems = []
    for name, notebook in notebooks:
        cells = notebook.cells
        heading = [i for i, c in enumerate(cells)
                   if c.cell_type == "markdown" and "What we found" in c.source]
        if not heading:
            problems.append(f"{name}: no 'What we found' section")
            continue
        after = cells[heading[-1] + 1:]
        if not any(c.cell_type == "code" and "findings.render_markdown" in c.source
                   for c in after):
            problems.append(f"{name}: 'What we found' is typed, not rendered from "
                            "discourse.findings")
        typed = cells[heading[-1]].source.split("\n")
        if any(line.lstrip().startswith("- ") for line in typed):
            problems.append(f"{name}: 'What we found' lists typed claims")
    assert not problems, "\n".join(problems)
