"""Pure drawing functions: a tidy table and an Axes in, the Axes out; no fitting, no loading.

Every function reads the tidy tables made by :mod:`discourse.timeline`,
:mod:`discourse.contrast` and :mod:`discourse.themes` as they are, and has one shape::

    plot_xxx(data, *, x=..., y=..., hue=..., ax=None, <options>) -> Axes

``x``, ``y`` and ``hue`` name columns of ``data`` (each with a default that fits the table
the function is made for); ``hue`` is the column mapped to colour. The function draws on
``ax`` (the current Axes when None, the matplotlib convention) and returns it. Orders and
tick or legend labels are options named after the column they apply to (``x_order``,
``hue_order``, ``y_labels``, ``hue_labels``). The two multi-panel functions,
:func:`plot_small_multiples` and :func:`plot_country_comparison`, take ``axes=None`` and
return an array of Axes. Colours and labels come from :mod:`discourse.style`; wrap calls in
:func:`discourse.style.figure_style` for the house look.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from . import style

__all__ = [
    "plot_counts_over_time",
    "plot_event_key",
    "plot_shares_over_time",
    "plot_period_estimates",
    "plot_heatmap",
    "plot_small_multiples",
    "plot_distinctive_terms",
    "plot_stacked_shares",
    "plot_country_comparison",
    "plot_row_estimates",
    "plot_scores_with_intervals",
    "plot_coverage_curve",
]

EVENT_COLOR = "#444444"


# -- helpers -----------------------------------------------------------------------------------


def _get_ax(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.gca()


def _ordered_unique(values: pd.Series) -> list:
    return list(dict.fromkeys(values.tolist()))


def _colors_for(codes: Sequence[str], colors: Mapping[str, str] | None) -> dict[str, str]:
    known = {**style.GROUP_COLORS, **style.STANCE_COLORS, **style.FRAME_COLORS}
    known.update(colors or {})
    fallback = list(style.FRAME_COLORS.values())
    return {c: known.get(str(c), fallback[i % len(fallback)]) for i, c in enumerate(codes)}


def _label_for(code: Any, labels: Mapping[str, str] | None) -> str:
    if labels and code in labels:
        return labels[code]
    return style.display_name(str(code))


def _is_datetime(values: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(values)


def _x_values(table: pd.DataFrame, x: str) -> tuple[pd.Series, list | None]:
    """Return x positions for ``table[x]``: dates as they are, other values as 0, 1, ...

    For non-dates the order is that of ``period_start`` when the table has it, else the
    order of first appearance; the second item is that order (tick labels), None for dates.
    """
    if _is_datetime(table[x]):
        return table[x], None
    if "period_start" in table and x != "period_start":
        order = _ordered_unique(table.sort_values("period_start", kind="stable")[x])
    else:
        order = _ordered_unique(table[x])
    position = {v: i for i, v in enumerate(order)}
    return table[x].map(position).astype(float), order


def _text_color(rgb: Sequence[float]) -> str:
    """Black or white, whichever reads better on a cell of colour ``rgb`` (WCAG luminance)."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "white" if luminance < 0.35 else "#222222"


def _spread(positions: Sequence[float], gap: float, lo: float = 0.0, hi: float = 1.0) -> list:
    """Move sorted 1-D label positions apart by at least ``gap``, each cluster centred on the
    mean of its members' wanted positions and kept within ``[lo, hi]``."""
    blocks: list[list[float]] = []  # each block: wanted positions of its members
    starts: list[float] = []

    def start_of(members: list[float]) -> float:
        width = (len(members) - 1) * gap
        return min(max(float(np.mean(members)) - width / 2, lo), max(hi - width, lo))

    for pos in positions:
        blocks.append([pos])
        starts.append(start_of([pos]))
        while len(blocks) > 1 and starts[-2] + len(blocks[-2]) * gap > starts[-1]:
            merged = blocks[-2] + blocks[-1]
            blocks[-2:] = [merged]
            starts[-2:] = [start_of(merged)]
    out: list[float] = []
    for members, start in zip(blocks, starts, strict=True):
        out.extend(start + i * gap for i in range(len(members)))
    return out


def _axes_width_points(ax: Axes) -> float:
    """Width of the Axes in points, as laid out so far (works inside sub-figures too)."""
    return ax.get_window_extent().width * 72.0 / ax.figure.dpi


# -- counts and events -------------------------------------------------------------------------


def _draw_estimates(ax: Axes, xs, ys, sizes, *, color: str, small_n: int, label_n: bool,
                    skip, n_fontsize: float, xytext: tuple[float, float], ha: str,
                    rotation: float = 0) -> None:
    """Draw one marker per estimate (hollow below ``small_n``) and, if asked, its n."""
    for xi, yi, size, skipped in zip(xs, ys, sizes, skip, strict=True):
        if skipped:
            continue
        small = int(size) < small_n
        ax.plot([xi], [yi], linestyle="none", marker="o", markersize=4.2,
                markerfacecolor="white" if small else color, markeredgecolor=color,
                markeredgewidth=1.0, zorder=4, gid="small_n" if small else "estimate")
        if label_n:
            ax.annotate(str(int(size)), (xi, yi), xytext=xytext, textcoords="offset points",
                        fontsize=n_fontsize, color="#333333", ha=ha, va="bottom",
                        rotation=rotation, zorder=5, gid="n_label")


def plot_counts_over_time(
    data: pd.DataFrame,
    *,
    x: str = "period_start",
    y: str = "n",
    hue: str = "group",
    ax: Axes | None = None,
    events: pd.DataFrame | None = None,
    stacked: bool = True,
    colors: Mapping[str, str] | None = None,
    hue_labels: Mapping[str, str] | None = None,
    ylabel: str | None = None,
    event_style: str = "number",
    legend: bool = True,
) -> Axes:
    """Draw statement counts per period, one colour per ``by`` value, with event markers.

    Parameters
    ----------
    data : DataFrame
        As made by :func:`discourse.timeline.counts_by_period`: a ``hue`` column,
        ``period_start`` (dates) and ``n``.
    x, y, hue : str
        Columns of the period's first day, the count and the series (one colour each).
    ax : Axes, optional
    events : DataFrame, optional
        ``date`` and ``label`` columns (as in ``discourse/data/events.csv``). Each event is
        a dashed vertical line. With ``event_style="number"`` the lines carry numbers
        1, 2, ... in date order (spread apart above the plot when events are close; pair
        with :func:`plot_event_key`); with ``"text"`` they carry their labels, rotated.
    stacked : bool, default True
        Stacked bars (True) or one line per value (False).
    colors, hue_labels : mapping, optional
        Override :data:`discourse.style.GROUP_COLORS` and the labels of the codes.
    ylabel : str, optional
        Default ``"Statements per month"`` for monthly periods, else ``"Statements per
        period"``.
    event_style : {"number", "text"}
    legend : bool, default True

    Returns
    -------
    Axes

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> from discourse import load_corpus
    >>> from discourse.timeline import counts_by_period
    >>> table = counts_by_period(load_corpus(), "group", "month")
    >>> ax = plot_counts_over_time(table, ax=ax)
    >>> ax.get_ylabel()
    'Statements per month'
    """
    if event_style not in ("number", "text"):
        raise ValueError(f"event_style must be 'number' or 'text', not {event_style!r}")
    ax = _get_ax(ax)
    wide = data.pivot_table(index=x, columns=hue, values=y, aggfunc="sum", sort=False,
                            observed=True).fillna(0).sort_index()
    codes = _ordered_unique(data[hue])
    wide = wide.reindex(columns=codes, fill_value=0)
    starts = pd.DatetimeIndex(wide.index)
    steps = np.diff(starts.values).astype("timedelta64[D]").astype(float)
    span = float(np.median(steps)) if len(steps) else 30.0
    width = 0.85 * span
    left = mdates.date2num(starts) + 0.075 * span
    color = _colors_for(codes, colors)
    bottom = np.zeros(len(wide))
    for code in codes:
        values = wide[code].to_numpy(dtype=float)
        name = _label_for(code, hue_labels)
        if stacked:
            ax.bar(left, values, width=width, bottom=bottom, align="edge", color=color[code],
                   label=name, linewidth=0)
            bottom = bottom + values
        else:
            ax.plot(left + width / 2, values, color=color[code], label=name, marker="o")
    end = mdates.date2num(starts[-1]) + span if len(starts) else 1.0
    ax.set_xlim(mdates.date2num(starts[0]) if len(starts) else 0.0, end)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
    ax.grid(axis="x", visible=False)
    ax.set_ylim(0, None)
    ax.yaxis.get_major_locator().set_params(integer=True)
    if ylabel is None:
        ylabel = "Statements per month" if 27 <= span <= 32 else "Statements per period"
    ax.set_ylabel(ylabel)
    if events is not None and len(events):
        _draw_events(ax, events, event_style)
    if legend and len(codes) > 1:
        handles, names = ax.get_legend_handles_labels()
        if stacked:  # list the legend in the order of the stack, top first
            handles, names = handles[::-1], names[::-1]
        ax.legend(handles, names, loc="upper left", ncols=1, handlelength=1.0,
                  borderaxespad=0.2)
    return ax


def _event_frame(events: pd.DataFrame) -> pd.DataFrame:
    out = events.copy()
    out["date"] = pd.to_datetime(out["date"])
    out = out.sort_values("date", kind="stable").reset_index(drop=True)
    if "number" not in out:
        out["number"] = np.arange(1, len(out) + 1)
    return out


def _draw_events(ax: Axes, events: pd.DataFrame, event_style: str) -> None:
    events = _event_frame(events)
    lo, hi = ax.get_xlim()
    inside = events[(mdates.date2num(events["date"]) >= lo) & (mdates.date2num(events["date"])
                                                               <= hi)]
    trans = ax.get_xaxis_transform()
    for date in inside["date"]:
        ax.axvline(date, color=EVENT_COLOR, linewidth=0.6, linestyle=(0, (3, 2)), zorder=3)
    if event_style == "text":
        for date, text in zip(inside["date"], inside["label"], strict=True):
            ax.text(date, 0.98, " " + str(text), transform=trans, rotation=90, ha="right",
                    va="top", fontsize=6.5, color=EVENT_COLOR, zorder=4)
        return
    wanted = (mdates.date2num(inside["date"]) - lo) / (hi - lo)
    gap = 11.0 / max(_axes_width_points(ax), 1.0)
    placed = _spread(list(wanted), gap, 0.0, 1.0)
    for date, number, where in zip(inside["date"], inside["number"], placed, strict=True):
        ax.annotate(
            str(number), xy=(mdates.date2num(date), 1.0), xycoords=trans, xytext=(where, 1.07),
            textcoords="axes fraction", ha="center", va="bottom", fontsize=6.5,
            color=EVENT_COLOR, annotation_clip=False,
            bbox={"boxstyle": "circle,pad=0.2", "facecolor": "white",
                  "edgecolor": EVENT_COLOR, "linewidth": 0.6},
            arrowprops={"arrowstyle": "-", "color": EVENT_COLOR, "linewidth": 0.6,
                        "shrinkA": 0, "shrinkB": 0},
        )


def plot_event_key(
    data: pd.DataFrame,
    *,
    x: str = "date",
    y: str = "label",
    ax: Axes | None = None,
    ncols: int = 2,
    width: int = 58,
    date_format: str = "{day} %b %Y",
    fontsize: float = 7.0,
) -> Axes:
    """Write the numbered list of events that :func:`plot_counts_over_time` marks.

    ``data`` holds one event per row: its date in column ``x`` and its text in ``y``. The
    Axes is turned off and used as a text box: ``number  date  label`` per event, in
    ``ncols`` columns, labels wrapped at ``width`` characters. ``date_format`` is a
    ``strftime`` format in which ``{day}`` stands for the day without a leading zero.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> events = pd.DataFrame({"date": ["2024-11-15"], "label": ["Letter to PTA"]})
    >>> plot_event_key(events, ax=ax).texts[0].get_text()
    '1  15 Nov 2024  Letter to PTA'
    """
    ax = _get_ax(ax)
    events = _event_frame(data.rename(columns={x: "date", y: "label"}))
    ax.set_axis_off()
    entries = []
    for number, date, text in zip(events["number"], events["date"], events["label"],
                                  strict=True):
        head = f"{number}  {date.strftime(date_format.replace('{day}', str(date.day)))}  "
        lines = textwrap.wrap(str(text), width=max(width - len(head), 10))
        entries.append(head + "\n      ".join(lines))
    per_column = int(np.ceil(len(entries) / ncols)) if entries else 0
    for col in range(ncols):
        chunk = entries[col * per_column:(col + 1) * per_column]
        if chunk:
            ax.text(col / ncols, 1.0, "\n".join(chunk), transform=ax.transAxes, ha="left",
                    va="top", fontsize=fontsize, color="#222222", linespacing=1.35)
    return ax


# -- shares ------------------------------------------------------------------------------------


def plot_shares_over_time(
    data: pd.DataFrame,
    *,
    x: str = "period_start",
    y: str = "share",
    hue: str = "stance",
    ax: Axes | None = None,
    ci: tuple[str, str] | None = ("ci_low", "ci_high"),
    hue_order: Sequence[str] | None = None,
    colors: Mapping[str, str] | None = None,
    hue_labels: Mapping[str, str] | None = None,
    ylabel: str = "Share of statements",
    legend: bool = True,
) -> Axes:
    """Draw one line per category with its confidence band, shares on a 0-100 % axis.

    Parameters
    ----------
    data : DataFrame
        Tidy, one row per category x period: as made by
        :func:`discourse.timeline.category_shares` (``share``, ``ci_low``, ``ci_high``) or
        :func:`discourse.timeline.prevalence` (``mean``). Filter it to one group first (or
        use :func:`plot_small_multiples`).
    x : str, default "period_start"
        Dates are drawn on a time axis; any other column (e.g. period labels) as evenly
        spaced categories in the order of ``period_start``.
    y, hue : str
        The value drawn and the column naming the lines.
    ax : Axes, optional
    ci : (str, str) or None
        Columns of the band's lower and upper bounds; None draws no band.
    hue_order : sequence of str, optional
        Which lines, in which order (default: order of appearance).
    colors, hue_labels : mapping, optional
    ylabel : str
    legend : bool

    Returns
    -------
    Axes

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> from discourse import load_corpus
    >>> from discourse.timeline import category_shares
    >>> shares = category_shares(load_corpus(), "stance", period="year")
    >>> ax = plot_shares_over_time(shares[shares["group"] == "state"], y="share", hue="stance",
    ...                            ax=ax)
    >>> len(ax.get_lines())
    4
    """
    ax = _get_ax(ax)
    xs, order = _x_values(data, x)
    placed = data.assign(_x=xs.to_numpy())
    codes = list(hue_order) if hue_order is not None else _ordered_unique(data[hue])
    color = _colors_for(codes, colors)
    for code in codes:
        part = placed[placed[hue] == code].sort_values("_x")
        if part.empty:
            continue
        ax.plot(part["_x"], part[y], color=color[code], marker="o",
                label=_label_for(code, hue_labels), zorder=3)
        if ci is not None:
            ax.fill_between(part["_x"], part[ci[0]].astype(float), part[ci[1]].astype(float),
                            color=color[code], alpha=0.12, linewidth=0, zorder=2)
    if order is not None:
        ax.set_xticks(range(len(order)), [str(v) for v in order])
        ax.set_xlim(-0.3, len(order) - 0.7)
        ax.grid(axis="x", visible=False)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel(ylabel)
    if legend:
        ax.legend(loc="best", handlelength=1.2)
    return ax


def plot_period_estimates(
    data: pd.DataFrame,
    *,
    x: str = "period",
    y: str = "share",
    hue: str = "group",
    ax: Axes | None = None,
    ci: tuple[str, str] | None = ("ci_low", "ci_high"),
    n: str | None = "n",
    pooled: str | None = "pooled",
    hue_order: Sequence[str] | None = None,
    colors: Mapping[str, str] | None = None,
    hue_labels: Mapping[str, str] | None = None,
    ylabel: str = "Share of statements",
    ylim: tuple[float, float] | None = (0.0, 1.0),
    percent: bool = True,
    legend: bool = True,
    small_n: int = style.SMALL_N,
    dodge: float = 0.2,
    n_fontsize: float = 5.5,
    n_rotation: float = 0.0,
) -> Axes:
    """Draw one estimate per period and ``hue`` value, with its interval and its ``n``.

    Periods are evenly spaced slots in the order of ``period_start`` (or of appearance),
    the ``hue`` values side by side within a slot (``dodge``, in slot widths). Each
    estimate is a marker with a vertical interval bar (no bands, which overlap) and the
    number of statements it rests on beside it; a marker drawn from fewer than ``small_n``
    statements is hollow. Markers of consecutive one-unit periods (years, months) are
    joined by lines; a *pooled* period (several years drawn as one, ``data[pooled]``
    True) is drawn as a horizontal segment across its whole slot, never joined to its
    neighbours, and its tick says ``pooled``.

    Artists carry ids a test or a reader can find: n labels ``gid="n_label"``, hollow
    markers ``"small_n"``, filled markers ``"estimate"``, pooled segments ``"pooled"``, lines
    joining periods ``"join"``.

    Parameters
    ----------
    data : DataFrame
        Tidy, one row per period x ``hue`` value: ``x``, ``y``, the ``ci`` columns, ``n``
        and, optionally, ``pooled`` and ``period_start``.
    x, y, hue : str
        Period label, estimate and series columns.
    ax : Axes, optional
    ci : (str, str) or None
        Interval columns; None draws none.
    n : str or None
        Column of the number of statements (labels and hollow markers); None: neither.
    pooled : str or None
        Boolean column marking pooled periods (ignored when absent).
    hue_order, colors, hue_labels
        Which series, in which order, their colours and legend labels.
    ylabel : str
    ylim : (float, float) or None
    percent : bool, default True
        Tick labels as percentages.
    legend : bool
    small_n : int, default :data:`discourse.style.SMALL_N`
    dodge : float
        Horizontal distance between the series of one slot.
    n_fontsize, n_rotation : float
        Size and angle of the n labels (90 stacks them upright in narrow panels).

    Returns
    -------
    Axes

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> toy = pd.DataFrame({"period": ["2011–23", "2024", "2025"], "group": ["state"] * 3,
    ...                     "share": [0.2, 0.5, 0.4], "ci_low": [0.1, 0.4, 0.1],
    ...                     "ci_high": [0.4, 0.6, 0.8], "n": [30, 50, 6],
    ...                     "pooled": [True, False, False]})
    >>> ax = plot_period_estimates(toy, ax=ax)
    >>> sorted(t.get_text() for t in ax.texts if t.get_gid() == "n_label")
    ['30', '50', '6']
    >>> [line.get_gid() for line in ax.lines if line.get_gid() == "small_n"]
    ['small_n']
    """
    ax = _get_ax(ax)
    if "period_start" in data and x != "period_start":
        slots = _ordered_unique(data.sort_values("period_start", kind="stable")[x])
    else:
        slots = _ordered_unique(data[x])
    position = {v: i for i, v in enumerate(slots)}
    is_pooled = (data[pooled].astype(bool) if pooled is not None and pooled in data
                 else pd.Series(False, index=data.index))
    pooled_slots = {v for v, p in zip(data[x], is_pooled, strict=True) if p}
    codes = list(hue_order) if hue_order is not None else _ordered_unique(data[hue])
    codes = [c for c in codes if (data[hue] == c).any()]
    color = _colors_for(codes, colors)
    half = 0.42
    for k, code in enumerate(codes):
        offset = (k - (len(codes) - 1) / 2) * dodge
        part = data[data[hue] == code].assign(_slot=lambda d: d[x].map(position))
        part = part.sort_values("_slot", kind="stable")
        c = color[code]
        xs = part["_slot"].to_numpy(dtype=float) + offset
        ys = part[y].to_numpy(dtype=float)
        flags = part[x].isin(pooled_slots).to_numpy()
        # lines join consecutive one-unit periods only
        run: list[tuple[float, float]] = []
        last_slot = None
        for slot, xi, yi, flag in zip(part["_slot"], xs, ys, flags, strict=True):
            if flag or not np.isfinite(yi) or (last_slot is not None and slot != last_slot + 1):
                if len(run) > 1:
                    ax.plot(*zip(*run, strict=True), color=c, linewidth=1.2, zorder=2,
                            gid="join")
                run = []
            if not flag and np.isfinite(yi):
                run.append((xi, yi))
            last_slot = slot
        if len(run) > 1:
            ax.plot(*zip(*run, strict=True), color=c, linewidth=1.2, zorder=2, gid="join")
        for slot, yi, flag in zip(part["_slot"], ys, flags, strict=True):
            if flag and np.isfinite(yi):
                ax.hlines(yi, slot - half, slot + half, colors=c, linewidth=1.6, alpha=0.85,
                          zorder=2, gid="pooled")
        if ci is not None:
            ax.vlines(xs, part[ci[0]].astype(float), part[ci[1]].astype(float), colors=c,
                      linewidth=0.8, alpha=0.8, zorder=2)
        sizes = part[n].to_numpy() if n is not None else np.full(len(part), small_n)
        _draw_estimates(ax, xs, ys, sizes, color=c, small_n=small_n, label_n=n is not None,
                        skip=~np.isfinite(ys), n_fontsize=n_fontsize,
                        xytext=(2.5, 2.5) if not n_rotation else (0, 4),
                        ha="left" if not n_rotation else "center", rotation=n_rotation)
        ax.plot([], [], color=c, marker="o", label=_label_for(code, hue_labels))
    ax.set_xticks(range(len(slots)), [f"{v}\n(pooled)" if v in pooled_slots else str(v)
                                      for v in slots])
    ax.set_xlim(-0.5, len(slots) - 0.5)
    ax.grid(axis="x", visible=False)
    if ylim is not None:
        ax.set_ylim(*ylim)
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel(ylabel)
    if legend:
        ax.legend(loc="best", handlelength=1.2)
    return ax


def plot_small_multiples(
    data: pd.DataFrame,
    *,
    panel: str,
    plot_func: Callable[..., Axes],
    axes: Sequence[Axes] | np.ndarray | None = None,
    fig: Figure | None = None,
    ncols: int | None = None,
    panels: Sequence[str] | None = None,
    titles: Mapping[str, str] | None = None,
    title_kwargs: Mapping[str, Any] | None = None,
    sharey: bool = True,
    **kwargs: Any,
) -> np.ndarray:
    """Draw one panel per value of ``panel`` with ``plot_func(subtable, ax=ax, **kwargs)``.

    Give either ``axes`` (a grid made by the caller, at least one Axes per panel) or ``fig``
    (panels are made with ``fig.subplots``, ``ncols`` per row, x shared and y shared when
    ``sharey``); with neither, the current figure is used. Unused Axes are hidden, and
    with shared axes only the outer panels keep their tick labels.

    Parameters
    ----------
    data : DataFrame
        Tidy table holding every panel.
    panel : str
        Column whose values become panels (``group``, ``frame``...).
    plot_func : callable
        A function of this module, e.g. :func:`plot_shares_over_time`.
    axes, fig, ncols
        Where to draw (see above); ``ncols`` defaults to the number of panels, at most 4.
    panels : sequence, optional
        Panel values in order (default: order of appearance).
    titles : mapping, optional
        Panel titles (default: :func:`discourse.style.display_name` of the value).
    title_kwargs : mapping, optional
        Passed to ``Axes.set_title`` (e.g. ``{"fontweight": "normal"}``).
    sharey : bool
    **kwargs
        Passed on to ``plot_func``.

    Returns
    -------
    numpy.ndarray of Axes
        Flat, one per panel, in ``panels`` order.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from discourse import load_corpus
    >>> from discourse.timeline import category_shares
    >>> shares = category_shares(load_corpus(), "stance", period="year")
    >>> axes = plot_small_multiples(shares, panel="group", plot_func=plot_shares_over_time,
    ...                             fig=Figure(), y="share", hue="stance", legend=False)
    >>> [ax.get_title() for ax in axes]
    ['Civil society', 'Industry', 'State']
    """
    panels = list(panels) if panels is not None else _ordered_unique(data[panel])
    if axes is None:
        if fig is None:
            import matplotlib.pyplot as plt

            fig = plt.gcf()
        ncols = ncols or min(len(panels), 4) or 1
        nrows = int(np.ceil(len(panels) / ncols)) or 1
        grid = fig.subplots(nrows, ncols, sharex=True, sharey=sharey, squeeze=False)
        flat = list(grid.ravel())
        shared = True
    else:
        flat = list(np.asarray(axes, dtype=object).ravel())
        shared = False
    if len(flat) < len(panels):
        raise ValueError(f"{len(panels)} panels need as many Axes, got {len(flat)}")
    for ax, value in zip(flat, panels, strict=False):
        plot_func(data[data[panel] == value], ax=ax, **kwargs)
        ax.set_title(titles[value] if titles and value in titles else style.display_name(value),
                     **(title_kwargs or {}))
    for ax in flat[len(panels):]:
        ax.set_visible(False)
    if shared:
        for ax in flat[: len(panels)]:
            ax.label_outer(remove_inner_ticks=False)
    return np.array(flat[: len(panels)], dtype=object)


def plot_stacked_shares(
    data: pd.DataFrame,
    *,
    x: str = "share",
    y: str = "country",
    hue: str = "stance",
    ax: Axes | None = None,
    y_order: Sequence[str] | None = None,
    hue_order: Sequence[str] | None = None,
    y_labels: Mapping[str, str] | None = None,
    colors: Mapping[str, str] | None = None,
    hue_labels: Mapping[str, str] | None = None,
    annotate_min: float = 0.12,
    legend: str | None = "above",
) -> Axes:
    """Draw one horizontal 100 % bar per ``y`` value, split into the ``x`` shares of ``hue``.

    Segments of at least ``annotate_min`` carry their percentage. The first bar (of
    ``y_order``, default order of appearance) is drawn at the top. ``legend`` is
    ``"above"`` or ``"below"`` the Axes (two columns), or None.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> toy = pd.DataFrame({"country": ["PK", "PK"], "stance": ["supports_restriction",
    ...                     "opposes_restriction"], "share": [0.25, 0.75]})
    >>> len(plot_stacked_shares(toy, x="share", y="country", hue="stance", ax=ax).patches)
    2
    """
    ax = _get_ax(ax)
    rows = list(y_order) if y_order is not None else _ordered_unique(data[y])
    codes = list(hue_order) if hue_order is not None else _ordered_unique(data[hue])
    wide = (data.pivot_table(index=y, columns=hue, values=x, aggfunc="sum", observed=True)
            .reindex(index=rows, columns=codes).fillna(0.0))
    color = _colors_for(codes, colors)
    positions = np.arange(len(rows))
    left = np.zeros(len(rows))
    for code in codes:
        values = wide[code].to_numpy(dtype=float)
        ax.barh(positions, values, left=left, height=0.72, color=color[code],
                label=_label_for(code, hue_labels), linewidth=0)
        rgb = to_rgb(color[code])
        for yi, lo, v in zip(positions, left, values, strict=True):
            if v >= annotate_min:
                ax.text(lo + v / 2, yi, f"{v:.0%}", ha="center", va="center", fontsize=6.5,
                        color=_text_color(rgb))
        left = left + values
    ax.set_yticks(positions, [_label_for(r, y_labels) for r in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    if legend == "above":
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=min(len(codes), 2),
                  handlelength=1.0, columnspacing=0.8, borderaxespad=0.2)
    elif legend == "below":
        ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.16), ncols=min(len(codes), 2),
                  handlelength=1.0, columnspacing=0.8, borderaxespad=0.2)
    elif legend is not None:
        raise ValueError(f"legend must be 'above', 'below' or None, not {legend!r}")
    return ax


# -- heatmap -----------------------------------------------------------------------------------


def plot_heatmap(
    data: pd.DataFrame,
    *,
    x: str = "frame",
    y: str = "group",
    hue: str = "share",
    ax: Axes | None = None,
    annot: bool = True,
    x_order: Sequence[str] | None = None,
    y_order: Sequence[str] | None = None,
    x_labels: Mapping[str, str] | None = None,
    y_labels: Mapping[str, str] | None = None,
    cmap: str = "Blues",
    vmin: float = 0.0,
    vmax: float | None = None,
    fmt: str = "{:.0%}",
    highlight_max: bool = False,
    rotate_xticks: float = 35.0,
    fontsize: float = 7.0,
) -> Axes:
    """Draw ``data[hue]`` as a grid of coloured cells, ``y`` values as rows and ``x`` values
    as columns, numbers inside.

    Cell text is white on dark cells and near-black on light ones (WCAG relative luminance),
    so every number stays readable; empty cells show a dash. With ``highlight_max`` the
    largest value of each row is printed in bold.

    Parameters
    ----------
    data : DataFrame
        Tidy: one row per cell.
    x, y, hue : str
        Columns giving the grid's columns, its rows and the cell values (the colour).
    ax : Axes, optional
    annot : bool, default True
        Print values in the cells with ``fmt``.
    x_order, y_order : sequence, optional
        Order of columns (left to right) and rows (top to bottom); default: order of
        appearance.
    x_labels, y_labels : mapping, optional
        Tick labels (default: :func:`discourse.style.display_name`).
    cmap, vmin, vmax
        Colour scale (``vmax`` defaults to the largest value).
    fmt : str
        Format of the cell numbers, default a percentage.
    highlight_max : bool
    rotate_xticks : float
    fontsize : float

    Returns
    -------
    Axes
        The image is ``ax.images[0]``, for a colour bar.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> toy = pd.DataFrame({"group": ["state", "state"], "frame": ["security", "rights"],
    ...                     "share": [0.9, 0.1]})
    >>> ax = plot_heatmap(toy, x="frame", y="group", hue="share", ax=ax)
    >>> [t.get_text() for t in ax.texts]
    ['90%', '10%']
    """
    ax = _get_ax(ax)
    rows = list(y_order) if y_order is not None else _ordered_unique(data[y])
    cols = list(x_order) if x_order is not None else _ordered_unique(data[x])
    grid = (data.pivot_table(index=y, columns=x, values=hue, aggfunc="mean",
                             observed=True, dropna=False)
            .reindex(index=rows, columns=cols))
    matrix = grid.to_numpy(dtype=float)
    top = np.nanmax(matrix) if vmax is None and np.isfinite(matrix).any() else (vmax or 1.0)
    norm = Normalize(vmin=vmin, vmax=top)
    image = ax.imshow(np.ma.masked_invalid(matrix), cmap=cmap, norm=norm, aspect="auto",
                      interpolation="nearest")
    colormap = image.get_cmap()
    if annot:
        row_max = np.nanmax(np.where(np.isfinite(matrix), matrix, -np.inf), axis=1)
        for i in range(matrix.shape[0]):
            for j in range(matrix.shape[1]):
                v = matrix[i, j]
                if not np.isfinite(v):
                    ax.text(j, i, "–", ha="center", va="center", fontsize=fontsize,
                            color="#666666")
                    continue
                bold = highlight_max and v == row_max[i]
                ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=fontsize,
                        color=_text_color(colormap(norm(v))),
                        fontweight="bold" if bold else "normal")
    ax.set_xticks(range(len(cols)), [_label_for(c, x_labels) for c in cols],
                  rotation=rotate_xticks, ha="right" if rotate_xticks else "center",
                  rotation_mode="anchor")
    ax.set_yticks(range(len(rows)), [_label_for(r, y_labels) for r in rows])
    ax.tick_params(length=0)
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return ax


# -- distinctive terms ---------------------------------------------------------------------------


def plot_distinctive_terms(
    data: pd.DataFrame,
    *,
    x: str = "z",
    y: str = "term",
    hue: str = "group",
    ax: Axes | None = None,
    group: str | None = None,
    n: int = 10,
    color: str | None = None,
    xlabel: str = "z-score of the log-odds ratio",
    fdr: float | None = 0.05,
) -> Axes:
    """Draw the ``n`` terms with the largest ``x`` (z) as horizontal bars, counts beside them.

    Each bar is labelled ``n=12 vs 3``: the term's count in the group, then in the rest of
    the corpus (``count_group``, ``count_rest`` of
    :func:`discourse.contrast.distinctive_terms`), so a reader can check the arithmetic.

    Parameters
    ----------
    data : DataFrame
        Columns ``x`` (``z``), ``y`` (``term``), ``count_group``, ``count_rest`` and, if it
        holds several groups, ``hue``.
    x, y, hue : str
        The bar length, the bar label and the group column (which sets the colour).
    ax : Axes, optional
    group : str, optional
        Which ``hue`` value to draw; needed if ``data`` holds more than one.
    n : int, default 10
    color : str, optional
        Bar colour (default: the group's colour, grey otherwise).
    xlabel : str
    fdr : float or None, default 0.05
        If the table has ``p_adj``, terms with ``p_adj < fdr`` (significant at that false
        discovery rate) are filled bars (``gid="significant"``), the others hollow, an
        outline only (``gid="not_significant"``); None fills every bar.

    Returns
    -------
    Axes

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> toy = pd.DataFrame({"term": ["rights", "firewall"], "z": [3.1, 2.0],
    ...                     "count_group": [12, 5], "count_rest": [3, 1]})
    >>> [t.get_text() for t in plot_distinctive_terms(toy, ax=ax).texts]
    ['n=12 vs 3', 'n=5 vs 1']
    """
    ax = _get_ax(ax)
    if hue in data.columns:
        values = _ordered_unique(data[hue].astype(str))
        if group is None and len(values) > 1:
            raise ValueError(f"the table holds {len(values)} {hue} values; pass group=")
        group = group if group is not None else (values[0] if values else None)
        data = data[data[hue].astype(str) == str(group)]
    data = data.sort_values(x, ascending=False, kind="stable").head(n)
    if color is None:
        color = style.GROUP_COLORS.get(str(group), style.NEUTRAL_GREY)
    positions = np.arange(len(data))
    z = data[x].to_numpy(dtype=float)
    significant = [True] * len(data)
    if fdr is not None and "p_adj" in data.columns:
        significant = [bool(p < fdr) for p in data["p_adj"].astype(float)]
    bars = ax.barh(positions, z, height=0.7, color=[to_rgb(color) if s else (1.0, 1.0, 1.0)
                                                    for s in significant],
                   edgecolor=to_rgb(color), linewidth=0.8)
    for bar, sig in zip(bars.patches, significant, strict=True):
        bar.set_gid("significant" if sig else "not_significant")
    ax.set_yticks(positions, data[y].astype(str).tolist())
    ax.set_ylim(len(data) - 0.5, -0.5)
    top = float(np.nanmax(np.abs(z))) if len(z) else 1.0
    pad = 0.03 * top
    for yi, zi, a, b in zip(positions, z, data["count_group"], data["count_rest"],
                            strict=True):
        ax.text(zi + (pad if zi >= 0 else -pad), yi, f"n={int(a)} vs {int(b)}",
                ha="left" if zi >= 0 else "right", va="center", fontsize=6.5,
                color="#444444")
    low = min(0.0, float(np.nanmin(z)) * 1.45) if len(z) else 0.0
    ax.set_xlim(low, top * 1.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    return ax


# -- countries ---------------------------------------------------------------------------------


def plot_country_comparison(
    data: pd.DataFrame,
    *,
    x: str = "share",
    y: str = "country",
    hue: str = "code",
    axes: Sequence[Axes] | None = None,
    fig: Figure | None = None,
    y_order: Sequence[str] | None = None,
    y_labels: Mapping[str, str] | None = None,
    frames: Sequence[str] | None = None,
) -> np.ndarray:
    """Draw stance shares (stacked bars) beside frame shares (heatmap), one row per country.

    Parameters
    ----------
    data : DataFrame
        Tidy, with columns ``y`` (``country``), ``measure`` (``"stance"`` or ``"frame"``),
        ``hue`` (``code``) and ``x`` (``share``): the stance shares of each country's
        statements and the share of its statements using each frame (a statement may use
        several).
    x, y, hue : str
        The share, the row (country) and the code (stance or frame) columns.
    axes : pair of Axes, optional
        Where to draw the bars and the heatmap; without it, two Axes side by side are made
        on ``fig`` (default: the current figure).
    fig : Figure, optional
    y_order : sequence of str, optional
        Rows, top to bottom (default: order of appearance).
    y_labels : mapping, optional
        Row labels (default: short country names).
    frames : sequence of str, optional
        Heatmap columns, left to right (default: schema order), labelled with
        :data:`discourse.style.FRAME_SHORT_LABELS`.

    Returns
    -------
    numpy.ndarray of Axes
        ``[stance_ax, frame_ax]``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> toy = pd.DataFrame({"country": ["PK"] * 2, "measure": ["stance", "frame"],
    ...                     "code": ["opposes_restriction", "rights"], "share": [1.0, 0.5]})
    >>> len(plot_country_comparison(toy, fig=Figure()))
    2
    """
    if axes is None:
        if fig is None:
            import matplotlib.pyplot as plt

            fig = plt.gcf()
        axes = fig.subplots(1, 2, sharey=False, width_ratios=[1.0, 1.35])
    stance_ax, frame_ax = axes[0], axes[1]
    countries = list(y_order) if y_order is not None else _ordered_unique(data[y])
    labels = {c: (y_labels or {}).get(c, style.country_label(c)) for c in countries}
    stances = data[data["measure"] == "stance"]
    frame_rows = data[data["measure"] == "frame"]
    codes = [s for s in style.STANCE_COLORS if s in set(stances[hue])]
    plot_stacked_shares(stances, x=x, y=y, hue=hue, ax=stance_ax, y_order=countries,
                        hue_order=codes, y_labels=labels, legend="below")
    stance_ax.set_title("Stance: share of statements")
    frame_codes = [f for f in (frames or style.FRAME_LABELS) if f in set(frame_rows[hue])]
    plot_heatmap(frame_rows, x=hue, y=y, hue=x, ax=frame_ax, y_order=countries,
                 x_order=frame_codes, x_labels=style.FRAME_SHORT_LABELS, highlight_max=True,
                 rotate_xticks=30)
    frame_ax.set_title("Frames: share of statements using each")
    frame_ax.set_yticks(range(len(countries)), [""] * len(countries))
    return np.array([stance_ax, frame_ax], dtype=object)


def plot_row_estimates(
    data: pd.DataFrame,
    *,
    x: str = "net",
    y: str = "country",
    hue: str = "group",
    ax: Axes | None = None,
    ci: tuple[str, str] | None = ("ci_low", "ci_high"),
    n: str | None = "n",
    y_order: Sequence[str] | None = None,
    y_labels: Mapping[str, str] | None = None,
    hue_order: Sequence[str] | None = None,
    colors: Mapping[str, str] | None = None,
    hue_labels: Mapping[str, str] | None = None,
    xlabel: str = "Net stance",
    xlim: tuple[float, float] | None = (-1.0, 1.0),
    legend: bool = True,
    small_n: int = style.SMALL_N,
    dodge: float = 0.25,
    n_fontsize: float = 5.5,
) -> Axes:
    """Draw one estimate per row (a country) and ``hue`` value, with interval and ``n``.

    The horizontal counterpart of :func:`plot_period_estimates`: rows top to bottom, the
    ``hue`` values one under the other within a row, each a marker with a horizontal
    interval bar and its number of statements beside it; hollow below ``small_n``. A
    dotted line marks 0. Artist ids as in :func:`plot_period_estimates`.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> toy = pd.DataFrame({"country": ["PK", "PK"], "group": ["state", "industry"],
    ...                     "net": [-0.4, 0.5], "ci_low": [-0.6, 0.1],
    ...                     "ci_high": [-0.2, 0.8], "n": [40, 7]})
    >>> ax = plot_row_estimates(toy, ax=ax)
    >>> sorted(t.get_text() for t in ax.texts if t.get_gid() == "n_label")
    ['40', '7']
    """
    ax = _get_ax(ax)
    rows = list(y_order) if y_order is not None else _ordered_unique(data[y])
    position = {v: i for i, v in enumerate(rows)}
    codes = list(hue_order) if hue_order is not None else _ordered_unique(data[hue])
    codes = [c for c in codes if (data[hue] == c).any()]
    color = _colors_for(codes, colors)
    ax.axvline(0, color="#777777", linewidth=0.6, linestyle=(0, (1, 2)), zorder=1)
    for k, code in enumerate(codes):
        offset = (k - (len(codes) - 1) / 2) * dodge
        part = data[(data[hue] == code) & data[y].isin(position)]
        ys = part[y].map(position).to_numpy(dtype=float) + offset
        xs = part[x].to_numpy(dtype=float)
        c = color[code]
        if ci is not None:
            ax.hlines(ys, part[ci[0]].astype(float), part[ci[1]].astype(float), colors=c,
                      linewidth=0.8, alpha=0.8, zorder=2)
        sizes = part[n].to_numpy() if n is not None else np.full(len(part), small_n)
        _draw_estimates(ax, xs, ys, sizes, color=c, small_n=small_n, label_n=n is not None,
                        skip=~np.isfinite(xs), n_fontsize=n_fontsize, xytext=(0, 2.5),
                        ha="center")
        ax.plot([], [], color=c, marker="o", linestyle="none",
                label=_label_for(code, hue_labels))
    ax.set_yticks(range(len(rows)), [(y_labels or {}).get(r, style.display_name(str(r)))
                                     for r in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    if xlim is not None:
        ax.set_xlim(*xlim)
    ax.grid(axis="y", visible=False)
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(xlabel)
    if legend:
        ax.legend(loc="best", handlelength=1.0)
    return ax


def plot_scores_with_intervals(
    data: pd.DataFrame,
    *,
    x: str = "model",
    y: str = "score",
    hue: str = "test_set",
    ci: tuple[str, str] = ("ci_low", "ci_high"),
    title: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Scores with their intervals, one marker per ``x`` value and ``hue`` value, dodged.

    Parameters
    ----------
    data : DataFrame
        One row per (``x``, ``hue``): the score and the interval's ends (``ci``).
    x, y, hue : str
        Columns: the categories on the x axis, the score, the series (e.g. the test set).
    ci : (str, str)
        Columns of the interval's lower and upper ends.
    title : str, optional
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> table = pd.DataFrame({"model": ["a", "a"], "test_set": ["cv", "external"],
    ...                       "score": [0.6, 0.4], "ci_low": [0.5, 0.3], "ci_high": [0.7, 0.5]})
    >>> ax = plot_scores_with_intervals(table)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['a']
    """
    ax = _get_ax(ax)
    series = list(data.groupby(hue, sort=False))
    offsets = np.linspace(-0.18, 0.18, len(series)) if len(series) > 1 else [0.0]
    for offset, (name, rows) in zip(offsets, series, strict=True):
        positions = range(len(rows))
        ax.errorbar([i + offset for i in positions], rows[y],
                    yerr=[rows[y] - rows[ci[0]], rows[ci[1]] - rows[y]],
                    fmt="o", capsize=3, label=name)
        ax.set_xticks(list(positions), rows[x])
    if title is not None:
        ax.set_title(title)
    ax.set_ylim(0, 1)
    return ax


def plot_coverage_curve(
    data: pd.DataFrame,
    *,
    x: str = "coverage",
    y: str = "accuracy",
    hue: str = "test_set",
    ax: Axes | None = None,
) -> Axes:
    """Accuracy of the most confident predictions against the share kept, one line per ``hue``.

    Parameters
    ----------
    data : DataFrame
        One row per (``hue``, coverage level), e.g. :func:`discourse.evaluate.coverage_table`.
    x, y, hue : str
        Columns: the share of predictions kept, their accuracy, the series.
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> table = pd.DataFrame({"test_set": ["cv"] * 2, "coverage": [0.5, 1.0],
    ...                       "accuracy": [0.9, 0.7]})
    >>> len(plot_coverage_curve(table).get_lines())
    1
    """
    ax = _get_ax(ax)
    for name, rows in data.groupby(hue, sort=False):
        ax.plot(rows[x], rows[y], marker="o", label=name)
    ax.set_xlabel("coverage (share of predictions kept, most confident first)")
    ax.set_ylabel("accuracy of the kept predictions")
    ax.set_ylim(0, 1)
    ax.legend(title=hue.replace("_", " "))
    return ax
