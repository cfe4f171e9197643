"""The shipped corpus data: texts that report, organisations, scope, the change log, and
the datasheet's tables.

The datasheet (corpus/README.md) holds its count tables between marker comments; the
functions that compute them live in scripts/datasheet_tables.py (a script, not part of the
package), which the tests here load by path with importlib and compare with the README.

The word counts, code names and stance cues in the texts are checked in test_corpus.py;
provenance against the research register is checked in test_packaging.py.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from _changelog import read_changes

from discourse import load_corpus, schema

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "corpus"

#: A writer's characterisation: "framing/casting/presenting/treating/portraying/depicting/
#: characterising ... as". A verb of saying is fine ("called X Y", "said X was Y").
CHARACTERISE = re.compile(
    r"\b(fram(?:e|es|ed|ing)|cast(?:s|ing)?|present(?:s|ed|ing)|treat(?:s|ed|ing)|portray(?:s|ed|ing)"
    r"|depict(?:s|ed|ing)|characteri[sz](?:e|es|ed|ing))\b[^.;:]{0,80}?\bas\b", re.I)

#: Interpretations the audit found in neither the register nor the source (the issue's
#: examples); none may come back.
GLOSSES = [
    "channels VPN use through licensed",
    "leaving room for dealing with their misuse",
    "citizens were entitled to resist",
    "as part of the regulator's work to control the network",
    "a way of dodging a lawful levy",
    "one more layer of enforcement",
]

SCOPES = ("vpn", "circumvention_context")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return load_corpus()


def test_the_characterisation_pattern_catches_what_it_should():
    caught = ["framing the measure as economically damaging",
              "It presented the scheme as a way for businesses",
              "treating the VPN curbs as a matter of livelihoods",
              "casting the ban as a security necessity"]
    allowed = ["He called VPN use un-Islamic.", "She said the ban was a mistake, as did others.",
               "The court treated the case on 3 May. As a result"]
    assert all(CHARACTERISE.search(s) for s in caught)
    assert not any(CHARACTERISE.search(s) for s in allowed)


def test_no_text_characterises_instead_of_reporting(corpus):
    hits = {row.id: CHARACTERISE.search(row.text).group(0)
            for row in corpus.itertuples() if CHARACTERISE.search(row.text)}
    assert hits == {}


def test_no_text_carries_a_gloss_the_audit_removed(corpus):
    for gloss in GLOSSES:
        found = corpus.loc[corpus["text"].str.contains(gloss, case=False, regex=False), "id"]
        assert found.tolist() == [], gloss


def test_every_text_uses_its_key_terms_verbatim(corpus):
    for row in corpus.itertuples():
        for term in row.key_terms:
            assert term.lower() in row.text.lower(), (row.id, term)


def test_every_row_has_an_organisation_and_a_scope(corpus):
    for name in ("org_id", "org", "scope"):
        assert name in schema.FIELD_NAMES, name
        missing = corpus.loc[corpus[name].isna() | (corpus[name].astype(str).str.strip() == ""),
                             "id"]
        assert missing.tolist() == [], name
    bad_slugs = corpus.loc[~corpus["org_id"].str.fullmatch(SLUG.pattern), "org_id"]
    assert bad_slugs.tolist() == []
    assert set(corpus["scope"]) <= set(SCOPES)
    assert set(corpus["scope"]) == set(SCOPES)  # both values occur


def test_org_id_is_consistent(corpus):
    names = corpus.groupby("org_id")["org"].nunique()
    assert names[names > 1].index.tolist() == [], "one org name per org_id"
    ids = corpus.groupby("org")["org_id"].nunique()
    assert ids[ids > 1].index.tolist() == [], "one org_id per org name"
    same_actor = corpus.groupby("actor")["org_id"].nunique()
    assert same_actor[same_actor > 1].index.tolist() == [], "one actor string, one org_id"


def test_one_organisation_under_many_actor_strings_is_one_org_id(corpus):
    pta = corpus[corpus["actor"].str.contains("Pakistan Telecommunication Authority")]
    assert pta["org_id"].unique().tolist() == ["pk-pta"]
    assert pta["actor"].nunique() > 5  # the reason org_id exists
    assert corpus.loc[corpus["actor"].str.contains("Amnesty International"),
                      "org_id"].eq("amnesty-international").sum() >= 5


def test_change_log_matches_the_shipped_codes(corpus):
    rows = corpus.set_index("id")
    changes = read_changes(CORPUS_DIR / "CHANGES.md")
    assert changes, "CHANGES.md logs no code change"
    for change in changes:
        assert change["id"] in rows.index, change
        value = rows.loc[change["id"], change["field"]]
        shipped = ";".join(value) if isinstance(value, list) else str(value)
        assert shipped == change["new"], change
        if change["field"] == "stance":
            assert {change["old"], change["new"]} <= set(schema.STANCES), change
        if change["field"] == "frames":
            for codes in (change["old"], change["new"]):
                assert set(filter(None, codes.split(";"))) <= set(schema.FRAMES), change


def test_rows_without_frames_are_logged_recodes(corpus):
    """A statement that gives no reasons has no frame; each such row was coded so on purpose."""
    logged = {(c["id"], c["new"]) for c in read_changes(CORPUS_DIR / "CHANGES.md")
              if c["field"] == "frames"}
    researched = {}
    for path in sorted((CORPUS_DIR / "research").glob("2*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                researched[record["id"]] = record["frames"]
    empty = corpus.loc[corpus["frames"].map(len) == 0, "id"]
    assert len(empty) < len(corpus) / 20
    for ident in empty:
        # a recode of a register entry, or a researched record coded with no frame
        assert (ident, "") in logged or researched.get(ident) == [], ident


def _datasheet_tables():
    """scripts/datasheet_tables.py, loaded by path: it is a script, not part of the package."""
    path = ROOT / "scripts" / "datasheet_tables.py"
    spec = importlib.util.spec_from_file_location("datasheet_tables", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tables():
    return _datasheet_tables()


@pytest.fixture(scope="module")
def sheet() -> str:
    return (CORPUS_DIR / "README.md").read_text(encoding="utf-8")


def test_datasheet_tables_follow_from_the_data(tables, sheet):
    """Every table between the datasheet's markers is what the script computes now."""
    computed = tables.shipped_tables()
    shown = tables.read_blocks(sheet)
    assert sorted(shown) == sorted(computed), "a table has no marker pair, or a marker no table"
    for name, table in computed.items():
        assert shown[name] == table, f"{name!r} is stale: run scripts/datasheet_tables.py --write"
    assert tables.replace_blocks(sheet, computed) == sheet


def test_datasheet_counts_follow_from_the_data(corpus, sheet):
    assert "26 such texts" not in sheet
    # hand-typed totals of the 296-row version must not come back as current counts
    for stale in ("296 statements, one per row", "| rows | 296 |", "`corpus/statements.csv`, 296"):
        assert stale not in sheet, stale
    scope = corpus["scope"].value_counts()
    organisations = corpus["org_id"].nunique()
    expected = [
        f"{organisations} organisations",
        f"{int(scope['vpn'])} rows are `vpn`",
        f"{int(scope['circumvention_context'])} rows are `circumvention_context`",
        f"| statements | >= 600 | {len(corpus)} |",
    ]
    for phrase in expected:
        assert phrase in sheet, phrase


def test_every_id_the_datasheet_names_is_in_the_corpus(corpus, sheet):
    named = set(re.findall(r"`([a-z]{2}-\d{8}-[a-z0-9-]+)`", sheet))
    assert named, "the datasheet names no row"
    assert sorted(named - set(corpus["id"])) == []


def test_datasheet_targets_are_computed_not_asserted(tables):
    """The targets table can fail: a corpus short of every target is reported short."""
    small = pd.DataFrame({
        "id": ["pk-a", "pk-b", "ru-c"],
        "date": pd.to_datetime(["2016-01-01", "2024-11-15", "2026-05-01"]),
        "group": ["state", "industry", "civil_society"],
        "stance": ["conditional", "neutral", "opposes_restriction"],
        "country": ["PK", "PK", "RU"],
        "genre": ["press_release", None, "report"],
    })
    result = tables.targets(small).set_index("target")
    assert not result["met"].any()
    assert result.loc["statements", "short_by"] == 597
    assert result.loc["`conditional` statements", "short_by"] == 89
    assert result.loc["rows with a `genre`", "short_by"] == 1
    assert result.loc["share of rows about Pakistan", "actual"] == "66.7% (2 rows)"


def test_shipped_targets_table_names_each_shortfall(corpus, tables):
    result = tables.targets(corpus)
    stance = corpus["stance"].astype(str).value_counts()
    conditional = result.set_index("target").loc["`conditional` statements"]
    assert bool(conditional["met"]) == (stance["conditional"] >= 90)
    assert conditional["short_by"] == max(0, 90 - int(stance["conditional"]))
    table = tables.table_targets(corpus)
    for row in result.itertuples():
        assert ("yes" if row.met else f"**no**, short by {row.short_by}") in table


def test_second_check_table_counts_every_verdict_and_field(tables):
    checks = tables.read_second_check()
    fields = tables.second_check_fields(checks).set_index("field")["records"]
    assert fields.sum() == sum(len(c) for c in checks["changes"])
    assert (checks.loc[checks["verdict"] == "confirmed", "changes"].map(len) == 0).all()
    assert (checks.loc[checks["verdict"] == "corrected", "changes"].map(len) > 0).all()
    researched = set(tables.read_research()["id"])
    dropped = set(checks.loc[checks["verdict"] == "dropped", "id"])
    assert researched == set(checks["id"]) - dropped


def test_replace_blocks_refuses_unpaired_markers(tables):
    text = "a\n<!-- table:x -->\nold\n<!-- /table:x -->\nb\n"
    assert tables.replace_blocks(text, {"x": "new"}) == text.replace("old", "new")
    with pytest.raises(ValueError, match="missing"):
        tables.replace_blocks(text, {"x": "new", "y": "t"})
    with pytest.raises(ValueError, match="unknown"):
        tables.replace_blocks(text, {})
