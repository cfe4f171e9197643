"""Stance classifier: word and character n-gram TF-IDF with a class-balanced linear model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from itertools import islice
from numbers import Integral

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import ThreadpoolController

from .features import TOKEN_PATTERN, preprocess, stop_words
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


# -- fast, exact building blocks (see "Speed" in StanceClassifier) ------------------------------

#: Most entries (text analyses, stop lists) in the in-process memo; a full memo is emptied
#: (with its numbering of terms) and refilled.
_MEMO_MAX = 4096
#: Most distinct terms numbered before the memo is emptied.
_TERMS_MAX = 2_000_000


class _Memo:
    """A bounded in-process memo of per-text analyses, and a numbering of their terms.

    Analyses depend only on one text and the analyser's settings, so they can be shared by
    every vectorizer with those settings; nothing learnt from data is stored here.
    """

    def __init__(self) -> None:
        self.generation = -1
        self.clear()

    def clear(self) -> None:
        self.entries: dict[Hashable, object] = {}
        self.term_ids: dict[str, int] = {}
        self.terms: list[str] = []
        self.generation += 1

    def get(self, key: Hashable, compute: Callable[[], object]) -> object:
        """Return the entry for ``key``, computing it on a miss."""
        try:
            return self.entries[key]
        except KeyError:
            pass
        if len(self.entries) >= _MEMO_MAX or len(self.terms) >= _TERMS_MAX:
            self.clear()
        value = self.entries[key] = compute()
        return value

    def number(self, terms: Iterable[str]) -> np.ndarray:
        """Return the numbers of ``terms``, numbering the new ones."""
        ids, seen = self.term_ids, len(self.term_ids)
        out = np.array([ids.setdefault(term, len(ids)) for term in terms], dtype=np.int64)
        if len(ids) > seen:  # new terms, numbered in order of insertion
            self.terms.extend(islice(ids, seen, None))
        return out


_MEMO = _Memo()
_BLAS: list[ThreadpoolController] = []


def _one_blas_thread():
    """Return a context manager that limits BLAS to one thread.

    Same effect as ``threadpool_limits(limits=1, user_api="blas")``, but the loaded BLAS
    libraries are looked up once per process, at the first call (the lookup took about 4 ms,
    and cross-validation enters this context for every fit); a BLAS library loaded later is
    not limited.
    """
    if not _BLAS:
        _BLAS.append(ThreadpoolController())
    return _BLAS[0].limit(limits=1, user_api="blas")


def _stop_words(texts: list[str], actors: list[str]) -> list[str]:
    """Return :func:`~discourse.features.stop_words` ``(texts, actors)``, memoised.

    The stance and the frame classifier of one cross-validation fold ask for the same list.
    """
    key = ("stop_words", tuple(texts), tuple(actors))
    return list(_MEMO.get(key, lambda: tuple(stop_words(texts, actors))))


def _term_counts(terms: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """Return the numbers of the distinct terms of one text, in order of first occurrence,
    and their counts."""
    counts = Counter(terms)  # a dict: keys in order of first occurrence
    return (_MEMO.number(counts),
            np.fromiter(counts.values(), dtype=np.intc, count=len(counts)))


class _MemoTfidfVectorizer(TfidfVectorizer):
    """:class:`~sklearn.feature_extraction.text.TfidfVectorizer` that analyses each text once.

    Preprocessing, tokenising and character n-gram extraction depend only on one text and
    the vectorizer's settings, never on other texts or on labels; yet under cross-validation
    every statement was analysed again in every fold (and again by the frame classifier).
    This subclass keeps each text's analysis in a bounded in-process memo keyed by the
    settings and the text, and for character n-grams counts with numpy over numbered terms
    instead of a Python loop over every n-gram occurrence (dropping the terms outside
    ``min_df``/``max_df`` as it numbers the vocabulary, as ``fit`` would next). What ``fit``
    learns (vocabulary, document frequencies, idf) is still learnt from the texts passed to
    it and from nothing else: the matrices equal, entry for entry and in the same storage
    order, those of a ``TfidfVectorizer`` with the same parameters (tested). Settings the
    fast paths do not cover (``input`` other than ``"content"``, a callable ``analyzer``,
    ``max_features``, unhashable callables) use the parent's code unchanged.
    """

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_column_cache", None)  # rebuilt on demand
        return state

    def _settings(self) -> tuple | None:
        """Hashable settings that determine the analysis, or None if not memoisable."""
        if self.input != "content" or callable(self.analyzer):
            return None
        key = (self.analyzer, self.encoding, self.decode_error, self.strip_accents,
               self.lowercase, self.preprocessor, self.tokenizer, self.token_pattern)
        try:
            hash(key)
        except TypeError:
            return None
        return key

    def build_analyzer(self):
        """Return the analyzer; for words, the tokens of a text are memoised (stop words and
        n-grams are applied afterwards, as they may differ between instances)."""
        analyze = super().build_analyzer()
        settings = self._settings()
        if settings is None or self.analyzer != "word":
            return analyze
        preprocessor, tokenizer = self.build_preprocessor(), self.build_tokenizer()
        stop_words, decode, ngrams = self.get_stop_words(), self.decode, self._word_ngrams

        def memo_analyze(doc):
            if not isinstance(doc, str):
                return analyze(doc)
            tokens = _MEMO.get((settings, doc),
                               lambda: tuple(tokenizer(preprocessor(decode(doc)))))
            return ngrams(tokens, stop_words)

        return memo_analyze

    def _column_of(self) -> np.ndarray:
        """Column of each numbered term in ``vocabulary_`` (-1 if absent)."""
        cached = self.__dict__.get("_column_cache")
        if (cached is not None and cached[0] is self.vocabulary_
                and cached[1] == (_MEMO.generation, len(self.vocabulary_))):
            return cached[2]
        numbers = _MEMO.number(self.vocabulary_)
        column_of = np.full(len(_MEMO.terms), -1, dtype=np.intp)
        column_of[numbers] = np.fromiter(self.vocabulary_.values(), dtype=np.intp,
                                         count=len(self.vocabulary_))
        self._column_cache = (self.vocabulary_, (_MEMO.generation, len(self.vocabulary_)),
                              column_of)
        return column_of

    def _kept(self, df: np.ndarray, n_doc: int) -> np.ndarray:
        """The terms ``fit`` keeps by ``min_df``/``max_df`` (all, if it would keep none: then
        scikit-learn raises its own error)."""
        high = self.max_df if isinstance(self.max_df, Integral) else self.max_df * n_doc
        low = self.min_df if isinstance(self.min_df, Integral) else self.min_df * n_doc
        keep = (df <= high) & (df >= low)
        return keep if keep.any() else np.ones(len(df), dtype=bool)

    def _count_vocab(self, raw_documents, fixed_vocab, *args, **kwargs):
        docs = list(raw_documents)
        settings = self._settings()
        if (args or kwargs or settings is None or self.analyzer not in ("char", "char_wb")
                or self.max_features is not None or len(docs) > _MEMO_MAX // 2
                or not all(isinstance(d, str) for d in docs)):
            return super()._count_vocab(docs, fixed_vocab, *args, **kwargs)
        analyze = self.build_analyzer()
        key = (*settings, tuple(self.ngram_range))
        for _ in range(2):  # all numbers must come from one generation of the memo
            generation = _MEMO.generation
            analysed = [_MEMO.get((key, doc), lambda doc=doc: _term_counts(analyze(doc)))
                        for doc in docs]
            if _MEMO.generation == generation:
                break
        else:
            return super()._count_vocab(docs, fixed_vocab)
        lengths = np.fromiter((len(n) for n, _ in analysed), dtype=np.intp, count=len(docs))
        numbers = (np.concatenate([n for n, _ in analysed]) if docs
                   else np.zeros(0, dtype=np.int64))
        counts = (np.concatenate([c for _, c in analysed]) if docs
                  else np.zeros(0, dtype=np.intc))
        rows = np.repeat(np.arange(len(docs)), lengths)
        if fixed_vocab:
            vocabulary = self.vocabulary_
            column_of = self._column_of()
            columns = np.full(len(numbers), -1, dtype=np.intp)
            known = numbers < len(column_of)
            columns[known] = column_of[numbers[known]]
        else:
            unique, first, inverse = np.unique(numbers, return_index=True,
                                               return_inverse=True)
            if not len(unique):
                raise ValueError("empty vocabulary; perhaps the documents only contain "
                                 "stop words")
            inverse = inverse.ravel()
            kept = np.flatnonzero(self._kept(np.bincount(inverse), len(docs)))
            # number the kept terms in order of first occurrence, as CountVectorizer does;
            # its fit_transform then sorts them alphabetically
            order = kept[np.argsort(first[kept], kind="stable")]
            rank = np.full(len(unique), -1, dtype=np.intp)
            rank[order] = np.arange(len(order))
            columns = rank[inverse]
            terms = _MEMO.terms
            vocabulary = {terms[n]: j for j, n in enumerate(unique[order].tolist())}
        hit = columns >= 0
        columns, counts, rows = columns[hit], counts[hit], rows[hit]
        index_dtype = np.int32 if len(columns) <= np.iinfo(np.int32).max else np.int64
        indptr = np.zeros(len(docs) + 1, dtype=index_dtype)
        np.cumsum(np.bincount(rows, minlength=len(docs)), out=indptr[1:])
        X = sp.csr_matrix((counts, columns.astype(index_dtype), indptr),
                          shape=(len(docs), len(vocabulary)), dtype=self.dtype)
        X.sort_indices()
        return vocabulary, X


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
