"""Per-statement values aggregated by group x period, with counts and confidence intervals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from . import schema

__all__ = [
    "PERIODS",
    "Period",
    "period_labels",
    "counts_by_period",
    "indicators",
    "prevalence",
    "category_shares",
    "frame_shares",
    "net_stance",
    "net_stance_interval",
    "wilson_interval",
    "cross_counts",
    "MISSING",
    "window",
    "BOOT_CHUNK_BYTES",
]

#: Calendar period lengths a caller may choose, with their pandas frequency codes. Besides
#: these, a period may be ``"all"`` (every date pooled into one period) or a sequence of
#: years at which eras start (see :func:`period_labels`).
PERIODS = {"month": "M", "quarter": "Q", "year": "Y"}

#: A period: ``"month"``, ``"quarter"``, ``"year"``, ``"all"`` or a sequence of era years.
Period = str | Sequence[int]


def _check_period(period: Period) -> str | tuple[int, ...]:
    """Return the pandas frequency of a calendar period, or the era start years."""
    if isinstance(period, str):
        if period == "all":
            return ()
        if period not in PERIODS:
            raise ValueError(f"period must be one of {', '.join(PERIODS)}, 'all' or a "
                             f"sequence of years, not {period!r}")
        return PERIODS[period]
    try:
        years = tuple(sorted({int(y) for y in period}))
    except (TypeError, ValueError):
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, 'all' or a sequence "
                         f"of years, not {period!r}") from None
    return years


def _era_name(first: int, last: int) -> str:
    """``"2024"`` for one year, ``"2011–23"`` for several (``"1998–2003"`` across centuries)."""
    if first == last:
        return str(first)
    end = f"{last % 100:02d}" if first // 100 == last // 100 else str(last)
    return f"{first}–{end}"


def _eras(years: np.ndarray, starts: tuple[int, ...]) -> tuple[list[int], list[str]]:
    """First years and names of the eras that cover ``years``: one from the first year,
    then one from each start year up to the last year."""
    first, last = int(years.min()), int(years.max())
    bounds = [first] + [y for y in starts if first < y <= last]
    ends = [b - 1 for b in bounds[1:]] + [last]
    return bounds, [_era_name(a, b) for a, b in zip(bounds, ends, strict=True)]


def _span(dates: pd.Series, period: Period) -> tuple[list[str], list[pd.Timestamp]]:
    """Every period from the first to the last date, in order: labels and first days."""
    rule = _check_period(period)
    dates = pd.to_datetime(dates)
    if isinstance(rule, str):
        span = pd.period_range(pd.Period(dates.min(), rule), pd.Period(dates.max(), rule),
                               freq=rule)
        return list(span.astype(str)), list(span.start_time.normalize())
    bounds, names = _eras(dates.dt.year.to_numpy(), rule)
    return names, [pd.Timestamp(year=b, month=1, day=1) for b in bounds]


def period_labels(dates: pd.Series, period: Period = "year") -> pd.DataFrame:
    """Return each date's period as a label and as the period's first day.

    Labels are ``"2024"`` for years, ``"2024Q4"`` for quarters and ``"2024-11"`` for months.
    ``period="all"`` pools every date into one period named by its years (``"2011–26"``).
    A sequence of years pools by eras: one from the first year of ``dates`` up to the year
    before the first break, then one from each break (``(2024, 2025)`` gives ``"2011–23"``,
    ``"2024"`` and ``"2025–26"`` for dates from 2011 to 2026); an era starts on 1 January of
    its first year. Era names therefore depend on the years present in ``dates``.

    Examples
    --------
    >>> dates = pd.Series(pd.to_datetime(["2011-05-01", "2023-11-15", "2024-11-15"]))
    >>> period_labels(dates, "quarter")["period"].tolist()
    ['2011Q2', '2023Q4', '2024Q4']
    >>> period_labels(dates, [2024])["period"].tolist()
    ['2011–23', '2011–23', '2024']
    >>> period_labels(dates, "all")["period"].tolist()
    ['2011–24', '2011–24', '2011–24']
    """
    rule = _check_period(period)
    dates = pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
    if isinstance(rule, str):
        periods = pd.PeriodIndex(dates, freq=rule)
        return pd.DataFrame(
            {"period": periods.astype(str), "period_start": periods.start_time.normalize()}
        )
    if dates.empty:
        return pd.DataFrame({"period": pd.Series(dtype=str),
                             "period_start": pd.Series(dtype="datetime64[ns]")})
    years = dates.dt.year.to_numpy()
    bounds, names = _eras(years, rule)
    index = np.searchsorted(bounds, years, side="right") - 1
    starts = pd.to_datetime({"year": np.asarray(bounds)[index], "month": 1, "day": 1})
    return pd.DataFrame({"period": np.asarray(names, dtype=object)[index].astype(str),
                         "period_start": starts})


#: The label of statements whose ``by`` value is missing: they are counted, never dropped.
MISSING = "(missing)"


def _by_labels(values: pd.Series) -> pd.Series:
    """Return ``values`` as text, a missing value as :data:`MISSING`."""
    return values.astype(object).where(values.notna(), MISSING).astype(str)


def _by_order(values: pd.Series) -> list[str]:
    """The ``by`` values present, in schema order (categoricals) or sorted; missing last."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        order = [str(c) for c in values.cat.categories if (values == c).any()]
    else:
        order = sorted(values.dropna().astype(str).unique())
    return order + ([MISSING] if values.isna().any() else [])


def _keys(corpus: pd.DataFrame, by: str | None, period: Period) -> pd.DataFrame:
    keys = period_labels(corpus["date"], period)
    keys.index = corpus.index
    keys.insert(0, "by", "all" if by is None else _by_labels(corpus[by]))
    return keys


def counts_by_period(
    corpus: pd.DataFrame, by: str | None = "group", period: Period = "month"
) -> pd.DataFrame:
    """Count statements per ``by`` value and period, zero-filled over the whole date range.

    Returns a tidy table with columns ``by`` value (named after the column, or ``all``),
    ``period``, ``period_start`` and ``n``; its ``n`` adds up to ``len(corpus)``: statements
    without a ``by`` value are counted under ``"(missing)"``. ``period`` is as in
    :func:`period_labels`.

    Examples
    --------
    >>> toy = pd.DataFrame({"date": pd.to_datetime(["2024-01-05", "2024-03-01"]),
    ...                     "group": ["state", "state"]})
    >>> counts_by_period(toy, period="month")["n"].tolist()
    [1, 0, 1]
    """
    _check_period(period)
    name = by or "all"
    keys = _keys(corpus, by, period)
    if corpus.empty:
        return pd.DataFrame(columns=[name, "period", "period_start", "n"])
    labels, starts = _span(corpus["date"], period)
    values = ["all"] if by is None else _by_order(corpus[by])
    grid = pd.MultiIndex.from_product([values, labels], names=["by", "period"])
    counts = keys.groupby(["by", "period"]).size().reindex(grid, fill_value=0)
    out = counts.rename("n").reset_index()
    out.insert(2, "period_start", out["period"].map(dict(zip(labels, starts, strict=True))))
    out["period_start"] = pd.to_datetime(out["period_start"])
    return out.rename(columns={"by": name})


def indicators(corpus: pd.DataFrame, column: str) -> pd.DataFrame:
    """Return one 0/1 column per code of a categorical or list column.

    For ``frames`` the columns are the eight frame codes in schema order; for a categorical
    column its categories; rows with a missing value are all 0.

    Examples
    --------
    >>> toy = pd.DataFrame({"frames": [["economy"], ["rights", "economy"]]})
    >>> indicators(toy, "frames")[["economy", "rights"]].values.tolist()
    [[1, 0], [1, 1]]
    """
    values = corpus[column]
    if column == "frames" or (len(values) and isinstance(values.iloc[0], list)):
        codes = list(schema.FRAMES) if column == "frames" else sorted({v for vs in values
                                                                        for v in vs})
        data = {c: [int(c in vs) for vs in values] for c in codes}
    else:
        cats = (list(values.cat.categories) if isinstance(values.dtype, pd.CategoricalDtype)
                else sorted(values.dropna().unique()))
        data = {c: (values == c).astype(int).to_numpy() for c in cats}
    return pd.DataFrame(data, index=corpus.index)


def wilson_interval(
    count: np.ndarray, n: np.ndarray, ci: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Return the Wilson score interval for binomial proportions ``count / n``.

    Each pair is :func:`scipy.stats.binomtest` ``(count, n).proportion_ci(method="wilson")``
    (no continuity correction); ``n = 0`` gives NaN. Counts must be whole numbers.

    Examples
    --------
    >>> low, high = wilson_interval(np.array([0]), np.array([10]))
    >>> round(float(low[0]), 3), round(float(high[0]), 3)
    (0.0, 0.278)
    """
    count = np.asarray(count, dtype=float)
    n = np.asarray(n, dtype=float)
    count, n = np.broadcast_arrays(count, n)
    if not (np.array_equal(count, np.round(count)) and np.array_equal(n, np.round(n))):
        raise ValueError("wilson_interval needs whole counts")
    low = np.full(count.shape, np.nan)
    high = np.full(count.shape, np.nan)
    # one binomtest per cell: about 0.25 ms each, some 0.1 s for the figures' ~400 cells
    for i in np.ndindex(count.shape):
        if n[i] > 0:
            interval = binomtest(int(count[i]), int(n[i])).proportion_ci(
                confidence_level=ci, method="wilson")
            low[i], high[i] = interval.low, interval.high
    return low, high


#: Most bytes :func:`prevalence` holds at once for the bootstrap resamples of a cell (their
#: indices and the values they pick), whatever the size of the cell: 64 MiB.
BOOT_CHUNK_BYTES = 64 * 2**20


def _boot_rows(n: int, k: int, max_bytes: int | None = None) -> int:
    """Resamples of a cell of ``n`` statements and ``k`` variables drawn at once: as many
    as fit ``max_bytes`` (default :data:`BOOT_CHUNK_BYTES`; 8-byte indices and 8-byte
    values), or 0 if not even one does."""
    return (BOOT_CHUNK_BYTES if max_bytes is None else max_bytes) // (8 * n * (1 + k))


def _bootstrap_means(cell_values: np.ndarray, n_boot: int, rng: np.random.Generator,
                     max_bytes: int | None = None) -> np.ndarray:
    """Means of ``n_boot`` resamples of the rows of ``cell_values`` (n x k), as an
    ``n_boot x k`` array, holding at most ``max_bytes`` of resamples at once.

    The resamples are ``rng.integers(0, n, size=(n_boot, n))`` drawn a block of rows at a
    time: one stream, so the same indices and the same means as drawing them all at once
    (a test checks it against that). A cell too large for one resample within
    ``max_bytes`` draws each resample in pieces and adds their values up in order, which
    gives the same sums when ``k >= 2`` and differs by rounding (some 1e-16) for ``k = 1``,
    where numpy sums a whole row pairwise.
    """
    n, k = cell_values.shape
    max_bytes = BOOT_CHUNK_BYTES if max_bytes is None else max_bytes
    out = np.empty((n_boot, k))
    rows = _boot_rows(n, k, max_bytes)
    if rows >= 1:
        for start in range(0, n_boot, rows):
            stop = min(start + rows, n_boot)
            draws = rng.integers(0, n, size=(stop - start, n))
            out[start:stop] = cell_values[draws].mean(axis=1)
        return out
    piece = max(1, max_bytes // (8 * (1 + 2 * k)))  # indices, values, and their copy
    for b in range(n_boot):
        total = np.zeros((1, k))
        for start in range(0, n, piece):
            draws = rng.integers(0, n, size=min(piece, n - start))
            total = np.add.reduce(np.concatenate([total, cell_values[draws]]), axis=0,
                                  keepdims=True)
        out[b] = total[0] / n
    return out


def prevalence(
    corpus: pd.DataFrame,
    values: pd.DataFrame,
    by: str | None = "group",
    period: Period = "year",
    *,
    method: str = "bootstrap",
    n_boot: int = 1000,
    ci: float = 0.95,
    random_state: int = 0,
) -> pd.DataFrame:
    """Average per-statement values by ``by`` x period, with confidence intervals.

    Parameters
    ----------
    corpus : DataFrame
        A loaded corpus (needs ``date`` and the ``by`` column), aligned with ``values``.
    values : DataFrame
        One numeric column per variable, one row per statement: 0/1 indicators (a stance,
        a frame) or weights (a theme's share of a statement).
    by : str or None
        Column to split by (``group``, ``country``, ...); None pools all statements.
    period : {"month", "quarter", "year", "all"} or sequence of int
        As in :func:`period_labels`: calendar periods, all dates pooled, or eras starting
        in the given years.
    method : {"bootstrap", "wilson"}
        ``bootstrap`` resamples the statements of each cell ``n_boot`` times (percentile
        interval; one seeded stream, cells in sorted order), a block of resamples at a
        time so that at most :data:`BOOT_CHUNK_BYTES` of them are held at once, whatever
        the size of the corpus; the blocks draw the same stream as drawing every
        resample at once, so the intervals do not depend on the block size. ``wilson``
        uses the Wilson score interval, for 0/1 values only; it stays informative in
        cells of a few statements.
    n_boot, ci, random_state
        Resamples, interval level, seed.

    Returns
    -------
    DataFrame
        Tidy: ``by`` column, ``period``, ``period_start``, ``variable``, ``n`` (statements in
        the cell), ``total`` (sum of the values: a count for indicators), ``mean``,
        ``ci_low``, ``ci_high``. Sorted by ``by``, period, variable (in ``values`` order).

    Examples
    --------
    >>> toy = pd.DataFrame({"date": pd.to_datetime(["2024-01-01"] * 4), "group": ["state"] * 4})
    >>> vals = pd.DataFrame({"ban": [1, 1, 0, 0]})
    >>> prevalence(toy, vals, method="wilson")[["n", "total", "mean"]].values.tolist()
    [[4.0, 2.0, 0.5]]
    """
    if method not in ("bootstrap", "wilson"):
        raise ValueError(f"method must be 'bootstrap' or 'wilson', not {method!r}")
    if len(values) != len(corpus):
        raise ValueError(f"values has {len(values)} rows but the corpus has {len(corpus)}")
    data = values.to_numpy(dtype=float)
    if method == "wilson" and not np.isin(data, (0.0, 1.0)).all():
        raise ValueError("method='wilson' needs 0/1 values; use method='bootstrap' for weights")
    keys = _keys(corpus, by, period).reset_index(drop=True)
    variables: Sequence[str] = list(values.columns)
    rng = np.random.default_rng(random_state)
    rows = []
    alpha = (1 - ci) / 2
    for (group, start, label), cell in keys.groupby(["by", "period_start", "period"],
                                                    sort=True):
        idx = cell.index.to_numpy()
        cell_values = data[idx]
        n = len(idx)
        total = cell_values.sum(axis=0)
        mean = total / n
        if method == "wilson":
            low, high = wilson_interval(total, np.full_like(total, n), ci)
        else:
            boot = _bootstrap_means(cell_values, n_boot, rng)
            low, high = np.quantile(boot, [alpha, 1 - alpha], axis=0)
        for j, variable in enumerate(variables):
            rows.append((group, label, start, variable, n, total[j], mean[j], low[j], high[j]))
    name = by or "all"
    out = pd.DataFrame(rows, columns=[name, "period", "period_start", "variable", "n", "total",
                                      "mean", "ci_low", "ci_high"])
    out["n"] = out["n"].astype(int)
    if by is not None:
        out[name] = pd.Categorical(out[name], categories=_by_order(corpus[by]))
        out = out.sort_values([name, "period_start"], kind="stable").reset_index(drop=True)
        out[name] = out[name].astype(str)
    return out


def category_shares(
    corpus: pd.DataFrame,
    column: str = "stance",
    by: str | None = "group",
    period: Period = "year",
    *,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Share of statements with each code of ``column`` (stance, frames, ...) by ``by`` x period.

    Statements without a code in ``column`` are left out of the denominator. Intervals are
    Wilson score intervals. Columns as in :func:`prevalence`, with ``variable`` renamed to
    ``column``'s name and ``mean`` to ``share``.

    Examples
    --------
    >>> from discourse import load_corpus
    >>> shares = category_shares(load_corpus(), "stance", period="year")
    >>> bool(shares.groupby(["group", "period"])["share"].sum().round(6).eq(1).all())
    True
    """
    ind = indicators(corpus, column)
    coded = ind.sum(axis=1) > 0
    out = prevalence(corpus[coded].reset_index(drop=True), ind[coded].reset_index(drop=True),
                     by, period, method="wilson", ci=ci)
    out["total"] = out["total"].round().astype(int)
    return out.rename(columns={"variable": column, "mean": "share", "total": "count"})


def frame_shares(
    corpus: pd.DataFrame,
    by: str | None = "group",
    period: Period = "year",
    *,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Share of *all* statements using each frame, by ``by`` x period, with Wilson intervals.

    Unlike ``category_shares(corpus, "frames")``, statements coded with no frame stay in the
    denominator, and a statement may use several frames, so shares need not sum to 1.

    Returns
    -------
    DataFrame
        ``by`` column (or ``all``), ``period``, ``period_start``, ``frame`` (schema order),
        ``n`` (statements), ``count`` (those using the frame), ``share``, ``ci_low``,
        ``ci_high``.

    Examples
    --------
    >>> toy = pd.DataFrame({"date": pd.to_datetime(["2024-01-01", "2025-06-01"]),
    ...                     "group": ["state", "state"], "frames": [["security"], []]})
    >>> table = frame_shares(toy, period="all")
    >>> table[table["frame"] == "security"][["period", "n", "count", "share"]].values.tolist()
    [['2024–25', 2, 1, 0.5]]
    """
    data = corpus.reset_index(drop=True)
    out = prevalence(data, indicators(data, "frames"), by, period, method="wilson", ci=ci)
    out["total"] = out["total"].round().astype(int)
    return out.rename(columns={"variable": "frame", "total": "count", "mean": "share"})


def net_stance_interval(
    opposes: np.ndarray, supports: np.ndarray, n: np.ndarray, ci: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Return the adjusted Wald interval of a net stance ``(opposes - supports) / n``.

    Within one cell the two shares come from the same statements (a multinomial sample),
    so their difference is that of two cells of one table, as for paired proportions. The
    interval is the adjusted Wald interval of Bonett and Price (2012): add one statement to
    each of the two counts and two to ``n``,

    ``o = (opposes + 1) / (n + 2)``, ``s = (supports + 1) / (n + 2)``,

    ``(o - s) +/- z sqrt((o + s - (o - s)^2) / (n + 2))``,

    clipped to [-1, 1], with ``z`` the normal quantile of the level. Like the Wilson
    interval it stays wide, and informative, in cells of one or two statements, where a
    bootstrap would collapse to a point; ``n = 0`` gives NaN. Closed form: no resampling,
    the same on every machine.

    References
    ----------
    Bonett and Price (2012), "Adjusted Wald confidence interval for a difference of
    binomial proportions based on paired data", Journal of Educational and Behavioral
    Statistics 37(4), 479-488.

    Examples
    --------
    >>> low, high = net_stance_interval(np.array([1]), np.array([0]), np.array([1]))
    >>> round(float(low[0]), 3), round(float(high[0]), 3)
    (-0.734, 1.0)
    """
    from scipy.stats import norm

    opposes, supports, n = np.broadcast_arrays(*(np.asarray(a, dtype=float)
                                                 for a in (opposes, supports, n)))
    z = float(norm.ppf(1 - (1 - ci) / 2))
    o = (opposes + 1) / (n + 2)
    s = (supports + 1) / (n + 2)
    diff = o - s
    half = z * np.sqrt(np.maximum(o + s - diff ** 2, 0.0) / (n + 2))
    low = np.where(n > 0, np.clip(diff - half, -1.0, 1.0), np.nan)
    high = np.where(n > 0, np.clip(diff + half, -1.0, 1.0), np.nan)
    return low, high


def net_stance(
    corpus: pd.DataFrame,
    by: str | None = "group",
    period: Period = "year",
    *,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Net stance on restriction by ``by`` x period: share opposing minus share supporting.

    Among the statements coded for stance in a cell (``n``; ``conditional`` and
    ``neutral`` statements count in ``n`` but on neither side), the index is

    ``net = (opposes_restriction - supports_restriction) / n``,

    from -1 (every statement supports restriction) to +1 (every statement opposes it); 0
    is a balance, or a cell of conditional and neutral statements only. Its interval is
    :func:`net_stance_interval` (adjusted Wald, Bonett and Price 2012). Cells with no
    coded statement are left out.

    Returns
    -------
    DataFrame
        ``by`` column (or ``all``), ``period``, ``period_start``, ``n``, ``opposes``,
        ``supports`` (counts), ``net``, ``ci_low``, ``ci_high``; sorted by ``by`` (schema
        order) and period.

    Examples
    --------
    >>> toy = pd.DataFrame({"date": pd.to_datetime(["2024-01-01"] * 4),
    ...                     "group": ["state"] * 4,
    ...                     "stance": ["supports_restriction", "supports_restriction",
    ...                                "opposes_restriction", "neutral"]})
    >>> net_stance(toy)[["group", "n", "opposes", "supports", "net"]].values.tolist()
    [['state', 4, 1, 2, -0.25]]
    """
    name = by or "all"
    used = [c for c in dict.fromkeys(("date", by, "stance")) if c is not None and c in corpus]
    # the statements coded for stance, with the columns used only (not a copy of the texts)
    coded = corpus.loc[corpus["stance"].notna(), used].reset_index(drop=True)
    columns = [name, "period", "period_start", "n", "opposes", "supports", "net", "ci_low",
               "ci_high"]
    if coded.empty:
        return pd.DataFrame(columns=columns)
    stance = coded["stance"].astype(str)
    values = pd.DataFrame({"opposes": (stance == "opposes_restriction").astype(int),
                           "supports": (stance == "supports_restriction").astype(int)})
    table = prevalence(coded, values, by, period, method="wilson", ci=ci)
    wide = table.pivot_table(index=[name, "period", "period_start"], columns="variable",
                             values="total", sort=False, observed=True).reset_index()
    sizes = table.drop_duplicates([name, "period_start"]).set_index(
        [name, "period_start"])["n"]
    wide["n"] = [int(sizes[(g, s)]) for g, s in zip(wide[name], wide["period_start"],
                                                    strict=True)]
    wide["opposes"] = wide["opposes"].round().astype(int)
    wide["supports"] = wide["supports"].round().astype(int)
    wide["net"] = (wide["opposes"] - wide["supports"]) / wide["n"]
    wide["ci_low"], wide["ci_high"] = net_stance_interval(
        wide["opposes"].to_numpy(), wide["supports"].to_numpy(), wide["n"].to_numpy(), ci)
    wide.columns.name = None
    return wide[columns].reset_index(drop=True)


def cross_counts(
    corpus: pd.DataFrame, rows: str, columns: str, *, min_total: int = 0
) -> pd.DataFrame:
    """Count statements by two columns, as a table with one column per value of ``columns``.

    A list column (``frames``) counts each statement once per code. Values keep their schema
    order (categoricals) or are sorted, with statements missing a ``rows`` value counted
    under ``"(missing)"``; a ``total`` column ends each row (statements, not codes), and rows
    with fewer than ``min_total`` statements are left out.

    Examples
    --------
    >>> toy = pd.DataFrame({"group": ["state", "state", "industry"],
    ...                     "stance": ["neutral", "neutral", "conditional"]})
    >>> cross_counts(toy, "group", "stance").values.tolist()
    [['industry', 1, 0, 1], ['state', 0, 2, 2]]
    """
    ind = indicators(corpus, columns)
    keys = _by_labels(corpus[rows])
    order = _by_order(corpus[rows])
    table = ind.groupby(keys.to_numpy(), sort=False).sum().reindex(order)
    table = table.loc[:, table.sum() > 0].astype(int)
    table["total"] = keys.value_counts().reindex(order).to_numpy()
    table = table[table["total"] >= min_total]
    return table.rename_axis(rows).reset_index()


def window(
    corpus: pd.DataFrame,
    start: str,
    end: str,
    *,
    country: str | None = None,
) -> pd.DataFrame:
    """Return the statements dated from ``start`` to ``end`` (inclusive), in date order.

    Month-precision dates count as the first of their month. Ties are broken by ``id``.

    Examples
    --------
    >>> from discourse import load_corpus
    >>> nov = window(load_corpus(), "2024-11-01", "2024-11-30", country="PK")
    >>> bool(nov["date"].is_monotonic_increasing)
    True
    """
    dates = corpus["date"]
    keep = (dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))
    if country is not None:
        keep &= corpus["country"].astype(str) == country
    return corpus[keep].sort_values(["date", "id"], kind="stable").reset_index(drop=True)
