"""The corpus schema: every field, its codes, pattern, type and required-ness, in one place.

:data:`FIELDS` is the single declaration. The loader's checks (:mod:`discourse.corpus`),
the typed table it returns and the Frictionless descriptor ``corpus/datapackage.json``
(:func:`table_schema`, written by ``scripts/write_datapackage.py``) are all derived from it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from .paths import DATA_DIR, shipped_corpus_file

__all__ = [
    "Field",
    "FIELDS",
    "FIELD_NAMES",
    "REQUIRED",
    "LIST_FIELDS",
    "GROUPS",
    "ACTOR_TYPES",
    "STANCES",
    "FRAMES",
    "SCOPES",
    "GENRES",
    "DATE_PRECISIONS",
    "DATE_SOURCES",
    "DATE_PATTERN",
    "URL_PATTERN",
    "LIST_PATTERN",
    "SLUG_PATTERN",
    "MAX_FIELD_BYTES",
    "MAX_FILE_BYTES",
    "countries",
    "field",
    "table_schema",
]

#: Groups, in the order used in every table and figure.
GROUPS: tuple[str, ...] = ("civil_society", "industry", "state")

ACTOR_TYPES: tuple[str, ...] = (
    "regulator",
    "government",
    "legislature",
    "judiciary",
    "religious_body",
    "political_party",
    "ngo",
    "activist",
    "journalist_body",
    "international_org",
    "academic",
    "industry_association",
    "company",
    "vpn_provider",
    "isp_telecom",
)

#: Stance codes, ordered from most to least restrictive, then neutral.
STANCES: tuple[str, ...] = (
    "supports_restriction",
    "conditional",
    "opposes_restriction",
    "neutral",
)

FRAMES: tuple[str, ...] = (
    "security",
    "morality_religion",
    "economy",
    "rights",
    "legality_governance",
    "technical",
    "child_safety",
    "politics",
)

#: What a statement is about: VPNs themselves, or only the blocking they get around.
SCOPES: tuple[str, ...] = ("vpn", "circumvention_context")

#: Kinds of document a statement was made in (or is reported from); see the codebook.
GENRES: tuple[str, ...] = (
    "press_release",
    "official_statement",
    "regulation_or_notice",
    "court_ruling",
    "parliamentary",
    "interview",
    "report",
    "news_report",
    "social_media",
)

DATE_PRECISIONS: tuple[str, ...] = ("day", "month")
DATE_SOURCES: tuple[str, ...] = ("statement", "report")

#: Largest size of one field, in bytes of UTF-8.
MAX_FIELD_BYTES = 1_000_000
#: Default largest size of one corpus file, in bytes (``max_bytes=`` / ``--max-bytes``).
MAX_FILE_BYTES = 100_000_000

# Patterns are matched against the whole value; they use ASCII classes only ([0-9], not
# \d), so full-width or Arabic-Indic digits are not read as a date.
DATE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?$"
URL_PATTERN = r"^https?://[^\s/?#]+\.[^\s/?#]+([/?#]\S*)?$"
LIST_PATTERN = r"^[^;]+(;[^;]+)*$"
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


@cache
def countries() -> dict[str, str]:
    """Return the allowed country codes and their names (ISO 3166-1 alpha-2, EU, XX).

    Examples
    --------
    >>> countries()["PK"]
    'Pakistan'
    """
    with open(DATA_DIR / "countries.tsv", encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {row["code"]: row["name"] for row in rows}


def _country_codes() -> tuple[str, ...]:
    return tuple(sorted(countries()))


@dataclass(frozen=True)
class Field:
    """One field of a corpus, declared once.

    Attributes
    ----------
    name : str
        Column name (CSV header, JSON key, front-matter key).
    description : str
        Its meaning, as written into ``datapackage.json``.
    required : bool
        Every statement of any corpus must give a value.
    shipped_required : bool
        Every row of the shipped ``statements.csv`` gives a value (a Frictionless
        ``required`` constraint there).
    kind : str
        How the typed table holds it: ``"text"`` (str), ``"category"`` (categorical),
        ``"date"`` (``datetime64``) or ``"list"`` (a list of str; in a file, items joined by
        ``;``, or a JSON/YAML list of strings).
    codes : tuple of str or callable, optional
        The allowed values (of each item, for a list), in table order; a callable returning
        them for long code lists.
    categories : str
        For ``kind="category"``: ``"codes"`` (all allowed codes, in order) or
        ``"observed"`` (only the codes present, sorted).
    pattern : str, optional
        A regular expression every value (every item, for a list) must match in full.
    shipped_pattern : str, optional
        A stricter pattern the shipped corpus meets (datapackage only).
    hint : str
        What to write instead, added to a message when a value breaks the pattern.
    unique : bool
        No two statements share a value.
    default : str, optional
        How an empty value is filled: ``"slug:FIELD"`` (a lower-case ASCII slug of
        ``FIELD``), ``"copy:FIELD"`` (the value of ``FIELD``) or ``"precision:FIELD"`` (the
        precision of the date ``FIELD``).
    """

    name: str
    description: str
    required: bool = False
    shipped_required: bool = False
    kind: str = "text"
    codes: tuple[str, ...] | Callable[[], tuple[str, ...]] | None = None
    categories: str = "codes"
    pattern: str | None = None
    shipped_pattern: str | None = None
    hint: str = ""
    unique: bool = False
    default: str | None = None

    def allowed(self) -> tuple[str, ...] | None:
        """Return the allowed codes (or None if any value that meets the pattern is fine).

        Examples
        --------
        >>> field("group").allowed()
        ('civil_society', 'industry', 'state')
        """
        return self.codes() if callable(self.codes) else self.codes

    def matches(self, value: str) -> bool:
        """Return True if ``value`` (one item, for a list field) meets the pattern.

        Examples
        --------
        >>> field("date").matches("2024-11"), field("date").matches("2024-13-01")
        (True, False)
        """
        return self.pattern is None or re.fullmatch(self.pattern, value) is not None


FIELDS: tuple[Field, ...] = (
    Field("id", "Stable id of the statement (register id in the shipped corpus).",
          required=True, shipped_required=True, pattern=r"^\S+$",
          shipped_pattern=r"^[a-z]{2}-[0-9]{8}-[a-z0-9-]+$", unique=True,
          hint="use letters, digits, '-', '_' or '.', without spaces"),
    Field("date", "Date of the statement, YYYY-MM-DD, or YYYY-MM if only the month is known.",
          required=True, shipped_required=True, kind="date", pattern=DATE_PATTERN,
          hint="write YYYY-MM-DD, or YYYY-MM if only the month is known"),
    Field("date_precision", "'day' or 'month'; derived from `date` if absent.",
          shipped_required=True, kind="category", codes=DATE_PRECISIONS,
          default="precision:date"),
    Field("date_source", "'statement' (the source dates the statement) or 'report' (only the "
          "report's date is known).", shipped_required=True, kind="category",
          codes=DATE_SOURCES),
    Field("actor", "Who made the statement: organisation, or person with role.",
          required=True, shipped_required=True),
    Field("org_id", "Stable slug of the organisation that made the statement (a minister "
          "speaking for a ministry shares its org_id; see the codebook). If empty, the loader "
          "derives it from `actor` (a lower-case ASCII slug).", pattern=SLUG_PATTERN,
          hint="write a lower-case slug of letters and digits joined by '-', such as "
          "pakistan-telecommunication-authority", default="slug:actor",
          shipped_required=True),
    Field("org", "Canonical name of the organisation that made the statement; `actor` if "
          "empty.", default="copy:actor", shipped_required=True),
    Field("group", "civil_society, industry or state.", required=True, shipped_required=True,
          kind="category", codes=GROUPS),
    Field("actor_type", "Finer type of actor (see the codebook).", shipped_required=True,
          kind="category", codes=ACTOR_TYPES),
    Field("country", "ISO 3166-1 alpha-2 code of the jurisdiction; EU for EU-level, XX for "
          "global statements.", shipped_required=True, kind="category", codes=_country_codes,
          categories="observed", hint="use an ISO 3166-1 alpha-2 code such as PK or GB, EU for "
          "EU-level or XX for global statements"),
    Field("language", "ISO 639-1 code of the language of the original.",
          shipped_required=True, pattern=r"^[a-z]{2}$",
          hint="use an ISO 639-1 code: two lowercase letters such as en or ur"),
    Field("publisher", "Who published the source page.", shipped_required=True),
    Field("source_url", "Public http(s) address where the statement is reported.",
          shipped_required=True, pattern=URL_PATTERN,
          hint="write a full http:// or https:// URL without spaces"),
    Field("genre", "Kind of document the statement was made in or is reported from: "
          + ", ".join(GENRES) + " (see the codebook).", kind="category", codes=GENRES,
          shipped_required=True),
    Field("scope", "vpn: the statement is about VPNs or other circumvention tools; "
          "circumvention_context: it is about the blocking, shutdown or slowdown that VPNs get "
          "around, without addressing VPNs.", kind="category", codes=SCOPES,
          shipped_required=True),
    Field("stance", "Position toward restricting VPN use (see the codebook).",
          shipped_required=True, kind="category", codes=STANCES),
    Field("frames", "Frame codes joined by ';' (see the codebook); empty for a statement that "
          "gives no reasons.", kind="list", codes=FRAMES),
    Field("key_terms", "Terms the actor used, joined by ';'.", kind="list"),
    Field("text", "The statement, paraphrased in reported speech, in English.",
          required=True, shipped_required=True),
    Field("notes", "Anything a later reader must know; recoding decisions."),
)

FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
REQUIRED: tuple[str, ...] = tuple(f.name for f in FIELDS if f.required)
LIST_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.kind == "list")
_BY_NAME = {f.name: f for f in FIELDS}


def field(name: str) -> Field:
    """Return the declaration of one field.

    Examples
    --------
    >>> field("stance").codes[0]
    'supports_restriction'
    """
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no field '{name}'; fields are {', '.join(FIELD_NAMES)}") from None


def _frictionless_field(fld: Field) -> dict:
    constraints: dict = {"required": fld.shipped_required}
    codes = fld.allowed()
    if fld.kind == "list" and codes:
        item = "(" + "|".join(re.escape(c) for c in codes) + ")"
        constraints["pattern"] = f"^{item}(;{item})*$"
    elif fld.kind == "list":
        constraints["pattern"] = LIST_PATTERN
    else:
        if codes:
            constraints["enum"] = list(codes)
        pattern = fld.shipped_pattern or fld.pattern
        if pattern:
            constraints["pattern"] = pattern
    if fld.unique:
        constraints["unique"] = True
    return {"name": fld.name, "type": "string", "description": fld.description,
            "constraints": constraints}


def _shipped_header() -> list[str]:
    with open(shipped_corpus_file(), encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


def table_schema(columns: Sequence[str] | None = None) -> dict:
    """Return the Frictionless Table Schema of a corpus table, derived from :data:`FIELDS`.

    Parameters
    ----------
    columns : sequence of str, optional
        The table's columns, in file order (Frictionless matches fields to the header by
        position). Default: the header of the shipped ``statements.csv``.

    Every field is typed ``string`` (a date may be ``YYYY-MM``); codes become ``enum``
    constraints, list fields a ``pattern`` over their ``;``-joined items, and ``required``
    states what the shipped corpus fills (a user corpus needs only :data:`REQUIRED`).

    Examples
    --------
    >>> schema = table_schema(["id", "group"])
    >>> schema["fields"][1]["constraints"]["enum"]
    ['civil_society', 'industry', 'state']
    """
    names = list(_shipped_header() if columns is None else columns)
    unknown = [n for n in names if n not in _BY_NAME]
    if unknown:
        raise ValueError(f"columns not in the schema: {', '.join(unknown)}; declare them in "
                         "discourse.schema.FIELDS first")
    fields = [_frictionless_field(_BY_NAME[n]) for n in names]
    return {"fields": fields, "primaryKey": ["id"], "missingValues": [""]}
