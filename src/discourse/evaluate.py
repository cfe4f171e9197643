"""Honest scores for the labellers: grouped cross-validation, baselines, bootstrap intervals.

This is the only module that computes scores. Every figure comes from out-of-fold
predictions: the corpus is split with :class:`~sklearn.model_selection.StratifiedGroupKFold`
grouped by organisation (the ``org_id`` column; by ``actor`` for a corpus without one) and
stratified by stance, so that no organisation has statements on both sides of a split, and
the split is repeated with a different shuffle seed per repeat. Each model, the trained
labellers and the baselines alike, is fitted on the training part of a fold and predicts
only its test part, and the other-genre texts (``corpus/external/other_genres.csv``,
:func:`load_external`) of the statements in that test part: a test of transfer to other
genres of writing that no model is ever trained on. Scores are computed with
:mod:`sklearn.metrics`, with bootstrap intervals over statements; :func:`evaluate` returns
the predictions beside the report, so nothing is kept between calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from os import PathLike
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.dummy import DummyClassifier
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.utils.validation import check_is_fitted

from .features import SentenceEncoder, encoder_available, preprocess
from .frames import FrameClassifier, FrameLexicon, frame_matrix
from .paths import shipped_external_file
from .schema import FRAMES, STANCES
from .stance import FEATURES as STANCE_FEATURES
from .stance import StanceClassifier

__all__ = [
    "STANCE_CUES",
    "N_BOOTSTRAP",
    "Fold",
    "Evaluation",
    "CVModel",
    "KeywordStance",
    "group_column",
    "cv_folds",
    "stance_models",
    "out_of_fold_predictions",
    "evaluate_stance",
    "evaluate_frames",
    "evaluate",
    "stance_scores_table",
    "per_class_table",
    "confusion_table",
    "frame_scores_table",
    "frame_summary_table",
    "COVERAGE_LEVELS",
    "TARGETS",
    "load_external",
    "targets_table",
    "coverage_table",
    "transfer_table",
    "frames_per_statement",
    "DEFAULT_FEATURES",
    "choose_features",
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


# -- folds -------------------------------------------------------------------------------------


class Fold(NamedTuple):
    """One train/test split: positions (``iloc``) into the evaluated table."""

    repeat: int
    fold: int
    train: np.ndarray
    test: np.ndarray


def group_column(corpus: pd.DataFrame) -> str:
    """Return the column that groups the folds: ``"org_id"`` if the corpus has it, else
    ``"actor"``.

    Examples
    --------
    >>> group_column(pd.DataFrame({"actor": ["a"], "org_id": ["x"]}))
    'org_id'
    >>> group_column(pd.DataFrame({"actor": ["a"]}))
    'actor'
    """
    return "org_id" if "org_id" in corpus.columns else "actor"


def _groups(corpus: pd.DataFrame) -> np.ndarray:
    """The group of every row: its ``org_id``, or (no ``org_id``, or a blank one) its actor."""
    actors = "actor:" + corpus["actor"].astype(str)
    if group_column(corpus) == "actor":
        return actors.to_numpy()
    org = corpus["org_id"].astype(object)
    blank = org.isna() | (org.astype(str).str.strip() == "")
    return ("org:" + org.astype(str)).where(~blank, actors).to_numpy()


def _repeat_seeds(random_state: int, n_repeats: int) -> list[int]:
    """One shuffle seed per repeat, derived from ``random_state`` by
    :class:`numpy.random.SeedSequence` (so seed 0's second repeat is not seed 1's first)."""
    return [int(s) for s in np.random.SeedSequence(random_state).generate_state(n_repeats)]


def cv_folds(
    corpus: pd.DataFrame, n_splits: int = 5, n_repeats: int = 3, random_state: int = 0
) -> list[Fold]:
    """Return organisation-grouped, stance-stratified folds, repeated with different shuffles.

    Parameters
    ----------
    corpus : DataFrame
        Needs ``actor``; ``org_id`` (if present) groups the folds (see
        :func:`group_column`; a row with a blank ``org_id`` is grouped by its actor);
        ``stance`` (if present) stratifies them.
    n_splits, n_repeats : int
        Folds per repeat and repeats.
    random_state : int
        Seed from which each repeat's shuffle seed is derived
        (:class:`numpy.random.SeedSequence`).

    Returns
    -------
    list of Fold
        ``n_splits * n_repeats`` folds; within a repeat the test parts partition the rows.

    Raises
    ------
    ValueError
        If there are fewer groups than folds.
    AssertionError
        If an organisation (or actor) were on both sides of a split (never expected).

    Examples
    --------
    >>> corpus = pd.DataFrame({"actor": list("aabbccdd"), "stance": ["neutral"] * 8})
    >>> folds = cv_folds(corpus, 2, 1)
    >>> [len(set(corpus["actor"].iloc[f.test])) for f in folds]
    [2, 2]
    """
    groups = _groups(corpus)
    n_groups = len(set(groups))
    unit = "organisations" if group_column(corpus) == "org_id" else "actors"
    if n_splits > n_groups:
        raise ValueError(f"{n_splits} folds need at least {n_splits} {unit}; "
                         f"the corpus has {n_groups}")
    if "stance" in corpus:
        strata = corpus["stance"].astype(object).where(corpus["stance"].notna(), "?")
        strata = strata.astype(str).to_numpy()
    else:
        strata = np.zeros(len(corpus), dtype=int)
    folds = []
    for repeat, seed in enumerate(_repeat_seeds(random_state, n_repeats)):
        splitter = StratifiedGroupKFold(n_splits, shuffle=True, random_state=seed)
        for fold, (train, test) in enumerate(splitter.split(groups, strata, groups)):
            shared = set(groups[train]) & set(groups[test])
            if shared:
                raise AssertionError(f"{unit} in both train and test: {sorted(shared)[:3]}")
            folds.append(Fold(repeat, fold, train, test))
    return folds


# -- running models in the folds ---------------------------------------------------------------


class CVModel(NamedTuple):
    """A model to cross-validate: an unfitted estimator and whether its ``fit`` takes
    ``actors=`` (the trained labellers drop actor-name words; the baselines take only texts
    and labels). Each fold fits a :func:`~sklearn.base.clone` of ``estimator``."""

    estimator: Any
    fit_actors: bool


def stance_models(random_state: int = 0, features: str = "tfidf",
                  encoder: SentenceEncoder | None = None) -> dict[str, CVModel]:
    """Return the stance models :func:`evaluate_stance` scores, by name.

    ``classifier`` (:class:`~discourse.stance.StanceClassifier` with ``features`` and
    ``encoder``), ``majority`` (:class:`~sklearn.dummy.DummyClassifier` with
    ``strategy="most_frequent"``; ties go to the alphabetically first code) and ``lexicon``
    (:class:`KeywordStance`).

    Examples
    --------
    >>> list(stance_models())
    ['classifier', 'majority', 'lexicon']
    """
    return {
        "classifier": CVModel(StanceClassifier(random_state=random_state, features=features,
                                               encoder=encoder), True),
        "majority": CVModel(DummyClassifier(strategy="most_frequent"), False),
        "lexicon": CVModel(KeywordStance(), False),
    }


def _frame_models(random_state: int, features: str = "tfidf",
                  encoder: SentenceEncoder | None = None) -> dict[str, CVModel]:
    return {"classifier": CVModel(FrameClassifier(random_state=random_state, features=features,
                                                  encoder=encoder), True),
            "lexicon": CVModel(FrameLexicon(), False)}


class _Run(NamedTuple):
    """What one model did in one fold: its predictions of the held-out statements and of
    their other-genre texts (positions ``ext_index`` into the external rows)."""

    fold: Fold
    pred: np.ndarray
    proba: np.ndarray | None
    classes: Any
    ext_index: np.ndarray
    ext_pred: np.ndarray | None
    ext_proba: np.ndarray | None
    model: Any

    @property
    def review_threshold(self) -> float:
        return float(getattr(self.model, "review_threshold_", 0.0))


def _cross_predict(models: Mapping[str, CVModel], texts: list[str], y, actors: np.ndarray,
                   folds: list[Fold], ext_texts: list[str] | None = None,
                   ext_rows: np.ndarray | None = None) -> dict[str, list[_Run]]:
    """Fit a clone of every model on each fold's training part and predict its test part,
    and the other-genre texts (``ext_texts``, of corpus rows ``ext_rows``) of the test part.
    """
    ext_texts = [] if ext_texts is None else ext_texts
    ext_rows = np.zeros(0, dtype=int) if ext_rows is None else np.asarray(ext_rows)
    out: dict[str, list[_Run]] = {name: [] for name in models}
    for fold in folds:
        train = [texts[i] for i in fold.train]
        test = [texts[i] for i in fold.test]
        y_train = y[fold.train]
        ext_index = np.flatnonzero(np.isin(ext_rows, fold.test))
        ext = [ext_texts[i] for i in ext_index]
        for name, spec in models.items():
            model = clone(spec.estimator)
            if spec.fit_actors:
                model.fit(train, y_train, actors=actors[fold.train])
            else:
                model.fit(train, y_train)
            has_proba = hasattr(model, "predict_proba")
            proba = np.asarray(model.predict_proba(test)) if has_proba else None
            ext_pred = ext_proba = None
            if ext:
                ext_pred = np.asarray(model.predict(ext))
                ext_proba = np.asarray(model.predict_proba(ext)) if has_proba else None
            out[name].append(_Run(fold, np.asarray(model.predict(test)), proba,
                                  getattr(model, "classes_", None), ext_index, ext_pred,
                                  ext_proba, model))
    return out


# -- the external (other-genre) test texts ------------------------------------------------------


def load_external(path: str | PathLike[str] | None = None) -> pd.DataFrame:
    """Read the other-genre test texts: ``id``, ``genre``, ``text`` (one row per statement).

    Parameters
    ----------
    path : path-like, optional
        A CSV with those columns (default: the shipped ``corpus/external/other_genres.csv``,
        :func:`~discourse.paths.shipped_external_file`).

    Raises
    ------
    ValueError
        If a column is missing, an id repeats, or a text is empty (with the line).

    Examples
    --------
    >>> external = load_external()
    >>> external.columns.tolist(), len(external) > 100
    (['id', 'genre', 'text'], True)
    """
    path = shipped_external_file() if path is None else Path(path)
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ("id", "genre", "text") if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; the other-genre file needs "
                         "id, genre, text")
    for i, row in enumerate(table.itertuples(index=False), start=2):
        if not str(row.text).strip():
            raise ValueError(f"{path}, line {i}, field text: empty text for id {row.id!r}")
    repeated = table["id"][table["id"].duplicated()].tolist()
    if repeated:
        raise ValueError(f"{path}: id(s) {repeated[:3]} appear more than once; give one "
                         "other-genre text per statement")
    return table[["id", "genre", "text"]].reset_index(drop=True)


def _external_rows(external: pd.DataFrame | str | PathLike[str] | bool | None,
                   rows: pd.DataFrame) -> pd.DataFrame:
    """The external texts of the evaluated statements, with ``row`` (position in ``rows``)."""
    empty = pd.DataFrame({"id": [], "genre": [], "text": [], "row": []})
    if external is False or "id" not in rows:
        return empty
    if external is None or external is True:
        table = load_external()
    elif isinstance(external, pd.DataFrame):
        table = external
    else:
        table = load_external(external)
    position = {str(i): k for k, i in enumerate(rows["id"].astype(str))}
    keep = table["id"].astype(str).map(position)
    table = table[keep.notna()].assign(row=keep[keep.notna()].astype(int))
    return table[["id", "genre", "text", "row"]].reset_index(drop=True)


# -- scores ------------------------------------------------------------------------------------

#: Shares of the most confident predictions at which accuracy is reported.
COVERAGE_LEVELS = (0.5, 0.7, 0.9)


def _r(x: float) -> float:
    return round(float(x), 4)


def _bootstrap_macro_f1(y: np.ndarray, preds: np.ndarray, k: int,
                        boot: np.ndarray) -> np.ndarray:
    """Mean-over-repeats macro-F1 of every bootstrap resample (rows of ``boot``).

    ``y`` (n) and ``preds`` (repeats, n) are label indices ``0..k-1``. A thousand resamples
    times the repeats would take seconds through :func:`~sklearn.metrics.f1_score`, so the
    confusion counts of all resamples are taken at once with :func:`numpy.bincount` and
    ``F1 = 2 TP / (2 TP + FP + FN)`` averaged over the classes present in the resample
    (0 where a class is never predicted), as ``f1_score(average="macro",
    zero_division=0)`` over those classes does (tests/test_evaluate.py checks they agree).
    Counts are integers, so the result does not depend on the BLAS kernel.
    """
    n_boot = len(boot)
    y_b = y[boot]  # (n_boot, n)
    macro = np.zeros(n_boot)
    for pred in preds:
        codes = (y_b * k + pred[boot]) + (np.arange(n_boot) * k * k)[:, None]
        cm = np.bincount(codes.ravel(), minlength=n_boot * k * k).reshape(n_boot, k, k)
        tp = np.diagonal(cm, axis1=1, axis2=2)
        support, predicted = cm.sum(axis=2), cm.sum(axis=1)
        denominator = support + predicted
        f1 = np.divide(2 * tp, denominator, out=np.zeros(tp.shape), where=denominator > 0)
        present = support > 0
        macro += (f1 * present).sum(axis=1) / present.sum(axis=1)
    return macro / len(preds)


def _bootstrap_micro_f1(Y: np.ndarray, preds: np.ndarray, boot: np.ndarray) -> np.ndarray:
    """Mean-over-repeats micro-F1 of 0/1 frame predictions ``preds`` (repeats, n, frames)
    for every resample of statements (rows of ``boot``): ``2 TP / (2 TP + FP + FN)`` with
    the counts summed over the resampled statements and all frames (integer sums)."""
    Y = Y.astype(bool)
    micro = np.zeros(len(boot))
    for P in preds.astype(bool):
        tp = (P & Y).sum(axis=1)[boot].sum(axis=1)
        wrong = (P ^ Y).sum(axis=1)[boot].sum(axis=1)
        denominator = 2 * tp + wrong
        micro += np.divide(2 * tp, denominator, out=np.zeros(len(boot)),
                           where=denominator > 0)
    return micro / len(preds)


def _interval(values: np.ndarray) -> list[float]:
    lo, hi = np.percentile(values, [2.5, 97.5])
    return [_r(lo), _r(hi)]


def _stance_report(gold: np.ndarray, preds: np.ndarray, labels: list[str],
                   boot: np.ndarray) -> dict[str, Any]:
    """Scores of out-of-fold predictions ``preds`` (repeats, n) of stance codes."""
    per_repeat = [precision_recall_fscore_support(gold, p, labels=labels, zero_division=0)
                  for p in preds]
    precision, recall, f1 = (np.mean([r[i] for r in per_repeat], axis=0) for i in range(3))
    support = per_repeat[0][3]
    macro = np.mean([f1_score(gold, p, labels=labels, average="macro", zero_division=0)
                     for p in preds])
    confusion = np.mean([confusion_matrix(gold, p, labels=labels) for p in preds], axis=0)
    index = {code: i for i, code in enumerate(labels)}
    y = np.array([index[g] for g in gold])
    codes = np.vectorize(lambda c: index.get(c, len(labels)), otypes=[int])(preds)
    return {
        "macro_f1": _r(macro),
        "macro_f1_ci": _interval(_bootstrap_macro_f1(y, codes, len(labels) + 1, boot)),
        "per_class": {
            label: {"precision": _r(precision[i]), "recall": _r(recall[i]),
                    "f1": _r(f1[i]), "support": int(support[i])}
            for i, label in enumerate(labels)
        },
        "confusion": {"labels": list(labels),
                      "matrix": [[_r(v) for v in row] for row in confusion]},
        "n": int(len(gold)),
    }


def _coverage(gold: np.ndarray, preds: np.ndarray, probas: np.ndarray,
              levels: Iterable[float] = COVERAGE_LEVELS) -> list[dict[str, Any]]:
    """Accuracy of the most confident share of the predictions, mean over repeats.

    For coverage *c* the ``ceil(c n)`` predictions of highest probability are kept (ties:
    earlier statement first) and their accuracy taken; ``min_confidence`` is the lowest
    probability kept (mean over repeats).
    """
    out = []
    n = len(gold)
    for level in levels:
        k = max(1, int(np.ceil(level * n - 1e-9)))
        accuracy, lowest = [], []
        for pred, proba in zip(preds, probas, strict=True):
            order = np.lexsort((np.arange(n), -proba))[:k]
            accuracy.append(np.mean(pred[order] == gold[order]))
            lowest.append(proba[order].min())
        out.append({"coverage": _r(level), "n": k, "accuracy": _r(np.mean(accuracy)),
                    "min_confidence": _r(np.mean(lowest))})
    return out


def _review(gold: np.ndarray, preds: np.ndarray, review: np.ndarray,
            thresholds: list[float]) -> dict[str, Any]:
    """How the classifier's own review threshold (chosen inside each training fold) splits
    the predictions: share reviewed and accuracy of each side (means over repeats)."""
    correct = preds == gold
    kept = ~review
    def share(mask_ok, mask):
        total = mask.sum()
        return _r(mask_ok.sum() / total) if total else None
    acc_kept = share(correct & kept, kept)
    acc_reviewed = share(correct & review, review)
    block = {"threshold_median": _r(np.median(thresholds)),
             "reviewed": _r(review.mean()),
             "accuracy_kept": acc_kept, "accuracy_reviewed": acc_reviewed}
    return {k: v for k, v in block.items() if v is not None}


def _frame_report(Y: np.ndarray, preds: np.ndarray, boot: np.ndarray) -> dict[str, Any]:
    """Scores of out-of-fold 0/1 frame predictions ``preds`` (repeats, n, frames)."""
    per_repeat = [precision_recall_fscore_support(Y, P, zero_division=0) for P in preds]
    precision, recall, f1 = (np.mean([r[i] for r in per_repeat], axis=0) for i in range(3))
    support = per_repeat[0][3]
    present = np.flatnonzero(support > 0).tolist()
    micro = np.mean([f1_score(Y, P, average="micro", zero_division=0) for P in preds])
    macro = np.mean([f1_score(Y, P, labels=present, average="macro", zero_division=0)
                     for P in preds])
    return {
        "micro_f1": _r(micro),
        "micro_f1_ci": _interval(_bootstrap_micro_f1(Y, preds, boot)),
        "macro_f1": _r(macro),
        "per_frame": {
            frame: {"precision": _r(precision[j]), "recall": _r(recall[j]),
                    "f1": _r(f1[j]), "support": int(support[j])}
            for j, frame in enumerate(FRAMES)
        },
        "per_statement": {"predicted": _r(preds.sum(axis=2).mean()),
                          "coded": _r(Y.sum(axis=1).mean())},
    }


# -- stance ------------------------------------------------------------------------------------

#: Columns of the stance prediction table.
_STANCE_COLUMNS = ["id", "actor", "cv_group", "repeat", "fold", "model", "test_set", "gold",
                   "pred", "proba", "review"]
#: Columns of the frame prediction table.
_FRAME_COLUMNS = ["id", "actor", "cv_group", "repeat", "fold", "model", "test_set", "frame",
                  "gold", "pred", "proba", "threshold"]


def _ids(rows: pd.DataFrame) -> np.ndarray:
    return (rows["id"].astype(str) if "id" in rows else pd.Series(rows.index).astype(str)
            ).to_numpy()


def _stance_rows(corpus: pd.DataFrame) -> pd.DataFrame:
    for column in ("text", "actor", "stance"):
        if column not in corpus:
            raise ValueError(f"the corpus has no '{column}' column")
    rows = corpus[corpus["stance"].notna()].reset_index(drop=True)
    if rows.empty:
        raise ValueError("no statement in the corpus has a stance; nothing to evaluate")
    return rows


def _top_proba(proba: np.ndarray | None, pred: np.ndarray, classes) -> np.ndarray:
    if proba is None:
        return np.full(len(pred), np.nan)
    column = {c: j for j, c in enumerate(classes)}
    return proba[np.arange(len(pred)), [column[p] for p in pred]]


def _stance_table(rows: pd.DataFrame, models: Mapping[str, CVModel], n_splits: int,
                  n_repeats: int, random_state: int,
                  ext: pd.DataFrame | None = None) -> pd.DataFrame:
    """Out-of-fold stance predictions of every model, as a tidy table."""
    folds = cv_folds(rows, n_splits, n_repeats, random_state)
    texts = rows["text"].astype(str).tolist()
    gold = rows["stance"].astype(str).to_numpy()
    actors = rows["actor"].astype(str).to_numpy()
    groups = _groups(rows)
    ids = _ids(rows)
    ext_texts = [] if ext is None else ext["text"].astype(str).tolist()
    ext_rows = np.zeros(0, dtype=int) if ext is None else ext["row"].to_numpy()
    parts = []
    runs_by_model = _cross_predict(models, texts, gold, actors, folds, ext_texts, ext_rows)
    for name, runs in runs_by_model.items():
        for run in runs:
            sides = [("cv", run.fold.test, np.arange(len(run.fold.test)), run.pred, run.proba)]
            if run.ext_pred is not None:
                sides.append(("external", ext_rows[run.ext_index], run.ext_index,
                              run.ext_pred, run.ext_proba))
            for test_set, where, position, pred, proba in sides:
                top = _top_proba(proba, pred, run.classes)
                review = (top < run.review_threshold) if proba is not None else np.zeros(
                    len(pred), dtype=bool)
                parts.append(pd.DataFrame({
                    "position": position if test_set == "external" else where,
                    "id": ids[where], "actor": actors[where], "cv_group": groups[where],
                    "repeat": run.fold.repeat, "fold": run.fold.fold, "model": name,
                    "test_set": test_set, "gold": gold[where], "pred": pred.astype(str),
                    "proba": np.round(top.astype(float), 4), "review": review.astype(bool),
                }))
    order = {name: i for i, name in enumerate(models)}
    sets = {"cv": 0, "external": 1}
    table = pd.concat(parts, ignore_index=True)
    table = table.sort_values(
        ["test_set", "model", "repeat", "position"], kind="stable",
        key=lambda c: c.map(order) if c.name == "model" else (
            c.map(sets) if c.name == "test_set" else c))
    table.attrs["review_thresholds"] = [run.review_threshold
                                        for run in runs_by_model.get("classifier", [])]
    return table[_STANCE_COLUMNS].reset_index(drop=True)


def _stance_block(block: pd.DataFrame, gold: np.ndarray, labels: list[str], n_repeats: int,
                  boot: np.ndarray, thresholds: list[float]) -> dict[str, Any]:
    reports = {}
    for name, part in block.groupby("model", sort=False):
        preds = part["pred"].to_numpy().reshape(n_repeats, len(gold))
        reports[name] = _stance_report(gold, preds, labels, boot)
        if name == "classifier":
            probas = part["proba"].to_numpy(dtype=float).reshape(n_repeats, len(gold))
            reports[name]["coverage"] = _coverage(gold, preds, probas)
            review = part["review"].to_numpy(dtype=bool).reshape(n_repeats, len(gold))
            reports[name]["review"] = _review(np.tile(gold, (n_repeats, 1)), preds, review,
                                              thresholds)
    result = reports.pop("classifier")
    result["baselines"] = reports
    return result


def _stance_scores(rows: pd.DataFrame, table: pd.DataFrame, n_repeats: int, random_state: int,
                   n_boot: int) -> dict[str, Any]:
    gold = rows["stance"].astype(str).to_numpy()
    labels = [s for s in STANCES if s in set(gold)]
    rng = np.random.default_rng(random_state)
    boot = rng.integers(0, len(gold), size=(n_boot, len(gold)))
    thresholds = table.attrs.get("review_thresholds", [0.0])
    cv = table[table["test_set"] == "cv"]
    result = _stance_block(cv, gold, labels, n_repeats, boot, thresholds)
    baselines = result.pop("baselines")
    result["n_orgs"] = int(len(set(_groups(rows))))
    result["baselines"] = baselines
    external = table[table["test_set"] == "external"]
    if not external.empty:
        first = external[(external["model"] == "classifier") & (external["repeat"] == 0)]
        ext_gold = first["gold"].to_numpy()
        ext_labels = [s for s in STANCES if s in set(ext_gold)]
        ext_boot = rng.integers(0, len(ext_gold), size=(n_boot, len(ext_gold)))
        result["external"] = _stance_block(external, ext_gold, ext_labels, n_repeats,
                                           ext_boot, thresholds)
        result["gap"] = {"macro_f1": _r(result["external"]["macro_f1"] - result["macro_f1"])}
    return result


def _encoder_for(features: str, texts: Iterable[str]) -> SentenceEncoder | None:
    """One encoder for every fold: each distinct text is encoded once (a table kept in the
    caller's scope, never between calls)."""
    if features == "tfidf":
        return None
    if features != "tfidf+encoder":
        raise ValueError(f"features must be 'tfidf' or 'tfidf+encoder', got {features!r}")
    if not encoder_available():
        raise ValueError("features 'tfidf+encoder' needs the encoder extra: "
                         "pip install -e \".[encoder]\" (or use features 'tfidf')")
    return SentenceEncoder(table=SentenceEncoder.precompute(texts))


def _run_stance(corpus: pd.DataFrame, n_splits: int, n_repeats: int, random_state: int,
                n_boot: int, external=None, features: str = "tfidf",
                encoder: SentenceEncoder | None = None) -> tuple[dict[str, Any], pd.DataFrame]:
    rows = _stance_rows(corpus)
    ext = _external_rows(external, rows)
    if encoder is None:
        encoder = _encoder_for(features, [*rows["text"].astype(str), *ext["text"]])
    table = _stance_table(rows, stance_models(random_state, features, encoder), n_splits,
                          n_repeats, random_state, ext)
    return _stance_scores(rows, table, n_repeats, random_state, n_boot), table


def out_of_fold_predictions(
    corpus: pd.DataFrame, n_splits: int = 5, n_repeats: int = 3, random_state: int = 0
) -> pd.DataFrame:
    """Return the stance classifier's out-of-fold prediction for every statement and repeat.

    A shortcut that cross-validates the classifier alone, in the folds :func:`evaluate`
    uses; ``evaluate(...).stance`` holds the same predictions (``model == "classifier"``,
    ``test_set == "cv"``) beside the baselines', so after :func:`evaluate` there is no need
    to call this.

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

    Examples
    --------
    >>> from discourse.corpus import load_corpus
    >>> corpus = load_corpus()
    >>> oof = out_of_fold_predictions(corpus, n_repeats=1)
    >>> len(oof) == int(corpus["stance"].notna().sum()), oof["repeat"].unique().tolist()
    (True, [0])
    """
    rows = _stance_rows(corpus)
    models = {"classifier": stance_models(random_state)["classifier"]}
    table = _stance_table(rows, models, n_splits, n_repeats, random_state)
    table = table.rename(columns={"gold": "stance", "pred": "predicted"})
    return table[["id", "actor", "stance", "predicted", "proba", "fold", "repeat"]]


def evaluate_stance(
    corpus: pd.DataFrame,
    n_splits: int = 5,
    n_repeats: int = 3,
    random_state: int = 0,
    n_boot: int = N_BOOTSTRAP,
    *,
    external: pd.DataFrame | str | PathLike[str] | bool | None = None,
    features: str = "tfidf",
) -> dict[str, Any]:
    """Score the stance classifier and two baselines under organisation-grouped CV, and on
    the other-genre texts of the held-out statements.

    For each model, ``macro_f1`` is the mean over repeats of the macro-F1 (unweighted mean
    of the per-class ``F1 = 2PR / (P + R)`` over the classes present,
    :func:`sklearn.metrics.f1_score`) of its out-of-fold predictions. ``macro_f1_ci`` is a
    percentile bootstrap 95% interval: the statements are resampled with replacement
    ``n_boot`` times (seeded with ``random_state``; the same resamples for every model, so
    intervals are comparable) and the mean-over-repeats macro-F1 recomputed. Statements,
    not organisations, are resampled: in the shipped corpus 296 statements come from 178
    organisations, so the interval is somewhat too narrow; with a corpus of many
    statements per organisation, resample organisations instead. ``per_class`` gives
    precision, recall and F1 (:func:`sklearn.metrics.precision_recall_fscore_support`,
    means over repeats; 0 where undefined) and the support; ``confusion`` is the mean over
    repeats of :func:`sklearn.metrics.confusion_matrix` (rows true, columns predicted,
    labels in :data:`~discourse.schema.STANCES` order), so each row sums to the class
    support. ``n_orgs`` counts the organisations (the fold groups, see
    :func:`group_column`) with a stance-coded statement.

    ``coverage`` gives, for each share *c* of :data:`COVERAGE_LEVELS`, the accuracy of the
    classifier's ``ceil(c n)`` most confident out-of-fold predictions (mean over repeats;
    the accuracy a user gets who reviews the rest by hand). ``review`` shows how the
    classifier's own threshold (``StanceClassifier.review_threshold_``, chosen inside each
    training fold, never on its test part) splits the predictions: ``reviewed`` (share
    below it), ``accuracy_kept`` and ``accuracy_reviewed``, ``threshold_median`` over the
    folds.

    ``external`` scores transfer to other genres: in each fold, the models trained on the
    training organisations label the other-genre texts (:func:`load_external`) of the
    held-out statements, scored against those statements' codes; no model is trained on an
    other-genre text, nor scored on a statement it saw in either genre. Its bootstrap
    resamples the external statements. ``gap`` is external minus CV macro-F1.

    The baselines, fitted in the same folds, are ``majority`` and ``lexicon``
    (:func:`stance_models`).

    Parameters
    ----------
    corpus : DataFrame
        With ``text``, ``actor``, ``stance`` (and ``id``, ``org_id``).
    n_splits, n_repeats, random_state : int
        As in :func:`cv_folds`.
    n_boot : int
        Bootstrap resamples.
    external : DataFrame, path, bool or None
        The other-genre texts (``id``, ``genre``, ``text``); None or True: the shipped
        file; False: none. Only texts whose ``id`` is an evaluated statement are used.
    features : {"tfidf", "tfidf+encoder"}
        The classifier's features; with the encoder, each distinct text is encoded once.

    Returns
    -------
    dict
        ``macro_f1``, ``macro_f1_ci``, ``per_class``, ``confusion``, ``n``, ``coverage``,
        ``review``, ``n_orgs``, ``baselines: {"majority": {...}, "lexicon": {...}}`` (the
        first five keys), and, when some evaluated statement has an other-genre text,
        ``external`` (the same keys but ``n_orgs``) and ``gap``.

    Examples
    --------
    >>> from discourse.corpus import load_corpus
    >>> result = evaluate_stance(load_corpus(), n_repeats=1)
    >>> result["macro_f1"] > result["baselines"]["majority"]["macro_f1"] + 0.2
    True
    >>> result["external"]["n"], [c["coverage"] for c in result["coverage"]]
    (126, [0.5, 0.7, 0.9])
    """
    return _run_stance(corpus, n_splits, n_repeats, random_state, n_boot, external,
                       features)[0]


# -- frames ------------------------------------------------------------------------------------


def _frame_scores(Y: np.ndarray, preds: dict[str, np.ndarray], boot: np.ndarray,
                  thresholds: np.ndarray | None, union: bool) -> dict[str, Any]:
    result = _frame_report(Y, preds["classifier"], boot)
    if thresholds is not None:
        result["thresholds"] = {f: _r(v) for f, v in zip(FRAMES, thresholds, strict=True)}
    result["baselines"] = {"lexicon": _frame_report(Y, preds["lexicon"], boot)}
    if union:
        result["union"] = _frame_report(Y, preds["union"], boot)
    return result


def _run_frames(corpus: pd.DataFrame, n_splits: int, n_repeats: int, random_state: int,
                union: bool, n_boot: int = N_BOOTSTRAP, external=None,
                features: str = "tfidf", encoder: SentenceEncoder | None = None,
                ) -> tuple[dict[str, Any], pd.DataFrame]:
    for column in ("text", "actor", "frames"):
        if column not in corpus:
            raise ValueError(f"the corpus has no '{column}' column")
    Y_all = frame_matrix(corpus["frames"]).to_numpy()
    keep = Y_all.sum(axis=1) > 0
    if not keep.any():
        raise ValueError("no statement in the corpus has a frame code; nothing to evaluate")
    rows = corpus[keep].reset_index(drop=True)
    Y = Y_all[keep]
    ext = _external_rows(external, rows)
    if encoder is None:
        encoder = _encoder_for(features, [*rows["text"].astype(str), *ext["text"]])
    folds = cv_folds(rows, n_splits, n_repeats, random_state)
    texts = rows["text"].astype(str).tolist()
    actors = rows["actor"].astype(str).to_numpy()
    models = _frame_models(random_state, features, encoder)
    ext_rows = ext["row"].to_numpy()
    n, k = Y.shape
    m = len(ext)
    preds = {name: np.zeros((n_repeats, n, k), dtype=int) for name in models}
    probas = {name: np.full((n_repeats, n, k), np.nan) for name in models}
    ext_preds = {name: np.zeros((n_repeats, m, k), dtype=int) for name in models}
    ext_probas = {name: np.full((n_repeats, m, k), np.nan) for name in models}
    cut = np.full((n_repeats, n, k), np.nan)
    ext_cut = np.full((n_repeats, m, k), np.nan)
    fold_thresholds = []
    runs = _cross_predict(models, texts, Y, actors, folds, ext["text"].tolist(), ext_rows)
    for name, model_runs in runs.items():
        for run in model_runs:
            r = run.fold.repeat
            preds[name][r, run.fold.test] = run.pred
            if run.proba is not None:
                probas[name][r, run.fold.test] = run.proba
            if run.ext_pred is not None:
                ext_preds[name][r, run.ext_index] = run.ext_pred
                if run.ext_proba is not None:
                    ext_probas[name][r, run.ext_index] = run.ext_proba
    # the per-frame thresholds each fold's classifier chose in its training part
    for run in runs["classifier"]:
        thresholds = np.array([run.model.frame_thresholds_[f] for f in FRAMES])
        fold_thresholds.append(thresholds)
        cut[run.fold.repeat, run.fold.test] = thresholds
        ext_cut[run.fold.repeat, run.ext_index] = thresholds
    if union:
        for p in (preds, ext_preds):
            p["union"] = p["classifier"] | p["lexicon"]
        probas["union"] = np.full((n_repeats, n, k), np.nan)
        ext_probas["union"] = np.full((n_repeats, m, k), np.nan)
    rng = np.random.default_rng(random_state)
    boot = rng.integers(0, n, size=(n_boot, n))
    mean_thresholds = np.mean(fold_thresholds, axis=0)
    result = _frame_scores(Y, preds, boot, mean_thresholds, union)
    baselines = result.pop("baselines")
    extra = {key: result.pop(key) for key in ("union",) if key in result}
    result["n"] = int(n)
    result["n_orgs"] = int(len(set(_groups(rows))))
    result["baselines"] = baselines
    result.update(extra)
    if m:
        ext_boot = rng.integers(0, m, size=(n_boot, m))
        Y_ext = Y[ext_rows]
        result["external"] = _frame_scores(Y_ext, ext_preds, ext_boot, None, union)
        result["external"]["n"] = int(m)
        result["gap"] = {"micro_f1": _r(result["external"]["micro_f1"] - result["micro_f1"])}
    fold_of = np.zeros((n_repeats, n), dtype=int)
    for fold in folds:
        fold_of[fold.repeat, fold.test] = fold.fold
    ids, groups = _ids(rows), _groups(rows)
    parts = []
    sides = [("cv", np.arange(n), Y, preds, probas, cut)]
    if m:
        sides.append(("external", ext_rows, Y[ext_rows], ext_preds, ext_probas, ext_cut))
    for test_set, where, gold, p, pr, c in sides:
        size = len(where)
        for name in p:
            for repeat in range(n_repeats):
                parts.append(pd.DataFrame({
                    "id": np.repeat(ids[where], k), "actor": np.repeat(actors[where], k),
                    "cv_group": np.repeat(groups[where], k), "repeat": repeat,
                    "fold": np.repeat(fold_of[repeat, where], k), "model": name,
                    "test_set": test_set,
                    "frame": np.tile(np.array(FRAMES, dtype=object), size),
                    "gold": gold.ravel(), "pred": p[name][repeat].ravel(),
                    "proba": np.round(pr[name][repeat].ravel(), 4),
                    "threshold": (c[repeat].ravel() if name == "classifier"
                                  else np.full(size * k, np.nan)),
                }))
    return result, pd.concat(parts, ignore_index=True)[_FRAME_COLUMNS]


def evaluate_frames(
    corpus: pd.DataFrame,
    n_splits: int = 5,
    n_repeats: int = 3,
    random_state: int = 0,
    union: bool = False,
    *,
    n_boot: int = N_BOOTSTRAP,
    external: pd.DataFrame | str | PathLike[str] | bool | None = None,
    features: str = "tfidf",
) -> dict[str, Any]:
    """Score the frame classifier and the frame lexicon under organisation-grouped CV, and
    on the other-genre texts of the held-out statements.

    Statements with at least one frame code are evaluated (a statement with none is taken
    as not coded). Per frame: precision, recall and F1 of the out-of-fold 0/1 predictions
    (:func:`sklearn.metrics.precision_recall_fscore_support` on the multilabel indicator
    matrix, means over repeats) and the support; ``micro_f1`` pools true and false
    positives and negatives over frames (``micro_f1_ci``: percentile bootstrap 95%
    interval over statements), ``macro_f1`` averages the per-frame F1 over frames with
    support (:func:`sklearn.metrics.f1_score`). ``per_statement`` compares the mean number
    of predicted and coded frames per statement. ``thresholds`` are the classifier's
    per-frame thresholds (chosen inside each training fold; mean over folds). ``n_orgs``
    counts the organisations with a frame-coded statement. ``external`` and ``gap`` are as
    in :func:`evaluate_stance` (gap of micro-F1).

    Parameters
    ----------
    corpus : DataFrame
        With ``text``, ``actor`` and ``frames`` (and ``stance``, which stratifies folds;
        ``org_id``, which groups them).
    n_splits, n_repeats, random_state : int
        As in :func:`cv_folds`.
    union : bool, default False
        Also score the rule "a frame is predicted if the classifier *or* the lexicon
        predicts it" (key ``"union"``).
    n_boot, external, features
        As in :func:`evaluate_stance`.

    Returns
    -------
    dict
        ``micro_f1``, ``micro_f1_ci``, ``macro_f1``, ``per_frame``, ``per_statement``,
        ``thresholds``, ``n``, ``n_orgs`` for :class:`~discourse.frames.FrameClassifier`;
        ``baselines: {"lexicon": {...}}`` for :class:`~discourse.frames.FrameLexicon` (the
        first five keys; and ``union``, if asked); ``external`` and ``gap`` when some
        evaluated statement has an other-genre text.

    Examples
    --------
    >>> from discourse.corpus import load_corpus
    >>> corpus = load_corpus()
    >>> result = evaluate_frames(corpus, n_repeats=1)
    >>> result["n"] == sum(len(f) > 0 for f in corpus["frames"]), list(result["per_frame"])[:2]
    (True, ['security', 'morality_religion'])
    """
    return _run_frames(corpus, n_splits, n_repeats, random_state, union, n_boot, external,
                       features)[0]


# -- everything --------------------------------------------------------------------------------

#: The issue's targets: (name, section path, key, least value). Benchmarks, printed by
#: ``discourse evaluate``; not tests.
TARGETS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("stance macro-F1 (org-grouped CV)", ("stance", "macro_f1"), 0.70),
    ("stance neutral F1 (org-grouped CV)", ("stance", "per_class", "neutral", "f1"), 0.50),
    ("stance macro-F1 (other genres)", ("stance", "external", "macro_f1"), 0.65),
    ("frames micro-F1 (org-grouped CV)", ("frames", "micro_f1"), 0.75),
)
#: Largest distance between predicted and coded frames per statement.
FRAMES_PER_STATEMENT_TOLERANCE = 0.5


def _dig(report: dict[str, Any], path: tuple[str, ...]) -> float | None:
    value: Any = report
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return float(value)


def targets_table(report: dict[str, Any] | Evaluation) -> pd.DataFrame:
    """Return the issue's targets beside the evaluated values: ``target``, ``value``,
    ``goal`` (the least value, or for frames per statement the largest distance),
    ``met`` and ``short_by`` (0 when met).

    Examples
    --------
    >>> report = {"stance": {"macro_f1": 0.72, "per_class": {"neutral": {"f1": 0.4}}},
    ...           "frames": {"micro_f1": 0.8,
    ...                      "per_statement": {"predicted": 2.9, "coded": 2.1}}}
    >>> targets_table(report)[["value", "met", "short_by"]].values.tolist()
    [[0.72, True, 0.0], [0.4, False, 0.1], [0.8, True, 0.0], [0.8, False, 0.3]]
    """
    report = _report(report)
    rows = []
    for name, path, goal in TARGETS:
        value = _dig(report, path)
        if value is None:
            continue
        rows.append({"target": name, "value": _r(value), "goal": goal,
                     "met": bool(value >= goal), "short_by": _r(max(0.0, goal - value))})
    per = report.get("frames", {}).get("per_statement")
    if per is not None:
        distance = abs(per["predicted"] - per["coded"])
        goal = FRAMES_PER_STATEMENT_TOLERANCE
        rows.append({"target": "frames per statement, |predicted - coded|",
                     "value": _r(distance), "goal": goal, "met": bool(distance <= goal),
                     "short_by": _r(max(0.0, distance - goal))})
    return pd.DataFrame(rows, columns=["target", "value", "goal", "met", "short_by"])


class Evaluation(NamedTuple):
    """What :func:`evaluate` returns: the report and the predictions it scored.

    Attributes
    ----------
    report : dict
        JSON-ready scores (see :func:`evaluate`).
    stance : DataFrame
        Stance predictions, one row per statement, repeat, model and test set: ``id``,
        ``actor``, ``cv_group`` (the fold group: ``org:<org_id>`` or ``actor:<actor>``),
        ``repeat``, ``fold``, ``model`` (``classifier``, ``majority``, ``lexicon``),
        ``test_set`` (``"cv"``: the statement's corpus text, out of fold; ``"external"``:
        its other-genre text, labelled by the same fold's model), ``gold``, ``pred``,
        ``proba`` (the model's probability of ``pred``; NaN for a model without
        probabilities) and ``review`` (True where ``proba`` is below the fold
        classifier's ``review_threshold_``).
    frames : DataFrame
        Frame predictions, one row per statement, repeat, model (``classifier``,
        ``lexicon``), test set and frame: the same columns plus ``frame``, with ``gold``
        and ``pred`` 0/1, ``proba`` the classifier's ``P(frame | text)`` and
        ``threshold`` the fold classifier's threshold of that frame.
    """

    report: dict[str, Any]
    stance: pd.DataFrame
    frames: pd.DataFrame


def evaluate(
    corpus: pd.DataFrame | None = None,
    n_splits: int = 5,
    n_repeats: int = 3,
    random_state: int = 0,
    *,
    external: pd.DataFrame | str | PathLike[str] | bool | None = None,
    features: str = "tfidf",
    n_boot: int = N_BOOTSTRAP,
) -> Evaluation:
    """Evaluate stance and frame labelling under organisation-grouped CV and on other genres.

    Parameters
    ----------
    corpus : DataFrame, optional
        A loaded corpus (default: the shipped one).
    n_splits, n_repeats, random_state : int
        Folds per repeat, repeats, seed (see :func:`cv_folds`).
    external : DataFrame, path, bool or None
        Other-genre texts of corpus statements (default: the shipped
        ``corpus/external/other_genres.csv``; False: none); see :func:`evaluate_stance`.
    features : {"tfidf", "tfidf+encoder"}, default "tfidf"
        Features of both classifiers; ``"tfidf+encoder"`` needs the ``encoder`` extra and
        encodes each distinct text once for the whole evaluation.
    n_boot : int
        Bootstrap resamples of every interval.

    Returns
    -------
    Evaluation
        ``report``: ``{"n", "n_actors", "cv": {"splits", "repeats", "grouped_by", "seed"},
        "features", "stance": evaluate_stance(...), "frames": evaluate_frames(...),
        "targets": [...]}`` with floats rounded to 4 decimals, only lists, dicts, str, int,
        float and bool; ``grouped_by`` is ``"org_id"`` or ``"actor"``
        (:func:`group_column`); ``targets`` lists :func:`targets_table` as records.
        ``stance`` and ``frames``: the predictions that were scored, as tidy tables (see
        :class:`Evaluation`). Same corpus and seed give the same result.

    Examples
    --------
    >>> from discourse.corpus import load_corpus
    >>> corpus = load_corpus()
    >>> small = corpus[corpus["stance"].isin(["supports_restriction", "opposes_restriction"])]
    >>> report, stance, frames = evaluate(small.head(60), n_splits=3, n_repeats=1)
    >>> sorted(report), report["cv"]["grouped_by"]
    (['cv', 'features', 'frames', 'n', 'n_actors', 'stance', 'targets'], 'org_id')
    >>> stance["model"].unique().tolist(), stance["test_set"].unique().tolist()
    (['classifier', 'majority', 'lexicon'], ['cv', 'external'])
    """
    if corpus is None:
        from .corpus import load_corpus

        corpus = load_corpus()
    encoder = None
    if features != "tfidf":
        ext = _external_rows(external, corpus)
        encoder = _encoder_for(features, [*corpus["text"].astype(str), *ext["text"]])
    stance, stance_table = _run_stance(corpus, n_splits, n_repeats, random_state, n_boot,
                                       external, features, encoder)
    frames, frame_table = _run_frames(corpus, n_splits, n_repeats, random_state, False,
                                      n_boot, external, features, encoder)
    report = {
        "n": int(len(corpus)),
        "n_actors": int(corpus["actor"].astype(str).nunique()),
        "cv": {"splits": int(n_splits), "repeats": int(n_repeats),
               "grouped_by": group_column(corpus), "seed": int(random_state)},
        "features": features,
        "stance": stance,
        "frames": frames,
    }
    report["targets"] = targets_table(report).to_dict(orient="records")
    return Evaluation(report, stance_table, frame_table)


# -- choosing the features ---------------------------------------------------------------------

#: The features the labellers use unless told otherwise: TF-IDF alone, which needs no extra
#: package. :func:`choose_features` ranks the feature sets by stance macro-F1 on the
#: other-genre texts; on the shipped corpus (615 statements, 5 folds x 3 repeats) TF-IDF
#: scored 0.423 there and TF-IDF with the sentence encoder 0.431 (in CV 0.576 and 0.580),
#: a difference well inside either bootstrap interval (about +-0.075); on the earlier
#: 296-statement corpus the order was the other way (0.420 and 0.408). So the encoder is
#: the choice where it is installed (``--features tfidf+encoder``), and the default stays
#: the path that works without it.
DEFAULT_FEATURES = "tfidf"


def choose_features(corpus: pd.DataFrame | None = None, n_splits: int = 5, n_repeats: int = 3,
                    random_state: int = 0, candidates: Iterable[str] = STANCE_FEATURES,
                    n_boot: int = 200,
                    external: pd.DataFrame | str | PathLike[str] | bool | None = None,
                    ) -> pd.DataFrame:
    """Evaluate each feature set and choose the one that transfers best to other genres.

    The rule: the highest stance macro-F1 on the other-genre texts (the external test set,
    never trained on); a tie goes to the earlier candidate (TF-IDF alone, which needs no
    extra). Candidates that need the ``encoder`` extra are skipped when it is missing.

    Returns
    -------
    DataFrame
        One row per evaluated feature set: ``features``, ``stance_cv``, ``stance_external``
        (macro-F1), ``frames_cv``, ``frames_external`` (micro-F1) and ``chosen``.
    """
    if corpus is None:
        from .corpus import load_corpus

        corpus = load_corpus()
    rows = []
    for features in candidates:
        if features != "tfidf" and not encoder_available():
            continue
        report = evaluate(corpus, n_splits, n_repeats, random_state, features=features,
                          n_boot=n_boot, external=external).report
        stance, frames = report["stance"], report["frames"]
        if "external" not in stance:
            raise ValueError("no evaluated statement has an other-genre text; the features "
                             "are chosen by the other-genre score")
        rows.append({"features": features, "stance_cv": stance["macro_f1"],
                     "stance_external": stance["external"]["macro_f1"],
                     "frames_cv": frames["micro_f1"],
                     "frames_external": frames["external"]["micro_f1"]})
    table = pd.DataFrame(rows, columns=["features", "stance_cv", "stance_external",
                                        "frames_cv", "frames_external"])
    best = int(np.argmax(table["stance_external"].to_numpy())) if len(table) else -1
    table["chosen"] = [i == best for i in range(len(table))]
    return table


# -- the report as tidy tables (for notebooks and papers) ---------------------------------------


def _report(report: dict[str, Any] | Evaluation) -> dict[str, Any]:
    return report.report if isinstance(report, Evaluation) else report


def _stance_blocks(report: dict[str, Any] | Evaluation) -> list[tuple[str, dict[str, Any]]]:
    report = _report(report)
    stance = report["stance"] if "stance" in report else report
    return [("classifier", stance)] + list(stance["baselines"].items())


def stance_scores_table(report: dict[str, Any] | Evaluation) -> pd.DataFrame:
    """Return the stance macro-F1 of the classifier and each baseline as a tidy table.

    Parameters
    ----------
    report : dict or Evaluation
        The result of :func:`evaluate`, its ``report``, or the report's ``"stance"`` part.

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


def per_class_table(report: dict[str, Any] | Evaluation) -> pd.DataFrame:
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


def confusion_table(report: dict[str, Any] | Evaluation, model: str = "classifier") -> pd.DataFrame:
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


def _frame_blocks(report: dict[str, Any] | Evaluation) -> list[tuple[str, dict[str, Any]]]:
    report = _report(report)
    frames = report["frames"] if "frames" in report else report
    return [("classifier", frames)] + list(frames["baselines"].items())


def frame_scores_table(report: dict[str, Any] | Evaluation) -> pd.DataFrame:
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


def frame_summary_table(report: dict[str, Any] | Evaluation) -> pd.DataFrame:
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


def transfer_table(report: dict[str, Any] | Evaluation) -> pd.DataFrame:
    """Return the transfer gap as a tidy table: each model's score in org-grouped CV and on
    the other-genre texts, with its 95% bootstrap interval.

    Columns: ``task`` (``stance``: macro-F1; ``frames``: micro-F1), ``model``,
    ``test_set`` (``cv``, ``external``), ``score``, ``ci_low``, ``ci_high``, ``n``.

    Examples
    --------
    >>> block = {"macro_f1": 0.6, "macro_f1_ci": [0.5, 0.7], "n": 10, "baselines": {}}
    >>> report = {"stance": {**block, "external": {**block, "macro_f1": 0.5}}}
    >>> transfer_table(report)[["test_set", "score"]].values.tolist()
    [['cv', 0.6], ['external', 0.5]]
    """
    report = _report(report)
    rows = []
    for task, key in (("stance", "macro_f1"), ("frames", "micro_f1")):
        section = report.get(task)
        if section is None:
            continue
        for test_set, block in (("cv", section), ("external", section.get("external"))):
            if block is None:
                continue
            n = block.get("n", section.get("n"))
            for model, scores in [("classifier", block), *block.get("baselines", {}).items()]:
                low, high = scores[f"{key}_ci"]
                rows.append({"task": task, "model": model, "test_set": test_set,
                             "score": scores[key], "ci_low": low, "ci_high": high, "n": n})
    return pd.DataFrame(rows, columns=["task", "model", "test_set", "score", "ci_low",
                                       "ci_high", "n"])


def coverage_table(evaluation: Evaluation,
                   levels: Iterable[float] = tuple(np.round(np.arange(0.1, 1.01, 0.1), 2)),
                   ) -> pd.DataFrame:
    """Return the coverage curve of the stance classifier: accuracy of its most confident
    predictions at each share ``levels``, for the CV and the other-genre predictions.

    Computed from ``evaluation.stance`` as the report's ``coverage`` (mean over repeats;
    ties of confidence: earlier statement first). Columns: ``test_set``, ``coverage``,
    ``n`` (predictions kept per repeat), ``accuracy``, ``min_confidence``.

    Examples
    --------
    >>> table = pd.DataFrame({"model": "classifier", "test_set": "cv", "repeat": 0,
    ...                       "gold": ["a", "a", "b", "b"], "pred": ["a", "b", "b", "a"],
    ...                       "proba": [0.9, 0.4, 0.8, 0.3], "review": False})
    >>> run = Evaluation({}, table, pd.DataFrame())
    >>> coverage_table(run, levels=[0.5, 1.0])[["coverage", "accuracy"]].values.tolist()
    [[0.5, 1.0], [1.0, 0.5]]
    """
    stance = evaluation.stance
    rows = []
    ours = stance[stance["model"] == "classifier"]
    for test_set, part in ours.groupby("test_set", sort=False):
        repeats = part["repeat"].nunique()
        gold = part["gold"].to_numpy().reshape(repeats, -1)
        preds = part["pred"].to_numpy().reshape(repeats, -1)
        probas = part["proba"].to_numpy(dtype=float).reshape(repeats, -1)
        # gold is the same in every repeat (same statements, same order)
        for entry in _coverage(gold[0], preds, probas, levels):
            rows.append({"test_set": test_set, **entry})
    return pd.DataFrame(rows, columns=["test_set", "coverage", "n", "accuracy",
                                       "min_confidence"])


def frames_per_statement(evaluation: Evaluation, repeat: int = 0) -> pd.DataFrame:
    """Return predicted beside coded frames for every statement (one repeat).

    Columns: ``id``, ``test_set``, ``model``, ``coded`` and ``predicted`` (frame codes
    joined by ``;``), ``n_coded``, ``n_predicted``, ``n_correct``.

    Examples
    --------
    >>> frames = pd.DataFrame({"id": "s1", "test_set": "cv", "model": "classifier",
    ...                        "repeat": 0, "frame": ["economy", "rights", "security"],
    ...                        "gold": [1, 1, 0], "pred": [1, 0, 1]})
    >>> row = frames_per_statement(Evaluation({}, pd.DataFrame(), frames)).iloc[0]
    >>> row["coded"], row["predicted"], int(row["n_correct"])
    ('economy;rights', 'economy;security', 1)
    """
    table = evaluation.frames
    table = table[table["repeat"] == repeat]
    rows = []
    for (test_set, model, id_), part in table.groupby(["test_set", "model", "id"],
                                                      sort=False):
        gold, pred = part["gold"].to_numpy() == 1, part["pred"].to_numpy() == 1
        frames = part["frame"].to_numpy()
        rows.append({"id": id_, "test_set": test_set, "model": model,
                     "coded": ";".join(frames[gold]), "predicted": ";".join(frames[pred]),
                     "n_coded": int(gold.sum()), "n_predicted": int(pred.sum()),
                     "n_correct": int((gold & pred).sum())})
    return pd.DataFrame(rows, columns=["id", "test_set", "model", "coded", "predicted",
                                       "n_coded", "n_predicted", "n_correct"])
