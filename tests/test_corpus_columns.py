"""The column reader (fast) and the line-by-line reader (slow) give the same result on any input.

``load_corpus`` reads CSV files by columns first and hands every source to the line-by-line
reader if anything is wrong; these tests run both on the same fuzzed files and compare the
table, the rejected rows, the problems and the counts.
"""

from __future__ import annotations

import datetime as dt
import warnings
from unittest import mock

import pandas as pd
import pytest
from conftest import GOOD_ROWS, HEADER, csv_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse import CorpusWarning, corpus, load_corpus, validate_corpus

TODAY = dt.date(2026, 11, 29)
SETTINGS = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
FULL_HEADER = ["id", "date", "date_precision", "actor", "org_id", "group", "country",
               "language", "source_url", "stance", "frames", "key_terms", "text", "extra"]


def _both(path, **options):
    """Return (column reader result, line-by-line result) and whether the first was fast."""
    real = corpus._read_columns
    calls = []
    sources = [] if path is None else list(path) if isinstance(path, list) else [path]

    def spy(*args, **kwargs):
        found = real(*args, **kwargs)
        calls.append(found is not None)
        return found

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        with mock.patch.object(corpus, "_read_columns", spy):
            fast = load_corpus(path, strict=False, today=TODAY, **options)
            fast_problems = validate_corpus(*sources, today=TODAY, **options)
        with mock.patch.object(corpus, "_read_columns", lambda *a, **k: None):
            slow = load_corpus(path, strict=False, today=TODAY, **options)
            slow_problems = validate_corpus(*sources, today=TODAY, **options)
    assert fast_problems == fast.problems
    assert slow_problems == slow.problems
    return fast, slow, calls[0]


def assert_same(fast, slow):
    pd.testing.assert_frame_equal(fast.corpus, slow.corpus)
    pd.testing.assert_frame_equal(fast.rejected, slow.rejected)
    assert fast.problems == slow.problems
    assert fast.n_records == slow.n_records == len(fast.corpus) + len(fast.rejected)


def test_a_valid_file_is_read_by_columns_and_equals_the_slow_read(write):
    path = write("c.csv", csv_text(GOOD_ROWS, crlf=True))
    fast, slow, used = _both(path)
    assert used, "a valid CSV file must take the column reader"
    assert_same(fast, slow)
    assert fast.corpus["id"].tolist() == ["pk-1", "pk-2", "pk-3"]


def test_the_shipped_corpus_is_read_by_columns_with_the_same_table():
    fast, slow, used = _both(None)
    assert used
    assert_same(fast, slow)
    assert corpus.corpus_digest(fast.corpus) == corpus.corpus_digest(slow.corpus)


def test_a_file_read_in_many_chunks_equals_one_chunk(write, monkeypatch):
    rows = [[f"id-{i}", "2024-01-0" + str(1 + i % 9), f"Actor {i % 5}",
             ("state", "industry")[i % 2], f" text {i} "] for i in range(257)]
    path = write("c.csv", csv_text(rows))
    whole = load_corpus(path, today=TODAY)
    monkeypatch.setattr(corpus, "CHUNK_ROWS", 10)
    monkeypatch.setattr(corpus, "BLOCK_BYTES", 64)
    fast, slow, used = _both(path)
    assert used
    assert_same(fast, slow)
    pd.testing.assert_frame_equal(fast.corpus, whole)


def test_a_bad_row_sends_the_file_to_the_slow_reader_which_says_where(write):
    rows = [*GOOD_ROWS, ["pk-4", "2024-02-30", "PTA", "state", "x"]]
    path = write("c.csv", csv_text(rows))
    fast, slow, used = _both(path)
    assert not used
    assert_same(fast, slow)
    assert [(p.line, p.field) for p in fast.problems] == [(5, "date")]


@pytest.mark.parametrize("junk", ["\x1b[31m", "\u0085", "\u2028", "\ufeff", "\xa0"])
def test_control_and_odd_characters_give_the_same_result(write, junk):
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][4] = f"The regulator {junk} said so."
    fast, slow, _ = _both(write("c.csv", csv_text(rows)))
    assert_same(fast, slow)


cell = st.one_of(st.text(max_size=12), st.sampled_from(["", " ", "a;b", "security; rights",
                                                          "2024-11", "2024-02-30", "PK", "pk",
                                                          "https://a.org/x", "en", " state "]))
good = {
    "id": st.from_regex(r"[a-z]{2}-[0-9]{1,4}", fullmatch=True),
    "date": st.sampled_from(["2024-11-15", "2024-11", "2031-01-01", "2024-13"]),
    "date_precision": st.sampled_from(["", "day", "month", "week"]),
    "actor": st.sampled_from(["PTA", "Bolo Bhi", " Ministère ", "\u200b"]),
    "org_id": st.sampled_from(["", "pta", "Bad Slug"]),
    "group": st.sampled_from(["state", "industry", "civil_society", "ngo"]),
    "country": st.sampled_from(["PK", "", "ZZ"]),
    "language": st.sampled_from(["en", "", "eng"]),
    "source_url": st.sampled_from(["https://example.org/a", "", "www.x.org"]),
    "stance": st.sampled_from(["neutral", "conditional", ""]),
    "frames": st.sampled_from(["", "security", "rights; security;", "x"]),
    "key_terms": st.sampled_from(["", "a;b", "a; ;a"]),
    "text": st.text(max_size=30),
    "extra": st.text(max_size=5),
}
# mostly valid values, sometimes anything at all
full_row = st.fixed_dictionaries({k: st.one_of(v, v, v, v, cell) for k, v in good.items()})


@SETTINGS
@given(rows=st.lists(full_row, min_size=1, max_size=10), crlf=st.booleans(),
       blank=st.booleans())
def test_fast_and_slow_agree_on_near_valid_files(tmp_path, rows, crlf, blank):
    text = csv_text([[r[k] for k in FULL_HEADER] for r in rows], header=FULL_HEADER, crlf=crlf)
    if blank:
        text = text.replace("\n", "\n\n", 2)
    path = tmp_path / "near.csv"
    path.write_text(text, encoding="utf-8", newline="")
    fast, slow, _ = _both(path)
    assert_same(fast, slow)


@SETTINGS
@given(rows=st.lists(st.lists(st.text(max_size=8), min_size=5, max_size=5), min_size=1,
                     max_size=6),
       cut=st.integers(min_value=0, max_value=10_000),
       junk=st.sampled_from(['"', ",", "\n", "\r", "\r\n", "\x00", '""', "\ufeff", " "]))
def test_fast_and_slow_agree_on_corrupted_files(tmp_path, rows, cut, junk):
    rows = [[f"id-{i}", "2024-01-01", "A", "state", "t"] if i % 2 else row
            for i, row in enumerate(rows)]
    text = csv_text(rows, header=HEADER)
    cut = cut % (len(text) + 1)
    path = tmp_path / "corrupt.csv"
    path.write_text(text[:cut] + junk + text[cut:], encoding="utf-8", newline="")
    fast, slow, _ = _both(path)
    assert_same(fast, slow)


@SETTINGS
@given(data=st.binary(max_size=300), encoding=st.sampled_from([None, "cp1252", "utf-16"]))
def test_fast_and_slow_agree_on_random_bytes(tmp_path, data, encoding):
    path = tmp_path / "random.csv"
    path.write_bytes(b"id,date,actor,group,text\n" + data)
    fast, slow, _ = _both(path, encoding=encoding)
    assert_same(fast, slow)


def test_two_files_with_one_id_give_the_same_result(write):
    a = write("a.csv", csv_text(GOOD_ROWS))
    b = write("b.csv", csv_text(GOOD_ROWS[:1]))
    fast, slow, used = _both([a, b])
    assert not used
    assert_same(fast, slow)
    assert any("duplicate id" in p.message for p in fast.problems)


valid = {
    "id": st.from_regex(r"[a-z]{2}-[0-9]{1,6}", fullmatch=True),
    "date": st.sampled_from(["2024-11-15", "2024-11", " 2020-02-29 "]),
    "date_precision": st.sampled_from(["", "day"]),
    "actor": st.sampled_from(["PTA", "Bolo Bhi", " Ministère de l'Intérieur ", '"Quoted", Inc.']),
    "org_id": st.sampled_from(["", "pta"]),
    "group": st.sampled_from(["state", "industry", "civil_society", " state"]),
    "country": st.sampled_from(["PK", "", "XX"]),
    "language": st.sampled_from(["en", ""]),
    "source_url": st.sampled_from(["https://example.org/a?b=1", ""]),
    "stance": st.sampled_from(["neutral", "conditional", ""]),
    "frames": st.sampled_from(["", "security", "rights; security;", "rights;rights"]),
    "key_terms": st.sampled_from(["", "a;b", "a; ;a"]),
    "text": st.text(st.characters(categories=("L", "N", "P", "S", "Zs"),
                                  include_characters='\n\r",'), min_size=1, max_size=30
                    ).filter(lambda t: t.strip(" \u00a0\u3000") and "\u2028" not in t),
    "extra": st.text(st.characters(categories=("L", "N")), max_size=5),
}


@SETTINGS
@given(rows=st.lists(st.fixed_dictionaries(valid), min_size=1, max_size=10,
                     unique_by=lambda r: r["id"]), crlf=st.booleans())
def test_valid_files_take_the_column_reader_and_agree(tmp_path, rows, crlf):
    text = csv_text([[r[k] for k in FULL_HEADER] for r in rows], header=FULL_HEADER, crlf=crlf)
    path = tmp_path / "valid.csv"
    path.write_text(text, encoding="utf-8", newline="")
    fast, slow, used = _both(path)
    assert_same(fast, slow)
    if not slow.rejected.empty:  # e.g. a text of invisible characters only
        assert not used
    else:
        assert used, slow.problems


def test_progress_is_shown_when_asked_and_never_off_a_terminal(write, capsys, monkeypatch):
    pytest.importorskip("tqdm")
    good = write("good.csv", csv_text(GOOD_ROWS))
    bad = write("bad.csv", csv_text([*GOOD_ROWS, ["pk-4", "2024-02-30", "A", "state", "x"]]))
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    for path in (good, bad):
        load_corpus(path, strict=False, progress=True)
        shown = capsys.readouterr().err
        assert "reading good.csv" in shown if path == good else "checking rows" in shown
        load_corpus(path, strict=False)  # default: off unless stderr is a terminal
        assert capsys.readouterr().err == ""
        monkeypatch.setenv("TQDM_DISABLE", "1")
        load_corpus(path, strict=False, progress=True)
        assert capsys.readouterr().err == ""
        monkeypatch.delenv("TQDM_DISABLE")
