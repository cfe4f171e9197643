"""Tests for discourse.contrast: weighted log-odds with a Dirichlet prior, BH, tables."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from discourse.contrast import (
    COLUMNS,
    compare_groups,
    distinctive_terms,
    speaker_words,
    top_terms,
)

# Counts, by hand (no stop words among these words):
#   state:         security 3, threat 1, ban 1            n = 5
#   industry:      exports 2, ban 1                       n = 3
#   civil_society: rights 2, ban 1, security 1            n = 4
#   corpus:        ban 3, exports 2, rights 2, security 4, threat 1   N = 12
TOY = pd.DataFrame({
    "group": pd.Categorical(
        ["state", "state", "industry", "civil_society", "civil_society"],
        categories=["civil_society", "industry", "state"],
    ),
    "actor": ["A", "A", "B", "C", "C"],
    "text": ["security threat security", "security ban", "exports ban exports",
             "rights ban rights", "security"],
})
COUNTS = {
    "state": {"security": 3, "threat": 1, "ban": 1},
    "industry": {"exports": 2, "ban": 1},
    "civil_society": {"rights": 2, "ban": 1, "security": 1},
}
TERMS = ["ban", "exports", "rights", "security", "threat"]
EXACT = {"min_count": 1, "min_df": 1, "ngram": 1}


def row(table: pd.DataFrame, group: str, term: str) -> pd.Series:
    hit = table[(table["group"] == group) & (table["term"] == term)]
    assert len(hit) == 1
    return hit.iloc[0]


def by_hand(y_i: float, y_j: float, n_i: float, n_j: float, a_w: float, a_0: float):
    """Monroe et al. (2008) eq. 16, 20, 22, written out again."""
    delta = (math.log((y_i + a_w) / (n_i + a_0 - y_i - a_w))
             - math.log((y_j + a_w) / (n_j + a_0 - y_j - a_w)))
    var = 1 / (y_i + a_w) + 1 / (y_j + a_w)
    return delta, var, delta / math.sqrt(var)


# -- exact values -----------------------------------------------------------------------------


def test_security_in_state_against_the_rest_by_hand():
    # state vs rest: y_i = 3, y_j = 1, n_i = 5, n_j = 7; default prior a_0 = N = 12, so
    # a_w = 12 * 4 / 12 = 4 (the corpus count of "security").
    table = distinctive_terms(TOY, **EXACT)
    got = row(table, "state", "security")
    delta = math.log(7 / 10) - math.log(5 / 14)  # (3+4)/(5+12-3-4) vs (1+4)/(7+12-1-4)
    var = 1 / 7 + 1 / 5
    assert got["log_odds"] == pytest.approx(delta, rel=1e-12)
    assert got["log_odds"] == pytest.approx(math.log(1.96), rel=1e-12)
    assert got["variance"] == pytest.approx(12 / 35, rel=1e-12)
    assert got["z"] == pytest.approx(delta / math.sqrt(var), rel=1e-12)
    assert got["p"] == pytest.approx(math.erfc(abs(got["z"]) / math.sqrt(2)), rel=1e-12)
    assert (got["count_group"], got["count_rest"], got["n_group"], got["n_rest"]) == (3, 1, 5, 7)


def test_exports_with_a_smaller_prior_by_hand():
    # prior_scale a_0 = 6: a_w = 6 * 2 / 12 = 1 for "exports"; industry: y_i = 2, n_i = 3,
    # rest: y_j = 0, n_j = 9.
    got = row(distinctive_terms(TOY, prior_scale=6, **EXACT), "industry", "exports")
    delta = math.log(3 / 6) - math.log(1 / 14)  # (2+1)/(3+6-2-1) vs (0+1)/(9+6-0-1)
    assert got["log_odds"] == pytest.approx(math.log(7), rel=1e-12)
    assert got["log_odds"] == pytest.approx(delta, rel=1e-12)
    assert got["variance"] == pytest.approx(1 / 3 + 1, rel=1e-12)
    assert got["z"] == pytest.approx(math.log(7) / math.sqrt(4 / 3), rel=1e-12)


def test_uniform_prior_by_hand():
    # a_0 = 10 spread over V = 5 terms: a_w = 2. civil_society "rights": y_i = 2, n_i = 4,
    # y_j = 0, n_j = 8.
    got = row(distinctive_terms(TOY, prior="uniform", prior_scale=10, **EXACT),
              "civil_society", "rights")
    # (2+2)/(4+10-2-2) vs (0+2)/(8+10-0-2)
    assert got["log_odds"] == pytest.approx(math.log(4 / 10) - math.log(2 / 16), rel=1e-12)
    assert got["variance"] == pytest.approx(1 / 4 + 1 / 2, rel=1e-12)


def test_every_cell_matches_the_formula():
    table = distinctive_terms(TOY, **EXACT)
    total = {t: sum(c.get(t, 0) for c in COUNTS.values()) for t in TERMS}
    big_n = sum(total.values())
    for group, counts in COUNTS.items():
        n_i = sum(counts.values())
        for term in TERMS:
            y_i = counts.get(term, 0)
            expected = by_hand(y_i, total[term] - y_i, n_i, big_n - n_i, total[term], big_n)
            got = row(table, group, term)
            assert (got["log_odds"], got["variance"], got["z"]) == pytest.approx(expected,
                                                                               rel=1e-12)


def test_three_groups_in_category_order_and_sorted_by_z_then_term():
    table = distinctive_terms(TOY, **EXACT)
    assert list(table.columns) == COLUMNS
    assert list(dict.fromkeys(table["group"])) == ["civil_society", "industry", "state"]
    assert len(table) == 3 * len(TERMS)
    for _, part in table.groupby("group", sort=False):
        keys = list(zip(-part["z"], part["term"], strict=True))
        assert keys == sorted(keys)


def test_groups_of_a_plain_column_are_sorted():
    toy = TOY.assign(group=TOY["group"].astype(str))
    table = distinctive_terms(toy, **EXACT)
    assert list(dict.fromkeys(table["group"])) == ["civil_society", "industry", "state"]
    custom = TOY.assign(group=TOY["group"].cat.reorder_categories(
        ["state", "industry", "civil_society"]))
    table = distinctive_terms(custom, **EXACT)
    assert list(dict.fromkeys(table["group"])) == ["state", "industry", "civil_society"]


def test_counts_add_up():
    table = distinctive_terms(TOY, **EXACT)
    totals = {"ban": 3, "exports": 2, "rights": 2, "security": 4, "threat": 1}
    assert ((table["count_group"] + table["count_rest"]) == table["term"].map(totals)).all()
    assert (table["n_group"] + table["n_rest"] == 12).all()
    per_group = table.groupby("group", sort=False).agg(total=("count_group", "sum"),
                                                       n=("n_group", "first"))
    assert per_group["total"].tolist() == per_group["n"].tolist() == [4, 3, 5]
    assert table.groupby("term")["count_group"].sum().to_dict() == totals


def test_min_count_drops_rare_terms_but_keeps_them_in_the_totals():
    table = distinctive_terms(TOY, min_count=3, min_df=1, ngram=1)
    assert sorted(set(table["term"])) == ["ban", "security"]
    assert set(table["n_group"] + table["n_rest"]) == {12}
    # the BH adjustment runs over the 2 reported terms of each comparison
    for _, part in table.groupby("group"):
        assert part["p_adj"].tolist() == pytest.approx(bh_by_hand(part["p"].tolist()))


# -- p-values and their Benjamini-Hochberg adjustment, by hand ------------------------------


def bh_by_hand(p: list[float]) -> list[float]:
    """Benjamini-Hochberg (1995): sort, scale p_(i) by m / i, running minimum from the top,
    cap at 1, back to the input order."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        adjusted[i] = running
    return adjusted


def test_bh_by_hand_on_known_values():
    # sorted: 0.01, 0.03, 0.04, 0.2 -> m p / rank = 0.04, 0.06, 0.0533, 0.2 -> running min
    # from the top: 0.04, 0.0533, 0.0533, 0.2
    assert bh_by_hand([0.01, 0.04, 0.03, 0.2]) == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])


def test_p_values_are_two_sided_normal_and_bh_adjusted():
    table = distinctive_terms(TOY, **EXACT)
    for _, part in table.groupby("group"):
        expected_p = [math.erfc(abs(z) / math.sqrt(2)) for z in part["z"]]
        assert part["p"].tolist() == pytest.approx(expected_p, rel=1e-12)
        assert part["p_adj"].tolist() == pytest.approx(bh_by_hand(expected_p), rel=1e-12)
        assert ((part["p_adj"] >= part["p"]) & (part["p_adj"] <= 1)).all()


# -- pairwise ------------------------------------------------------------------------------


def test_compare_groups_pairwise_by_hand():
    table = compare_groups(TOY, "state", "civil_society", **EXACT)
    assert list(table.columns) == COLUMNS
    assert set(table["group"]) == {"state"}
    # "exports" is used by neither state nor civil society: not reported
    assert sorted(table["term"]) == ["ban", "rights", "security", "threat"]
    got = row(table, "state", "security")
    # state: y_i = 3, n_i = 5; civil society: y_j = 1, n_j = 4; prior from the whole corpus:
    # a_0 = 12, a_w = 4
    delta = math.log(7 / 10) - math.log(5 / 11)  # (3+4)/(5+12-3-4) vs (1+4)/(4+12-1-4)
    assert got["log_odds"] == pytest.approx(delta, rel=1e-12)
    assert got["variance"] == pytest.approx(1 / 7 + 1 / 5, rel=1e-12)
    assert (got["count_group"], got["count_rest"], got["n_group"], got["n_rest"]) == (3, 1, 5, 4)
    keys = list(zip(-table["z"], table["term"], strict=True))
    assert keys == sorted(keys)


def test_compare_groups_is_antisymmetric():
    ab = compare_groups(TOY, "state", "industry", **EXACT).set_index("term")
    ba = compare_groups(TOY, "industry", "state", **EXACT).set_index("term")
    assert ab["log_odds"].sort_index().tolist() == pytest.approx(
        (-ba["log_odds"]).sort_index().tolist(), rel=1e-12)
    assert ab["count_group"].sort_index().tolist() == ba["count_rest"].sort_index().tolist()


def test_compare_groups_rejects_unknown_or_equal_groups():
    with pytest.raises(ValueError, match="no statement"):
        compare_groups(TOY, "state", "press", **EXACT)
    with pytest.raises(ValueError, match="differ"):
        compare_groups(TOY, "state", "state", **EXACT)


# -- top terms and the vectorizer ------------------------------------------------------------


def test_top_terms_keeps_positive_z_per_group_in_order():
    table = distinctive_terms(TOY, **EXACT)
    top = top_terms(table, n=2)
    assert list(top.columns) == COLUMNS
    # civil society's second term, "ban", has log-odds log(4/12) - log(5/15) = 0: left out
    assert top[["group", "term"]].values.tolist() == [
        ["civil_society", "rights"],
        ["industry", "exports"], ["industry", "ban"],
        ["state", "security"], ["state", "threat"],
    ]
    assert (top["z"] > 0).all()
    assert top_terms(table, n=2, significant=True).empty  # 12 tokens prove nothing


def test_terms_use_the_shared_tokens_stop_words_and_bigrams():
    toy = pd.DataFrame({
        "group": ["industry", "industry", "state", "state"],
        "actor": ["WISPAP", "WISPAP", "PTA", "PTA"],
        "text": ["WISPAP said the VPN ban hurts IT exports.",
                 "The VPN ban hurts IT exports, WISPAP said.",
                 "PTA said VPN registration protects security.",
                 "PTA said registration protects security."],
    })
    terms = set(distinctive_terms(toy, min_count=1)["term"])
    assert {"IT", "IT exports", "ban hurts", "registration"} <= terms
    assert not terms & {"the", "said", "vpn", "wispap", "pta"}


def test_errors():
    with pytest.raises(ValueError, match="two values"):
        distinctive_terms(TOY[TOY["group"] == "state"], **EXACT)
    with pytest.raises(ValueError, match="prior"):
        distinctive_terms(TOY, prior="flat", **EXACT)
    with pytest.raises(ValueError, match="positive"):
        distinctive_terms(TOY, prior_scale=0, **EXACT)
    with pytest.raises(KeyError):
        distinctive_terms(TOY, by="region", **EXACT)


def test_shipped_corpus_smoke():
    from discourse import load_corpus

    table = distinctive_terms(load_corpus())
    assert list(dict.fromkeys(table["group"])) == ["civil_society", "industry", "state"]
    assert table.groupby("group")["n_group"].nunique().eq(1).all()
    top = top_terms(table, n=3)
    assert top.groupby("group").size().tolist() == [3, 3, 3]
    assert (top["z"] > 0).all() and (top["count_group"] > 0).all()


def test_terms_cli_names_the_groups_without_a_term(tmp_path, capsys):
    from discourse.cli import main
    from discourse.paths import shipped_corpus_file

    raw = pd.read_csv(shipped_corpus_file(), dtype=str, keep_default_na=False)
    mute = raw[raw["group"] == "industry"].iloc[:3].assign(text="Qwertyuiop.")
    few = pd.concat([raw[raw["group"] != "industry"], mute], ignore_index=True)
    path = tmp_path / "statements.csv"
    few.to_csv(path, index=False)
    assert main(["terms", "--corpus", str(path)]) == 0
    out = capsys.readouterr().out
    assert "no distinctive term for: industry" in out
    assert "\ncivil_society" in out and "\nindustry\n" not in out
    assert main(["terms", "--corpus", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    assert "no distinctive term for: industry" in captured.err
    assert "ministry" not in captured.out


def test_terms_cli_leaves_out_speaker_labels_unless_asked(capsys):
    from discourse.cli import main

    assert main(["terms", "--json", "--top", "30"]) == 0
    default = {r["term"] for r in json.loads(capsys.readouterr().out)}
    assert main(["terms", "--json", "--top", "30", "--all-terms"]) == 0
    everything = {r["term"] for r in json.loads(capsys.readouterr().out)}
    words = speaker_words()
    assert not [t for t in default if set(t.split()) & words]
    assert [t for t in everything if set(t.split()) & words]


def _collapse_every_pair(table, n):
    """top_terms(exclude_speakers=True, collapse_nested=True) as first written: every
    positive term compared with every kept one, then the first n per group."""
    from discourse.contrast import _nested, speaker_words

    words = speaker_words()
    keep = (table["z"] > 0) & ~table["term"].map(lambda t: any(w in words for w in t.split()))
    chosen = table[keep].sort_values(["z", "term"], ascending=[False, True], kind="stable")
    order = {g: i for i, g in enumerate(table.attrs["groups"])}
    chosen = chosen.assign(_order=chosen["group"].map(order)).sort_values("_order",
                                                                           kind="stable")
    rows = []
    for _, part in chosen.groupby("group", sort=False):
        kept = []
        for i, term in zip(part.index, part["term"], strict=True):
            if not any(_nested(term, k) for k in kept):
                kept.append(term)
                rows.append(i)
    chosen = chosen.loc[rows].groupby("group", sort=False).head(n)
    return chosen.drop(columns="_order").reset_index(drop=True)


@pytest.mark.parametrize("n", [1, 3, 10, 40])
def test_collapsing_nested_terms_stops_at_n_with_the_same_terms(n):
    from discourse import load_corpus

    table = distinctive_terms(load_corpus(), by="group")
    got = top_terms(table, n, exclude_speakers=True, collapse_nested=True)
    pd.testing.assert_frame_equal(got, _collapse_every_pair(table, n))
    assert got.groupby("group").size().max() == n
