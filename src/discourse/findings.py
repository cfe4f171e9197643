"""Findings computed, not typed: analysis tables in, claims with their evidence out.

Every function here returns :class:`Finding` objects: a sentence that states the claim with
its evidence inline (estimate, n, 95 % interval, the test and its p-value, the comparison
made), and the same evidence as fields. A claim of *difference* or *change* is stated only
when its test supports it at level ``alpha`` (default 0.05) **and** every cell behind it
holds at least ``min_n`` statements (default 10); otherwise the finding is of kind
``"cannot_conclude"`` and says what cannot be concluded and why. Notebooks render their
"What we found" sections from these findings with :func:`render_markdown`, so the text
cannot outrun the numbers.

Statistics
----------
- Shares: count / n of the statements with a code in the column (as
  :func:`discourse.timeline.category_shares`), with 95 % Wilson score intervals
  (:func:`discourse.timeline.wilson_interval`).
- Two shares: Fisher's exact test, two-sided (:func:`scipy.stats.fisher_exact`), exact at
  any n; the difference gets Newcombe's hybrid score interval (Newcombe 1998, method 10),
  built from the two Wilson intervals.
- Change over time by group, holding the country mix fixed (``hold_countries="within"``,
  the default): only countries with statements of the group in *both* periods are kept; the
  test is the Cochran-Mantel-Haenszel test with countries as strata (continuity-corrected,
  1 degree of freedom), which asks whether the share changed *within* countries; the size
  is shown as directly standardised shares, each period's within-country shares weighted by
  the country's share of the group's statements over both periods. A change that appears in
  the raw shares but not within countries is reported as a change of countries, not of views.
- Model against baseline: the two 95 % bootstrap intervals of
  :func:`discourse.evaluate.evaluate`; the model is called better only when its interval
  lies wholly above the baseline's. (Non-overlap of two 95 % intervals is a conservative
  test: overlapping intervals do not prove the scores equal, so the finding then says that
  the data cannot tell them apart.)
- Distinctive vocabulary: only terms whose Benjamini-Hochberg adjusted p-value
  (:func:`discourse.contrast.distinctive_terms`) is below ``alpha``; terms that name a kind
  of speaker (:data:`SPEAKER_WORDS`) are flagged, since paraphrases in reported speech put
  them in ("the association said ...").

References
----------
Newcombe, R. G. (1998). Interval estimation for the difference between independent
proportions: comparison of eleven methods. Statistics in Medicine 17, 873-890.
Mantel, N. and Haenszel, W. (1959). Statistical aspects of the analysis of data from
retrospective studies of disease. JNCI 22, 719-748.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import chi2, fisher_exact

from .timeline import indicators, wilson_interval

__all__ = [
    "ALPHA",
    "MIN_N",
    "SPEAKER_WORDS",
    "Finding",
    "share",
    "share_levels",
    "compare_shares",
    "change_over_time",
    "most_divided_group",
    "distinctive_vocabulary_findings",
    "model_vs_baseline",
    "busiest_period",
    "largest_share",
    "changes_by_group",
    "theme_choice",
    "render_markdown",
]

#: Level of every test (claims of difference or change need p < ALPHA).
ALPHA = 0.05
#: Fewest statements a cell behind a claim of difference or change may hold.
MIN_N = 10

#: Words that name a kind of speaker rather than an argument. Paraphrases in reported speech
#: put them in ("the association said ..."), so a group's "distinctive" use of them says who
#: speaks, not what they argue.
SPEAKER_WORDS: frozenset[str] = frozenset({
    "agency", "association", "associations", "authority", "authorities", "board", "bureau",
    "cabinet", "chairman", "chair", "committee", "committees", "companies", "company",
    "council", "court", "courts", "department", "federation", "firm", "firms", "foundation",
    "government", "group", "groups", "judge", "judges", "lawmaker", "lawmakers", "minister",
    "ministers", "ministry", "ministries", "ngo", "ngos", "office", "official", "officials",
    "organisation", "organisations", "organization", "organizations", "parliament", "party",
    "providers", "regulator", "regulators", "senate", "senator", "senators", "spokesperson",
    "union",
})

KINDS = ("difference", "change", "level", "cannot_conclude")


@dataclass(frozen=True)
class Finding:
    """One claim and the evidence behind it.

    Attributes
    ----------
    claim : str
        The sentence a reader sees, evidence inline (Markdown).
    kind : {"difference", "change", "level", "cannot_conclude"}
        What is claimed; ``"cannot_conclude"`` when a difference or change was examined
        and the evidence does not support stating it.
    comparison : str
        What was compared, in words (``"state vs civil society: share coded opposes
        restriction"``).
    supported : bool
        Whether the claim as stated is supported (always True for a ``"level"``; False
        for ``"cannot_conclude"``).
    estimates, ns, intervals : tuple
        The estimates (shares, scores), the statements behind each, and their 95 %
        intervals, in the order of ``comparison``.
    test, statistic, p_value : str, float, float or None
        The test made and its result (None for a level).
    reason : str or None
        Why a difference or change cannot be concluded.
    details : dict
        Further evidence (counts per country, terms, ...), JSON-ready.
    """

    claim: str
    kind: str
    comparison: str
    supported: bool
    estimates: tuple[float, ...] = ()
    ns: tuple[int, ...] = ()
    intervals: tuple[tuple[float, float], ...] = ()
    test: str | None = None
    statistic: float | None = None
    p_value: float | None = None
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {self.kind!r}")

    def to_markdown(self) -> str:
        """The claim as one Markdown list item."""
        prefix = "**Cannot conclude.** " if self.kind == "cannot_conclude" else ""
        return f"- {prefix}{self.claim}"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


# -- formatting --------------------------------------------------------------------------------


def _label(code: Any) -> str:
    """A reader's name for a code: ``civil_society`` -> ``civil society``, ``RU`` -> Russia."""
    from .style import country_label, display_name

    code = str(code)
    if len(code) == 2 and code.isupper():
        return country_label(code)
    text = display_name(code)
    return text if code.isupper() else text[:1].lower() + text[1:]


def _title(code: Any) -> str:
    text = _label(code)
    return text[:1].upper() + text[1:]


def _pct(x: float) -> str:
    return "n/a" if not np.isfinite(x) else f"{100 * x:.0f} %"


def _ci(low: float, high: float) -> str:
    if not (np.isfinite(low) and np.isfinite(high)):
        return "no interval"
    return f"95 % CI {100 * low:.0f}–{100 * high:.0f} %"


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _evidence(count: int, n: int, low: float, high: float) -> str:
    """``"31 % (47 of 149, 95 % CI 24–39 %)"``."""
    if n == 0:
        return "no statements"
    return f"{_pct(count / n)} ({count} of {n}, {_ci(low, high)})"


def _few(ns: Iterable[int], min_n: int) -> list[int]:
    return [int(n) for n in ns if n < min_n]


# -- shares ------------------------------------------------------------------------------------


def _coded(corpus: pd.DataFrame, column: str, value: str) -> tuple[pd.Series, pd.Series]:
    """Return (has a code in ``column``, has ``value``) as boolean Series over ``corpus``."""
    if column not in corpus:
        raise KeyError(f"the corpus has no column {column!r}")
    ind = indicators(corpus, column)
    coded = ind.sum(axis=1) > 0
    hit = ind[value].astype(bool) if value in ind else pd.Series(False, index=corpus.index)
    return coded, hit


def share(corpus: pd.DataFrame, *, column: str, value: str) -> dict[str, float | int]:
    """Share of the statements coded in ``column`` that carry ``value``, with its interval.

    Statements without a code in ``column`` are left out of ``n``.

    Returns
    -------
    dict
        ``count``, ``n``, ``share``, ``ci_low``, ``ci_high`` (95 % Wilson).

    Examples
    --------
    >>> toy = pd.DataFrame({"stance": ["neutral", "neutral", "conditional", None]})
    >>> share(toy, column="stance", value="neutral")["n"]
    3
    """
    coded, hit = _coded(corpus, column, value)
    n, count = int(coded.sum()), int((hit & coded).sum())
    low, high = wilson_interval(np.array([count]), np.array([n]))
    return {"count": count, "n": n, "share": count / n if n else float("nan"),
            "ci_low": float(low[0]), "ci_high": float(high[0])}


def share_levels(
    corpus: pd.DataFrame,
    *,
    column: str,
    value: str,
    by: str,
    order: Sequence[str] | None = None,
    min_n: int = MIN_N,
) -> list[Finding]:
    """One ``"level"`` finding per value of ``by``: the share coded ``value``, with evidence.

    A level is a description, so it is always stated; a cell of fewer than ``min_n``
    statements says so ("few statements").

    Examples
    --------
    >>> toy = pd.DataFrame({"group": ["state"] * 3 + ["industry"],
    ...                     "stance": ["supports_restriction"] * 2 + ["neutral"] * 2})
    >>> [f.estimates for f in share_levels(toy, column="stance",
    ...                                     value="supports_restriction", by="group")]
    [(0.0,), (0.6666666666666666,)]
    """
    if by not in corpus:
        raise KeyError(f"the corpus has no column {by!r}")
    values = list(order) if order is not None else _present(corpus[by])
    out = []
    for name in values:
        s = share(corpus[corpus[by].astype(str) == str(name)], column=column, value=value)
        note = f" (few statements: fewer than {min_n})" if 0 < s["n"] < min_n else ""
        claim = (f"{_title(name)}: {_evidence(s['count'], s['n'], s['ci_low'], s['ci_high'])}"
                 f" of statements coded {_label(value)}{note}.")
        out.append(Finding(claim=claim, kind="level", supported=True,
                           comparison=f"{_label(name)}: share coded {_label(value)}",
                           estimates=(s["share"],), ns=(s["n"],),
                           intervals=((s["ci_low"], s["ci_high"]),),
                           details={by: str(name), "count": s["count"]}))
    return out


def _present(values: pd.Series) -> list[str]:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [str(c) for c in values.cat.categories if (values == c).any()]
    return sorted(values.dropna().astype(str).unique())


def _newcombe(ca: int, na: int, cb: int, nb: int) -> tuple[float, float, float]:
    """Difference ``pb - pa`` with Newcombe's hybrid score interval (method 10)."""
    (la, lb), (ua, ub) = wilson_interval(np.array([ca, cb]), np.array([na, nb]))
    pa, pb = ca / na, cb / nb
    d = pb - pa
    low = d - np.sqrt((pb - lb) ** 2 + (ua - pa) ** 2)
    high = d + np.sqrt((ub - pb) ** 2 + (pa - la) ** 2)
    return float(d), float(low), float(high)


def _two_shares(ca: int, na: int, cb: int, nb: int) -> tuple[float, float, float, float]:
    """Fisher's exact test and Newcombe interval: (p, difference b - a, low, high)."""
    p = float(fisher_exact([[ca, na - ca], [cb, nb - cb]]).pvalue)
    d, low, high = _newcombe(ca, na, cb, nb)
    return p, d, low, high


def compare_shares(
    corpus: pd.DataFrame,
    *,
    column: str,
    value: str,
    by: str,
    a: str,
    b: str,
    alpha: float = ALPHA,
    min_n: int = MIN_N,
) -> Finding:
    """Compare the share coded ``value`` between the statements with ``by == a`` and ``b``.

    Fisher's exact test (two-sided) on the 2 x 2 table of (a, b) x (value, other code);
    the difference gets Newcombe's interval. A difference is stated only if
    ``p < alpha`` and both groups hold at least ``min_n`` coded statements.

    Parameters
    ----------
    corpus : DataFrame
        A loaded corpus.
    column, value : str
        The coded column (``stance``, ``frames``, ...) and the code whose share is compared.
    by, a, b : str
        The column that splits the statements and the two values compared.
    alpha, min_n
        Test level and fewest statements per group.

    Returns
    -------
    Finding
        ``estimates`` and ``ns`` in the order (a, b); ``details["difference"]`` holds
        ``a - b`` (in the order the sentence reads) with its interval.

    Examples
    --------
    >>> toy = pd.DataFrame({"group": ["state"] * 20 + ["civil_society"] * 20,
    ...     "stance": ["supports_restriction"] * 16 + ["opposes_restriction"] * 4
    ...             + ["opposes_restriction"] * 18 + ["supports_restriction"] * 2})
    >>> f = compare_shares(toy, column="stance", value="opposes_restriction", by="group",
    ...                    a="state", b="civil_society")
    >>> f.kind, f.supported, f.ns
    ('difference', True, (20, 20))
    """
    counts = []
    for name in (a, b):
        part = corpus[corpus[by].astype(str) == str(name)]
        s = share(part, column=column, value=value)
        counts.append(s)
    (sa, sb) = counts
    what = f"statements coded {_label(value)}"
    comparison = f"{_label(a)} vs {_label(b)}: share coded {_label(value)}"
    sides = (f"{_label(a)} {_evidence(sa['count'], sa['n'], sa['ci_low'], sa['ci_high'])} vs "
             f"{_label(b)} {_evidence(sb['count'], sb['n'], sb['ci_low'], sb['ci_high'])}")
    base = dict(comparison=comparison, estimates=(sa["share"], sb["share"]),
                ns=(sa["n"], sb["n"]),
                intervals=((sa["ci_low"], sa["ci_high"]), (sb["ci_low"], sb["ci_high"])))
    if sa["n"] == 0 or sb["n"] == 0:
        missing = a if sa["n"] == 0 else b
        return Finding(claim=f"{_title(what)}: no coded statement of {_label(missing)}, so "
                       "the two cannot be compared.", kind="cannot_conclude", supported=False,
                       reason="no statements", **base)
    p, d, low, high = _two_shares(sb["count"], sb["n"], sa["count"], sa["n"])  # a - b
    test = "Fisher's exact test"
    diff = (f"difference {100 * d:+.0f} points (95 % CI {100 * low:+.0f} to "
            f"{100 * high:+.0f})")
    details = {"difference": d, "difference_ci": (low, high)}
    few = _few((sa["n"], sb["n"]), min_n)
    if few:
        reason = f"fewer than {min_n} statements in a group (n = {', '.join(map(str, few))})"
        claim = f"{_title(what)}: {sides}; too few statements to compare: {reason}."
        return Finding(claim=claim, kind="cannot_conclude", supported=False, test=test,
                       p_value=p, reason=reason, details=details, **base)
    if p < alpha:
        claim = f"{_title(what)}: {sides}; {diff}, significant ({test}, {_p(p)})."
        return Finding(claim=claim, kind="difference", supported=True, test=test, p_value=p,
                       details=details, **base)
    reason = f"not significant at the {100 * alpha:.0f} % level ({test}, {_p(p)})"
    claim = f"{_title(what)}: {sides}; {diff}; the data cannot tell them apart: {reason}."
    return Finding(claim=claim, kind="cannot_conclude", supported=False, test=test,
                   p_value=p, reason=reason, details=details, **base)


# -- change over time --------------------------------------------------------------------------


def _period_mask(dates: pd.Series, period: Any) -> tuple[pd.Series, str]:
    """Statements in ``period``: a year (2024 or "2024"), a span of years ("2025–26",
    "2011-2023", (2025, 2026)) or a pair of dates (("2024-11-01", "2024-12-31"))."""
    dates = pd.to_datetime(dates)
    years = dates.dt.year
    if isinstance(period, int | np.integer):
        return years == int(period), str(period)
    if isinstance(period, str):
        text = period.replace("–", "-").strip()
        parts = text.split("-")
        if len(parts) == 1 and text.isdigit():
            return years == int(text), period
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            first = int(parts[0])
            last = int(parts[1]) if len(parts[1]) == 4 else first // 100 * 100 + int(parts[1])
            return years.between(first, last), period
        raise ValueError(f"period {period!r}: give a year (2024), a span of years "
                         "('2025–26') or a pair of dates ('2024-11-01', '2024-12-31')")
    if isinstance(period, Sequence) and len(period) == 2:
        start, end = period
        if isinstance(start, int | np.integer) and isinstance(end, int | np.integer):
            start, end = int(start), int(end)
            name = (str(start) if start == end else f"{start}–{end % 100:02d}"
                    if start // 100 == end // 100 else f"{start}–{end}")
            return years.between(start, end), name
        start, end = pd.Timestamp(start), pd.Timestamp(end)
        return dates.between(start, end), f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
    raise ValueError(f"period {period!r}: give a year, a span of years or a pair of dates")


def _cmh(tables: list[np.ndarray]) -> tuple[float, float]:
    """Cochran-Mantel-Haenszel chi-square (continuity-corrected, 1 df) over 2 x 2 tables.

    Each table is ``[[a, b], [c, d]]`` (rows: period a, period b; columns: with the code,
    without). ``sum(a_k - E[a_k])`` is compared with its variance
    ``sum((a+b)(c+d)(a+c)(b+d) / (n^2 (n - 1)))``. Returns (statistic, p); p = 1 when no
    stratum varies.
    """
    deviation, variance = 0.0, 0.0
    for t in tables:
        (a, b), (c, d) = t.astype(float)
        n = a + b + c + d
        if n < 2:
            continue
        deviation += a - (a + b) * (a + c) / n
        variance += (a + b) * (c + d) * (a + c) * (b + d) / (n * n * (n - 1))
    if variance <= 0:
        return 0.0, 1.0
    statistic = max(abs(deviation) - 0.5, 0.0) ** 2 / variance
    return float(statistic), float(chi2.sf(statistic, 1))


def _country_mix(part: pd.DataFrame) -> str:
    """``"22 of 28 from Pakistan"``: the largest country's share of a period's statements."""
    if part.empty:
        return "no statements"
    counts = part["country"].astype(str).value_counts()
    top = sorted(counts.index, key=lambda c: (-counts[c], c))[0]
    return f"{counts[top]} of {len(part)} from {_label(top)}"


def change_over_time(
    corpus: pd.DataFrame,
    *,
    group: str,
    column: str,
    value: str,
    period_a: Any,
    period_b: Any,
    by: str = "group",
    hold_countries: str | None = "within",
    alpha: float = ALPHA,
    min_n: int = MIN_N,
) -> Finding:
    """Did the share of ``group``'s statements coded ``value`` change from one period to another?

    Parameters
    ----------
    corpus : DataFrame
        A loaded corpus (``date``, ``country``, ``by`` and ``column``).
    group : str
        The value of ``by`` whose statements are followed (``"industry"``).
    column, value : str
        The coded column and the code (``"stance"``, ``"opposes_restriction"``).
    period_a, period_b
        The periods compared: a year (``2024``), a span of years (``"2025–26"``,
        ``(2025, 2026)``) or a pair of dates (``("2024-11-01", "2024-12-31")``).
    by : str
        The column ``group`` belongs to.
    hold_countries : {"within", None}
        ``"within"`` (default) holds the country mix fixed: only countries with coded
        statements of the group in both periods are kept, the test is the
        Cochran-Mantel-Haenszel test with countries as strata, and the estimates are
        directly standardised shares (each period's within-country shares weighted by
        each country's share of the kept statements over both periods). ``None`` compares
        the raw shares (Fisher's exact test) and only reports the country mix.
    alpha, min_n
        Test level, and fewest statements a period may hold (after keeping the shared
        countries) for a change to be stated.

    Returns
    -------
    Finding
        ``kind="change"`` if supported, else ``"cannot_conclude"``; ``estimates`` are the
        (standardised) shares of periods a and b, ``ns`` the statements behind them;
        ``details`` holds the raw shares, each period's country mix, the countries kept and
        their counts.

    Examples
    --------
    Pure composition: each country's share stays put, but the mix of countries changes.

    >>> rows = ([("2020", "A", "yes")] * 16 + [("2020", "A", "no")] * 4
    ...         + [("2020", "B", "yes")] * 1 + [("2020", "B", "no")] * 4
    ...         + [("2021", "A", "yes")] * 4 + [("2021", "A", "no")] * 1
    ...         + [("2021", "B", "yes")] * 4 + [("2021", "B", "no")] * 16)
    >>> toy = pd.DataFrame(rows, columns=["year", "country", "stance"])
    >>> toy["date"] = pd.to_datetime(toy["year"] + "-06-01"); toy["group"] = "industry"
    >>> raw = change_over_time(toy, group="industry", column="stance", value="yes",
    ...                        period_a=2020, period_b=2021, hold_countries=None)
    >>> within = change_over_time(toy, group="industry", column="stance", value="yes",
    ...                           period_a=2020, period_b=2021)
    >>> raw.kind, within.kind
    ('change', 'cannot_conclude')
    """
    if hold_countries not in ("within", None):
        raise ValueError(f"hold_countries must be 'within' or None, not {hold_countries!r}")
    for name in ("date", by, column) + (("country",) if hold_countries else ()):
        if name not in corpus:
            raise KeyError(f"the corpus has no column {name!r}")
    data = corpus[corpus[by].astype(str) == str(group)]
    coded, hit = _coded(data, column, value)
    data = data.assign(_hit=hit.astype(int))[coded]
    in_a, label_a = _period_mask(data["date"], period_a)
    in_b, label_b = _period_mask(data["date"], period_b)
    if (in_a & in_b).any():
        raise ValueError(f"periods {label_a} and {label_b} overlap")
    part_a, part_b = data[in_a], data[in_b]
    what = f"{_label(group)} statements coded {_label(value)}"
    comparison = f"{_label(group)}: share coded {_label(value)}, {label_a} vs {label_b}"
    raw = {label_a: share(part_a, column=column, value=value),
           label_b: share(part_b, column=column, value=value)}
    details: dict[str, Any] = {"raw": raw, "hold_countries": hold_countries}
    if "country" in data:
        details["country_mix"] = {label_a: _country_mix(part_a), label_b: _country_mix(part_b)}

    def raw_text(label: str, part: pd.DataFrame) -> str:
        s = raw[label]
        mix = f", {details['country_mix'][label]}" if "country_mix" in details else ""
        return f"{label}: {_evidence(s['count'], s['n'], s['ci_low'], s['ci_high'])}{mix}"

    raw_sides = f"{raw_text(label_a, part_a)} → {raw_text(label_b, part_b)}"
    if hold_countries is None:
        sa, sb = raw[label_a], raw[label_b]
        base = dict(comparison=comparison, estimates=(sa["share"], sb["share"]),
                    ns=(sa["n"], sb["n"]),
                    intervals=((sa["ci_low"], sa["ci_high"]), (sb["ci_low"], sb["ci_high"])))
        if sa["n"] == 0 or sb["n"] == 0:
            return Finding(claim=f"{_title(what)}: {raw_sides}; no statements in a period.",
                           kind="cannot_conclude", supported=False, reason="no statements",
                           details=details, **base)
        p, d, low, high = _two_shares(sa["count"], sa["n"], sb["count"], sb["n"])
        test = "Fisher's exact test"
        details.update(difference=d, difference_ci=(low, high))
        few = _few((sa["n"], sb["n"]), min_n)
        note = " The mix of countries is not held fixed."
        if few:
            reason = f"fewer than {min_n} statements in a period (n = {', '.join(map(str, few))})"
            return Finding(claim=f"{_title(what)}: {raw_sides}; too few statements to speak "
                           f"of a change: {reason}.{note}", kind="cannot_conclude",
                           supported=False, test=test, p_value=p, reason=reason,
                           details=details, **base)
        if p < alpha:
            return Finding(claim=f"{_title(what)}: {raw_sides}; change {100 * d:+.0f} points, "
                           f"significant ({test}, {_p(p)}).{note}", kind="change",
                           supported=True, test=test, p_value=p, details=details, **base)
        reason = f"not significant at the {100 * alpha:.0f} % level ({test}, {_p(p)})"
        return Finding(claim=f"{_title(what)}: {raw_sides}; no change can be concluded: "
                       f"{reason}.{note}", kind="cannot_conclude", supported=False,
                       test=test, p_value=p, reason=reason, details=details, **base)

    # hold the country mix fixed: countries present in both periods, CMH over countries
    countries_a = set(part_a["country"].astype(str))
    countries_b = set(part_b["country"].astype(str))
    shared = sorted(countries_a & countries_b)
    details["countries"] = shared
    if not shared:
        reason = (f"no country has coded {_label(group)} statements in both {label_a} and "
                  f"{label_b}, so a change of views cannot be told from a change of countries")
        return Finding(claim=f"{_title(what)}: {raw_sides}; {reason}.", kind="cannot_conclude",
                       supported=False, comparison=comparison, reason=reason, details=details,
                       test="Cochran-Mantel-Haenszel test (countries as strata)")
    tables, per_country = [], {}
    for country in shared:
        ka = part_a[part_a["country"].astype(str) == country]["_hit"]
        kb = part_b[part_b["country"].astype(str) == country]["_hit"]
        tables.append(np.array([[ka.sum(), len(ka) - ka.sum()], [kb.sum(), len(kb) - kb.sum()]]))
        per_country[country] = {label_a: (int(ka.sum()), len(ka)),
                                label_b: (int(kb.sum()), len(kb))}
    details["per_country"] = per_country
    n_c = np.array([t.sum() for t in tables], dtype=float)
    weights = n_c / n_c.sum()
    std_a = float(sum(w * t[0, 0] / t[0].sum() for w, t in zip(weights, tables, strict=True)))
    std_b = float(sum(w * t[1, 0] / t[1].sum() for w, t in zip(weights, tables, strict=True)))
    na, nb = int(sum(t[0].sum() for t in tables)), int(sum(t[1].sum() for t in tables))
    statistic, p = _cmh(tables)
    test = "Cochran-Mantel-Haenszel test, countries as strata"
    kept = ", ".join(_label(c) for c in shared)
    dropped = (len(part_a) - na) + (len(part_b) - nb)
    countries = "the country" if len(shared) == 1 else f"the {len(shared)} countries"
    within = (f"within {countries} present in both periods ({kept}; "
              f"{dropped} statements from other countries set aside), country-standardised "
              f"share {_pct(std_a)} (n = {na}) → {_pct(std_b)} (n = {nb})")
    base = dict(comparison=comparison + " (country mix held fixed)",
                estimates=(std_a, std_b), ns=(na, nb), test=test, statistic=statistic,
                p_value=p, details=details)
    few = _few((na, nb), min_n)
    if few:
        reason = (f"fewer than {min_n} statements in a period once the country mix is held "
                  f"fixed (n = {', '.join(map(str, few))})")
        return Finding(claim=f"{_title(what)}: {raw_sides}. {_title(within)}: too few "
                       f"statements to speak of a change, {reason}.", kind="cannot_conclude",
                       supported=False, reason=reason, **base)
    if p < alpha:
        return Finding(claim=f"{_title(what)}: {raw_sides}. {_title(within)}; the change holds "
                       f"within countries ({test}, {_p(p)}).", kind="change", supported=True,
                       **base)
    raw_p = float(fisher_exact([[raw[label_a]["count"], raw[label_a]["n"] - raw[label_a]["count"]],
                                [raw[label_b]["count"], raw[label_b]["n"] - raw[label_b]["count"]]]
                               ).pvalue) if raw[label_a]["n"] and raw[label_b]["n"] else 1.0
    details["raw_p_value"] = raw_p
    apparent = (" The raw shares differ, but within countries they do not: the apparent "
                "change is a change of countries, not of views."
                if raw_p < alpha else "")
    reason = f"no change within countries at the {100 * alpha:.0f} % level ({test}, {_p(p)})"
    return Finding(claim=f"{_title(what)}: {raw_sides}. {_title(within)}; {reason}.{apparent}",
                   kind="cannot_conclude", supported=False, reason=reason, **base)


# -- divided groups ----------------------------------------------------------------------------


def most_divided_group(
    corpus: pd.DataFrame,
    *,
    column: str = "stance",
    by: str = "group",
    alpha: float = ALPHA,
    min_n: int = MIN_N,
) -> Finding:
    """Which group is most divided: the one whose largest code share is smallest?

    For each value of ``by``, its modal code's share of its coded statements (ties: the
    first code in schema order), with a Wilson interval. The group with the smallest modal
    share is called the most divided only if Fisher's exact test sets its modal share below
    that of *every* other group at level ``alpha`` and every group holds at least ``min_n``
    statements; otherwise the finding says that no group is clearly more divided.

    Examples
    --------
    >>> toy = pd.DataFrame({"group": ["state"] * 20 + ["industry"] * 20,
    ...     "stance": ["supports_restriction"] * 19 + ["neutral"]
    ...             + ["conditional"] * 10 + ["opposes_restriction"] * 10})
    >>> f = most_divided_group(toy)
    >>> f.kind, f.details["group"]
    ('difference', 'industry')
    """
    if by not in corpus:
        raise KeyError(f"the corpus has no column {by!r}")
    rows = []
    for name in _present(corpus[by]):
        part = corpus[corpus[by].astype(str) == name]
        ind = indicators(part, column)
        ind = ind[ind.sum(axis=1) > 0]
        if ind.empty:
            continue
        counts = ind.sum(axis=0)
        code = str(counts.idxmax())  # first maximum: schema order
        count, n = int(counts.max()), len(ind)
        low, high = wilson_interval(np.array([count]), np.array([n]))
        rows.append({"group": name, "code": code, "count": count, "n": n,
                     "share": count / n, "ci_low": float(low[0]), "ci_high": float(high[0])})
    if len(rows) < 2:
        raise ValueError(f"most_divided_group needs two values of {by!r} with coded "
                         f"{column!r}; found {len(rows)}")
    rows.sort(key=lambda r: (r["share"], r["group"]))
    first, others = rows[0], rows[1:]
    tests = []
    for other in others:
        p = float(fisher_exact([[first["count"], first["n"] - first["count"]],
                                [other["count"], other["n"] - other["count"]]]).pvalue)
        tests.append((other["group"], p))
    p_max = max(p for _, p in tests)
    listing = "; ".join(
        f"{_label(r['group'])} {_evidence(r['count'], r['n'], r['ci_low'], r['ci_high'])} "
        f"{_label(r['code'])}" for r in rows)
    what = f"largest {_label(column)} share per {_label(by)}"
    base = dict(comparison=f"{what} (smaller = more divided)",
                estimates=tuple(r["share"] for r in rows), ns=tuple(r["n"] for r in rows),
                intervals=tuple((r["ci_low"], r["ci_high"]) for r in rows),
                test="Fisher's exact test, the least-agreed group against each other group",
                p_value=p_max, details={"group": first["group"], "rows": rows,
                                        "tests": dict(tests)})
    few = _few((r["n"] for r in rows), min_n)
    closest, p_closest = max(tests, key=lambda t: t[1])
    if few:
        reason = f"fewer than {min_n} statements in a group (n = {', '.join(map(str, few))})"
        return Finding(claim=f"No {_label(by)} can be called the most divided: {reason}. "
                       f"Largest {_label(column)} share: {listing}.", kind="cannot_conclude",
                       supported=False, reason=reason, **base)
    if p_max < alpha:
        return Finding(claim=f"{_title(first['group'])} is the most divided {_label(by)}: its "
                       f"largest {_label(column)} share is the smallest ({listing}); every "
                       f"difference significant (Fisher's exact test, largest {_p(p_max)}).",
                       kind="difference", supported=True, **base)
    reason = (f"{_label(first['group'])} and {_label(closest)} cannot be told apart "
              f"(Fisher's exact test, {_p(p_closest)})")
    return Finding(claim=f"No {_label(by)} is clearly more divided than the others: {reason}. "
                   f"Largest {_label(column)} share: {listing}.", kind="cannot_conclude",
                   supported=False, reason=reason, **base)


# -- vocabulary --------------------------------------------------------------------------------


def _is_speaker_term(term: str, speaker_words: frozenset[str]) -> bool:
    return any(word in speaker_words for word in term.split())


def distinctive_vocabulary_findings(
    terms: pd.DataFrame,
    *,
    alpha: float = ALPHA,
    shown: int = 8,
    speaker_words: Iterable[str] = SPEAKER_WORDS,
    against: str | None = None,
) -> list[Finding]:
    """Findings about each group's distinctive vocabulary, honest about the correction.

    Parameters
    ----------
    terms : DataFrame
        A :func:`discourse.contrast.distinctive_terms` or ``compare_groups`` table.
    alpha : float
        False discovery rate: a term is distinctive only if its ``p_adj < alpha``.
    shown : int
        How many top terms per group a notebook shows (by ``z``): the first finding
        says how many of those pass the correction.
    speaker_words : iterable of str
        Words that name a kind of speaker (default :data:`SPEAKER_WORDS`); terms holding
        one are flagged as put in by the paraphrases.
    against : str, optional
        For a ``compare_groups`` table, the group compared against (``"state"``); default:
        the other groups together.

    Returns
    -------
    list of Finding
        First a summary (of the ``shown`` top terms per group, how many pass), then one
        finding per group in the table's order: ``"level"`` listing the terms that pass
        (speaker terms flagged) or ``"cannot_conclude"`` when none does.

    Examples
    --------
    >>> table = pd.DataFrame({"group": ["state", "state", "industry"],
    ...     "term": ["ministry", "security", "exports"], "z": [5.0, 4.0, 1.0],
    ...     "p_adj": [0.001, 0.01, 0.6], "count_group": [30, 20, 3], "count_rest": [2, 5, 1]})
    >>> [f.kind for f in distinctive_vocabulary_findings(table)]
    ['level', 'level', 'cannot_conclude']
    """
    speaker = frozenset(speaker_words)
    required = {"group", "term", "z", "p_adj", "count_group", "count_rest"}
    missing = required - set(terms.columns)
    if missing:
        raise KeyError(f"the terms table lacks {', '.join(sorted(missing))}; pass a "
                       "contrast.distinctive_terms table")
    groups = list(dict.fromkeys(terms["group"].astype(str)))
    rest = "the other groups" if against is None else _label(against)
    positive = terms[terms["z"] > 0].sort_values(["z", "term"], ascending=[False, True],
                                                 kind="stable")
    top = positive.groupby("group", sort=False).head(shown)
    passing_top = top[top["p_adj"] < alpha]
    out = []
    names = ", ".join(f"*{t}*" for t in passing_top["term"]) or "none"
    out.append(Finding(
        claim=(f"Of the {len(top)} top-ranked terms shown ({shown} per group), "
               f"{len(passing_top)} pass the false-discovery correction (Benjamini-Hochberg "
               f"adjusted p < {alpha:g}): {names}. The others are a ranking, not evidence of "
               "a difference."),
        kind="level", supported=True, comparison="top terms passing the FDR correction",
        ns=(len(top),), test="Benjamini-Hochberg", details={"passing": list(passing_top["term"])}))
    for group in groups:
        own = positive[(positive["group"].astype(str) == group) & (positive["p_adj"] < alpha)]
        if own.empty:
            best = positive[positive["group"].astype(str) == group].head(1)
            lead = (f" (its top-ranked term, *{best['term'].iloc[0]}*, has adjusted p = "
                    f"{best['p_adj'].iloc[0]:.2f})" if len(best) else "")
            reason = f"no term passes the false-discovery correction at {alpha:g}"
            out.append(Finding(
                claim=f"No term sets {_label(group)} apart from {rest}{lead}: {reason}.",
                kind="cannot_conclude", supported=False, comparison=f"{_label(group)} vs {rest}",
                test="Benjamini-Hochberg", reason=reason, details={"group": group}))
            continue
        listed, flagged = [], []
        for row in own.itertuples():
            mark = "†" if _is_speaker_term(str(row.term), speaker) else ""
            if mark:
                flagged.append(str(row.term))
            listed.append(f"*{row.term}*{mark} (z = {row.z:.1f}, adjusted p = "
                          f"{'< 0.001' if row.p_adj < 0.001 else f'{row.p_adj:.3f}'}, "
                          f"{row.count_group} vs {row.count_rest} uses)")
        note = (" † names a kind of speaker, which our paraphrases put in (\"the association "
                "said\"): it says who speaks, not what they argue." if flagged else "")
        out.append(Finding(
            claim=(f"{_title(group)} uses more than {rest}: {'; '.join(listed)}.{note}"),
            kind="level", supported=True, comparison=f"{_label(group)} vs {rest}",
            ns=(len(own),), test="Benjamini-Hochberg",
            details={"group": group, "terms": list(own["term"].astype(str)),
                     "speaker_terms": flagged}))
    return out


# -- models ------------------------------------------------------------------------------------


def model_vs_baseline(
    report: Any, *, model: str = "classifier", baseline: str = "lexicon",
) -> Finding:
    """Is ``model``'s stance macro-F1 above ``baseline``'s? Only if the intervals say so.

    Uses :func:`discourse.evaluate.stance_scores_table` (95 % bootstrap intervals over
    statements). The model is called better only when its interval lies wholly above the
    baseline's; overlapping intervals give ``"cannot_conclude"`` (a conservative rule).

    Examples
    --------
    >>> block = {"macro_f1": 0.57, "macro_f1_ci": [0.51, 0.64], "n": 296}
    >>> report = {"stance": {**block, "baselines": {"lexicon": {**block,
    ...     "macro_f1": 0.46, "macro_f1_ci": [0.39, 0.53]}}}}
    >>> model_vs_baseline(report).kind
    'cannot_conclude'
    """
    from .evaluate import stance_scores_table

    table = stance_scores_table(report).set_index("model")
    for name in (model, baseline):
        if name not in table.index:
            raise KeyError(f"no model {name!r} in the report; models: "
                           f"{', '.join(table.index)}")
    m, b = table.loc[model], table.loc[baseline]
    sides = (f"{model} macro-F1 {m['macro_f1']:.3f} (95 % CI {m['ci_low']:.3f}–"
             f"{m['ci_high']:.3f}) vs {baseline} baseline {b['macro_f1']:.3f} "
             f"({b['ci_low']:.3f}–{b['ci_high']:.3f}), n = {int(m['n'])} statements")
    base = dict(comparison=f"stance macro-F1, {model} vs {baseline}",
                estimates=(float(m["macro_f1"]), float(b["macro_f1"])),
                ns=(int(m["n"]), int(b["n"])),
                intervals=((float(m["ci_low"]), float(m["ci_high"])),
                           (float(b["ci_low"]), float(b["ci_high"]))),
                test="non-overlap of 95 % bootstrap intervals")
    if m["ci_low"] > b["ci_high"]:
        return Finding(claim=f"The {model} scores above the {baseline} baseline: {sides}; "
                       "the intervals do not overlap.", kind="difference", supported=True,
                       **base)
    if m["ci_high"] < b["ci_low"]:
        return Finding(claim=f"The {model} scores below the {baseline} baseline: {sides}; "
                       "the intervals do not overlap.", kind="difference", supported=True,
                       **base)
    reason = "the 95 % intervals overlap"
    return Finding(claim=f"Whether the {model} beats the {baseline} baseline: {sides}; "
                   f"{reason}, so the data cannot rank them.", kind="cannot_conclude",
                   supported=False, reason=reason, **base)


# -- periods -----------------------------------------------------------------------------------


def busiest_period(
    corpus: pd.DataFrame, *, period: str = "month", country: str | None = None,
) -> Finding:
    """The period with the most statements (of ``country``, if given), against the next.

    Examples
    --------
    >>> toy = pd.DataFrame({"date": pd.to_datetime(["2024-11-02", "2024-11-20", "2024-12-01"]),
    ...                     "country": ["PK", "PK", "PK"]})
    >>> busiest_period(toy).details["period"]
    '2024-11'
    """
    from .timeline import period_labels

    data = corpus if country is None else corpus[corpus["country"].astype(str) == country]
    where = "" if country is None else f" about {_label(country)}"
    if data.empty:
        return Finding(claim=f"No statements{where}.", kind="cannot_conclude", supported=False,
                       comparison=f"statements per {period}{where}", reason="no statements")
    counts = period_labels(data["date"], period)["period"].value_counts()
    order = sorted(counts.index, key=lambda p: (-counts[p], p))
    top = order[0]
    tied = [p for p in order if counts[p] == counts[top]]
    nxt = f"; the next busiest has {counts[order[1]]}" if len(order) > 1 else ""
    if len(tied) > 1:
        claim = (f"The busiest {period}s{where} are {', '.join(tied)}, with {counts[top]} "
                 f"statements each (of {len(data)}).")
    else:
        claim = (f"The busiest {period}{where} is {top}, with {counts[top]} of {len(data)} "
                 f"statements{nxt}.")
    return Finding(claim=claim, kind="level", supported=True,
                   comparison=f"statements per {period}{where}", estimates=(counts[top],),
                   ns=(len(data),), details={"period": top, "tied": tied})


def largest_share(corpus: pd.DataFrame, *, column: str = "country") -> Finding:
    """How much of the corpus one value of ``column`` holds (a caveat for pooled figures).

    Examples
    --------
    >>> toy = pd.DataFrame({"country": ["PK", "PK", "PK", "IN"]})
    >>> largest_share(toy).claim
    'Pakistan holds 3 of 4 statements (75 %); the next, India, 1.'
    """
    if column not in corpus:
        raise KeyError(f"the corpus has no column {column!r}")
    counts = corpus[column].dropna().astype(str).value_counts()
    if counts.empty:
        return Finding(claim=f"No statement has a {_label(column)}.", kind="cannot_conclude",
                       supported=False, comparison=f"statements per {_label(column)}",
                       reason="no values")
    order = sorted(counts.index, key=lambda v: (-counts[v], v))
    top, n = order[0], len(corpus)
    nxt = f"; the next, {_label(order[1])}, {counts[order[1]]}" if len(order) > 1 else ""
    return Finding(claim=f"{_title(top)} holds {counts[top]} of {n} statements "
                   f"({_pct(counts[top] / n)}){nxt}.", kind="level", supported=True,
                   comparison=f"statements per {_label(column)}",
                   estimates=(counts[top] / n,), ns=(n,), details={column: top})


def changes_by_group(
    corpus: pd.DataFrame,
    *,
    column: str,
    value: str,
    periods: Sequence[Any],
    by: str = "group",
    hold_countries: str | None = "within",
    alpha: float = ALPHA,
    min_n: int = MIN_N,
) -> list[Finding]:
    """:func:`change_over_time` for every value of ``by`` and each consecutive pair of
    ``periods`` (pairs with no statement of the group on either side are skipped).

    Examples
    --------
    >>> toy = pd.DataFrame({"date": pd.to_datetime(["2020-01-01", "2021-01-01"]),
    ...     "country": ["AA", "AA"], "group": ["state", "state"], "stance": ["yes", "no"]})
    >>> [f.kind for f in changes_by_group(toy, column="stance", value="yes",
    ...                                   periods=[2020, 2021])]
    ['cannot_conclude']
    """
    out = []
    for group in _present(corpus[by]):
        part = corpus[corpus[by].astype(str) == group]
        for a, b in zip(periods[:-1], periods[1:], strict=True):
            if not (_period_mask(part["date"], a)[0].any() and
                    _period_mask(part["date"], b)[0].any()):
                continue
            out.append(change_over_time(corpus, group=group, column=column, value=value,
                                        period_a=a, period_b=b, by=by,
                                        hold_countries=hold_countries, alpha=alpha,
                                        min_n=min_n))
    return out


def theme_choice(choice: pd.DataFrame) -> Finding:
    """The number of themes :func:`discourse.themes.choose_n_themes` chose, and why.

    Examples
    --------
    >>> choice = pd.DataFrame({"n_themes": [2, 3], "stability": [0.95, 0.8],
    ...     "coherence": [0.3, 0.4], "chosen": [True, False],
    ...     "reason": ["highest coherence among models with stability >= 0.9", "unstable"]})
    >>> theme_choice(choice).details["n_themes"]
    2
    """
    chosen = choice[choice["chosen"]]
    if len(chosen) != 1:
        raise ValueError("the choice table must mark exactly one row as chosen")
    row = chosen.iloc[0]
    stable = int((~choice["reason"].astype(str).str.startswith("unstable")).sum())
    return Finding(
        claim=(f"{int(row['n_themes'])} themes: stability {row['stability']:.2f}, coherence "
               f"{row['coherence']:.3f} ({row['reason']}; {stable} of {len(choice)} "
               f"candidate numbers of themes were stable)."),
        kind="level", supported=True, comparison="candidate numbers of themes",
        estimates=(float(row["stability"]), float(row["coherence"])),
        details={"n_themes": int(row["n_themes"])})


# -- rendering ---------------------------------------------------------------------------------


def render_markdown(findings: Iterable[Finding], *, title: str | None = None) -> str:
    """Render findings as a Markdown list (one item each), optionally under a heading.

    Examples
    --------
    >>> f = Finding(claim="State: 60 % (n = 149).", kind="level", comparison="x",
    ...             supported=True)
    >>> print(render_markdown([f], title="What we found"))
    ### What we found
    <BLANKLINE>
    - State: 60 % (n = 149).
    """
    items = [f.to_markdown() for f in findings]
    head = [f"### {title}", ""] if title else []
    return "\n".join(head + (items or ["- Nothing to report."]))
