"""Tests for discourse.stance.StanceClassifier."""

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

import discourse._vectorize as vectorize_module
import discourse.stance as stance_module
from discourse._vectorize import _MemoTfidfVectorizer
from discourse.corpus import load_corpus
from discourse.schema import STANCES
from discourse.stance import (
    STANCE_KEEP_WORDS,
    StanceClassifier,
    _RowSpace,
    stance_stop_words,
)

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
    assert fitted.temperature_ > 0


def test_calibration_falls_back_when_a_class_has_one_statement():
    clf = StanceClassifier(char_ngrams=None).fit(TEXTS + ["The report explained VPNs."],
                                                 LABELS + ["neutral"])
    assert clf.classes_.tolist() == list(STANCES)
    assert clf.calibrated_ is False
    assert clf.temperature_ == 1.0
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


# -- speed-ups that must not change the model --------------------------------------------------


def corpus_texts():
    corpus = load_corpus()
    return corpus["text"].astype(str).tolist(), corpus["actor"].astype(str).tolist()


def assert_same_matrix(a, b):
    a, b = sp.csr_matrix(a), sp.csr_matrix(b)
    assert a.shape == b.shape
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)  # same storage order, not only values
    np.testing.assert_array_equal(a.data, b.data)


def assert_same_vectorizer(params, train, test):
    plain, memo = TfidfVectorizer(**params), _MemoTfidfVectorizer(**params)
    assert_same_matrix(plain.fit_transform(train), memo.fit_transform(train))
    assert plain.vocabulary_ == memo.vocabulary_
    np.testing.assert_array_equal(plain.idf_, memo.idf_)
    assert_same_matrix(plain.transform(test), memo.transform(test))
    assert_same_matrix(plain.transform(test), memo.transform(test))  # memo hits


def test_memo_vectorizer_gives_the_same_features_as_tfidf_vectorizer():
    texts, actors = corpus_texts()
    train, test = texts[:200], texts[200:] + ["", "VPN", "a  b\tc", texts[0]]
    for _, vectorizer in StanceClassifier()._features(train, actors[:200]).transformer_list:
        params = vectorizer.get_params()
        assert_same_vectorizer(params, train, test)
        assert_same_vectorizer({**params, "min_df": 0.02, "max_df": 0.5}, train, test)
        assert_same_vectorizer({**params, "ngram_range": (1, 1)}, train, test)
    assert_same_vectorizer({"analyzer": "char", "ngram_range": (1, 3), "max_features": 50},
                           train, test)  # not memoised: the parent's code


def test_memo_vectorizer_fails_like_tfidf_vectorizer():
    for params, docs in [({"analyzer": "char_wb"}, ["", " "]),
                         ({"analyzer": "char_wb", "min_df": 3}, ["ab", "cd"]),
                         ({"analyzer": "char_wb", "ngram_range": (2, 2), "min_df": 2},
                          ["ab", "cd"]),
                         ({"analyzer": "char_wb", "min_df": 2, "max_df": 1}, ["ab", "ab"])]:
        with pytest.raises(ValueError) as plain:
            TfidfVectorizer(**params).fit(docs)
        with pytest.raises(ValueError) as memo:
            _MemoTfidfVectorizer(**params).fit(docs)
        assert str(memo.value) == str(plain.value)


def test_memo_vectorizer_survives_a_full_memo(monkeypatch):
    texts, _ = corpus_texts()
    params = StanceClassifier()._features(texts, []).get_params()["char"].get_params()
    # a memo too small for the texts (the parent's code is used), one that fills up during
    # the second transform (it is emptied, the numbering restarts and the texts of that call
    # are analysed again), plenty of room
    for size in (8, 24, 10_000):
        monkeypatch.setattr(vectorize_module, "_MEMO_MAX", size)
        vectorize_module._MEMO.clear()
        start = vectorize_module._MEMO.generation
        plain, memo = TfidfVectorizer(**params), _MemoTfidfVectorizer(**params)
        assert_same_matrix(plain.fit_transform(texts[:10]), memo.fit_transform(texts[:10]))
        for part in (texts[10:20], texts[20:30], texts[:30]):
            assert_same_matrix(plain.transform(part), memo.transform(part))
        assert (vectorize_module._MEMO.generation > start) == (size == 24)


def test_memo_vectorizer_pickles_without_its_lookup_cache():
    texts, _ = corpus_texts()
    vectorizer = _MemoTfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit(texts[:50])
    expected = vectorizer.transform(texts[50:80])
    copy = pickle.loads(pickle.dumps(vectorizer))
    assert "_column_cache" in vectorizer.__dict__ and "_column_cache" not in copy.__dict__
    vectorize_module._MEMO.clear()  # as in a new process: the numbering starts again
    assert_same_matrix(copy.transform(texts[50:80]), expected)


def test_row_space_fit_is_the_model_fitted_on_the_features():
    texts, actors = corpus_texts()
    labels = load_corpus()["stance"].astype(str).tolist()
    clf = StanceClassifier(calibrate=False).fit(texts[:150], labels[:150], actors=actors[:150])
    Z = clf.features_.transform(texts[:150])
    assert stance_module._use_row_space(Z)
    assert clf.model_.coef_.shape == (len(clf.classes_), Z.shape[1])
    assert clf.model_.n_features_in_ == Z.shape[1]
    target = [clf.classes_.tolist().index(v) for v in labels[:150]]
    exact = LogisticRegression(C=1.0, class_weight="balanced", tol=1e-10,
                               max_iter=10000).fit(Z, target)
    np.testing.assert_allclose(clf.model_.coef_, exact.coef_, atol=5e-3)
    np.testing.assert_allclose(clf.model_.intercept_, exact.intercept_, atol=1e-2)
    new = clf.features_.transform(texts[150:])
    np.testing.assert_allclose(clf.model_.decision_function(new), exact.decision_function(new),
                               atol=1e-2)
    assert (clf.model_.predict(new) == exact.predict(new)).mean() > 0.99


def test_row_space_binary_model_and_zero_rows():
    texts, labels = SUPPORTS + OPPOSES, ["supports_restriction"] * 4 + ["opposes_restriction"] * 4
    clf = StanceClassifier(char_ngrams=None).fit(texts, labels)
    Z = clf.features_.transform(texts)
    assert clf.model_.coef_.shape == (1, Z.shape[1])
    exact = LogisticRegression(class_weight="balanced", tol=1e-10, max_iter=10000).fit(
        Z, [clf.classes_.tolist().index(v) for v in labels])
    np.testing.assert_allclose(clf.decision_function(texts)[:, 1],
                               exact.decision_function(Z), atol=1e-3)
    assert clf.predict_proba(texts).shape == (8, 2)
    zero = _RowSpace(sp.csr_matrix((3, 5)))
    assert zero.coordinates.shape == (3, 1) and not zero.coordinates.any()
