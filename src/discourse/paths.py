"""The one place that knows where the shipped corpus, package data and caches live."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = [
    "PACKAGE_DIR",
    "DATA_DIR",
    "shipped_corpus_dir",
    "shipped_corpus_file",
    "shipped_external_file",
    "cache_dir",
    "file_sha256",
]

PACKAGE_DIR = Path(__file__).resolve().parent
#: Small data files that belong to the library (country codes, frame lexicon).
DATA_DIR = PACKAGE_DIR / "data"


def shipped_corpus_dir() -> Path:
    """Return the folder of the shipped corpus.

    A wheel carries the corpus inside the package (``discourse/_corpus``); a source
    checkout or an editable install reads ``corpus/`` at the repository root.

    Examples
    --------
    >>> (shipped_corpus_dir() / "statements.csv").is_file()
    True
    """
    inside = PACKAGE_DIR / "_corpus"
    if (inside / "statements.csv").is_file():
        return inside
    checkout = PACKAGE_DIR.parent.parent / "corpus"
    if (checkout / "statements.csv").is_file():
        return checkout
    raise FileNotFoundError(
        f"the shipped corpus was not found in {inside} nor in {checkout}; "
        "reinstall the package or pass the path of a corpus"
    )


def shipped_corpus_file() -> Path:
    """Return the path of the shipped ``statements.csv``.

    Examples
    --------
    >>> shipped_corpus_file().name
    'statements.csv'
    """
    return shipped_corpus_dir() / "statements.csv"


def shipped_external_file() -> Path:
    """Return the path of the shipped other-genre test texts (``external/other_genres.csv``).

    Examples
    --------
    >>> shipped_external_file().name
    'other_genres.csv'
    """
    return shipped_corpus_dir() / "external" / "other_genres.csv"


def cache_dir() -> Path:
    """Return (and create) the folder for cached models.

    ``$DISCOURSE_CACHE`` wins; otherwise ``$XDG_CACHE_HOME/discourse`` or ``~/.cache/discourse``.
    """
    root = os.environ.get("DISCOURSE_CACHE")
    if root:
        path = Path(root)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        path = Path(base) / "discourse"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_sha256(path: str | os.PathLike[str]) -> str:
    """Return the hex SHA-256 of a file's bytes, or of a folder's files in sorted order.

    A folder's digest covers each file's relative path and bytes, so renaming a file
    changes it.

    Examples
    --------
    >>> len(file_sha256(shipped_corpus_file()))
    64
    """
    path = Path(path)
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        digest.update(file.read_bytes())
    return digest.hexdigest()
