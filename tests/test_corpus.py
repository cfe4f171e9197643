"""Loading and validating corpora: the shipped one, user files, and every bad input."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pandas as pd
import pytest
from conftest import GOOD_ROWS, HEADER, csv_text

from discourse import (
    CorpusError,
    CorpusWarning,
    load_corpus,
    schema,
    summarize_corpus,
    validate_corpus,
)
from discourse.paths import shipped_corpus_file

TODAY = dt.date(2026, 11, 29)


def problems_of(path, **kw):
    return [(p.line, p.field, p.severity) for p in validate_corpus(path, today=TODAY, **kw)]


def lenient(path):
    return load_corpus(path, strict=False, today=TODAY)


# -- the shipped corpus --------------------------------------------------------------------


def test_shipped_corpus_is_valid_and_typed():
    corpus = load_corpus()
    assert validate_corpus() == []
    assert len(corpus) >= 250
    assert str(corpus["date"].dtype) == "datetime64[ns]"
    for name in ("group", "stance", "country", "actor_type"):
        assert isinstance(corpus[name].dtype, pd.CategoricalDtype), name
    assert corpus["group"].cat.categories.tolist() == list(schema.GROUPS)
    assert all(isinstance(v, list) for v in corpus["frames"])
    assert all(isinstance(v, list) for v in corpus["key_terms"])
    assert corpus["id"].is_unique


def test_shipped_corpus_meets_coverage_targets():
    corpus = load_corpus()
    counts = corpus["group"].value_counts()
    assert counts.min() >= 50
    assert corpus["country"].nunique() >= 12
    years = set(corpus["date"].dt.year)
    assert set(range(2016, 2027)) <= years
    assert corpus["stance"].notna().all()
    assert all(corpus["frames"].map(len) > 0)


def test_shipped_texts_are_paraphrases_of_60_to_160_words():
    corpus = load_corpus()
    words = corpus["text"].str.split().str.len()
    assert words.between(60, 160).all(), corpus.loc[~words.between(60, 160), "id"].tolist()
    # every text is in English reported speech about its actor: no code names leak in,
    # and no text announces its stance ("argued neither for nor against")
    for code in schema.STANCES + schema.FRAMES:
        if "_" in code:
            assert not corpus["text"].str.contains(code, regex=False).any(), code
    cues = corpus["text"].str.contains(r"for or against|neither for|took no side", case=False)
    assert not cues.any(), corpus.loc[cues, "id"].tolist()


def test_load_corpus_from_any_working_directory(tmp_path):
    code = "import discourse; print(len(discourse.load_corpus()))"
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, check=True)
    assert int(out.stdout) == len(load_corpus())


def test_month_precision_dates(write):
    corpus = load_corpus(write("c.csv", csv_text(GOOD_ROWS)), today=TODAY)
    row = corpus.set_index("id").loc["pk-2"]
    assert row["date"] == pd.Timestamp("2024-11-01")
    assert row["date_precision"] == "month"
    assert corpus.set_index("id").loc["pk-1", "date_precision"] == "day"


# -- user corpora in other formats ---------------------------------------------------------


def test_jsonl_corpus_with_lists(write):
    lines = [
        {"id": "a", "date": "2024-11-15", "actor": "X", "group": "state", "text": "t one",
         "frames": ["security", "technical"], "stance": "supports_restriction"},
        {"id": "b", "date": "2024-11-16", "actor": "Y", "group": "industry", "text": "t two"},
    ]
    path = write("c.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
    corpus = load_corpus(path, today=TODAY)
    assert corpus["frames"].tolist() == [["security", "technical"], []]
    assert corpus["stance"].tolist()[0] == "supports_restriction"
    assert pd.isna(corpus["stance"].tolist()[1])


def test_jsonl_bad_lines_are_located(write):
    path = write("c.jsonl", '{"id": "a", "date": "2024-01-01", "actor": "X", "group": "state", '
                 '"text": "ok"}\n\n{not json}\n[1, 2]\n')
    found = problems_of(path)
    assert (3, "row", "error") in found
    assert (4, "row", "error") in found
    result = lenient(path)
    assert len(result.corpus) == 1 and len(result.rejected) == 2


def test_markdown_folder(write, tmp_path):
    write("folder/b.md", "---\nid: pk-b\ndate: 2024-11-16\nactor: PTA\ngroup: state\n"
          "stance: supports_restriction\nframes: [security, legality_governance]\n---\n"
          "The PTA asked users to register.\n")
    write("folder/a.txt", "---\ndate: 2024-11-15\nactor: WISPAP\ngroup: industry\n---\n\n"
          "WISPAP warned of losses.\n")
    corpus = load_corpus(tmp_path / "folder", today=TODAY)
    assert corpus["id"].tolist() == ["a", "pk-b"]  # files in sorted order; id from file name
    assert corpus["text"].tolist()[0] == "WISPAP warned of losses."
    assert corpus["frames"].tolist()[1] == ["security", "legality_governance"]


def test_front_matter_not_a_mapping(write, tmp_path):
    write("f/a.md", "---\n- just\n- a list\n---\ntext\n")
    assert problems_of(tmp_path / "f") == [(2, "front matter", "error")]


def test_front_matter_with_yaml_tags_is_refused(write, tmp_path):
    write("f/a.md", "---\nid: a\ndate: 2024-01-01\nactor: !!python/object:os.system x\n"
          "group: state\n---\ntext\n")
    write("f/b.md", "---\nid: b\ndate: !!str 2024-01-01\nactor: X\ngroup: state\n---\ntext\n")
    found = problems_of(tmp_path / "f")
    assert found == [(4, "front matter", "error"), (3, "front matter", "error")] or sorted(
        found) == sorted([(4, "front matter", "error"), (3, "front matter", "error")])
    assert all("YAML tags" in p.message for p in validate_corpus(tmp_path / "f", today=TODAY))


def test_front_matter_missing_or_unclosed(write, tmp_path):
    write("f/a.md", "no front matter here\n")
    write("f/b.md", "---\nid: b\n")
    messages = [p.message for p in validate_corpus(tmp_path / "f", today=TODAY)]
    assert any("no YAML front matter" in m for m in messages)
    assert any("never closed" in m for m in messages)


def test_folder_with_no_statements(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "data.json").write_text("{}")
    found = problems_of(tmp_path / "empty")
    assert (0, "folder", "error") in found
    assert (0, "file", "warning") in found  # data.json is not a statement file
    with pytest.raises(CorpusError), pytest.warns(CorpusWarning, match="ignored"):
        load_corpus(tmp_path / "empty", today=TODAY)


def test_datapackage_folder_loads_its_resources():
    corpus = load_corpus(shipped_corpus_file().parent / "datapackage.json")
    assert len(corpus) == len(load_corpus(shipped_corpus_file()))


# -- every bad input -------------------------------------------------------------------------


def test_missing_required_column(write):
    path = write("c.csv", csv_text([r[:4] for r in GOOD_ROWS], header=HEADER[:4]))
    found = problems_of(path)
    assert (1, "text", "error") in found
    result = lenient(path)
    assert len(result.corpus) == 0 and len(result.rejected) == 3


def test_unknown_column_is_a_warning_and_kept(write):
    path = write("c.csv", csv_text([r + ["x"] for r in GOOD_ROWS], header=HEADER + ["coder"]))
    assert problems_of(path) == [(1, "coder", "warning")]
    with pytest.warns(CorpusWarning, match="coder"):
        corpus = load_corpus(path, today=TODAY)
    assert corpus["coder"].tolist() == ["x", "x", "x"]


def test_empty_text(write):
    rows = [GOOD_ROWS[0], ["pk-9", "2024-11-15", "X", "state", "   "]]
    assert problems_of(write("c.csv", csv_text(rows))) == [(3, "text", "error")]


def test_duplicate_id_is_reported_on_an_otherwise_bad_row_too(write):
    rows = GOOD_ROWS + [[GOOD_ROWS[1][0], "2024-02-30", "X", "state", "t"]]
    found = problems_of(write("c.csv", csv_text(rows)))
    assert found == [(5, "date", "error"), (5, "id", "error")]


def test_duplicate_id_names_the_first_use(write):
    rows = GOOD_ROWS + [GOOD_ROWS[0]]
    path = write("c.csv", csv_text(rows))
    (problem,) = validate_corpus(path, today=TODAY)
    assert (problem.line, problem.field) == (5, "id")
    assert f"{path}:2" in problem.message
    result = lenient(path)
    assert len(result.corpus) == 3 and result.rejected["line"].tolist() == [5]


@pytest.mark.parametrize("value", ["15/11/2024", "2024-13-01", "2024-1-5", "yesterday"])
def test_bad_date(write, value):
    rows = [["a", value, "X", "state", "t"]]
    assert problems_of(write("c.csv", csv_text(rows))) == [(2, "date", "error")]


@pytest.mark.parametrize("value", ["2024-02-30", "2023-02-29", "2024-04-31"])
def test_impossible_date(write, value):
    (problem,) = validate_corpus(write("c.csv", csv_text([["a", value, "X", "state", "t"]])),
                                 today=TODAY)
    assert problem.field == "date" and "impossible" in problem.message


def test_leap_day_is_fine(write):
    assert problems_of(write("c.csv", csv_text([["a", "2024-02-29", "X", "state", "t"]]))) == []


def test_future_date(write):
    path = write("c.csv", csv_text([["a", "2026-11-30", "X", "state", "t"],
                                    ["b", "2026-11-29", "X", "state", "t"]]))
    (problem,) = validate_corpus(path, today=TODAY)
    assert (problem.line, problem.field) == (2, "date") and "future" in problem.message


@pytest.mark.parametrize(
    "column, value",
    [
        ("group", "ngo"),
        ("stance", "against"),
        ("frames", "security;economics"),
        ("actor_type", "think_tank"),
        ("country", "XY"),
        ("country", "pk"),
        ("date_source", "press"),
        ("language", "English"),
    ],
)
def test_unknown_codes(write, column, value):
    header = HEADER + ([column] if column not in HEADER else [])
    row = ["a", "2024-11-15", "X", "state", "t"] + ([value] if column not in HEADER else [])
    if column in HEADER:
        row[HEADER.index(column)] = value
    (problem,) = validate_corpus(write("c.csv", csv_text([row], header=header)), today=TODAY)
    assert (problem.line, problem.field) == (2, column)
    assert "allowed" in problem.message or "use" in problem.message


@pytest.mark.parametrize("url", ["www.dawn.com/news/1", "htp://x.org", "https://dawn com/x",
                                 "https://", "ftp://x.org/a"])
def test_malformed_url(write, url):
    path = write("c.csv", csv_text([["a", "2024-11-15", "X", "state", "t", url]],
                                   header=HEADER + ["source_url"]))
    assert problems_of(path) == [(2, "source_url", "error")]


def test_good_url(write):
    path = write("c.csv", csv_text([["a", "2024-11-15", "X", "state", "t",
                                     "https://www.dawn.com/news/1873?x=1#y"]],
                                   header=HEADER + ["source_url"]))
    assert problems_of(path) == []


def test_non_utf8_bytes_report_the_line(write):
    text = csv_text(GOOD_ROWS).encode("utf-8")
    lines = text.split(b"\n")
    lines[2] = lines[2].replace(b"regulator", b"r\xe9gulator")  # Latin-1 e-acute
    path = write("c.csv", b"\n".join(lines))
    found = validate_corpus(path, today=TODAY)
    assert [(p.line, p.field) for p in found] == [(3, "file")]
    assert "0xe9" in found[0].message
    result = lenient(path)
    assert result.corpus["id"].tolist() == ["pk-1", "pk-3"]
    assert result.rejected["line"].tolist() == [3]
    assert "UTF-8" in result.rejected["message"].iloc[0]


def test_bom_and_crlf_are_accepted(write):
    data = b"\xef\xbb\xbf" + csv_text(GOOD_ROWS).replace("\n", "\r\n").encode("utf-8")
    path = write("c.csv", data)
    assert validate_corpus(path, today=TODAY) == []
    corpus = load_corpus(path, today=TODAY)
    assert corpus.columns[0] == "id"
    assert not corpus["text"].str.contains("\r").any()


def test_multiline_quoted_field_keeps_physical_lines(write):
    rows = [["a", "2024-11-15", "X", "state", "line one\nline two"],
            ["b", "2024-13-01", "X", "state", "t"]]
    assert problems_of(write("c.csv", csv_text(rows))) == [(4, "date", "error")]


def test_unbalanced_quotes(write):
    text = csv_text(GOOD_ROWS) + 'pk-4,2024-11-15,X,state,"never closed\npk-5,2024-11-15,X,s\n'
    path = write("c.csv", text)
    found = validate_corpus(path, today=TODAY)
    assert [(p.line, p.field) for p in found] == [(5, "row")]
    assert "unbalanced double quote" in found[0].message
    result = lenient(path)
    assert len(result.corpus) == 3
    assert len(result.corpus) + len(result.rejected) == result.n_records
    assert "unbalanced" in result.rejected["message"].iloc[0]


def test_quote_inside_quoted_field_must_be_doubled(write):
    text = csv_text(GOOD_ROWS[:1]) + 'pk-4,2024-11-15,X,state,"a "quoted" word"\n'
    found = validate_corpus(write("c.csv", text), today=TODAY)
    assert [(p.line, p.field) for p in found] == [(3, "row")]


def test_wrong_number_of_fields(write):
    text = csv_text(GOOD_ROWS[:1]) + "pk-4,2024-11-15,X,state,t,extra\n"
    assert problems_of(write("c.csv", text)) == [(3, "row", "error")]


def test_field_larger_than_1_mb(write):
    big = "word " * 250_000  # 1.25 MB
    path = write("c.csv", csv_text(GOOD_ROWS + [["big", "2024-11-15", "X", "state", big]]))
    found = validate_corpus(path, today=TODAY)
    assert [(p.line, p.field) for p in found] == [(5, "text")]
    assert "1 MB" in found[0].message


def test_empty_file(write):
    assert problems_of(write("c.csv", "")) == [(1, "file", "error")]
    assert problems_of(write("d.csv", "\n  \n")) == [(1, "file", "error")]
    assert problems_of(write("e.jsonl", "")) == [(1, "file", "error")]


def test_header_only_file_is_a_problem_for_validate_and_load_alike(write):
    path = write("c.csv", ",".join(HEADER) + "\n")
    (problem,) = validate_corpus(path, today=TODAY)
    assert (problem.line, problem.field) == (1, "file")
    assert "header but no statements" in problem.message
    with pytest.raises(CorpusError, match="no statements"):
        load_corpus(path, today=TODAY)
    result = lenient(path)
    assert result.n_records == 0 and len(result.problems) == 1


def test_unsupported_file_and_missing_path(write, tmp_path):
    assert problems_of(write("c.xlsx", b"PK")) == [(0, "file", "error")]
    assert problems_of(tmp_path / "nope.csv") == [(0, "file", "error")]


# -- strict and lenient modes --------------------------------------------------------------


def test_strict_mode_raises_one_error_with_every_problem(write):
    rows = [["a", "2024-02-30", "X", "state", "t"], ["b", "2024-11-15", "X", "nope", ""]]
    with pytest.raises(CorpusError) as info:
        load_corpus(write("c.csv", csv_text(rows)), today=TODAY)
    fields = sorted((p.line, p.field) for p in info.value.problems)
    assert fields == [(2, "date"), (3, "group"), (3, "text")]
    assert "c.csv:2: date:" in str(info.value)


def test_lenient_mode_returns_valid_and_rejected_rows(write):
    rows = GOOD_ROWS + [["b", "2024-02-30", "X", "state", "t"], ["c", "2024-11-15", "X", "x", ""]]
    result = lenient(write("c.csv", csv_text(rows)))
    assert result.corpus["id"].tolist() == ["pk-1", "pk-2", "pk-3"]
    assert result.rejected["id"].tolist() == ["b", "c"]
    assert result.rejected.columns.tolist() == ["path", "line", "id", "message"]
    assert "group" in result.rejected["message"].iloc[1]
    assert result.n_records == 5


def test_problem_format():
    problem = validate_corpus("nope.csv")[0]
    assert str(problem).startswith("nope.csv:0: file: ")


# -- summary ---------------------------------------------------------------------------------


def test_summarize_corpus_counts_add_up():
    corpus = load_corpus()
    summary = summarize_corpus(corpus)
    assert summary["rows"] == len(corpus)
    for key in ("groups", "countries", "stances", "years", "actor_types"):
        assert sum(summary[key].values()) == len(corpus), key
    assert list(summary["groups"]) == list(schema.GROUPS)
    assert summary["date_min"] <= summary["date_max"]


def test_validate_never_reads_home(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert validate_corpus() == []
    assert os.listdir(tmp_path) == []


def test_corpus_digest_depends_on_content_only():
    from discourse import corpus as corpus_module

    corpus = load_corpus()
    digest = corpus_module.corpus_digest
    assert digest(corpus) == digest(corpus.set_index("id", drop=False))  # not the index
    assert digest(corpus, ["text"]) == digest(corpus.astype({"text": object}), ["text"])
    changed = corpus.copy()
    changed.loc[0, "text"] = changed.loc[0, "text"] + " "
    assert digest(changed, ["text"]) != digest(corpus, ["text"])
    assert digest(changed, ["id", "stance"]) == digest(corpus, ["id", "stance"])
