"""The corpus commands of the CLI: ``discourse validate`` and ``discourse info``."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import GOOD_ROWS, csv_text

from discourse import load_corpus, summarize_corpus
from discourse.cli import main
from discourse.paths import shipped_corpus_dir


def run(*args: str) -> subprocess.CompletedProcess:
    """Run the installed command in a new process, as a user would."""
    return subprocess.run([sys.executable, "-m", "discourse.cli", *args], capture_output=True,
                          text=True)


def test_validate_shipped_corpus_exits_0():
    result = run("validate", str(shipped_corpus_dir()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""
    assert "valid" in result.stderr


def test_validate_reports_one_line_per_problem(write):
    rows = GOOD_ROWS + [["x", "2024-02-30", "X", "nope", ""]]
    path = write("bad.csv", csv_text(rows))
    result = run("validate", str(path))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines == [
        f"{path}:5: date: '2024-02-30' is an impossible date (day is out of range for month); "
        "write a real calendar date",
        f"{path}:5: group: unknown group code 'nope'; allowed: civil_society, industry, state",
        f"{path}:5: text: is empty; every statement needs the statement text here",
    ]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("content", [b"", b"\xff\xfe\x00\x01garbage", b"id,date\n\"open"])
def test_validate_never_prints_a_traceback(write, content):
    result = run("validate", str(write("bad.csv", content)))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout.strip()


def test_validate_several_paths_checks_ids_across_them(write):
    a = write("a.csv", csv_text(GOOD_ROWS[:2]))
    b = write("b.csv", csv_text(GOOD_ROWS[1:]))
    result = run("validate", str(a), str(b))
    assert result.returncode == 1
    assert result.stdout.startswith(f"{b}:2: id: duplicate id 'pk-2'")


def test_validate_warnings_do_not_fail(write):
    path = write("w.csv", csv_text([r + ["x"] for r in GOOD_ROWS],
                                   header=["id", "date", "actor", "group", "text", "coder"]))
    result = run("validate", str(path))
    assert result.returncode == 0
    assert "warning: unknown column" in result.stdout


def test_info_json_has_the_counts():
    result = run("info", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    expected = summarize_corpus(load_corpus())
    assert info == expected
    for key in ("rows", "groups", "countries", "stances", "years"):
        assert key in info
    assert info["rows"] == sum(info["groups"].values())


def test_info_text_and_user_corpus(write, capsys):
    path = write("c.csv", csv_text(GOOD_ROWS))
    assert main(["info", "--corpus", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("rows: 3\ndates: 2024-11-01 to 2024-11-20\n")
    assert "  industry                     1" in out


def test_info_on_a_bad_corpus_lists_problems(write, capsys):
    path = write("c.csv", csv_text([["a", "2024-02-30", "X", "state", "t"]]))
    assert main(["info", "--corpus", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}:2: date:" in err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["terms", "--top", "0"])
    assert info.value.code == 2
    with pytest.raises(SystemExit):
        main([])


def test_validate_locates_a_bad_front_matter_date(write, tmp_path):
    write("f/a.md", "---\nid: a\ndate: 2024-13-45\nactor: X\ngroup: state\n---\nText.\n")
    result = run("validate", str(tmp_path / "f"))
    assert result.returncode == 1
    assert result.stdout.startswith(f"{tmp_path / 'f' / 'a.md'}:3: date: '2024-13-45' is not "
                                    "a date")
    assert "0 of 1 statements valid" in result.stderr


def test_validate_never_echoes_terminal_escapes(write):
    path = write("c.csv", csv_text([["a", "2024-01-01", "X\x1b]0;owned\x07", "state", "t\x1b[2J"]]))
    result = run("validate", str(path))
    assert result.returncode == 1
    assert "\x1b" not in result.stdout + result.stderr
    assert "\\x1b" in result.stdout


def test_validate_and_info_take_an_encoding_and_a_size_limit(write, capsys):
    text = csv_text(GOOD_ROWS).replace("Bolo Bhi", "Bolo Bhí")
    path = write("c.csv", text.encode("cp1252"))
    assert main(["validate", str(path)]) == 1
    assert "--encoding" in capsys.readouterr().out
    assert main(["validate", "--encoding", "cp1252", str(path)]) == 0
    assert "valid: 3 statements" in capsys.readouterr().err
    assert main(["info", "--encoding", "cp1252", "--corpus", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rows"] == 3
    assert main(["validate", "--encoding", "cp1252", "--max-bytes", "10", str(path)]) == 1
    assert "--max-bytes" in capsys.readouterr().out
    assert main(["validate", "--encoding", "nope", str(path)]) == 1
    assert "unknown encoding" in capsys.readouterr().err


def test_validate_and_info_agree_on_a_header_only_file(write, capsys):
    path = write("c.csv", "id,date,actor,group,text\n")
    assert main(["validate", str(path)]) == 1
    assert "header but no statements" in capsys.readouterr().out
    assert main(["info", "--corpus", str(path)]) == 1
    assert "header but no statements" in capsys.readouterr().err


def test_validate_refuses_a_fifo_without_hanging(tmp_path):
    fifo = tmp_path / "x.csv"
    os.mkfifo(fifo)
    result = subprocess.run([sys.executable, "-m", "discourse.cli", "validate", str(fifo)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "FIFO" in result.stdout


def test_info_reports_organisations(write, capsys):
    path = write("c.csv", csv_text([r + ["vpn"] for r in GOOD_ROWS],
                                   header=["id", "date", "actor", "group", "text", "scope"]))
    assert main(["info", "--corpus", str(path)]) == 0
    out = capsys.readouterr().out
    assert "organisations: 3\n" in out and "scopes:\n  vpn                          3\n" in out


def test_validate_deep_nesting_and_huge_numbers_exit_1_not_2(write):
    path = write("c.jsonl", '{"id": "a", "notes": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
                 '{"id": "b", "text": ' + "9" * 5000 + "}\n")
    result = run("validate", str(path))
    assert result.returncode == 1, result.stderr
    assert f"{path}:1: row: nested too deeply" in result.stdout
    assert f"{path}:2: text: is a number" in result.stdout
    assert "Traceback" not in result.stderr and "bug" not in result.stderr
