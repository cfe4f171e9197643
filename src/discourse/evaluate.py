"""Honest scores for the labellers: actor-grouped cross-validation, baselines, bootstrap intervals.

This is the only module that computes scores. Every figure comes from out-of-fold
predictions: the corpus is split with :class:`~sklearn.model_selection.StratifiedGroupKFold`
on the ``actor`` column (stratified by stance), so that no actor has statements on both
sides of a split, and the split is repeated with several seeds. Each model, the trained
labellers and the baselines alike, is fitted on the training part of a fold and predicts
only its test part.

Folds and the stance classifier's out-of-fold run are memoised in-process (a few entries,
keyed by a hash of the content they depend on and by the CV settings), so that
:func:`evaluate` followed by :func:`out_of_fold_predictions` with the same corpus and
settings fits the classifier once.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.utils.validation import check_is_fitted

from ._vectorize import _one_blas_thread
from .corpus import corpus_digest
from .features import preprocess
from .frames import FrameClassifier, FrameLexicon, frame_matrix
from .schema import FRAMES, STANCES
from .stance import StanceClassifier

__all__ = [
    "STANCE_CUES",
    "N_BOOTSTRAP",
    "Fold",
    "MajorityStance",
    "KeywordStance",
    "cv_folds",
    "out_of_fold_predictions",
    "evaluate_stance",
    "evaluate_frames",
    "evaluate",
    "stance_scores_table",
    "per_class_table",
    "confusion_table",
    "frame_scores_table",
    "frame_summary_table",
]

#: Bootstrap resamples for the 95% interval of macro-F1.
N_BOOTSTRAP = 1000

#: Cue words of the keyword baseline, written from the codebook's stance definitions (not
#: tuned on the corpus). A trailing ``*`` matches any word ending; matching is on
#: :func:`~discourse.features.preprocess`-ed text at word boundaries.
STANCE_CUES: dict[str, tuple[str, ...]] = {
    "supports_restriction": (
        "illegal vpn*", "unregistered", "prohibit*", "penalis*", "penaliz*", "punish*",
        "prosecut*", "ordered", "directed", "instructed", "must register", "must be blocked",
        "enforce*", "un-islamic", "haram", "blasphem*", "terrorist*", "national security",
        "misuse",
    ),
    "conditional": (
        "blanket ban", "rather than", "instead", "legitimate", "lawful use", "whitelist*",
        "balanc*", "proportionate", "only if", "consult*", "targeted", "safeguards",
        "clear rules", "not the technology",
    ),
    "opposes_restriction": (
        "violat*", "condemn*", "unworkable", "counterproductive", "censorship", "freedom*",
        "free speech", "human rights", "privacy", "reverse", "withdraw*", "lift",
        "harm*", "damag*", "criticis*", "criticiz*", "repressive", "authoritarian",
        "unconstitutional", "chilling",
    ),
    "neutral": (
        "explained", "clarified", "estimated", "study", "research*", "measurement*",
        "no decision*", "without taking", "data showed", "described how",
    ),
}


# -- baselines ---------------------------------------------------------------------------------


def _seen_classes(y: Iterable[str]) -> tuple[list[str], np.ndarray]:
    labels = [str(v) for v in y]
    classes = [s for s in STANCES if s in set(labels)]
    if not classes:
        raise ValueError("no stance labels to learn from")
    counts = np.array([labels.count(c) for c in classes])
    return classes, counts


class MajorityStance(ClassifierMixin, BaseEstimator):
    """Predict the most frequent stance of the training data (ties: schema order).

    Examples
    --------
    >>> MajorityStance().fit(["a", "b", "c"], ["neutral", "conditional", "neutral"]).predict(
    ...     ["d"]).tolist()
    ['neutral']
    """

    def fit(self, X: Iterable[str], y: Iterable[str]) -> MajorityStance:
        """Remember the most frequent training stance."""
        classes, counts = _seen_classes(y)
        self.classes_ = np.array(classes, dtype=object)
        self.majority_ = classes[int(np.argmax(counts))]
        return self

    def predict(self, X: Iterable[str]) -> np.ndarray:
        """Return the majority stance for every text."""
        check_is_fitted(self, "majority_")
        return np.array([self.majority_] * len(list(X)), dtype=object)


def _cue_pattern(cues: Iterable[str]) -> re.Pattern[str]:
    parts = []
    for cue in cues:
        words = [re.escape(w[:-1]) + r"[\w-]*" if w.endswith("*") else re.escape(w)
                 for w in preprocess(cue).split()]
        parts.append(r"\s+".join(words))
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])")


class KeywordStance(ClassifierMixin, BaseEstimator):
    """Keyword baseline: the stance whose cue words occur most often in the text.

    Counts the matches of each seen class's cues (:data:`STANCE_CUES` by default). The class
    with most matches wins; ties go to the class more frequent in the training data, and a
    text with no cue gets the training majority. Fitting only learns the seen classes and
    their frequencies.

    Parameters
    ----------
    cues : mapping of str to sequence of str, optional
        Stance code -> cue words or phrases. Default :data:`STANCE_CUES`.

    Examples
    --------
    >>> clf = KeywordStance().fit(["x", "y"], ["opposes_restriction", "supports_restriction"])
    >>> clf.predict(["They condemned the ban as a violation of privacy.", "Nothing here."]
    ...             ).tolist()
    ['opposes_restriction', 'supports_restriction']
    """

    def __init__(self, cues: Mapping[str, Iterable[str]] | None = None):
        self.cues = cues

    def fit(self, X: Iterable[str], y: Iterable[str]) -> KeywordStance:
        """Learn the seen classes, ordered by training frequency (ties: schema order)."""
        classes, counts = _seen_classes(y)
        self.classes_ = np.array(classes, dtype=object)
        order = sorted(range(len(classes)), key=lambda i: (-counts[i], i))
        self.priority_ = [classes[i] for i in order]
        cues = STANCE_CUES if self.cues is None else self.cues
        self.patterns_ = {c: _cue_pattern(cues[c]) for c in self.priority_ if cues.get(c)}
        return self

    def predict(self, X: Iterable[str]) -> np.ndarray:
        """Return the stance with most cue matches for each text."""
        check_is_fitted(self, "priority_")
        out = []
        for text in X:
            text = preprocess(str(text))
            hits = [len(self.patterns_[c].findall(text)) if c in self.patterns_ else 0
                    for c in self.priority_]
            out.append(self.priority_[int(np.argmax(hits))])  # argmax: first of the ties
        return np.array(out, dtype=object)


# -- memo --------------------------------------------------------------------------------------

#: Entries kept by each in-process memo (folds, out-of-fold runs); the oldest is dropped.
_MEMO_SIZE = 8
_FOLDS: OrderedDict[Hashable, list[Fold]] = OrderedDict()
_RUNS: OrderedDict[Hashable, dict[str, np.ndarray]] = OrderedDict()


def _remember(store: OrderedDict, key: Hashable, compute: Callable[[], Any]) -> Any:
    """Return ``store[key]``, computing and storing it first if missing (bounded)."""
    if key in store:
        store.move_to_end(key)
        return store[key]
    value = store[key] = compute()
    while len(store) > _MEMO_SIZE:
        store.popitem(last=False)
    return value


# -- folds -------------------------------------------------------------------------------------


class Fold(NamedTuple):
    """One train/test split: positions (``iloc``) into the evaluated table."""

    repeat: int
    fold: int
    train: np.ndarray
    test: np.ndarray


def cv_folds(
    corpus: pd.DataFrame, n_splits: int = 5, n_repeats: int = 3, random_state: int = 0
) -> list[Fold]:
    """Return actor-grouped, stance-stratified folds, repeated with seeds ``random_state + r``.

    Parameters
    ----------
    corpus : DataFrame
        Needs ``actor``; ``stance`` (if present) stratifies the folds.
    n_splits, n_repeats, random_state : int
        Folds per repeat, repeats, and the seed of the first repeat.

    Returns
    -------
    list of Fold
        ``n_splits * n_repeats`` folds; within a repeat the test parts partition the rows.

    Raises
    ------
    AssertionError
        If an actor were on both sides of a split, or a row in both (never expected).

    Notes
    -----
    The folds are memoised in-process, keyed by a hash of the actors and strata and by the
    settings (splitting took a noticeable share of :func:`evaluate`); each call returns
    fresh arrays.

    Examples
    --------
    >>> corpus = pd.DataFrame({"actor": list("aabbccdd"), "stance": ["neutral"] * 8})
    >>> [sorted(set(corpus["actor"].iloc[f.test])) for f in cv_folds(corpus, 2, 1)]
    [['b', 'c'], ['a', 'd']]
    """
    actors = corpus["actor"].astype(str).to_numpy()
    n_actors = len(set(actors))
    if n_splits > n_actors:
        raise ValueError(f"{n_splits} folds need at least {n_splits} actors; "
                         f"the corpus has {n_actors}")
    if "stance" in corpus:
        strata = corpus["stance"].astype(object).where(corpus["stance"].notna(), "?")
        strata = strata.astype(str).to_numpy()
    else:
        strata = np.zeros(len(corpus), dtype=int)

    def split() -> list[Fold]:
        folds = []
        for repeat in range(n_repeats):
            splitter = StratifiedGroupKFold(n_splits, shuffle=True,
                                            random_state=random_state + repeat)
            for fold, (train, test) in enumerate(splitter.split(actors, strata, actors)):
                assert not set(actors[train]) & set(actors[test]), "an actor is in train and test"
                assert not set(train) & set(test), "a statement is in train and test"
                folds.append(Fold(repeat, fold, train, test))
        return folds

    key = (corpus_digest(pd.DataFrame({"actor": actors, "stratum": strata})), int(n_splits),
           int(n_repeats), int(random_state))
    return [Fold(f.repeat, f.fold, f.train.copy(), f.test.copy())
            for f in _remember(_FOLDS, key, split)]


# -- metrics -----------------------------------------------------------------------------------


def _r(x: float) -> float:
    return round(float(x), 4)


def _confusions(y: np.ndarray, pred: np.ndarray, k: int) -> np.ndarray:
    """Confusion counts for each row of ``pred`` (..., n) against ``y``: shape (..., k, k)."""
    pred = np.atleast_2d(pred)
    y = np.broadcast_to(y, pred.shape)
    lead = int(np.prod(pred.shape[:-1]))
    codes = (y * k + pred).reshape(lead, -1) + (np.arange(lead) * k * k)[:, None]
    counts = np.bincount(codes.ravel(), minlength=lead * k * k)
    return counts.reshape(*pred.shape[:-1], k, k)


def _prf(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray):
    """Precision, recall, F1 with 0 where undefined (no prediction, no support)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        recall = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), 0.0)
    return precision, recall, f1


def _macro_from_confusion(cm: np.ndarray) -> np.ndarray:
    """Macro-F1 over the classes with support, for a stack of confusion matrices."""
    tp = np.diagonal(cm, axis1=-2, axis2=-1)
    support = cm.sum(axis=-1)
    _, _, f1 = _prf(tp, cm.sum(axis=-2) - tp, support - tp)
    present = support > 0
    return (f1 * present).sum(axis=-1) / np.maximum(present.sum(axis=-1), 1)


def _stance_report(y: np.ndarray, preds: np.ndarray, labels: list[str],
                   boot: np.ndarray) -> dict[str, Any]:
    """Scores of out-of-fold predictions ``preds`` (repeats, n) of label indices."""
    k = len(labels)
    cms = _confusions(y, preds, k)  # (repeats, k, k)
    tp = np.diagonal(cms, axis1=1, axis2=2)
    precision, recall, f1 = _prf(tp, cms.sum(axis=1) - tp, cms.sum(axis=2) - tp)
    support = np.bincount(y, minlength=k)
    macro = _macro_from_confusion(cms).mean()
    # every resample of statements, for every repeat: (repeats, n_boot, k, k)
    boot_cms = _confusions(y[boot], preds[:, boot], k)
    boot_macro = _macro_from_confusion(boot_cms).mean(axis=0)
    lo, hi = np.percentile(boot_macro, [2.5, 97.5])
    return {
        "macro_f1": _r(macro),
        "macro_f1_ci": [_r(lo), _r(hi)],
        "per_class": {
            label: {"precision": _r(precision[:, i].mean()), "recall": _r(recall[:, i].mean()),
                    "f1": _r(f1[:, i].mean()), "support": int(support[i])}
            for i, label in enumerate(labels)
        },
        "confusion": {"labels": list(labels),
                      "matrix": [[_r(v) for v in row] for row in cms.mean(axis=0)]},
        "n": int(len(y)),
    }


def _frame_report(Y: np.ndarray, preds: np.ndarray) -> dict[str, Any]:
    """Scores of out-of-fold 0/1 frame predictions ``preds`` (repeats, n, frames)."""
    Y = Y.astype(bool)
    P = preds.astype(bool)
    tp = (P & Y).sum(axis=1)
    fp = (P & ~Y).sum(axis=1)
    fn = (~P & Y).sum(axis=1)
    precision, recall, f1 = _prf(tp, fp, fn)  # (repeats, frames)
    _, _, micro = _prf(tp.sum(axis=1), fp.sum(axis=1), fn.sum(axis=1))
    support = Y.sum(axis=0)
    present = support > 0
    macro = (f1 * present).sum(axis=1) / max(int(present.sum()), 1)
    return {
        "micro_f1": _r(micro.mean()),
        "macro_f1": _r(macro.mean()),
        "per_frame": {
            frame: {"precision": _r(precision[:, j].mean()), "recall": _r(recall[:, j].mean()),
                    "f1": _r(f1[:, j].mean()), "support": int(support[j])}
            for j, frame in enumerate(FRAMES)
        },
    }


# -- stance ------------------------------------------------------------------------------------


def _stance_rows(corpus: pd.DataFrame) -> pd.DataFrame:
    for column in ("text", "actor", "stance"):
        if column not in corpus:
            raise ValueError(f"the corpus has no '{column}' column")
    rows = corpus[corpus["stance"].notna()].reset_index(drop=True)
    if rows.empty:
        raise ValueError("no statement in the corpus has a stance; nothing to evaluate")
    return rows


def _stance_models(random_state: int) -> dict[str, Callable[[], Any]]:
    return {
        "model": lambda: StanceClassifier(random_state=random_state),
        "majority": MajorityStance,
        "lexicon": KeywordStance,
    }


def _stance_runs(rows: pd.DataFrame, folds: list[Fold],
                 models: Mapping[str, Callable[[], Any]]) -> dict[str, dict[str, np.ndarray]]:
    """Out-of-fold predictions of every model: label strings and (for the model) probability."""
    texts = rows["text"].astype(str).tolist()
    labels = rows["stance"].astype(str).to_numpy()
    actors = rows["actor"].astype(str).to_numpy()
    n_repeats = max(f.repeat for f in folds) + 1
    out = {name: {"pred": np.empty((n_repeats, len(rows)), dtype=object),
                  "proba": np.full((n_repeats, len(rows)), np.nan),
                  "fold": np.full((n_repeats, len(rows)), -1)}
           for name in models}
    with _one_blas_thread():
        for fold in folds:
            train_texts = [texts[i] for i in fold.train]
            test_texts = [texts[i] for i in fold.test]
            for name, make in models.items():
                model = make()
                if isinstance(model, StanceClassifier):
                    model.fit(train_texts, labels[fold.train], actors=actors[fold.train])
                    proba = model.predict_proba(test_texts)
                    out[name]["pred"][fold.repeat, fold.test] = model.classes_[proba.argmax(1)]
                    out[name]["proba"][fold.repeat, fold.test] = proba.max(axis=1)
                else:
                    model.fit(train_texts, labels[fold.train])
                    out[name]["pred"][fold.repeat, fold.test] = model.predict(test_texts)
                out[name]["fold"][fold.repeat, fold.test] = fold.fold
    return out


def _classifier_run(rows: pd.DataFrame, n_splits: int, n_repeats: int,
                    random_state: int) -> dict[str, np.ndarray]:
    """The stance classifier's out-of-fold run (``pred``, ``proba``, ``fold``), memoised.

    The key is a hash of what the run depends on (texts, actors and stances, in order), the
    CV settings and the classifier class; a hit returns copies of the stored arrays.
    """
    key = (corpus_digest(rows, ["text", "actor", "stance"]), int(n_splits),
           int(n_repeats), int(random_state), StanceClassifier)

    def run() -> dict[str, np.ndarray]:
        folds = cv_folds(rows, n_splits, n_repeats, random_state)
        return _stance_runs(rows, folds, {"model": _stance_models(random_state)["model"]})["model"]

    return {name: values.copy() for name, values in _remember(_RUNS, key, run).items()}


def out_of_fold_predictions(
    corpus: pd.DataFrame, n_splits: int = 5, n_repeats: int = 3, random_state: int = 0
) -> pd.DataFrame:
    """Return the stance classifier's out-of-fold prediction for every statement and repeat.

    Parameters
    ----------
    corpus : DataFrame
        With ``id``, ``actor``, ``text`` and ``stance``; rows without a stance are skipped.
    n_splits, n_repeats, random_state : int
        As in :func:`cv_folds`.

    Returns
    -------
    DataFrame
        One row per statement and repeat: ``id``, ``actor``, ``stance`` (the true code),
        ``predicted``, ``proba`` (calibrated probability of the predicted code), ``fold``
        and ``repeat``; ordered by repeat, then corpus order.

    Notes
    -----
    These are the predictions :func:`evaluate_stance` (and so :func:`evaluate`) scores:
    the run is memoised in-process, so after ``evaluate(corpus)`` this call with the same
    corpus and settings returns at once, without fitting again (and vice versa).

    Examples
    --------
    >>> from discourse.corpus import load_corpus
    >>> oof = out_of_fold_predictions(load_corpus(), n_repeats=1)
    >>> len(oof), oof["repeat"].unique().tolist()
    (296, [0])
    """
    rows = _stance_rows(corpus)
    run = _classifier_run(rows, n_splits, n_repeats, random_state)
    frames = []
    for repeat in range(n_repeats):
        frames.append(pd.DataFrame({
            "id": rows["id"].astype(str) if "id" in rows else rows.index.astype(str),
            "actor": rows["actor"].astype(str),
            "stance": rows["stance"].astype(str),
            "predicted": run["pred"][repeat].astype(str),
            "proba": run["proba"][repeat].round(4),
            "fold": run["fold"][repeat],
            "repeat": repeat,
        }))
    return pd.concat(frames, ignore_index=True)


def evaluate_stance(
    corpus: pd.DataFrame,
    n_splits: int = 5,
    n_repeats: int = 3,
    random_state: int = 0,
    n_boot: int = N_BOOTSTRAP,
) -> dict[str, Any]:
    """Score the stance classifier and two baselines under actor-grouped CV.

    For each model, ``macro_f1`` is the mean over repeats of the macro-F1 (unweighted mean
    of the per-class ``F1 = 2PR / (P + R)`` over the classes present) of its out-of-fold
    predictions. ``macro_f1_ci`` is a percentile bootstrap 95% interval: the statements are
    resampled with replacement ``n_boot`` times (seeded with ``random_state``; the same
    resamples for every model, so intervals are comparable) and the mean-over-repeats
    macro-F1 recomputed. Statements, not actors, are resampled: in the shipped corpus 296
    statements come from 276 actors, so the interval is at most slightly too narrow; with a
    corpus of many statements per actor, resample actors instead. ``per_class`` gives
    precision, recall and F1 (means over repeats;
    0 where undefined) and the support; ``confusion`` is the mean over repeats of the
    counts (rows true, columns predicted, labels in :data:`~discourse.schema.STANCES`
    order), so each row sums to the class support.

    The baselines, fitted in the same folds, are ``majority`` (:class:`MajorityStance`) and
    ``lexicon`` (:class:`KeywordStance`). The classifier's run is memoised and shared with
    :func:`out_of_fold_predictions`.

    Returns
    -------
    dict
        ``macro_f1``, ``macro_f1_ci``, ``per_class``, ``confusion``, ``n`` and
        ``baselines: {"majority": {...}, "lexicon": {...}}`` with the same keys.

    Examples
    --------
    >>> from discourse.corpus import load_corpus
    >>> result = evaluate_stance(load_corpus(), n_repeats=1)
    >>> result["macro_f1"] > result["baselines"]["majority"]["macro_f1"] + 0.2
    True
    """
    rows = _stance_rows(corpus)
    folds = cv_folds(rows, n_splits, n_repeats, random_state)
    baselines = {name: make for name, make in _stance_models(random_state).items()
                 if name != "model"}
    runs = {"model": _classifier_run(rows, n_splits, n_repeats, random_state),
            **_stance_runs(rows, folds, baselines)}
    labels = [s for s in STANCES if s in set(rows["stance"].astype(str))]
    index = {code: i for i, code in enumerate(labels)}
    y = np.array([index[s] for s in rows["stance"].astype(str)])
    boot = np.random.default_rng(random_state).integers(0, len(y), size=(n_boot, len(y)))
    reports = {}
    for name, run in runs.items():
        preds = np.vectorize(index.__getitem__, otypes=[int])(run["pred"])
        reports[name] = _stance_report(y, preds, labels, boot)
    result = reports["model"]
    result["baselines"] = {"majority": reports["majority"], "lexicon": reports["lexicon"]}
    return result


# -- frames ------------------------------------------------------------------------------------


def evaluate_frames(
    corpus: pd.DataFrame,
    n_splits: int = 5,
    n_repeats: int = 3,
    random_state: int = 0,
    union: bool = False,
) -> dict[str, Any]:
    """Score the frame classifier and the frame lexicon under actor-grouped CV.

    Statements with at least one frame code are evaluated (a statement with none is taken
    as not coded). Per frame: precision, recall and F1 of the out-of-fold 0/1 predictions
    (means over repeats) and the support; ``micro_f1`` pools true and false positives and
    negatives over frames, ``macro_f1`` averages the per-frame F1 over frames with support.

    Parameters
    ----------
    corpus : DataFrame
        With ``text``, ``actor`` and ``frames`` (and ``stance``, which stratifies folds).
    n_splits, n_repeats, random_state : int
        As in :func:`cv_folds`.
    union : bool, default False
        Also score the rule of :func:`~discourse.label.label_texts`: a frame is predicted
        if the classifier *or* the lexicon predicts it (key ``"union"``).

    Returns
    -------
    dict
        ``micro_f1``, ``macro_f1``, ``per_frame``, ``n`` for :class:`FrameClassifier` and
        ``baselines: {"lexicon": {"micro_f1", "macro_f1", "per_frame"}}`` for
        :class:`FrameLexicon` (and ``union`` with the same keys, if asked).

    Examples
    --------
    >>> from discourse.corpus import load_corpus
    >>> result = evaluate_frames(load_corpus(), n_repeats=1)
    >>> result["n"], list(result["per_frame"])[:2]
    (296, ['security', 'morality_religion'])
    """
    for column in ("text", "actor", "frames"):
        if column not in corpus:
            raise ValueError(f"the corpus has no '{column}' column")
    Y_all = frame_matrix(corpus["frames"]).to_numpy()
    keep = Y_all.sum(axis=1) > 0
    if not keep.any():
        raise ValueError("no statement in the corpus has a frame code; nothing to evaluate")
    rows = corpus[keep].reset_index(drop=True)
    Y = Y_all[keep]
    folds = cv_folds(rows, n_splits, n_repeats, random_state)
    texts = rows["text"].astype(str).tolist()
    actors = rows["actor"].astype(str).to_numpy()
    preds = {name: np.zeros((n_repeats, *Y.shape), dtype=int) for name in ("model", "lexicon")}
    # the lexicon is fixed (its fit learns nothing), so a statement gets the same lexicon
    # prediction in every fold: match each statement once
    lexicon = FrameLexicon().predict(texts).to_numpy()
    with _one_blas_thread():
        for fold in folds:
            train_texts = [texts[i] for i in fold.train]
            test_texts = [texts[i] for i in fold.test]
            model = FrameClassifier(random_state=random_state)
            model.fit(train_texts, Y[fold.train], actors=actors[fold.train])
            preds["model"][fold.repeat, fold.test] = model.predict(test_texts).to_numpy()
            preds["lexicon"][fold.repeat, fold.test] = lexicon[fold.test]
    result = _frame_report(Y, preds["model"])
    result["n"] = int(len(rows))
    result["baselines"] = {"lexicon": _frame_report(Y, preds["lexicon"])}
    if union:
        result["union"] = _frame_report(Y, preds["model"] | preds["lexicon"])
    return result


# -- everything --------------------------------------------------------------------------------


def evaluate(
    corpus: pd.DataFrame | None = None,
    n_splits: int = 5,
    n_repeats: int = 3,
    random_state: int = 0,
) -> dict[str, Any]:
    """Evaluate stance and frame labelling under actor-grouped CV, as one JSON-ready dict.

    Parameters
    ----------
    corpus : DataFrame, optional
        A loaded corpus (default: the shipped one).
    n_splits, n_repeats, random_state : int
        Folds per repeat, repeats, seed (see :func:`cv_folds`).

    Returns
    -------
    dict
        ``{"n", "n_actors", "cv": {"splits", "repeats", "grouped_by", "seed"},
        "stance": evaluate_stance(...), "frames": evaluate_frames(...)}``; floats rounded to
        4 decimals, only lists, dicts, str, int and float. Same corpus and seed give the same
        dict.

    Notes
    -----
    The stance classifier's out-of-fold run is memoised in-process: calling
    :func:`out_of_fold_predictions` afterwards with the same corpus, ``n_splits``,
    ``n_repeats`` and ``random_state`` returns the predictions that were scored here,
    without fitting again.

    Examples
    --------
    >>> from discourse.corpus import load_corpus
    >>> corpus = load_corpus()
    >>> small = corpus[corpus["stance"].isin(["supports_restriction", "opposes_restriction"])]
    >>> result = evaluate(small.head(60), n_splits=3, n_repeats=1)
    >>> sorted(result), result["cv"]["grouped_by"]
    (['cv', 'frames', 'n', 'n_actors', 'stance'], 'actor')
    """
    if corpus is None:
        from .corpus import load_corpus

        corpus = load_corpus()
    return {
        "n": int(len(corpus)),
        "n_actors": int(corpus["actor"].astype(str).nunique()),
        "cv": {"splits": int(n_splits), "repeats": int(n_repeats), "grouped_by": "actor",
               "seed": int(random_state)},
        "stance": evaluate_stance(corpus, n_splits, n_repeats, random_state),
        "frames": evaluate_frames(corpus, n_splits, n_repeats, random_state),
    }


# -- the report as tidy tables (for notebooks and papers) ---------------------------------------


def _stance_blocks(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    stance = report["stance"] if "stance" in report else report
    return [("classifier", stance)] + list(stance["baselines"].items())


def stance_scores_table(report: dict[str, Any]) -> pd.DataFrame:
    """Return the stance macro-F1 of the classifier and each baseline as a tidy table.

    Parameters
    ----------
    report : dict
        The result of :func:`evaluate` (or its ``"stance"`` part).

    Returns
    -------
    DataFrame
        ``model`` (``classifier``, ``majority``, ``lexicon``), ``macro_f1``, ``ci_low``,
        ``ci_high`` (95% bootstrap interval) and ``n`` (statements scored).

    Examples
    --------
    >>> block = {"macro_f1": 0.5, "macro_f1_ci": [0.4, 0.6], "n": 10}
    >>> table = stance_scores_table({"stance": {**block, "baselines": {"majority": block}}})
    >>> table["model"].tolist()
    ['classifier', 'majority']
    """
    rows = [{"model": name, "macro_f1": block["macro_f1"], "ci_low": block["macro_f1_ci"][0],
             "ci_high": block["macro_f1_ci"][1], "n": block["n"]}
            for name, block in _stance_blocks(report)]
    return pd.DataFrame(rows, columns=["model", "macro_f1", "ci_low", "ci_high", "n"])


def per_class_table(report: dict[str, Any]) -> pd.DataFrame:
    """Return per-class precision, recall, F1 and support of every stance model, tidy.

    Columns: ``model``, ``stance``, ``precision``, ``recall``, ``f1``, ``support``.

    Examples
    --------
    >>> report = {"stance": {"macro_f1": 0.5, "macro_f1_ci": [0.4, 0.6], "n": 2,
    ...           "per_class": {"neutral": {"precision": 1.0, "recall": 0.5, "f1": 0.667,
    ...                                     "support": 2}},
    ...           "confusion": {"labels": ["neutral"], "matrix": [[1.0]]}, "baselines": {}}}
    >>> per_class_table(report)[["model", "stance", "f1"]].values.tolist()
    [['classifier', 'neutral', 0.667]]
    """
    rows = [{"model": name, "stance": code, **scores}
            for name, block in _stance_blocks(report)
            for code, scores in block["per_class"].items()]
    return pd.DataFrame(rows, columns=["model", "stance", "precision", "recall", "f1",
                                       "support"])


def confusion_table(report: dict[str, Any], model: str = "classifier") -> pd.DataFrame:
    """Return one model's stance confusion matrix (mean over repeats) as a wide table.

    Rows are the true codes (column ``true``), columns the predicted codes.

    Examples
    --------
    >>> report = {"stance": {"macro_f1": 0.5, "macro_f1_ci": [0.4, 0.6], "n": 2,
    ...           "per_class": {"neutral": {"precision": 1.0, "recall": 0.5, "f1": 0.667,
    ...                                     "support": 2}},
    ...           "confusion": {"labels": ["neutral"], "matrix": [[1.0]]}, "baselines": {}}}
    >>> confusion_table(report).columns.tolist()
    ['true', 'neutral']
    """
    block = dict(_stance_blocks(report))[model]["confusion"]
    table = pd.DataFrame(block["matrix"], columns=block["labels"])
    table.insert(0, "true", block["labels"])
    return table


def _frame_blocks(report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    frames = report["frames"] if "frames" in report else report
    return [("classifier", frames)] + list(frames["baselines"].items())


def frame_scores_table(report: dict[str, Any]) -> pd.DataFrame:
    """Return per-frame precision, recall, F1 and support of both frame labellers, tidy.

    Columns: ``labeller`` (``classifier``, ``lexicon``), ``frame``, ``precision``,
    ``recall``, ``f1``, ``support``.

    Examples
    --------
    >>> block = {"micro_f1": 0.7, "macro_f1": 0.6, "per_frame": {"economy": {
    ...     "precision": 0.8, "recall": 0.6, "f1": 0.686, "support": 5}}}
    >>> report = {"frames": {**block, "baselines": {"lexicon": block}}}
    >>> frame_scores_table(report)["labeller"].tolist()
    ['classifier', 'lexicon']
    """
    rows = [{"labeller": name, "frame": code, **scores}
            for name, block in _frame_blocks(report)
            for code, scores in block["per_frame"].items()]
    return pd.DataFrame(rows, columns=["labeller", "frame", "precision", "recall", "f1",
                                       "support"])


def frame_summary_table(report: dict[str, Any]) -> pd.DataFrame:
    """Return the micro- and macro-F1 of both frame labellers: ``labeller``, ``micro_f1``,
    ``macro_f1``.

    Examples
    --------
    >>> block = {"micro_f1": 0.7, "macro_f1": 0.6, "per_frame": {"economy": {
    ...     "precision": 0.8, "recall": 0.6, "f1": 0.686, "support": 5}}}
    >>> report = {"frames": {**block, "baselines": {"lexicon": block}}}
    >>> frame_summary_table(report).values.tolist()
    [['classifier', 0.7, 0.6], ['lexicon', 0.7, 0.6]]
    """
    rows = [{"labeller": name, "micro_f1": block["micro_f1"], "macro_f1": block["macro_f1"]}
            for name, block in _frame_blocks(report)]
    return pd.DataFrame(rows, columns=["labeller", "micro_f1", "macro_f1"])
