"""Loading and validating corpora: the shipped one, user files, and every bad input."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

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
                 '"text": "ok"}\n\n{not json}\n[1, 2]\nnull\n"text"\n')
    found = problems_of(path)
    assert found == [(n, "row", "error") for n in (3, 4, 5, 6)]
    result = lenient(path)
    assert len(result.corpus) == 1 and len(result.rejected) == 4


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
    assert len(problem.message) < 300  # a hint, not the list of 250 country codes
    if value == "pk":
        assert "did you mean 'PK'?" in problem.message


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


# -- readers report, never raise (reproductions of the "no crash, no silent change" issue) -----

FRONT = "---\nid: {id}\ndate: {date}\nactor: {actor}\ngroup: state\n---\nThe text.\n"


def md_folder(write, tmp_path, files):
    for name, content in files.items():
        write(f"f/{name}", content)
    return tmp_path / "f"


def jsonl(*objects):
    return "\n".join(o if isinstance(o, str) else json.dumps(o) for o in objects) + "\n"


GOOD_JSON = {"id": "a", "date": "2024-01-01", "actor": "X", "group": "state", "text": "t"}


def test_impossible_unquoted_date_in_front_matter_is_located(write, tmp_path):
    folder = md_folder(write, tmp_path, {
        "a.md": FRONT.format(id="a", date="2024-13-45", actor="X"),
        "b.md": FRONT.format(id="b", date="2024-01-02", actor="Y"),
    })
    (problem,) = validate_corpus(folder, today=TODAY)
    assert (problem.path, problem.line, problem.field) == (str(folder / "a.md"), 3, "date")
    assert "'2024-13-45' is not a date" in problem.message
    result = lenient(folder)
    assert result.corpus["id"].tolist() == ["b"] and result.n_records == 2


def test_front_matter_values_stay_as_written(write, tmp_path):
    folder = md_folder(write, tmp_path, {
        "a.md": "---\nid: 0123\ndate: 2024-01-02\nactor: 24:00\ngroup: state\ncountry: NO\n"
                "key_terms: [1_000, yes, null]\n---\nText.\n",
        "b.md": "---\nid: 1_000\ndate: 2024-01-02\nactor: on\ngroup: state\n---\nText.\n",
    })
    corpus = load_corpus(folder, today=TODAY)
    assert corpus["id"].tolist() == ["0123", "1_000"]
    assert corpus["actor"].tolist() == ["24:00", "on"]
    assert corpus["country"].tolist()[0] == "NO"
    assert corpus["key_terms"].tolist()[0] == ["1_000", "yes", "null"]


def test_duplicate_front_matter_key_is_a_problem(write, tmp_path):
    folder = md_folder(write, tmp_path, {"a.md": "---\nid: a\ndate: 2024-01-02\nactor: X\n"
                                                 "actor: Y\ngroup: state\n---\nText.\n"})
    assert problems_of(folder) == [(5, "actor", "error")]


@pytest.mark.parametrize("depth", [50, 5000])
def test_deeply_nested_front_matter_is_a_problem(write, tmp_path, depth):
    nested = "[" * depth + "]" * depth
    folder = md_folder(write, tmp_path, {
        "a.md": f"---\nid: a\ndate: 2024-01-02\nactor: X\ngroup: state\nnotes: {nested}\n---\nT\n",
        "b.md": FRONT.format(id="b", date="2024-01-02", actor="Y"),
    })
    result = lenient(folder)
    assert result.n_records == 2 and result.corpus["id"].tolist() == ["b"]
    assert "nested too deeply" in result.rejected["message"].iloc[0]


def test_jsonl_huge_integer_and_deep_nesting_are_row_problems(write):
    path = write("c.jsonl", jsonl(
        GOOD_JSON,
        '{"id": "b", "date": "2024-01-01", "actor": "X", "group": "state", "text": '
        + "9" * 5000 + "}",
        '{"id": "c", "notes": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ))
    found = validate_corpus(path, today=TODAY)
    assert [(p.line, p.field) for p in found] == [(2, "text"), (3, "row")]
    assert "a number (9999" in found[0].message and "nested too deeply" in found[1].message
    result = lenient(path)
    assert result.n_records == 3 and result.corpus["id"].tolist() == ["a"]


@pytest.mark.parametrize("value, kind", [("NaN", "NaN"), ("true", "boolean"), ("12", "number"),
                                         ("1.5e3", "number"), ('{"a": "b"}', "object"),
                                         ('["x"]', "list")])
def test_jsonl_non_text_values_are_problems_not_conversions(write, value, kind):
    path = write("c.jsonl", '{"id": "a", "date": "2024-01-01", "actor": ' + value
                 + ', "group": "state", "text": "t"}\n')
    (problem,) = validate_corpus(path, today=TODAY)
    assert (problem.line, problem.field) == (1, "actor") and kind in problem.message


def test_jsonl_list_fields_take_lists_of_text_only(write):
    path = write("c.jsonl", jsonl({**GOOD_JSON, "frames": ["security", 3]},
                                  {**GOOD_JSON, "id": "b", "key_terms": ["a;b"]},
                                  {**GOOD_JSON, "id": "c", "key_terms": ["a", "b"]}))
    assert problems_of(path) == [(1, "frames", "error"), (2, "key_terms", "error")]
    assert lenient(path).corpus["key_terms"].tolist() == [["a", "b"]]


def test_duplicate_json_key_is_a_problem(write):
    path = write("c.jsonl", '{"id": "a", "date": "2024-01-01", "actor": "X", "group": "state",'
                 ' "text": "t", "group": "industry"}\n')
    (problem,) = validate_corpus(path, today=TODAY)
    assert problem.field == "group" and "twice" in problem.message


@pytest.mark.parametrize("date", ["２０２４-０１-０１", "٢٠٢٤-٠١-٠١", "2024-0１-01"])
def test_non_ascii_digits_are_not_a_date(write, date):
    path = write("c.jsonl", jsonl({**GOOD_JSON, "date": date}))
    (problem,) = validate_corpus(path, today=TODAY)
    assert problem.field == "date" and "not a date" in problem.message


def latin1_cr_file(n_rows=20, bad=(3, 7)):
    lines = [",".join(HEADER)]
    for i in range(n_rows):
        actor = "Régulateur" if i + 2 in bad else "Regulator"
        lines.append(f"id-{i},2024-01-01,{actor},state,text {i}")
    return "\r".join(lines).encode("latin-1") + b"\r"


def test_latin1_with_cr_line_ends_is_reported_at_each_line(write):
    path = write("c.csv", latin1_cr_file())
    found = validate_corpus(path, today=TODAY)
    assert [(p.line, p.field) for p in found] == [(3, "file"), (7, "file")]
    assert "0xe9" in found[0].message and "--encoding" in found[0].message
    result = lenient(path)
    assert result.n_records == 20 and len(result.rejected) == 2
    assert not result.corpus["actor"].str.contains("\ufffd").any()
    corpus = load_corpus(path, today=TODAY, encoding="latin-1")
    assert corpus["actor"].tolist().count("Régulateur") == 2 and len(corpus) == 20


def test_cr_only_csv_is_split_into_lines(write):
    path = write("c.csv", csv_text(GOOD_ROWS).replace("\n", "\r"))
    assert len(load_corpus(path, today=TODAY)) == 3
    bad = csv_text(GOOD_ROWS + [["x", "2024-13-01", "X", "state", "t"]]).replace("\n", "\r")
    assert problems_of(write("d.csv", bad)) == [(5, "date", "error")]


@pytest.mark.parametrize("header", [HEADER + [""], HEADER + ["text"], ["id", "", *HEADER[1:]]])
def test_broken_header_rejects_every_row_and_counts_them(write, header):
    rows = [[f"id-{i}", "2024-01-01", "X", "state", "t", "y"][: len(header)] for i in range(20)]
    path = write("c.csv", csv_text(rows, header=header))
    result = lenient(path)
    assert result.n_records == 20 and len(result.rejected) == 20 and len(result.corpus) == 0
    assert result.rejected["message"].str.startswith("header:").all()
    assert [p.line for p in result.problems if p.severity == "error"] == [1]


@pytest.mark.parametrize("text, expected", [
    ("\u200b\u200b", "no visible character"),
    ("a\x00b", "NUL"),
    ("red \x1b[31malert\x1b[0m", "control character"),
    ("\u2060\ufeff ", "no visible character"),
])
def test_invisible_and_control_characters_are_problems(write, text, expected):
    path = write("c.jsonl", jsonl({**GOOD_JSON, "text": text}, {**GOOD_JSON, "id": "b"}))
    (problem,) = validate_corpus(path, today=TODAY)
    assert problem.field == "text" and expected in problem.message
    assert "\x1b" not in str(problem) and "\x00" not in str(problem)
    assert len(lenient(path).corpus) == 1


def test_control_characters_are_escaped_in_every_message(write):
    path = write("c.csv", csv_text([["a\x1b[2J", "2024-13-01\x1b]0;x\x07", "X", "state", "t"]],
                                   header=["id", "date", "actor", "group", "te\x1bxt"]))
    for problem in validate_corpus(path, today=TODAY):
        assert "\x1b" not in str(problem) and "\x07" not in str(problem)


def test_only_regular_files_are_read(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    (tmp_path / "zero.csv").symlink_to("/dev/zero")
    for path, kind in ((fifo, "FIFO"), (tmp_path / "zero.csv", "device")):
        (problem,) = validate_corpus(path, today=TODAY)  # returns at once, no hang
        assert problem.field == "file" and kind in problem.message


def test_size_cap_can_be_raised(write):
    path = write("c.csv", csv_text(GOOD_ROWS))
    size = path.stat().st_size
    (problem,) = validate_corpus(path, today=TODAY, max_bytes=size - 1)
    assert "max_bytes=" in problem.message and f"{size:,} bytes" in problem.message
    assert len(load_corpus(path, today=TODAY, max_bytes=size)) == 3
    with pytest.raises(ValueError, match="max_bytes"):
        load_corpus(path, max_bytes=0)
    with pytest.raises(ValueError, match="unknown encoding"):
        load_corpus(path, encoding="no-such-codec")


def test_a_statement_file_that_cannot_be_read_is_a_rejected_record(write, tmp_path):
    write("f/a.md", FRONT.format(id="a", date="2024-01-02", actor="X"))
    write("f/b.md", b"---\nid: b\nactor: R\xe9gulateur\n---\ntext\n")
    result = lenient(tmp_path / "f")
    assert result.n_records == 2 and result.rejected["line"].tolist() == [1]
    assert [(p.line, p.field) for p in result.problems] == [(3, "file")]


# -- containment ---------------------------------------------------------------------------------


def package(write, resource_path, name="pkg/datapackage.json"):
    return write(name, json.dumps({"resources": [{"path": resource_path}]}))


@pytest.mark.parametrize("resource, reason", [
    ("../../base.csv", "climbs out"),
    ("sub/../../base.csv", "climbs out"),
    ("/etc/base.csv", "absolute"),
    ("https://example.org/base.csv", "URL"),
    ("file:///etc/base.csv", "URL"),
])
def test_data_package_resources_stay_inside_its_folder(write, tmp_path, resource, reason):
    write("base.csv", csv_text(GOOD_ROWS))
    descriptor = package(write, resource, name="a/pkg/datapackage.json")
    found = validate_corpus(descriptor, today=TODAY)
    assert any(p.field == "resources[0].path" and reason in p.message for p in found), found
    assert len(lenient(descriptor).corpus) == 0


def test_data_package_symlink_out_of_its_folder_is_refused(write, tmp_path):
    outside = write("base.csv", csv_text(GOOD_ROWS))
    descriptor = package(write, "statements.csv")
    (tmp_path / "pkg" / "statements.csv").symlink_to(outside)
    found = validate_corpus(descriptor.parent, today=TODAY)
    assert any("symbolic link" in p.message for p in found)
    inside = package(write, "data/statements.csv", name="ok/datapackage.json")
    write("ok/data/statements.csv", csv_text(GOOD_ROWS))
    assert len(load_corpus(inside.parent, today=TODAY)) == 3


def test_folder_corpus_does_not_follow_links_out_of_the_folder(write, tmp_path):
    outside = write("secret.md", FRONT.format(id="s", date="2024-01-02", actor="X"))
    write("f/a.md", FRONT.format(id="a", date="2024-01-02", actor="Y"))
    (tmp_path / "f" / "link.md").symlink_to(outside)
    (tmp_path / "f" / "sub").symlink_to(tmp_path, target_is_directory=True)
    found = validate_corpus(tmp_path / "f", today=TODAY)
    assert sorted((Path(p.path).name, p.field) for p in found if p.severity == "error") == [
        ("link.md", "file"), ("sub", "file")]
    result = lenient(tmp_path / "f")
    assert result.corpus["id"].tolist() == ["a"] and result.n_records == 2


# -- linear validation ---------------------------------------------------------------------------


def test_validation_time_grows_with_the_rows_not_rows_times_problems(write):
    def seconds(n):
        path = write(f"c{n}.csv", csv_text([["a", "2024-01-01", "X", "state", "t", "extra"]] * n))
        start = time.perf_counter()
        problems = validate_corpus(path, today=TODAY)
        assert len(problems) == n
        return time.perf_counter() - start

    seconds(500)  # warm up
    small, large = seconds(4_000), seconds(16_000)
    assert large < 5.0 and large < 16 * small + 1.0  # ~0.3 s here; quadratic took ~20 s


# -- the schema is the one source -----------------------------------------------------------------


def test_new_fields_org_id_org_and_scope(write):
    header = HEADER + ["org_id", "org", "scope"]
    rows = [["a", "2024-01-01", "Ministère de l'Intérieur", "state", "t", "", "", ""],
            ["b", "2024-01-02", "The Minister", "state", "t", "interior-ministry", "Ministry",
             "circumvention_context"],
            ["c", "2024-01-03", "X", "state", "t", "Not A Slug", "", "vpns"]]
    path = write("c.csv", csv_text(rows, header=header))
    assert problems_of(path) == [(4, "org_id", "error"), (4, "scope", "error")]
    corpus = lenient(path).corpus
    assert corpus["org_id"].tolist() == ["ministere-de-l-interieur", "interior-ministry"]
    assert corpus["org"].tolist() == ["Ministère de l'Intérieur", "Ministry"]
    assert corpus["scope"].cat.categories.tolist() == list(schema.SCOPES)
    assert pd.isna(corpus["scope"].iloc[0])
    summary = summarize_corpus(corpus)
    assert summary["organisations"] == 2 and summary["scopes"] == {"circumvention_context": 1}


def test_checks_typed_table_and_datapackage_come_from_one_schema():
    table = schema.table_schema(list(schema.FIELD_NAMES))
    by_name = {f["name"]: f["constraints"] for f in table["fields"]}
    corpus = load_corpus()
    for fld in schema.FIELDS:
        if fld.kind == "category" and fld.categories == "codes":
            assert corpus[fld.name].cat.categories.tolist() == list(fld.allowed())
            assert by_name[fld.name]["enum"] == list(fld.allowed())
        if fld.pattern and fld.kind != "list":
            assert by_name[fld.name]["pattern"] == (fld.shipped_pattern or fld.pattern)
    assert schema.field("date").matches("2024-02") and not schema.field("date").matches("2024-2")
    with pytest.raises(ValueError, match="not in the schema"):
        schema.table_schema(["id", "coder"])


def test_frictionless_accepts_a_package_with_the_new_fields(tmp_path):
    frictionless = Path(sys.executable).with_name("frictionless")
    corpus = load_corpus()
    header = ["id", "date", "actor", "org_id", "org", "group", "scope", "text"]
    rows = [[r.id, r.date.strftime("%Y-%m-%d"), r.actor, r.org_id, r.org, r.group, "vpn", r.text]
            for r in corpus.head(5).itertuples()]
    (tmp_path / "statements.csv").write_text(csv_text(rows, header=header), encoding="utf-8")
    descriptor = {"name": "t", "resources": [{
        "name": "statements", "path": "statements.csv", "profile": "tabular-data-resource",
        "format": "csv", "encoding": "utf-8", "schema": schema.table_schema(header)}]}
    (tmp_path / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    result = subprocess.run([str(frictionless), "validate", "--json",
                             str(tmp_path / "datapackage.json")], capture_output=True, text=True)
    assert json.loads(result.stdout)["valid"], result.stdout[:2000]
    assert len(load_corpus(tmp_path, today=TODAY)) == 5


def test_a_link_loop_and_odd_field_names_are_problems(write, tmp_path):
    (tmp_path / "loop.csv").symlink_to(tmp_path / "loop.csv")
    (problem,) = validate_corpus(tmp_path / "loop.csv", today=TODAY)
    assert problem.field == "file"
    path = write("c.jsonl", '{"id": "a", "date": "2024-01-01", "actor": "X", "group": "state", '
                 '"text": "t", "\\ud800": "x", "\\u200b": "y"}\n')
    found = validate_corpus(path, today=TODAY)
    assert [(p.field, p.severity) for p in found] == [
        ("\\u200b", "error"), ("\\u200b", "warning"), ("\\ud800", "error"),
        ("\\ud800", "warning")]
    assert "field name" in found[0].message and "unknown field" in found[1].message
    with pytest.warns(CorpusWarning, match="unknown field"):
        assert len(lenient(path).corpus) == 0


def test_utf16_is_read_only_when_named(write):
    path = write("c.csv", csv_text(GOOD_ROWS).encode("utf-16"))
    (problem,) = validate_corpus(path, today=TODAY)
    assert (problem.line, problem.field) == (1, "file") and "UTF-16" in problem.message
    assert len(load_corpus(path, today=TODAY, encoding="utf-16")) == 3
    jsonl_path = write("c.jsonl", jsonl(GOOD_JSON).encode("utf-16"))
    assert len(load_corpus(jsonl_path, today=TODAY, encoding="utf-16")) == 1
    broken = write("d.csv", csv_text(GOOD_ROWS).encode("utf-16")[:-1])  # half a character
    (problem,) = validate_corpus(broken, today=TODAY, encoding="utf-16")
    assert problem.field == "file" and "cannot be decoded as utf-16" in problem.message


def test_data_package_rows_read_add_up(write):
    descriptor = package(write, "statements.csv")
    write("pkg/statements.csv", csv_text(GOOD_ROWS + [["x", "2024-02-30", "X", "state", "t"]]))
    result = lenient(descriptor.parent)
    assert result.n_records == 4 and len(result.corpus) == 3
    assert result.rejected["line"].tolist() == [5]


def test_validate_counts_records_and_valid_rows_as_a_lenient_load_does(write):
    bad = list(GOOD_ROWS[0])
    bad[HEADER.index("date")] = "not a date"
    bad[HEADER.index("id")] = "bad-date-row"
    for rows in (GOOD_ROWS, GOOD_ROWS + [bad]):
        path = write("c.csv", csv_text(rows))
        result = validate_corpus(path, today=TODAY, return_counts=True)
        loaded = lenient(path)
        assert result.problems == loaded.problems
        assert (result.n_records, result.n_valid) == (loaded.n_records, len(loaded.corpus))
    assert (result.n_records, result.n_valid) == (len(GOOD_ROWS) + 1, len(GOOD_ROWS))


def _digest_in_one_piece(table, names):
    """corpus_digest as first written: the whole table as one JSON string."""
    import hashlib

    import numpy as np

    def canonical(value):
        if isinstance(value, list | tuple | np.ndarray):
            return [str(v) for v in value]
        if isinstance(value, pd.Timestamp | dt.date):
            return value.strftime("%Y-%m-%d")
        return None if pd.isna(value) else str(value)

    rows = [[canonical(v) for v in values]
            for values in table[names].itertuples(index=False, name=None)]
    payload = json.dumps([names, rows], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("repeat", [0, 1, 17, 40])  # 40 copies cross several row blocks
def test_digest_hashed_in_blocks_equals_the_digest_of_the_whole_json(repeat):
    from discourse.corpus import corpus_digest

    corpus = load_corpus()
    table = pd.concat([corpus] * repeat, ignore_index=True) if repeat else corpus.iloc[:0]
    for names in (list(table.columns), ["text", "frames"]):
        assert corpus_digest(table, names) == _digest_in_one_piece(table, names)
