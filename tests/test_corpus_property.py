"""Property-based tests: the loader never crashes and never loses a row."""

from __future__ import annotations

import datetime as dt
import json
import warnings

from conftest import HEADER, csv_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse import CorpusError, CorpusWarning, load_corpus, validate_corpus

TODAY = dt.date(2026, 11, 29)
SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

field_values = {
    "id": st.one_of(st.from_regex(r"[a-z]{2}-[0-9]{4}", fullmatch=True), st.just(""),
                    st.text(max_size=8)),
    "date": st.one_of(st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)).map(str),
                      st.sampled_from(["2024-02-30", "2024-13", "", "24-11-15", "2024-11"])),
    "actor": st.text(max_size=20),
    "group": st.sampled_from(["state", "industry", "civil_society", "ngo", "", "State"]),
    "text": st.text(max_size=60),  # any unicode: commas, quotes, line breaks, NULs
}
row_strategy = st.fixed_dictionaries(field_values).map(lambda d: [d[k] for k in HEADER])


def check_invariant(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)  # unknown columns are expected here
        result = load_corpus(path, strict=False, today=TODAY)
    assert len(result.corpus) + len(result.rejected) == result.n_records
    assert result.corpus["id"].is_unique
    return result


@SETTINGS
@given(data=st.binary(max_size=400))
def test_random_bytes_never_crash(tmp_path, data):
    path = tmp_path / "random.csv"
    path.write_bytes(data)
    check_invariant(path)
    validate_corpus(path, today=TODAY)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CorpusWarning)
            load_corpus(path, today=TODAY)
    except CorpusError as err:
        assert err.problems


@SETTINGS
@given(data=st.binary(max_size=400))
def test_random_bytes_as_jsonl_and_markdown_never_crash(tmp_path, data):
    for name in ("random.jsonl", "folder/random.md"):
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        check_invariant(path)


@SETTINGS
@given(rows=st.lists(row_strategy, min_size=1, max_size=12))
def test_near_valid_csv_loses_no_row(tmp_path, rows):
    path = tmp_path / "near.csv"
    path.write_text(csv_text(rows, crlf=True), encoding="utf-8", newline="")
    result = check_invariant(path)
    assert result.n_records == len(rows)  # every written row is loaded or rejected


@SETTINGS
@given(rows=st.lists(row_strategy, min_size=1, max_size=8),
       cut=st.integers(min_value=0, max_value=10_000),
       junk=st.sampled_from(['"', ",", "\n", "\r\n", "\x00", '""', "\ufeff"]))
def test_corrupted_csv_never_crashes(tmp_path, rows, cut, junk):
    text = csv_text(rows)
    cut = cut % (len(text) + 1)
    path = tmp_path / "corrupt.csv"
    path.write_text(text[:cut] + junk + text[cut:], encoding="utf-8", newline="")
    check_invariant(path)


# -- JSONL and Markdown: every line or file is a record, loaded only if it was text ------------

FAST = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                         st.text(max_size=12))
json_values = st.recursive(json_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=6)
good_values = {
    "id": st.from_regex(r"[a-z]{1,3}-[0-9]{1,3}", fullmatch=True),
    "date": st.sampled_from(["2024-01-01", "2024-02", "2023-12-31"]),
    "actor": st.text(st.characters(categories=("L", "N", "P")), min_size=1, max_size=10),
    "group": st.sampled_from(["state", "industry", "civil_society"]),
    "text": st.text(st.characters(categories=("L", "N", "P", "Zs")), min_size=1, max_size=30),
}
json_objects = st.fixed_dictionaries(
    {k: st.one_of(v, v, v, v, json_values) for k, v in good_values.items()},  # mostly text
    optional={"frames": st.one_of(st.lists(st.sampled_from(["security", "rights", "x"])),
                                  json_values),
              "org_id": st.one_of(st.text(max_size=8), json_values),
              "scope": st.one_of(st.sampled_from(["vpn", "circumvention_context", "VPN"]),
                                 json_values)})


def is_text(value):
    return value is None or isinstance(value, str) or (
        isinstance(value, list) and all(isinstance(v, str) for v in value))


@FAST
@given(objects=st.lists(st.one_of(st.fixed_dictionaries(good_values), json_objects),
                        min_size=1, max_size=8),
       blank=st.booleans(), crlf=st.booleans())
def test_jsonl_every_line_is_read_and_only_text_is_loaded(tmp_path, objects, blank, crlf):
    lines = [json.dumps(o) for o in objects]
    if blank:
        lines.insert(1, "   ")
    path = tmp_path / "c.jsonl"
    path.write_text(("\r\n" if crlf else "\n").join(lines), encoding="utf-8", newline="")
    result = check_invariant(path)
    assert result.n_records == len(objects)
    for row in result.corpus.itertuples():
        source = next(o for o in objects if o["id"] == row.id)
        assert all(is_text(v) for v in source.values()), source
        assert row.actor == source["actor"].strip()


yaml_traps = st.sampled_from(["0123", "1_000", "24:00", "NO", "yes", "off", "null", "~",
                              "2024-13-45", "1e3", ".inf", "0x1F", "'quoted'", "[a, b]",
                              "{a: b}", "&x a", "*x", "!!str x", "|", "- a", "a: b", "#c"])
YAML_MEANS = {"'quoted'": "quoted", "&x a": "a"}  # YAML syntax, not a conversion
plain_words = st.from_regex(r"[A-Za-z][A-Za-z0-9 ]{0,10}[A-Za-z0-9]", fullmatch=True)


@FAST
@given(files=st.lists(st.fixed_dictionaries({
    "id": st.one_of(yaml_traps, plain_words.map(lambda s: s.replace(" ", "-"))),
    "actor": st.one_of(yaml_traps, plain_words, st.text(max_size=10)),
    "group": st.sampled_from(["state", "industry", "ngo", "NO"]),
    "body": st.text(max_size=40),
}), min_size=1, max_size=6))
def test_markdown_every_file_is_a_record_and_values_stay_as_written(tmp_path, files):
    folder = tmp_path / "md"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for number, spec in enumerate(files):
        front = (f"---\nid: {spec['id']}\ndate: 2024-01-02\nactor: {spec['actor']}\n"
                 f"group: {spec['group']}\n---\n{spec['body']}\n")
        (folder / f"s{number}.md").write_text(front, encoding="utf-8", newline="")
    result = check_invariant(folder)
    assert result.n_records == len(files)
    for row in result.corpus.itertuples():
        written = {YAML_MEANS.get(spec["id"], spec["id"]) for spec in files}
        assert row.id in written  # an id is never converted
        assert row.group in ("state", "industry")
    traps = {"0123", "1_000", "24:00", "NO", "yes", "off", "null", "~", "1e3", ".inf", "0x1F"}
    for spec in files:
        if spec["actor"] in traps and spec["id"] in traps and spec["body"].strip():
            ids = result.corpus["id"].tolist() + result.rejected["id"].tolist()
            assert spec["id"] in ids
