"""Read a corpus (CSV, JSONL, a folder of Markdown files or a data package) into one typed table.

Every problem found is reported at once, as data: a :class:`Problem` names the file, the
1-based physical line (the CSV header is line 1), the field and what is wrong and allowed.
``load_corpus(strict=True)`` raises one :class:`CorpusError` carrying all of them;
``strict=False`` returns the valid rows beside a table of the rejected ones, so that
records read = rows loaded + rows rejected, always.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
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
    "load_corpus",
    "validate_corpus",
    "summarize_corpus",
    "corpus_digest",
]

BOM = b"\xef\xbb\xbf"
STATEMENT_SUFFIXES = (".md", ".markdown", ".txt")
TABLE_SUFFIXES = (".csv", ".jsonl", ".ndjson")
LIST_FIELDS = ("frames", "key_terms")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
_URL_RE = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$")
_LANG_RE = re.compile(r"^[a-z]{2}$")

csv.field_size_limit(2**31 - 1)  # the 1 MB limit is ours to report, not the csv module's


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a corpus, located by file, line and field.

    ``line`` is the 1-based physical line in the file (0 for a whole folder).
    ``severity`` is ``"error"`` (the row is rejected) or ``"warning"`` (it is kept).
    """

    path: str
    line: int
    field: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}: {self.field}: {prefix}{self.message}"


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
        Every problem, warnings included.
    n_records : int
        Records read; always ``len(corpus) + len(rejected)``.
    """

    corpus: pd.DataFrame
    rejected: pd.DataFrame
    problems: list[Problem]
    n_records: int


@dataclass
class _Record:
    path: str
    line: int
    values: dict[str, str]
    field_lines: dict[str, int] = field(default_factory=dict)
    broken: bool = False  # already rejected while reading (bad bytes, bad CSV syntax)
    messages: list[str] = field(default_factory=list)  # why it was rejected
    end: int = 0  # last physical line of the record (0: same as line; -1: whole file)

    def line_of(self, name: str) -> int:
        return self.field_lines.get(name, self.line)


class _Reader:
    """Collects records and problems while reading one or more sources."""

    def __init__(self) -> None:
        self.records: list[_Record] = []
        self.problems: list[Problem] = []
        self.seen: set[Path] = set()  # files already read (a package may list a file given too)

    def problem(self, path: Any, line: int, fld: str, message: str, severity: str = "error"):
        self.problems.append(Problem(str(path), line, fld, message, severity))

    # -- sources -------------------------------------------------------------------------------
    def read(self, path: Path) -> None:
        if path.is_file():
            if path.resolve() in self.seen:
                return
            self.seen.add(path.resolve())
        if not path.exists():
            self.problem(path, 0, "file", "no such file or folder; give the path of a .csv or "
                         ".jsonl file, a data package or a folder of .md/.txt statements")
        elif path.is_dir():
            if (path / "datapackage.json").is_file():
                self.read_datapackage(path / "datapackage.json")
            else:
                self.read_folder(path)
        elif path.name == "datapackage.json":
            self.read_datapackage(path)
        elif path.suffix.lower() == ".csv":
            self.read_csv(path)
        elif path.suffix.lower() in (".jsonl", ".ndjson"):
            self.read_jsonl(path)
        elif path.suffix.lower() in STATEMENT_SUFFIXES:
            self.read_statement_file(path)
        else:
            self.problem(path, 0, "file", f"unsupported file type '{path.suffix}'; use .csv, "
                         ".jsonl, a datapackage.json or .md/.txt statement files")

    def _decode(self, path: Path) -> tuple[str, set[int]] | None:
        """Return the text of a file and its lines with invalid UTF-8, or None if empty."""
        data = path.read_bytes()
        if data.startswith(BOM):
            data = data[len(BOM):]
        if not data.strip():
            self.problem(path, 1, "file", "the file is empty; a corpus file needs a header row "
                         "and at least one statement")
            return None
        bad: set[int] = set()
        if not _is_utf8(data):
            for number, raw in enumerate(data.split(b"\n"), start=1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    bad.add(number)
                    self.problem(path, number, "file", f"invalid UTF-8 byte 0x{raw[err.start]:02x}"
                                 f" at column {err.start + 1}; save the file as UTF-8")
        return data.decode("utf-8", errors="replace"), bad

    def read_csv(self, path: Path) -> None:
        decoded = self._decode(path)
        if decoded is None:
            return
        text, bad_lines = decoded
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header: list[str] | None = None
        end = 0
        while True:
            start = end + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as err:
                end = reader.line_num
                if header is None:
                    self.problem(path, start, "header", f"cannot parse the header: {err}")
                    return
                if "end of data" in str(err):
                    message = (f"unbalanced double quote: a quoted field opened on line {start} is "
                               "never closed; close it, or double quotes inside a field (\"\")")
                else:
                    message = (f"malformed CSV ({err}); quote fields that contain commas, "
                               "quotes or line breaks, and double quotes inside them (\"\")")
                self.problem(path, start, "row", message)
                self.records.append(_Record(str(path), start, {}, broken=True, end=end))
                continue
            end = reader.line_num
            if not row:  # a blank line is not a record
                continue
            if header is None:
                header = self._header(path, row)
                if header is None:
                    return
                continue
            record = _Record(str(path), start, {}, end=end)
            if any(line in bad_lines for line in range(start, end + 1)):
                record.broken = True
            if len(row) != len(header):
                self.problem(path, start, "row", f"has {len(row)} fields but the header has "
                             f"{len(header)}; check for unquoted commas or missing fields")
                record.broken = True
            record.values = {name: value for name, value in zip(header, row, strict=False)}
            self.records.append(record)
        if header is None:
            self.problem(path, 1, "file", "the file has no header row")

    def _header(self, path: Path, row: list[str]) -> list[str] | None:
        header = [name.strip() for name in row]
        seen: set[str] = set()
        for name in header:
            if not name:
                self.problem(path, 1, "header", "a column has no name; name every column")
            elif name in seen:
                self.problem(path, 1, name, "the column appears twice; keep one")
            seen.add(name)
        if any(p.path == str(path) and p.field == "header" or p.message.startswith("the column")
               for p in self.problems if p.path == str(path)):
            return None
        self._check_columns(path, header)
        return header

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
        decoded = self._decode(path)
        if decoded is None:
            return
        text, bad_lines = decoded
        unknown_seen: set[str] = set()
        for number, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            record = _Record(str(path), number, {}, broken=number in bad_lines)
            self.records.append(record)
            if record.broken:
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                self.problem(path, number, "row", f"not valid JSON ({err.msg} at column "
                             f"{err.colno}); write one JSON object per line")
                record.broken = True
                continue
            if not isinstance(obj, dict):
                self.problem(path, number, "row", f"a line must hold a JSON object, not "
                             f"{type(obj).__name__}")
                record.broken = True
                continue
            record.values = self._plain_values(path, number, obj, record)
            for name in obj:
                if name not in schema.FIELD_NAMES and name not in unknown_seen:
                    unknown_seen.add(name)
                    self._check_columns(path, [name], number)
        # a missing required key is reported per record by the field checks

    def _plain_values(self, path: Path | str, line: int, obj: dict, record: _Record):
        values: dict[str, str] = {}
        for name, value in obj.items():
            name = str(name)
            if value is None:
                values[name] = ""
            elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
                values[name] = ";".join(str(v) for v in value)
            elif isinstance(value, dt.datetime | dt.date):
                values[name] = value.isoformat()[:10]
            elif isinstance(value, str | int | float | bool):
                values[name] = str(value)
            else:
                self.problem(path, record.line_of(name), name, f"must be text or a list of "
                             f"text, not {type(value).__name__}")
                record.broken = True
        return values

    def read_folder(self, path: Path) -> None:
        files = sorted(p for p in path.rglob("*") if p.is_file() and not _hidden(p, path))
        statements = [p for p in files if p.suffix.lower() in STATEMENT_SUFFIXES]
        for other in files:
            if other.suffix.lower() not in STATEMENT_SUFFIXES:
                self.problem(other, 0, "file", "ignored: a statement folder holds .md or .txt "
                             "files only", "warning")
        if not statements:
            self.problem(path, 0, "folder", "no statements found; a corpus folder holds one "
                         ".md or .txt file per statement (or a datapackage.json)")
        for file in statements:
            self.read_statement_file(file)

    def read_statement_file(self, path: Path) -> None:
        decoded = self._decode(path)
        if decoded is None:
            self.records.append(_Record(str(path), 1, {}, broken=True, end=-1))
            return
        text, bad_lines = decoded
        record = _Record(str(path), 1, {}, broken=bool(bad_lines), end=-1)
        self.records.append(record)
        lines = text.replace("\r\n", "\n").split("\n")
        if lines[0].strip() != "---":
            self.problem(path, 1, "front matter", "no YAML front matter; start the file with a "
                         "'---' line, the fields (id, date, actor, group, ...), then '---' and "
                         "the text")
            record.broken = True
            return
        close = next((i for i, line in enumerate(lines[1:], 1) if line.strip() in ("---", "...")),
                     None)
        if close is None:
            self.problem(path, 1, "front matter", "the front matter is never closed; end it with "
                         "a '---' line")
            record.broken = True
            return
        front = "\n".join(lines[1:close])
        try:
            tags = [tok for tok in yaml.scan(front) if isinstance(tok, yaml.TagToken)]
        except yaml.YAMLError as err:
            tags = []
            line = 2 + (err.problem_mark.line if getattr(err, "problem_mark", None) else 0)
            self.problem(path, line, "front matter", f"invalid YAML: {_yaml_reason(err)}")
            record.broken = True
            return
        if tags:
            self.problem(path, 2 + tags[0].start_mark.line, "front matter", "YAML tags (!...) "
                         "are not allowed; write plain values")
            record.broken = True
            return
        try:
            meta = yaml.safe_load(front)
        except yaml.YAMLError as err:
            line = 2 + (err.problem_mark.line if getattr(err, "problem_mark", None) else 0)
            self.problem(path, line, "front matter", f"invalid YAML: {_yaml_reason(err)}")
            record.broken = True
            return
        if not isinstance(meta, dict):
            self.problem(path, 2, "front matter", "the front matter must be a mapping of "
                         f"fields ('key: value' lines), not {type(meta).__name__}")
            record.broken = True
            return
        for i, line in enumerate(lines[1:close], start=2):
            match = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
            if match:
                record.field_lines.setdefault(match.group(1), i)
        record.values = self._plain_values(path, 1, meta, record)
        body = "\n".join(lines[close + 1:]).strip()
        if body:
            record.values["text"] = body
            record.field_lines["text"] = close + 2
        record.values.setdefault("id", path.stem)
        if any(name not in schema.FIELD_NAMES for name in record.values):
            for name in record.values:
                if name not in schema.FIELD_NAMES:
                    self.problem(path, record.line_of(name), name, "unknown field, kept as text; "
                                 f"known fields are {', '.join(schema.FIELD_NAMES)}", "warning")

    def read_datapackage(self, path: Path) -> None:
        try:
            package = json.loads(path.read_text(encoding="utf-8"))
            resources = package["resources"]
            paths = [r["path"] for r in resources]
        except (OSError, ValueError, KeyError, TypeError) as err:
            self.problem(path, 1, "datapackage", f"cannot read the data package ({err}); it needs "
                         "a 'resources' list whose items have a 'path'")
            return
        tables = [p for p in paths if isinstance(p, str) and p.lower().endswith(TABLE_SUFFIXES)]
        if not tables:
            self.problem(path, 1, "resources", "the data package lists no .csv or .jsonl resource")
        for table in tables:
            self.read(path.parent / table)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _yaml_reason(err: yaml.YAMLError) -> str:
    return str(getattr(err, "problem", None) or err).splitlines()[0]


# -- field checks ------------------------------------------------------------------------------


def _parse_date(value: str) -> tuple[dt.date, str] | str:
    """Return (date, precision) or a message saying what is wrong."""
    match = _DATE_RE.match(value)
    if not match:
        return f"'{value}' is not a date; write YYYY-MM-DD, or YYYY-MM if only the month is known"
    year, month, day = int(match.group(1)), int(match.group(2)), match.group(3)
    try:
        date = dt.date(year, month, int(day) if day else 1)
    except ValueError as err:
        return f"'{value}' is an impossible date ({err}); write a real calendar date"
    return date, "day" if day else "month"


def _check_record(rec: _Record, today: dt.date, problems: list[Problem]) -> bool:
    """Check one record's fields, append problems, return True if the record is valid."""
    ok = True

    def bad(name: str, message: str) -> None:
        nonlocal ok
        ok = False
        problems.append(Problem(rec.path, rec.line_of(name), name, message))

    values = rec.values
    oversized = set()
    for name, value in values.items():
        if len(value.encode("utf-8")) > schema.MAX_FIELD_BYTES:
            bad(name, f"the field holds {len(value.encode('utf-8')):,} bytes, more than the "
                f"limit of {schema.MAX_FIELD_BYTES:,} (1 MB); shorten it")
            oversized.add(name)
    for name in oversized:
        values[name] = ""
    for name in schema.REQUIRED:
        if name not in oversized and not values.get(name, "").strip():
            what = "the statement text" if name == "text" else "a value"
            bad(name, f"is empty; every statement needs {what} here")
    ident = values.get("id", "").strip()
    if ident and re.search(r"\s", ident):
        bad("id", f"'{ident}' contains whitespace; use letters, digits, '-', '_' or '.'")
    date = values.get("date", "").strip()
    if date:
        parsed = _parse_date(date)
        if isinstance(parsed, str):
            bad("date", parsed)
        else:
            day, precision = parsed
            if day > today:
                bad("date", f"'{date}' is in the future (today is {today.isoformat()}); "
                    "check the year")
            given = values.get("date_precision", "").strip()
            if given and given != precision:
                bad("date_precision", f"'{given}' does not match the date '{date}', which has "
                    f"{precision} precision")
    enums = {
        "group": schema.GROUPS,
        "actor_type": schema.ACTOR_TYPES,
        "stance": schema.STANCES,
        "date_precision": schema.DATE_PRECISIONS,
        "date_source": schema.DATE_SOURCES,
    }
    for name, allowed in enums.items():
        value = values.get(name, "").strip()
        if value and value not in allowed:
            bad(name, f"unknown {name} code '{value}'; allowed: {', '.join(allowed)}")
    country = values.get("country", "").strip()
    if country and country not in schema.countries():
        hint = (f" (did you mean '{country.upper()}'?)"
                if country.upper() in schema.countries() else "")
        bad("country", f"unknown country code '{country}'{hint}; use an ISO 3166-1 alpha-2 "
            "code such as PK or GB, EU for EU-level or XX for global statements")
    language = values.get("language", "").strip()
    if language and not _LANG_RE.match(language):
        bad("language", f"'{language}' is not an ISO 639-1 code; use two lowercase letters "
            "such as en or ur")
    url = values.get("source_url", "").strip()
    if url and not _URL_RE.match(url):
        bad("source_url", f"'{url[:80]}' is not a web address; write a full http:// or "
            "https:// URL without spaces")
    frames = values.get("frames", "")
    for code in _split(frames):
        if code not in schema.FRAMES:
            bad("frames", f"unknown frame code '{code}'; allowed: {', '.join(schema.FRAMES)} "
                "(join several with ';')")
    return ok


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


# -- the typed table ---------------------------------------------------------------------------


def _to_frame(records: list[_Record]) -> pd.DataFrame:
    extra = sorted({k for r in records for k in r.values} - set(schema.FIELD_NAMES))
    columns = list(schema.FIELD_NAMES) + extra
    rows = [{name: r.values.get(name, "").strip() for name in columns} for r in records]
    df = pd.DataFrame(rows, columns=columns)
    for name in columns:
        df[name] = df[name].astype(object)
    parsed = [_parse_date(v) for v in df["date"]]
    df["date"] = pd.to_datetime([p[0] for p in parsed]).astype("datetime64[ns]")
    df["date_precision"] = [p[1] for p in parsed]
    for name in LIST_FIELDS:
        df[name] = [list(dict.fromkeys(_split(v))) for v in df[name]]
    categories = {
        "group": list(schema.GROUPS),
        "stance": list(schema.STANCES),
        "actor_type": list(schema.ACTOR_TYPES),
        "date_precision": list(schema.DATE_PRECISIONS),
        "date_source": list(schema.DATE_SOURCES),
        "country": sorted({c for c in df["country"] if c}),
    }
    for name, cats in categories.items():
        df[name] = pd.Categorical(df[name].where(df[name] != "", None), categories=cats)
    for name in ("id", "actor", "language", "publisher", "source_url", "text", "notes", *extra):
        df[name] = df[name].astype(str)
    return df.reset_index(drop=True)


def _read_all(paths: Iterable[str | PathLike[str]], today: dt.date | None):
    today = today or dt.date.today()
    reader = _Reader()
    for path in paths:
        reader.read(Path(path))
    problems = reader.problems
    for rec in reader.records:  # rejected while reading: find the reading problems
        if rec.broken:
            last = float("inf") if rec.end < 0 else max(rec.line, rec.end)
            rec.messages = [f"{p.field}: {p.message}" for p in problems if p.path == rec.path
                            and p.severity == "error" and rec.line <= p.line <= last]
    valid: list[_Record] = []
    rejected: list[_Record] = []
    first_seen: dict[str, _Record] = {}
    for rec in reader.records:
        before = len(problems)
        ok = not rec.broken and _check_record(rec, today, problems)
        ident = rec.values.get("id", "").strip()
        if not rec.broken and ident:  # a duplicate is reported even on an otherwise bad row
            if ident in first_seen:
                first = first_seen[ident]
                problems.append(Problem(rec.path, rec.line_of("id"), "id",
                                        f"duplicate id '{ident}'; first used at "
                                        f"{first.path}:{first.line}; ids must be unique"))
                ok = False
            else:
                first_seen[ident] = rec
        if ok:
            valid.append(rec)
        else:
            rejected.append(rec)
            rec.messages += [f"{p.field}: {p.message}" for p in problems[before:]]
    return valid, rejected, problems


def _rejected_table(records: list[_Record]) -> pd.DataFrame:
    rows = [{"path": r.path, "line": r.line, "id": r.values.get("id", ""),
             "message": "; ".join(r.messages)} for r in records]
    return pd.DataFrame(rows, columns=["path", "line", "id", "message"])


def load_corpus(
    path: str | PathLike[str] | None = None,
    *,
    strict: bool = True,
    today: dt.date | None = None,
) -> pd.DataFrame | LoadResult:
    """Load a corpus into a typed table, validating every row.

    Parameters
    ----------
    path : str or path-like, optional
        A ``.csv`` or ``.jsonl`` file, a ``datapackage.json`` (or a folder holding one), or
        a folder of ``.md``/``.txt`` files with one statement each (YAML front matter for the
        fields, the body for the text; ``id`` defaults to the file name). ``None`` loads the
        corpus shipped with the package.
    strict : bool, default True
        If True, raise :class:`CorpusError` listing every problem. If False, return a
        :class:`LoadResult` with the valid rows and a table of the rejected ones.
    today : datetime.date, optional
        The date after which a statement date counts as "in the future" (default: today).

    Returns
    -------
    DataFrame or LoadResult
        One row per statement with columns in schema order (then any unknown columns):
        ``date`` as ``datetime64`` (the first of the month for month precision), ``group``,
        ``stance``, ``country``, ``actor_type``, ``date_precision`` and ``date_source`` as
        categoricals, ``frames`` and ``key_terms`` as lists of strings.

    Raises
    ------
    CorpusError
        In strict mode, if any row or file has a problem.

    Examples
    --------
    >>> corpus = load_corpus()
    >>> corpus["group"].cat.categories.tolist()
    ['civil_society', 'industry', 'state']
    """
    path = shipped_corpus_dir() if path is None else path
    valid, rejected, problems = _read_all([path], today)
    for problem in problems:
        if problem.severity == "warning":
            warnings.warn(str(problem), CorpusWarning, stacklevel=2)
    errors = [p for p in problems if p.severity == "error"]
    if strict and errors:
        raise CorpusError(problems)
    if strict and not valid:
        raise CorpusError([Problem(str(path), 0, "file", "no statements found")])
    corpus = _to_frame(valid)
    if strict:
        return corpus
    return LoadResult(corpus, _rejected_table(rejected), problems,
                      len(valid) + len(rejected))


def validate_corpus(
    *paths: str | PathLike[str], today: dt.date | None = None
) -> list[Problem]:
    """Return every problem in one or more corpus sources (ids must be unique across them).

    Examples
    --------
    >>> validate_corpus()  # the shipped corpus is valid
    []
    """
    sources = paths or (shipped_corpus_dir(),)
    _, _, problems = _read_all(sources, today)
    return sorted(problems, key=lambda p: (p.path, p.line, p.field, p.message))


def summarize_corpus(corpus: pd.DataFrame) -> dict[str, Any]:
    """Return counts that describe a loaded corpus, for ``discourse info``.

    The result has ``rows``, ``date_min``, ``date_max`` and, each a mapping from value to
    count (categories in schema order, others sorted), ``groups``, ``actor_types``,
    ``countries``, ``stances``, ``years`` and ``frames`` (statements using each frame).

    Examples
    --------
    >>> summarize_corpus(load_corpus())["rows"] > 0
    True
    """

    def counts(series: pd.Series) -> dict[str, int]:
        table = series.value_counts(sort=False, dropna=True)
        if not isinstance(series.dtype, pd.CategoricalDtype):
            table = table.sort_index()
        return {str(k): int(v) for k, v in table.items() if v > 0}

    frames = pd.Series([f for fs in corpus["frames"] for f in fs], dtype=object)
    frames = pd.Categorical(frames, categories=list(schema.FRAMES))
    return {
        "rows": int(len(corpus)),
        "date_min": corpus["date"].min().date().isoformat() if len(corpus) else None,
        "date_max": corpus["date"].max().date().isoformat() if len(corpus) else None,
        "groups": counts(corpus["group"]),
        "actor_types": counts(corpus["actor_type"]),
        "countries": counts(corpus["country"]),
        "stances": counts(corpus["stance"]),
        "frames": counts(pd.Series(frames)),
        "years": counts(corpus["date"].dt.year.astype(str)),
    }


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

    rows = [[canonical(v) for v in values]
            for values in table[names].itertuples(index=False, name=None)]
    payload = json.dumps([names, rows], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
