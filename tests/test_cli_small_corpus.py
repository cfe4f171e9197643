"""The CLI on corpora too small or too bare to analyse: clear errors, exit 1, no traceback."""

from __future__ import annotations

import json

import pytest
from conftest import GOOD_ROWS, HEADER, csv_text

from discourse.cli import main


@pytest.fixture
def tiny(write):
    return write("tiny.csv", csv_text(GOOD_ROWS))


def test_themes_on_a_tiny_corpus_does_not_crash(tiny, capsys):
    code = main(["themes", "--corpus", str(tiny)])
    captured = capsys.readouterr()
    assert code in (0, 1)
    assert "Traceback" not in captured.err and "bug" not in captured.err


def test_terms_on_a_tiny_corpus_explains_itself(tiny, capsys):
    assert main(["terms", "--corpus", str(tiny)]) == 1
    err = capsys.readouterr().err
    assert "too small" in err and "bug" not in err


@pytest.mark.parametrize("column", ["frames", "id"])
def test_terms_refuses_columns_that_are_not_groups(column, capsys):
    assert main(["terms", "--by", column]) == 1
    err = capsys.readouterr().err
    assert f"column '{column}'" in err and "bug" not in err


def test_evaluate_and_label_need_codes(tiny, write, capsys):
    assert main(["evaluate", "--corpus", str(tiny)]) == 1
    assert "bug" not in capsys.readouterr().err
    statement = write("s.txt", "The regulator asked users to register their VPNs.")
    assert main(["label", "--corpus", str(tiny), str(statement)]) == 1
    assert "stance" in capsys.readouterr().err


def test_evaluate_options_are_checked(capsys):
    with pytest.raises(SystemExit):
        main(["evaluate", "--splits", "1"])
    assert "--splits must be at least 2" in capsys.readouterr().err


def test_figures_on_a_bare_corpus_names_what_it_skipped(tiny, tmp_path, capsys):
    out = tmp_path / "figs"
    assert main(["figures", "--corpus", str(tiny), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["skipped"]
    for skipped in manifest["skipped"]:
        assert f"skipped {skipped['id']}: " in err


def test_validate_prints_each_warning_once(write, capsys):
    path = write("w.csv", csv_text([r + ["x"] for r in GOOD_ROWS], header=HEADER + ["coder"]))
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    assert (captured.out + captured.err).count("unknown column") == 1
