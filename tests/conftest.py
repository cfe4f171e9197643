"""Shared test helpers: tiny corpora written into a temporary folder."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, NamedTuple

import matplotlib
import pytest

matplotlib.use("Agg")

HEADER = ["id", "date", "actor", "group", "text"]


def csv_text(rows: list[list[str]], header: list[str] | None = None, crlf: bool = False) -> str:
    """Return a CSV document with ``header`` and ``rows`` (LF line ends, or CRLF).

    With ``crlf=True`` every field holding a CR or LF is quoted (RFC 4180); with LF line
    ends the csv module leaves a bare CR unquoted.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n" if crlf else "\n")
    writer.writerow(header or HEADER)
    writer.writerows(rows)
    return out.getvalue()


GOOD_ROWS = [
    ["pk-1", "2024-11-15", "WISPAP", "industry", "WISPAP argued that a blanket ban would hurt IT "
     "exports."],
    ["pk-2", "2024-11", "PTA", "state", "The regulator asked users to register their VPNs."],
    ["pk-3", "2024-11-20", "Bolo Bhi", "civil_society", "Bolo Bhi called the block a rights "
     "violation."],
]


@pytest.fixture
def write(tmp_path: Path):
    """Write text or bytes to a file under tmp_path and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return _write


# -- the publication figures, built once per test session --------------------------------------


class FigureSet(NamedTuple):
    """Every figure built from a private copy of the shipped corpus, and saved once."""

    corpus_file: Path
    corpus: Any
    built: Any  # figures.BuiltFigures
    folder: Path
    manifest: dict


@pytest.fixture(scope="session")
def figure_set(tmp_path_factory) -> FigureSet:
    """Build and save all figures once per session (copying the corpus first, so that its
    hash cannot change mid-session)."""
    import shutil

    from discourse import figures, load_corpus
    from discourse.paths import shipped_corpus_file

    corpus_file = tmp_path_factory.mktemp("corpus") / "statements.csv"
    shutil.copyfile(shipped_corpus_file(), corpus_file)
    corpus = load_corpus(corpus_file)
    built = figures.build_figures(corpus)
    folder = tmp_path_factory.mktemp("figures")
    manifest = figures.save_figures(built, corpus, folder, corpus_path=corpus_file)
    return FigureSet(corpus_file, corpus, built, folder, manifest)
