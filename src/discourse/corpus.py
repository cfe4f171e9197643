"""Read a corpus (CSV, JSONL, a folder of Markdown files or a data package) into one typed table.

Every reader reports and never raises: each problem found is a :class:`Problem` naming the
file, the 1-based physical line (the CSV header is line 1; ``\\r\\n``, ``\\r`` and ``\\n`` each
end a line), the field and what is wrong and what to write instead. Every value of every
format goes through the same checks, declared once in :mod:`discourse.schema`.
``load_corpus(strict=True)`` raises one :class:`CorpusError` carrying all of them;
``strict=False`` returns the valid rows beside a table of the rejected ones, so that
records read = rows loaded + rows rejected, always.

Values are taken as written: YAML front matter is read without type conversion (``id: 0123``
stays ``"0123"``, ``country: NO`` stays ``"NO"``), and a JSON number, boolean or ``NaN`` in a
field is a problem, not a conversion. Only regular files up to ``max_bytes`` are read, a file
that is not valid UTF-8 is read only in the encoding the user names, and neither a data
package nor a folder corpus reads a file outside its own folder.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import gc
import hashlib
import io
import itertools
import json
import os
import re
import stat
import sys
import unicodedata
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import yaml

from . import schema
from .paths import shipped_corpus_dir

__all__ = [
    "Problem",
    "CorpusError",
    "CorpusWarning",
    "LoadResult",
    "Validation",
    "load_corpus",
    "validate_corpus",
    "summarize_corpus",
    "corpus_digest",
]

STATEMENT_SUFFIXES = (".md", ".markdown", ".txt")
TABLE_SUFFIXES = (".csv", ".jsonl", ".ndjson")
#: Deepest nesting of YAML front matter (a mapping holding lists of text needs 2).
MAX_DEPTH = 4

_NEWLINE = re.compile(r"\r\n|\r|\n")
_BYTE_NEWLINE = re.compile(rb"(\r\n|\r|\n)")
# C0 and C1 control characters (tab, line feed and carriage return are allowed), DEL, and
# unpaired surrogates (a JSON "\ud800" escape)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# a character that shows: not a space, not a control, not an invisible format mark
_VISIBLE = re.compile(
    r"[^\s\x00-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    r"\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ud800-\udfff]"
)
_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _show(value: str, limit: int | None = 80) -> str:
    """Return ``value`` safe to print: non-printing characters escaped, long text cut."""
    if limit is not None and len(value) > limit:
        value = value[:limit] + "..."
    if value.isprintable():
        return value
    out = []
    for ch in value:
        code = ord(ch)
        if ch.isprintable():
            out.append(ch)
        elif code < 0x100:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a corpus, located by file, line and field.

    ``line`` is the 1-based physical line in the file (0 for a whole file or folder).
    ``severity`` is ``"error"`` (the row is rejected) or ``"warning"`` (it is kept).
    Printing a problem escapes non-printing characters, so a terminal escape code in a
    corpus is shown, never run.

    Examples
    --------
    >>> print(Problem("c.csv", 3, "date", "'2024-13-45' is not a date"))
    c.csv:3: date: '2024-13-45' is not a date
    """

    path: str
    line: int
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return (f"{_show(self.path, None)}:{self.line}: {_show(self.field)}: "
                f"{prefix}{_show(self.message, None)}")


def _order(problem: Problem) -> tuple:
    return (problem.path, problem.line, problem.field, problem.message)


class CorpusError(ValueError):
    """Raised by a strict load; ``problems`` holds every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        lines = "\n".join(str(p) for p in errors[:50])
        more = f"\n... and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"{len(errors)} problem(s) in the corpus:\n{lines}{more}")


class CorpusWarning(UserWarning):
    """A problem that does not reject a row (e.g. an unknown column)."""


class LoadResult(NamedTuple):
    """What ``load_corpus(strict=False)`` returns.

    Attributes
    ----------
    corpus : DataFrame
        The valid rows, typed as by a strict load.
    rejected : DataFrame
        One row per rejected record: ``path``, ``line``, ``id`` and ``message`` (every
        problem of the record, joined by "; ").
    problems : list of Problem
        Every problem, warnings included, sorted by path, line and field.
    n_records : int
        Records read; always ``len(corpus) + len(rejected)``.
    """

    corpus: pd.DataFrame
    rejected: pd.DataFrame
    problems: list[Problem]
    n_records: int


class Validation(NamedTuple):
    """What ``validate_corpus(return_counts=True)`` returns.

    Attributes
    ----------
    problems : list of Problem
        Every problem, warnings included, sorted by path, line and field.
    n_records : int
        Records read.
    n_valid : int
        Records without an error (the rows a lenient load keeps).
    """

    problems: list[Problem]
    n_records: int
    n_valid: int


@dataclass
class _Record:
    """One statement as read: raw values (text, or a list of text) and its own problems."""

    path: str
    line: int
    values: dict[str, Any] = field(default_factory=dict)
    field_lines: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    rejected_by: list[str] = field(default_factory=list)  # file-level faults that reject it
    read_ok: bool = True  # False: the bytes or the syntax are broken; fields are not checked
    columns_reported: bool = False  # a missing required column was reported at the header
    n_errors: int = 0

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.line)

    def error(self, name: str, message: str, line: int | None = None) -> None:
        self.problems.append(Problem(self.path, line or self.line_of(name), name, message))
        self.n_errors += 1

    def warn(self, name: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.line_of(name), name, message, "warning"))

    @property
    def ok(self) -> bool:
        return self.read_ok and self.n_errors == 0 and not self.rejected_by

    def messages(self) -> list[str]:
        own = [f"{p.field}: {p.message}" for p in self.problems if p.severity == "error"]
        return self.rejected_by + own


# -- JSON values kept as written -----------------------------------------------------------------


class _Pairs(list):
    """A JSON object as its list of (key, value) pairs, so that a repeated key is seen."""


_UNREAD = object()  # what a line that is not JSON holds


class _JSONNumber(NamedTuple):
    text: str


class _JSONConstant(NamedTuple):
    text: str


def _json_loads(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_Pairs, parse_int=_JSONNumber,
                      parse_float=_JSONNumber, parse_constant=_JSONConstant)


class _TextLoader(yaml.SafeLoader):
    """A YAML loader that resolves no implicit type: every plain scalar stays the text written.

    With no implicit resolvers, ``0123``, ``1_000``, ``24:00``, ``NO`` and ``2024-13-45`` are
    strings, exactly as written (PyYAML's public ``yaml_implicit_resolvers`` table, emptied
    for this subclass only).
    """

    yaml_implicit_resolvers: dict = {}  # noqa: RUF012 - a PyYAML class-level table


_YAML_OPEN = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
              yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)
_YAML_CLOSE = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


@contextmanager
def _csv_field_limit(limit: int) -> Iterator[None]:
    """Let the csv module read fields up to ``limit`` characters, then restore its limit.

    Our own limit (:data:`schema.MAX_FIELD_BYTES`) is reported as a problem of the field.
    """
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, min(limit, 2**31 - 1)))
    try:
        yield
    finally:
        csv.field_size_limit(old)


class _Reader:
    """Collects records and problems while reading one or more sources."""

    def __init__(self, encoding: str | None, max_bytes: int) -> None:
        self.encoding = encoding
        self.max_bytes = max_bytes
        self.records: list[_Record] = []
        self.problems: list[Problem] = []  # problems of a file, not of one record
        self.seen: set[Path] = set()  # files already read (a package may list a file given too)

    def problem(self, path: Any, line: int, fld: str, message: str, severity: str = "error"):
        self.problems.append(Problem(str(path), line, fld, message, severity))

    def _file_problem(self, path: Path, sink: _Record | None, line: int, message: str) -> None:
        """Report a problem of a whole file: on its record if it is one statement, else alone."""
        if sink is None:
            self.problem(path, line, "file", message)
        else:
            sink.error("file", message, line=1)

    # -- sources -------------------------------------------------------------------------------
    def read(self, path: Path) -> None:
        try:
            self._read(path)
        except OSError as err:  # e.g. a folder we may not list
            self.problem(path, 0, "file", f"cannot read ({err.strerror or err}); check that "
                         "it exists and that you may read it")

    def _read(self, path: Path) -> None:
        if not os.path.lexists(path):
            self.problem(path, 0, "file", "no such file or folder; give the path of a .csv or "
                         ".jsonl file, a data package or a folder of .md/.txt statements")
            return
        if path.is_dir():
            if (path / "datapackage.json").is_file():
                self.read_datapackage(path / "datapackage.json")
            else:
                self.read_folder(path)
            return
        suffix = path.suffix.lower()
        if path.name != "datapackage.json" and suffix not in TABLE_SUFFIXES + STATEMENT_SUFFIXES:
            self.problem(path, 0, "file", f"unsupported file type '{_show(path.suffix)}'; use "
                         ".csv, .jsonl, a datapackage.json or .md/.txt statement files")
            return
        key = _resolve(path)
        if key in self.seen:
            return
        self.seen.add(key)
        if path.name == "datapackage.json":
            self.read_datapackage(path)
        elif suffix == ".csv":
            self.read_csv(path)
        elif suffix in (".jsonl", ".ndjson"):
            self.read_jsonl(path)
        else:
            self.read_statement_file(path)

    def _read_bytes(self, path: Path, sink: _Record | None = None) -> bytes | None:
        """Return the bytes of a regular file no larger than ``max_bytes``, else None.

        The file is checked with ``os.stat`` before it is opened, so a FIFO, a device or a
        socket is refused without blocking. Problems go to ``sink`` (a statement file's own
        record) or to the file's problems.
        """

        def refuse(message: str) -> None:
            self._file_problem(path, sink, 0, message)

        try:
            info = os.stat(path)
        except OSError as err:
            refuse(f"cannot read the file ({err.strerror}); check that it exists and that you "
                   "may read it")
            return None
        if not stat.S_ISREG(info.st_mode):
            kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode) else
                    "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else
                    "a socket" if stat.S_ISSOCK(info.st_mode) else "not a regular file")
            refuse(f"is {kind}; only regular files are read: save the corpus to a file first")
            return None
        limit = (f"the size limit of {self.max_bytes:,} bytes; if you mean to read it, raise "
                 "the limit (max_bytes= in Python, --max-bytes on the command line)")
        if info.st_size > self.max_bytes:
            refuse(f"the file holds {info.st_size:,} bytes, more than {limit}")
            return None
        try:  # non-blocking, and checked again once open: the file may have been swapped
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            with os.fdopen(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    refuse("is not a regular file; only regular files are read")
                    return None
                data = handle.read(self.max_bytes + 1)
        except OSError as err:
            refuse(f"cannot read the file ({err.strerror})")
            return None
        if len(data) > self.max_bytes:  # it grew while we read it
            refuse(f"the file holds more than {limit}")
            return None
        return data

    def _decode(self, path: Path, data: bytes, sink: _Record | None = None
                ) -> tuple[str, dict[int, Problem]] | None:
        """Return the text of a file and a problem for each physical line that cannot be decoded.

        Without an ``encoding`` the file must be UTF-8 (a BOM is dropped). A line that cannot
        be decoded is a problem at that line; its record is rejected, so no row is loaded with
        replacement characters. None (with a problem) if the file is empty or cannot be split
        into lines.
        """
        encoding = self.encoding or "utf-8"
        codec = codecs.lookup(encoding).name
        if self.encoding is None and data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            message = ("the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it "
                       "as UTF-8, or name its encoding (encoding='utf-16' in Python, --encoding "
                       "utf-16 on the command line)")
            self._file_problem(path, sink, 1, message)
            return None
        if codec == "utf-8" and data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]
        bad: dict[int, Problem] = {}
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as err:
            if not _ascii_compatible(codec):
                message = (f"cannot be decoded as {encoding} (byte offset {err.start}); check "
                           "the encoding")
                self._file_problem(path, sink, 0, message)
                return None
            parts = _BYTE_NEWLINE.split(data)
            pieces = []
            for index, raw in enumerate(parts):
                if index % 2:  # a line ending
                    pieces.append(raw.decode("ascii"))
                    continue
                try:
                    pieces.append(raw.decode(codec))
                except UnicodeDecodeError as err:
                    number = index // 2 + 1
                    if self.encoding is None:
                        message = (f"invalid UTF-8 byte 0x{raw[err.start]:02x} at column "
                                   f"{err.start + 1}; save the file as UTF-8, or name its "
                                   "encoding (encoding='cp1252' in Python, --encoding cp1252 "
                                   "on the command line, for example)")
                    else:
                        message = (f"byte 0x{raw[err.start]:02x} at column {err.start + 1} is "
                                   f"not valid {encoding}; check the encoding")
                    bad[number] = Problem(str(path), number, "file", message)
                    pieces.append(raw.decode(codec, errors="replace"))
            text = "".join(pieces)
        if not text.strip():
            message = ("the file is empty; a corpus file needs a header row and at least one "
                       "statement")
            self._file_problem(path, sink, 1, message)
            return None
        return text, bad

    def read_csv(self, path: Path) -> None:
        data = self._read_bytes(path)
        decoded = None if data is None else self._decode(path, data)
        if decoded is None:
            return
        text, bad = decoded
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header: list[str] | None = None
        header_line = 1
        header_fault: str | None = None  # a broken header rejects every row below it
        missing: list[str] = []
        n_rows = 0
        end = 0
        with _csv_field_limit(len(text) + 1):
            while True:
                start = end + 1
                try:
                    row = next(reader)
                    error = None
                except StopIteration:
                    break
                except csv.Error as err:
                    row, error = None, err
                end = reader.line_num
                line_problems = [bad.pop(n) for n in range(start, end + 1) if n in bad]
                if header is None:
                    if row == []:
                        continue
                    header_line = start
                    if error is not None:
                        self.problem(path, start, "header", f"cannot parse the header ({error}); "
                                     "write one line of column names separated by commas")
                        header, header_fault = [], f"header: cannot be parsed (line {start})"
                    elif line_problems:
                        self.problems.extend(line_problems)
                        header = []
                        header_fault = f"header: has bytes that cannot be decoded (line {start})"
                    else:
                        header, header_fault = self._header(path, row, start)
                    if header_fault is None:
                        missing = [n for n in schema.REQUIRED if n not in header]
                    continue
                if row == []:  # a blank line is not a record
                    self.problems.extend(line_problems)
                    continue
                n_rows += 1
                record = _Record(str(path), start, columns_reported=bool(missing))
                self.records.append(record)
                record.problems.extend(line_problems)
                record.n_errors += len(line_problems)
                if line_problems:
                    record.read_ok = False
                if header_fault is not None:
                    record.rejected_by.append(header_fault)
                    record.read_ok = False
                for name in missing:
                    record.rejected_by.append(f"{name}: the file has no '{name}' column "
                                              f"(header, line {header_line})")
                if error is not None:
                    if "end of data" in str(error):
                        message = (f"unbalanced double quote: a quoted field opened on line "
                                   f"{start} is never closed; close it, or double quotes inside "
                                   "a field (\"\")")
                    else:
                        message = (f"malformed CSV ({error}); quote fields that contain commas, "
                                   "quotes or line breaks, and double quotes inside them (\"\")")
                    record.error("row", message)
                    record.read_ok = False
                    continue
                if header_fault is None and len(row) != len(header):
                    record.error("row", f"has {len(row)} fields but the header has "
                                 f"{len(header)}; check for unquoted commas or missing fields")
                    record.read_ok = False
                record.values = dict(zip(header, row, strict=False))
        self.problems.extend(bad.values())
        if header is not None and n_rows == 0 and header_fault is None:
            self.problem(path, header_line, "file", "the file has a header but no statements; "
                         "add one row per statement below the header")

    def _header(self, path: Path, row: list[str], line: int) -> tuple[list[str], str | None]:
        """Return the column names and, if they are broken, why every row is rejected."""
        header = [name.strip() for name in row]
        first: dict[str, int] = {}
        fault = None
        for number, name in enumerate(header, start=1):
            if not name or not _VISIBLE.search(name):
                self.problem(path, line, f"column {number}", "the column has no name; name "
                             "every column (an extra comma at the end of the header line makes "
                             "an empty one)")
                fault = f"header: column {number} has no name (line {line})"
            elif name in first:
                self.problem(path, line, name, f"the column name appears twice (columns "
                             f"{first[name]} and {number}); keep one, or rename one")
                fault = f"header: column '{_show(name)}' appears twice (line {line})"
            elif _CONTROL.search(name):
                self.problem(path, line, name, "the column name holds a control character; "
                             "retype it")
                fault = f"header: column {number} holds a control character (line {line})"
            first.setdefault(name, number)
        if fault is None:
            self._check_columns(path, header, line)
        return header, fault

    def _check_columns(self, path: Path | str, columns: Iterable[str], line: int = 1) -> None:
        columns = list(columns)
        for name in schema.REQUIRED:
            if name not in columns:
                self.problem(path, line, name, "required column is missing; a corpus needs the "
                             f"columns {', '.join(schema.REQUIRED)}")
        for name in columns:
            if name not in schema.FIELD_NAMES:
                self.problem(path, line, name, "unknown column, kept as text; known columns are "
                             f"{', '.join(schema.FIELD_NAMES)}", "warning")

    def read_jsonl(self, path: Path) -> None:
        data = self._read_bytes(path)
        decoded = None if data is None else self._decode(path, data)
        if decoded is None:
            return
        text, bad = decoded
        unknown_seen: set[str] = set()
        for number, line in enumerate(_NEWLINE.split(text), start=1):
            if not line.strip():
                self.problems.extend([bad.pop(number)] if number in bad else [])
                continue
            record = _Record(str(path), number)
            self.records.append(record)
            if number in bad:
                record.problems.append(bad.pop(number))
                record.n_errors += 1
                record.read_ok = False
                continue
            obj: Any = _UNREAD
            try:
                obj = _json_loads(line)
            except RecursionError:
                record.error("row", "nested too deeply for the JSON reader; write one flat "
                             "object of fields per line")
            except json.JSONDecodeError as err:
                record.error("row", f"not valid JSON ({err.msg} at column {err.colno}); write "
                             "one JSON object per line")
            except ValueError as err:  # a limit of the JSON reader
                record.error("row", f"cannot be read as JSON ({_show(str(err))}); write one "
                             "JSON object per line")
            if obj is _UNREAD:
                record.read_ok = False
                continue
            if not isinstance(obj, _Pairs):
                record.error("row", f"a line must hold a JSON object, not {_json_kind(obj)}")
                record.read_ok = False
                continue
            self._take_values(record, [(k, v, number) for k, v in obj])
            for name, _ in obj:
                if name not in schema.FIELD_NAMES and name not in unknown_seen:
                    unknown_seen.add(name)
                    self.problem(path, number, _show(name), "unknown field, kept as text; known "
                                 f"fields are {', '.join(schema.FIELD_NAMES)}", "warning")
        # a missing required key is reported per record by the field checks

    def _take_values(self, record: _Record, pairs: list[tuple[str, Any, int]]) -> None:
        """Store a record's values as text (or a list of text); anything else is a problem.

        ``pairs`` holds (name, value, line) in the order written; a name given twice is a
        problem at its second line.
        """
        seen: set[str] = set()
        for name, value, line in pairs:
            if name in seen:
                record.error(name, "the field is given twice; keep one (the reader does not "
                             "silently keep the last)", line=line)
                continue
            seen.add(name)
            if _CONTROL.search(name) or not _VISIBLE.search(name):
                record.error(_show(name), "the field name is empty or holds control or "
                             "invisible characters; retype it")
                continue
            if value is None:
                record.values[name] = ""
            elif isinstance(value, str):
                record.values[name] = value
            elif isinstance(value, list) and not isinstance(value, _Pairs):
                if name not in schema.LIST_FIELDS:
                    record.error(name, f"is a list, but only {', '.join(schema.LIST_FIELDS)} "
                                 "take a list; write text")
                elif not all(isinstance(item, str) for item in value):
                    kinds = sorted({_json_kind(v) for v in value if not isinstance(v, str)})
                    record.error(name, f"a list item is {' or '.join(kinds)}; every item must "
                                 "be text in quotes")
                elif any(";" in item for item in value):
                    record.error(name, "a list item holds ';', which separates items; split it")
                else:
                    record.values[name] = list(value)
            else:
                record.error(name, f"is {_json_kind(value)}, not text; write it as text in "
                             "quotes if it is meant (a value is never converted)")

    def read_folder(self, path: Path) -> None:
        root = _resolve(path)
        files: list[Path] = []

        def unreadable(err: OSError) -> None:
            self.problem(err.filename, 0, "folder", f"cannot be listed ({err.strerror}); its "
                         "statements are not read")

        for folder, dirnames, filenames in os.walk(path, onerror=unreadable, followlinks=False):
            here = Path(folder)
            for name in sorted(dirnames):
                sub = here / name
                if sub.is_symlink() and not _hidden(sub, path):
                    where = "outside the folder" if not _inside(_resolve(sub), root) else "here"
                    self.problem(sub, 0, "file", f"a symbolic link to a folder {where}; links "
                                 "are not followed: copy the statements in instead",
                                 "error" if where != "here" else "warning")
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            files.extend(here / name for name in filenames)
        files = sorted((p for p in files if not _hidden(p, path)),
                       key=lambda p: p.relative_to(path).parts)
        statements = [p for p in files if p.suffix.lower() in STATEMENT_SUFFIXES]
        for other in files:
            if other.suffix.lower() not in STATEMENT_SUFFIXES:
                self.problem(other, 0, "file", "ignored: a statement folder holds .md or .txt "
                             "files only", "warning")
        if not statements:
            self.problem(path, 0, "folder", "no statements found; a corpus folder holds one "
                         ".md or .txt file per statement (or a datapackage.json)")
        for file in statements:
            if file.is_symlink() and not _inside(_resolve(file), root):
                record = _Record(str(file), 1)
                record.error("file", "a symbolic link to a file outside the folder "
                             f"({_show(str(_resolve(file)), None)}); a folder corpus reads only "
                             "its own files: copy the file in instead", line=0)
                record.read_ok = False
                self.records.append(record)
                continue
            key = _resolve(file)
            if key not in self.seen:
                self.seen.add(key)
                self.read_statement_file(file)

    def read_statement_file(self, path: Path) -> None:
        record = _Record(str(path), 1)
        self.records.append(record)
        record.read_ok = False  # until the front matter is read
        data = self._read_bytes(path, sink=record)
        decoded = None if data is None else self._decode(path, data, sink=record)
        if decoded is None:
            return
        text, bad = decoded
        if bad:
            record.problems.extend(bad.values())
            record.n_errors += len(bad)
            return
        lines = _NEWLINE.split(text)
        if lines[0].strip() != "---":
            record.error("front matter", "no YAML front matter; start the file with a '---' "
                         "line, the fields (id, date, actor, group, ...), then '---' and the "
                         "text", line=1)
            return
        close = next((i for i, line in enumerate(lines[1:], 1) if line.strip() in ("---", "...")),
                     None)
        if close is None:
            record.error("front matter", "the front matter is never closed; end it with a '---' "
                         "line", line=1)
            return
        front = "\n".join(lines[1:close])
        pairs = self._front_matter(record, front)
        if pairs is None:
            return
        record.read_ok = True
        self._take_values(record, pairs)
        body = "\n".join(lines[close + 1:]).strip()
        if body:
            if record.values.get("text"):
                record.warn("text", "the text is given in the front matter and as the body; "
                            "the body is used")
            record.values["text"] = body
            record.field_lines["text"] = close + 2
        record.values.setdefault("id", path.stem)
        for name in record.values:
            if name not in schema.FIELD_NAMES:
                record.warn(name, "unknown field, kept as text; known fields are "
                            f"{', '.join(schema.FIELD_NAMES)}")

    def _front_matter(self, record: _Record, front: str) -> list[tuple[str, Any, int]] | None:
        """Return the front matter as (name, text or list of text, line), or None if broken.

        The YAML is composed into nodes, never constructed into Python objects, and no
        implicit type is resolved: each value is the text written.
        """

        def fail(line: int, message: str) -> None:
            record.error("front matter", message, line=line)

        try:
            depth = deepest = 0
            for token in yaml.scan(front, Loader=_TextLoader):
                if isinstance(token, yaml.TagToken):
                    fail(2 + token.start_mark.line, "YAML tags (!...) are not allowed; write "
                         "plain values")
                    return None
                if isinstance(token, _YAML_OPEN):
                    depth += 1
                    deepest = max(deepest, depth)
                    if deepest > MAX_DEPTH:
                        fail(2 + token.start_mark.line, "nested too deeply; the front matter "
                             "holds 'key: value' lines and lists of text")
                        return None
                elif isinstance(token, _YAML_CLOSE):
                    depth -= 1
            root = yaml.compose(front, Loader=_TextLoader)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            fail(2 + (mark.line if mark else 0), f"invalid YAML: {_yaml_reason(err)}")
            return None
        except RecursionError:
            fail(2, "nested too deeply for the YAML reader")
            return None
        if not isinstance(root, yaml.MappingNode):
            kind = ("empty" if root is None else "a list" if isinstance(root, yaml.SequenceNode)
                    else "plain text")
            fail(2, f"the front matter must be a mapping of fields ('key: value' lines), not "
                 f"{kind}")
            return None
        pairs: list[tuple[str, Any, int]] = []
        for key, value in root.value:
            line = 2 + key.start_mark.line
            if not isinstance(key, yaml.ScalarNode):
                fail(line, "a field name must be plain text")
                continue
            name = key.value
            record.field_lines.setdefault(name, line)
            if isinstance(value, yaml.ScalarNode):
                pairs.append((name, value.value, line))
            elif isinstance(value, yaml.SequenceNode):
                items = value.value
                if all(isinstance(item, yaml.ScalarNode) for item in items):
                    pairs.append((name, [item.value for item in items], line))
                else:
                    record.error(name, "a list item is itself a list or a mapping; write a "
                                 "list of text")
            else:
                record.error(name, "is a mapping; write text (or a list of text)")
        return pairs

    def read_datapackage(self, path: Path) -> None:
        data = self._read_bytes(path)
        if data is None:
            return
        try:
            package = _json_loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError) as err:
            self.problem(path, 1, "datapackage", f"cannot read the data package "
                         f"({_show(str(err))}); it must be UTF-8 JSON")
            return
        resources = _pairs_get(package, "resources")
        if not isinstance(resources, list) or isinstance(resources, _Pairs):
            self.problem(path, 1, "datapackage", "the data package needs a 'resources' list "
                         "whose items have a 'path'")
            return
        folder = path.parent
        tables = []
        for number, resource in enumerate(resources):
            where = f"resources[{number}].path"
            target = _pairs_get(resource, "path")
            if not isinstance(target, str) or not target:
                self.problem(path, 1, where, "a resource needs a 'path' to one file (inline "
                             "data and multi-part paths are not read)")
                continue
            refusal = _outside_reason(target, folder)
            if refusal:
                self.problem(path, 1, where, f"'{_show(target)}' {refusal}; a data package may "
                             "only list files inside its own folder")
                continue
            if target.lower().endswith(TABLE_SUFFIXES):
                tables.append(target)
            else:
                self.problem(path, 1, where, f"'{_show(target)}' ignored: only .csv and .jsonl "
                             "resources are read", "warning")
        if not tables:
            self.problem(path, 1, "resources", "the data package lists no .csv or .jsonl "
                         "resource inside its folder")
        for table in tables:
            self.read(folder / table)


def _pairs_get(obj: Any, key: str) -> Any:
    if isinstance(obj, _Pairs):
        for name, value in obj:
            if name == key:
                return value
    return None


def _outside_reason(target: str, folder: Path) -> str | None:
    """Say why a data package resource path leaves the package folder, or None if it does not."""
    if _URL_SCHEME.match(target) and not PureWindowsPath(target).drive:
        return "is a URL; download the file into the package folder and list its file name"
    if PurePosixPath(target).is_absolute() or PureWindowsPath(target).is_absolute() or \
            PureWindowsPath(target).drive or target.startswith("\\"):
        return "is an absolute path"
    if ".." in PurePosixPath(target.replace("\\", "/")).parts:
        return "climbs out of the folder ('..')"
    if not _inside(_resolve(folder / target), _resolve(folder)):
        return "is a symbolic link to a file outside the folder"
    return None


def _resolve(path: Path) -> Path:
    """Return the real path (links followed), or the absolute path if a link loops."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _ascii_compatible(codec: str) -> bool:
    try:
        return "\r\n-a".encode(codec) == b"\r\n-a"
    except (UnicodeError, LookupError):
        return False


def _json_kind(value: Any) -> str:
    if isinstance(value, _Pairs):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, _JSONNumber):
        return f"a number ({_show(value.text, 40)})"
    if isinstance(value, _JSONConstant):
        return f"the number constant {value.text}"
    if value is None:
        return "null"
    return "text" if isinstance(value, str) else type(value).__name__


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _yaml_reason(err: yaml.YAMLError) -> str:
    return _show(str(getattr(err, "problem", None) or err).splitlines()[0])


# -- field checks, derived from the schema -------------------------------------------------------


def _parse_date(value: str) -> tuple[dt.date, str] | str:
    """Return (date, precision) or a message saying what is wrong."""
    date_field = schema.field("date")
    if not date_field.matches(value):
        return f"'{_show(value)}' is not a date; {date_field.hint}"
    year, month, day = value[:4], value[5:7], value[8:10]
    try:
        date = dt.date(int(year), int(month), int(day) if day else 1)
    except ValueError as err:
        return f"'{value}' is an impossible date ({err}); write a real calendar date"
    return date, "day" if day else "month"


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _items(value: str | list[str]) -> list[str]:
    if isinstance(value, list):
        return [item.strip() for item in value if item.strip()]
    return _split(value)


def _check_text(rec: _Record, name: str, value: str) -> str | None:
    """Check what every value must meet; return it stripped, or None if it is broken."""
    if len(value) > schema.MAX_FIELD_BYTES // 4:
        size = len(value.encode("utf-8", "surrogatepass"))
        if size > schema.MAX_FIELD_BYTES:
            rec.error(name, f"the field holds {size:,} bytes, more than the limit of "
                      f"{schema.MAX_FIELD_BYTES:,} (1 MB); shorten it")
            return None
    bad = _CONTROL.search(value)
    if bad:
        what = ("an unpaired surrogate" if "\ud800" <= bad.group() <= "\udfff"
                else "the NUL character" if bad.group() == "\x00" else "a control character")
        rec.error(name, f"holds {what} ({_show(bad.group())}) at character {bad.start() + 1}; "
                  "remove it (terminal escape codes and binary data are not text)")
        return None
    value = value.strip()
    if value and not _VISIBLE.search(value):
        rec.error(name, "holds no visible character (only spaces or invisible marks such as "
                  "zero-width spaces); write a value or leave the field empty")
        return None
    return value


def _check_record(rec: _Record, today: dt.date) -> None:
    """Check one record's values against :data:`schema.FIELDS`; add problems to the record."""
    values = rec.values
    for name, value in list(values.items()):
        if isinstance(value, list):
            checked = [_check_text(rec, name, item) for item in value]
            values[name] = [] if None in checked else checked
        else:
            checked = _check_text(rec, name, value)
            values[name] = "" if checked is None else checked
    broken = {p.field for p in rec.problems}
    for fld in schema.FIELDS:
        name = fld.name
        value = values.get(name, "")
        empty = not value
        if fld.required and empty and name not in broken:
            if name not in values:
                if not rec.columns_reported:
                    rec.error(name, "is missing; every statement needs this field")
            else:
                what = "the statement text" if name == "text" else "a value"
                rec.error(name, f"is empty; every statement needs {what} here")
        if empty:
            continue
        if fld.kind == "list":
            codes = fld.allowed()
            for item in _items(value):
                if codes is not None and item not in codes:
                    rec.error(name, f"unknown {name.removesuffix('s')} code '{_show(item)}'; "
                              f"allowed: {', '.join(codes)} (join several with ';')")
                elif not fld.matches(item):
                    rec.error(name, f"'{_show(item)}' does not fit {name}; {fld.hint}")
            continue
        if fld.kind == "date":
            parsed = _parse_date(value)
            if isinstance(parsed, str):
                rec.error(name, parsed)
                continue
            day, precision = parsed
            if day > today:
                rec.error(name, f"'{value}' is in the future (today is {today.isoformat()}); "
                          "check the year")
            given = values.get("date_precision", "")
            if given and given != precision and given in schema.DATE_PRECISIONS:
                rec.error("date_precision", f"'{given}' does not match the date '{value}', "
                          f"which has {precision} precision")
            continue
        codes = fld.allowed()
        if codes is not None and value not in codes:
            near = next((c for c in (value.upper(), value.lower()) if c in codes), None)
            hint = f" (did you mean '{near}'?)" if near else ""
            allowed = fld.hint or f"allowed: {', '.join(codes)}"
            rec.error(name, f"unknown {name} code '{_show(value)}'{hint}; {allowed}")
        elif not fld.matches(value):
            rec.error(name, f"'{_show(value)}' is not a valid {name}; {fld.hint}")


# -- the typed table -------------------------------------------------------------------------------


def _slug(text: str) -> str:
    """Return a lower-case ASCII slug of ``text`` (a hash of it if no letter or digit is left).

    Examples
    --------
    >>> _slug("Pakistan Telecommunication Authority (PTA)")
    'pakistan-telecommunication-authority-pta'
    >>> _slug("Ministère de l'Intérieur")
    'ministere-de-l-interieur'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if slug:
        return slug
    return "org-" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def _by_value(values: Sequence[Any], fn: Any) -> list:
    """Return ``[fn(v) for v in values]``, calling ``fn`` once per distinct value.

    Columns repeat few values (codes, dates, actors), so this is the cost of a hash per
    row plus ``fn`` per distinct value. Lists (JSON/YAML list fields) are not hashable;
    they are passed through ``fn`` one by one.
    """
    coded = _codes(values)
    if coded is None:
        return [fn(v) for v in values]
    codes, uniques = coded
    done = [fn(v) for v in uniques]
    return [done[c] for c in codes.tolist()]


def _codes(values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray] | None:
    """Return ``(codes, distinct values)`` of a column as :func:`pandas.factorize` does, or
    None if a value is a list (JSON/YAML list fields are not hashable).

    Trying is cheaper than scanning every value for a list first: a CSV column has none.
    """
    try:
        array = np.asarray(values, dtype=object)
        if array.ndim != 1:  # lists of equal length make a 2-d array
            return None
        return pd.factorize(array, use_na_sentinel=False)
    except (TypeError, ValueError):  # an unhashable value (a list), or ragged lists
        return None


def _fill(fld: schema.Field, column: Sequence, raw: dict[str, Sequence],
          dates: dict[str, list]) -> Sequence:
    """Fill the empty values of a column as the schema's ``default`` says."""
    if not fld.default:
        return column
    how, source = fld.default.split(":")
    if how == "precision":  # always derived: a given precision was checked against the date
        return [precision for _, precision in dates[source]]
    if all(column):
        return column
    derive = _slug if how == "slug" else str
    return [value or derive(src) for value, src in zip(column, raw[source], strict=True)]


def _unique_list(value: str | list[str]) -> list[str]:
    return list(dict.fromkeys(_items(value)))


def _frame(raw: dict[str, Sequence], n: int) -> pd.DataFrame:
    """Build the typed table from checked values: one sequence per column, ``n`` rows.

    Every schema field must be in ``raw`` (an absent one as ``""`` values); other names are
    the unknown columns, kept as text. Both readers (line by line and by column) end here.
    """
    extra = sorted(set(raw) - set(schema.FIELD_NAMES))
    dates: dict[str, list] = {}  # (date, precision) per row: rows are valid
    days: dict[str, pd.DatetimeIndex] = {}
    for fld in schema.FIELDS:
        if fld.kind == "date":
            coded = _codes(raw[fld.name])
            if coded is None:  # (a list in a date field is never valid)
                dates[fld.name] = [_parse_date(v) for v in raw[fld.name]]
                days[fld.name] = pd.to_datetime([d for d, _ in dates[fld.name]])
                continue
            codes, uniques = coded
            parsed = [_parse_date(v) for v in uniques]
            dates[fld.name] = [parsed[c] for c in codes.tolist()]
            days[fld.name] = pd.to_datetime([d for d, _ in parsed]).take(codes)
    columns: dict[str, Any] = {}
    for fld in schema.FIELDS:
        values = _fill(fld, raw[fld.name], raw, dates)
        if fld.kind == "date":
            columns[fld.name] = days[fld.name].astype("datetime64[ns]")
        elif fld.kind == "list":
            lists = _by_value(values, _unique_list)
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


# -- the column reader: a whole CSV file checked column by column -------------------------------
#
# Rows are parsed by pandas' C parser in blocks of whole records where _record_block vouches
# that it reads them as the csv module does; otherwise by the same csv module, dialect and
# strictness as the line-by-line reader, many rows per call. Each column is checked once
# per distinct value. It answers only
# "every row of every file is valid" (with the columns) or "something is wrong"; in the second
# case the line-by-line reader reads everything again, so that each problem carries its file,
# line and field. Either way the result is the same table, problems and counts.

#: Rows parsed and checked at a time by the column reader (memory: one chunk of raw rows).
CHUNK_ROWS = 50_000
#: Files at least this large show a progress bar (on a terminal; see ``progress``).
PROGRESS_BYTES = 20_000_000


class _Invalid(Exception):
    """Something the column reader cannot vouch for: the line-by-line reader takes over."""


def _visible_or_empty(value: str) -> bool:
    # after strip, an ASCII first character is a visible one (controls are ruled out before)
    return not value or value[0] < "\x80" or _VISIBLE.search(value) is not None


def _check_column(fld: schema.Field | None, values: Sequence[str], today: dt.date
                  ) -> Sequence[str]:
    """Check one column of one chunk as :func:`_check_text` and :func:`_check_record` do.

    Control characters were ruled out for the whole text before. Returns the stripped
    values; raises :class:`_Invalid` at the first value that fails.
    """
    if _long_text(fld, values):
        # free text (the statements, notes): nearly every value is new, so hashing it to
        # find the distinct ones costs more than checking each one
        distinct = values if isinstance(values, list) else list(values)
    else:
        distinct = list(dict.fromkeys(values))  # (str caches its hash: cheap for repeats)
    if max(map(len, distinct), default=0) > schema.MAX_FIELD_BYTES // 4:
        raise _Invalid  # near the size limit: the exact byte count is the slow reader's job
    stripped = [v.strip() for v in distinct]
    if not all(map(_visible_or_empty, stripped)):
        raise _Invalid
    if fld is not None:
        present = [v for v in stripped if v]
        if fld.required and len(present) < len(stripped):
            raise _Invalid
        allowed = fld.allowed()
        if fld.kind == "list":
            items = {item for v in present for item in _split(v)}
            if allowed is not None and not items <= set(allowed):
                raise _Invalid
            if not all(fld.matches(item) for item in items):
                raise _Invalid
        elif fld.kind == "date":
            for value in present:
                parsed = _parse_date(value)
                if isinstance(parsed, str) or parsed[0] > today:
                    raise _Invalid
        elif allowed is not None:
            if not set(present) <= set(allowed):
                raise _Invalid
        elif fld.pattern is not None:
            pattern = re.compile(fld.pattern)
            if not all(map(pattern.fullmatch, present)):
                raise _Invalid
    if stripped == distinct:
        return values
    if distinct is values or len(distinct) == len(values):
        return stripped
    clean = dict(zip(distinct, stripped, strict=True))
    return [clean[v] for v in values]


def _long_text(fld: schema.Field | None, values: Sequence[str]) -> bool:
    """True for a free-text column of long values (checked value by value, not deduplicated).

    Only the speed depends on this: both ways of checking give the same answer.
    """
    if fld is None or fld.kind != "text" or fld.pattern is not None or fld.unique:
        return False
    sample = values[:64]
    return sum(map(len, sample)) > 200 * len(sample)


def _check_chunk(header: list[str], rows: list[list[str]], today: dt.date
                 ) -> dict[str, Sequence[str]]:
    width = len(header)
    if set(map(len, rows)) != {width}:
        raise _Invalid  # blank lines were dropped before; a short or long row is a problem
    return _check_columns(dict(zip(header, zip(*rows, strict=True), strict=True)), today)


def _check_columns(columns: dict[str, Sequence[str]], today: dt.date
                   ) -> dict[str, Sequence[str]]:
    """Check the columns of one chunk of rows; return them stripped (see :func:`_check_column`)."""
    checked = {name: _check_column(schema._BY_NAME.get(name), column, today)
               for name, column in columns.items()}
    if "date_precision" in checked:
        pairs = set(zip(checked["date"], checked["date_precision"], strict=True))
        for date, given in pairs:
            if given and given != ("day" if len(date) == 10 else "month"):
                raise _Invalid
    return checked


#: Read UTF-8 files with pandas' C parser where it reads them as the csv module would
#: (see :func:`_record_block`); False: always the csv module (the tests compare the two).
RECORD_READER = True
#: Bytes decoded (or parsed by the record reader) at a time by the column reader.
BLOCK_BYTES = 4_000_000


_CONTROL_BYTES = bytes(range(32)).translate(None, b"\t\n\r") + b"\x7f"
_KEEP_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_LINE_SEPARATORS = re.compile(rb"\xe2\x80[\xa8\xa9]")  # U+2028 and U+2029 in UTF-8


def _has_control(data: bytes, text: str, utf8: bool) -> bool:
    """True if the text holds a character :data:`_CONTROL` matches.

    For UTF-8 the bytes are searched (faster than the text): C0 controls and DEL are single
    bytes, C1 controls are ``\\xc2`` followed by ``\\x80``-``\\x9f``, and a strict UTF-8
    decoder lets no surrogate through.
    """
    if not utf8:
        return _CONTROL.search(text) is not None
    if data.translate(None, _KEEP_BYTES):
        return True
    return b"\xc2" in data and _C1_UTF8.search(data) is not None


def _line_blocks(raw: Any, codec: str, bar: Any) -> Iterator[list[str]]:
    """Yield the lines of a binary file as ``open(..., newline="")`` would (line ends kept),
    a block of lines at a time.

    Each block is searched once for control characters (one in the text is one in a field:
    the csv syntax itself uses none), so that no field needs to be. UTF-8 is cut into
    blocks at a line feed byte (never inside a character) and checked as bytes.
    """
    if codec not in ("utf-8", "utf-8-sig"):
        yield from _decoded_line_blocks(raw, codec, bar)
        return
    pending = b""
    first = True
    while True:
        data = raw.read(BLOCK_BYTES)
        bar.update(len(data))
        chunk = pending + data if pending else data
        cut = chunk.rfind(b"\n") + 1 if data else len(chunk)
        block, pending = (chunk, b"") if cut == len(chunk) else (chunk[:cut], chunk[cut:])
        if block:
            try:
                text = block.decode(codec if first else "utf-8")
            except UnicodeDecodeError:
                raise _Invalid from None
            first = False
            if _has_control(block, text, True) or "\u2028" in text or "\u2029" in text:
                raise _Invalid  # (str.splitlines would also split at U+2028 and U+2029)
            yield text.splitlines(keepends=True)
        if not data:
            return


def _decoded_line_blocks(raw: Any, codec: str, bar: Any) -> Iterator[list[str]]:
    """:func:`_line_blocks` for any other ASCII-compatible codec: decoded incrementally."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    pending = ""
    while True:
        data = raw.read(BLOCK_BYTES)
        try:
            text = pending + decoder.decode(data, final=not data)
        except UnicodeDecodeError:
            raise _Invalid from None
        bar.update(len(data))
        cut = len(text) if not data else text.rfind("\n") + 1
        block, pending = text[:cut], text[cut:]
        if _has_control(b"", block, False) or "\u2028" in block or "\u2029" in block:
            raise _Invalid  # (str.splitlines would also split at U+2028 and U+2029)
        yield block.splitlines(keepends=True)
        if not data:
            return


def _csv_columns(path: Path, today: dt.date, encoding: str | None, max_bytes: int,
                 progress: bool | None, keep: Iterable[str] | None = None
                 ) -> tuple[dict[str, list], int, list[Problem]]:
    """Read one CSV file by columns; raise :class:`_Invalid` unless every row is valid.

    ``keep`` names the columns to return (default all); every column is checked either way,
    so that validating keeps only the ids (memory: one chunk of rows, and the ids).
    """
    try:
        info = os.stat(path)
    except OSError:
        raise _Invalid from None
    if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
        raise _Invalid
    codec = _csv_codec(encoding)
    header: list[str] | None = None
    problems: list[Problem] = []
    columns: dict[str, list] = {}
    n_rows = 0
    with open(path, "rb") as raw, _csv_field_limit(info.st_size + 1), \
            _progress(info.st_size, path, progress) as bar:
        if not stat.S_ISREG(os.fstat(raw.fileno()).st_mode):
            raise _Invalid
        if codec in ("utf-8", "utf-8-sig") and RECORD_READER:
            try:
                return _csv_records(raw, path, codec, today, bar, keep)
            except _Unsure:
                raw.seek(0)
                bar.reset()
        lines = itertools.chain.from_iterable(_line_blocks(raw, codec, bar))
        reader = csv.reader(lines, strict=True)
        while True:
            try:
                rows = list(itertools.islice(reader, CHUNK_ROWS))
            except csv.Error:
                raise _Invalid from None
            if not rows:
                break
            if header is None:
                header = _checked_header(rows[0])
                problems = _header_warnings(path, header)
                rows = rows[1:]
            rows = [row for row in rows if row != []]  # blank lines are not records
            if rows:
                for name, column in _check_chunk(header, rows, today).items():
                    if keep is None or name in keep:
                        columns.setdefault(name, []).extend(column)
                n_rows += len(rows)
            del rows
    if header is None or n_rows == 0:
        raise _Invalid
    return columns, n_rows, problems


class _Unsure(Exception):
    """The C parser might read this file differently from the csv module: use the latter."""


_QUOTE, _COMMA, _LF, _CR = 34, 44, 10, 13
#: Bytes that may stand before an opening quote or after a closing one (besides a quote).
_FIELD_EDGE = np.zeros(256, dtype=bool)
_FIELD_EDGE[[_COMMA, _LF, _CR, _QUOTE]] = True


def _record_block(data: bytes, final: bool, width: int) -> tuple[int, int]:
    """Return ``(end, n)``: ``data[:end]`` holds ``n`` whole CSV records of ``width`` fields.

    ``data`` starts at the start of a record. Raises :class:`_Unsure` unless every quote is
    where the csv module (strict) and pandas' C parser agree on what it means: counting
    quotes from the start of the record, an odd one (opening a quoted field, or the second
    of a doubled quote) follows a comma, a line end, the start or a quote, and an even one
    (closing, or the first of a doubled quote) is followed by a comma, a line end, the end
    of the file or a quote. Then a comma or line end is part of the syntax exactly when
    an even number of quotes stands before it, which finds the records and their fields
    without parsing: each record must have ``width - 1`` such commas (a blank line, a
    short or a long row, or text after a closing quote sends the file to the csv module).
    Without ``final``, the block ends after the last line end outside quotes (a CR at the
    very end waits for the next read: an LF may follow it).
    """
    if width < 2:
        raise _Unsure  # (a blank line is a record without commas: it must be told apart)
    a = np.frombuffer(data, dtype=np.uint8)
    size = len(a)
    quotes = np.flatnonzero(a == _QUOTE)
    if b"\r" not in data:  # (most files: line feeds only)
        ends = np.flatnonzero(a == _LF)
    else:
        ends = np.flatnonzero((a == _LF) | (a == _CR))
    if len(ends):
        after = np.minimum(ends + 1, size - 1)
        crlf = (a[ends] == _CR) & (ends + 1 < size) & (a[after] == _LF)
        ends = ends[~crlf]  # CR LF is one line end, at the LF
        if not final and len(ends) and ends[-1] == size - 1 and a[-1] == _CR:
            ends = ends[:-1]
        ends = ends[np.searchsorted(quotes, ends) % 2 == 0]  # outside quotes
    if final:
        if len(quotes) % 2:
            raise _Unsure  # the file ends inside a quoted field
        end = size
    elif len(ends):
        end = int(ends[-1]) + 1
    else:
        return 0, 0
    quotes = quotes[quotes < end]
    opening, closing = quotes[0::2], quotes[1::2]
    if not (_FIELD_EDGE[a[np.maximum(opening - 1, 0)]] | (opening == 0)).all():
        raise _Unsure
    if not (_FIELD_EDGE[a[np.minimum(closing + 1, size - 1)]] | (closing + 1 >= size)).all():
        raise _Unsure
    ends = ends[ends < end]
    if final and end > (int(ends[-1]) + 1 if len(ends) else 0):
        ends = np.append(ends, end)  # the last record has no line end
    n = len(ends)
    # commas per record, less those inside quotes (between an opening and a closing one;
    # fewer searches than placing every comma: records and quotes are fewer than commas)
    commas = np.flatnonzero(a[:end] == _COMMA)
    per_record = np.diff(np.searchsorted(commas, ends), prepend=0)
    if len(opening):
        inside = np.searchsorted(commas, closing) - np.searchsorted(commas, opening)
        per_record -= np.bincount(np.searchsorted(ends, opening), weights=inside,
                                  minlength=n).astype(per_record.dtype)[:n]
    if n and not (per_record == width - 1).all():
        raise _Unsure
    return end, n


def _parse_records(block: bytes, n: int, width: int) -> list[np.ndarray]:
    """Parse ``n`` records of ``width`` fields with pandas' C parser; return the columns."""
    try:
        table = pd.read_csv(io.BytesIO(block), header=None, names=range(width), dtype=object,
                            na_filter=False, skip_blank_lines=False, encoding="utf-8",
                            engine="c")
    except (UnicodeDecodeError, ValueError, pd.errors.ParserError):
        raise _Invalid from None  # (bytes that are not UTF-8 are a problem in any reader)
    if table.shape != (n, width):
        raise _Unsure
    return [table[j].to_numpy(dtype=object) for j in range(width)]


def _csv_records(raw: Any, path: Path, codec: str, today: dt.date, bar: Any,
                 keep: Iterable[str] | None) -> tuple[dict[str, list], int, list[Problem]]:
    """Read a UTF-8 CSV file by columns with pandas' C parser, in blocks of whole records.

    :func:`_record_block` vouches that the C parser reads each block as the csv module
    would (else :class:`_Unsure`); the values are checked as by :func:`_csv_columns`.
    """
    header: list[str] | None = None
    problems: list[Problem] = []
    columns: dict[str, list] = {}
    n_rows = 0
    pending = b""
    width = len(_csv_header(path, codec))
    while True:
        data = raw.read(BLOCK_BYTES)
        bar.update(len(data))
        chunk = pending + data if pending else data
        if header is None and codec == "utf-8-sig" and chunk[:3] == b"\xef\xbb\xbf":
            chunk = chunk[3:]  # the byte-order mark
        end, n = _record_block(chunk, not data, width)
        block, pending = chunk[:end], chunk[end:]
        if block.startswith(b"\xef\xbb\xbf"):
            raise _Unsure  # pandas drops U+FEFF at the start of what it reads; csv keeps it
        if n:
            if _has_control(block, "", True) or _LINE_SEPARATORS.search(block):
                raise _Unsure  # the csv module's reader decides (and sends it on)
            parsed = _parse_records(block, n, width)
            if header is None:
                header = _checked_header([str(column[0]) for column in parsed])
                problems = _header_warnings(path, header)
                parsed = [column[1:] for column in parsed]
            if len(parsed[0]):
                checked = _check_columns(dict(zip(header, parsed, strict=True)), today)
                for name, column in checked.items():
                    if keep is None or name in keep:
                        columns.setdefault(name, []).extend(column)
                n_rows += len(parsed[0])
        if not data:
            break
    if header is None or n_rows == 0:
        raise _Invalid
    return columns, n_rows, problems


@contextmanager
def _bulk() -> Iterator[None]:
    """Pause Python's cycle collector while a table is built, then restore it.

    Building a table makes millions of small lists and strings (no reference cycles);
    each collection pass would walk all of them again, which takes more time than the
    reading itself at a million rows. Nothing is leaked: collection resumes afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _progress(total: int, path: Path | str, progress: bool | None, unit: str = "B",
              what: str = "reading") -> Iterator[Any]:
    """A progress bar (bytes of a file, or rows), on standard error.

    ``progress=None`` shows it for at least :data:`PROGRESS_BYTES` bytes (or 100,000 rows)
    when standard error is a terminal; True always, False never. ``TQDM_DISABLE=1`` turns
    it off, and without tqdm installed there is no bar.
    """

    class _Silent:
        def update(self, n: int) -> None:
            pass

        def reset(self) -> None:
            pass

    if progress is None:
        large = total >= (PROGRESS_BYTES if unit == "B" else 100_000)
        progress = large and _on_terminal()
    if os.environ.get("TQDM_DISABLE", "").strip().lower() not in ("", "0", "false", "no"):
        progress = False
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm is optional: no bar
        progress = False
    if not progress:
        yield _Silent()
        return
    with tqdm(total=total, unit=unit, unit_scale=True, desc=f"{what} {Path(path).name}",
              leave=False) as bar:
        yield bar


def _on_terminal() -> bool:
    """True if standard error is a terminal (never in a notebook, a pipe or a log file)."""
    try:
        return sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _csv_files(paths: Sequence[str | PathLike[str]], encoding: str | None, max_bytes: int
               ) -> tuple[list[Path], list[Problem]] | None:
    """Return the CSV files the sources name (data packages followed, with their checks)
    and the packages' warnings; None if a source is anything else or a package is broken."""
    lister = _Lister(encoding, max_bytes)
    files: list[Path] = []
    for source in map(Path, paths):
        if source.is_dir() and (source / "datapackage.json").is_file():
            source = source / "datapackage.json"
        if source.name == "datapackage.json" and source.is_file():
            lister.read_datapackage(source)  # the package's own checks; tables are listed
            files.extend(lister.tables)
            lister.tables = []
        else:
            files.append(source)
    if any(p.severity == "error" for p in lister.problems):
        return None
    if not files or any(p.suffix.lower() != ".csv" or not p.is_file() for p in files):
        return None
    if len({_resolve(p) for p in files}) < len(files):
        return None
    return files, lister.problems


def _merge_columns(tables: list[tuple[dict[str, list], int, list[Problem]]],
                   problems: list[Problem]) -> tuple[dict[str, list], int, list[Problem]] | None:
    """Join the columns of several files (or blocks) in order; None if an id repeats."""
    n = sum(count for _, count, _ in tables)
    names = list(dict.fromkeys(name for columns, _, _ in tables for name in columns))
    raw: dict[str, list] = {}
    for name in (*schema.FIELD_NAMES, *(n for n in names if n not in schema.FIELD_NAMES)):
        if len(tables) == 1 and name in tables[0][0]:
            raw[name] = tables[0][0][name]  # one file: its columns as they are
            continue
        raw[name] = list(itertools.chain.from_iterable(
            columns.get(name, [""] * count) for columns, count, _ in tables))
    if len(raw["id"]) != len(set(raw["id"])):
        return None  # a duplicate id: the slow reader says where the first one is
    problems = problems + [p for _, _, found in tables for p in found]
    problems.sort(key=_order)
    return raw, n, problems


def _read_columns(paths: Sequence[str | PathLike[str]], today: dt.date, encoding: str | None,
                  max_bytes: int, progress: bool | None, table: bool = True
                  ) -> tuple[dict[str, list], int, list[Problem]] | None:
    """Read CSV files by columns if every row is valid; None sends them to the slow reader.

    With ``table=False`` (validation) only the problems and the count are wanted: the
    columns are checked chunk by chunk and only the ids are kept (for the duplicate check),
    and the columns returned are empty.
    """
    listed = _csv_files(paths, encoding, max_bytes)
    if listed is None:
        return None
    files, problems = listed
    keep = None if table else ("id",)
    try:
        tables = [_csv_columns(path, today, encoding, max_bytes, progress, keep)
                  for path in files]
    except _Invalid:
        return None
    if table:
        return _merge_columns(tables, problems)
    ids = itertools.chain.from_iterable(columns["id"] for columns, _, _ in tables)
    n = sum(count for _, count, _ in tables)
    if len(set(ids)) < n:
        return None  # a duplicate id: the slow reader says where the first one is
    problems = problems + [p for _, _, found in tables for p in found]
    problems.sort(key=_order)
    return {}, n, problems


def _csv_codec(encoding: str | None) -> str:
    codec = codecs.lookup(encoding or "utf-8").name
    if codec == "utf-8":
        return "utf-8-sig"  # a byte-order mark is dropped, as by the line-by-line reader
    if not _ascii_compatible(codec):
        raise _Invalid
    return codec


def _csv_header(path: Path, codec: str) -> list[str]:
    """Return the checked column names of a CSV file; :class:`_Invalid` if they are broken."""
    try:
        with open(path, encoding=codec, newline="") as handle:
            row = next(csv.reader(handle, strict=True), [])
    except (OSError, csv.Error, UnicodeDecodeError):
        raise _Invalid from None
    return _checked_header(row)


def _checked_header(row: list[str]) -> list[str]:
    if row == []:
        raise _Invalid  # an empty file, or a leading blank line: the slow reader numbers it
    header = [name.strip() for name in row]
    if (len(set(header)) < len(header) or any(
            not n or not _VISIBLE.search(n) or _CONTROL.search(n) for n in header)
            or any(n not in header for n in schema.REQUIRED)):
        raise _Invalid
    return header


def _header_warnings(path: Path, header: list[str]) -> list[Problem]:
    sink = _Reader(None, 1)
    sink._check_columns(path, header, 1)  # unknown columns: warnings
    return sink.problems


def _check_block(data: bytes, header: list[str], first: bool, today: dt.date, codec: str
                 ) -> tuple[dict[str, list], int] | None:
    """Check one block of whole lines of a CSV file (the first block holds the header).

    Returns its checked columns and rows, or None if anything is wrong. A block that ends
    inside a quoted field fails (the csv module, strict, finds no closing quote), so a
    quoted line break across two blocks is never read as two rows.
    """
    if codec == "utf-8-sig" and not first:
        codec = "utf-8"  # U+FEFF is a byte-order mark only at the start of the file
    try:
        text = data.decode(codec)
        if _has_control(data, text, codec.startswith("utf-8")) or "\u2028" in text \
                or "\u2029" in text:
            return None
        with _csv_field_limit(len(text) + 1):
            rows = list(csv.reader(text.splitlines(keepends=True), strict=True))
        if first:
            if not rows or _checked_header(rows[0]) != header:
                return None
            rows = rows[1:]
        rows = [row for row in rows if row != []]
        if not rows:
            return {}, 0
        return _check_chunk(header, rows, today), len(rows)
    except (_Invalid, csv.Error, UnicodeDecodeError):
        return None


class _Lister(_Reader):
    """Reads data packages with every check of :class:`_Reader`, but only lists their tables."""

    def __init__(self, encoding: str | None, max_bytes: int) -> None:
        super().__init__(encoding, max_bytes)
        self.tables: list[Path] = []

    def read(self, path: Path) -> None:
        self.tables.append(path)


def _read_all(paths: Sequence[str | PathLike[str]], today: dt.date | None,
              encoding: str | None, max_bytes: int, progress: bool | None = None,
              table: bool = True
              ) -> tuple[dict[str, Sequence], int, list[_Record], list[Problem]]:
    """Read and check every source.

    Returns the valid rows' checked values by column (for :func:`_frame`), their number,
    the rejected records and every problem, sorted. CSV files are read by the column reader
    first; if it finds anything wrong, the line-by-line reader reads all sources again.
    With ``table=False`` (validation) the column reader keeps no columns (the values
    returned are empty when it succeeds).
    """
    today = today or dt.date.today()
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ValueError(f"unknown encoding '{encoding}'; give a Python codec name such "
                             "as utf-8, cp1252 or latin-1") from None
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValueError(f"max_bytes must be a positive number of bytes, not {max_bytes!r}")
    fast = _read_columns(paths, today, encoding, max_bytes, progress, table)
    if fast is not None:
        raw, n_valid, problems = fast
        return raw, n_valid, [], problems
    reader = _Reader(encoding, max_bytes)
    for path in paths:
        reader.read(Path(path))
    valid: list[_Record] = []
    rejected: list[_Record] = []
    first_seen: dict[str, _Record] = {}
    with _progress(len(reader.records), "rows", progress, "rows", "checking") as bar:
        for number, rec in enumerate(reader.records, start=1):
            if number % 10_000 == 0:
                bar.update(10_000)
            _check_one(rec, today, first_seen)
            (valid if rec.ok else rejected).append(rec)
    problems = reader.problems + [p for rec in reader.records for p in rec.problems]
    problems.sort(key=_order)
    names = {k for r in valid for k in r.values} | set(schema.FIELD_NAMES)
    raw = {name: [r.values.get(name, "") for r in valid] for name in names}
    return raw, len(valid), rejected, problems


def _check_one(rec: _Record, today: dt.date, first_seen: dict[str, _Record]) -> None:
    """Check one record's fields, and its id against the ids seen before."""
    if not rec.read_ok:
        return
    _check_record(rec, today)
    ident = rec.values.get("id", "")
    if ident and isinstance(ident, str):  # a duplicate is reported on a bad row too
        first = first_seen.setdefault(ident, rec)
        if first is not rec:
            rec.error("id", f"duplicate id '{_show(ident)}'; first used at "
                      f"{_show(first.path, None)}:{first.line}; ids must be unique")


def _rejected_table(records: list[_Record]) -> pd.DataFrame:
    def ident(rec: _Record) -> str:
        value = rec.values.get("id", "")
        return value if isinstance(value, str) else ";".join(value)

    rows = [{"path": r.path, "line": r.line, "id": ident(r), "message": "; ".join(r.messages())}
            for r in records]
    return pd.DataFrame(rows, columns=["path", "line", "id", "message"])


def _sources(path: Any) -> list[str | PathLike[str]]:
    if path is None:
        return [shipped_corpus_dir()]
    if isinstance(path, str | PathLike):
        return [path]
    return list(path)


def load_corpus(
    path: str | PathLike[str] | Sequence[str | PathLike[str]] | None = None,
    *,
    strict: bool = True,
    today: dt.date | None = None,
    encoding: str | None = None,
    max_bytes: int = schema.MAX_FILE_BYTES,
    progress: bool | None = None,
) -> pd.DataFrame | LoadResult:
    """Load a corpus into a typed table, validating every row.

    Parameters
    ----------
    path : str or path-like, or a list of them, optional
        A ``.csv`` or ``.jsonl`` file, a ``datapackage.json`` (or a folder holding one), or
        a folder of ``.md``/``.txt`` files with one statement each (YAML front matter for the
        fields, the body for the text; ``id`` defaults to the file name). A list reads
        several sources as one corpus (ids must be unique across them). ``None`` loads the
        corpus shipped with the package.
    strict : bool, default True
        If True, raise :class:`CorpusError` listing every problem. If False, return a
        :class:`LoadResult` with the valid rows and a table of the rejected ones.
    today : datetime.date, optional
        The date after which a statement date counts as "in the future" (default: today).
    encoding : str, optional
        The encoding of the files (a Python codec name such as ``cp1252``). Default: UTF-8,
        with a byte-order mark allowed; a line that is not valid UTF-8 is a problem and its
        row is rejected, never loaded with replacement characters.
    max_bytes : int, default :data:`discourse.schema.MAX_FILE_BYTES` (100 MB)
        Largest file read; a larger one is a problem. Only regular files are read.
    progress : bool, optional
        Show a progress bar (tqdm, on standard error) while reading. Default: only for a
        file of 20 MB or more, and only when standard error is a terminal (never in a
        notebook or a log). ``TQDM_DISABLE=1`` in the environment turns it off.

    Notes
    -----
    CSV files (alone, or the tables of a data package) are first read by columns, in blocks
    of :data:`BLOCK_BYTES` bytes: a UTF-8 file by pandas' C parser wherever a scan of its
    quotes and commas shows that the parser reads it as the csv module would (else by the
    csv module), and every column checked once per distinct value (free text value by
    value). If anything is wrong, the line-by-line reader reads the sources again to say
    where (file, line, field); the table, the rejected rows and the problems are the same
    either way. Memory: the table, plus about one block's rows while reading (1.5 GB in
    all for a million statements of about 1,300 bytes each, where ``pandas.read_csv``
    takes 2.3 GB).

    Returns
    -------
    DataFrame or LoadResult
        One row per statement with columns in schema order (then any unknown columns):
        ``date`` as ``datetime64`` (the first of the month for month precision), ``group``,
        ``stance``, ``scope``, ``country``, ``actor_type``, ``date_precision`` and
        ``date_source`` as categoricals (a missing code is NA), ``frames`` and ``key_terms``
        as lists of strings, the rest as text. An empty ``org_id`` is derived from
        ``actor`` (a lower-case ASCII slug), an empty ``org`` is ``actor``.

    Raises
    ------
    CorpusError
        In strict mode, if any row or file has a problem, or there is no statement.
    ValueError
        If ``encoding`` names no codec or ``max_bytes`` is not a positive integer.

    Examples
    --------
    >>> corpus = load_corpus()
    >>> corpus["group"].cat.categories.tolist()
    ['civil_society', 'industry', 'state']
    """
    sources = _sources(path)
    with _bulk():
        raw, n_valid, rejected, problems = _read_all(sources, today, encoding, max_bytes,
                                                     progress)
    return _finish(sources, raw, n_valid, rejected, problems, strict)


def _finish(sources: Sequence[Any], raw: dict[str, Sequence], n_valid: int,
            rejected: list[_Record], problems: list[Problem], strict: bool
            ) -> pd.DataFrame | LoadResult:
    """Warn, raise or build the table and the result, as :func:`load_corpus` returns them."""
    for problem in problems:
        if problem.severity == "warning":
            warnings.warn(str(problem), CorpusWarning, stacklevel=3)
    errors = [p for p in problems if p.severity == "error"]
    if strict and errors:
        raise CorpusError(problems)
    if strict and not n_valid:
        where = ", ".join(str(s) for s in sources)
        raise CorpusError([Problem(where, 0, "file", "no statements found")])
    with _bulk():
        corpus = _frame(raw, n_valid)
    del raw
    if strict:
        return corpus
    return LoadResult(corpus, _rejected_table(rejected), problems, n_valid + len(rejected))


def validate_corpus(
    *paths: str | PathLike[str],
    today: dt.date | None = None,
    encoding: str | None = None,
    max_bytes: int = schema.MAX_FILE_BYTES,
    progress: bool | None = None,
    return_counts: bool = False,
) -> list[Problem] | Validation:
    """Return every problem in one or more corpus sources (ids must be unique across them).

    Takes the same ``today``, ``encoding``, ``max_bytes`` and ``progress`` as
    :func:`load_corpus`; the problems are sorted by path, line and field. With
    ``return_counts=True`` a :class:`Validation` is returned instead: the problems, the
    number of records read and the number of valid ones (what ``discourse validate``
    prints), from the same single reading.

    A valid CSV file is read once, block by block, keeping only the ids (to find
    duplicates): memory is about one block's rows plus some 60 bytes per id, whatever the
    size of the file (a million statements: about 270 MB for the whole process). If a
    problem is found, the line-by-line reader reads the sources again and holds all their
    records (about as much memory as :func:`load_corpus`).

    Examples
    --------
    >>> validate_corpus()  # the shipped corpus is valid
    []
    >>> result = validate_corpus(return_counts=True)
    >>> result.n_records == result.n_valid == len(load_corpus())
    True
    """
    sources = paths or (shipped_corpus_dir(),)
    with _bulk():
        _, n_valid, rejected, problems = _read_all(list(sources), today, encoding, max_bytes,
                                                   progress, table=False)
    if return_counts:
        return Validation(problems, n_valid + len(rejected), n_valid)
    return problems


def summarize_corpus(corpus: pd.DataFrame) -> dict[str, Any]:
    """Return counts that describe a loaded corpus, for ``discourse info``.

    The result has ``rows``, ``date_min``, ``date_max``, ``organisations`` (the number of
    distinct ``org_id``) and, each a mapping from value to count (categories in schema
    order, others sorted), ``groups``, ``actor_types``, ``countries``, ``stances``,
    ``scopes`` and ``genres`` (statements that give one; empty if none does), ``years`` and
    ``frames`` (statements using each frame).

    Examples
    --------
    >>> summary = summarize_corpus(load_corpus())
    >>> summary["rows"] > 0, 0 < summary["organisations"] <= summary["rows"]
    (True, True)
    """

    def counts(series: pd.Series) -> dict[str, int]:
        table = series.value_counts(sort=False, dropna=True)
        if not isinstance(series.dtype, pd.CategoricalDtype):
            table = table.sort_index()
        return {str(k): int(v) for k, v in table.items() if v > 0}

    frames = pd.Series([f for fs in corpus["frames"] for f in fs], dtype=object)
    frames = pd.Categorical(frames, categories=list(schema.FRAMES))
    organisations = corpus["org_id"] if "org_id" in corpus else corpus["actor"].map(_slug)
    scopes = corpus["scope"] if "scope" in corpus else pd.Series([], dtype=object)
    genres = corpus["genre"] if "genre" in corpus else pd.Series([], dtype=object)
    return {
        "rows": int(len(corpus)),
        "date_min": corpus["date"].min().date().isoformat() if len(corpus) else None,
        "date_max": corpus["date"].max().date().isoformat() if len(corpus) else None,
        "organisations": int(organisations.nunique()),
        "groups": counts(corpus["group"]),
        "actor_types": counts(corpus["actor_type"]),
        "countries": counts(corpus["country"]),
        "stances": counts(corpus["stance"]),
        "scopes": counts(scopes),
        "genres": counts(genres),
        "frames": counts(pd.Series(frames)),
        "years": counts(corpus["date"].dt.year.astype(str)),
    }


#: Rows of a table written and hashed at a time by :func:`corpus_digest`.
_DIGEST_ROWS = 10_000


def corpus_digest(table: pd.DataFrame, columns: Iterable[str] | None = None) -> str:
    """Return a SHA-256 of a table's content: the one way the kit fingerprints a corpus.

    Rows are taken in order; each value is written canonically (lists as lists, a missing
    value as null, dates as ``YYYY-MM-DD``, anything else as text), so the digest depends on
    the content only, not on dtypes or the index. Caches (the labellers' model, the
    evaluation memo) and the figure manifest use it.

    Parameters
    ----------
    table : DataFrame
        A loaded corpus, or any table.
    columns : iterable of str, optional
        The columns that matter (default: all, in table order); absent ones are skipped.

    Examples
    --------
    >>> corpus = load_corpus()
    >>> corpus_digest(corpus) == corpus_digest(corpus.copy())
    True
    >>> corpus_digest(corpus, ["text"]) == corpus_digest(corpus.iloc[::-1], ["text"])
    False
    """
    names = [c for c in (table.columns if columns is None else columns) if c in table]

    def canonical(value: Any) -> Any:
        if isinstance(value, list | tuple | np.ndarray):
            return [str(v) for v in value]
        if isinstance(value, pd.Timestamp | dt.date):
            return value.strftime("%Y-%m-%d")
        return None if pd.isna(value) else str(value)

    # the bytes of json.dumps([names, rows]) with compact separators, hashed block by block
    # of rows so that a large table is never held twice (once more as one JSON string)
    def dumps(obj: Any) -> str:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

    digest = hashlib.sha256(f"[{dumps(names)},[".encode())
    for start in range(0, len(table), _DIGEST_ROWS):
        block = table[names].iloc[start:start + _DIGEST_ROWS]
        rows = ",".join(dumps([canonical(v) for v in values])
                        for values in block.itertuples(index=False, name=None))
        digest.update(("," if start else "").encode() + rows.encode("utf-8"))
    digest.update(b"]]")
    return digest.hexdigest()
