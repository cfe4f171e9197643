"""Stance classifier: word and character n-gram TF-IDF with a class-balanced linear model."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import FeatureUnion
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from .features import SentenceEncoder, make_vectorizer, stop_words, transform_texts
from .schema import STANCES

__all__ = [
    "STANCE_KEEP_WORDS",
    "WORD_MIN_DF",
    "CHAR_MIN_DF",
    "FEATURES",
    "REVIEW_ACCURACY",
    "review_threshold",
    "stance_stop_words",
    "StanceClassifier",
]

#: English stop words that carry stance and are therefore kept as features: negation
#: ("not", "no", "never", "without"), opposition ("against") and the contrast and modal
#: words of conditional positions ("but", "only", "rather", "should", "must").
STANCE_KEEP_WORDS: frozenset[str] = frozenset({
    "not", "no", "nor", "neither", "never", "none", "nothing", "cannot", "without",
    "against", "but", "however", "although", "except", "only", "rather", "should", "must",
})
#: A word n-gram must occur in at least two training statements (as in the shared TF-IDF):
#: under actor-grouped CV, ``min_df=1`` added thousands of one-off bigrams and lowered
#: macro-F1 (0.52 against 0.58 for word features alone).
WORD_MIN_DF = 2
#: A character n-gram must occur in at least two training statements.
CHAR_MIN_DF = 2
#: Largest number of internal folds of the calibration.
_CALIBRATION_FOLDS = 3
#: The feature sets a classifier can use: TF-IDF alone (the default, no extra needed), or
#: TF-IDF beside sentence embeddings (:class:`~discourse.features.SentenceEncoder`, the
#: ``encoder`` extra).
FEATURES = ("tfidf", "tfidf+encoder")
#: Accuracy that the confident (not reviewed) predictions should reach, out of fold in the
#: training data: the review threshold is the lowest confidence at which they do.
REVIEW_ACCURACY = 0.8


def review_threshold(confidence, correct, accuracy: float = REVIEW_ACCURACY) -> float:
    """Return the lowest confidence ``t`` at which predictions with confidence >= ``t`` are
    correct at least ``accuracy`` of the time.

    Candidates are the observed confidences; the predictions at or above a candidate are
    kept and their accuracy computed. If even the most confident group falls short, the
    threshold is just above the highest confidence (everything is reviewed), rounded up
    to 4 decimals; the result is rounded down to 4 decimals otherwise.

    Examples
    --------
    >>> review_threshold([0.9, 0.8, 0.6, 0.5], [True, True, False, True], accuracy=0.75)
    0.5
    >>> review_threshold([0.9, 0.8, 0.6, 0.5], [True, False, False, True], accuracy=0.75)
    0.9
    >>> review_threshold([0.9, 0.8], [False, False])
    0.9001
    """
    confidence = np.asarray(confidence, dtype=float)
    correct = np.asarray(correct, dtype=bool)
    if confidence.size == 0:
        return 0.0
    order = np.lexsort((np.arange(confidence.size), -confidence))
    conf, ok = confidence[order], correct[order]
    hits = np.cumsum(ok)
    # only the last of a run of equal confidences is a valid cut (all ties are kept together)
    last = np.append(conf[1:] != conf[:-1], True)
    k = np.arange(1, conf.size + 1)
    good = last & (hits >= accuracy * k - 1e-12)
    if not good.any():
        return float(np.ceil(conf[0] * 1e4 + 1) / 1e4)
    return float(np.floor(conf[np.flatnonzero(good)[-1]] * 1e4) / 1e4)


def stance_stop_words(texts: Iterable[str] = (), actors: Iterable[str] = ()) -> list[str]:
    """Return the shared stop list minus :data:`STANCE_KEEP_WORDS`.

    Examples
    --------
    >>> words = stance_stop_words()
    >>> "the" in words, "not" in words, "against" in words
    (True, False, False)
    """
    return [w for w in stop_words(texts, actors) if w not in STANCE_KEEP_WORDS]


def _as_texts(X: Iterable[str]) -> list[str]:
    if isinstance(X, str):
        raise TypeError("expected an iterable of texts, got a single string; wrap it in a list")
    return [str(x) for x in X]


def _class_coef(model: LogisticRegression) -> np.ndarray:
    """Return one row of coefficients per class (``-coef, coef`` for a binary model)."""
    coef = model.coef_
    return np.vstack([-coef[0], coef[0]]) if coef.shape[0] == 1 else coef


def _logits(model: LogisticRegression, Z) -> np.ndarray:
    """Return one logit per class (two columns for a binary model)."""
    scores = model.decision_function(Z)
    if scores.ndim == 1:
        scores = np.column_stack([np.zeros_like(scores), scores])
    return scores


class StanceClassifier(ClassifierMixin, BaseEstimator):
    """Classify the stance of a statement toward restricting VPN use.

    The text is turned into two TF-IDF blocks, joined side by side
    (:class:`~sklearn.pipeline.FeatureUnion`):

    - word n-grams: :func:`~discourse.features.preprocess`, tokens of
      :data:`~discourse.features.TOKEN_PATTERN`, the shared stop list *minus*
      :data:`STANCE_KEEP_WORDS` (negations and contrasts decide stance: "should not be
      banned", "regulate misuse, not the technology"), ``min_df=`` :data:`WORD_MIN_DF`;
    - character n-grams within word boundaries (``analyzer="char_wb"``), robust to
      inflection and spelling ("ban", "banned", "banning"), ``min_df=`` :data:`CHAR_MIN_DF`.

    Both use ``sublinear_tf`` and l2-normalised rows, ``tfidf = (1 + log tf) * idf``. A
    multinomial :class:`~sklearn.linear_model.LogisticRegression` with
    ``class_weight="balanced"`` (each class weighted ``n / (k * n_class)``) sits on top:
    the per-target n-gram linear model that was the strong baseline of SemEval-2016 Task 6.
    Under actor-grouped 5-fold CV on the shipped corpus, a LinearSVC, a ridge classifier,
    other values of ``C``, word trigrams and other character ranges all scored within the
    noise of this model (macro-F1 0.56 to 0.60), and word features alone scored as well as
    word + character features; the character block is kept for robustness to spelling
    and inflection in new texts.

    Probabilities are calibrated by temperature scaling, ``p = softmax(z / T)`` with ``z``
    the model's logits, through scikit-learn's
    :class:`~sklearn.calibration.CalibratedClassifierCV` (``method="temperature"``,
    ``ensemble=False``): ``T`` minimises the log loss of out-of-fold logits from an
    internal stratified k-fold on the training data (``k = min(3, smallest class size)``),
    and the model itself is fitted on all training statements. One scalar keeps the ranking
    of classes, so ``predict`` is unchanged by calibration: only the confidence is
    corrected. On the shipped corpus (out of fold, 5 folds x 3 repeats; expected
    calibration error over ten equal-width bins) the raw probabilities were far too flat:
    mean confidence 0.44 for an accuracy of 0.73, error 0.29; with ``T`` the mean
    confidence was 0.74 and the error 0.02 (the kit's earlier hand-written temperature
    scaling gave the same error, 0.026 against 0.026, on the same folds). If the smallest
    class has a single statement, no internal split is possible and the uncalibrated
    probabilities are used (``calibrated_ = False``).

    Both TF-IDF blocks come from :func:`~discourse.features.make_vectorizer`, the kit's one
    configuration, and the models are plain public scikit-learn estimators. With
    ``features="tfidf+encoder"`` a third block, the sentence embedding of the text
    (all-MiniLM-L6-v2 through :class:`~discourse.features.SentenceEncoder`, unit length,
    scaled by ``encoder_weight``), is joined to the two TF-IDF blocks; it needs the
    ``encoder`` extra.

    The review threshold (``review_threshold_``) is chosen inside the training data: the
    internal folds of the calibration give out-of-fold logits
    (:func:`~sklearn.model_selection.cross_val_predict`), the fitted temperature turns them
    into calibrated confidences, and :func:`review_threshold` picks the lowest confidence
    at which the out-of-fold predictions reach ``review_accuracy``. A prediction below it
    should be reviewed by hand (:func:`~discourse.label.label_texts` marks it
    ``needs_review``).

    Fitting runs with BLAS limited to one thread
    (:func:`threadpoolctl.threadpool_limits`): on problems this small, OpenBLAS threads only
    contend (fitting was ten times slower with two threads on two busy cores), and the
    thread count changes floating-point sums and so, at the margin, predictions.

    Parameters
    ----------
    C : float, default 1.0
        Inverse L2 regularisation strength.
    word_ngrams : tuple of int, default (1, 2)
        Range of word n-gram lengths.
    char_ngrams : tuple of int or None, default (2, 5)
        Range of character n-gram lengths; ``None`` uses word features only.
    calibrate : bool, default True
        Whether to fit the temperature.
    random_state : int, default 0
        Seed of the logistic regression and the internal calibration folds.
    features : {"tfidf", "tfidf+encoder"}, default "tfidf"
        The feature blocks (see :data:`FEATURES`).
    encoder : SentenceEncoder, optional
        The encoder of ``features="tfidf+encoder"`` (default: a plain
        :class:`~discourse.features.SentenceEncoder`; pass one with a ``table`` of
        precomputed embeddings to encode each text once across many fits).
    encoder_weight : float, default 1.0
        Weight of the embedding block beside the two TF-IDF blocks (each of unit length).
    review_accuracy : float, default :data:`REVIEW_ACCURACY`
        Target accuracy of the predictions kept without review.

    Attributes
    ----------
    classes_ : ndarray of str
        Stance codes seen in training, in :data:`~discourse.schema.STANCES` order.
    features_ : FeatureUnion
        The fitted word (and character) vectorizers.
    model_ : LogisticRegression
        The model fitted on all training statements; its classes are indices into
        ``classes_``; it applies to ``features_.transform(X)``.
    calibrator_ : CalibratedClassifierCV or None
        The fitted temperature scaling (wrapping ``model_``), or None if not calibrated.
    calibrated_ : bool
        Whether the probabilities are calibrated.
    review_threshold_ : float
        Confidences below it call for review (0.0 if not calibrated: no held-out
        confidences to choose it from).

    References
    ----------
    Mohammad, S. et al. (2016). SemEval-2016 Task 6: Detecting Stance in Tweets.
    Guo, C. et al. (2017). On Calibration of Modern Neural Networks (temperature scaling).

    Examples
    --------
    >>> texts = ["block illegal VPNs now", "the ban must be enforced, block them",
    ...          "the ban violates rights and hurts business", "lift the ban, it harms rights"]
    >>> clf = StanceClassifier(char_ngrams=None).fit(
    ...     texts * 2, ["supports_restriction"] * 2 + ["opposes_restriction"] * 2 +
    ...     ["supports_restriction"] * 2 + ["opposes_restriction"] * 2)
    >>> clf.classes_.tolist()
    ['supports_restriction', 'opposes_restriction']
    >>> clf.predict(["this ban violates rights"]).tolist()
    ['opposes_restriction']
    """

    def __init__(
        self,
        C: float = 1.0,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] | None = (2, 5),
        calibrate: bool = True,
        random_state: int = 0,
        features: str = "tfidf",
        encoder: SentenceEncoder | None = None,
        encoder_weight: float = 1.0,
        review_accuracy: float = REVIEW_ACCURACY,
    ):
        self.C = C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.calibrate = calibrate
        self.random_state = random_state
        self.features = features
        self.encoder = encoder
        self.encoder_weight = encoder_weight
        self.review_accuracy = review_accuracy

    def _features(self, texts: list[str], actors: list[str]) -> FeatureUnion:
        blocks = [("word", make_vectorizer(
            texts, actors, min_df=WORD_MIN_DF, max_df=1.0, ngram_range=tuple(self.word_ngrams),
            keep_words=STANCE_KEEP_WORDS))]
        if self.char_ngrams is not None:
            blocks.append(("char", make_vectorizer(
                analyzer="char_wb", min_df=CHAR_MIN_DF, max_df=1.0,
                ngram_range=tuple(self.char_ngrams))))
        weights = None
        if self.features == "tfidf+encoder":
            encoder = SentenceEncoder() if self.encoder is None else clone(self.encoder)
            blocks.append(("encoder", encoder))
            weights = {"encoder": float(self.encoder_weight)}
        return FeatureUnion(blocks, transformer_weights=weights)

    def _model(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight="balanced", max_iter=5000,
                                  random_state=self.random_state)

    def fit(self, X: Iterable[str], y: Iterable[str],
            actors: Iterable[str] | None = None) -> StanceClassifier:
        """Fit the features, the model and the calibration temperature.

        Parameters
        ----------
        X : iterable of str
            Training statements.
        y : iterable of str
            Their stance codes (from :data:`~discourse.schema.STANCES`).
        actors : iterable of str, optional
            The actors of the statements; words of their names that the texts use only as
            names are dropped from the word features
            (:func:`~discourse.features.name_stop_words`).

        Returns
        -------
        self
        """
        texts = _as_texts(X)
        labels = np.asarray([str(v) for v in y], dtype=object)
        if len(labels) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(labels)} stance labels")
        if self.features not in FEATURES:
            raise ValueError(f"features must be one of {FEATURES}, got {self.features!r}")
        unknown = sorted(set(labels) - set(STANCES))
        if unknown:
            raise ValueError(f"unknown stance code(s) {unknown}; allowed: {', '.join(STANCES)}")
        self.classes_ = np.array([s for s in STANCES if s in set(labels)], dtype=object)
        if len(self.classes_) < 2:
            raise ValueError("a stance classifier needs statements of at least two stances; "
                             f"got only {self.classes_.tolist()}")
        order = {code: i for i, code in enumerate(self.classes_)}
        target = np.array([order[v] for v in labels], dtype=int)
        self.features_ = self._features(texts, [] if actors is None else list(actors))
        try:
            Z = self.features_.fit_transform(texts)
        except ValueError:  # a tiny training set: no term reaches min_df, so keep them all
            self.features_.set_params(word__min_df=1, **(
                {"char__min_df": 1} if self.char_ngrams is not None else {}))
            Z = self.features_.fit_transform(texts)
        smallest = int(np.bincount(target).min())
        self.calibrated_ = bool(self.calibrate and smallest >= 2)
        with threadpool_limits(limits=1, user_api="blas"):
            if self.calibrated_:
                folds = StratifiedKFold(min(_CALIBRATION_FOLDS, smallest), shuffle=True,
                                        random_state=self.random_state)
                self.calibrator_ = CalibratedClassifierCV(
                    self._model(), method="temperature", cv=folds, ensemble=False,
                ).fit(Z, target)
                self.model_ = self.calibrator_.calibrated_classifiers_[0].estimator
                # the same internal folds give out-of-fold logits; the fitted temperature
                # turns them into the confidences the review threshold is chosen from
                logits = cross_val_predict(self._model(), Z, target, cv=folds,
                                           method="decision_function")
                pair = self.calibrator_.calibrated_classifiers_[0]
                oof = pair.calibrators[0].predict(logits)
                self.review_threshold_ = review_threshold(
                    oof.max(axis=1), oof.argmax(axis=1) == target, self.review_accuracy)
            else:
                self.calibrator_ = None
                self.model_ = self._model().fit(Z, target)
                self.review_threshold_ = 0.0
        return self

    def transform(self, X: Iterable[str], *,
                  tokens: list[list[str]] | None = None) -> sparse.csr_matrix:
        """Return the feature matrix of texts (``features_.transform``), one row per text.

        ``decision_function``, ``predict_proba`` and :meth:`explain_batch` accept this
        matrix in place of the texts, so that a batch is transformed once for all three.
        ``tokens``, the texts' ``tokenize(preprocess(text))`` if computed already, spare
        tokenising them again (see :func:`~discourse.features.transform_texts`).
        """
        check_is_fitted(self, "model_")
        texts = _as_texts(X)
        # as FeatureUnion.transform, block by block; the character block through the
        # faster transform_texts, whose matrix is the vectorizer's own, value for value
        weights = self.features_.transformer_weights or {}
        blocks = []
        for name, block in self.features_.transformer_list:
            Z = transform_texts(block, texts, tokens=tokens)
            if weights.get(name) is not None:
                Z = Z * weights[name]
            blocks.append(sparse.csr_matrix(Z))
        return sparse.csr_matrix(sparse.hstack(blocks, format="csr"))

    def _matrix(self, X) -> sparse.csr_matrix:
        check_is_fitted(self, "model_")
        if sparse.issparse(X):
            if X.shape[1] != self.model_.coef_.shape[1]:
                raise ValueError(f"the matrix has {X.shape[1]} columns, the model "
                                 f"{self.model_.coef_.shape[1]}; pass texts or transform(texts)")
            return sparse.csr_matrix(X)
        return self.transform(X)

    def decision_function(self, X) -> np.ndarray:
        """Return the uncalibrated logits, one column per class of ``classes_``.

        ``X`` is an iterable of texts or their matrix from :meth:`transform`.
        """
        Z = self._matrix(X)
        return _logits(self.model_, Z)

    def predict_proba(self, X) -> np.ndarray:
        """Return calibrated probabilities ``softmax(z / T)``, columns as ``classes_``.

        ``X`` is an iterable of texts or their matrix from :meth:`transform`.
        """
        Z = self._matrix(X)
        model = self.model_ if self.calibrator_ is None else self.calibrator_
        return model.predict_proba(Z)

    def predict(self, X: Iterable[str]) -> np.ndarray:
        """Return the stance code with the highest probability for each text."""
        scores = self.decision_function(X)
        return self.classes_[scores.argmax(axis=1)]

    def explain(self, text: str, top: int = 8, kind: str | None = None) -> pd.DataFrame:
        """Return the features that pushed one text toward its predicted stance.

        For the predicted class *k*, each feature present in the text contributes
        ``weight = coef[k, j] * x[j]`` to the class logit (``x`` the TF-IDF value). The
        multinomial model's L2-penalised coefficients sum to zero over classes, so a
        positive weight favours *k* over the average class.

        Parameters
        ----------
        text : str
            One statement.
        top : int, default 8
            Number of rows to return (features with positive weight only).
        kind : {"word", "char", "encoder"}, optional
            Keep only word, character or embedding features (default: all).

        Returns
        -------
        DataFrame
            Columns ``term``, ``kind`` (``"word"``, ``"char"`` or ``"encoder"``, whose terms
            are embedding dimensions ``dim0`` ...), ``value`` (TF-IDF or embedding value),
            ``coef`` and ``weight``, sorted by ``weight`` descending (ties by term); the
            predicted stance is in ``.attrs["stance"]``.

        Examples
        --------
        >>> texts = ["block illegal VPNs", "enforce the ban", "the ban violates rights",
        ...          "lift the ban"] * 2
        >>> y = ["supports_restriction"] * 2 + ["opposes_restriction"] * 2
        >>> clf = StanceClassifier(char_ngrams=None, calibrate=False).fit(texts, y * 2)
        >>> clf.explain("the ban violates rights", top=2)["term"].tolist()
        ['ban violates', 'rights']
        """
        check_is_fitted(self, "model_")
        row = self.features_.transform(_as_texts([text])).tocsr()
        logits = _logits(self.model_, row)[0]
        k = int(logits.argmax())
        coef = self.model_.coef_
        class_coef = (coef[0] if k == 1 else -coef[0]) if coef.shape[0] == 1 else coef[k]
        names = self.features_.get_feature_names_out()
        index, values = row.indices, row.data
        weights = class_coef[index] * values
        table = pd.DataFrame({
            "term": [names[i].split("__", 1)[1] for i in index],
            "kind": [names[i].split("__", 1)[0] for i in index],
            "value": values,
            "coef": class_coef[index],
            "weight": weights,
        })
        keep = table["weight"] > 0
        if kind is not None:
            keep &= table["kind"] == kind
        table = table[keep].sort_values(["weight", "term"],
                                                       ascending=[False, True])
        table = table.head(top).reset_index(drop=True)
        table.attrs["stance"] = str(self.classes_[k])
        return table

    def explain_batch(self, X, top: int = 8, kind: str | None = None) -> pd.DataFrame:
        """Return, for every text of a batch, the features that pushed it toward its
        predicted stance: :meth:`explain` for many texts at once.

        The feature names are built once and the weights ``coef[k, j] * x[j]`` of all texts
        come from one sparse matrix, so a batch costs about one transform; each text's rows
        are exactly those of ``explain(text, top, kind)``, in the same order (weight
        descending, ties by term).

        Parameters
        ----------
        X : iterable of str, or the sparse matrix of :meth:`transform`
            The statements.
        top : int, default 8
            Rows per text (features with positive weight only).
        kind : {"word", "char", "encoder"}, optional
            Keep only word, character or embedding features (default: all).

        Returns
        -------
        DataFrame
            One row per (text, feature), tidy: ``row`` (the text's position in ``X``),
            ``stance`` (its predicted stance), then ``term``, ``kind``, ``value``, ``coef``
            and ``weight`` as in :meth:`explain`; sorted by ``row``, then as
            :meth:`explain`. A text with no positive feature has no row.

        Examples
        --------
        >>> texts = ["block illegal VPNs", "enforce the ban", "the ban violates rights",
        ...          "lift the ban"] * 2
        >>> y = ["supports_restriction"] * 2 + ["opposes_restriction"] * 2
        >>> clf = StanceClassifier(char_ngrams=None, calibrate=False).fit(texts, y * 2)
        >>> table = clf.explain_batch(["the ban violates rights", "block VPNs"], top=2)
        >>> table[["row", "stance", "term"]].values.tolist()
        [[0, 'opposes_restriction', 'ban violates'], [0, 'opposes_restriction', 'rights'], \
[1, 'supports_restriction', 'block']]
        """
        Z = self._matrix(X)
        predicted = _logits(self.model_, Z).argmax(axis=1)
        names = self.features_.get_feature_names_out()  # once per batch, "<kind>__<term>"
        # the kind of each column as a small integer, to filter the entries cheaply
        prefixes = [name.split("__", 1)[0] for name in names]
        kind_names = sorted(set(prefixes))
        code = {name: i for i, name in enumerate(kind_names)}
        kind_code = np.array([code[p] for p in prefixes], dtype=np.int16)
        rows = np.repeat(np.arange(Z.shape[0]), np.diff(Z.indptr))
        cols, values = Z.indices, Z.data
        if kind is not None:  # keep only that block's entries before any other work
            wanted = code.get(kind, -1)
            mask = kind_code[cols] == wanted
            rows, cols, values = rows[mask], cols[mask], values[mask]
        coef = _class_coef(self.model_)[predicted[rows], cols]
        weights = coef * values
        keep = weights > 0
        rows, cols, values, coef, weights = (a[keep] for a in (rows, cols, values, coef,
                                                               weights))
        # the terms of the columns used, and their rank in Python string order: sorting by
        # rank sorts by term
        used = np.unique(cols)
        used_terms = np.array([names[j].split("__", 1)[1] for j in used.tolist()],
                              dtype=object)
        rank_of_used = np.empty(len(used), dtype=np.int64)
        rank_of_used[np.argsort(used_terms, kind="stable")] = np.arange(len(used))
        at = np.searchsorted(used, cols)
        # by text, weight descending, term; the column index last (a word and a character
        # n-gram can share a term; explain keeps them in column order too)
        order = np.lexsort((cols, rank_of_used[at], -weights, rows))
        rows, cols, values, coef, weights, at = (a[order] for a in (rows, cols, values, coef,
                                                                    weights, at))
        starts = np.searchsorted(rows, rows, side="left")
        first = np.arange(len(rows)) - starts < top
        rows, cols, values, coef, weights, at = (a[first] for a in (rows, cols, values, coef,
                                                                    weights, at))
        kinds_used = np.array([names[j].split("__", 1)[0] for j in used.tolist()],
                              dtype=object)
        return pd.DataFrame({
            "row": rows.astype(np.int64),
            "stance": self.classes_[predicted[rows]].astype(object),
            "term": used_terms[at],
            "kind": kinds_used[at],
            "value": values,
            "coef": coef,
            "weight": weights,
        })
