"""Findings: claims computed from the tables, stated only when their evidence holds."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency, fisher_exact

from discourse import contrast, findings
from discourse.findings import Finding


def _rows(spec: list[tuple[str, str, str, str, int]]) -> pd.DataFrame:
    """(date, country, group, stance, how many) -> a tiny corpus."""
    rows = [(d, c, g, s) for d, c, g, s, k in spec for _ in range(k)]
    table = pd.DataFrame(rows, columns=["date", "country", "group", "stance"])
    table["date"] = pd.to_datetime(table["date"])
    return table


# -- two shares --------------------------------------------------------------------------------


def test_compare_shares_uses_fishers_test_and_newcombes_interval():
    # Newcombe (1998), table II, example (a): 56/70 vs 48/80, method 10: 0.0524 to 0.3339
    toy = _rows([("2024-01-01", "PK", "a", "yes", 56), ("2024-01-01", "PK", "a", "no", 14),
                 ("2024-01-01", "PK", "b", "yes", 48), ("2024-01-01", "PK", "b", "no", 32)])
    f = findings.compare_shares(toy, column="stance", value="yes", by="group", a="a", b="b")
    assert f.kind == "difference" and f.supported
    assert f.ns == (70, 80)
    assert f.p_value == pytest.approx(fisher_exact([[56, 14], [48, 32]]).pvalue)
    low, high = f.details["difference_ci"]
    assert f.details["difference"] == pytest.approx(56 / 70 - 48 / 80)
    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)
    assert "Fisher's exact test" in f.claim
    assert "difference +20 points (95 % CI +5 to +33)" in f.claim


def test_no_difference_is_claimed_when_the_test_does_not_support_it():
    toy = _rows([("2024-01-01", "PK", "a", "yes", 12), ("2024-01-01", "PK", "a", "no", 10),
                 ("2024-01-01", "PK", "b", "yes", 10), ("2024-01-01", "PK", "b", "no", 12)])
    f = findings.compare_shares(toy, column="stance", value="yes", by="group", a="a", b="b")
    assert f.kind == "cannot_conclude" and not f.supported
    assert "not significant" in f.reason
    assert f.to_markdown().startswith("- **Cannot conclude.**")


def test_no_difference_is_claimed_from_a_cell_of_fewer_than_min_n():
    # 8 of 8 against 0 of 30: Fisher's p is tiny, but one group has 8 statements
    toy = _rows([("2024-01-01", "PK", "a", "yes", 8),
                 ("2024-01-01", "PK", "b", "no", 30)])
    f = findings.compare_shares(toy, column="stance", value="yes", by="group", a="a", b="b")
    assert f.p_value < 0.001
    assert f.kind == "cannot_conclude" and "fewer than 10" in f.reason
    assert findings.compare_shares(toy, column="stance", value="yes", by="group", a="a",
                                   b="b", min_n=5).supported


def test_compare_shares_on_a_list_column():
    toy = pd.DataFrame({"group": ["a"] * 12 + ["b"] * 12,
                        "frames": [["rights"]] * 11 + [["economy"]] + [["economy"]] * 12})
    f = findings.compare_shares(toy, column="frames", value="rights", by="group", a="a", b="b")
    assert f.estimates == (11 / 12, 0.0) and f.supported


# -- change over time --------------------------------------------------------------------------


def _composition_only() -> pd.DataFrame:
    """Country A supports 80 %, country B 20 %, in both years; the mix flips from A to B."""
    return _rows([
        ("2020-06-01", "AA", "industry", "yes", 40), ("2020-06-01", "AA", "industry", "no", 10),
        ("2020-06-01", "BB", "industry", "yes", 2), ("2020-06-01", "BB", "industry", "no", 8),
        ("2021-06-01", "AA", "industry", "yes", 8), ("2021-06-01", "AA", "industry", "no", 2),
        ("2021-06-01", "BB", "industry", "yes", 10), ("2021-06-01", "BB", "industry", "no", 40),
    ])


def test_a_change_of_countries_is_not_reported_as_a_change_of_views():
    toy = _composition_only()
    raw = findings.change_over_time(toy, group="industry", column="stance", value="yes",
                                    period_a=2020, period_b=2021, hold_countries=None)
    assert raw.kind == "change" and raw.p_value < 0.001
    within = findings.change_over_time(toy, group="industry", column="stance", value="yes",
                                       period_a=2020, period_b=2021)
    assert within.kind == "cannot_conclude" and not within.supported
    assert within.estimates == pytest.approx((0.5, 0.5))  # standardised: no change at all
    assert within.p_value > 0.5
    assert "change of countries, not of views" in within.claim
    assert within.details["per_country"]["AA"] == {"2020": (40, 50), "2021": (8, 10)}


def test_a_change_within_countries_is_reported_with_the_cmh_test():
    toy = _rows([
        ("2020-06-01", "AA", "state", "yes", 20), ("2020-06-01", "AA", "state", "no", 5),
        ("2020-06-01", "BB", "state", "yes", 15), ("2020-06-01", "BB", "state", "no", 5),
        ("2021-06-01", "AA", "state", "yes", 5), ("2021-06-01", "AA", "state", "no", 20),
        ("2021-06-01", "BB", "state", "yes", 4), ("2021-06-01", "BB", "state", "no", 16),
        ("2021-06-01", "CC", "state", "yes", 9),  # only in 2021: set aside
    ])
    f = findings.change_over_time(toy, group="state", column="stance", value="yes",
                                  period_a="2020", period_b=(2021, 2021))
    assert f.kind == "change" and f.supported and f.p_value < 0.001
    assert f.ns == (45, 45) and f.details["countries"] == ["AA", "BB"]
    assert "9 statements from other countries set aside" in f.claim


def test_cmh_with_one_stratum_is_the_yates_statistic_times_n_minus_1_over_n():
    table = np.array([[20, 5], [6, 19]])
    statistic, p = findings._cmh([table])
    yates = chi2_contingency(table, correction=True)[0]
    n = table.sum()
    assert statistic == pytest.approx(yates * (n - 1) / n)


def test_change_needs_min_n_after_holding_countries_fixed():
    toy = _rows([
        ("2020-06-01", "AA", "state", "yes", 30), ("2020-06-01", "AA", "state", "no", 2),
        ("2021-06-01", "AA", "state", "no", 6), ("2021-06-01", "BB", "state", "no", 30),
    ])
    f = findings.change_over_time(toy, group="state", column="stance", value="yes",
                                  period_a=2020, period_b=2021)
    assert f.kind == "cannot_conclude" and f.ns == (32, 6) and "fewer than 10" in f.reason


def test_change_without_a_shared_country_cannot_be_concluded():
    toy = _rows([("2020-06-01", "AA", "state", "yes", 30), ("2021-06-01", "BB", "state", "no", 30)])
    f = findings.change_over_time(toy, group="state", column="stance", value="yes",
                                  period_a=2020, period_b=2021)
    assert f.kind == "cannot_conclude" and "no country" in f.reason


def test_periods_are_years_spans_or_date_pairs():
    dates = pd.Series(pd.to_datetime(["2011-05-01", "2024-11-15", "2025-03-01", "2026-01-01"]))
    assert findings._period_mask(dates, "2025–26")[0].tolist() == [False, False, True, True]
    assert findings._period_mask(dates, "2011-2023")[0].tolist() == [True, False, False, False]
    mask, label = findings._period_mask(dates, ("2024-11-01", "2024-12-31"))
    assert mask.tolist() == [False, True, False, False] and label == "2024-11-01 to 2024-12-31"
    with pytest.raises(ValueError, match="span of years"):
        findings._period_mask(dates, "last year")
    toy = _composition_only()
    with pytest.raises(ValueError, match="overlap"):
        findings.change_over_time(toy, group="industry", column="stance", value="yes",
                                  period_a=2020, period_b="2020–21")


# -- divided groups ----------------------------------------------------------------------------


def test_most_divided_group_is_named_only_when_it_is_clearly_so():
    clear = _rows([("2024-01-01", "PK", "state", "yes", 19), ("2024-01-01", "PK", "state", "no", 1),
                   ("2024-01-01", "PK", "industry", "yes", 10),
                   ("2024-01-01", "PK", "industry", "no", 10)])
    f = findings.most_divided_group(clear)
    assert f.kind == "difference" and f.details["group"] == "industry"
    close = _rows([("2024-01-01", "PK", "state", "yes", 57),
                   ("2024-01-01", "PK", "state", "no", 43),
                   ("2024-01-01", "PK", "industry", "yes", 58),
                   ("2024-01-01", "PK", "industry", "no", 42)])
    f = findings.most_divided_group(close)
    assert f.kind == "cannot_conclude"
    assert f.claim.startswith("No group is clearly more divided")


def test_the_shipped_corpus_does_not_support_industry_as_the_most_divided_group(corpus):
    f = findings.most_divided_group(corpus)
    assert not (f.supported and f.details["group"] == "industry")
    assert "industry" in f.claim and "state" in f.claim  # both shares are shown


# -- vocabulary --------------------------------------------------------------------------------


def test_vocabulary_findings_name_only_terms_that_pass_the_correction(corpus):
    terms = contrast.distinctive_terms(corpus, by="group")
    found = findings.distinctive_vocabulary_findings(terms)
    passing = set(terms.loc[(terms["p_adj"] < 0.05) & (terms["z"] > 0), "term"])
    for f in found:
        named = set(re.findall(r"\*([^*]+)\*", f.claim)) - {"Cannot conclude."}
        if f.kind == "level":  # every term named as distinctive passes the correction
            assert named <= passing
            assert named == set(f.details.get("terms", f.details.get("passing")))
        else:  # at most the top-ranked term, named as failing
            assert "no term passes" in f.reason and len(named) <= 1
            assert not named & passing
    speaker = {t for f in found[1:] for t in f.details.get("speaker_terms", [])}
    assert speaker <= {t for t in passing if set(t.split()) & findings.SPEAKER_WORDS}


def test_vocabulary_summary_counts_the_shown_terms_that_pass():
    table = pd.DataFrame({"group": ["a"] * 3 + ["b"] * 2, "term": ["x", "y", "z", "u", "v"],
                          "z": [5.0, 4.0, 3.0, 2.0, -1.0], "p_adj": [0.01, 0.2, 0.3, 0.04, 0.9],
                          "count_group": [9, 8, 7, 6, 0], "count_rest": [1, 2, 3, 1, 5]})
    summary, a, b = findings.distinctive_vocabulary_findings(table, shown=2)
    assert summary.claim.startswith("Of the 3 top-ranked terms shown (2 per group), 2 pass")
    assert a.details["terms"] == ["x"] and b.details["terms"] == ["u"]


# -- models ------------------------------------------------------------------------------------


def _report(model: tuple[float, float, float], baseline: tuple[float, float, float]) -> dict:
    def block(score):
        return {"macro_f1": score[0], "macro_f1_ci": [score[1], score[2]], "n": 296}

    return {"stance": {**block(model), "baselines": {"lexicon": block(baseline)}}}


def test_model_vs_baseline_needs_intervals_apart():
    overlapping = findings.model_vs_baseline(_report((0.57, 0.514, 0.637), (0.46, 0.386, 0.529)))
    assert overlapping.kind == "cannot_conclude" and "overlap" in overlapping.reason
    apart = findings.model_vs_baseline(_report((0.57, 0.53, 0.64), (0.16, 0.12, 0.2)))
    assert apart.kind == "difference" and "above" in apart.claim
    below = findings.model_vs_baseline(_report((0.2, 0.1, 0.3), (0.6, 0.5, 0.7)))
    assert below.kind == "difference" and "below" in below.claim
    with pytest.raises(KeyError, match="no model 'bert'"):
        findings.model_vs_baseline(_report((0.5, 0.4, 0.6), (0.5, 0.4, 0.6)), baseline="bert")


# -- levels, periods, rendering ----------------------------------------------------------------


def test_share_levels_flag_few_statements():
    toy = _rows([("2024-01-01", "RU", "state", "yes", 11), ("2024-01-01", "RU", "state", "no", 5),
                 ("2024-01-01", "CN", "state", "yes", 5)])
    ru, cn = findings.share_levels(toy, column="stance", value="yes", by="country",
                                   order=["RU", "CN"])
    assert ru.claim.startswith("Russia: 69 % (11 of 16, 95 % CI 44–86 %)")
    assert "few statements" in cn.claim and "few statements" not in ru.claim


def test_busiest_period_reports_ties():
    toy = pd.DataFrame({"date": pd.to_datetime(["2022-05-01", "2022-06-01", "2022-07-01",
                                                "2022-07-02"]), "country": ["IN"] * 4})
    assert findings.busiest_period(toy, country="IN").details["period"] == "2022-07"
    tied = findings.busiest_period(toy.head(2))
    assert tied.details["tied"] == ["2022-05", "2022-06"] and "each" in tied.claim


def test_render_markdown_and_kinds():
    level = Finding(claim="A.", kind="level", comparison="x", supported=True)
    unsure = Finding(claim="B.", kind="cannot_conclude", comparison="y", supported=False)
    assert findings.render_markdown([level, unsure]) == "- A.\n- **Cannot conclude.** B."
    assert findings.render_markdown([]) == "- Nothing to report."
    with pytest.raises(ValueError, match="kind must be one of"):
        Finding(claim="C.", kind="guess", comparison="z", supported=True)


def test_findings_are_deterministic(corpus):
    def run():
        return [findings.most_divided_group(corpus).claim,
                findings.change_over_time(corpus, group="industry", column="stance",
                                          value="opposes_restriction", period_a=2024,
                                          period_b="2025–26").claim]

    assert run() == run()


@pytest.fixture(scope="module")
def corpus():
    from discourse import load_corpus

    return load_corpus()
