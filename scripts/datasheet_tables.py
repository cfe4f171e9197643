"""Compute every count table of the corpus datasheet (corpus/README.md) from the data.

Usage::

    python scripts/datasheet_tables.py            # print every table as Markdown
    python scripts/datasheet_tables.py --check    # exit 1 if the README's tables are stale
    python scripts/datasheet_tables.py --write    # replace the tables in corpus/README.md

Each table sits in the README between two marker comments, ``<!-- table:NAME -->`` and
``<!-- /table:NAME -->``; ``--write`` replaces what lies between them and leaves the prose
alone. ``tests/test_corpus_data.py`` imports this file (with importlib, from ``scripts/``)
and fails if a table in the README differs from what these functions compute, so a count
in the datasheet cannot go stale silently.

Inputs: the shipped corpus (``discourse.load_corpus()``), the project's research records
(``corpus/research/2*.jsonl``: the rows added after the register) and the second reviewer's
verdicts on them (``corpus/research/second_check.jsonl``). A row whose id has no research
record is one of the rows built from the research register. Every function is pure: it
takes tables and returns Markdown text; ties are broken by name, so output is the same on
every machine.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from discourse import load_corpus, schema

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "corpus"
README = CORPUS_DIR / "README.md"
RESEARCH = CORPUS_DIR / "research"
SECOND_CHECK = RESEARCH / "second_check.jsonl"

#: Labels of the two origins of a row.
REGISTER = "register"
RESEARCH_RECORDS = "research records"

#: The issue's coverage targets.
MIN_ROWS = 600
MIN_GROUP_ROWS = 150
YEARS = range(2016, 2027)
MIN_CELL = 8
MIN_NEUTRAL = 60
MIN_CONDITIONAL = 90
MIN_JURISDICTION_ROWS = 8
MIN_JURISDICTIONS = 20
MAX_PAKISTAN_SHARE = 0.30
MIN_GENRE_ROWS = 30
MIN_GENRES = 5

COUNTRY_NAMES = {
    "AE": "United Arab Emirates", "AU": "Australia", "AZ": "Azerbaijan", "BD": "Bangladesh",
    "BI": "Burundi", "BR": "Brazil", "BY": "Belarus", "CA": "Canada", "CM": "Cameroon",
    "CN": "China", "CU": "Cuba", "DE": "Germany", "EG": "Egypt", "ES": "Spain",
    "ET": "Ethiopia", "EU": "European Union (EU-level)", "FR": "France",
    "GB": "United Kingdom", "HK": "Hong Kong", "ID": "Indonesia", "IN": "India",
    "IQ": "Iraq", "IR": "Iran", "IT": "Italy", "JP": "Japan", "KR": "South Korea",
    "KZ": "Kazakhstan", "LK": "Sri Lanka", "MM": "Myanmar", "MZ": "Mozambique",
    "NG": "Nigeria", "NL": "Netherlands", "NP": "Nepal", "OM": "Oman", "PK": "Pakistan",
    "RU": "Russia", "SA": "Saudi Arabia", "SD": "Sudan", "SN": "Senegal", "TD": "Chad",
    "TG": "Togo", "TM": "Turkmenistan", "TR": "Turkey", "TZ": "Tanzania", "UG": "Uganda",
    "US": "United States", "VE": "Venezuela", "VN": "Vietnam",
    "XX": "global (no single jurisdiction)", "ZM": "Zambia", "ZW": "Zimbabwe",
}

LANGUAGE_NAMES = {
    "am": "Amharic", "ar": "Arabic", "de": "German", "en": "English", "es": "Spanish",
    "fa": "Persian", "fr": "French", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "ko": "Korean", "my": "Burmese", "ne": "Nepali", "nl": "Dutch", "pt": "Portuguese",
    "ru": "Russian", "sw": "Swahili", "tk": "Turkmen", "tr": "Turkish", "ur": "Urdu",
    "vi": "Vietnamese", "zh": "Chinese",
}

#: What kind of field a second-check change touched, in the order the table shows them.
CHANGE_KINDS: dict[str, str] = {
    "stance": "code", "frames": "code", "group": "code", "actor_type": "code",
    "genre": "code", "date": "fact", "date_source": "fact", "actor": "fact",
    "country": "fact", "language": "fact", "source_url": "source", "publisher": "source",
    "claims": "wording", "key_terms": "wording", "notes": "wording",
}

#: Words in a publisher field that describe the page as a secondary copy or report.
SECONDARY_PUBLISHER = re.compile(
    r"cop(?:y|ies)|mirror|repost|digest|citing|quoting|reproduc|syndicat|via\b", re.I)


# --------------------------------------------------------------------------- inputs

def read_jsonl(path: Path) -> list[dict]:
    """Read a JSON Lines file; a bad line raises ``ValueError`` naming file and line."""
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}:{number}: not valid JSON ({err.msg}); fix the line") from err
    return records


def read_research(folder: Path = RESEARCH) -> pd.DataFrame:
    """The project's research records (one row per record) with the batch they came from."""
    rows = []
    for path in sorted(folder.glob("2*.jsonl")):
        for record in read_jsonl(path):
            rows.append({**record, "batch": path.stem})
    return pd.DataFrame(rows)


def read_second_check(path: Path = SECOND_CHECK) -> pd.DataFrame:
    """The second reviewer's verdicts: id, batch, verdict, changes, reason."""
    frame = pd.DataFrame(read_jsonl(path))
    bad = frame.loc[~frame["verdict"].isin(["confirmed", "corrected", "dropped"]), "id"]
    if len(bad):
        raise ValueError(f"{path}: unknown verdict for {bad.tolist()}; "
                         "use confirmed, corrected or dropped")
    return frame


def with_origin(corpus: pd.DataFrame, research: pd.DataFrame) -> pd.DataFrame:
    """Add ``origin``: research records for ids that have one, else the register."""
    new = set(research["id"]) if len(research) else set()
    out = corpus.copy()
    out["origin"] = out["id"].map(lambda ident: RESEARCH_RECORDS if ident in new else REGISTER)
    return out


# --------------------------------------------------------------------------- helpers

def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}" if whole else "–"


def _md(header: Iterable[str], rows: Iterable[Iterable[object]], align: str) -> str:
    """A Markdown table; ``align`` has one letter per column: l (left) or r (right)."""
    header = list(header)
    marks = {"l": "---", "r": "---:"}
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(marks[a] for a in align) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _groups() -> list[str]:
    return list(schema.GROUPS)


def _crosstab(corpus: pd.DataFrame, index: str, order: Iterable[str], first: str,
              share: bool = False) -> str:
    """Rows by ``index`` x group, with totals (and the share of all rows)."""
    groups = _groups()
    table = pd.crosstab(corpus[index].astype(str), corpus["group"].astype(str))
    table = table.reindex(index=list(order), columns=groups, fill_value=0)
    header = [first] + [f"`{g}`" for g in groups] + ["total"] + (["%"] if share else [])
    rows = []
    for key, counts in table.iterrows():
        row = [f"`{key}`", *counts.tolist(), int(counts.sum())]
        rows.append(row + ([_pct(counts.sum(), len(corpus))] if share else []))
    totals = ["total", *table.sum().tolist(), int(table.to_numpy().sum())]
    rows.append(totals + (["100.0"] if share else []))
    return _md(header, rows, "l" + "r" * (len(header) - 1))


# --------------------------------------------------------------------------- tables

def table_overview(corpus: pd.DataFrame) -> str:
    """Headline counts: rows, origin, actors, organisations, scope, dates, words, codes."""
    origin = corpus["origin"].value_counts()
    orgs = corpus["org_id"].value_counts()
    several = orgs[orgs > 1]
    scope = corpus["scope"].astype(str).value_counts()
    countries = corpus["country"].astype(str)
    words = corpus["text"].str.split().str.len()
    terms = corpus["key_terms"].map(len)
    frames = corpus["frames"].map(len)
    n_countries = countries[~countries.isin(["EU", "XX"])].nunique()
    special = sorted(set(countries) & {"EU", "XX"})
    rows = [
        ("rows", f"{len(corpus)}: {int(origin.get(REGISTER, 0))} from the research register, "
                 f"{int(origin.get(RESEARCH_RECORDS, 0))} from the project's research records"),
        ("distinct actor strings", corpus["actor"].nunique()),
        ("organisations (`org_id`)",
         f"{len(orgs)} organisations ({int((orgs == 1).sum())} with one row; "
         f"{len(several)} with several, holding {int(several.sum())} rows)"),
        ("scope", f"{int(scope.get('vpn', 0))} rows are `vpn`, "
                  f"{int(scope.get('circumvention_context', 0))} rows are "
                  f"`circumvention_context` "
                  f"({_pct(scope.get('circumvention_context', 0), len(corpus))}%)"),
        ("genres", f"{corpus['genre'].nunique()} of {len(schema.GENRES)} codes used"),
        ("distinct publishers", corpus["publisher"].nunique()),
        ("jurisdictions", f"{countries.nunique()} codes: {n_countries} countries or territories"
                          + "".join(f", `{code}`" for code in special)),
        ("dates", f"{corpus['date'].min():%Y-%m-%d} to {corpus['date'].max():%Y-%m-%d}"),
        ("languages of the original statements", corpus["language"].nunique()),
        ("words per text", f"{words.min()} to {words.max()} (mean {words.mean():.1f}, "
                           f"median {words.median():g}; {words.sum():,} in all)"),
        ("key terms", f"{int(terms.sum())}, in {int((terms > 0).sum())} rows"),
        ("frame codes", f"{int(frames.sum())} ({frames.min()} to {frames.max()} per row, "
                        f"mean {frames.mean():.2f})"),
    ]
    return _md(["", ""], rows, "ll")


def targets(corpus: pd.DataFrame) -> pd.DataFrame:
    """The issue's coverage targets, what the corpus has, and whether each is met.

    Returns a table with columns ``target``, ``required``, ``actual``, ``met`` (bool) and
    ``short_by`` (how many statements or codes are missing; 0 when met).
    """
    n = len(corpus)
    groups = corpus["group"].astype(str).value_counts().reindex(_groups(), fill_value=0)
    cells = (pd.crosstab(corpus["date"].dt.year, corpus["group"].astype(str))
             .reindex(index=list(YEARS), columns=_groups(), fill_value=0))
    low = cells.stack()
    low = low[low < MIN_CELL]
    smallest = cells.stack().sort_values(kind="stable")
    small_year, small_group = smallest.index[0]
    stance = corpus["stance"].astype(str).value_counts()
    jurisdictions = corpus["country"].astype(str).value_counts()
    big = jurisdictions[jurisdictions >= MIN_JURISDICTION_ROWS]
    pakistan = int(jurisdictions.get("PK", 0))
    genre = corpus["genre"].astype("string")
    no_genre = int((genre.isna() | (genre.str.strip() == "")).sum())
    genres = genre.value_counts()
    big_genres = genres[genres >= MIN_GENRE_ROWS]
    rows = [
        ("statements", f">= {MIN_ROWS}", f"{n}", n >= MIN_ROWS, max(0, MIN_ROWS - n)),
        ("statements per group", f">= {MIN_GROUP_ROWS} each",
         ", ".join(f"{g} {groups[g]}" for g in _groups()),
         bool((groups >= MIN_GROUP_ROWS).all()),
         int((MIN_GROUP_ROWS - groups).clip(lower=0).sum())),
        (f"statements per group x year, {YEARS[0]}-{YEARS[-1]}",
         f">= {MIN_CELL} in each of {cells.size} cells",
         f"{cells.size - len(low)} of {cells.size} cells; smallest {int(smallest.iloc[0])} "
         f"({small_group} {small_year})",
         low.empty, int((MIN_CELL - low).sum())),
        ("`neutral` statements", f">= {MIN_NEUTRAL}", f"{int(stance.get('neutral', 0))}",
         stance.get("neutral", 0) >= MIN_NEUTRAL, max(0, MIN_NEUTRAL - stance.get("neutral", 0))),
        ("`conditional` statements", f">= {MIN_CONDITIONAL}",
         f"{int(stance.get('conditional', 0))}",
         stance.get("conditional", 0) >= MIN_CONDITIONAL,
         max(0, MIN_CONDITIONAL - int(stance.get("conditional", 0)))),
        (f"jurisdictions (countries, `EU` or `XX`) with >= {MIN_JURISDICTION_ROWS} statements",
         f">= {MIN_JURISDICTIONS}", f"{len(big)}", len(big) >= MIN_JURISDICTIONS,
         max(0, MIN_JURISDICTIONS - len(big))),
        ("share of rows about Pakistan", f"<= {100 * MAX_PAKISTAN_SHARE:.0f}%",
         f"{_pct(pakistan, n)}% ({pakistan} rows)", pakistan <= MAX_PAKISTAN_SHARE * n,
         max(0, pakistan - int(MAX_PAKISTAN_SHARE * n))),
        ("rows with a `genre`", f"all {n}", f"{n - no_genre}", no_genre == 0, no_genre),
        (f"genres with >= {MIN_GENRE_ROWS} rows", f">= {MIN_GENRES}", f"{len(big_genres)}",
         len(big_genres) >= MIN_GENRES, max(0, MIN_GENRES - len(big_genres))),
    ]
    frame = pd.DataFrame(rows, columns=["target", "required", "actual", "met", "short_by"])
    frame["met"] = frame["met"].astype(bool)
    frame["short_by"] = frame["short_by"].astype(int)
    return frame


def table_targets(corpus: pd.DataFrame) -> str:
    """The targets as Markdown, with every shortfall named."""
    frame = targets(corpus)
    rows = [(row.target, row.required, row.actual,
             "yes" if row.met else f"**no**, short by {row.short_by}")
            for row in frame.itertuples()]
    met = int(frame["met"].sum())
    return (_md(["target", "required", "in the corpus", "met"], rows, "llll")
            + f"\n\n{met} of {len(frame)} targets are met.")


def table_group_year(corpus: pd.DataFrame) -> str:
    """Rows by year of ``date`` and group."""
    years = corpus["date"].dt.year.astype(str).rename("year")
    frame = corpus.assign(year=years)
    order = sorted(frame["year"].unique())
    text = _crosstab(frame, "year", order, "year")
    # years are not codes: drop the backticks the generic table puts around keys
    return re.sub(r"^\| `(\d{4})` \|", r"| \1 |", text, flags=re.M)


def table_stance(corpus: pd.DataFrame) -> str:
    """Rows by stance and group, with the share of all rows."""
    return _crosstab(corpus, "stance", schema.STANCES, "stance", share=True)


def table_stance_origin(corpus: pd.DataFrame) -> str:
    """Rows by stance and origin (register rows and research-record rows)."""
    table = pd.crosstab(corpus["stance"].astype(str), corpus["origin"])
    table = table.reindex(index=list(schema.STANCES), columns=[REGISTER, RESEARCH_RECORDS],
                          fill_value=0)
    rows = [(f"`{key}`", *counts.tolist(), int(counts.sum()))
            for key, counts in table.iterrows()]
    rows.append(("total", *table.sum().tolist(), int(table.to_numpy().sum())))
    return _md(["stance", "from the register", "from the research records", "total"], rows,
               "lrrr")


def table_conditional(corpus: pd.DataFrame) -> str:
    """Who made the `conditional` statements: actor types with at least one, by group."""
    cond = corpus[corpus["stance"].astype(str) == "conditional"]
    types = [t for t in schema.ACTOR_TYPES if (cond["actor_type"].astype(str) == t).any()]
    groups = corpus["group"].astype(str).value_counts()
    shares = cond["group"].astype(str).value_counts()
    text = _crosstab(cond, "actor_type", types, "actor_type")
    by_origin = pd.crosstab(cond["origin"], cond["group"].astype(str)).reindex(
        index=[REGISTER, RESEARCH_RECORDS], columns=_groups(), fill_value=0)
    origin = "; ".join(
        f"from the {label}: " + ", ".join(f"{by_origin.loc[o, g]} `{g}`" for g in _groups())
        for o, label in [(REGISTER, "register"), (RESEARCH_RECORDS, "research records")])
    share = ", ".join(f"{int(shares.get(g, 0))} of {int(groups.get(g, 0))} `{g}` rows "
                      f"({_pct(shares.get(g, 0), groups.get(g, 0))}%)" for g in _groups())
    return text + f"\n\n`conditional` is {share}. By origin, {origin}."


def table_pakistan(corpus: pd.DataFrame) -> str:
    """How much of the corpus, and of its busiest months, is about Pakistan."""
    pk = corpus["country"].astype(str) == "PK"
    year = corpus["date"].dt.year
    peak = int(year.value_counts().sort_index(kind="stable").idxmax())
    month = corpus["date"].dt.strftime("%Y-%m")
    busiest = sorted(month.value_counts().items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    rows = []
    for label, mask in [("all rows", pd.Series(True, index=corpus.index)),
                        ("rows from the register", corpus["origin"] == REGISTER),
                        ("rows from the research records", corpus["origin"] == RESEARCH_RECORDS),
                        (f"rows dated {peak} (the year with most rows)", year == peak),
                        (f"rows dated {busiest} (the month with most rows)", month == busiest)]:
        rows.append((label, int((pk & mask).sum()), int(mask.sum()),
                     _pct((pk & mask).sum(), mask.sum())))
    return _md(["", "about Pakistan", "rows", "%"], rows, "lrrr")


def table_actor_type(corpus: pd.DataFrame) -> str:
    """Rows by actor type and group."""
    return _crosstab(corpus, "actor_type", schema.ACTOR_TYPES, "actor_type")


def table_countries(corpus: pd.DataFrame) -> str:
    """Jurisdictions with at least MIN_JURISDICTION_ROWS rows, and the others in one line."""
    counts = corpus["country"].astype(str).value_counts()
    order = sorted(counts.index, key=lambda code: (-counts[code], code))
    missing = [code for code in order if code not in COUNTRY_NAMES]
    if missing:
        raise KeyError(f"no name for jurisdiction code(s) {missing}: add them to "
                       "COUNTRY_NAMES in scripts/datasheet_tables.py")
    big = [code for code in order if counts[code] >= MIN_JURISDICTION_ROWS]
    rest = [code for code in order if counts[code] < MIN_JURISDICTION_ROWS]
    rows = [(f"`{code}`", COUNTRY_NAMES[code], counts[code], _pct(counts[code], len(corpus)))
            for code in big]
    text = _md(["code", "jurisdiction", "rows", "%"], rows, "llrr")
    rest_rows = int(counts[rest].sum())
    listed = ", ".join(f"{COUNTRY_NAMES[code]} {counts[code]}" for code in rest)
    return (text + f"\n\nThe other {len(rest)} jurisdictions hold {rest_rows} rows "
            f"({_pct(rest_rows, len(corpus))}%): {listed}.")


def table_genre(corpus: pd.DataFrame) -> str:
    """Rows by genre and group, with the share of all rows."""
    return _crosstab(corpus, "genre", schema.GENRES, "genre", share=True)


def table_scope(corpus: pd.DataFrame) -> str:
    """Rows by scope and origin, and where the circumvention-context rows come from."""
    table = pd.crosstab(corpus["scope"].astype(str), corpus["origin"])
    table = table.reindex(index=list(schema.SCOPES), columns=[REGISTER, RESEARCH_RECORDS],
                          fill_value=0)
    rows = []
    for key, counts in table.iterrows():
        rows.append((f"`{key}`", *counts.tolist(), int(counts.sum()),
                     _pct(counts.sum(), len(corpus))))
    rows.append(("total", *table.sum().tolist(), int(table.to_numpy().sum()), "100.0"))
    text = _md(["scope", "from the register", "from the research records", "total", "%"],
               rows, "lrrrr")
    context = corpus[corpus["scope"].astype(str) == "circumvention_context"]
    by_country = context["country"].astype(str).value_counts()
    top = sorted(by_country.index, key=lambda code: (-by_country[code], code))[:5]
    stance = context["stance"].astype(str).value_counts()
    return (text + f"\n\nOf the {len(context)} `circumvention_context` rows, "
            + ", ".join(f"{by_country[c]} are about {COUNTRY_NAMES[c]}" for c in top)
            + f" (the rest are spread over {by_country.size - len(top)} other jurisdictions); "
            + "by stance they are "
            + ", ".join(f"{int(stance.get(s, 0))} `{s}`" for s in schema.STANCES) + ".")


def table_organisations(corpus: pd.DataFrame, top: int = 10) -> str:
    """The organisations with most rows (ties by ``org_id``)."""
    counts = corpus.groupby("org_id").agg(rows=("id", "size"), org=("org", "first"),
                                          actors=("actor", "nunique"))
    counts = counts.reset_index().sort_values(["rows", "org_id"], ascending=[False, True],
                                              kind="stable")
    rows = [(f"`{r.org_id}`", r.org, r.rows, r.actors) for r in counts.head(top).itertuples()]
    return _md(["org_id", "organisation", "rows", "`actor` spellings"], rows, "llrr")


def table_frames(corpus: pd.DataFrame) -> str:
    """Rows using each frame, by group (a row can use several frames)."""
    groups = _groups()
    sizes = corpus["group"].astype(str).value_counts()
    long = corpus[["id", "group", "frames"]].explode("frames").dropna(subset=["frames"])
    table = (pd.crosstab(long["frames"], long["group"].astype(str))
             .reindex(index=list(schema.FRAMES), columns=groups, fill_value=0))
    rows = []
    for frame, counts in table.iterrows():
        cells = [f"{counts[g]} ({100 * counts[g] / sizes[g]:.0f}%)" for g in groups]
        rows.append((f"`{frame}`", *cells, int(counts.sum()),
                     _pct(counts.sum(), len(corpus))))
    per_row = corpus["frames"].map(len).value_counts().sort_index()
    text = _md(["frame", *[f"`{g}`" for g in groups], "rows", "% of all rows"], rows,
               "l" + "r" * (len(groups) + 2))
    return text + "\n\nFrames per row: " + ", ".join(
        f"{k} frame{'s' if k != 1 else ''} in {v} rows" for k, v in per_row.items()) + "."


def table_frames_stance(corpus: pd.DataFrame) -> str:
    """Rows using each frame, by stance."""
    long = corpus[["id", "stance", "frames"]].explode("frames").dropna(subset=["frames"])
    table = (pd.crosstab(long["frames"], long["stance"].astype(str))
             .reindex(index=list(schema.FRAMES), columns=list(schema.STANCES), fill_value=0))
    rows = [(f"`{frame}`", *counts.tolist(), int(counts.sum()))
            for frame, counts in table.iterrows()]
    return _md(["frame", *[f"`{s}`" for s in schema.STANCES], "rows with frame"], rows,
               "l" + "r" * (len(schema.STANCES) + 1))


def table_dates(corpus: pd.DataFrame) -> str:
    """Rows by date precision and date source."""
    table = pd.crosstab(corpus["date_precision"].astype(str), corpus["date_source"].astype(str))
    table = table.reindex(index=list(schema.DATE_PRECISIONS), columns=list(schema.DATE_SOURCES),
                          fill_value=0)
    rows = [(f"`{key}`", *counts.tolist(), int(counts.sum())) for key, counts in table.iterrows()]
    rows.append(("total", *table.sum().tolist(), int(table.to_numpy().sum())))
    n = len(corpus)
    month = int(table.loc["month"].sum())
    report = int(table["report"].sum())
    both = int(table.loc["month", "report"])
    return (_md(["", "`statement`", "`report`", "total"], rows, "lrrr")
            + f"\n\nSo {month} dates ({_pct(month, n)}%) are known only to the month, "
            f"{report} ({_pct(report, n)}%) rest on the report's date rather than the "
            f"statement's, and {both} ({_pct(both, n)}%) are both.")


def table_languages(corpus: pd.DataFrame) -> str:
    """Rows by the language the statement was made in."""
    counts = corpus["language"].value_counts()
    order = sorted(counts.index, key=lambda code: (-counts[code], code))
    missing = [code for code in order if code not in LANGUAGE_NAMES]
    if missing:
        raise KeyError(f"no name for language code(s) {missing}: add them to "
                       "LANGUAGE_NAMES in scripts/datasheet_tables.py")
    rows = [(f"{LANGUAGE_NAMES[c]} (`{c}`)", counts[c], _pct(counts[c], len(corpus)))
            for c in order]
    return _md(["language", "rows", "%"], rows, "lrr")


def table_words(corpus: pd.DataFrame) -> str:
    """Words per text, by origin and in all."""
    words = corpus["text"].str.split().str.len()
    parts = [(REGISTER, words[corpus["origin"] == REGISTER]),
             (RESEARCH_RECORDS, words[corpus["origin"] == RESEARCH_RECORDS]),
             ("all", words)]
    rows = [(label, len(w), w.min(), f"{w.quantile(0.25):g}", f"{w.median():g}",
             f"{w.mean():.1f}", f"{w.quantile(0.75):g}", w.max(), f"{w.sum():,}")
            for label, w in parts if len(w)]
    return _md(["rows from", "texts", "min", "25%", "median", "mean", "75%", "max", "words"],
               rows, "lrrrrrrrr")


def table_second_check(checks: pd.DataFrame) -> str:
    """Second-check verdicts by research batch."""
    verdicts = ["confirmed", "corrected", "dropped"]
    table = pd.crosstab(checks["batch"], checks["verdict"]).reindex(columns=verdicts,
                                                                     fill_value=0)
    table = table.sort_index()
    rows = [(f"`{batch}`", *counts.tolist(), int(counts.sum()))
            for batch, counts in table.iterrows()]
    rows.append(("total", *table.sum().tolist(), int(table.to_numpy().sum())))
    corrected = checks[checks["verdict"] == "corrected"]
    per_record = corrected["changes"].map(len).value_counts().sort_index()
    text = _md(["batch", "confirmed", "corrected", "dropped", "records"], rows, "lrrrr")
    return text + ("\n\nA corrected record had "
                   + ", ".join(f"{k} field{'s' if k != 1 else ''} changed in {v} records"
                               for k, v in per_record.items()) + ".")


def second_check_fields(checks: pd.DataFrame) -> pd.DataFrame:
    """How many records the second check changed in each field (0 where none).

    Returns a table with columns ``field``, ``kind`` (code, fact, source, wording or other)
    and ``records``, in the order of ``CHANGE_KINDS`` and then by field name.
    """
    counts: dict[str, int] = {}
    for changes in checks["changes"]:
        for field in changes:
            counts[field] = counts.get(field, 0) + 1
    fields = list(CHANGE_KINDS) + sorted(set(counts) - set(CHANGE_KINDS))
    return pd.DataFrame({"field": fields,
                         "kind": [CHANGE_KINDS.get(f, "other") for f in fields],
                         "records": [counts.get(f, 0) for f in fields]})


def table_second_check_fields(checks: pd.DataFrame) -> str:
    """The fields the second check changed, with how many records each."""
    frame = second_check_fields(checks)
    rows = [(f"`{r.field}`", r.kind, r.records) for r in frame.itertuples()]
    kinds = frame.groupby("kind", sort=False)["records"].sum()
    changed = int(checks["changes"].map(bool).sum())
    emptied = {field: int(checks["changes"].map(lambda c, f=field: c.get(f, None) == []).sum())
               for field in ("key_terms", "frames")}
    return (_md(["field", "kind", "records changed"], rows, "llr")
            + f"\n\n{changed} records had at least one field changed; field changes by kind: "
            + ", ".join(f"{k} {v}" for k, v in kinds.items()) + ". "
            + f"{emptied['key_terms']} of the `key_terms` changes emptied the list "
            f"and {emptied['frames']} of the `frames` "
            "changes left the record with no frame.")


def table_provenance(corpus: pd.DataFrame, research: pd.DataFrame) -> str:
    """What the research records' ``checked`` field and the publisher fields say of the pages."""
    checked = research["checked"].fillna("").str.lower()
    secondary = corpus["publisher"].str.contains(SECONDARY_PUBLISHER)
    rows = [
        ("research records whose `checked` refers to an excerpt of the page (the search "
         "tool's stored text)",
         int(checked.str.contains("excerpt").sum()), len(research)),
        ("research records whose `checked` names a mirror, copy or rewrite of the page",
         int(checked.str.contains(r"mirror|cop(?:y|ies)|rewrite").sum()), len(research)),
        ("research records whose `checked` says a quotation was translated",
         int(checked.str.contains("translat").sum()), len(research)),
        ("rows whose `publisher` describes a copy, mirror, repost, digest or a report citing, "
         "quoting or reproducing another outlet", int(secondary.sum()), len(corpus)),
        ("rows whose `source_url` uses `http` (not `https`)",
         int(corpus["source_url"].str.startswith("http:").sum()), len(corpus)),
    ]
    return _md(["", "rows", "of"], rows, "lrr")


# --------------------------------------------------------------------------- assembly

def compute_tables(corpus: pd.DataFrame, research: pd.DataFrame,
                   checks: pd.DataFrame) -> dict[str, str]:
    """Every table of the datasheet, by marker name, as Markdown."""
    corpus = with_origin(corpus, research)
    builders: dict[str, Callable[[], str]] = {
        "overview": lambda: table_overview(corpus),
        "targets": lambda: table_targets(corpus),
        "group_year": lambda: table_group_year(corpus),
        "stance": lambda: table_stance(corpus),
        "stance_origin": lambda: table_stance_origin(corpus),
        "conditional": lambda: table_conditional(corpus),
        "pakistan": lambda: table_pakistan(corpus),
        "actor_type": lambda: table_actor_type(corpus),
        "countries": lambda: table_countries(corpus),
        "genre": lambda: table_genre(corpus),
        "scope": lambda: table_scope(corpus),
        "organisations": lambda: table_organisations(corpus),
        "frames": lambda: table_frames(corpus),
        "frames_stance": lambda: table_frames_stance(corpus),
        "dates": lambda: table_dates(corpus),
        "languages": lambda: table_languages(corpus),
        "words": lambda: table_words(corpus),
        "second_check": lambda: table_second_check(checks),
        "second_check_fields": lambda: table_second_check_fields(checks),
        "provenance": lambda: table_provenance(corpus, research),
    }
    return {name: build() for name, build in builders.items()}


def shipped_tables() -> dict[str, str]:
    """The tables computed from the shipped corpus, research records and second check."""
    return compute_tables(load_corpus(), read_research(), read_second_check())


MARKER = re.compile(r"<!-- table:(?P<name>[a-z_]+) -->\n(?:(?P<body>.*?)\n)?"
                    r"<!-- /table:(?P=name) -->", re.S)


def read_blocks(text: str) -> dict[str, str]:
    """The tables between the markers of a README, by name."""
    blocks: dict[str, str] = {}
    for match in MARKER.finditer(text):
        if match["name"] in blocks:
            raise ValueError(f"table {match['name']!r} appears twice in the README")
        blocks[match["name"]] = match["body"] or ""
    return blocks


def replace_blocks(text: str, tables: dict[str, str]) -> str:
    """Put each table between its markers; every marker and every table must have a pair."""
    found = read_blocks(text)
    missing = sorted(set(tables) - set(found))
    unknown = sorted(set(found) - set(tables))
    if missing or unknown:
        raise ValueError(f"README markers do not match the tables: missing {missing}, "
                         f"unknown {unknown}; add or remove the <!-- table:NAME --> pairs")
    return MARKER.sub(lambda m: f"<!-- table:{m['name']} -->\n{tables[m['name']]}\n"
                                f"<!-- /table:{m['name']} -->", text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="replace the tables in the README")
    mode.add_argument("--check", action="store_true",
                      help="exit 1 if a table in the README differs from the data")
    args = parser.parse_args(argv)
    tables = shipped_tables()
    if args.write or args.check:
        text = README.read_text(encoding="utf-8")
        new = replace_blocks(text, tables)
        if args.check:
            if new != text:
                stale = [n for n, b in read_blocks(text).items() if tables.get(n) != b]
                print(f"{README}: stale tables {stale}; run with --write", file=sys.stderr)
                return 1
            return 0
        README.write_text(new, encoding="utf-8")
        return 0
    for name, table in tables.items():
        print(f"<!-- table:{name} -->\n{table}\n<!-- /table:{name} -->\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
