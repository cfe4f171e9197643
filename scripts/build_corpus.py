"""Version 1 builder: assemble a statements CSV from the research register and texts.

Usage: python scripts/build_corpus.py REGISTER_DIR OUT.csv TEXTS.jsonl [TEXTS.jsonl ...]

The register (one JSON object per line, see its SCHEMA.md) gives the facts and the gold
codes; the texts files give, per register id, the statement written by us in reported
speech. This built version 1 of ``corpus/statements.csv`` (16 columns), once.

It does NOT produce the shipped version 2: the columns ``org_id``, ``org`` and ``scope``,
the rewritten texts and the recodes logged in ``corpus/CHANGES.md`` were made by hand in
the 2026-12 review, and ``statements.csv`` is now the record, edited by hand only (see
the datasheet's Maintenance section). So the script refuses to overwrite the shipped file;
give it another output path, for example to compare a rebuild with version 1.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

COLUMNS = ["id", "date", "date_precision", "date_source", "actor", "group", "actor_type",
           "country", "language", "publisher", "source_url", "stance", "frames", "key_terms",
           "text", "notes"]


SHIPPED = Path(__file__).resolve().parent.parent / "corpus" / "statements.csv"


def main(register_dir: str, out_path: str, *texts_files: str) -> None:
    out = Path(out_path).resolve()
    if out == SHIPPED:
        sys.exit(f"refusing to overwrite {SHIPPED}: it is the version 2 record (see "
                 "corpus/CHANGES.md); write the version 1 rebuild elsewhere")
    if not texts_files:
        sys.exit("usage: build_corpus.py REGISTER_DIR OUT.csv TEXTS.jsonl [TEXTS.jsonl ...]")
    register = {}
    for path in sorted(Path(register_dir).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                entry = json.loads(line)
                register[entry["id"]] = entry
    texts = {}
    for path in texts_files:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                texts[item["id"]] = item["text"].strip()
    missing = sorted(set(register) - set(texts))
    if missing:
        print(f"no text for {len(missing)} register entries: {missing[:5]}", file=sys.stderr)
    rows = []
    for ident in sorted(texts, key=lambda i: (register[i]["date"], i)):
        entry = register[ident]
        rows.append({
            **{k: entry[k] for k in ("id", "date", "date_source", "actor", "group", "actor_type",
                                     "country", "language", "publisher", "source_url",
                                     "stance", "notes")},
            "date_precision": "day" if len(entry["date"]) == 10 else "month",
            "frames": ";".join(entry["frames"]),
            "key_terms": ";".join(entry["key_terms"]),
            "text": texts[ident],
        })
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} statements to {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
