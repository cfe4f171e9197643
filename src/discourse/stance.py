"""Stance classifier: word and character n-gram TF-IDF with a class-balanced linear model."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion
from sklearn.utils.validation import check_is_fitted

from ._vectorize import _MemoTfidfVectorizer, _one_blas_thread, _stop_words
from .features import TOKEN_PATTERN, preprocess
from .schema import STANCES

__all__ = [
    "STANCE_KEEP_WORDS",
    "WORD_MIN_DF",
    "CHAR_MIN_DF",
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
#: Largest number of internal folds for temperature scaling.
_CALIBRATION_FOLDS = 3


def stance_stop_words(texts: Iterable[str] = (), actors: Iterable[str] = ()) -> list[str]:
    """Return the shared stop list minus :data:`STANCE_KEEP_WORDS`.

    Examples
    --------
    >>> words = stance_stop_words()
    >>> "the" in words, "not" in words, "against" in words
    (True, False, False)
    """
    return [w for w in _stop_words(list(texts), list(actors)) if w not in STANCE_KEEP_WORDS]


def _as_texts(X: Iterable[str]) -> list[str]:
    if isinstance(X, str):
        raise TypeError("expected an iterable of texts, got a single string; wrap it in a list")
    return [str(x) for x in X]


def _logits(model: LogisticRegression, Z) -> np.ndarray:
    """Return one logit per class (two columns for a binary model)."""
    scores = model.decision_function(Z)
    if scores.ndim == 1:
        scores = np.column_stack([np.zeros_like(scores), scores])
    return scores


def _fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Return the temperature T > 0 minimising the log loss of softmax(logits / T)."""

    def loss(log_t: float) -> float:
        return -log_softmax(logits / np.exp(log_t), axis=1)[np.arange(len(y)), y].mean()

    result = minimize_scalar(loss, bounds=(-4.0, 4.0), method="bounded")
    return float(np.exp(result.x))


#: The linear models are fitted in the row space of the training matrix when it has fewer
#: rows than columns and at most this many rows (the Gram matrix is rows x rows).
_ROW_SPACE_MAX_ROWS = 2000


def _use_row_space(Z) -> bool:
    return Z.shape[0] < Z.shape[1] and Z.shape[0] <= _ROW_SPACE_MAX_ROWS


def _gram(Z) -> np.ndarray:
    """Return ``Z Z^T`` as a dense array.

    Columns used by many rows (character n-grams such as "e ") make a sparse product slow:
    they are multiplied as a dense block, the other columns as a sparse one.
    """
    if not sp.issparse(Z):
        Z = np.asarray(Z, dtype=np.float64)
        return Z @ Z.T
    Z = sp.csc_matrix(Z, dtype=np.float64)
    busy = np.diff(Z.indptr) > max(10, Z.shape[0] // 16)
    dense = Z[:, np.flatnonzero(busy)].toarray()
    rest = Z[:, np.flatnonzero(~busy)].tocsr()
    return dense @ dense.T + (rest @ rest.T).toarray()


class _RowSpace:
    """Coordinates of the training rows in an orthonormal basis of their span.

    With ``Z Z^T = U diag(s^2) U^T``, the rows of ``U diag(s)`` are the coordinates of the
    rows of ``Z`` in the orthonormal basis ``V = Z^T U diag(1/s)`` of their span. The
    optimum of an L2-penalised linear model lies in that span (so do the loss gradient and
    the penalty's), and there ``||V b|| = ||b||``: the model fitted on the coordinates is
    the model fitted on ``Z``, with coefficients ``V b``. The same holds for a subset of the
    rows (their span lies in ``V``'s), so the calibration's inner fits use these
    coordinates too. Directions with eigenvalues below 1e-10 of the largest are numerically
    null and dropped (if every row is zero, one zero coordinate is kept).
    """

    def __init__(self, Z):
        values, vectors = np.linalg.eigh(_gram(Z))
        top = float(values[-1]) if len(values) else 0.0
        keep = values > top * 1e-10 if top > 0 else np.zeros(len(values), dtype=bool)
        if keep.any():
            self.vectors, self.scale = vectors[:, keep], np.sqrt(values[keep])
        else:
            self.vectors, self.scale = np.zeros((Z.shape[0], 1)), np.ones(1)
        self.coordinates = self.vectors * self.scale

    def coef(self, Z, model: LogisticRegression) -> np.ndarray:
        """Return the feature-space coefficients of ``model``, fitted on ``coordinates``."""
        alpha = (self.vectors / self.scale) @ model.coef_.T  # V b = Z^T alpha
        return np.ascontiguousarray(np.asarray(Z.T @ alpha).T)


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

    Probabilities are calibrated by temperature scaling: ``p = softmax(z / T)`` where ``z``
    are the model's logits and ``T`` minimises the log loss of out-of-fold logits from an
    internal stratified k-fold on the training data (``k = min(3, smallest class size)``).
    One scalar keeps the ranking of classes, so ``predict`` is unchanged by calibration:
    only the confidence is corrected. On the shipped corpus the raw probabilities were far
    too flat (out of fold: mean confidence 0.44 for an accuracy of 0.73, expected
    calibration error 0.29); with ``T`` the mean confidence was 0.73 and the error 0.07.
    If the smallest class has a single statement,
    no internal split is possible and the uncalibrated probabilities are used
    (``temperature_ = 1``, ``calibrated_ = False``).

    Fitting runs with BLAS limited to one thread: on problems this small, OpenBLAS threads
    only contend (fitting was ten times slower with two threads on two busy cores), and the
    thread count changes floating-point sums and so, at the margin, predictions.

    Speed (the model is unchanged; cross-validation fits it many times):

    - The vectorizers analyse each text once per process (a bounded in-process memo of
      tokens and character n-gram counts, keyed by the analyser's settings and the text)
      and count character n-grams with numpy. Vocabulary, ``min_df`` and idf are still
      learnt from the training statements alone, and the matrices are identical, entry for
      entry, to those of plain ``TfidfVectorizer`` objects.
    - When there are fewer training statements than features (as always here: about 240
      statements, 18,000 features), the logistic regression is fitted on the coordinates
      of the statements in an orthonormal basis of their span, from the eigendecomposition
      of the ``n x n`` Gram matrix ``Z Z^T``. The L2-penalised optimum lies in that span and
      the basis preserves the penalty, so it is the same model (same loss, penalty, ``C``,
      class weights, solver and tolerance), fitted over at most ``n`` coordinates per class
      instead of 18,000; its coefficients are mapped back to the features. L-BFGS takes the
      same steps in any orthonormal coordinates: in 12 of the 15 fits of the default
      evaluation (5 folds x 3 repeats) the coefficients equalled those of a fit on the
      features to about 1e-14; in the other 3 the solver's stopping test (the largest
      gradient component, which depends on the coordinates) had stopped the fit on the
      features earlier, further from the optimum. In all, 1 of 888 out-of-fold predictions
      changed (to the exact optimum's), calibrated probabilities moved by at most 0.009 and
      macro-F1 went from 0.5783 to 0.5786. The internal calibration folds fit on the same
      coordinates (the span of a subset of the statements lies in it), so calibration
      costs three small fits. With more statements than features, or more than 2,000
      statements, the model is fitted on the features.

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

    Attributes
    ----------
    classes_ : ndarray of str
        Stance codes seen in training, in :data:`~discourse.schema.STANCES` order.
    features_ : FeatureUnion
        The fitted word (and character) vectorizers.
    model_ : LogisticRegression
        The model fitted on all training statements; its classes are indices into
        ``classes_``. Its ``coef_`` is over the features of ``features_`` (mapped back when
        fitted in the row space, see Speed), so it applies to ``features_.transform(X)``.
    temperature_ : float
        The calibration temperature ``T``.
    calibrated_ : bool
        Whether ``T`` was fitted.

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
    ):
        self.C = C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.calibrate = calibrate
        self.random_state = random_state

    def _features(self, texts: list[str], actors: list[str]) -> FeatureUnion:
        blocks = [(
            "word",
            _MemoTfidfVectorizer(
                preprocessor=preprocess,
                lowercase=False,
                token_pattern=TOKEN_PATTERN,
                stop_words=stance_stop_words(texts, actors),
                ngram_range=tuple(self.word_ngrams),
                min_df=WORD_MIN_DF,
                sublinear_tf=True,
                dtype=np.float64,
            ),
        )]
        if self.char_ngrams is not None:
            blocks.append((
                "char",
                _MemoTfidfVectorizer(
                    preprocessor=preprocess,
                    lowercase=False,
                    analyzer="char_wb",
                    ngram_range=tuple(self.char_ngrams),
                    min_df=CHAR_MIN_DF,
                    sublinear_tf=True,
                    dtype=np.float64,
                ),
            ))
        return FeatureUnion(blocks)

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
        self.temperature_ = 1.0
        row_space = _use_row_space(Z)
        with _one_blas_thread():
            if row_space:  # the same model, fitted on far fewer coordinates
                space = _RowSpace(Z)
                model = self._model().fit(space.coordinates, target)
                model.coef_ = space.coef(Z, model)
                model.n_features_in_ = Z.shape[1]
                self.model_ = model
            else:
                self.model_ = self._model().fit(Z, target)
            if self.calibrated_:
                folds = StratifiedKFold(min(_CALIBRATION_FOLDS, smallest), shuffle=True,
                                        random_state=self.random_state)
                out_of_fold = np.zeros((len(target), len(self.classes_)))
                inputs = space.coordinates if row_space else Z
                for train, test in folds.split(inputs, target):
                    inner = self._model().fit(inputs[train], target[train])
                    out_of_fold[test] = _logits(inner, inputs[test])
                self.temperature_ = _fit_temperature(out_of_fold, target)
        return self

    def decision_function(self, X: Iterable[str]) -> np.ndarray:
        """Return the uncalibrated logits, one column per class of ``classes_``."""
        check_is_fitted(self, "model_")
        return _logits(self.model_, self.features_.transform(_as_texts(X)))

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        """Return calibrated probabilities ``softmax(z / T)``, columns as ``classes_``."""
        return softmax(self.decision_function(X) / self.temperature_, axis=1)

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
        kind : {"word", "char"}, optional
            Keep only word or only character features (default: both).

        Returns
        -------
        DataFrame
            Columns ``term``, ``kind`` (``"word"`` or ``"char"``), ``value`` (TF-IDF),
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
