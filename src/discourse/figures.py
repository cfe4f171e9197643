"""The publication figures: each a function from the corpus to (figure, data), and their files.

Every figure function takes a loaded corpus and returns a matplotlib ``Figure`` and the tidy
table drawn in it. :data:`FIGURES` lists them in reading order; :func:`write_figures`
(:func:`build_figures`, then :func:`save_figures`) writes each as PNG, SVG and CSV beside a
``manifest.json`` with the SHA-256 of every file, and two runs on the same corpus write the
same bytes.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import stat
import textwrap
from collections.abc import Callable, Iterable, Sequence
from os import PathLike
from pathlib import Path
from typing import NamedTuple

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D

from . import __version__, plots, schema, style
from .corpus import corpus_digest
from .paths import DATA_DIR, file_sha256
from .timeline import category_shares, counts_by_period, frame_shares, indicators, prevalence

__all__ = [
    "FOCUS_COUNTRY",
    "FOCUS_WINDOW",
    "ERA_STARTS",
    "N_THEMES",
    "N_TERMS",
    "MIN_COUNTRY_STATEMENTS",
    "FigureDataError",
    "FigureSpec",
    "FIGURES",
    "BuiltFigures",
    "load_events",
    "figure_statements_per_month",
    "figure_stance_over_time",
    "figure_frame_heatmap",
    "figure_frames_over_time",
    "figure_themes_over_time",
    "figure_distinctive_terms",
    "figure_country_comparison",
    "build_figures",
    "save_figures",
    "write_figures",
]

#: Figure 1 follows the trigger case: statements about Pakistan in this window (inclusive).
FOCUS_COUNTRY = "PK"
FOCUS_WINDOW = ("2024-01-01", "2025-06-30")
#: Over-time figures pool years into eras starting in these years (and one from the first
#: year of the corpus), the ``period`` of :func:`discourse.timeline.period_labels`: years
#: before 2024 hold too few statements per group to be read one by one.
ERA_STARTS: tuple[int, ...] = (2024, 2025, 2026)
#: Themes in figure 5: the number that ``discourse themes`` (stability, then coherence,
#: :func:`discourse.themes.choose_n_themes`) chose on the shipped corpus when last checked,
#: fixed here because choosing takes some 20 s. Re-check it when the corpus or the
#: features change.
N_THEMES = 9
#: Terms shown per group in figure 6.
N_TERMS = 10
#: Figure 7 shows the countries with at least this many statements (global and EU-level
#: statements left out).
MIN_COUNTRY_STATEMENTS = 8

_FOCUS_NAME = style.country_label(FOCUS_COUNTRY)
_CI_NOTE = "Bands: 95% Wilson intervals."
_FOOTNOTE_SIZE = 6.5


class FigureDataError(ValueError):
    """Raised by a figure function when the corpus lacks what the figure shows.

    A user corpus needs no stance, frames or country; :func:`write_figures` skips a figure
    that raises this and records why in the manifest.
    """


class FigureSpec(NamedTuple):
    """A registered figure: its title and the function that builds it from a corpus."""

    title: str
    build: Callable[[pd.DataFrame], tuple[Figure, pd.DataFrame]]


# -- shared helpers ----------------------------------------------------------------------------


def load_events(path: str | PathLike[str] | None = None) -> pd.DataFrame:
    """Return the key events of the Pakistan case (``discourse/data/events.csv``).

    Each row is documented by a statement of the shipped corpus (``statement_id``), whose
    date and source address it takes.

    Examples
    --------
    >>> load_events().columns.tolist()
    ['date', 'label', 'source_url', 'note', 'statement_id']
    """
    events = pd.read_csv(path or DATA_DIR / "events.csv", dtype=str, keep_default_na=False)
    events["date"] = pd.to_datetime(events["date"])
    return events


def _new_figure(title: str, width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
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


def _source(corpus: pd.DataFrame, what: str = "statements") -> str:
    return f"Source: discourse corpus, n = {len(corpus)} {what} ({_date_span(corpus)})."


def _drop_period(table: pd.DataFrame) -> pd.DataFrame:
    """A table of one pooled period, without its period columns."""
    return table.drop(columns=["period", "period_start"]).reset_index(drop=True)


def _era_note(corpus: pd.DataFrame, table: pd.DataFrame) -> str:
    """Say which years the first period pools and where the last year ends."""
    first = str(table.sort_values("period_start", kind="stable")["period"].iloc[0])
    last = corpus["date"].max()
    note = f"Years {first} are pooled (few statements per year)." if "–" in first else ""
    if (last.month, last.day) != (12, 31):
        note += f" {last.year} runs to {last.day} {last:%b}."
    return note.strip()


def _require(corpus: pd.DataFrame, *, stance: bool = False, frames: bool = False) -> None:
    """Raise :class:`FigureDataError` if no statement is coded for what a figure shows."""
    if stance and corpus["stance"].isna().all():
        raise FigureDataError("no statement is coded for stance")
    if frames and not any(len(f) for f in corpus["frames"]):
        raise FigureDataError("no statement is coded for frames")


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


def _n_ticks(ax, part: pd.DataFrame) -> None:
    """Label the period ticks of one panel with the period and its number of statements."""
    cells = part.drop_duplicates("period").sort_values("period_start")
    ax.set_xticks(range(len(cells)), [f"{p}\nn={n}" for p, n in zip(cells["period"],
                                                                     cells["n"], strict=True)])


def _over_time_panels(fig: Figure | SubFigure, table: pd.DataFrame, panel_col: str,
                      panels: Sequence[str], titles: dict[str, str], ncols: int,
                      groups: Sequence[str], ylabel: str = "Share of statements",
                      title_size: float | None = None) -> np.ndarray:
    """Panels of ``panel_col`` values, one line per group with its band (figures 4, 5).

    The group legend goes into the first unused cell of the grid, or above the panels.
    """
    nrows = int(np.ceil(len(panels) / ncols))
    grid = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
    axes = plots.plot_small_multiples(
        table, panel=panel_col, plot_func=plots.plot_shares_over_time, axes=grid,
        panels=panels, titles=titles,
        title_kwargs={"fontweight": "normal", **({"fontsize": title_size} if title_size else {})},
        x="period", y="share", hue="group", legend=False, ylabel="",
    )
    flat = grid.ravel()
    for ax in flat[: len(panels)]:
        ax.label_outer(remove_inner_ticks=False)
    for i, ax in enumerate(flat[: len(panels)]):
        if i + ncols >= len(panels):  # nothing drawn below: keep the period labels
            ax.xaxis.set_tick_params(labelbottom=True)
    for row in grid:
        row[0].set_ylabel(ylabel)
    handles = [Line2D([], [], color=style.GROUP_COLORS[g], marker="o", label=style.display_name(g))
               for g in groups]
    if len(flat) > len(panels):
        spare = flat[len(panels)]
        spare.set_visible(True)
        spare.set_axis_off()
        spare.legend(handles=handles, loc="center", title="Group", alignment="left")
    else:
        fig.legend(handles=handles, loc="outside upper center", ncols=len(handles),
                   handlelength=1.5)
    return axes


# -- 1 statements per month ----------------------------------------------------------------------


def figure_statements_per_month(corpus: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Figure 1: statements about Pakistan per month by group, with the case's key events.

    Covers :data:`FOCUS_WINDOW`; a corpus with no statement about :data:`FOCUS_COUNTRY` in
    it gets every statement, all dates, instead. The table's ``n`` adds up to the number
    of statements drawn.

    Returns
    -------
    (Figure, DataFrame)
        The table has ``group``, ``period`` (``"2024-11"``), ``period_start`` and ``n``.

    Examples
    --------
    >>> from discourse import load_corpus
    >>> fig, table = figure_statements_per_month(load_corpus())
    >>> list(table.columns)
    ['group', 'period', 'period_start', 'n']
    """
    start, end = (pd.Timestamp(d) for d in FOCUS_WINDOW)
    focus = corpus[(corpus["country"].astype(str) == FOCUS_COUNTRY)
                   & corpus["date"].between(start, end)]
    with style.figure_style():
        if len(focus):
            title = FIGURES["statements_per_month"].title
            months = pd.period_range(start, end, freq="M")
            events = load_events()
            events = events[events["date"].between(start, end)]
            events = events if len(events) else None
        else:
            focus = corpus
            title = "Statements on VPN regulation per month, all countries"
            months = pd.period_range(corpus["date"].min(), corpus["date"].max(), freq="M")
            events = None
        counts = counts_by_period(focus, "group", "month")
        groups = _groups_present(focus)
        grid = pd.MultiIndex.from_product([groups, months.astype(str)],
                                          names=["group", "period"])
        table = (counts.set_index(["group", "period"])["n"].reindex(grid, fill_value=0)
                 .reset_index())
        table.insert(2, "period_start", pd.PeriodIndex(table["period"], freq="M").start_time)
        table["n"] = table["n"].astype(int)

        # the key: two columns of one line per event, 6.5 pt with 1.35 line spacing
        key_height = np.ceil(len(events) / 2) * 6.5 * 1.35 / 72 if events is not None else 0
        fig = _new_figure(title, style.DOUBLE_COLUMN, 3.8 + key_height)
        if events is not None:
            ax, key = fig.subplots(2, 1, height_ratios=[3.0, key_height])
        else:
            ax, key = fig.subplots(1, 1), None
        plots.plot_counts_over_time(table, x="period_start", y="n", hue="group", ax=ax,
                                    events=events)
        if key is not None:
            plots.plot_event_key(events, x="date", y="label", ax=key, ncols=2, width=68,
                                 fontsize=6.5)
        total = int(table["n"].sum())
        if events is not None:
            all_focus = int((corpus["country"].astype(str) == FOCUS_COUNTRY).sum())
            note = (f"Source: discourse corpus; n = {total} of the {all_focus} statements "
                    f"about {style.country_label(FOCUS_COUNTRY)}. Statements dated only to "
                    "the month are counted in it.\nNumbered lines: events, each documented "
                    "by a statement of the corpus (discourse/data/events.csv).")
        else:
            note = _source(focus) + " Statements dated only to the month are counted in it."
        _footnote(fig, note)
    return fig, table[["group", "period", "period_start", "n"]]


# -- 2 stance over time --------------------------------------------------------------------------


def figure_stance_over_time(corpus: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Figure 2: share of each stance per group and period, one panel per group.

    Periods pool years (see :data:`ERA_STARTS`); bands are Wilson 95 % intervals;
    statements without a stance are left out. Each period tick carries its number of
    statements.

    Returns
    -------
    (Figure, DataFrame)
        :func:`discourse.timeline.category_shares` of ``stance`` by ``group`` over the
        periods: ``group``, ``period``, ``period_start``, ``stance``, ``n``, ``count``,
        ``share``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> from discourse import load_corpus
    >>> fig, table = figure_stance_over_time(load_corpus())
    >>> bool(table.groupby(["group", "period"])["share"].sum().round(6).eq(1).all())
    True
    """
    _require(corpus, stance=True)
    table = category_shares(corpus, "stance", by="group", period=ERA_STARTS)
    groups = [g for g in schema.GROUPS if g in set(table["group"])]
    with style.figure_style():
        fig = _new_figure(FIGURES["stance_over_time"].title, style.DOUBLE_COLUMN, 3.3)
        body = _body(fig)
        axes = body.subplots(1, len(groups), sharey=True, squeeze=False)[0]
        for ax, group in zip(axes, groups, strict=True):
            part = table[table["group"] == group]
            plots.plot_shares_over_time(part, x="period", y="share", hue="stance", ax=ax,
                                        hue_order=list(schema.STANCES), legend=False,
                                        ylabel="")
            ax.set_title(style.display_name(group))
            _n_ticks(ax, part)
        axes[0].set_ylabel("Share of statements")
        handles = [Line2D([], [], color=style.STANCE_COLORS[s], marker="o",
                          label=style.display_name(s)) for s in schema.STANCES]
        body.legend(handles=handles, loc="outside upper center", ncols=4, handlelength=1.5)
        _footnote(fig, f"{_source(corpus.dropna(subset=['stance']), 'coded statements')} "
                       f"{_era_note(corpus, table)} {_CI_NOTE}")
    columns = ["group", "period", "period_start", "stance", "n", "count", "share", "ci_low",
               "ci_high"]
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


def figure_frame_heatmap(corpus: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Figure 3: share of each group's statements that use each frame, numbers in the cells.

    A statement may use several frames, so a row does not add up to 100 %. The last row
    pools all statements; in each row the most used frame is printed in bold.

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
    with style.figure_style():
        fig = _new_figure(FIGURES["frame_heatmap"].title, style.DOUBLE_COLUMN, 2.7)
        ax = fig.subplots()
        plots.plot_heatmap(table, x="frame", y="group", hue="share", ax=ax, x_order=order,
                           y_order=rows, y_labels=row_labels, highlight_max=True,
                           rotate_xticks=0, fontsize=7.5)
        ax.set_xticks(range(len(order)), [style.display_name(f).replace(" / ", " /\n")
                                          for f in order])
        ax.axhline(len(rows) - 1.5, color="white", linewidth=2.5)
        _footnote(fig, f"{_source(corpus)} Cells: share of the row's statements coded with "
                       "the frame; a statement may carry several frames, so rows do not sum "
                       "to 100%.\nBold: the row's most used frame. Frames ordered by use "
                       "in the whole corpus.")
    columns = ["group", "frame", "n", "count", "share", "ci_low", "ci_high"]
    return fig, _whole_counts(table[columns])


# -- 4 frames over time --------------------------------------------------------------------------


def figure_frames_over_time(corpus: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Figure 4: share of statements using each frame per period, by group.

    One panel per frame (ordered by use), one line per group with its Wilson 95 % band:
    eight frames as lines of one panel would hide each other, while a panel per frame
    lets the three groups be compared directly. Periods pool years (:data:`ERA_STARTS`).

    Returns
    -------
    (Figure, DataFrame)
        ``group``, ``period``, ``period_start``, ``frame``, ``n``, ``count``, ``share``,
        ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> from discourse import load_corpus
    >>> fig, table = figure_frames_over_time(load_corpus())
    >>> sorted(table["frame"].unique()) == sorted(schema.FRAMES)
    True
    """
    _require(corpus, frames=True)
    table = frame_shares(corpus, "group", ERA_STARTS)
    order = _frame_order(corpus)
    groups = _groups_present(corpus)
    with style.figure_style():
        fig = _new_figure(FIGURES["frames_over_time"].title, style.DOUBLE_COLUMN, 5.6)
        body = _body(fig)
        _over_time_panels(body, table, "frame", order, {f: style.display_name(f) for f in order},
                          ncols=3, groups=groups)
        _footnote(fig, f"{_source(corpus)} Share of each group's statements in the period "
                       f"coded with the frame. {_era_note(corpus, table)} {_CI_NOTE}")
    columns = ["group", "period", "period_start", "frame", "n", "count", "share", "ci_low",
               "ci_high"]
    return fig, _whole_counts(table[columns])


# -- 5 themes over time --------------------------------------------------------------------------


def figure_themes_over_time(
    corpus: pd.DataFrame, n_themes: int = N_THEMES
) -> tuple[Figure, pd.DataFrame]:
    """Figure 5: mean weight of each theme in the statements of each group and period.

    Fits a :class:`discourse.themes.ThemeModel` with ``n_themes`` themes to all the
    statements (the themes of ``discourse themes``), then draws
    the mean weights (:meth:`~discourse.themes.ThemeModel.weight_table` aggregated by
    :func:`discourse.timeline.prevalence`) by group over the pooled periods: one panel
    per theme, one line per group with its bootstrap 95 % band (1,000 resamples, seed 0).

    Returns
    -------
    (Figure, DataFrame)
        ``group``, ``period``, ``period_start``, ``theme`` (id), ``label`` (the theme's
        top terms), ``n``, ``share`` (mean weight), ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> from discourse import load_corpus
    >>> fig, table = figure_themes_over_time(load_corpus(), n_themes=4)
    >>> int(table["theme"].nunique())
    4
    """
    from .themes import ThemeModel

    if len(corpus) < 2 * n_themes:
        raise FigureDataError(f"{n_themes} themes need {2 * n_themes} statements or more, "
                              f"not {len(corpus)}")
    texts = corpus["text"].astype(str).tolist()
    actors = corpus["actor"].astype(str).tolist() if "actor" in corpus else None
    model = ThemeModel(n_themes=n_themes, n_seeds=0, random_state=0).fit(texts, actors=actors)
    data = corpus.reset_index(drop=True)
    table = prevalence(data, model.weight_table(texts), "group", ERA_STARTS,
                       method="bootstrap", n_boot=1000, random_state=0)
    table = table.rename(columns={"variable": "label", "mean": "share"})
    table.insert(table.columns.get_loc("label"), "theme",
                 table["label"].map({lab: t for t, lab in enumerate(model.labels_)}))
    # panel titles: theme number and label, wrapped to the width of a panel
    names = {str(t): textwrap.fill(f"{int(t) + 1}. {lab}", 34, subsequent_indent="    ")
             for t, lab in zip(table["theme"], table["label"], strict=True)}
    table["panel"] = table["theme"].astype(str)
    panels = [str(t) for t in sorted(table["theme"].unique())]
    groups = _groups_present(corpus)
    with style.figure_style():
        fig = _new_figure(FIGURES["themes_over_time"].title, style.DOUBLE_COLUMN, 5.8)
        body = _body(fig)
        axes = _over_time_panels(body, table, "panel", panels, names,
                                 ncols=min(3, len(panels)), groups=groups,
                                 ylabel="Mean theme weight", title_size=8)
        top = float(table["ci_high"].max()) if len(table) else 1.0
        for ax in axes:
            ax.set_ylim(0, min(1.0, max(0.2, np.ceil(top * 10) / 10)))
        _footnote(fig, f"{_source(corpus)} Themes: NMF of TF-IDF features, {n_themes} themes, "
                       "named by their top terms; a statement's weights sum to 1.\n"
                       f"Lines: mean weight per group and period. {_era_note(corpus, table)} "
                       "Bands: bootstrap 95% intervals.")
    columns = ["group", "period", "period_start", "theme", "label", "n", "share", "ci_low",
               "ci_high"]
    return fig, _whole_counts(table[columns])


# -- 6 distinctive terms -------------------------------------------------------------------------


def figure_distinctive_terms(
    corpus: pd.DataFrame, n_terms: int = N_TERMS
) -> tuple[Figure, pd.DataFrame]:
    """Figure 6: the terms each group uses more than the others, as z-scores with counts.

    :func:`discourse.contrast.distinctive_terms` compares each group with the rest of the
    corpus; :func:`discourse.contrast.top_terms` keeps the ``n_terms`` of largest z per
    group. Each bar is labelled with the term's count in the group and in the rest.

    Returns
    -------
    (Figure, DataFrame)
        The :func:`~discourse.contrast.top_terms` table: ``group``, ``term``, ``log_odds``,
        ``variance``, ``z``, ``p``, ``p_adj``, ``count_group``, ``count_rest``,
        ``n_group``, ``n_rest``.

    Examples
    --------
    >>> from discourse import load_corpus
    >>> fig, table = figure_distinctive_terms(load_corpus())
    >>> int(table.groupby("group").size().max())
    10
    """
    from .contrast import distinctive_terms, top_terms

    if corpus["group"].nunique() < 2:
        raise FigureDataError("distinctive terms need statements of two groups or more")
    full = distinctive_terms(corpus, by="group")
    table = top_terms(full, n_terms).reset_index(drop=True)
    if table.empty:
        raise FigureDataError("no term is frequent enough to compare the groups (see "
                              "contrast.distinctive_terms, min_count); the corpus is too small")
    groups = [g for g in schema.GROUPS if g in set(table["group"].astype(str))]
    table["group"] = pd.Categorical(table["group"].astype(str), categories=groups)
    table = (table.sort_values(["group", "z"], ascending=[True, False], kind="stable")
             .reset_index(drop=True))
    table["group"] = table["group"].astype(str)
    with style.figure_style():
        fig = _new_figure(FIGURES["distinctive_terms"].title, style.DOUBLE_COLUMN, 3.6)
        axes = fig.subplots(1, len(groups), squeeze=False)[0]
        for ax, group in zip(axes, groups, strict=True):
            part = table[table["group"] == group]
            plots.plot_distinctive_terms(part, x="z", y="term", hue="group", ax=ax,
                                         group=group, n=n_terms, xlabel="z-score")
            ax.set_title(style.display_name(group))
        top = float(table["z"].max()) if len(table) else 1.0
        for ax in axes:
            ax.set_xlim(0, top * 1.45)
        _footnote(fig, f"{_source(corpus)} Each group against all other statements: z-score "
                       "of the weighted log-odds ratio of a term (word or two-word phrase) "
                       "with an informative Dirichlet prior (Monroe et al. 2008).\n"
                       "Labels: occurrences in the group's statements vs in the rest. Pale "
                       "bars: not significant at a 5% false discovery rate "
                       "(Benjamini-Hochberg).")
    columns = ["group", "term", "log_odds", "variance", "z", "p", "p_adj", "count_group",
               "count_rest", "n_group", "n_rest"]
    return fig, table[[c for c in columns if c in table.columns]]


# -- 7 country comparison ------------------------------------------------------------------------


def figure_country_comparison(
    corpus: pd.DataFrame, min_statements: int = MIN_COUNTRY_STATEMENTS
) -> tuple[Figure, pd.DataFrame]:
    """Figure 7: stance shares and frame use by country, all dates pooled.

    Countries with at least ``min_statements`` statements, most statements first; global
    (``XX``) and EU-level statements are left out. Left, the shares of the stances; right,
    the share of statements using each frame, the country's most used frame in bold.

    Returns
    -------
    (Figure, DataFrame)
        ``country``, ``country_name``, ``measure`` (``stance`` or ``frame``), ``code``,
        ``n``, ``count``, ``share``, ``ci_low``, ``ci_high`` (Wilson 95 %).

    Examples
    --------
    >>> from discourse import load_corpus
    >>> fig, table = figure_country_comparison(load_corpus())
    >>> table["country"].iloc[0]
    'PK'
    """
    _require(corpus, stance=True, frames=True)
    codes = corpus["country"].astype(object).where(corpus["country"].notna(), "")
    sizes = codes[~codes.isin(["XX", "EU", ""])].value_counts()
    sizes = sizes[sizes >= min_statements]
    countries = sorted(sizes.index, key=lambda c: (-int(sizes[c]), c))
    if not countries:
        raise FigureDataError(f"no country has {min_statements} or more statements")
    chosen = corpus[codes.isin(countries)].copy()
    chosen["country"] = chosen["country"].astype(str)
    stances = _drop_period(category_shares(chosen, "stance", by="country", period="all"))
    stances = stances.rename(columns={"stance": "code"}).assign(measure="stance")
    frames = _drop_period(frame_shares(chosen, "country", "all"))
    frames = frames.rename(columns={"frame": "code"}).assign(measure="frame")
    table = pd.concat([stances, frames], ignore_index=True)
    table["country"] = pd.Categorical(table["country"], categories=countries)
    table["measure"] = pd.Categorical(table["measure"], categories=["stance", "frame"])
    table = (table.sort_values(["country", "measure"], kind="stable").reset_index(drop=True))
    table["country"] = table["country"].astype(str)
    table["measure"] = table["measure"].astype(str)
    table.insert(1, "country_name", table["country"].map(style.country_label))
    row_labels = {c: f"{style.country_label(c)} ({int(sizes[c])})" for c in countries}
    with style.figure_style():
        title = FIGURES["country_comparison"].title.replace(
            str(MIN_COUNTRY_STATEMENTS), str(min_statements))
        fig = _new_figure(title, style.DOUBLE_COLUMN, 3.8)
        axes = fig.subplots(1, 2, width_ratios=[1.0, 1.3])
        plots.plot_country_comparison(table, x="share", y="country", hue="code", axes=axes,
                                      y_order=countries, y_labels=row_labels,
                                      frames=_frame_order(corpus))
        for ax in axes:
            ax.set_title(ax.get_title(loc="left"), loc="left", fontweight="normal")
        _footnote(fig, f"{_source(chosen)} Countries with at least {min_statements} "
                       "statements (number in brackets); global and EU-level statements "
                       "left out.\nA statement may use several frames; bold: the country's "
                       "most used frame. Legality: legality / governance; morality: "
                       "morality / religion.")
    columns = ["country", "country_name", "measure", "code", "n", "count", "share", "ci_low",
               "ci_high"]
    return fig, _whole_counts(table[columns])


# -- registry and files --------------------------------------------------------------------------

FIGURES: dict[str, FigureSpec] = {
    "statements_per_month": FigureSpec(
        f"{_FOCUS_NAME}: statements on VPN regulation per month, "
        f"{pd.Timestamp(FOCUS_WINDOW[0]):%b %Y} – {pd.Timestamp(FOCUS_WINDOW[1]):%b %Y}",
        figure_statements_per_month),
    "stance_over_time": FigureSpec(
        "Stance on restricting VPNs over time, by group (all countries)",
        figure_stance_over_time),
    "frame_heatmap": FigureSpec(
        "How each group frames VPN regulation: share of statements using each frame",
        figure_frame_heatmap),
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
        f"Stance and frames by country (countries with at least {MIN_COUNTRY_STATEMENTS} "
        "statements)", figure_country_comparison),
}


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


def build_figures(corpus: pd.DataFrame, ids: Iterable[str] | None = None) -> BuiltFigures:
    """Build every figure of :data:`FIGURES` (or those in ``ids``) from a corpus.

    A figure whose function raises :class:`FigureDataError`, or another ``ValueError`` of
    an analysis that cannot be fitted to the corpus, is skipped with the reason.

    Examples
    --------
    >>> from discourse import load_corpus
    >>> built = build_figures(load_corpus(), ids=["frame_heatmap"])
    >>> list(built.figures), built.skipped
    (['frame_heatmap'], [])
    """
    built: dict[str, tuple[Figure, pd.DataFrame]] = {}
    skipped: list[dict[str, str]] = []
    with style.figure_style():
        for fid in _wanted(ids):
            spec = FIGURES[fid]
            try:
                built[fid] = spec.build(corpus)
            except ValueError as err:  # FigureDataError, or a model that cannot be fitted
                skipped.append({"id": fid, "title": spec.title, "reason": str(err)})
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
                entries.append({"id": fid, "title": FIGURES[fid].title,
                                "rows": int(len(table)), "files": files})
        manifest = {
            "version": __version__,
            "matplotlib_version": mpl.__version__,
            "corpus_sha256": file_sha256(corpus_path) if corpus_path is not None else None,
            "corpus_table_sha256": corpus_digest(corpus),
            "corpus_rows": int(len(corpus)),
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

    Returns
    -------
    dict
        The manifest, as written (JSON, sorted keys): ``version`` (of discourse),
        ``matplotlib_version``, ``corpus_sha256`` (None without ``corpus_path``),
        ``corpus_table_sha256`` (of the loaded table, in canonical CSV form),
        ``corpus_rows``, ``figures``: per figure ``id``, ``title``, ``rows`` (of its
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
    _output_folder(out_dir)  # refuse an unusable folder before the work of building
    built = build_figures(corpus, ids)
    return save_figures(built, corpus, out_dir, corpus_path=corpus_path)
