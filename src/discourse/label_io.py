"""Read texts to label (CSV, JSONL, a folder, a text per line); write labelled tables, in chunks.

Labelling needs only the texts, so these readers ask for one ``text`` column (and keep every
other column as written, in order); they are not the corpus loader
(:func:`discourse.corpus.load_corpus`), which checks a fully coded corpus. Records come in
chunks (:class:`Rows`), so that a file of millions of statements is read, labelled and
written a chunk at a time. A problem stops the reading with a :class:`LabelInputError`
whose message names the file, the line and the field, and says what to do.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

# the corpus loader's own: tables of texts (one record per row or line), and files of a
# folder read as one statement each (Markdown may open with YAML front matter)
from .corpus import STATEMENT_SUFFIXES, TABLE_SUFFIXES
from .schema import STANCES

__all__ = [
    "TABLE_SUFFIXES",
    "STATEMENT_SUFFIXES",
    "LIST_HINT_LINES",
    "LabelInputError",
    "Rows",
    "input_kind",
    "read_rows",
    "label_columns_out",
    "LabelledWriter",
]

#: A text file given as one statement with more non-empty lines than this gets a hint to
#: use ``--lines`` (a list of statements, one per line, is likely meant).
LIST_HINT_LINES = 20


class LabelInputError(ValueError):
    """A text to label could not be read; the message is ``PATH:LINE: FIELD: what to do``."""


def _fail(path: str, line: int | None, name: str, message: str) -> LabelInputError:
    where = f"{path}:{line}" if line is not None else path
    return LabelInputError(f"{where}: {name}: {message}")


@dataclass
class Rows:
    """A chunk of records to label.

    Attributes
    ----------
    path : str
        The file the records come from.
    columns : list of str
        The input's columns, in order (the labels are written after them).
    records : list of dict
        One dict per record, its values as read (strings from CSV and folders, JSON
        values from JSONL).
    lines : list of int
        The 1-based line each record starts on (for folders: 1).
    sources : list of str
        A name for each record: ``PATH:LINE`` or the file of a folder.
    """

    path: str
    columns: list[str]
    records: list[dict[str, Any]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def texts(self, text_column: str = "text") -> list[str]:
        """The texts of the records."""
        return [record[text_column] for record in self.records]


def input_kind(path: str, lines: bool = False) -> str:
    """Return how ``path`` is read: ``"lines"``, ``"csv"``, ``"jsonl"``, ``"folder"`` or
    ``"statement"`` (one statement per file, the command's behaviour for ``.txt`` and
    standard input).

    Examples
    --------
    >>> input_kind("news.csv"), input_kind("posts.jsonl"), input_kind("one.txt")
    ('csv', 'jsonl', 'statement')
    >>> input_kind("list.txt", lines=True)
    'lines'
    """
    if lines:
        return "lines"
    suffix = Path(path).suffix.lower()
    if path != "-" and Path(path).is_dir():
        return "folder"
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    return "statement"


def _text_lines(path: str, encoding: str | None) -> Iterator[str]:
    """The lines of a file (or standard input), decoded one at a time so that a byte that
    is not in the encoding is reported with its line. ``\n`` ends a line (``\r\n`` too);
    the encoding must be ASCII-compatible (UTF-8, Latin-1, cp1252, ...)."""
    if path == "-":
        handle = sys.stdin.buffer
    else:
        if not Path(path).is_file():
            raise _fail(path, None, "file", "no such file")
        handle = open(path, "rb")
    codec = encoding or "utf-8"
    try:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and codec.replace("_", "-").lower() in ("utf-8", "utf8") \
                    and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # a byte-order mark
            try:
                yield raw.decode(codec)
            except UnicodeDecodeError as err:
                name = "UTF-8" if encoding is None else encoding
                raise _fail(path, number, "encoding", f"not {name} text (invalid byte at "
                            f"offset {err.start} of the line); save it as UTF-8 or give "
                            "--encoding") from None
    finally:
        if handle is not sys.stdin.buffer:
            handle.close()


def _check_text(path: str, line: int, name: str, value: Any, max_chars: int | None) -> str:
    if not isinstance(value, str):
        kind = "missing" if value is None else f"a {type(value).__name__}"
        raise _fail(path, line, name, f"the text is {kind}, not a string; give the "
                    "statement's text")
    if "\0" in value:
        raise _fail(path, line, name, "the text holds a NUL byte (a binary file?); give "
                    "UTF-8 text")
    if not value.strip():
        raise _fail(path, line, name, "the text is empty; fill it in or remove the record")
    if max_chars is not None and len(value) > max_chars:
        raise _fail(path, line, name, f"{len(value):,} characters, more than the limit of "
                    f"{max_chars:,}; split it into statements or raise the limit "
                    "(--max-chars, 0: no limit)")
    return value


def read_rows(path: str, *, lines: bool = False, text_column: str = "text",
              chunk_size: int = 2048, encoding: str | None = None,
              max_chars: int | None = None, skipped: list[int] | None = None
              ) -> Iterator[Rows]:
    """Read the records of one input in chunks of ``chunk_size``.

    Parameters
    ----------
    path : str
        A ``.csv`` file (a header row naming ``text_column``), a ``.jsonl``/``.ndjson`` file
        (one JSON object per line with ``text_column``), a folder (every ``.md``,
        ``.markdown`` and ``.txt`` file in it, sorted by name, one statement each; columns
        ``file``, the front matter's fields, ``text``), with ``lines`` a text file of one
        statement per line (columns ``line`` and ``text``), or ``-`` for standard input.
    lines : bool, default False
        Read ``path`` as one statement per line; blank lines are skipped and counted in
        ``skipped``.
    text_column : str, default "text"
        The column holding the statements (CSV and JSONL).
    chunk_size : int, default 2048
        Records per chunk.
    encoding : str, optional
        Encoding of the files (default UTF-8, with or without a byte-order mark).
    max_chars : int, optional
        Longest text accepted.
    skipped : list, optional
        Receives the number of blank lines skipped (``lines`` only).

    Yields
    ------
    Rows

    Raises
    ------
    LabelInputError
        For a missing file, a missing text column, a record that is not an object, a text
        that is missing, empty, binary or too long, or bytes that are not in the encoding.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "news.csv").write_text("id,text\\nn1,VPNs were banned.\\n")
    >>> [chunk.records for chunk in read_rows(str(folder / "news.csv"))]
    [[{'id': 'n1', 'text': 'VPNs were banned.'}]]
    """
    kind = input_kind(path, lines)
    reader = {"lines": _read_lines, "csv": _read_csv, "jsonl": _read_jsonl,
              "folder": _read_folder, "statement": _read_folder}[kind]
    if kind == "statement":
        raise _fail(path, None, "file", "not a table of texts: give a .csv or .jsonl file, a "
                    "folder, or --lines for one statement per line")
    columns: list[str] | None = None
    chunk: Rows | None = None
    for record, line, source, names in reader(path, text_column, encoding, skipped):
        _check_text(path if kind != "folder" else source, line, text_column,
                    record.get(text_column), max_chars)
        if columns is None:
            columns = list(names)
        elif kind == "jsonl":
            extra = [name for name in record if name not in columns]
            if extra:
                raise _fail(path if kind != "folder" else source, line, extra[0],
                            f"not a field of the first record ({', '.join(columns)}); give "
                            "every record the same fields")
        if chunk is None:
            chunk = Rows(path, columns)
        chunk.records.append(record)
        chunk.lines.append(line)
        chunk.sources.append(source)
        if len(chunk.records) >= chunk_size:
            yield chunk
            chunk = None
    if chunk is not None:
        yield chunk


def _read_lines(path: str, text_column: str, encoding: str | None,
                skipped: list[int] | None) -> Iterator[tuple[dict, int, str, list[str]]]:
    blank = 0
    for number, raw in enumerate(_text_lines(path, encoding), start=1):
        text = raw.rstrip("\r\n")
        if not text.strip():
            blank += 1
            continue
        yield ({"line": str(number), text_column: text}, number, f"{path}:{number}",
               ["line", text_column])
    if skipped is not None:
        skipped.append(blank)


def _read_csv(path: str, text_column: str, encoding: str | None,
              skipped: list[int] | None) -> Iterator[tuple[dict, int, str, list[str]]]:
    rows = csv.reader(_text_lines(path, encoding))
    try:
        header = next(rows, None)
        if header is None:
            raise _fail(path, 1, "header", "the file is empty; give a header row with a "
                        f"'{text_column}' column and one row per statement")
        if text_column not in header:
            raise _fail(path, 1, text_column, f"no '{text_column}' column (the header is "
                        f"{', '.join(header)}); name the column of the statements "
                        "'text' or give --text-column")
        duplicated = sorted({name for name in header if header.count(name) > 1})
        if duplicated:
            raise _fail(path, 1, duplicated[0], "the column is named twice; give each "
                        "column its own name")
        start = rows.line_num + 1
        for row in rows:
            if len(row) != len(header):
                if not row:
                    raise _fail(path, start, "row", "an empty row; remove it")
                raise _fail(path, start, "row", f"{len(row)} fields, the header has "
                            f"{len(header)}; quote fields that hold commas")
            yield dict(zip(header, row, strict=True)), start, f"{path}:{start}", header
            start = rows.line_num + 1
    except csv.Error as err:
        raise _fail(path, rows.line_num, "row", f"not valid CSV ({err}); check the "
                    "quotes") from None


def _read_jsonl(path: str, text_column: str, encoding: str | None,
                skipped: list[int] | None) -> Iterator[tuple[dict, int, str, list[str]]]:
    for number, raw in enumerate(_text_lines(path, encoding), start=1):
        if not raw.strip():
            raise _fail(path, number, "line", "an empty line; remove it (every line holds "
                        "one JSON object)")
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as err:
            raise _fail(path, number, "line", f"not valid JSON ({err.msg} at column "
                        f"{err.colno}); give one JSON object per line") from None
        if not isinstance(record, dict):
            raise _fail(path, number, "line", f"a JSON {type(record).__name__}, not an "
                        'object; give one object per line, such as {"id": "s1", "text": '
                        '"..."}')
        if text_column not in record:
            raise _fail(path, number, text_column, f"no '{text_column}' field; give each "
                        "record the text of its statement (or --text-column)")
        yield record, number, f"{path}:{number}", list(record)


def _front_matter(path: Path, text: str) -> tuple[dict[str, Any], str]:
    """Split YAML front matter (``---`` ... ``---``) from the body; values kept as text."""
    if not text.startswith("---"):
        return {}, text
    lines = text.splitlines(keepends=True)
    if lines[0].strip() != "---":
        return {}, text
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            try:
                front = yaml.load("".join(lines[1:i]), Loader=yaml.BaseLoader) or {}
            except yaml.YAMLError as err:
                raise _fail(str(path), 2, "front matter", f"not valid YAML ({err}); fix the "
                            "front matter between the '---' lines") from None
            if not isinstance(front, dict):
                raise _fail(str(path), 2, "front matter", "not a mapping; write one "
                            "'field: value' per line")
            return front, "".join(lines[i + 1:])
    raise _fail(str(path), 1, "front matter", "the front matter is never closed; end it with "
                "a '---' line")


def _read_folder(path: str, text_column: str, encoding: str | None,
                 skipped: list[int] | None) -> Iterator[tuple[dict, int, str, list[str]]]:
    root = Path(path)
    files = sorted(p for p in root.iterdir() if p.is_file() and not p.name.startswith(".")
                   and p.suffix.lower() in STATEMENT_SUFFIXES)
    if not files:
        raise _fail(path, None, "folder", "no .md, .markdown or .txt file in the folder; "
                    "give one file per statement, or a .csv/.jsonl file")
    records = []
    for file in files:
        data = file.read_bytes()
        if b"\0" in data:
            raise _fail(str(file), None, "text", "looks like a binary file; give UTF-8 text")
        try:
            text = data.decode(encoding or "utf-8-sig")
        except UnicodeDecodeError as err:
            raise _fail(str(file), None, "encoding", f"not UTF-8 text (invalid byte at "
                        f"offset {err.start}); save it as UTF-8 or give --encoding") from None
        front: dict[str, Any] = {}
        if file.suffix.lower() != ".txt":
            front, text = _front_matter(file, text)
        records.append(({"file": file.name, **{str(k): v for k, v in front.items()
                                               if str(k) not in ("file", text_column)},
                         text_column: text.strip()}, str(file)))
    # the columns: file, every front-matter field in order of first use, the text
    names = list(dict.fromkeys(name for record, _ in records for name in record
                               if name != text_column))
    for record, source in records:
        yield record, 1, source, [*names, text_column]


def label_columns_out(explain: bool = False, prefix: str = "") -> list[str]:
    """Return the columns added to a labelled table, in order.

    Examples
    --------
    >>> label_columns_out()[:3]
    ['stance', 'p_supports_restriction', 'p_conditional']
    >>> label_columns_out(explain=True)[-1]
    'evidence'
    """
    names = ["stance", *(f"p_{code}" for code in STANCES), "confidence", "needs_review",
             "review_reason", "frames", *(["evidence"] if explain else [])]
    return [prefix + name for name in names]


def _cell(value: Any) -> str:
    """A value as a CSV cell: lists joined with ';', None empty, booleans true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class LabelledWriter:
    """Write a labelled table in chunks, as CSV or JSONL, to a file (atomically) or stdout.

    A file is written to a temporary file beside it and moved into place by
    :meth:`close`; if labelling stops with an error, :meth:`discard` removes the temporary
    file and an existing file is left as it was.

    Parameters
    ----------
    out : str or None
        The output file; None (or ``-``) writes to standard output.
    fmt : {"csv", "jsonl"}
        Output format.
    columns : list of str
        The input's columns.
    explain : bool, default False
        Whether ``evidence`` is written.
    prefix : str, default ""
        Put before the names of the label columns.
    """

    def __init__(self, out: str | None, fmt: str, columns: Sequence[str],
                 explain: bool = False, prefix: str = ""):
        if fmt not in ("csv", "jsonl"):
            raise ValueError(f"format must be 'csv' or 'jsonl', got {fmt!r}")
        self.fmt = fmt
        self.columns = list(columns)
        self.explain = explain
        self.added = label_columns_out(explain, prefix)
        clash = [name for name in self.added if name in self.columns]
        if clash:
            raise LabelInputError(f"the input already has a column '{clash[0]}'; give "
                                  "--prefix (for example --prefix label_) to name the label "
                                  "columns apart")
        self.out = None if out in (None, "-") else Path(out)
        self._tmp: str | None = None
        if self.out is None:
            self.handle: IO[str] = sys.stdout
        else:
            fd, self._tmp = tempfile.mkstemp(prefix=f".{self.out.name}.", suffix=".tmp",
                                             dir=self.out.parent if str(self.out.parent)
                                             else ".")
            self.handle = open(fd, "w", encoding="utf-8", newline="")
        self._csv = csv.writer(self.handle, lineterminator="\n") if fmt == "csv" else None
        if self._csv is not None:
            self._csv.writerow(self.columns + self.added)
        self.rows = 0

    def write(self, rows: Rows, labels: dict[str, list]) -> None:
        """Write one chunk: its records and their labels (from
        :meth:`~discourse.label.Labellers.label_columns`)."""
        keys = ["stance", "stance_proba", "confidence", "needs_review", "review_reason",
                "frames", *(["evidence"] if self.explain else [])]
        columns = [labels[key] for key in keys]
        for i, record in enumerate(rows.records):
            values = [column[i] for column in columns]
            added = [values[0], *values[1], *values[2:]]
            if self._csv is not None:
                self._csv.writerow([_cell(record.get(name)) for name in self.columns]
                                   + [_cell(v) for v in added])
            else:
                out = dict(record)
                out.update(zip(self.added, added, strict=True))
                self.handle.write(json.dumps(out, ensure_ascii=False) + "\n")
        self.rows += len(rows.records)

    def close(self) -> None:
        """Finish: move a file into place (stdout is flushed)."""
        if self.out is None:
            self.handle.flush()
            return
        self.handle.close()
        os.replace(self._tmp, self.out)
        self._tmp = None

    def discard(self) -> None:
        """Stop without writing the output file."""
        if self.out is None:
            return
        self.handle.close()
        if self._tmp is not None and os.path.exists(self._tmp):
            os.unlink(self._tmp)
        self._tmp = None
