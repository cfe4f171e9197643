"""The publication figures: each a function from the corpus to (figure, data), and their files.

Every figure function takes a loaded corpus and keyword parameters and returns a matplotlib
``Figure`` and the tidy table drawn in it. Nothing about the case is fixed in the code: the
case country, its window, the periods of the over-time figures, the topic named in titles
and the corpus named in footnotes are parameters, each with a default resolved from the
data (:func:`resolve_case`), so that another corpus or another case gets its own figures.
:data:`FIGURES` lists them in reading order; :func:`write_figures` (:func:`build_figures`,
then :func:`save_figures`) writes each as PNG, SVG and CSV beside a ``manifest.json`` with
the SHA-256 of every file, and two runs on the same corpus write the same bytes.

How the figures show their evidence:

- every point, bar or row carries its number of statements ``n``; a point drawn from fewer
  than :data:`discourse.style.SMALL_N` (10) statements is hollow;
- a pooled period (several years drawn as one, e.g. ``2011–23``) is a horizontal segment
  across its slot, never joined to the years by a line;
- intervals are bars, not bands, so that groups do not blur together;
- a figure drawn from fewer than :data:`discourse.style.MIN_FIGURE_N` statements says so
  under its title.

The layout follows the data: the panels of figures 4 and 5 go three to a row, or two
with upright period labels when there are more than seven periods; figure 7 draws its
countries in two columns when there are more than fourteen.
"""

from __future__ import annotations

import inspect
import json
import os
import secrets
import shutil
import stat
import sys
import textwrap
from collections.abc import Callable, Iterable, Sequence
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import matplotlib as mpl
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D

from . import __version__, plots, schema, style
from .corpus import corpus_digest
from .paths import DATA_DIR, file_sha256
from .timeline import Period, counts_by_period, frame_shares, indicators, net_stance, prevalence

if TYPE_CHECKING:
    from .themes import ThemeModel

__all__ = [
    "ERA_MIN_STATEMENTS",
    "WINDOW_MONTHS",
    "N_THEMES",
    "N_TERMS",
    "MIN_COUNTRY_STATEMENTS",
    "SMALL_N",
    "MIN_FIGURE_N",
    "FigureDataError",
    "FigureSpec",
    "Case",
    "FIGURES",
    "FIGURE_PARAMS",
    "BuiltFigures",
    "load_events",
    "default_periods",
    "resolve_case",
    "figure_statements_per_month",
    "figure_stance_over_time",
    "figure_frame_heatmap",
    "figure_frames_over_time",
    "fit_theme_model",
    "figure_themes_over_time",
    "figure_distinctive_terms",
    "figure_country_comparison",
    "build_figures",
    "save_figures",
    "write_figures",
]

#: :func:`default_periods`: the latest years holding at least this many statements each are
#: drawn one by one; the years before them are pooled into one era.
ERA_MIN_STATEMENTS = 30
#: Length in months of the default window of figure 1 (see :func:`resolve_case`).
WINDOW_MONTHS = 18
#: Themes in figure 5: the number that ``discourse themes`` (stability, then coherence,
#: :func:`discourse.themes.choose_n_themes`) chose on the shipped corpus when last checked
#: (615 statements, 2026-12), fixed here because choosing takes some 20 s. Re-check it
#: when the corpus or the features change (a test does). A corpus too small for it gets
#: the number chosen among those it supports.
N_THEMES = 12
#: Terms shown per group in figure 6.
N_TERMS = 10
#: Figure 7 shows the countries with at least this many statements (global and EU-level
#: statements left out).
MIN_COUNTRY_STATEMENTS = 8
#: See :data:`discourse.style.SMALL_N` and :data:`discourse.style.MIN_FIGURE_N`.
SMALL_N = style.SMALL_N
MIN_FIGURE_N = style.MIN_FIGURE_N

#: Corpus ``scope`` codes whose statements are about VPNs: a corpus of these only is named
#: "VPNs" in titles by default; any other corpus gets no topic word.
_VPN_SCOPES = frozenset({"vpn", "circumvention_context"})
_NOT_COUNTRIES = ("XX", "EU", "")
_FOOTNOTE_SIZE = 6.5
#: Panels of the over-time figures (4, 5) hold up to this many periods three to a row;
#: with more, two to a row, so that each period keeps room for its three n labels, and
#: the period labels stand upright.
_PANEL_SLOTS = 7
#: Figure 7 draws up to this many countries in one column, more in two.
_COUNTRY_ROWS = 14
_NET_NOTE = ("Net stance: share of the statements coded for stance that oppose restriction "
             "minus the share that support it (+1: all oppose, −1: all support). Bars: 95% "
             "adjusted Wald intervals (Bonett & Price 2012).")


def _n_note() -> str:
    return (f"Small numbers: statements behind each point; hollow points rest on fewer "
            f"than {SMALL_N}.")


#: Over-time figures pool every country: say so, since the mix of countries changes.
_MIX_NOTE = ("Each period pools every country, so a change can be a change of countries; "
             "findings.change_over_time holds the mix fixed.")


class FigureDataError(ValueError):
    """Raised by a figure function when the corpus lacks what the figure shows.

    A user corpus needs no stance, frames or country; :func:`write_figures` skips a figure
    that raises this and records why in the manifest.
    """


class FigureSpec(NamedTuple):
    """A registered figure: what it shows, and the function that builds it from a corpus.

    The title drawn (and written to the manifest) depends on the case and topic; ``title``
    here is a description free of either.
    """

    title: str
    build: Callable[..., tuple[Figure, pd.DataFrame]]


class Case(NamedTuple):
    """The case and wording the figures are drawn for (see :func:`resolve_case`)."""

    #: ISO code of the case country of figure 1 (None: the corpus names no country).
    country: str | None
    #: First and last day of figure 1.
    window: tuple[pd.Timestamp, pd.Timestamp]
    #: Periods of the over-time figures (as :func:`discourse.timeline.period_labels`).
    period: Period
    #: What is regulated, for titles ("VPNs"); "" names none.
    topic: str
    #: The corpus as named in footnotes ("Source: <corpus_name>, n statements").
    corpus_name: str


# -- resolving the case ------------------------------------------------------------------------


def load_events(path: str | PathLike[str] | None = None) -> pd.DataFrame:
    """Return the key events of the shipped corpus's cases (``discourse/data/events.csv``).

    Each row is documented by a statement of the shipped corpus (``statement_id``), whose
    date and source address it takes; figure 1 shows the events whose statement is in the
    corpus and about the case country.

    Examples
    --------
    >>> load_events().columns.tolist()
    ['date', 'label', 'source_url', 'note', 'statement_id']
    """
    events = pd.read_csv(path or DATA_DIR / "events.csv", dtype=str, keep_default_na=False)
    events["date"] = pd.to_datetime(events["date"])
    return events


def default_periods(corpus: pd.DataFrame, min_statements: int = ERA_MIN_STATEMENTS) -> Period:
    """The periods of the over-time figures when none are given: eras resolved from the data.

    Going back from the last year, every year with at least ``min_statements`` statements
    is a period of its own, up to the first year that has fewer; all years before that
    are pooled into one era. With no such year every year is pooled (``"all"``); with
    every year such a year, ``"year"``. On the shipped corpus (615 statements, 2026-12)
    this pools 2007–15 and draws every year from 2016 to 2026 on its own.

    Examples
    --------
    >>> toy = pd.DataFrame({"date": pd.to_datetime(["2019-05-01"] * 3 + ["2024-01-01"] * 40
    ...                                            + ["2025-01-01"] * 35)})
    >>> default_periods(toy)
    (2024, 2025)
    """
    years = corpus["date"].dropna().dt.year.value_counts()
    if years.empty:
        return "all"
    span = range(int(years.index.min()), int(years.index.max()) + 1)
    own = []
    for year in reversed(span):
        if years.get(year, 0) < min_statements:
            break
        own.append(year)
    if not own:
        return "all"
    if len(own) == len(span):
        return "year"
    return tuple(sorted(own))


def _country_codes(corpus: pd.DataFrame) -> pd.Series:
    if "country" not in corpus:
        return pd.Series("", index=corpus.index)
    return corpus["country"].astype(object).where(corpus["country"].notna(), "").astype(str)


def resolve_case(
    corpus: pd.DataFrame,
    *,
    case_country: str | None = None,
    window: tuple[str, str] | None = None,
    period: Period | None = None,
    topic: str | None = None,
    corpus_name: str | None = None,
) -> Case:
    """Resolve the case and wording of the figures from the parameters and the corpus.

    Parameters
    ----------
    corpus : DataFrame
        A loaded corpus.
    case_country : str, optional
        ISO code of figure 1's case. Default: the country with most statements (global
        ``XX`` and EU-level statements left out; ties: alphabetical), so ``"PK"`` for the
        shipped corpus; None when the corpus names no country.
    window : (str, str), optional
        First and last day of figure 1 (ISO dates, inclusive). Default:
        :data:`WINDOW_MONTHS` months from 1 January of the year of the case's busiest
        month (ties: the earliest); without a case country, the corpus's whole span.
    period : str or sequence of int, optional
        Periods of the over-time figures, as in :func:`discourse.timeline.period_labels`
        (``"year"``, ``"quarter"``, ``"month"``, ``"all"`` or era start years). Default:
        :func:`default_periods`.
    topic : str, optional
        What is regulated, named in titles ("VPNs", "social-media use"). Default: "VPNs"
        if every statement's ``scope`` is a VPN scope (the shipped corpus), else none:
        titles then speak of restriction in general.
    corpus_name : str, optional
        The corpus in footnotes. Default: "discourse corpus" for a VPN corpus (as above),
        else "the corpus".

    Raises
    ------
    ValueError
        A window that is not two dates, or ends before it starts.

    Examples
    --------
    >>> from discourse import load_corpus
    >>> case = resolve_case(load_corpus())
    >>> case.country, case.topic, [f"{d:%Y-%m-%d}" for d in case.window]
    ('PK', 'VPNs', ['2024-01-01', '2025-06-30'])
    >>> resolve_case(load_corpus(), case_country="IN").country
    'IN'
    """
    codes = _country_codes(corpus)
    if case_country is None:
        sizes = codes[~codes.isin(_NOT_COUNTRIES)].value_counts()
        country = (sorted(sizes.index, key=lambda c: (-int(sizes[c]), c))[0]
                   if len(sizes) else None)
    else:
        country = str(case_country).strip().upper()
    if window is not None:
        try:
            start, end = (pd.Timestamp(d) for d in window)
        except (TypeError, ValueError) as err:
            raise ValueError(f"window must be two dates (start, end), not {window!r}") from err
        if end < start:
            raise ValueError(f"window ends ({end:%Y-%m-%d}) before it starts "
                             f"({start:%Y-%m-%d})")
    elif country is not None and (codes == country).any():
        months = corpus.loc[codes == country, "date"].dt.to_period("M").value_counts()
        busiest = sorted(months.index, key=lambda m: (-int(months[m]), m))[0]
        start = pd.Timestamp(year=busiest.year, month=1, day=1)
        end = start + pd.DateOffset(months=WINDOW_MONTHS) - pd.Timedelta(days=1)
    elif len(corpus):
        start, end = corpus["date"].min().normalize(), corpus["date"].max().normalize()
    else:
        start = end = pd.Timestamp("1970-01-01")
    vpn = ("scope" in corpus and len(corpus)
           and set(corpus["scope"].dropna().astype(str)) <= _VPN_SCOPES
           and corpus["scope"].notna().all())
    return Case(
        country=country,
        window=(start, end),
        period=default_periods(corpus) if period is None else period,
        topic=("VPNs" if vpn else "") if topic is None else str(topic).strip(),
        corpus_name=(("discourse corpus" if vpn else "the corpus") if corpus_name is None
                     else str(corpus_name)),
    )


# -- shared helpers ----------------------------------------------------------------------------


def _new_figure(title: str, width: float, height: float, n: int | None = None) -> Figure:
    """A figure with a left-aligned title; one drawn from fewer than :data:`MIN_FIGURE_N`
    statements says so under the title."""
    fig = Figure(figsize=(width, height), layout="constrained")
    if n is not None and n < MIN_FIGURE_N:
        title += (f"\nCaution: drawn from only {n} statement{'s' if n != 1 else ''}, "
                  "too few to read")
    fig.suptitle(title, x=0.01, ha="left")
    return fig


def _footnote(fig: Figure, text: str) -> None:
    """Write a source note under the figure, as its ``supxlabel`` so the layout makes room.

    Paragraphs are wrapped to the figure's width (DejaVu Sans averages about half an em
    per character).
    """
    chars = int(fig.get_figwidth() * 72 / (_FOOTNOTE_SIZE * 0.52)) - 6
    text = "\n".join(line for paragraph in text.split("\n")
                     for line in textwrap.wrap(paragraph, chars, break_on_hyphens=False))
    fig.supxlabel(text, x=0.01, ha="left", va="bottom", fontsize=_FOOTNOTE_SIZE,
                  fontweight="normal", color="#555555", linespacing=1.3)


def _body(fig: Figure) -> SubFigure:
    """A sub-figure for the panels, so that a legend above them stays below the title."""
    return fig.subfigures(1, 1)


def _date_span(corpus: pd.DataFrame) -> str:
    if corpus.empty:
        return "no dates"
    return f"{corpus['date'].min():%b %Y} – {corpus['date'].max():%b %Y}"


def _source(case: Case, corpus: pd.DataFrame, what: str = "statements") -> str:
    return (f"Source: {case.corpus_name}, {len(corpus)} {what} ({_date_span(corpus)}).")


def _restricting(case: Case) -> str:
    """" on restricting VPNs", or " on restriction" without a topic."""
    return f" on restricting {case.topic}" if case.topic else " on restriction"


def _drop_period(table: pd.DataFrame) -> pd.DataFrame:
    """A table of one pooled period, without its period columns."""
    return table.drop(columns=["period", "period_start"]).reset_index(drop=True)


def _mark_pooled(table: pd.DataFrame) -> pd.DataFrame:
    """Add ``pooled``: True for a period that pools several years (an era such as
    ``2011–23``), drawn as a segment across its slot."""
    out = table.copy()
    out.insert(out.columns.get_loc("period_start") + 1, "pooled",
               out["period"].astype(str).str.contains("–"))
    return out


def _period_note(corpus: pd.DataFrame, table: pd.DataFrame) -> str:
    """Say which periods pool several years and where the last year ends."""
    pooled = sorted(set(table.loc[table["pooled"], "period"].astype(str)))
    note = (f"{', '.join(pooled)}: several years pooled (few statements per year), drawn as "
            "a segment across the period." if pooled else "")
    last = corpus["date"].max()
    if len(corpus) and (last.month, last.day) != (12, 31):
        note += f" {last.year} runs to {last.day} {last:%b}."
    return note.strip()


def _require(corpus: pd.DataFrame, *, stance: bool = False, frames: bool = False) -> None:
    """Raise :class:`FigureDataError` if no statement is coded for what a figure shows."""
    if corpus.empty:
        raise FigureDataError("the corpus holds no statement")
    if stance and ("stance" not in corpus or corpus["stance"].isna().all()):
        raise FigureDataError("no statement is coded for stance")
    if frames and ("frames" not in corpus or not any(len(f) for f in corpus["frames"])):
        raise FigureDataError("no statement is coded for frames")


def _coded(corpus: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The statements coded for stance, with ``date``, ``stance`` and ``columns`` only (a
    copy of the texts too would double the corpus's memory at scale)."""
    used = [c for c in ("date", "stance", *columns) if c in corpus]
    return corpus.loc[corpus["stance"].notna(), used]


def _whole_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Store the ``n`` and ``count`` columns as integers (they are counts of statements)."""
    out = table.copy()
    for name in ("n", "count"):
        if name in out and len(out) and np.allclose(out[name], np.round(out[name])):
            out[name] = np.round(out[name]).astype(int)
    return out


def _groups_present(corpus: pd.DataFrame) -> list[str]:
    present = set(corpus["group"].astype(str))
    return [g for g in schema.GROUPS if g in present]


def _marker_handles() -> list[Line2D]:
    return [Line2D([], [], color="#555555", marker="o", linestyle="none",
                   label=f"n ≥ {SMALL_N}"),
            Line2D([], [], color="#555555", marker="o", markerfacecolor="white",
                   linestyle="none", label=f"n < {SMALL_N}")]


def _panel_layout(table: pd.DataFrame, n_panels: int) -> tuple[int, int, bool]:
    """Columns and rows of the over-time panels, and whether the periods are many (more
    than :data:`_PANEL_SLOTS`: two panels to a row, period labels upright)."""
    many = table["period"].nunique() > _PANEL_SLOTS
    ncols = min(2 if many else 3, n_panels)
    return ncols, int(np.ceil(n_panels / ncols)), many


def _over_time_panels(fig: Figure | SubFigure, table: pd.DataFrame, panel_col: str,
                      panels: Sequence[str], titles: dict[str, str], ncols: int,
                      groups: Sequence[str], ylabel: str = "Share of statements",
                      title_size: float | None = None,
                      ylim: tuple[float, float] = (0.0, 1.0),
                      upright: bool = False) -> np.ndarray:
    """Panels of ``panel_col`` values, one series of estimates per group (figures 4, 5).

    The legend (groups, and filled / hollow markers) goes into the first unused cell of
    the grid, or above the panels. ``upright``: period labels turned upright (many
    periods), a pooled one on one line ("2007–15 pooled").
    """
    nrows = int(np.ceil(len(panels) / ncols))
    grid = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
    axes = plots.plot_small_multiples(
        table, panel=panel_col, plot_func=plots.plot_period_estimates, axes=grid,
        panels=panels, titles=titles,
        title_kwargs={"fontweight": "normal", "pad": 9,  # room for n labels at the top
                      **({"fontsize": title_size} if title_size else {})},
        x="period", y="share", hue="group", hue_order=list(groups), legend=False, ylabel="",
        ylim=ylim, n_rotation=90, n_fontsize=5.0, dodge=0.27 if upright else 0.24,
    )
    flat = grid.ravel()
    for ax in flat[: len(panels)]:
        ax.label_outer(remove_inner_ticks=False)
    for i, ax in enumerate(flat[: len(panels)]):
        if i + ncols >= len(panels):  # nothing drawn below: keep the period labels
            ax.xaxis.set_tick_params(labelbottom=True)
    if upright:
        slots = table.sort_values("period_start", kind="stable").drop_duplicates("period")
        names = [f"{p} pooled" if pooled else str(p)
                 for p, pooled in zip(slots["period"], slots["pooled"], strict=True)]
        for ax in flat[: len(panels)]:
            ax.set_xticks(range(len(names)), names, rotation=90, fontsize=7)
    for row in grid:
        row[0].set_ylabel(ylabel)
    handles = [Line2D([], [], color=style.GROUP_COLORS.get(g, style.NEUTRAL_GREY), marker="o",
                      label=style.display_name(g)) for g in groups] + _marker_handles()
    if len(flat) > len(panels):
        spare = flat[len(panels)]
        spare.set_visible(True)
        spare.set_axis_off()
        spare.legend(handles=handles, loc="center", title="Group", alignment="left")
    else:
        fig.legend(handles=handles, loc="outside upper center", ncols=len(handles),
                   handlelength=1.5)
    return axes


def _title(title: str | None, default: str) -> str:
    return default if title is None else str(title)


# -- 1 statements per month ----------------------------------------------------------------------


def _case_events(corpus: pd.DataFrame, case: Case, events: pd.DataFrame | None
                 ) -> pd.DataFrame | None:
    """The events to mark: given, or those of :func:`load_events` documented by a
    statement of this corpus about the case country; within the window."""
    if events is None:
        events = load_events()
        codes = _country_codes(corpus)
        ids = set(corpus.loc[codes == case.country, "id"].astype(str)) if "id" in corpus \
            else set()
        events = events[events["statement_id"].isin(ids)]
    else:
        events = events.copy()
        events["date"] = pd.to_datetime(events["date"])
    start, end = case.window
    events = events[events["date"].between(start, end)]
    return events if len(events) else None


def figure_statements_per_month(
    corpus: pd.DataFrame,
    *,
    case_country: str | None = None,
    window: tuple[str, str] | None = None,
    topic: str | None = None,
    corpus_name: str | None = None,
    title: str | None = None,
    events: pd.DataFrame | None = None,
) -> tuple[Figure, pd.DataFrame]:
    """Figure 1: statements about the case country per month by group, with key events.

    Covers the case's ``window`` (see :func:`resolve_case` for the defaults of
    ``case_country``, ``window``, ``topic`` and ``corpus_name``); a corpus that names no
    country gets every statement in the window. Each bar carries its number of statements.
    Events are ``events`` (``date`` and ``label`` columns), or by default those of
    :func:`load_events` documented by a statement of this corpus about the case country.

    Raises
    ------
    FigureDataError
        The corpus has no statement about ``case_country``, or none in the window.

    Returns
    -------
    (Figure, DataFrame)
        The table has ``group``, ``period`` (``"2024-11"``), ``period_start`` and ``n``;
        its ``n`` adds up to the number of statements drawn.

    Examples
    --------
    >>> from discourse import load_corpus
    >>> fig, table = figure_statements_per_month(load_corpus())
    >>> list(table.columns)
    ['group', 'period', 'period_start', 'n']
    >>> _, india = figure_statements_per_month(load_corpus(), case_country="IN",
    ...                                        window=("2017-01-01", "2026-12-31"))
    >>> int(india["n"].sum()) == int((load_corpus()["country"] == "IN").sum())
    True
    """
    if corpus.empty:
        raise FigureDataError("the corpus holds no statement")
    case = resolve_case(corpus, case_country=case_country, window=window, topic=topic,
                        corpus_name=corpus_name)
    start, end = case.window
    codes = _country_codes(corpus)
    in_window = corpus["date"].between(start, end)
    if case.country is not None:
        about = codes == case.country
        if not about.any():
            raise FigureDataError(f"no statement is about the case country {case.country}")
        focus = corpus[about & in_window]
        place = style.country_label(case.country)
    else:
        about = pd.Series(True, index=corpus.index)
        focus = corpus[in_window]
        place = "All statements"
    if focus.empty:
        raise FigureDataError(f"no statement about {place} between {start:%Y-%m-%d} and "
                              f"{end:%Y-%m-%d}")
    on = f" on regulating {case.topic}" if case.topic else ""
    default = f"{place}: statements{on} per month, {start:%b %Y} – {end:%b %Y}"
    with style.figure_style():
        months = pd.period_range(start, end, freq="M")
        marked = _case_events(corpus, case, events)
        counts = counts_by_period(focus, "group", "month")
        groups = _groups_present(focus)
        grid = pd.MultiIndex.from_product([groups, months.astype(str)],
                                          names=["group", "period"])
        table = (counts.set_index(["group", "period"])["n"].reindex(grid, fill_value=0)
                 .reset_index())
        table.insert(2, "period_start", pd.PeriodIndex(table["period"], freq="M").start_time)
        table["n"] = table["n"].astype(int)

        # the key: two columns of one line per event, 6.5 pt with 1.35 line spacing
        key_height = np.ceil(len(marked) / 2) * 6.5 * 1.35 / 72 if marked is not None else 0
        fig = _new_figure(_title(title, default), style.DOUBLE_COLUMN, 3.8 + key_height,
                          n=len(focus))
        if marked is not None:
            ax, key = fig.subplots(2, 1, height_ratios=[3.0, key_height])
        else:
            ax, key = fig.subplots(1, 1), None
        plots.plot_counts_over_time(table, x="period_start", y="n", hue="group", ax=ax,
                                    events=marked)
        totals = table.groupby("period_start")["n"].sum()
        for month, total in totals.items():
            if total > 0:
                middle = mdates.date2num(month) + 15.2
                ax.annotate(str(int(total)), (middle, total), xytext=(0, 1.5),
                            textcoords="offset points", ha="center", va="bottom",
                            fontsize=6, color="#333333", gid="n_label")
        if key is not None:
            plots.plot_event_key(marked, x="date", y="label", ax=key, ncols=2, width=68,
                                 fontsize=6.5)
        total = int(table["n"].sum())
        note = (f"Source: {case.corpus_name}; {total} of the {int(about.sum())} statements "
                f"about {place} (all dates). Statements dated only to the month are counted "
                "in it; numbers on the bars: statements per month.")
        if marked is not None:
            note += ("\nNumbered lines: events, each documented by a statement of the corpus "
                     "(discourse/data/events.csv).")
        _footnote(fig, note)
    return fig, table[["group", "period", "period_start", "n"]]


# -- 2 stance over time --------------------------------------------------------------------------


def figure_stance_over_time(
    corpus: pd.DataFrame,
    *,
    period: Period | None = None,
    topic: str | None = None,
    corpus_name: str | None = None,
    title: str | None = None,
) -> tuple[Figure, pd.DataFrame]:
    """Figure 2: net stance on restriction per group and period, one line per group.

    The net stance index (:func:`discourse.timeline.net_stance`) is the share of a cell's
    stance-coded statements that oppose restriction minus the share that support it, from
    −1 (all support) to +1 (all oppose); conditional and neutral statements count in the
    denominator on neither side. Bars are 95 % adjusted Wald intervals (Bonett and Price
    2012, :func:`discourse.timeline.net_stance_interval`), which stay wide in small cells.
    Every point carries its ``n``; points of fewer than :data:`SMALL_N` statements are
    hollow; a pooled era is drawn as a segment across its slot, not joined to the years.
    ``period`` defaults to :func:`default_periods`; ``topic``, ``corpus_name`` as in
    :func:`resolve_case`. Statements without a stance are left out.

    Returns
    -------
    (Figure, DataFrame)
        ``group``, ``period``, ``period_start``, ``pooled``, ``n``, ``opposes``,
        ``supports``, ``net``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> from discourse import load_corpus
    >>> from discourse.timeline import period_labels
    >>> corpus = load_corpus()
    >>> fig, table = figure_stance_over_time(corpus)
    >>> eras = period_labels(corpus.dropna(subset=["stance"])["date"], default_periods(corpus))
    >>> bool(table["net"].between(-1, 1).all()), set(table["period"]) == set(eras["period"])
    (True, True)
    """
    _require(corpus, stance=True)
    case = resolve_case(corpus, period=period, topic=topic, corpus_name=corpus_name)
    coded = _coded(corpus, "group")
    table = _mark_pooled(net_stance(coded, "group", case.period))
    groups = [g for g in schema.GROUPS if g in set(table["group"])]
    default = f"Net stance{_restricting(case)} over time, by group (all countries)"
    with style.figure_style():
        fig = _new_figure(_title(title, default), style.DOUBLE_COLUMN, 3.4, n=len(coded))
        body = _body(fig)
        ax = body.subplots()
        plots.plot_period_estimates(table, x="period", y="net", hue="group", ax=ax,
                                    hue_order=groups, legend=False, ylim=(-1.05, 1.05),
                                    percent=False, dodge=0.24, n_fontsize=6,
                                    ylabel="Net stance (oppose − support)")
        ax.axhline(0, color="#777777", linewidth=0.6, linestyle=(0, (1, 2)), zorder=1)
        ax.set_yticks([-1, -0.5, 0, 0.5, 1],
                      ["−1 all support", "−0.5", "0", "+0.5", "+1 all oppose"])
        handles = [Line2D([], [], color=style.GROUP_COLORS.get(g, style.NEUTRAL_GREY),
                          marker="o", label=style.display_name(g)) for g in groups]
        body.legend(handles=handles + _marker_handles(), loc="outside upper center",
                    ncols=len(groups) + 2, handlelength=1.5)
        _footnote(fig, f"{_source(case, coded, 'statements coded for stance')} "
                       f"{_NET_NOTE}\n{_n_note()} {_MIX_NOTE} {_period_note(corpus, table)}")
    columns = ["group", "period", "period_start", "pooled", "n", "opposes", "supports",
               "net", "ci_low", "ci_high"]
    return fig, _whole_counts(table[columns])


# -- 3 frame heatmap -----------------------------------------------------------------------------


def _pooled_frame_shares(corpus: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Share of statements using each frame per ``by`` value, all dates pooled (Wilson)."""
    table = _drop_period(frame_shares(corpus, by, "all"))
    return table.rename(columns={"all": "group"}) if by is None else table


def _frame_order(corpus: pd.DataFrame) -> list[str]:
    """Frames from the most to the least used over the whole corpus (ties: schema order)."""
    used = indicators(corpus, "frames").sum()
    return sorted(schema.FRAMES, key=lambda f: (-int(used[f]), schema.FRAMES.index(f)))


def figure_frame_heatmap(
    corpus: pd.DataFrame,
    *,
    topic: str | None = None,
    corpus_name: str | None = None,
    title: str | None = None,
) -> tuple[Figure, pd.DataFrame]:
    """Figure 3: share of each group's statements that use each frame, numbers in the cells.

    A statement may use several frames, so a row does not add up to 100 %. The last row
    pools all statements; in each row the most used frame is printed in bold; each row
    label carries its number of statements.

    Returns
    -------
    (Figure, DataFrame)
        ``group`` (a group or ``all``), ``frame``, ``n`` (statements), ``count`` (those
        using the frame), ``share``, ``ci_low``, ``ci_high`` (Wilson 95 %).

    Examples
    --------
    >>> from discourse import load_corpus
    >>> corpus = load_corpus()
    >>> fig, table = figure_frame_heatmap(corpus)
    >>> int(table[table["group"] == "all"]["n"].iloc[0]) == len(corpus)
    True
    """
    _require(corpus, frames=True)
    case = resolve_case(corpus, topic=topic, corpus_name=corpus_name)
    table = pd.concat([_pooled_frame_shares(corpus, "group"),
                       _pooled_frame_shares(corpus, None)], ignore_index=True)
    order = _frame_order(corpus)
    rows = _groups_present(corpus) + ["all"]
    table = (table.assign(_row=table["group"].map(rows.index),
                          _col=table["frame"].map(order.index))
             .sort_values(["_row", "_col"], kind="stable")
             .drop(columns=["_row", "_col"]).reset_index(drop=True))
    sizes = table.drop_duplicates("group").set_index("group")["n"]
    row_labels = {g: f"{style.display_name(g)} (n={int(sizes[g])})" for g in rows}
    what = f"the regulation of {case.topic}" if case.topic else "the issue"
    default = f"How each group frames {what}: share of statements using each frame"
    with style.figure_style():
        fig = _new_figure(_title(title, default), style.DOUBLE_COLUMN, 2.7, n=len(corpus))
        ax = fig.subplots()
        plots.plot_heatmap(table, x="frame", y="group", hue="share", ax=ax, x_order=order,
                           y_order=rows, y_labels=row_labels, highlight_max=True,
                           rotate_xticks=0, fontsize=7.5)
        ax.set_xticks(range(len(order)), [style.display_name(f).replace(" / ", " /\n")
                                          for f in order])
        ax.axhline(len(rows) - 1.5, color="white", linewidth=2.5)
        small = [style.display_name(g) for g in rows if int(sizes[g]) < SMALL_N]
        caution = (f" Rows of fewer than {SMALL_N} statements ({', '.join(small)}): read as "
                   "hints." if small else "")
        _footnote(fig, f"{_source(case, corpus)} Cells: share of the row's statements coded "
                       "with the frame; a statement may carry several frames, so rows do not "
                       "sum to 100%.\nBold: the row's most used frame. Frames ordered by use "
                       f"in the whole corpus.{caution}")
    columns = ["group", "frame", "n", "count", "share", "ci_low", "ci_high"]
    return fig, _whole_counts(table[columns])


# -- 4 frames over time --------------------------------------------------------------------------


def figure_frames_over_time(
    corpus: pd.DataFrame,
    *,
    period: Period | None = None,
    corpus_name: str | None = None,
    title: str | None = None,
) -> tuple[Figure, pd.DataFrame]:
    """Figure 4: share of statements using each frame per period, by group.

    One panel per frame (ordered by use), one series per group: each estimate a point
    with its Wilson 95 % interval bar and its ``n`` (the group's statements in the
    period), hollow below :data:`SMALL_N`; a pooled era is a segment across its slot.
    Eight frames as lines of one panel would hide each other, while a panel per frame
    lets the groups be compared directly. ``period`` defaults to :func:`default_periods`.

    Returns
    -------
    (Figure, DataFrame)
        ``group``, ``period``, ``period_start``, ``pooled``, ``frame``, ``n``, ``count``,
        ``share``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> from discourse import load_corpus
    >>> fig, table = figure_frames_over_time(load_corpus())
    >>> sorted(table["frame"].unique()) == sorted(schema.FRAMES)
    True
    """
    _require(corpus, frames=True)
    case = resolve_case(corpus, period=period, corpus_name=corpus_name)
    table = _mark_pooled(frame_shares(corpus, "group", case.period))
    order = _frame_order(corpus)
    groups = _groups_present(corpus)
    default = "Frames over time: share of statements using each frame, by group"
    with style.figure_style():
        ncols, nrows, many = _panel_layout(table, len(order))
        fig = _new_figure(_title(title, default), style.DOUBLE_COLUMN,
                          1.9 + (1.45 if many else 1.3) * nrows, n=len(corpus))
        body = _body(fig)
        _over_time_panels(body, table, "frame", order, {f: style.display_name(f) for f in order},
                          ncols=ncols, groups=groups, upright=many)
        _footnote(fig, f"{_source(case, corpus)} Share of each group's statements in the "
                       "period coded with the frame; bars: Wilson 95% intervals.\n"
                       f"{_n_note()} {_MIX_NOTE} {_period_note(corpus, table)}")
    columns = ["group", "period", "period_start", "pooled", "frame", "n", "count", "share",
               "ci_low", "ci_high"]
    return fig, _whole_counts(table[columns])


# -- 5 themes over time --------------------------------------------------------------------------


def _theme_count(texts: list[str], actors: list[str] | None) -> int:
    """:data:`N_THEMES` if the corpus supports it, else the number chosen among those it
    supports (:func:`discourse.themes.choose_n_themes`, at most
    ``n_statements // MIN_DOCS_PER_THEME``)."""
    from .themes import MIN_DOCS_PER_THEME, choose_n_themes

    cap = len(texts) // MIN_DOCS_PER_THEME
    if cap >= N_THEMES:
        return N_THEMES
    if cap < 2:
        raise FigureDataError(f"{len(texts)} statements support fewer than two themes "
                              f"({MIN_DOCS_PER_THEME} statements per theme)")
    try:
        table = choose_n_themes(texts, actors, candidates=range(2, cap + 1))
    except ValueError as err:
        raise FigureDataError(f"no number of themes fits the corpus: {err}") from err
    return int(table.loc[table["chosen"], "n_themes"].iloc[0])


def fit_theme_model(corpus: pd.DataFrame, n_themes: int | None = None) -> ThemeModel:
    """Fit the theme model of figure 5 to the texts of a corpus.

    A :class:`discourse.themes.ThemeModel` with ``n_themes`` themes (default:
    :data:`N_THEMES`, or on a corpus too small for it the number
    :func:`discourse.themes.choose_n_themes` picks among those it supports), no stability
    runs, seed 0, fitted to every statement with the actors' names as stop words. Fit it
    once and pass it to :func:`figure_themes_over_time` (``model=``) or
    :func:`build_figures` (``theme_model=``) to draw the figure without fitting again.

    Raises
    ------
    FigureDataError
        The corpus is too small for the themes.

    Examples
    --------
    >>> from discourse import load_corpus
    >>> fit_theme_model(load_corpus(), 4).n_themes
    4
    """
    from .themes import ThemeModel

    if corpus.empty:
        raise FigureDataError("the corpus holds no statement")
    texts = corpus["text"].astype(str).tolist()
    actors = corpus["actor"].astype(str).tolist() if "actor" in corpus else None
    if n_themes is None:
        n_themes = _theme_count(texts, actors)
    if len(corpus) < 2 * n_themes:
        raise FigureDataError(f"{n_themes} themes need {2 * n_themes} statements or more, "
                              f"not {len(corpus)}")
    return ThemeModel(n_themes=n_themes, n_seeds=0, random_state=0).fit(texts, actors=actors)


def _check_model(model: ThemeModel, corpus: pd.DataFrame, n_themes: int | None) -> None:
    """Refuse a theme model that is not fitted, or not to a corpus of this size, or that
    has another number of themes than ``n_themes`` asks for."""
    fitted = getattr(model, "doc_themes_", None)
    if fitted is None:
        raise ValueError("model must be a ThemeModel fitted to the corpus's texts "
                         "(fit_theme_model), not an unfitted one")
    if len(fitted) != len(corpus):
        raise ValueError(f"model was fitted to {len(fitted)} statements but the corpus holds "
                         f"{len(corpus)}; fit it to this corpus (fit_theme_model)")
    if n_themes is not None and int(n_themes) != int(model.n_themes):
        raise ValueError(f"n_themes={n_themes} but the model has {model.n_themes} themes; "
                         "give one or the other")


def figure_themes_over_time(
    corpus: pd.DataFrame,
    n_themes: int | None = None,
    *,
    period: Period | None = None,
    corpus_name: str | None = None,
    title: str | None = None,
    theme_labels: pd.DataFrame | str | PathLike[str] | bool | None = None,
    model: ThemeModel | None = None,
) -> tuple[Figure, pd.DataFrame]:
    """Figure 5: mean weight of each theme in the statements of each group and period.

    Fits a :class:`discourse.themes.ThemeModel` with ``n_themes`` themes (default:
    :data:`N_THEMES`, or on a corpus too small for it the number
    :func:`discourse.themes.choose_n_themes` picks among those the corpus supports) to all
    the statements (:func:`fit_theme_model`), then draws the mean weights (the model's
    ``doc_themes_``, the weights of the statements it was fitted to, so the texts are
    vectorised once; aggregated by :func:`discourse.timeline.prevalence`) by group over
    the periods: one panel per theme, one series per group, each point with its
    bootstrap 95 % interval bar (1,000 resamples, seed 0) and its ``n``, hollow below
    :data:`SMALL_N`.

    ``model``: a :class:`~discourse.themes.ThemeModel` already fitted to the texts of
    ``corpus`` in its row order (:func:`fit_theme_model`, or ``theme_model=`` of
    :func:`build_figures`); it is used as it is, so the figure fits none (``n_themes``,
    if given, must equal the model's). Given the model the figure would fit, the figure
    is the same.

    Themes are named by curated labels (:func:`discourse.themes.curated_labels`): from
    ``theme_labels`` (a table or the path of a labels file; default None: the shipped
    corpus's ``theme_labels.csv``); a theme no row matches keeps its generated label (its
    top terms) with a :class:`discourse.themes.ThemeLabelWarning`. ``theme_labels=False``
    uses the generated labels only.

    Returns
    -------
    (Figure, DataFrame)
        ``group``, ``period``, ``period_start``, ``pooled``, ``theme`` (id), ``label``
        (curated, or generated), ``top_terms`` (the generated label), ``n``, ``share``
        (mean weight), ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> from discourse import load_corpus
    >>> fig, table = figure_themes_over_time(load_corpus(), n_themes=4, theme_labels=False)
    >>> int(table["theme"].nunique())
    4
    """
    from .themes import curated_labels

    if corpus.empty:
        raise FigureDataError("the corpus holds no statement")
    case = resolve_case(corpus, period=period, corpus_name=corpus_name)
    if model is None:
        model = fit_theme_model(corpus, n_themes)
    else:
        _check_model(model, corpus, n_themes)
    n_themes = int(model.n_themes)
    if theme_labels is False:
        names = list(model.labels_)
    elif theme_labels is None or theme_labels is True:
        names = curated_labels(model)
    else:
        names = curated_labels(model, theme_labels)
    data = corpus.reset_index(drop=True)
    # the training statements' weights, as fitted: no second pass over the texts
    weights = pd.DataFrame(model.doc_themes_, columns=list(model.labels_))
    table = prevalence(data, weights, "group", case.period,
                       method="bootstrap", n_boot=1000, random_state=0)
    table = _mark_pooled(table.rename(columns={"variable": "top_terms", "mean": "share"}))
    # NMF's weights differ between BLAS kernels in the 14th decimal; the figure draws the
    # values its table holds (6 decimals), so that its files are the same on every CPU
    table[["share", "ci_low", "ci_high"]] = table[["share", "ci_low", "ci_high"]].round(6)
    theme_of = {lab: t for t, lab in enumerate(model.labels_)}
    table.insert(table.columns.get_loc("top_terms"), "theme", table["top_terms"].map(theme_of))
    table.insert(table.columns.get_loc("top_terms"), "label",
                 table["theme"].map(dict(enumerate(names))))
    # panel titles: theme number and label, wrapped to the width of a panel
    ncols, nrows, many = _panel_layout(table, n_themes)
    titles = {str(t): textwrap.fill(f"{t + 1}. {names[t]}", 34 if ncols == 3 else 52,
                                    subsequent_indent="    ")
              for t in range(n_themes)}
    table["panel"] = table["theme"].astype(str)
    panels = [str(t) for t in range(n_themes)]
    groups = _groups_present(corpus)
    default = "Themes over time: mean theme weight of statements, by group"
    with style.figure_style():
        fig = _new_figure(_title(title, default), style.DOUBLE_COLUMN,
                          1.9 + (1.2 if many else 1.3) * nrows, n=len(corpus))
        body = _body(fig)
        top = float(table["ci_high"].max()) if len(table) else 1.0
        _over_time_panels(body, table, "panel", panels, titles,
                          ncols=ncols, groups=groups,
                          ylabel="Mean weight", title_size=8,
                          ylim=(0.0, min(1.0, max(0.2, float(np.ceil(top * 10) / 10)))),
                          upright=many)
        curated = sum(a != b for a, b in zip(names, model.labels_, strict=True))
        if curated == n_themes:
            naming = "named by curated labels (theme_labels.csv)"
        elif curated:
            naming = (f"{curated} of {n_themes} named by curated labels (theme_labels.csv), "
                      "the others by their top terms")
        else:
            naming = "named by their top terms"
        _footnote(fig, f"{_source(case, corpus)} Themes: NMF of TF-IDF features, {n_themes} "
                       f"themes, {naming}; a statement's weights sum to 1.\nPoints: mean "
                       "weight per group and period; bars: bootstrap 95% intervals. "
                       f"{_n_note()} {_MIX_NOTE} {_period_note(corpus, table)}")
    columns = ["group", "period", "period_start", "pooled", "theme", "label", "top_terms",
               "n", "share", "ci_low", "ci_high"]
    return fig, _whole_counts(table[columns])


# -- 6 distinctive terms -------------------------------------------------------------------------


def figure_distinctive_terms(
    corpus: pd.DataFrame,
    n_terms: int = N_TERMS,
    *,
    min_count: int = 5,
    corpus_name: str | None = None,
    title: str | None = None,
) -> tuple[Figure, pd.DataFrame]:
    """Figure 6: the terms each group uses more than the others, as z-scores with counts.

    :func:`discourse.contrast.distinctive_terms` compares each group with the rest of the
    corpus (terms used at least ``min_count`` times); :func:`discourse.contrast.top_terms`
    keeps the ``n_terms`` of largest z per group, leaving out speaker labels (words that
    name who speaks, :func:`discourse.contrast.speaker_words`) and, of a word and a phrase
    containing it, the weaker. Bars of terms significant at a 5 % false discovery rate
    (Benjamini-Hochberg over all the terms of the comparison) are filled, the others
    hollow; each bar is labelled with the term's count in the group and in the rest. A
    group with no such term keeps its panel, which says so; the table's
    ``attrs["groups_without_terms"]`` lists them.

    Raises
    ------
    FigureDataError
        Fewer than two groups, or no group has a term.

    Returns
    -------
    (Figure, DataFrame)
        The :func:`~discourse.contrast.top_terms` table: ``group``, ``term``, ``log_odds``,
        ``variance``, ``z``, ``p``, ``p_adj``, ``count_group``, ``count_rest``,
        ``n_group``, ``n_rest``, and ``significant`` (``p_adj < 0.05``).

    Examples
    --------
    >>> from discourse import load_corpus
    >>> from discourse.contrast import speaker_words
    >>> fig, table = figure_distinctive_terms(load_corpus())
    >>> int(table.groupby("group").size().max())
    10
    >>> any(w in speaker_words() for t in table["term"] for w in t.split())
    False
    """
    from .contrast import distinctive_terms, top_terms

    if "group" not in corpus or corpus["group"].nunique() < 2:
        raise FigureDataError("distinctive terms need statements of two groups or more")
    case = resolve_case(corpus, corpus_name=corpus_name)
    full = distinctive_terms(corpus, by="group", min_count=min_count)
    table = top_terms(full, n_terms, exclude_speakers=True, collapse_nested=True)
    empty = list(table.attrs.get("groups_without_terms", []))
    if table.empty:
        raise FigureDataError(f"no term is used at least {min_count} times and more by one "
                              "group than by the rest (see contrast.distinctive_terms, "
                              "min_count); the corpus is too small")
    groups = [g for g in schema.GROUPS if g in set(full.attrs.get("groups", []))]
    table["group"] = pd.Categorical(table["group"].astype(str), categories=groups)
    table = (table.sort_values(["group", "z"], ascending=[True, False], kind="stable")
             .reset_index(drop=True))
    table["group"] = table["group"].astype(str)
    table["significant"] = table["p_adj"] < 0.05
    table.attrs["groups_without_terms"] = empty
    default = "Terms that set each group's statements apart from the others'"
    with style.figure_style():
        fig = _new_figure(_title(title, default), style.DOUBLE_COLUMN, 3.7, n=len(corpus))
        axes = fig.subplots(1, len(groups), squeeze=False)[0]
        top = float(table["z"].max()) if len(table) else 1.0
        rows = int(table.groupby("group").size().max())
        for ax, group in zip(axes, groups, strict=True):
            part = table[table["group"] == group]
            ax.set_title(style.display_name(group))
            if part.empty:
                ax.set_axis_off()
                ax.text(0.5, 0.5, f"No term used at least {min_count} times\nmore by this "
                        "group than by the rest", transform=ax.transAxes, ha="center",
                        va="center", fontsize=7, color="#555555", gid="no_terms")
                continue
            plots.plot_distinctive_terms(part, x="z", y="term", hue="group", ax=ax,
                                         group=group, n=n_terms, xlabel="z-score")
            ax.set_xlim(0, top * 1.45)
            ax.set_ylim(max(len(part), min(n_terms, rows)) - 0.5, -0.5)  # same bar heights
        n_sig = int(table["significant"].sum())
        missing = (f" No distinctive term: {', '.join(style.display_name(g) for g in empty)}."
                   if empty else "")
        _footnote(fig, f"{_source(case, corpus)} Each group against all other statements: "
                       "z-score of the weighted log-odds ratio of a term (word or two-word "
                       "phrase) with an informative Dirichlet prior (Monroe et al. 2008). "
                       "Labels: occurrences in the group's statements vs in the rest.\n"
                       f"Filled bars ({n_sig} of {len(table)}): significant at a 5% false "
                       "discovery rate (Benjamini-Hochberg); hollow: not. Speaker labels "
                       "(roles, organisation types, institutions: discourse/data/"
                       "speaker_words.txt) left out; of a word and a phrase containing it, "
                       f"the stronger shown.{missing}")
    columns = ["group", "term", "log_odds", "variance", "z", "p", "p_adj", "count_group",
               "count_rest", "n_group", "n_rest", "significant"]
    out = table[[c for c in columns if c in table.columns]]
    out.attrs["groups_without_terms"] = empty
    return fig, out


# -- 7 country comparison ------------------------------------------------------------------------


def figure_country_comparison(
    corpus: pd.DataFrame,
    min_statements: int = MIN_COUNTRY_STATEMENTS,
    *,
    topic: str | None = None,
    corpus_name: str | None = None,
    title: str | None = None,
) -> tuple[Figure, pd.DataFrame]:
    """Figure 7: net stance on restriction by country, split by group, with intervals.

    Countries with at least ``min_statements`` statements coded for stance, most first;
    global (``XX``) and EU-level statements are left out. Each country has one point per
    group (the net stance index of :func:`discourse.timeline.net_stance`, all dates
    pooled) with its 95 % adjusted Wald interval and ``n``, hollow below :data:`SMALL_N`:
    splitting by group keeps a country's mix of speakers out of its stance.

    Returns
    -------
    (Figure, DataFrame)
        ``country``, ``country_name``, ``group``, ``n``, ``opposes``, ``supports``,
        ``net``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> from discourse import load_corpus
    >>> fig, table = figure_country_comparison(load_corpus())
    >>> table["country"].iloc[0], sorted(table["group"].unique())
    ('PK', ['civil_society', 'industry', 'state'])
    """
    _require(corpus, stance=True)
    case = resolve_case(corpus, topic=topic, corpus_name=corpus_name)
    coded = _coded(corpus, "group", "country")
    codes = _country_codes(coded)
    sizes = codes[~codes.isin(_NOT_COUNTRIES)].value_counts()
    sizes = sizes[sizes >= min_statements]
    countries = sorted(sizes.index, key=lambda c: (-int(sizes[c]), c))
    if not countries:
        raise FigureDataError(f"no country has {min_statements} or more statements coded "
                              "for stance")
    chosen = coded[codes.isin(countries)].copy()
    chosen["country"] = chosen["country"].astype(str)
    groups = _groups_present(chosen)
    parts = []
    for group in groups:
        part = _drop_period(net_stance(chosen[chosen["group"] == group], "country", "all"))
        parts.append(part.assign(group=group))
    table = pd.concat(parts, ignore_index=True)
    table["country"] = pd.Categorical(table["country"], categories=countries)
    table["group"] = pd.Categorical(table["group"], categories=groups)
    table = table.sort_values(["country", "group"], kind="stable").reset_index(drop=True)
    table["country"] = table["country"].astype(str)
    table["group"] = table["group"].astype(str)
    table.insert(1, "country_name", table["country"].map(style.country_label))
    row_labels = {c: f"{style.country_label(c)} ({int(sizes[c])})" for c in countries}
    default = f"Net stance{_restricting(case)} by country and group"
    # more countries than fit one column of a page: two columns, the larger half left
    ncols = 2 if len(countries) > _COUNTRY_ROWS else 1
    per_column = int(np.ceil(len(countries) / ncols))
    columns = [countries[i:i + per_column] for i in range(0, len(countries), per_column)]
    with style.figure_style():
        fig = _new_figure(_title(title, default), style.DOUBLE_COLUMN,
                          1.6 + 0.42 * per_column, n=len(chosen))
        body = _body(fig)
        for ax, rows in zip(body.subplots(1, ncols, squeeze=False)[0], columns, strict=True):
            plots.plot_row_estimates(table[table["country"].isin(rows)], x="net",
                                     y="country", hue="group", ax=ax, y_order=rows,
                                     y_labels=row_labels, hue_order=groups, legend=False,
                                     xlabel="Net stance (oppose − support)",
                                     xlim=(-1.05, 1.05), dodge=0.26)
            if ncols > 1:
                ax.set_ylim(per_column - 0.5, -0.5)  # rows of the same height in both
                ax.set_xticks([-1, 0, 1], ["−1\nall\nsupport", "0", "+1\nall\noppose"])
            else:
                ax.set_xticks([-1, -0.5, 0, 0.5, 1],
                              ["−1\nall support", "−0.5", "0", "+0.5", "+1\nall oppose"])
        handles = [Line2D([], [], color=style.GROUP_COLORS.get(g, style.NEUTRAL_GREY),
                          marker="o", linestyle="none", label=style.display_name(g))
                   for g in groups]
        body.legend(handles=handles + _marker_handles(), loc="outside upper center",
                    ncols=len(groups) + 2, handlelength=1.0)
        _footnote(fig, f"{_source(case, chosen, 'statements coded for stance')} Countries "
                       f"with at least {min_statements} such statements (number in "
                       "brackets), all dates pooled; global and EU-level statements left "
                       f"out.\n{_NET_NOTE} {_n_note()}")
    columns = ["country", "country_name", "group", "n", "opposes", "supports", "net",
               "ci_low", "ci_high"]
    return fig, _whole_counts(table[columns])


# -- registry and files --------------------------------------------------------------------------

FIGURES: dict[str, FigureSpec] = {
    "statements_per_month": FigureSpec(
        "Statements about the case country per month, by group, with key events",
        figure_statements_per_month),
    "stance_over_time": FigureSpec(
        "Net stance on restriction over time, by group", figure_stance_over_time),
    "frame_heatmap": FigureSpec(
        "Share of each group's statements using each frame", figure_frame_heatmap),
    "frames_over_time": FigureSpec(
        "Frames over time: share of statements using each frame, by group",
        figure_frames_over_time),
    "themes_over_time": FigureSpec(
        "Themes over time: mean theme weight of statements, by group",
        figure_themes_over_time),
    "distinctive_terms": FigureSpec(
        "Terms that set each group's statements apart from the others'",
        figure_distinctive_terms),
    "country_comparison": FigureSpec(
        "Net stance on restriction by country and group", figure_country_comparison),
}

#: The keyword parameters :func:`build_figures` and :func:`write_figures` pass on, each to
#: the figures that take it.
FIGURE_PARAMS = ("case_country", "window", "period", "topic", "corpus_name", "n_themes",
                 "theme_labels", "n_terms", "min_statements", "min_count", "events")


def _write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write a tidy table: no index, floats rounded to 6 decimals, ISO dates, LF line ends."""
    out = table.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            out[name] = column.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(column):
            out[name] = column.round(6)
    text = out.to_csv(index=False, lineterminator="\n")
    path.write_bytes(text.encode("utf-8"))


def _param_text(value: Any) -> Any:
    """A figure parameter as JSON: text, numbers and lists as they are, others as text."""
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_param_text(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return f"table of {len(value)} rows"
    return str(value)


class BuiltFigures(NamedTuple):
    """The figures built from one corpus, ready to be saved by :func:`save_figures`."""

    #: Figure id -> (Figure, tidy table), in :data:`FIGURES` order.
    figures: dict[str, tuple[Figure, pd.DataFrame]]
    #: Figures the corpus cannot show: ``id``, ``title`` and ``reason`` each.
    skipped: list[dict[str, str]]


def _wanted(ids: Iterable[str] | None) -> list[str]:
    wanted = list(FIGURES) if ids is None else list(ids)
    unknown = [i for i in wanted if i not in FIGURES]
    if unknown:
        raise ValueError(f"unknown figure id(s): {', '.join(unknown)}; "
                         f"known: {', '.join(FIGURES)}")
    return [i for i in FIGURES if i in wanted]


def _check_params(params: dict[str, Any]) -> None:
    unknown = sorted(set(params) - set(FIGURE_PARAMS))
    if unknown:
        raise TypeError(f"unknown figure parameter(s): {', '.join(unknown)}; known: "
                        f"{', '.join(FIGURE_PARAMS)}")


def _call(build: Callable[..., tuple[Figure, pd.DataFrame]], corpus: pd.DataFrame,
          params: dict[str, Any]) -> tuple[Figure, pd.DataFrame]:
    """Call a figure function with the parameters it takes (None values left out)."""
    accepted = inspect.signature(build).parameters
    return build(corpus, **{k: v for k, v in params.items()
                            if k in accepted and v is not None})


def _progress_bar(total: int, progress: bool | None) -> Any:
    """A progress bar over the figures, on standard error, or None.

    As for reading a corpus (:func:`discourse.load_corpus`): ``progress=None`` shows it
    when standard error is a terminal (never in a notebook, a pipe or a log), True always,
    False never; ``TQDM_DISABLE=1`` turns it off, and without tqdm there is none.
    """
    if progress is None:
        try:
            progress = sys.stderr is not None and sys.stderr.isatty()
        except (AttributeError, ValueError):
            progress = False
    if os.environ.get("TQDM_DISABLE", "").strip().lower() not in ("", "0", "false", "no"):
        progress = False
    if not progress:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm is optional: no bar
        return None
    return tqdm(total=total, unit="figure", desc="figures", leave=False, file=sys.stderr)


def build_figures(
    corpus: pd.DataFrame,
    ids: Iterable[str] | None = None,
    *,
    theme_model: ThemeModel | None = None,
    progress: bool | None = None,
    **params: Any,
) -> BuiltFigures:
    """Build every figure of :data:`FIGURES` (or those in ``ids``) from a corpus.

    ``params`` (names in :data:`FIGURE_PARAMS`: ``case_country``, ``window``, ``period``,
    ``topic``, ``corpus_name``, ``n_themes``, ``theme_labels``, ``n_terms``,
    ``min_statements``, ``min_count``, ``events``) go to every figure function that takes
    them; None means the function's default. A figure whose function raises
    :class:`FigureDataError`, or another ``ValueError`` of an analysis that cannot be
    fitted to the corpus, is skipped with the reason. Warnings (a theme without a curated
    label) are raised as usual.

    Each costly model is fitted once per corpus: the theme model of figure 5 is
    ``theme_model`` if given (a :class:`~discourse.themes.ThemeModel` fitted to this
    corpus, e.g. by :func:`fit_theme_model`; its number of themes wins), else fitted
    by the figure; the term counts of figure 6 are built once, by that figure alone.
    ``progress`` shows a bar over the figures on standard error: by default only when it
    is a terminal (never in a notebook or a log), True always, False never;
    ``TQDM_DISABLE=1`` turns it off.

    Raises
    ------
    TypeError
        A parameter name not in :data:`FIGURE_PARAMS`.

    Examples
    --------
    >>> from discourse import load_corpus
    >>> built = build_figures(load_corpus(), ids=["frame_heatmap"], topic="encryption")
    >>> list(built.figures), built.skipped
    (['frame_heatmap'], [])
    >>> built.figures["frame_heatmap"][0].get_suptitle().split(":")[0]
    'How each group frames the regulation of encryption'
    """
    _check_params(params)
    wanted = _wanted(ids)
    built: dict[str, tuple[Figure, pd.DataFrame]] = {}
    skipped: list[dict[str, str]] = []
    bar = _progress_bar(len(wanted), progress)
    try:
        with style.figure_style():
            for fid in wanted:
                spec = FIGURES[fid]
                if bar is not None:
                    bar.set_postfix_str(fid)
                extra = ({"model": theme_model} if fid == "themes_over_time"
                         and theme_model is not None else {})
                try:
                    built[fid] = _call(spec.build, corpus, {**params, **extra})
                except ValueError as err:  # FigureDataError, or a model that cannot be fitted
                    skipped.append({"id": fid, "title": spec.title, "reason": str(err)})
                if bar is not None:
                    bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return BuiltFigures(built, skipped)


def _output_folder(out_dir: str | PathLike[str]) -> Path:
    """The folder to (re)place: ``out_dir`` itself, or the folder it links to. Refuse a
    path that is a file, lies below a file, or cannot be written (``OSError``)."""
    out = Path(out_dir)
    if out.is_symlink():
        out = out.resolve()
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(20, "exists and is not a folder", str(out))
    parent = out.parent
    for ancestor in [parent, *parent.parents]:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise NotADirectoryError(20, "lies below a file, not a folder", str(out))
            break
    parent.mkdir(parents=True, exist_ok=True)
    for folder in ([out] if out.exists() else []) + [parent]:
        if not os.access(folder, os.W_OK | os.X_OK):
            raise PermissionError(13, "is read-only", str(folder))
    return out


def _carry_over(old: Path, new: Path) -> None:
    """Copy what ``old`` holds and ``new`` does not (a skipped figure's files, anything the
    user put there) into ``new``; symbolic links are copied as links, never followed."""
    for entry in sorted(old.iterdir()):
        target = new / entry.name
        if target.exists() or target.is_symlink():
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, target, symlinks=True)
        else:
            shutil.copy2(entry, target, follow_symlinks=False)


def save_figures(
    built: BuiltFigures,
    corpus: pd.DataFrame,
    out_dir: str | PathLike[str],
    corpus_path: str | PathLike[str] | None = None,
    params: dict[str, Any] | None = None,
) -> dict:
    """Save built figures as PNG, SVG and CSV into ``out_dir``, with ``manifest.json``.

    ``corpus`` is the corpus they were built from (its digest and size go into the
    manifest). Files, manifest and return value are as described in :func:`write_figures`.

    Everything is written into a new folder beside ``out_dir`` (``.<name>.tmp-*``), with
    what ``out_dir`` already held and the new set does not replace (a skipped figure's old
    files, other files) copied over, symbolic links as links; only then does the new folder
    take the place of the old one (two renames, the old folder removed last). An interrupt
    or an error before that leaves ``out_dir`` as it was, its manifest true to its files,
    and no file is ever written through a symbolic link. If ``out_dir`` is itself a link
    to a folder, that folder is replaced.

    Raises
    ------
    OSError
        ``out_dir`` is a file, lies below a file, or cannot be written (``NotADirectoryError``,
        ``PermissionError``); nothing is written then.
    """
    out = _output_folder(out_dir)
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    staging = out.parent / f".{out.name}.tmp-{token}"
    os.mkdir(staging)  # mode 0o777 less the umask, like any new folder
    try:
        entries = []
        with style.figure_style():
            for fid, (fig, table) in built.figures.items():
                paths = [staging / f"{fid}.{ext}" for ext in ("png", "svg", "csv")]
                fig.savefig(paths[0], dpi=200, metadata={"Software": None})
                fig.savefig(paths[1], metadata={"Date": None})
                _write_csv(table, paths[2])
                files = [{"path": p.name, "sha256": file_sha256(p), "bytes": p.stat().st_size}
                         for p in paths]
                entries.append({"id": fid, "title": fig.get_suptitle().split("\n")[0],
                                "rows": int(len(table)), "files": files})
        manifest = {
            "version": __version__,
            "matplotlib_version": mpl.__version__,
            "corpus_sha256": file_sha256(corpus_path) if corpus_path is not None else None,
            "corpus_table_sha256": corpus_digest(corpus),
            "corpus_rows": int(len(corpus)),
            "params": {k: _param_text(v) for k, v in sorted((params or {}).items())
                       if v is not None},
            "figures": entries,
            "skipped": list(built.skipped),
        }
        text = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        (staging / "manifest.json").write_bytes(text.encode("utf-8"))
        if out.exists():
            _carry_over(out, staging)
            os.chmod(staging, stat.S_IMODE(out.stat().st_mode))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = out.parent / f".{out.name}.old-{token}" if out.exists() else None
    try:
        if retired is not None:
            os.rename(out, retired)
        os.rename(staging, out)
    except BaseException:
        if retired is not None and retired.exists() and not out.exists():
            os.rename(retired, out)  # put the old folder back
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)
    return manifest


def write_figures(
    corpus: pd.DataFrame,
    out_dir: str | PathLike[str],
    corpus_path: str | PathLike[str] | None = None,
    ids: Iterable[str] | None = None,
    *,
    theme_model: ThemeModel | None = None,
    progress: bool | None = None,
    **params: Any,
) -> dict:
    """Write every figure (or those in ``ids``) as PNG, SVG and CSV, and ``manifest.json``.

    :func:`build_figures`, then :func:`save_figures`. For a figure ``<id>``: ``<id>.png``
    (200 dpi), ``<id>.svg`` (text kept as text) and ``<id>.csv`` (the tidy data drawn: no
    index, floats rounded to 6 decimals, dates as ``YYYY-MM-DD``). The files carry no date
    or software stamp and SVG ids are salted with a fixed string, so the same corpus and
    the same matplotlib give the same bytes.

    Parameters
    ----------
    corpus : DataFrame
        A loaded corpus (:func:`discourse.load_corpus`).
    out_dir : path
        Folder to write into (created if missing); replaced as a whole at the end (see
        :func:`save_figures`), so an interrupted run leaves the previous set intact.
    corpus_path : path, optional
        The file or folder the corpus was read from; its SHA-256
        (:func:`discourse.paths.file_sha256`) goes into the manifest.
    ids : iterable of str, optional
        Figures to write, in :data:`FIGURES` order (default: all).
    theme_model : ThemeModel, optional
        The theme model of figure 5, already fitted to ``corpus``
        (:func:`fit_theme_model`); default: fitted by the figure.
    progress : bool, optional
        A progress bar over the figures (default: only on a terminal; see
        :func:`build_figures`).
    **params
        The case and wording (:data:`FIGURE_PARAMS`, see :func:`build_figures` and
        :func:`resolve_case`): ``case_country="IN"``, ``window=("2024-01-01",
        "2024-12-31")``, ``period="year"``, ``topic="social-media use"``,
        ``corpus_name=...``, ``theme_labels=...``.

    Returns
    -------
    dict
        The manifest, as written (JSON, sorted keys): ``version`` (of discourse),
        ``matplotlib_version``, ``corpus_sha256`` (None without ``corpus_path``),
        ``corpus_table_sha256`` (of the loaded table, in canonical CSV form),
        ``corpus_rows``, ``params`` (the parameters given, as text), ``figures``: per
        figure ``id``, ``title`` (as drawn, its first line), ``rows`` (of its
        table) and ``files`` (``path`` relative to ``out_dir``, ``sha256``, ``bytes``), and
        ``skipped``: figures the corpus cannot show (:class:`FigureDataError`, or another
        ``ValueError`` of an analysis that cannot be fitted to it), each with
        ``id``, ``title`` and ``reason``. A skipped figure's old files, if any, are left
        alone.

    Examples
    --------
    >>> import tempfile
    >>> from discourse import load_corpus
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     manifest = write_figures(load_corpus(), tmp, ids=["frame_heatmap"])
    >>> [f["path"] for f in manifest["figures"][0]["files"]]
    ['frame_heatmap.png', 'frame_heatmap.svg', 'frame_heatmap.csv']
    """
    _check_params(params)
    _output_folder(out_dir)  # refuse an unusable folder before the work of building
    built = build_figures(corpus, ids, theme_model=theme_model, progress=progress, **params)
    return save_figures(built, corpus, out_dir, corpus_path=corpus_path, params=params)
