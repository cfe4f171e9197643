"""Agreement between two coders: alpha, kappa, confusion, and clear errors on bad files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from discourse.agreement import (
    CodesError,
    agreement_table,
    confusion_table,
    disagreements,
    read_codes,
)
from discourse.cli import main


def _write(path, rows, header="id,stance,frames"):
    path.write_text(header + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def _codes(stances, frames=None):
    frames = frames or [[] for _ in stances]
    return pd.DataFrame({"id": [f"s{i}" for i in range(len(stances))],
                         "stance": stances, "frames": frames})


def _alpha_by_hand(a, b):
    """Two coders, no missing values: alpha = 1 - (N - 1) * D / E from the coincidences."""
    values = sorted(set(a) | set(b))
    pairs = list(zip(a, b, strict=True)) + list(zip(b, a, strict=True))
    n_total = len(pairs)
    disagree = sum(x != y for x, y in pairs)
    totals = {v: sum(x == v for x, _ in pairs) for v in values}
    expected = sum(totals[c] * totals[k] for c in values for k in values if c != k)
    return 1 - (n_total - 1) * disagree / expected


def test_alpha_matches_the_coincidence_formula():
    rng = np.random.default_rng(3)
    stances = ["supports_restriction", "conditional", "opposes_restriction", "neutral"]
    a = list(rng.choice(stances, 60))
    b = [x if rng.random() < 0.7 else rng.choice(stances) for x in a]
    table = agreement_table(_codes(a), _codes(b), n_boot=50)
    stance = table.set_index("variable").loc["stance"]
    assert stance["alpha"] == pytest.approx(_alpha_by_hand(a, b))
    assert stance["agreement"] == pytest.approx(np.mean(np.array(a) == np.array(b)))
    assert stance["alpha_low"] <= stance["alpha"] <= stance["alpha_high"]


def test_frames_are_scored_one_by_one_and_kappa_is_reported():
    a = _codes(["neutral"] * 4, [["rights"], ["rights", "economy"], [], ["economy"]])
    b = _codes(["neutral"] * 4, [["rights"], ["rights"], [], ["economy"]])
    table = agreement_table(a, b, n_boot=100).set_index("variable")
    assert table.loc["rights", "alpha"] == 1.0
    assert table.loc["rights", "kappa"] == 1.0
    assert table.loc["economy", "alpha"] == pytest.approx(
        _alpha_by_hand([0, 1, 0, 1], [0, 0, 0, 1]))
    assert (table.loc["economy", "n_a"], table.loc["economy", "n_b"]) == (2, 1)
    # a frame neither coder used has no alpha, and says so rather than claiming agreement
    assert np.isnan(table.loc["security", "alpha"])
    assert table.loc["security", "n_boot_valid"] == 0
    # stance: one value only, so alpha is undefined as well
    assert np.isnan(table.loc["stance", "alpha"])


def test_bootstrap_is_seeded():
    a = _codes(["neutral", "conditional"] * 10)
    b = _codes(["neutral", "conditional", "conditional", "neutral"] * 5)
    one = agreement_table(a, b, n_boot=200, random_state=1)
    two = agreement_table(a, b, n_boot=200, random_state=1)
    other = agreement_table(a, b, n_boot=200, random_state=2)
    pd.testing.assert_frame_equal(one, two)
    assert not one["alpha_low"].equals(other["alpha_low"])


def test_confusion_and_disagreements():
    a = _codes(["neutral", "neutral", "conditional"], [["rights"], [], []])
    b = _codes(["neutral", "conditional", "conditional"], [["rights"], ["economy"], []])
    confusion = confusion_table(a, b)
    assert len(confusion) == 16 and confusion["n"].sum() == 3
    assert confusion.set_index(["coder_a", "coder_b"]).loc[("neutral", "conditional"), "n"] == 1
    rows = disagreements(a, b).to_dict("records")
    assert rows == [
        {"id": "s1", "field": "stance", "coder_a": "neutral", "coder_b": "conditional"},
        {"id": "s1", "field": "economy", "coder_a": "absent", "coder_b": "present"},
    ]


def test_read_codes_reports_every_problem_with_its_line(tmp_path):
    path = _write(tmp_path / "a.csv", ["s1,neutral,rights", "s1,maybe,rights;ethics",
                                       ",neutral,"])
    with pytest.raises(CodesError) as err:
        read_codes(path)
    text = str(err.value)
    assert f"{path}:3: id: duplicate id 's1' (first on line 2)" in text
    assert f"{path}:3: stance: unknown stance 'maybe'" in text
    assert f"{path}:3: frames: unknown frame 'ethics'" in text
    assert f"{path}:4: id: empty id" in text


@pytest.mark.parametrize(("content", "message"), [
    ("id,stance,frames\n", "no codes: the file has a header but no rows"),
    ("", "missing column(s)"),
    ("id,frames\ns1,rights\n", "stance: missing column(s)"),
])
def test_read_codes_refuses_empty_or_incomplete_files(tmp_path, content, message):
    path = tmp_path / "a.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CodesError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_codes(path)


def test_different_ids_name_both_files(tmp_path):
    a = read_codes(_write(tmp_path / "a.csv", ["s1,neutral,", "s2,neutral,"]))
    b = read_codes(_write(tmp_path / "b.csv", ["s1,neutral,", "s3,neutral,"]))
    with pytest.raises(CodesError) as err:
        agreement_table(a, b)
    text = str(err.value)
    assert f"{tmp_path / 'a.csv'}:3: id: 's2' is not coded in {tmp_path / 'b.csv'}" in text
    assert f"{tmp_path / 'b.csv'}:3: id: 's3' is not coded in {tmp_path / 'a.csv'}" in text


def test_cli_agree_json(tmp_path, capsys):
    a = _write(tmp_path / "a.csv", ["s1,neutral,rights", "s2,conditional,economy",
                                    "s3,conditional,", "s4,opposes_restriction,rights"])
    b = _write(tmp_path / "b.csv", ["s4,opposes_restriction,rights", "s1,neutral,rights",
                                    "s2,neutral,economy", "s3,conditional,"])
    assert main(["agree", str(a), str(b), "--json", "--boot", "100"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 4
    assert set(report["frames"]) >= {"rights", "economy", "security"}
    assert report["frames"]["rights"]["alpha"] == 1.0
    assert report["frames"]["security"]["alpha"] is None
    low, high = report["stance"]["alpha_interval"]
    assert low <= report["stance"]["alpha"] <= high
    assert sum(c["n"] for c in report["stance_confusion"]) == 4


def test_cli_agree_text_and_errors(tmp_path, capsys):
    a = _write(tmp_path / "a.csv", ["s1,neutral,rights", "s2,conditional,"])
    b = _write(tmp_path / "b.csv", ["s1,neutral,rights"])
    assert main(["agree", str(a), str(b)]) == 1
    err = capsys.readouterr().err
    assert "'s2' is not coded in" in err and "Traceback" not in err
    empty = _write(tmp_path / "empty.csv", [])
    assert main(["agree", str(a), str(empty)]) == 1
    assert "no codes" in capsys.readouterr().err
    assert main(["agree", str(a), str(tmp_path / "missing.csv")]) == 1
    assert "no such file" in capsys.readouterr().err
    same = _write(tmp_path / "c.csv", ["s1,neutral,rights", "s2,neutral,"])
    assert main(["agree", str(a), str(same), "--boot", "50"]) == 0
    out = capsys.readouterr().out
    assert "stance" in out and "coder A (rows)" in out


# -- the shipped coding files ------------------------------------------------------------------

CODING = Path(__file__).resolve().parent.parent / "corpus" / "coding"


#: The two rounds of blind second coding: (file suffix, sample size at least, datasheet words).
ROUNDS = {
    "first 296": ("", 150, "coded 161 statements blind"),
    "2026-12 rows": ("_2026-12_new_rows", 100, "132 of the 319 new rows"),
}


def _cell(value: float) -> str:
    return "n/a" if value != value else f"{value:.2f}"


@pytest.fixture(scope="module", params=sorted(ROUNDS))
def shipped(request):
    suffix, size, words = ROUNDS[request.param]
    a = read_codes(CODING / f"coder_a{suffix}.csv")
    b = read_codes(CODING / f"coder_b{suffix}.csv")
    adjudication = pd.read_csv(CODING / f"adjudication{suffix}.csv", dtype=str,
                               keep_default_na=False)
    sample = pd.read_csv(CODING / ("sample.csv" if not suffix else f"sample{suffix}.csv"),
                         dtype=str)["id"]
    return a, b, adjudication, sample, size, words


def test_shipped_sample_is_coded_by_both_and_meets_the_size(shipped):
    a, b, _, sample, size, _ = shipped
    assert sorted(a["id"]) == sorted(b["id"]) == sorted(sample)
    assert len(sample) >= size


def test_every_disagreement_is_adjudicated_and_applied(shipped):
    from discourse import load_corpus

    a, b, adjudication, *_ = shipped
    expected = disagreements(a, b)
    assert adjudication[["id", "field", "coder_a", "coder_b"]].to_dict("records") == \
        expected.to_dict("records")
    assert (adjudication["final"] == adjudication["coder_a"]).where(
        adjudication["final"] != adjudication["coder_b"], True).all()
    assert (adjudication["reason"].str.len() > 20).all()
    corpus = load_corpus().set_index("id")
    for row in adjudication.itertuples():
        if row.field == "stance":
            assert corpus.loc[row.id, "stance"] == row.final, row
        else:
            present = row.field in corpus.loc[row.id, "frames"]
            assert present == (row.final == "present"), row


def test_datasheet_quotes_the_agreement_that_the_codes_give(shipped):
    a, b, adjudication, _, _, words = shipped
    table = agreement_table(a, b)  # the defaults that `discourse agree` uses
    sheet = (CODING.parent / "README.md").read_text(encoding="utf-8")
    flat = " ".join(sheet.split())
    for row in table.itertuples():
        counts = f"{row.n_a} / {row.n_b}" if row.kind == "frame" else "– / –"
        line = (f"| `{row.variable}` | {counts} | {row.agreement:.2f} | {_cell(row.alpha)} "
                f"[{_cell(row.alpha_low)}, {_cell(row.alpha_high)}] | {_cell(row.kappa)} |")
        assert line in sheet, line
    stance = adjudication[adjudication["field"] == "stance"]
    frames = adjudication[adjudication["field"] != "stance"]
    to_a = int((stance["final"] == stance["coder_a"]).sum())
    to_b = int((frames["final"] == frames["coder_b"]).sum())
    assert f"{to_b} of the {len(frames)} frame disagreements were" in flat
    assert f"{to_a} of the {len(stance)} stance disagreements" in flat
    assert words in flat


def test_the_second_round_covers_only_rows_added_after_the_register():
    import json

    research = set()
    for path in sorted((CODING.parent / "research").glob("2*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                research.add(json.loads(line)["id"])
    sample = pd.read_csv(CODING / "sample_2026-12_new_rows.csv", dtype=str)["id"]
    assert set(sample) <= research
