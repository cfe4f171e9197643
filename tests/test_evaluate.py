"""Tests for discourse.evaluate: grouped folds, baselines, the report's shape, determinism."""

import json

import numpy as np
import pandas as pd
import pytest

import discourse.evaluate as ev
from discourse.corpus import load_corpus
from discourse.evaluate import (
    KeywordStance,
    MajorityStance,
    cv_folds,
    evaluate,
    evaluate_frames,
    evaluate_stance,
    out_of_fold_predictions,
)
from discourse.schema import FRAMES, STANCES
from discourse.stance import StanceClassifier

STATEMENTS = {
    "supports_restriction": [
        ("The ministry ordered ISPs to block illegal VPNs to stop terrorists.", "security"),
        ("The regulator said unregistered VPNs will be blocked for national security.",
         "security;legality_governance"),
        ("The council called VPNs un-Islamic because they spread blasphemous content.",
         "morality_religion"),
        ("Officials ordered a ban on VPNs used by criminals and terrorists.", "security"),
        ("The minister said illegal VPNs must be blocked and users prosecuted.",
         "legality_governance"),
        ("Police said VPNs hide fraud and crime and should be banned.", "security"),
    ],
    "opposes_restriction": [
        ("The rights group said the ban violates privacy and free expression.", "rights"),
        ("Activists condemned VPN blocking as censorship of the opposition.",
         "rights;politics"),
        ("Journalists said the ban cuts access to information and must be lifted.", "rights"),
        ("The NGO called the crackdown before the election a violation of rights.",
         "rights;politics"),
        ("Freelancers said blocking VPNs destroys jobs and IT exports.", "economy"),
        ("The lawyers said the ban is unconstitutional and violates privacy.", "rights"),
    ],
    "conditional": [
        ("The association accepted registration but rejected a blanket ban.",
         "legality_governance"),
        ("Industry said legitimate users should be whitelisted rather than blocked.",
         "legality_governance;economy"),
        ("Software houses backed registration only if businesses keep access.",
         "legality_governance;economy"),
        ("The chamber said misuse should be regulated, not the technology itself.",
         "legality_governance;technical"),
    ],
    "neutral": [
        ("The report explained how VPNs work and measured usage during outages.", "technical"),
        ("Researchers published data on VPN downloads without taking a side.", "technical"),
        ("The court asked the regulator to explain the legal basis of the firewall.",
         "legality_governance;technical"),
        ("The spokesman said no decision on VPNs had been taken yet.", "legality_governance"),
    ],
}


def tiny_corpus() -> pd.DataFrame:
    rows = []
    for stance, items in STATEMENTS.items():
        for i, (text, frames) in enumerate(items):
            rows.append({"id": f"{stance[:3]}-{i}", "actor": f"{stance} actor {i // 2}",
                         "text": text, "stance": stance, "frames": frames.split(";")})
    corpus = pd.DataFrame(rows)
    corpus["stance"] = pd.Categorical(corpus["stance"], categories=list(STANCES))
    return corpus


# -- folds -------------------------------------------------------------------------------------


def test_folds_never_share_an_actor_and_partition_each_repeat():
    corpus = tiny_corpus()
    folds = cv_folds(corpus, n_splits=3, n_repeats=2, random_state=0)
    assert len(folds) == 6
    actors = corpus["actor"].to_numpy()
    for fold in folds:
        assert not set(actors[fold.train]) & set(actors[fold.test])
        assert not set(fold.train) & set(fold.test)
        assert len(fold.train) + len(fold.test) == len(corpus)
    for repeat in (0, 1):
        tests = np.concatenate([f.test for f in folds if f.repeat == repeat])
        assert sorted(tests) == list(range(len(corpus)))


def test_repeats_use_different_seeds():
    corpus = load_corpus()
    a, b = (cv_folds(corpus, 5, 1, seed)[0].test for seed in (0, 1))
    assert not np.array_equal(a, b)
    actors = corpus["actor"].to_numpy()
    for fold in cv_folds(corpus, 5, 3, 0):
        assert not set(actors[fold.train]) & set(actors[fold.test])


def test_too_many_folds_for_the_actors():
    with pytest.raises(ValueError, match="at least 50 actors"):
        cv_folds(tiny_corpus(), n_splits=50)


def test_models_never_see_their_test_statements(monkeypatch):
    seen = []

    class Spy(StanceClassifier):
        def fit(self, X, y, actors=None):
            self.train_texts_ = set(X)
            return super().fit(X, y, actors=actors)

        def predict_proba(self, X):
            X = list(X)
            seen.append(self.train_texts_ & set(X))
            return super().predict_proba(X)

    monkeypatch.setattr(ev, "StanceClassifier", Spy)
    out_of_fold_predictions(tiny_corpus(), n_splits=3, n_repeats=1)
    assert len(seen) == 3 and all(not overlap for overlap in seen)


# -- baselines ---------------------------------------------------------------------------------


def test_majority_baseline_and_ties_in_schema_order():
    clf = MajorityStance().fit(["a", "b", "c"], ["neutral", "conditional", "neutral"])
    assert clf.predict(["x", "y"]).tolist() == ["neutral", "neutral"]
    tie = MajorityStance().fit(["a", "b"], ["neutral", "conditional"])
    assert tie.predict(["x"]).tolist() == ["conditional"]


def test_keyword_baseline_counts_cues_and_falls_back_to_majority():
    clf = KeywordStance().fit(["a", "b", "c"], ["opposes_restriction", "opposes_restriction",
                                                "supports_restriction"])
    texts = ["Illegal VPNs must be blocked; prohibited for terrorists.",
             "A violation of privacy.", "Nothing to see."]
    assert clf.predict(texts).tolist() == ["supports_restriction", "opposes_restriction",
                                           "opposes_restriction"]
    # cues of a class never seen in training are ignored
    assert "neutral" not in clf.predict(["The report explained the data."]).tolist()
    custom = KeywordStance(cues={"neutral": ["explained"], "conditional": ["but"]})
    custom.fit(["a", "b"], ["neutral", "conditional"])
    assert custom.predict(["It explained, but"]).tolist() == ["conditional"]


# -- report ------------------------------------------------------------------------------------

STANCE_KEYS = ["macro_f1", "macro_f1_ci", "per_class", "confusion", "n"]
METRIC_KEYS = ["precision", "recall", "f1", "support"]


def check_stance_block(block, n):
    assert list(block)[:5] == STANCE_KEYS
    assert block["n"] == n
    lo, hi = block["macro_f1_ci"]
    assert 0 <= lo <= hi <= 1
    assert list(block["per_class"]) == list(STANCES)
    for scores in block["per_class"].values():
        assert list(scores) == METRIC_KEYS
    assert block["confusion"]["labels"] == list(STANCES)
    matrix = np.array(block["confusion"]["matrix"])
    assert matrix.shape == (4, 4)
    np.testing.assert_allclose(matrix.sum(axis=1),
                               [block["per_class"][s]["support"] for s in STANCES])


@pytest.fixture(scope="module")
def tiny_result():
    return evaluate(tiny_corpus(), n_splits=3, n_repeats=2, random_state=0)


def test_report_has_exactly_the_documented_shape(tiny_result):
    r = tiny_result
    assert list(r) == ["n", "n_actors", "cv", "stance", "frames"]
    assert r["n"] == 20 and r["n_actors"] == 10
    assert r["cv"] == {"splits": 3, "repeats": 2, "grouped_by": "actor", "seed": 0}
    assert list(r["stance"]) == STANCE_KEYS + ["baselines"]
    check_stance_block(r["stance"], 20)
    assert list(r["stance"]["baselines"]) == ["majority", "lexicon"]
    for block in r["stance"]["baselines"].values():
        assert list(block) == STANCE_KEYS
        check_stance_block(block, 20)
    frames = r["frames"]
    assert list(frames) == ["micro_f1", "macro_f1", "per_frame", "n", "baselines"]
    assert list(frames["per_frame"]) == list(FRAMES)
    assert list(frames["baselines"]) == ["lexicon"]
    assert list(frames["baselines"]["lexicon"]) == ["micro_f1", "macro_f1", "per_frame"]
    assert frames["per_frame"]["child_safety"]["support"] == 0


def test_report_is_json_with_rounded_floats(tiny_result):
    text = json.dumps(tiny_result)
    assert json.loads(text) == tiny_result

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        else:
            assert type(value) in (int, float, str), type(value)
            if isinstance(value, float):
                assert value == round(value, 4)

    walk(tiny_result)


def test_report_is_deterministic(tiny_result):
    assert evaluate(tiny_corpus(), n_splits=3, n_repeats=2, random_state=0) == tiny_result


def test_majority_baseline_figures(tiny_result):
    majority = tiny_result["stance"]["baselines"]["majority"]
    # the training folds' majority is supports or opposes (6 each): only those are predicted
    predicted = np.array(majority["confusion"]["matrix"]).sum(axis=0)
    assert predicted[1] == predicted[3] == 0
    assert majority["per_class"]["neutral"]["recall"] == 0.0


def test_sections_match_the_separate_functions(tiny_result):
    corpus = tiny_corpus()
    assert evaluate_stance(corpus, 3, 2, 0) == tiny_result["stance"]
    assert evaluate_frames(corpus, 3, 2, 0) == tiny_result["frames"]
    union = evaluate_frames(corpus, 3, 2, 0, union=True)["union"]
    assert list(union) == ["micro_f1", "macro_f1", "per_frame"]


def test_macro_f1_agrees_with_scikit_learn():
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    corpus = tiny_corpus()
    oof = out_of_fold_predictions(corpus, n_splits=3, n_repeats=1)
    report = evaluate_stance(corpus, n_splits=3, n_repeats=1)
    expected = f1_score(oof["stance"], oof["predicted"], average="macro", zero_division=0)
    assert report["macro_f1"] == round(expected, 4)
    p, r, f, s = precision_recall_fscore_support(oof["stance"], oof["predicted"],
                                                 labels=list(STANCES), zero_division=0)
    for i, code in enumerate(STANCES):
        assert report["per_class"][code] == {"precision": round(p[i], 4),
                                             "recall": round(r[i], 4),
                                             "f1": round(f[i], 4), "support": int(s[i])}


def test_rows_without_stance_are_skipped():
    corpus = tiny_corpus()
    corpus.loc[0, "stance"] = np.nan
    assert evaluate_stance(corpus, 3, 1, 0)["n"] == 19
    with pytest.raises(ValueError, match="no statement"):
        evaluate_stance(corpus.assign(stance=np.nan), 3, 1)


def test_out_of_fold_predictions_table():
    corpus = tiny_corpus()
    oof = out_of_fold_predictions(corpus, n_splits=3, n_repeats=2)
    assert oof.columns.tolist() == ["id", "actor", "stance", "predicted", "proba", "fold",
                                    "repeat"]
    assert len(oof) == 2 * len(corpus)
    assert (oof.groupby("repeat")["id"].apply(list) == [corpus["id"].tolist()] * 2).all()
    assert oof["proba"].between(0.25, 1).all()  # the top of four probabilities
    assert set(oof["fold"]) == {0, 1, 2}
    assert set(oof["predicted"]) <= set(STANCES)


# -- the shipped corpus (one evaluation, one repeat) -------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return evaluate(load_corpus(), n_splits=5, n_repeats=1, random_state=0)


def test_shipped_corpus_beats_the_baselines(shipped):
    stance = shipped["stance"]
    assert shipped["n"] == stance["n"] == 296
    assert shipped["n_actors"] == load_corpus()["actor"].nunique()
    majority = stance["baselines"]["majority"]["macro_f1"]
    assert stance["macro_f1"] >= majority + 0.2
    assert stance["macro_f1"] > stance["baselines"]["lexicon"]["macro_f1"]
    assert stance["macro_f1_ci"][0] <= stance["macro_f1"] <= stance["macro_f1_ci"][1]
    frames = shipped["frames"]
    assert frames["n"] == 296
    assert 0.5 < frames["micro_f1"] <= 1 and 0.5 < frames["baselines"]["lexicon"]["micro_f1"]


# -- memoised runs -----------------------------------------------------------------------------


def test_out_of_fold_predictions_reuse_the_evaluated_run(monkeypatch):
    corpus = tiny_corpus()
    ev._RUNS.clear()
    report = evaluate_stance(corpus, n_splits=3, n_repeats=2, random_state=0)

    def no_fit(self, *args, **kwargs):
        raise AssertionError("refitted")

    with monkeypatch.context() as patch:
        patch.setattr(StanceClassifier, "fit", no_fit)
        oof = out_of_fold_predictions(corpus, n_splits=3, n_repeats=2, random_state=0)
        assert evaluate_stance(corpus, n_splits=3, n_repeats=2, random_state=0) == report
        with pytest.raises(AssertionError, match="refitted"):  # other settings: a new run
            out_of_fold_predictions(corpus, n_splits=3, n_repeats=1, random_state=0)
        changed = corpus.assign(text=corpus["text"].str.replace("VPNs", "VPN services"))
        with pytest.raises(AssertionError, match="refitted"):  # other content: a new run
            out_of_fold_predictions(changed, n_splits=3, n_repeats=2, random_state=0)
    from sklearn.metrics import f1_score

    macro = np.mean([f1_score(g["stance"], g["predicted"], average="macro", zero_division=0)
                     for _, g in oof.groupby("repeat")])
    assert report["macro_f1"] == round(macro, 4)
    # the stored run equals a fresh one, and callers get copies
    oof["predicted"] = "neutral"
    ev._RUNS.clear()
    ev._FOLDS.clear()
    fresh = out_of_fold_predictions(corpus, n_splits=3, n_repeats=2, random_state=0)
    pd.testing.assert_frame_equal(
        fresh, out_of_fold_predictions(corpus, n_splits=3, n_repeats=2, random_state=0))
    assert (fresh["predicted"] != "neutral").any()


def test_memo_is_bounded_and_folds_are_fresh_copies():
    store = ev.OrderedDict()
    for i in range(ev._MEMO_SIZE + 5):
        ev._remember(store, i, lambda i=i: i * i)
    assert len(store) == ev._MEMO_SIZE and list(store)[-1] == ev._MEMO_SIZE + 4
    corpus = tiny_corpus()
    first = cv_folds(corpus, 3, 1, 0)
    first[0].test[:] = -1
    again = cv_folds(corpus, 3, 1, 0)
    assert (again[0].test >= 0).all()
    ev._FOLDS.clear()
    assert all(np.array_equal(a.test, b.test) and np.array_equal(a.train, b.train)
               for a, b in zip(again, cv_folds(corpus, 3, 1, 0), strict=True))
