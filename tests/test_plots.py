"""Tests for discourse.style and discourse.plots: tiny tables written here, exact checks."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.colors import to_hex, to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from discourse import plots, schema, style  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def new_ax() -> Axes:
    return Figure().subplots()


COUNTS = pd.DataFrame({
    "group": ["civil_society"] * 3 + ["state"] * 3,
    "period": ["2024-10", "2024-11", "2024-12"] * 2,
    "period_start": pd.to_datetime(["2024-10-01", "2024-11-01", "2024-12-01"] * 2),
    "n": [1, 5, 2, 0, 7, 1],
})

EVENTS = pd.DataFrame({
    "date": ["2024-11-15", "2024-11-15", "2024-11-20", "2023-01-01"],
    "label": ["Letter to PTA", "Religious ruling", "Walk-back", "Out of range"],
})

SHARES = pd.DataFrame({
    "group": ["state"] * 4,
    "period": ["2023", "2023", "2024", "2024"],
    "period_start": pd.to_datetime(["2023-01-01", "2023-01-01", "2024-01-01", "2024-01-01"]),
    "stance": ["supports_restriction", "opposes_restriction"] * 2,
    "share": [0.75, 0.25, 0.4, 0.6],
    "ci_low": [0.5, 0.1, 0.2, 0.4],
    "ci_high": [0.9, 0.5, 0.6, 0.8],
})

TERMS = pd.DataFrame({
    "group": ["state", "state", "industry"],
    "term": ["ministry", "committee", "exports"],
    "z": [3.5, 2.1, 4.0],
    "p_adj": [0.01, 0.2, 0.001],
    "count_group": [55, 12, 30],
    "count_rest": [6, 3, 2],
})


# -- style -------------------------------------------------------------------------------------


def test_every_code_has_a_colour_and_a_label():
    assert set(style.GROUP_COLORS) == set(schema.GROUPS)
    assert set(style.STANCE_COLORS) == set(style.STANCE_LABELS) == set(schema.STANCES)
    assert set(style.FRAME_COLORS) == set(style.FRAME_LABELS) == set(schema.FRAMES)
    assert set(style.FRAME_SHORT_LABELS) == set(schema.FRAMES)
    for table in (style.GROUP_COLORS, style.STANCE_COLORS, style.FRAME_COLORS):
        assert len({to_hex(c) for c in table.values()}) == len(table)  # all distinct


def test_display_names_are_readable():
    assert style.display_name("civil_society") == "Civil society"
    assert style.display_name("supports_restriction") == "Supports restriction"
    assert style.display_name("morality_religion") == "Morality / religion"
    assert style.display_name("PK") == "Pakistan"
    assert style.display_name("some_new_code") == "Some new code"
    assert style.country_label("MM") == "Myanmar"


def test_figure_style_applies_and_restores_rcparams():
    before = mpl.rcParams["svg.hashsalt"]
    with style.figure_style({"font.size": 7}):
        assert mpl.rcParams["svg.hashsalt"] == "discourse"
        assert mpl.rcParams["svg.fonttype"] == "none"
        assert mpl.rcParams["font.size"] == 7
        assert mpl.rcParams["axes.spines.top"] is False
    assert mpl.rcParams["svg.hashsalt"] == before


# -- counts and events -------------------------------------------------------------------------


def test_counts_draws_stacked_bars_in_group_colours_on_the_given_ax():
    ax = new_ax()
    out = plots.plot_counts_over_time(COUNTS, ax=ax)
    assert out is ax
    assert len(ax.patches) == 6
    colours = {to_hex(p.get_facecolor()) for p in ax.patches}
    assert colours == {style.GROUP_COLORS["civil_society"].lower(),
                       style.GROUP_COLORS["state"].lower()}
    tops = sorted({round(p.get_y() + p.get_height(), 6) for p in ax.patches})
    assert tops[-1] == 12  # November: 5 + 7 stacked
    assert ax.get_ylabel() == "Statements per month"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["State", "Civil society"]


def test_counts_uses_the_current_axes_without_ax():
    fig = plt.figure()
    ax = plots.plot_counts_over_time(COUNTS)
    assert ax is fig.gca()


def test_counts_lines_instead_of_bars():
    ax = plots.plot_counts_over_time(COUNTS, ax=new_ax(), stacked=False)
    assert len(ax.get_lines()) == 2 and not ax.patches


def test_events_are_numbered_in_date_order_and_spread_apart():
    ax = plots.plot_counts_over_time(COUNTS, events=EVENTS, ax=new_ax())
    numbers = [a for a in ax.texts if a.get_text().isdigit()]
    assert [a.get_text() for a in numbers] == ["2", "3", "4"]  # event 1 is out of range
    lines = [line for line in ax.get_lines() if line.get_linestyle() != "-"]
    assert len(lines) == 3
    placed = sorted(a.get_position()[0] for a in numbers)  # axes fraction
    assert all(b - a > 0.01 for a, b in zip(placed, placed[1:], strict=False))


def test_events_as_text():
    ax = plots.plot_counts_over_time(COUNTS, events=EVENTS, ax=new_ax(), event_style="text")
    assert "Walk-back" in [t.get_text().strip() for t in ax.texts]
    with pytest.raises(ValueError, match="event_style"):
        plots.plot_counts_over_time(COUNTS, events=EVENTS, ax=new_ax(), event_style="x")


def test_event_key_lists_every_event():
    ax = plots.plot_event_key(EVENTS, x="date", y="label", ax=new_ax(), ncols=2)
    text = "\n".join(t.get_text() for t in ax.texts)
    assert "1  1 Jan 2023  Out of range" in text
    assert "4  20 Nov 2024  Walk-back" in text
    assert not ax.axison


# -- shares, small multiples -------------------------------------------------------------------


def test_shares_draw_a_line_and_a_band_per_category():
    ax = new_ax()
    out = plots.plot_shares_over_time(SHARES, y="share", hue="stance", ax=ax)
    assert out is ax
    assert len(ax.get_lines()) == 2
    assert len(ax.collections) == 2  # the bands
    assert ax.get_ylim() == (0, 1)
    red = ax.get_lines()[0].get_color()
    assert to_hex(red) == style.STANCE_COLORS["supports_restriction"].lower()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Supports restriction",
                                                                    "Opposes restriction"]


def test_shares_on_period_labels_are_evenly_spaced():
    ax = plots.plot_shares_over_time(SHARES, x="period", y="share", hue="stance", ax=new_ax(),
                                     ci=None, legend=False)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2023", "2024"]
    assert ax.get_lines()[0].get_xdata().tolist() == [0.0, 1.0]
    assert not ax.collections and ax.get_legend() is None


def test_small_multiples_on_a_figure_and_on_given_axes():
    table = pd.concat([SHARES, SHARES.assign(group="industry")], ignore_index=True)
    fig = Figure()
    axes = plots.plot_small_multiples(table, panel="group",
                                      plot_func=plots.plot_shares_over_time, fig=fig, ncols=3,
                                      y="share", hue="stance", legend=False)
    assert [ax.get_title() for ax in axes] == ["State", "Industry"]
    assert len(fig.axes) == 3 and not fig.axes[2].get_visible()
    grid = Figure().subplots(1, 2)
    axes = plots.plot_small_multiples(table, panel="group",
                                      plot_func=plots.plot_shares_over_time, axes=grid,
                                      panels=["industry"], titles={"industry": "Firms"},
                                      y="share", hue="stance")
    assert axes[0] is grid[0] and axes[0].get_title() == "Firms"
    with pytest.raises(ValueError, match="panels need"):
        plots.plot_small_multiples(table, panel="group",
                                   plot_func=plots.plot_shares_over_time, axes=[new_ax()],
                                   y="share", hue="stance")


# -- heatmap -----------------------------------------------------------------------------------


def test_heatmap_prints_every_cell_readable_on_dark_and_light():
    table = pd.DataFrame({"group": ["state", "state", "industry", "industry"],
                          "frame": ["security", "rights", "security", "rights"],
                          "share": [0.9, 0.05, 0.3, np.nan]})
    ax = new_ax()
    out = plots.plot_heatmap(table, x="frame", y="group", hue="share", ax=ax,
                             highlight_max=True)
    assert out is ax
    texts = {t.get_text(): t for t in ax.texts}
    assert set(texts) == {"90%", "5%", "30%", "–"}
    assert texts["90%"].get_color() == "white"  # darkest cell
    assert texts["5%"].get_color() == "#222222"  # lightest cell
    assert texts["90%"].get_fontweight() == "bold"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["State", "Industry"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Security", "Rights"]


def test_heatmap_without_numbers():
    table = pd.DataFrame({"r": ["a"], "c": ["b"], "v": [1.0]})
    ax = plots.plot_heatmap(table, x="c", y="r", hue="v", annot=False, ax=new_ax())
    assert len(ax.texts) == 0 and len(ax.images) == 1


# -- distinctive terms -------------------------------------------------------------------------


def test_distinctive_terms_bars_with_raw_counts():
    ax = new_ax()
    out = plots.plot_distinctive_terms(TERMS, ax=ax, group="state")
    assert out is ax
    assert [t.get_text() for t in ax.texts] == ["n=55 vs 6", "n=12 vs 3"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["ministry", "committee"]
    strong, pale = (to_rgb(p.get_facecolor()) for p in ax.patches)
    assert np.allclose(strong, to_rgb(style.GROUP_COLORS["state"]))
    assert sum(pale) > sum(strong)  # not significant: paler
    assert ax.get_xlabel()


def test_distinctive_terms_needs_a_group_for_several():
    with pytest.raises(ValueError, match="pass group="):
        plots.plot_distinctive_terms(TERMS, ax=new_ax())


# -- stacked shares and countries --------------------------------------------------------------


def test_stacked_shares_fill_each_row_to_one():
    table = pd.DataFrame({"country": ["PK", "PK", "RU", "RU"],
                          "stance": ["supports_restriction", "opposes_restriction"] * 2,
                          "share": [0.25, 0.75, 0.5, 0.5]})
    ax = new_ax()
    assert plots.plot_stacked_shares(table, x="share", y="country", hue="stance", ax=ax) is ax
    ends = {}
    for patch in ax.patches:
        y = round(patch.get_y() + patch.get_height() / 2)
        ends[y] = max(ends.get(y, 0), patch.get_x() + patch.get_width())
    assert ends == {0: 1.0, 1: 1.0}
    assert sorted(t.get_text() for t in ax.texts) == ["25%", "50%", "50%", "75%"]
    with pytest.raises(ValueError, match="legend"):
        plots.plot_stacked_shares(table, x="share", y="country", hue="stance", ax=new_ax(),
                                  legend="left")


def test_country_comparison_draws_two_panels():
    table = pd.DataFrame({
        "country": ["PK", "PK", "PK", "RU", "RU"],
        "measure": ["stance", "frame", "frame", "stance", "frame"],
        "code": ["opposes_restriction", "rights", "security", "supports_restriction",
                 "security"],
        "share": [1.0, 0.5, 0.2, 1.0, 0.7],
    })
    fig = Figure()
    given = fig.subplots(1, 2)
    axes = plots.plot_country_comparison(table, axes=given)
    assert axes[0] is given[0] and axes[1] is given[1]
    assert [t.get_text() for t in axes[0].get_yticklabels()] == ["Pakistan", "Russia"]
    assert len(axes[1].images) == 1
    assert len(plots.plot_country_comparison(table, fig=Figure())) == 2


# -- one shape for every plot function ---------------------------------------------------------


def test_every_plot_function_takes_data_then_keyword_only_x_y_hue_and_ax():
    import inspect

    for name in plots.__all__:
        params = inspect.signature(getattr(plots, name)).parameters
        first, *rest = params.values()
        assert first.name == "data" and first.kind is first.POSITIONAL_OR_KEYWORD, name
        assert all(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in rest), name
        target = "axes" if "axes" in params else "ax"
        assert params[target].default is None, name


def test_columns_are_chosen_by_x_y_and_hue():
    renamed = SHARES.rename(columns={"stance": "code", "share": "value", "period": "when"})
    ax = plots.plot_shares_over_time(renamed, x="when", y="value", hue="code", ax=new_ax(),
                                     ci=None)
    assert [line.get_ydata().tolist() for line in ax.get_lines()] == [[0.75, 0.4], [0.25, 0.6]]
    counts = COUNTS.rename(columns={"group": "who", "n": "k"})
    ax = plots.plot_counts_over_time(counts, y="k", hue="who", ax=new_ax())
    assert len(ax.patches) == 6
    terms = TERMS.rename(columns={"z": "score", "term": "word", "group": "side"})
    ax = plots.plot_distinctive_terms(terms, x="score", y="word", hue="side", group="industry",
                                      ax=new_ax())
    assert [t.get_text() for t in ax.get_yticklabels()] == ["exports"]


# -- estimates with their n ----------------------------------------------------------------------


def _estimates() -> pd.DataFrame:
    return pd.DataFrame({
        "period": ["2011–23", "2024", "2025", "2011–23", "2024", "2025"],
        "period_start": pd.to_datetime(["2011-01-01", "2024-01-01", "2025-01-01"] * 2),
        "group": ["state"] * 3 + ["industry"] * 3,
        "share": [0.2, 0.5, 0.4, 0.6, 0.7, 0.3],
        "ci_low": [0.1, 0.4, 0.1, 0.4, 0.5, 0.1],
        "ci_high": [0.3, 0.6, 0.7, 0.8, 0.9, 0.6],
        "n": [40, 25, 6, 12, 9, 3],
        "pooled": [True, False, False] * 2,
    })


def test_period_estimates_label_n_hollow_small_cells_and_draw_eras_as_segments():
    from discourse.plots import plot_period_estimates

    ax = Figure().subplots()
    plot_period_estimates(_estimates(), ax=ax, small_n=10)
    labels = sorted(int(t.get_text()) for t in ax.texts if t.get_gid() == "n_label")
    assert labels == [3, 6, 9, 12, 25, 40]
    hollow = [line for line in ax.lines if line.get_gid() == "small_n"]
    assert len(hollow) == 3 and all(line.get_markerfacecolor() == "white" for line in hollow)
    segments = [c for c in ax.collections if c.get_gid() == "pooled"]
    assert len(segments) == 2
    joins = [line for line in ax.lines if line.get_gid() == "join"]
    assert len(joins) == 2 and all(min(line.get_xdata()) > 0.5 for line in joins)
    assert ax.get_xticklabels()[0].get_text() == "2011–23\n(pooled)"


def test_period_estimates_leave_a_gap_between_periods_that_are_not_adjacent():
    from discourse.plots import plot_period_estimates

    data = _estimates().assign(pooled=False)
    data = data[~((data["group"] == "industry") & (data["period"] == "2024"))]
    ax = Figure().subplots()
    plot_period_estimates(data, ax=ax)
    joins = [line for line in ax.lines if line.get_gid() == "join"]
    # the state's three periods make one line; industry's 2011–23 and 2025 are no neighbours
    assert [len(line.get_xdata()) for line in joins] == [3]


def test_row_estimates_label_n_and_hollow_small_cells():
    from discourse.plots import plot_row_estimates

    toy = pd.DataFrame({"country": ["PK", "PK", "IN"], "group": ["state", "industry", "state"],
                        "net": [-0.4, 0.5, -0.9], "ci_low": [-0.6, 0.1, -1.0],
                        "ci_high": [-0.2, 0.8, -0.5], "n": [40, 7, 11]})
    ax = plot_row_estimates(toy, ax=Figure().subplots(), y_order=["PK", "IN"])
    assert sorted(t.get_text() for t in ax.texts if t.get_gid() == "n_label") == \
        ["11", "40", "7"]
    assert len([line for line in ax.lines if line.get_gid() == "small_n"]) == 1
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Pakistan", "India"]


def test_distinctive_term_bars_are_hollow_unless_significant():
    toy = pd.DataFrame({"term": ["rights", "firewall"], "z": [3.1, 2.0], "p_adj": [0.01, 0.4],
                        "count_group": [12, 5], "count_rest": [3, 1]})
    ax = plots.plot_distinctive_terms(toy, ax=Figure().subplots(), color="#009E73")
    gids = [p.get_gid() for p in ax.patches]
    assert gids == ["significant", "not_significant"]
    assert ax.patches[1].get_facecolor()[:3] == (1.0, 1.0, 1.0)
    assert ax.patches[0].get_facecolor()[:3] != (1.0, 1.0, 1.0)


def test_scores_with_intervals_dodges_series_and_draws_each_interval():
    import matplotlib.pyplot as plt

    from discourse.plots import plot_scores_with_intervals

    table = pd.DataFrame({"model": ["m", "base", "m", "base"],
                          "test_set": ["cv", "cv", "external", "external"],
                          "score": [0.6, 0.2, 0.4, 0.1], "ci_low": [0.5, 0.1, 0.3, 0.05],
                          "ci_high": [0.7, 0.3, 0.5, 0.2]})
    fig, ax = plt.subplots()
    plot_scores_with_intervals(table, title="stance", ax=ax)
    points = [line for line in ax.get_lines() if line.get_marker() == "o"]
    xs = sorted(float(x) for line in points for x in line.get_xdata())
    assert xs == pytest.approx([-0.18, 0.18, 0.82, 1.18])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["m", "base"]
    assert ax.get_title() == "stance"
    plt.close(fig)


def test_coverage_curve_draws_one_line_per_test_set():
    import matplotlib.pyplot as plt

    from discourse.plots import plot_coverage_curve

    table = pd.DataFrame({"test_set": ["cv", "cv", "external", "external"],
                          "coverage": [0.5, 1.0, 0.5, 1.0], "accuracy": [0.9, 0.7, 0.6, 0.5]})
    fig, ax = plt.subplots()
    plot_coverage_curve(table, ax=ax)
    assert [line.get_label() for line in ax.get_lines()] == ["cv", "external"]
    assert list(ax.get_lines()[1].get_ydata()) == [0.6, 0.5]
    assert ax.get_legend().get_title().get_text() == "test set"
    plt.close(fig)
