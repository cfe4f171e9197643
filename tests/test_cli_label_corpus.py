"""``discourse label`` on a corpus: CSV, JSONL, folders and --lines in; a labelled table out."""

from __future__ import annotations

import csv
import io
import json

import pytest

from discourse.cli import main
from discourse.label import fit_labellers
from discourse.label_io import LIST_HINT_LINES, label_columns_out
from discourse.schema import STANCES

TEXTS = [
    "The ministry ordered the regulator to block illegal VPNs to stop terrorists.",
    "A digital rights group said the VPN ban violates privacy and free expression.",
    "Providers said a blanket ban would hurt IT exports; regulate misuse, not the tools.",
    "The regulator published figures on VPN use during the outage.",
    "Роскомнадзор заблокировал VPN сервисы",
    'Lawyers said the order, "without any legal basis", must be withdrawn.',
]


@pytest.fixture(scope="module", autouse=True)
def cache(tmp_path_factory):
    root = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DISCOURSE_CACHE", str(root))
        yield root


@pytest.fixture(scope="module")
def bundle(cache):
    return fit_labellers()


@pytest.fixture()
def news_csv(tmp_path):
    path = tmp_path / "news.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["outlet", "text", "id", "date"])
        for i, text in enumerate(TEXTS):
            writer.writerow([f"outlet {i % 2}", text, f"n{i}", f"2024-0{i + 1}-01"])
    return path


def _read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_csv_in_labelled_csv_out_keeps_the_columns_in_order(news_csv, tmp_path, bundle, capsys):
    out = tmp_path / "labelled.csv"
    assert main(["label", str(news_csv), "--out", str(out)]) == 0
    assert "labelled 6 statements" in capsys.readouterr().err
    header, *rows = _read_csv(out)
    assert header == ["outlet", "text", "id", "date", *label_columns_out()]
    assert "evidence" not in header
    assert [row[:4] for row in rows] == [r[:4] for r in _read_csv(news_csv)[1:]]
    expected = bundle.label(TEXTS)
    for row, result in zip(rows, expected, strict=True):
        record = dict(zip(header, row, strict=True))
        assert record["stance"] == (result["stance"] or "")
        assert [float(record[f"p_{c}"]) for c in STANCES] == list(result["stance_proba"].values())
        assert float(record["confidence"]) == result["confidence"]
        assert record["needs_review"] == ("true" if result["needs_review"] else "false")
        assert record["review_reason"] == (result["review_reason"] or "")
        assert record["frames"] == ";".join(result["frames"])
    assert rows[4][header.index("stance")] == ""  # Russian: no stance, needs review
    assert "known to the model" in rows[4][header.index("review_reason")]


def test_stdout_and_format(news_csv, capsys):
    assert main(["label", str(news_csv), "--format", "jsonl"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["id"] for line in lines] == [f"n{i}" for i in range(6)]
    assert isinstance(lines[0]["frames"], list) and lines[4]["stance"] is None
    assert main(["label", str(news_csv)]) == 0  # CSV to standard output by default
    assert capsys.readouterr().out.startswith("outlet,text,id,date,stance,")


def test_jsonl_in_and_out_with_explain(tmp_path, bundle, capsys):
    path = tmp_path / "posts.jsonl"
    path.write_text("".join(json.dumps({"id": f"p{i}", "text": t, "likes": i, "tags": ["x"]},
                                       ensure_ascii=False) + "\n"
                            for i, t in enumerate(TEXTS)), encoding="utf-8")
    out = tmp_path / "posts-labelled.jsonl"
    assert main(["label", str(path), "--out", str(out), "--explain"]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert list(records[0])[:4] == ["id", "text", "likes", "tags"]
    assert list(records[0])[4:] == label_columns_out(explain=True)
    assert records[1]["likes"] == 1 and records[1]["tags"] == ["x"]
    for record, text in zip(records, TEXTS, strict=True):
        if record["stance"] is None:
            assert record["evidence"] == []
            continue
        assert record["evidence"] == bundle.stance.explain(text, top=8, kind="word")[
            "term"].tolist()
    # the same corpus as CSV: frames and evidence joined with ';'
    csv_out = tmp_path / "posts.csv"
    assert main(["label", str(path), "--out", str(csv_out), "--explain"]) == 0
    header, *rows = _read_csv(csv_out)
    assert rows[0][header.index("evidence")] == ";".join(records[0]["evidence"])
    assert rows[0][header.index("tags")] == "x"


def test_lines_skips_blank_lines_and_says_so(tmp_path, bundle, capsys):
    path = tmp_path / "list.txt"
    path.write_text(TEXTS[0] + "\n\n" + TEXTS[1] + "\r\n   \n" + TEXTS[2], encoding="utf-8")
    out = tmp_path / "list.csv"
    assert main(["label", "--lines", str(path), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"{path}: skipped 2 blank line(s)" in err
    header, *rows = _read_csv(out)
    assert header[:2] == ["line", "text"]
    assert [row[:2] for row in rows] == [["1", TEXTS[0]], ["3", TEXTS[1]], ["5", TEXTS[2]]]
    assert [row[2] for row in rows] == [r["stance"] for r in bundle.label(TEXTS[:3])]


def test_lines_from_standard_input(monkeypatch, capsys):
    data = (TEXTS[0] + "\n" + TEXTS[1] + "\n").encode()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    assert main(["label", "--lines", "--format", "jsonl"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["line"] for line in lines] == ["1", "2"]


def test_folder_of_statements(tmp_path, bundle):
    folder = tmp_path / "statements"
    folder.mkdir()
    (folder / "b.md").write_text(f"---\nid: b\nactor: Ministry\n---\n{TEXTS[0]}\n",
                                 encoding="utf-8")
    (folder / "a.txt").write_text(TEXTS[1], encoding="utf-8")
    (folder / "c.md").write_text(f"---\nid: c\nactor: ISPs\n---\n{TEXTS[2]}\n",
                                 encoding="utf-8")
    (folder / "notes.json").write_text("{}", encoding="utf-8")  # not a statement: ignored
    out = tmp_path / "folder.jsonl"
    assert main(["label", str(folder), "--out", str(out)]) == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["file"] for r in records] == ["a.txt", "b.md", "c.md"]
    assert records[1]["actor"] == "Ministry" and records[1]["text"] == TEXTS[0]
    assert [r["stance"] for r in records] == [r["stance"] for r in bundle.label(
        [TEXTS[1], TEXTS[0], TEXTS[2]])]


def test_chunked_and_parallel_output_equal_the_whole(news_csv, tmp_path):
    outs = []
    for extra in ([], ["--batch-size", "2"], ["--batch-size", "1", "--n-jobs", "2"]):
        out = tmp_path / f"out{len(outs)}.csv"
        assert main(["label", str(news_csv), "--out", str(out), "--explain", *extra]) == 0
        outs.append(out.read_bytes())
    assert outs[1] == outs[0] and outs[2] == outs[0]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("a.csv", "id,body\nn1,VPNs were banned.\n", ":1: text: no 'text' column"),
    ("a.csv", "", ":1: header: the file is empty"),
    ("a.csv", 'id,text\nn1,"VPNs were\nbanned."\nn2,  \n', ":4: text: the text is empty"),
    ("a.csv", "id,text\nn1,VPNs were banned.,extra\n", ":2: row: 3 fields, the header has 2"),
    ("a.csv", "id,text,id\nn1,x,y\n", ":1: id: the column is named twice"),
    ("a.jsonl", '{"text": "VPNs were banned."}\n{"text": 3}\n', ":2: text: the text is a int"),
    ("a.jsonl", '{"text": "VPNs were banned."}\n{"text": "x",\n', ":2: line: not valid JSON"),
    ("a.jsonl", '["VPNs were banned."]\n', ":1: line: a JSON list, not an object"),
    ("a.jsonl", '{"id": "x"}\n', ":1: text: no 'text' field"),
    ("a.jsonl", '{"text": "a"}\n\n', ":2: line: an empty line"),
    ("a.jsonl", '{"text": "a"}\n{"text": "b", "extra": 1}\n', ":2: extra: not a field of the"),
])
def test_bad_input_names_file_line_and_field(tmp_path, capsys, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["label", str(path), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{path}{message}" in err and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".out.csv.*"))  # nothing half-written


def test_error_after_the_first_chunk_leaves_an_existing_output_alone(tmp_path, capsys):
    path = tmp_path / "big.txt"
    path.write_text("\n".join([TEXTS[0]] * 5 + ["x" * 300]), encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_text("old\n", encoding="utf-8")
    args = ["label", "--lines", str(path), "--out", str(out), "--batch-size", "2"]
    assert main([*args, "--max-chars", "200"]) == 1
    assert f"{path}:6: text: 300 characters, more than the limit of 200" in \
        capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "old\n"
    assert main(args) == 0 and len(_read_csv(out)) == 7


def test_not_utf8_is_reported_with_its_line(tmp_path, capsys):
    path = tmp_path / "latin.txt"
    path.write_bytes(b"VPNs were banned.\nLa r\xe9gulation des VPN.\n")
    assert main(["label", "--lines", str(path)]) == 1
    assert f"{path}:2: encoding: not UTF-8" in capsys.readouterr().err
    assert main(["label", "--lines", str(path), "--encoding", "latin-1"]) == 0


def test_a_stance_column_in_the_input_needs_a_prefix(tmp_path, capsys):
    path = tmp_path / "coded.csv"
    path.write_text("id,text,stance\ns1,The ministry ordered ISPs to block VPNs.,"
                    "supports_restriction\n", encoding="utf-8")
    assert main(["label", str(path)]) == 1
    assert "already has a column 'stance'; give --prefix" in capsys.readouterr().err
    out = tmp_path / "coded-labelled.csv"
    assert main(["label", str(path), "--prefix", "label_", "--out", str(out)]) == 0
    header, row = _read_csv(out)
    assert header[:3] == ["id", "text", "stance"] and header[3] == "label_stance"
    assert row[2] == "supports_restriction"


def test_long_text_file_without_lines_gets_a_hint(tmp_path, capsys):
    path = tmp_path / "list.txt"
    path.write_text("\n".join(f"Statement {i}: the VPN ban must end." for i in range(1000)),
                    encoding="utf-8")
    assert main(["label", str(path)]) == 0
    err = capsys.readouterr().err
    assert f"{path}: 1,000 non-empty lines labelled as one statement" in err
    assert "give --lines" in err
    short = tmp_path / "short.txt"
    short.write_text("\n".join(TEXTS[:3] * (LIST_HINT_LINES // 3)), encoding="utf-8")
    assert main(["label", str(short)]) == 0
    assert "--lines" not in capsys.readouterr().err


def test_statement_files_as_a_table_and_json_refused_for_a_corpus(news_csv, tmp_path, capsys):
    one = tmp_path / "one.txt"
    one.write_text(TEXTS[0], encoding="utf-8")
    assert main(["label", str(one), "--format", "csv"]) == 0
    header, row = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert header[:2] == ["source", "text"] and row[:2] == [str(one), TEXTS[0]]
    assert main(["label", str(news_csv), "--json"]) == 1
    assert "give --format jsonl" in capsys.readouterr().err
    assert main(["label", str(news_csv), str(one)]) == 1
    assert "one corpus file or folder at a time" in capsys.readouterr().err
    assert main(["label", str(news_csv), "--out", str(tmp_path / "x.parquet")]) == 1
    assert "give a .csv or .jsonl file" in capsys.readouterr().err
