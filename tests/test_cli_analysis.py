"""The analysis commands of the CLI: themes, terms, label, evaluate and figures."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from discourse.cli import main
from discourse.figures import FIGURES
from discourse.paths import file_sha256, shipped_corpus_file


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    """A 120-statement slice of the shipped corpus (every stance and group present)."""
    with open(shipped_corpus_file(), encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    picked = rows[::2][:120]
    path = tmp_path_factory.mktemp("corpus") / "small.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(picked)
    return path


def run(*args: str, stdin: str | bytes | None = None, cache=None) -> subprocess.CompletedProcess:
    env = None
    if cache is not None:
        import os

        env = {**os.environ, "DISCOURSE_CACHE": str(cache)}
    return subprocess.run([sys.executable, "-m", "discourse", *args], capture_output=True,
                          input=stdin.encode() if isinstance(stdin, str) else stdin, env=env)


def test_themes_json(small_corpus, capsys):
    args = ["themes", "--corpus", str(small_corpus), "--n-themes", "4", "--seed", "1", "--json"]
    assert main(args) == 0
    out = capsys.readouterr().out
    report = json.loads(out)
    assert report["n_themes"] == 4 and report["seed"] == 1
    assert {"stability", "coherence", "themes"} <= set(report)
    assert [t["id"] for t in report["themes"]] == [0, 1, 2, 3]
    for theme in report["themes"]:
        assert {"id", "label", "top_terms", "share"} <= set(theme)
    assert sum(t["n_documents"] for t in report["themes"]) <= 120
    assert sum(t["share"] for t in report["themes"]) == pytest.approx(1.0, abs=0.02)
    assert main(args) == 0
    assert capsys.readouterr().out == out  # same seed: identical output


def test_themes_text(small_corpus, capsys):
    assert main(["themes", "--corpus", str(small_corpus), "--n-themes", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("3 themes (seed 0): stability ")
    assert [line[:4] for line in out.splitlines() if line.startswith("[")] == ["[0] ", "[1] ",
                                                                             "[2] "]


def test_terms_json_and_by(small_corpus, capsys):
    assert main(["terms", "--corpus", str(small_corpus), "--top", "3", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["group"] for r in rows} == {"civil_society", "industry", "state"}
    assert all(len([r for r in rows if r["group"] == g]) <= 3 for g in {r["group"] for r in rows})
    for row in rows:
        assert {"group", "term", "z", "p_adj", "count_group", "count_rest"} <= set(row)
        assert 0 <= row["p_adj"] <= 1 and row["z"] > 0
    assert main(["terms", "--corpus", str(small_corpus), "--by", "stance", "--top", "2",
                 "--json"]) == 0
    assert {r["group"] for r in json.loads(capsys.readouterr().out)} <= {
        "supports_restriction", "conditional", "opposes_restriction", "neutral"}


def test_terms_unknown_column(small_corpus, capsys):
    assert main(["terms", "--corpus", str(small_corpus), "--by", "colour"]) == 1
    err = capsys.readouterr().err
    assert "--by: no column 'colour'" in err
    assert "Traceback" not in err


@pytest.fixture
def stdin(monkeypatch):
    """Set what the command reads from standard input (bytes)."""

    def _set(data: bytes) -> None:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))

    return _set


def test_label_json_from_files_and_stdin(small_corpus, tmp_path, monkeypatch, stdin, capsys):
    monkeypatch.setenv("DISCOURSE_CACHE", str(tmp_path / "cache"))
    one = tmp_path / "one.txt"
    one.write_text("The ministry ordered the regulator to block illegal VPNs to stop "
                   "terrorists and blasphemous content.", encoding="utf-8")
    stdin(b"Digital rights groups said the VPN ban violates privacy and free expression.")
    assert main(["label", "--corpus", str(small_corpus), "--json", "--explain", str(one),
                 "-"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["source"] for line in lines] == [str(one), "<stdin>"]
    for line in lines:
        assert set(line["stance_proba"]) == {"supports_restriction", "conditional",
                                             "opposes_restriction", "neutral"}
        assert sum(line["stance_proba"].values()) == pytest.approx(1.0, abs=1e-3)
        assert isinstance(line["frames"], list) and isinstance(line["evidence"], list)
    assert lines[0]["stance"] == "supports_restriction"
    assert lines[1]["stance"] == "opposes_restriction"
    assert list((tmp_path / "cache").iterdir())  # the model was cached


@pytest.mark.parametrize("content", [b"", b"   \n", b"\x00\x01\x02binary", b"\xff\xfe\xfa"])
def test_label_rejects_empty_and_binary_input(tmp_path, monkeypatch, stdin, capsys, content):
    monkeypatch.setenv("DISCOURSE_CACHE", str(tmp_path / "cache"))
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    assert main(["label", str(path)]) == 1
    err = capsys.readouterr().err
    assert str(path) in err and "Traceback" not in err
    stdin(content)
    assert main(["label"]) == 1
    assert "<stdin>" in capsys.readouterr().err


def test_label_empty_folder_is_refused_clearly(tmp_path, capsys):
    assert main(["label", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert f"{tmp_path}: folder: no .md, .markdown or .txt file in the folder" in err


def test_label_max_chars_and_needs_review(small_corpus, tmp_path, monkeypatch, capsys):
    from discourse import cli
    from discourse.label import MAX_CHARS

    assert cli.MAX_CHARS == MAX_CHARS  # the command's default is the library's
    monkeypatch.setenv("DISCOURSE_CACHE", str(tmp_path / "cache"))
    long = tmp_path / "long.txt"
    long.write_text("Officials said illegal VPNs must be blocked. " * 3, encoding="utf-8")
    assert main(["label", "--corpus", str(small_corpus), "--max-chars", "50", str(long)]) == 1
    assert "more than the limit of 50" in capsys.readouterr().err
    urdu = tmp_path / "urdu.txt"
    urdu.write_text("وی پی این پر پابندی غیر قانونی ہے، حکومت نے کہا", encoding="utf-8")
    args = ["label", "--corpus", str(small_corpus), str(long), str(urdu)]
    assert main([*args, "--max-chars", "0", "--json"]) == 0
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["stance"] is not None and second["needs_review"] is True
    # the English text is read; it is flagged only if its confidence is low
    assert first["needs_review"] is (first["review_reason"] is not None)
    assert first["review_reason"] is None or "confidence" in first["review_reason"]
    assert second["stance"] is None and "known to the model" in second["review_reason"]
    assert main(args) == 0
    assert "needs review: only 0 of" in capsys.readouterr().out


def test_label_confidence_and_min_confidence(small_corpus, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DISCOURSE_CACHE", str(tmp_path / "cache"))
    one = tmp_path / "one.txt"
    one.write_text("The ministry ordered the regulator to block illegal VPNs.", encoding="utf-8")
    args = ["label", "--corpus", str(small_corpus), "--json", str(one)]
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["confidence"] == max(result["stance_proba"].values())
    assert main([*args, "--min-confidence", "1"]) == 0
    strict = json.loads(capsys.readouterr().out)
    assert strict["needs_review"] is True and strict["stance"] == result["stance"]
    assert "below the review threshold 1.00 (--min-confidence)" in strict["review_reason"]
    assert main([*args[:-2], "--min-confidence", "1", str(one)]) == 0
    out = capsys.readouterr().out
    assert "needs review: confidence" in out and "stance:   " in out
    with pytest.raises(SystemExit):
        main([*args, "--min-confidence", "1.5"])
    assert "--min-confidence must be between 0 and 1" in capsys.readouterr().err


def test_label_ten_megabytes_is_a_clear_message(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DISCOURSE_CACHE", str(tmp_path / "cache"))
    big = tmp_path / "big.txt"
    big.write_text("Officials said illegal VPNs must be blocked. " * 230_000, encoding="utf-8")
    assert big.stat().st_size > 10_000_000
    assert main(["label", str(big)]) == 1
    err = capsys.readouterr().err
    assert "more than the limit of 100,000" in err and "split it into statements" in err
    assert "Traceback" not in err


def test_label_missing_file(tmp_path, capsys):
    assert main(["label", str(tmp_path / "nope.txt")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_evaluate_json_shape(small_corpus, capsys):
    assert main(["evaluate", "--corpus", str(small_corpus), "--json", "--repeats", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["cv"]["grouped_by"] in {"actor", "org_id"}
    assert report["cv"]["repeats"] == 1
    stance = report["stance"]
    assert {"macro_f1", "macro_f1_ci", "baselines", "per_class", "confusion", "n",
            "n_orgs"} <= set(stance)
    assert 0 < stance["n_orgs"] <= stance["n"] == 120
    for name in ("majority", "lexicon"):
        assert {"macro_f1", "per_class", "confusion", "n"} <= set(stance["baselines"][name])
    frames = report["frames"]
    assert {"micro_f1", "macro_f1", "per_frame", "baselines", "n_orgs"} <= set(frames)
    assert "lexicon" in frames["baselines"]
    low, high = stance["macro_f1_ci"]
    assert low <= stance["macro_f1"] <= high
    # the slice's statements that have an other-genre text are scored on it too
    with open(shipped_corpus_file().parent / "external" / "other_genres.csv",
              encoding="utf-8", newline="") as handle:
        external_ids = {row["id"] for row in csv.DictReader(handle)}
    with open(small_corpus, encoding="utf-8", newline="") as handle:
        ids = {row["id"] for row in csv.DictReader(handle)}
    assert stance["external"]["n"] == len(ids & external_ids) > 0
    assert stance["gap"]["macro_f1"] == round(stance["external"]["macro_f1"]
                                              - stance["macro_f1"], 4)
    assert [c["coverage"] for c in stance["coverage"]] == [0.5, 0.7, 0.9]
    assert {"precision", "recall"} <= set(frames["per_frame"]["rights"])
    assert {"precision", "recall"} <= set(frames["baselines"]["lexicon"]["per_frame"]["rights"])
    assert report["features"] == "tfidf"
    assert [t["target"] for t in report["targets"]][0] == "stance macro-F1 (org-grouped CV)"


def test_evaluate_text(small_corpus, capsys):
    assert main(["evaluate", "--corpus", str(small_corpus), "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert "grouped by org_id" in out and "majority" in out and "lexicon" in out
    assert "stance: 120 statements from " in out
    assert "stance on other genres: " in out and "transfer gap" in out
    assert "coverage: accuracy): 50%: " in out and "targets (benchmarks, not tests)" in out
    assert main(["evaluate", "--corpus", str(small_corpus), "--repeats", "1",
                 "--no-external"]) == 0
    assert "other genres" not in capsys.readouterr().out


def test_evaluate_and_label_refuse_unknown_features(capsys):
    with pytest.raises(SystemExit):
        main(["evaluate", "--features", "bert"])
    assert "invalid choice: 'bert'" in capsys.readouterr().err


def test_figures_command(small_corpus, tmp_path, capsys):
    out = tmp_path / "figs"
    assert main(["figures", "--corpus", str(small_corpus), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    manifest = json.loads((out / "manifest.json").read_text())
    written = [f["id"] for f in manifest["figures"]]
    assert written + [s["id"] for s in manifest["skipped"]] == list(FIGURES)
    assert manifest["corpus_rows"] == 120
    assert manifest["corpus_sha256"] == file_sha256(small_corpus)
    assert captured.out.splitlines() == [
        f"{fid}: {fid}.png, {fid}.svg, {fid}.csv" for fid in written]
    assert f"wrote {len(written)} figures and manifest.json to {out}" in captured.err


def test_figures_into_a_file_or_below_one_is_a_clear_error(tmp_path, capsys):
    a_file = tmp_path / "a_file"
    a_file.write_text("x", encoding="utf-8")
    for out, reason in [(a_file, "exists and is not a folder"),
                        (a_file / "figs", "lies below a file")]:
        assert main(["figures", "--out", str(out)]) == 1
        err = capsys.readouterr().err
        assert err.splitlines() == [f"discourse figures: cannot write to --out {out}: {reason}"
                                    f"{', not a folder' if 'below' in reason else ''}; give "
                                    "a folder you can write to"]
    assert a_file.read_text(encoding="utf-8") == "x"


def test_figures_interrupted_exits_130_with_one_line(tmp_path, capsys, monkeypatch):
    import discourse.figures

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(discourse.figures, "write_figures", interrupted)
    assert main(["figures", "--out", str(tmp_path / "figs")]) == 130
    captured = capsys.readouterr()
    assert captured.err == "discourse figures: interrupted\n" and captured.out == ""
