"""Property-based tests: the loader never crashes and never loses a row."""

from __future__ import annotations

import datetime as dt
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
