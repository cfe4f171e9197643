"""Read the code-change table of ``corpus/CHANGES.md`` (a test helper, not library code).

The table sits under the heading ``## Code changes`` and has exactly the columns
``| id | field | old | new | rule | reason |``. Values may be wrapped in backticks; a list
field (``frames``) is written joined by ``;`` in the order of the register or of the row.
"""

from __future__ import annotations

import re
from pathlib import Path

COLUMNS = ["id", "field", "old", "new", "rule", "reason"]
#: Fields a change may touch: the coded and factual fields the provenance test compares.
FIELDS = ("actor", "group", "actor_type", "country", "language", "publisher", "stance",
          "date_source", "frames", "key_terms")
HEADING = "## Code changes"


def _cells(line: str) -> list[str]:
    inner = line.strip()
    if not (inner.startswith("|") and inner.endswith("|")):
        raise ValueError(f"not a table row: {line!r}")
    return [cell.strip().strip("`").strip() for cell in inner[1:-1].split("|")]


def read_changes(path: Path) -> list[dict[str, str]]:
    """Return the rows of the code-change table, in file order.

    Raises ``ValueError`` naming the line when the table is missing, a row has the wrong
    number of cells, names an unknown field, leaves ``rule`` or ``reason`` empty, or
    repeats an (id, field) pair.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == HEADING)
    except StopIteration:
        raise ValueError(f"{path}: no '{HEADING}' section") from None
    rows: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    header_at = None
    for number, line in enumerate(lines[start + 1:], start=start + 2):
        if line.startswith("## "):
            break
        if not line.strip().startswith("|"):
            if header_at is not None and rows:
                break  # the table has ended
            continue
        cells = _cells(line)
        if header_at is None:
            if cells != COLUMNS:
                raise ValueError(f"{path}:{number}: table header must be {COLUMNS}, got {cells}")
            header_at = number
            continue
        if number == header_at + 1 and all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
            continue
        if len(cells) != len(COLUMNS):
            raise ValueError(f"{path}:{number}: {len(cells)} cells, expected {len(COLUMNS)}")
        row = dict(zip(COLUMNS, cells, strict=True))
        if row["field"] not in FIELDS:
            raise ValueError(f"{path}:{number}: unknown field {row['field']!r}; allowed: "
                             f"{', '.join(FIELDS)}")
        if not row["rule"] or not row["reason"]:
            raise ValueError(f"{path}:{number}: every change needs a rule and a reason")
        key = (row["id"], row["field"])
        if key in seen:
            raise ValueError(f"{path}:{number}: second change of {key}; give one line per "
                             "id and field, from the register's value to the row's")
        seen.add(key)
        rows.append(row)
    if header_at is None:
        raise ValueError(f"{path}: no table under '{HEADING}'")
    return rows
