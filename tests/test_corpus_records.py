"""The record reader (pandas' C parser on blocks of whole records) reads what the csv module reads.

``load_corpus`` reads a UTF-8 CSV file with pandas' C parser only where
``corpus._record_block`` vouches that the csv module (strict) would read the same rows;
anything else goes to the csv module. These tests parse fuzzed CSV text both ways, and
compare the typed table built today with the table-building code it replaced.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import csv_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse import CorpusWarning, corpus, load_corpus, schema
from discourse.corpus import _Unsure
from discourse.paths import shipped_corpus_dir

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
TODAY = dt.date(2026, 11, 29)

# pieces of CSV text: quotes where they close, open, double or stray; line ends of every kind
piece = st.sampled_from(['"', '""', ",", '",', ',"', "\n", "\r", "\r\n", '"\n', ' "', '" ',
                         "a", "é b", "\t", "x,y", '"q""r"', "", "\u2014"])
body = st.lists(piece, max_size=40).map("".join)


def _csv_rows(text: str) -> list[list[str]] | None:
    try:
        return list(csv.reader(text.splitlines(keepends=True), strict=True))
    except csv.Error:
        return None


@SETTINGS
@given(text=body, width=st.integers(min_value=2, max_value=4))
def test_a_block_the_record_reader_accepts_parses_as_the_csv_module_does(text, width):
    data = text.encode("utf-8")
    try:
        end, n = corpus._record_block(data, True, width)
    except _Unsure:
        return
    assert end == len(data)
    rows = _csv_rows(text)
    assert rows is not None, "the csv module rejects a block the record reader accepted"
    assert [] not in rows and all(len(row) == width for row in rows)
    if n == 0:
        assert rows == []
        return
    columns = corpus._parse_records(data, n, width)
    assert [list(c) for c in columns] == [list(c) for c in zip(*rows, strict=True)]


@SETTINGS
@given(text=body, cut=st.integers(min_value=0, max_value=400))
def test_a_block_ends_at_the_end_of_a_record(text, cut):
    data = ("a,b\n" + text).encode("utf-8")
    cut = cut % (len(data) + 1)
    try:
        end, n = corpus._record_block(data[:cut], False, 2)
        whole = corpus._record_block(data, True, 2)
        rest = corpus._record_block(data[end:], True, 2)
    except _Unsure:
        return
    assert n + rest[1] == whole[1]
    assert _csv_rows(data[:end].decode("utf-8")) + _csv_rows(data[end:].decode("utf-8")) \
        == _csv_rows(data.decode("utf-8"))


@pytest.mark.parametrize("text", [
    'a,b\n"x"y,1\n',      # text after a closing quote: the csv module (strict) fails
    'a,b\n"x,1\n',        # the file ends inside a quoted field
    "a,b\n1,2\n\n3,4\n",  # a blank line: the csv module drops it
    "a,b\n1,2\n \n",      # a line of spaces: one short row
    "a,b\n1\n",           # a short row: pandas would pad it
    "a,b\n1,2,3\n",       # a long row
    'a,b\n1, "2"\n',      # a quote after a space is text to the csv module
])
def test_what_the_parsers_might_read_differently_goes_to_the_csv_module(text):
    with pytest.raises(_Unsure):
        corpus._record_block(text.encode("utf-8"), True, 2)


def test_the_record_reader_reads_a_file_as_the_csv_module_column_reader(tmp_path, monkeypatch):
    rows = [[f"pk-{i}", "2024-11-15", f'Actor "{i % 7}", Inc.', "state",
             f"Line one,\r\nline two \"{i}\"\n."] for i in range(500)]
    path = tmp_path / "c.csv"
    path.write_text(csv_text(rows), encoding="utf-8", newline="")
    monkeypatch.setattr(corpus, "BLOCK_BYTES", 997)  # many blocks, records across reads
    calls = []
    real = corpus._csv_records
    monkeypatch.setattr(corpus, "_csv_records", lambda *a: calls.append(1) or real(*a))
    fast = load_corpus(path, today=TODAY)
    monkeypatch.setattr(corpus, "RECORD_READER", False)
    slow = load_corpus(path, today=TODAY)
    assert calls == [1]
    pd.testing.assert_frame_equal(fast, slow)


def test_a_byte_order_mark_inside_the_file_is_kept_as_the_csv_module_keeps_it(tmp_path,
                                                                              monkeypatch):
    # pandas drops U+FEFF at the start of each text it parses; the csv module keeps it in a
    # field, so a block that starts with one goes to the csv module
    rows = [[f"pk-{i}", "2024-11-15", "PTA", "state", "A text."] for i in range(40)]
    rows[20][0] = "\ufeffpk-20"
    path = tmp_path / "c.csv"
    path.write_text("\ufeff" + csv_text(rows), encoding="utf-8", newline="")
    results = []
    before = path.read_bytes().index("\ufeffpk-20".encode("utf-8"))
    for size in (before, 10**6):  # a block that starts at the mark, and one block
        monkeypatch.setattr(corpus, "BLOCK_BYTES", size)
        for record_reader in (True, False):
            monkeypatch.setattr(corpus, "RECORD_READER", record_reader)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", CorpusWarning)
                results.append(load_corpus(path, strict=False, today=TODAY))
    for result in results[1:]:
        pd.testing.assert_frame_equal(result.corpus, results[0].corpus)
        assert result.problems == results[0].problems


# -- the typed table: today's code against the code it replaced -------------------------------


def _frame_before(raw, n):
    """``corpus._frame`` as it was before the scale work (2026-12-07), kept as a reference."""
    def by_value(values, fn):
        if any(isinstance(v, list) for v in values):
            return [fn(v) for v in values]
        codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
        done = [fn(v) for v in uniques]
        return [done[c] for c in codes.tolist()]

    extra = sorted(set(raw) - set(schema.FIELD_NAMES))
    dates = {f.name: by_value(raw[f.name], corpus._parse_date)
             for f in schema.FIELDS if f.kind == "date"}
    columns = {}
    for fld in schema.FIELDS:
        values = corpus._fill(fld, raw[fld.name], raw, dates)
        if fld.kind == "date":
            codes, uniques = pd.factorize(np.asarray(raw[fld.name], dtype=object))
            days = pd.to_datetime([corpus._parse_date(v)[0] for v in uniques])
            columns[fld.name] = days.astype("datetime64[ns]").take(codes)
        elif fld.kind == "list":
            lists = by_value(values, corpus._unique_list)
            columns[fld.name] = pd.Series([list(v) for v in lists], dtype=object)
        elif fld.kind == "category":
            if fld.categories == "observed":
                categories = sorted(set(values) - {""})
            else:
                categories = list(fld.allowed() or ())
            codes, uniques = pd.factorize(np.asarray(values, dtype=object))
            position = {code: i for i, code in enumerate(categories)}
            index = np.array([position.get(v, -1) for v in uniques], dtype=np.int64)
            columns[fld.name] = pd.Categorical.from_codes(
                index[codes] if len(codes) else codes, categories=categories)
        else:
            columns[fld.name] = pd.Series(values, dtype=object).astype(str)
    for name in extra:
        column = raw[name]
        if any(isinstance(v, list) for v in column):
            column = [v if isinstance(v, str) else ";".join(v) for v in column]
        columns[name] = pd.Series(column, dtype=object).astype(str)
    table = pd.DataFrame(index=pd.RangeIndex(n))
    for name, column in columns.items():
        table[name] = column
    return table


def _raw(sources):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        raw, n, _, _ = corpus._read_all(sources, TODAY, None, schema.MAX_FILE_BYTES, False)
    return raw, n


def test_the_typed_table_of_the_shipped_corpus_is_built_as_before():
    raw, n = _raw([shipped_corpus_dir()])
    pd.testing.assert_frame_equal(corpus._frame(raw, n), _frame_before(raw, n))


record = st.fixed_dictionaries({
    "id": st.from_regex(r"[a-z]{2}-[0-9]{1,6}", fullmatch=True),
    "date": st.sampled_from(["2024-11-15", "2024-11", "2020-02-29", "1999-01"]),
    "actor": st.sampled_from(["PTA", "Bolo Bhi", "Ministère de l'Intérieur", "!!"]),
    "group": st.sampled_from(["state", "industry", "civil_society"]),
    "text": st.text(st.characters(categories=("L", "N", "Zs")), min_size=1,
                    max_size=20).filter(str.strip),
    "frames": st.one_of(st.sampled_from(["", "security", "rights; security;"]),
                        st.lists(st.sampled_from(["rights", "security", "economy"]),
                                 max_size=3)),
    "key_terms": st.one_of(st.just(""), st.lists(st.sampled_from(["a", "b", " a "]),
                                                 max_size=3)),
    "stance": st.sampled_from(["neutral", "conditional", ""]),
    "country": st.sampled_from(["PK", "", "XX"]),
    "extra": st.one_of(st.text(st.characters(categories=("L",)), max_size=4),
                       st.lists(st.sampled_from(["u", "v"]), max_size=2)),
})


@SETTINGS
@given(rows=st.lists(record, min_size=1, max_size=12, unique_by=lambda r: r["id"]))
def test_the_typed_table_of_any_jsonl_corpus_is_built_as_before(tmp_path, rows):
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    raw, n = _raw([path])
    pd.testing.assert_frame_equal(corpus._frame(raw, n), _frame_before(raw, n))
