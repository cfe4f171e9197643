"""Execute every notebook in notebooks/ in place, top to bottom, each in a fresh kernel.

Usage: python scripts/run_notebooks.py [NOTEBOOK ...]   (or `make notebooks`)

The stored outputs are what nbval compares in `make test`; run this after changing the
library, the corpus or the pinned versions, then commit the notebooks.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def run(path: Path) -> float:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    nbformat.write(notebook, path)
    return seconds


def main(paths: list[str]) -> None:
    notebooks = [Path(p) for p in paths] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    for path in notebooks:
        print(f"{path.name}: {run(path):.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
