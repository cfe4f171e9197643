"""The corpus schema: fields, codes and allowed values, in one place."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from .paths import DATA_DIR

__all__ = [
    "Field",
    "FIELDS",
    "FIELD_NAMES",
    "REQUIRED",
    "GROUPS",
    "ACTOR_TYPES",
    "STANCES",
    "FRAMES",
    "DATE_PRECISIONS",
    "DATE_SOURCES",
    "countries",
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

DATE_PRECISIONS: tuple[str, ...] = ("day", "month")
DATE_SOURCES: tuple[str, ...] = ("statement", "report")

#: Largest size of one field, in bytes of UTF-8.
MAX_FIELD_BYTES = 1_000_000


@dataclass(frozen=True)
class Field:
    """One column of a corpus: its name, whether a user corpus must have it, its meaning."""

    name: str
    required: bool
    type: str
    description: str


FIELDS: tuple[Field, ...] = (
    Field("id", True, "string", "Stable id of the statement (register id in the shipped corpus)."),
    Field("date", True, "string", "Date of the statement, YYYY-MM-DD, or YYYY-MM if only the "
          "month is known."),
    Field("date_precision", False, "string", "'day' or 'month'; derived from `date` if absent."),
    Field("date_source", False, "string", "'statement' (the source dates the statement) or "
          "'report' (only the report's date is known)."),
    Field("actor", True, "string", "Who made the statement: organisation, or person with role."),
    Field("group", True, "string", "civil_society, industry or state."),
    Field("actor_type", False, "string", "Finer type of actor (see the codebook)."),
    Field("country", False, "string", "ISO 3166-1 alpha-2 code of the jurisdiction; EU for "
          "EU-level, XX for global statements."),
    Field("language", False, "string", "ISO 639-1 code of the language of the original."),
    Field("publisher", False, "string", "Who published the source page."),
    Field("source_url", False, "string", "Public http(s) address where the statement is reported."),
    Field("stance", False, "string", "Position toward restricting VPN use (see the codebook)."),
    Field("frames", False, "string", "Frame codes joined by ';' (see the codebook)."),
    Field("key_terms", False, "string", "Terms the actor used, joined by ';'."),
    Field("text", True, "string", "The statement, paraphrased in reported speech, in English."),
    Field("notes", False, "string", "Anything a later reader must know; recoding decisions."),
    Field("org_id", False, "string", "Stable slug of the organisation that made the statement "
          "(a minister speaking for a ministry shares its org_id; see the codebook)."),
    Field("org", False, "string", "Canonical name of the organisation."),
    Field("scope", False, "string", "vpn: the statement is about VPNs or other circumvention "
          "tools; circumvention_context: it is about the blocking, shutdown or slowdown that "
          "VPNs get around, without addressing VPNs."),
)

FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
REQUIRED: tuple[str, ...] = tuple(f.name for f in FIELDS if f.required)


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


DATE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?$"
URL_PATTERN = r"^https?://[^\s/$.?#][^\s]*$"
LIST_PATTERN = r"^[^;]+(;[^;]+)*$"


def table_schema() -> dict:
    """Return the Frictionless Table Schema of the shipped ``statements.csv``.

    In the shipped corpus every column but `notes`, `key_terms` and `frames` is filled, so
    those are required there, although a user corpus needs only the fields in
    :data:`REQUIRED`. (A statement that gives no reasons has no frames.)
    """
    enums = {
        "group": list(GROUPS),
        "actor_type": list(ACTOR_TYPES),
        "stance": list(STANCES),
        "date_precision": list(DATE_PRECISIONS),
        "date_source": list(DATE_SOURCES),
        "country": sorted(countries()),
    }
    patterns = {
        "id": r"^[a-z]{2}-[0-9]{8}-[a-z0-9-]+$",
        "date": DATE_PATTERN,
        "language": r"^[a-z]{2}$",
        "source_url": URL_PATTERN,
        "frames": r"^(" + "|".join(FRAMES) + r")(;(" + "|".join(FRAMES) + r"))*$",
        "key_terms": LIST_PATTERN,
    }
    fields = []
    for field in FIELDS:
        constraints: dict = {"required": field.name not in ("notes", "key_terms", "frames")}
        if field.name in enums:
            constraints["enum"] = enums[field.name]
        if field.name in patterns:
            constraints["pattern"] = patterns[field.name]
        if field.name == "id":
            constraints["unique"] = True
        if field.name == "text":
            constraints["minLength"] = 1
        fields.append(
            {
                "name": field.name,
                "type": field.type,
                "description": field.description,
                "constraints": constraints,
            }
        )
    return {"fields": fields, "primaryKey": ["id"], "missingValues": [""]}
