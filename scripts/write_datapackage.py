"""Write corpus/datapackage.json from the schema in discourse.schema (run after a schema change).

The Table Schema describes the columns of the shipped statements.csv, in its header's order
(Frictionless matches fields to columns by position), each field taken from
``discourse.schema.FIELDS``; a column the schema does not declare stops the script.
"""

import json
from pathlib import Path

import discourse
from discourse.schema import table_schema

ROOT = Path(__file__).resolve().parent.parent

package = {
    "name": "discourse-vpn-statements",
    "title": "Public statements on regulating VPN use, 2011-2026",
    "description": "Real, dated, attributed public statements by civil society, industry and "
    "the state about regulating VPN use, paraphrased in reported speech and coded for stance "
    "and frames. See README.md (datasheet) and CODEBOOK.md.",
    "version": discourse.__version__,
    "licenses": [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0",
        }
    ],
    "resources": [
        {
            "name": "statements",
            "path": "statements.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True},
            "schema": table_schema(),
        }
    ],
}
out = ROOT / "corpus" / "datapackage.json"
out.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
print(f"wrote {out}")
