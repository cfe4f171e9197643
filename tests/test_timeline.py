"""Aggregation by group x period: counts, shares and intervals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from discourse import load_corpus
from discourse.timeline import (
    BOOT_CHUNK_BYTES,
    _boot_rows,
    _bootstrap_means,
    category_shares,
    counts_by_period,
    cross_counts,
    frame_shares,
    indicators,
    period_labels,
    prevalence,
    wilson_interval,
    window,
)

TOY = pd.DataFrame({
    "id": ["a", "b", "c", "d", "e"],
    "date": pd.to_datetime(["2024-01-05", "2024-01-20", "2024-03-01", "2025-02-01",
                            "2024-02-10"]),
    "group": pd.Categorical(["state", "state", "industry", "state", "industry"],
                            categories=["civil_society", "industry", "state"]),
    "country": ["PK", "PK", "IN", "PK", "PK"],
    "stance": pd.Categorical(["supports_restriction", "conditional", "opposes_restriction",
                              "supports_restriction", None],
                             categories=["supports_restriction", "conditional",
                                         "opposes_restriction", "neutral"]),
    "frames": [["security"], ["economy", "security"], ["rights"], [], ["economy"]],
})


def test_period_labels():
    labels = period_labels(TOY["date"], "quarter")
    assert labels["period"].tolist() == ["2024Q1", "2024Q1", "2024Q1", "2025Q1", "2024Q1"]
    assert period_labels(TOY["date"], "month")["period"].iloc[0] == "2024-01"
    with pytest.raises(ValueError, match="period must be one of"):
        period_labels(TOY["date"], "week")
    assert period_labels(TOY["date"], "year")["period"].tolist() == ["2024"] * 3 + ["2025",
                                                                                   "2024"]


def test_eras_pool_the_years_before_the_first_break():
    dates = pd.Series(pd.to_datetime(["2011-05-01", "2019-01-01", "2024-02-01", "2025-12-31",
                                      "2026-03-01"]))
    labels = period_labels(dates, (2025, 2024, 2030))  # unsorted, beyond the data: ignored
    assert labels["period"].tolist() == ["2011–23", "2011–23", "2024", "2025–26", "2025–26"]
    assert labels["period_start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2011-01-01", "2011-01-01", "2024-01-01", "2025-01-01", "2025-01-01"]
    assert period_labels(dates, "all")["period"].unique().tolist() == ["2011–26"]
    assert period_labels(dates[2:3], "all")["period"].tolist() == ["2024"]
    across = pd.Series(pd.to_datetime(["1998-01-01", "2003-01-01"]))
    assert period_labels(across, "all")["period"].iloc[0] == "1998–2003"
    with pytest.raises(ValueError, match="sequence of years"):
        period_labels(dates, ["soon"])


def test_counts_and_prevalence_by_era():
    counts = counts_by_period(TOY, by=None, period=[2025])
    assert counts[["period", "n"]].values.tolist() == [["2024", 4], ["2025", 1]]
    toy = TOY.assign(date=TOY["date"].where(TOY["id"] != "a", pd.Timestamp("2019-06-01")))
    counts = counts_by_period(toy, by=None, period=[2022, 2025])
    assert counts[["period", "n"]].values.tolist() == [["2019–21", 1], ["2022–24", 3],
                                                        ["2025", 1]]
    table = prevalence(toy, indicators(toy, "frames")[["security"]], by=None,
                       period=[2022, 2025], method="wilson")
    assert table[["period", "n", "total"]].values.tolist() == [["2019–21", 1, 1.0],
                                                               ["2022–24", 3, 1.0],
                                                               ["2025", 1, 0.0]]


def test_frame_shares_keep_unframed_statements_in_the_denominator():
    table = frame_shares(TOY, by="group", period="all")
    assert table.columns.tolist() == ["group", "period", "period_start", "frame", "n",
                                      "count", "share", "ci_low", "ci_high"]
    state = table[table["group"] == "state"].set_index("frame")
    assert state.loc["security", ["n", "count"]].tolist() == [3, 2]  # d has no frame
    assert state.loc["security", "share"] == pytest.approx(2 / 3)
    assert table["count"].dtype.kind == "i"
    low, high = wilson_interval(np.array([2]), np.array([3]))
    assert (state.loc["security", "ci_low"], state.loc["security", "ci_high"]) == (
        pytest.approx(low[0]), pytest.approx(high[0]))


def test_counts_by_period_zero_fills_and_adds_up():
    counts = counts_by_period(TOY, period="month")
    assert counts["n"].sum() == len(TOY)
    assert counts["group"].unique().tolist() == ["industry", "state"]  # schema order, present
    state = counts[counts["group"] == "state"]
    assert len(state) == 14  # every month from 2024-01 to 2025-02
    assert state.set_index("period").loc["2024-01", "n"] == 2
    assert state.set_index("period").loc["2024-06", "n"] == 0


def test_counts_by_period_on_the_corpus_add_up():
    corpus = load_corpus()
    for period in ("month", "quarter", "year"):
        assert counts_by_period(corpus, period=period)["n"].sum() == len(corpus)
    assert counts_by_period(corpus, by=None, period="year")["n"].sum() == len(corpus)


def test_indicators_for_lists_and_categoricals():
    frames = indicators(TOY, "frames")
    assert frames.columns[:3].tolist() == ["security", "morality_religion", "economy"]
    assert frames["security"].tolist() == [1, 1, 0, 0, 0]
    stance = indicators(TOY, "stance")
    assert stance.sum(axis=1).tolist() == [1, 1, 1, 1, 0]  # a missing stance is all 0


def wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson (1927): (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def test_wilson_interval_known_values():
    low, high = wilson_interval(np.array([5]), np.array([10]))
    assert (round(float(low[0]), 4), round(float(high[0]), 4)) == (0.2366, 0.7634)
    low, high = wilson_interval(np.array([10]), np.array([10]))
    assert float(high[0]) == 1.0 and round(float(low[0]), 4) == 0.7225
    counts, sizes = np.array([0, 3, 7, 1]), np.array([10, 10, 12, 1])
    low, high = wilson_interval(counts, sizes)
    for k, n, lo, hi in zip(counts, sizes, low, high, strict=True):
        assert (lo, hi) == pytest.approx(wilson_by_hand(int(k), int(n)), abs=1e-12)
    low90, high90 = wilson_interval(np.array([3]), np.array([10]), ci=0.90)
    assert (low90[0], high90[0]) == pytest.approx(wilson_by_hand(3, 10, 1.6448536269514722))
    low, high = wilson_interval(np.array([0]), np.array([0]))
    assert np.isnan(low[0]) and np.isnan(high[0])
    with pytest.raises(ValueError, match="whole counts"):
        wilson_interval(np.array([0.5]), np.array([2]))


def test_prevalence_wilson_counts_and_bounds():
    values = indicators(TOY, "frames")[["security", "economy"]]
    table = prevalence(TOY, values, by="group", period="year", method="wilson")
    assert table.columns.tolist() == ["group", "period", "period_start", "variable", "n",
                                      "total", "mean", "ci_low", "ci_high"]
    row = table[(table["group"] == "state") & (table["period"] == "2024")
                & (table["variable"] == "security")].iloc[0]
    assert (row["n"], row["total"], row["mean"]) == (2, 2.0, 1.0)
    assert (table["ci_low"] <= table["mean"]).all() and (table["mean"] <= table["ci_high"]).all()
    # each statement counted once per cell: the n of one variable adds up to the corpus
    assert table[table["variable"] == "security"]["n"].sum() == len(TOY)


def test_prevalence_bootstrap_is_seeded():
    values = pd.DataFrame({"w": [0.1, 0.9, 0.5, 0.3, 0.7]})
    a = prevalence(TOY, values, by=None, period="year", random_state=3)
    b = prevalence(TOY, values, by=None, period="year", random_state=3)
    c = prevalence(TOY, values, by=None, period="year", random_state=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a["ci_low"].equals(c["ci_low"])
    assert a.loc[a["period"] == "2024", "mean"].item() == pytest.approx((0.1 + 0.9 + 0.5 + 0.7) / 4)


def _reference_bootstrap(corpus, values, by, period, n_boot, random_state, ci=0.95):
    """The bootstrap as it was before chunking: every resample of a cell drawn at once."""
    from discourse.timeline import _keys

    keys = _keys(corpus, by, period).reset_index(drop=True)
    data = values.to_numpy(dtype=float)
    rng = np.random.default_rng(random_state)
    alpha = (1 - ci) / 2
    out = []
    for _, cell in keys.groupby(["by", "period_start", "period"], sort=True):
        cell_values = data[cell.index.to_numpy()]
        draws = rng.integers(0, len(cell_values), size=(n_boot, len(cell_values)))
        boot = cell_values[draws].mean(axis=1)
        out.append(np.quantile(boot, [alpha, 1 - alpha], axis=0).T)
    return np.concatenate(out)


class _CountingRng:
    """A Generator that records the size of every draw."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.sizes = []

    def integers(self, low, high, size):
        self.sizes.append(size)
        return self.rng.integers(low, high, size=size)


@pytest.mark.parametrize("k", [1, 2, 5])
@pytest.mark.parametrize("n", [1, 7, 300])
def test_bootstrap_in_blocks_equals_one_draw(n, k):
    values = np.random.default_rng(n + k).random((n, k))
    reference = values[np.random.default_rng(1).integers(0, n, size=(200, n))].mean(axis=1)
    one_row = 8 * n * (1 + k)
    for max_bytes in (BOOT_CHUNK_BYTES, 3 * one_row + 5, one_row):  # all, 3 and 1 per block
        got = _bootstrap_means(values, 200, np.random.default_rng(1), max_bytes)
        np.testing.assert_array_equal(got, reference)
    # a cell too large for one resample per block: pieces of a resample, the same sums up to
    # rounding (identical when k >= 2)
    got = _bootstrap_means(values, 200, np.random.default_rng(1), 8 * (1 + 2 * k) * 3)
    if k >= 2:
        np.testing.assert_array_equal(got, reference)
    else:
        np.testing.assert_allclose(got, reference, rtol=0, atol=1e-12)


@pytest.mark.parametrize("n, k", [(10, 3), (5_000, 12), (10**6, 12), (10**8, 1)])
def test_bootstrap_blocks_stay_within_the_memory_limit(n, k):
    values = np.zeros((1, k))  # the values do not matter for the sizes drawn
    rows = _boot_rows(n, k)
    assert rows * 8 * n * (1 + k) <= BOOT_CHUNK_BYTES
    if rows:
        assert (rows + 1) * 8 * n * (1 + k) > BOOT_CHUNK_BYTES or rows >= 1000
    if n <= 5_000:  # draw for real and check every block's size
        values = np.random.default_rng(0).random((n, k))
        rng = _CountingRng(0)
        _bootstrap_means(values, 1000, rng)
        assert sum(s[0] for s in rng.sizes) == 1000
        assert all(s[0] * s[1] * 8 * (1 + k) <= BOOT_CHUNK_BYTES for s in rng.sizes)
    small = _CountingRng(0)  # a limit below one resample: pieces of a resample
    _bootstrap_means(np.random.default_rng(0).random((200, k)), 3, small, max_bytes=800)
    assert all(np.prod(s) * 8 * (1 + 2 * k) <= 800 for s in small.sizes)
    assert sum(np.prod(s) for s in small.sizes) == 3 * 200


@pytest.mark.parametrize("limit", [None, 8 * 40 * 5 * 7])  # the default; ~7 resamples a block
def test_prevalence_bootstrap_equals_the_unchunked_reference(limit, monkeypatch):
    import discourse.timeline as timeline

    if limit is not None:
        monkeypatch.setattr(timeline, "BOOT_CHUNK_BYTES", limit)
    rng = np.random.default_rng(0)
    n = 2_000
    corpus = pd.DataFrame({
        "date": pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, n), "D"),
        "group": rng.choice(["civil_society", "industry", "state"], n),
    })
    values = pd.DataFrame(rng.dirichlet(np.ones(4), n), columns=list("abcd"))
    table = prevalence(corpus, values, "group", "year", n_boot=300, random_state=5)
    # the reference walks cells in sorted key order; the table is sorted the same way here
    reference = _reference_bootstrap(corpus, values, "group", "year", 300, 5)
    np.testing.assert_array_equal(table[["ci_low", "ci_high"]].to_numpy(), reference)


def test_prevalence_rejects_bad_input():
    with pytest.raises(ValueError, match="rows"):
        prevalence(TOY, pd.DataFrame({"x": [1, 0]}))
    with pytest.raises(ValueError, match="0/1"):
        prevalence(TOY, pd.DataFrame({"x": [0.5] * 5}), method="wilson")
    with pytest.raises(ValueError, match="method"):
        prevalence(TOY, pd.DataFrame({"x": [1] * 5}), method="normal")


def test_category_shares_sum_to_one_and_skip_uncoded_rows():
    shares = category_shares(TOY, "stance", by="group", period="year")
    sums = shares.groupby(["group", "period"])["share"].sum()
    assert np.allclose(sums, 1.0)
    industry_2024 = shares[(shares["group"] == "industry") & (shares["period"] == "2024")]
    assert industry_2024["n"].unique().tolist() == [1]  # the statement without stance is out
    assert shares["count"].dtype.kind == "i"


def test_cross_counts():
    table = cross_counts(TOY, "group", "frames")
    assert table.columns.tolist() == ["group", "security", "economy", "rights", "total"]
    assert table.values.tolist() == [["industry", 0, 1, 1, 2], ["state", 2, 1, 0, 3]]
    assert cross_counts(TOY, "group", "frames", min_total=3)["group"].tolist() == ["state"]


def test_window_is_inclusive_sorted_and_filtered():
    out = window(TOY, "2024-01-05", "2024-03-01", country="PK")
    assert out["id"].tolist() == ["a", "b", "e"]
    assert window(TOY, "2024-01-05", "2024-03-01")["id"].tolist() == ["a", "b", "e", "c"]


def test_statements_without_a_by_value_are_counted_not_dropped():
    toy = TOY.assign(country=["PK", None, "IN", "PK", None])
    counts = counts_by_period(toy, by="country", period="year")
    assert counts["n"].sum() == len(toy)
    assert counts["country"].unique().tolist() == ["IN", "PK", "(missing)"]
    table = prevalence(toy, indicators(toy, "frames"), by="country", period="year",
                       method="wilson")
    assert table[table["variable"] == "security"]["n"].sum() == len(toy)
    assert cross_counts(toy, "country", "stance")["total"].sum() == len(toy)


# -- net stance --------------------------------------------------------------------------------


def test_net_stance_counts_and_index():
    from discourse.timeline import net_stance

    toy = pd.DataFrame({
        "date": pd.to_datetime(["2023-03-01"] * 5 + ["2024-03-01"] * 2),
        "group": ["state"] * 5 + ["industry"] * 2,
        "stance": ["supports_restriction", "supports_restriction", "opposes_restriction",
                   "conditional", None, "opposes_restriction", "opposes_restriction"],
    })
    table = net_stance(toy, "group", "year")
    assert table[["group", "period", "n", "opposes", "supports"]].values.tolist() == [
        ["industry", "2024", 2, 2, 0], ["state", "2023", 4, 1, 2]]
    assert table["net"].tolist() == [1.0, -0.25]
    assert (table["ci_low"] <= table["net"]).all() and (table["net"] <= table["ci_high"]).all()
    assert table["ci_high"].iloc[0] == 1.0 and table["ci_low"].iloc[0] < 0.5  # n = 2: wide


def test_net_stance_interval_matches_the_adjusted_wald_formula():
    from scipy.stats import norm

    from discourse.timeline import net_stance_interval

    low, high = net_stance_interval(np.array([30, 0]), np.array([10, 0]), np.array([50, 0]))
    o, s = 31 / 52, 11 / 52
    half = norm.ppf(0.975) * np.sqrt((o + s - (o - s) ** 2) / 52)
    assert low[0] == pytest.approx(o - s - half) and high[0] == pytest.approx(o - s + half)
    assert np.isnan(low[1]) and np.isnan(high[1])
    # it narrows as n grows, at the same shares
    small = net_stance_interval(np.array([3]), np.array([1]), np.array([5]))
    large = net_stance_interval(np.array([300]), np.array([100]), np.array([500]))
    assert (small[1] - small[0])[0] > 5 * (large[1] - large[0])[0]
