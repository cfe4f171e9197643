"""Build corpus/statements.csv from the research register and our paraphrased texts.

Usage: python scripts/build_corpus.py REGISTER_DIR TEXTS.jsonl [TEXTS.jsonl ...]

The register (one JSON object per line, see its SCHEMA.md) gives the facts and the gold
codes; the texts files give, per register id, the statement written by us in reported
speech. This was run once to create the corpus; afterwards statements.csv is the record
and is edited by hand only to correct a fact or a text (with a note), never by code.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

COLUMNS = ["id", "date", "date_precision", "date_source", "actor", "group", "actor_type",
           "country", "language", "publisher", "source_url", "stance", "frames", "key_terms",
           "text", "notes"]


def main(register_dir: str, *texts_files: str) -> None:
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
    out = Path(__file__).resolve().parent.parent / "corpus" / "statements.csv"
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} statements to {out}")


if __name__ == "__main__":
    main(*sys.argv[1:])
