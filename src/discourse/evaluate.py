"""Honest scores for the labellers: grouped cross-validation, baselines, bootstrap intervals.

This is the only module that computes scores. Every figure comes from out-of-fold
predictions: the corpus is split with :class:`~sklearn.model_selection.StratifiedGroupKFold`
grouped by organisation (the ``org_id`` column; by ``actor`` for a corpus without one) and
stratified by stance, so that no organisation has statements on both sides of a split, and
the split is repeated with a different shuffle seed per repeat. Each model, the trained
labellers and the baselines alike, is fitted on the training part of a fold and predicts
only its test part. Scores are computed with :mod:`sklearn.metrics`; :func:`evaluate`
returns the out-of-fold predictions beside the report, so nothing is kept between calls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.dummy import DummyClassifier
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.utils.validation import check_is_fitted

from .features import preprocess
from .frames import FrameClassifier, FrameLexicon, frame_matrix
from .schema import FRAMES, STANCES
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


def stance_models(random_state: int = 0) -> dict[str, CVModel]:
    """Return the stance models :func:`evaluate_stance` scores, by name.

    ``classifier`` (:class:`~discourse.stance.StanceClassifier`), ``majority``
    (:class:`~sklearn.dummy.DummyClassifier` with ``strategy="most_frequent"``; ties go to
    the alphabetically first code) and ``lexicon`` (:class:`KeywordStance`).

    Examples
    --------
    >>> list(stance_models())
    ['classifier', 'majority', 'lexicon']
    """
    return {
        "classifier": CVModel(StanceClassifier(random_state=random_state), True),
        "majority": CVModel(DummyClassifier(strategy="most_frequent"), False),
        "lexicon": CVModel(KeywordStance(), False),
    }


def _frame_models(random_state: int) -> dict[str, CVModel]:
    return {"classifier": CVModel(FrameClassifier(random_state=random_state), True),
            "lexicon": CVModel(FrameLexicon(), False)}


def _cross_predict(models: Mapping[str, CVModel], texts: list[str], y, actors: np.ndarray,
                   folds: list[Fold]) -> dict[str, list[tuple[Fold, np.ndarray, Any, Any]]]:
    """Fit a clone of every model on each fold's training part and predict its test part.

    Returns, per model, ``(fold, prediction, probabilities or None, classes or None)``.
    """
    out: dict[str, list] = {name: [] for name in models}
    for fold in folds:
        train = [texts[i] for i in fold.train]
        test = [texts[i] for i in fold.test]
        y_train = y[fold.train]
        for name, spec in models.items():
            model = clone(spec.estimator)
            if spec.fit_actors:
                model.fit(train, y_train, actors=actors[fold.train])
            else:
                model.fit(train, y_train)
            proba = model.predict_proba(test) if hasattr(model, "predict_proba") else None
            out[name].append((fold, np.asarray(model.predict(test)),
                              None if proba is None else np.asarray(proba),
                              getattr(model, "classes_", None)))
    return out


# -- scores ------------------------------------------------------------------------------------


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
    lo, hi = np.percentile(_bootstrap_macro_f1(y, codes, len(labels) + 1, boot), [2.5, 97.5])
    return {
        "macro_f1": _r(macro),
        "macro_f1_ci": [_r(lo), _r(hi)],
        "per_class": {
            label: {"precision": _r(precision[i]), "recall": _r(recall[i]),
                    "f1": _r(f1[i]), "support": int(support[i])}
            for i, label in enumerate(labels)
        },
        "confusion": {"labels": list(labels),
                      "matrix": [[_r(v) for v in row] for row in confusion]},
        "n": int(len(gold)),
    }


def _frame_report(Y: np.ndarray, preds: np.ndarray) -> dict[str, Any]:
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
        "macro_f1": _r(macro),
        "per_frame": {
            frame: {"precision": _r(precision[j]), "recall": _r(recall[j]),
                    "f1": _r(f1[j]), "support": int(support[j])}
            for j, frame in enumerate(FRAMES)
        },
    }


# -- stance ------------------------------------------------------------------------------------

#: Columns of the stance prediction table.
_STANCE_COLUMNS = ["id", "actor", "cv_group", "repeat", "fold", "model", "gold", "pred",
                   "proba"]
#: Columns of the frame prediction table.
_FRAME_COLUMNS = ["id", "actor", "cv_group", "repeat", "fold", "model", "frame", "gold",
                  "pred", "proba"]


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


def _stance_table(rows: pd.DataFrame, models: Mapping[str, CVModel], n_splits: int,
                  n_repeats: int, random_state: int) -> pd.DataFrame:
    """Out-of-fold stance predictions of every model, as a tidy table."""
    folds = cv_folds(rows, n_splits, n_repeats, random_state)
    texts = rows["text"].astype(str).tolist()
    gold = rows["stance"].astype(str).to_numpy()
    actors = rows["actor"].astype(str).to_numpy()
    groups = _groups(rows)
    ids = _ids(rows)
    parts = []
    for name, runs in _cross_predict(models, texts, gold, actors, folds).items():
        for fold, pred, proba, classes in runs:
            if proba is None:
                top = np.full(len(pred), np.nan)
            else:  # the probability of the predicted code
                column = {c: j for j, c in enumerate(classes)}
                top = proba[np.arange(len(pred)), [column[p] for p in pred]]
            parts.append(pd.DataFrame({
                "position": fold.test, "id": ids[fold.test], "actor": actors[fold.test],
                "cv_group": groups[fold.test], "repeat": fold.repeat, "fold": fold.fold,
                "model": name, "gold": gold[fold.test], "pred": pred.astype(str),
                "proba": np.round(top.astype(float), 4),
            }))
    order = {name: i for i, name in enumerate(models)}
    table = pd.concat(parts, ignore_index=True)
    table = table.sort_values(["model", "repeat", "position"], kind="stable",
                              key=lambda c: c.map(order) if c.name == "model" else c)
    return table[_STANCE_COLUMNS].reset_index(drop=True)


def _stance_scores(rows: pd.DataFrame, table: pd.DataFrame, n_repeats: int, random_state: int,
                   n_boot: int) -> dict[str, Any]:
    gold = rows["stance"].astype(str).to_numpy()
    labels = [s for s in STANCES if s in set(gold)]
    boot = np.random.default_rng(random_state).integers(0, len(gold), size=(n_boot, len(gold)))
    reports = {}
    for name, block in table.groupby("model", sort=False):
        preds = block["pred"].to_numpy().reshape(n_repeats, len(gold))
        reports[name] = _stance_report(gold, preds, labels, boot)
    result = reports.pop("classifier")
    result["n_orgs"] = int(len(set(_groups(rows))))
    result["baselines"] = reports
    return result


def _run_stance(corpus: pd.DataFrame, n_splits: int, n_repeats: int, random_state: int,
                n_boot: int) -> tuple[dict[str, Any], pd.DataFrame]:
    rows = _stance_rows(corpus)
    table = _stance_table(rows, stance_models(random_state), n_splits, n_repeats,
                          random_state)
    return _stance_scores(rows, table, n_repeats, random_state, n_boot), table


def out_of_fold_predictions(
    corpus: pd.DataFrame, n_splits: int = 5, n_repeats: int = 3, random_state: int = 0
) -> pd.DataFrame:
    """Return the stance classifier's out-of-fold prediction for every statement and repeat.

    A shortcut that cross-validates the classifier alone, in the folds :func:`evaluate`
    uses; ``evaluate(...).stance`` holds the same predictions (``model == "classifier"``)
    beside the baselines', so after :func:`evaluate` there is no need to call this.

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
    >>> oof = out_of_fold_predictions(load_corpus(), n_repeats=1)
    >>> len(oof), oof["repeat"].unique().tolist()
    (296, [0])
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
) -> dict[str, Any]:
    """Score the stance classifier and two baselines under organisation-grouped CV.

    For each model, ``macro_f1`` is the mean over repeats of the macro-F1 (unweighted mean
    of the per-class ``F1 = 2PR / (P + R)`` over the classes present,
    :func:`sklearn.metrics.f1_score`) of its out-of-fold predictions. ``macro_f1_ci`` is a
    percentile bootstrap 95% interval: the statements are resampled with replacement
    ``n_boot`` times (seeded with ``random_state``; the same resamples for every model, so
    intervals are comparable) and the mean-over-repeats macro-F1 recomputed. Statements,
    not organisations, are resampled: in the shipped corpus 296 statements come from 276
    actors, so the interval is at most slightly too narrow; with a corpus of many
    statements per organisation, resample organisations instead. ``per_class`` gives
    precision, recall and F1 (:func:`sklearn.metrics.precision_recall_fscore_support`,
    means over repeats; 0 where undefined) and the support; ``confusion`` is the mean over
    repeats of :func:`sklearn.metrics.confusion_matrix` (rows true, columns predicted,
    labels in :data:`~discourse.schema.STANCES` order), so each row sums to the class
    support. ``n_orgs`` counts the organisations (the fold groups, see
    :func:`group_column`) with a stance-coded statement.

    The baselines, fitted in the same folds, are ``majority`` and ``lexicon``
    (:func:`stance_models`).

    Returns
    -------
    dict
        ``macro_f1``, ``macro_f1_ci``, ``per_class``, ``confusion``, ``n``, ``n_orgs`` and
        ``baselines: {"majority": {...}, "lexicon": {...}}`` (same keys but ``n_orgs``).

    Examples
    --------
    >>> from discourse.corpus import load_corpus
    >>> result = evaluate_stance(load_corpus(), n_repeats=1)
    >>> result["macro_f1"] > result["baselines"]["majority"]["macro_f1"] + 0.2
    True
    """
    return _run_stance(corpus, n_splits, n_repeats, random_state, n_boot)[0]


# -- frames ------------------------------------------------------------------------------------


def _run_frames(corpus: pd.DataFrame, n_splits: int, n_repeats: int, random_state: int,
                union: bool) -> tuple[dict[str, Any], pd.DataFrame]:
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
    models = _frame_models(random_state)
    preds = {name: np.zeros((n_repeats, *Y.shape), dtype=int) for name in models}
    probas = {name: np.full((n_repeats, *Y.shape), np.nan) for name in models}
    for name, runs in _cross_predict(models, texts, Y, actors, folds).items():
        for fold, pred, proba, _ in runs:
            preds[name][fold.repeat, fold.test] = pred
            if proba is not None:
                probas[name][fold.repeat, fold.test] = proba
    if union:
        preds["union"] = preds["classifier"] | preds["lexicon"]
        probas["union"] = np.full((n_repeats, *Y.shape), np.nan)
    result = _frame_report(Y, preds["classifier"])
    result["n"] = int(len(rows))
    result["n_orgs"] = int(len(set(_groups(rows))))
    result["baselines"] = {"lexicon": _frame_report(Y, preds["lexicon"])}
    if union:
        result["union"] = _frame_report(Y, preds["union"])
    fold_of = np.zeros((n_repeats, len(rows)), dtype=int)
    for fold in folds:
        fold_of[fold.repeat, fold.test] = fold.fold
    n, k = Y.shape
    ids, groups = _ids(rows), _groups(rows)
    parts = []
    for name in preds:
        for repeat in range(n_repeats):
            parts.append(pd.DataFrame({
                "id": np.repeat(ids, k), "actor": np.repeat(actors, k),
                "cv_group": np.repeat(groups, k), "repeat": repeat,
                "fold": np.repeat(fold_of[repeat], k), "model": name,
                "frame": np.tile(np.array(FRAMES, dtype=object), n),
                "gold": Y.ravel(), "pred": preds[name][repeat].ravel(),
                "proba": np.round(probas[name][repeat].ravel(), 4),
            }))
    return result, pd.concat(parts, ignore_index=True)[_FRAME_COLUMNS]


def evaluate_frames(
    corpus: pd.DataFrame,
    n_splits: int = 5,
    n_repeats: int = 3,
    random_state: int = 0,
    union: bool = False,
) -> dict[str, Any]:
    """Score the frame classifier and the frame lexicon under organisation-grouped CV.

    Statements with at least one frame code are evaluated (a statement with none is taken
    as not coded). Per frame: precision, recall and F1 of the out-of-fold 0/1 predictions
    (:func:`sklearn.metrics.precision_recall_fscore_support` on the multilabel indicator
    matrix, means over repeats) and the support; ``micro_f1`` pools true and false
    positives and negatives over frames, ``macro_f1`` averages the per-frame F1 over frames
    with support (:func:`sklearn.metrics.f1_score`). ``n_orgs`` counts the organisations
    with a frame-coded statement.

    Parameters
    ----------
    corpus : DataFrame
        With ``text``, ``actor`` and ``frames`` (and ``stance``, which stratifies folds;
        ``org_id``, which groups them).
    n_splits, n_repeats, random_state : int
        As in :func:`cv_folds`.
    union : bool, default False
        Also score the rule of :func:`~discourse.label.label_texts`: a frame is predicted
        if the classifier *or* the lexicon predicts it (key ``"union"``).

    Returns
    -------
    dict
        ``micro_f1``, ``macro_f1``, ``per_frame``, ``n``, ``n_orgs`` for
        :class:`~discourse.frames.FrameClassifier` and ``baselines: {"lexicon":
        {"micro_f1", "macro_f1", "per_frame"}}`` for :class:`~discourse.frames.FrameLexicon`
        (and ``union`` with the same keys, if asked).

    Examples
    --------
    >>> from discourse.corpus import load_corpus
    >>> result = evaluate_frames(load_corpus(), n_repeats=1)
    >>> result["n"], list(result["per_frame"])[:2]
    (296, ['security', 'morality_religion'])
    """
    return _run_frames(corpus, n_splits, n_repeats, random_state, union)[0]


# -- everything --------------------------------------------------------------------------------


class Evaluation(NamedTuple):
    """What :func:`evaluate` returns: the report and the predictions it scored.

    Attributes
    ----------
    report : dict
        JSON-ready scores (see :func:`evaluate`).
    stance : DataFrame
        Out-of-fold stance predictions, one row per statement, repeat and model:
        ``id``, ``actor``, ``cv_group`` (the fold group: ``org:<org_id>`` or
        ``actor:<actor>``), ``repeat``, ``fold``, ``model`` (``classifier``, ``majority``,
        ``lexicon``), ``gold``, ``pred`` and ``proba`` (the model's probability of ``pred``;
        NaN for a model without probabilities).
    frames : DataFrame
        Out-of-fold frame predictions, one row per statement, repeat, model
        (``classifier``, ``lexicon``) and frame: the same columns plus ``frame``, with
        ``gold`` and ``pred`` 0/1 and ``proba`` the classifier's ``P(frame | text)``.
    """

    report: dict[str, Any]
    stance: pd.DataFrame
    frames: pd.DataFrame


def evaluate(
    corpus: pd.DataFrame | None = None,
    n_splits: int = 5,
    n_repeats: int = 3,
    random_state: int = 0,
) -> Evaluation:
    """Evaluate stance and frame labelling under organisation-grouped CV.

    Parameters
    ----------
    corpus : DataFrame, optional
        A loaded corpus (default: the shipped one).
    n_splits, n_repeats, random_state : int
        Folds per repeat, repeats, seed (see :func:`cv_folds`).

    Returns
    -------
    Evaluation
        ``report``: ``{"n", "n_actors", "cv": {"splits", "repeats", "grouped_by", "seed"},
        "stance": evaluate_stance(...), "frames": evaluate_frames(...)}`` with floats
        rounded to 4 decimals, only lists, dicts, str, int and float; ``grouped_by`` is
        ``"org_id"`` or ``"actor"`` (:func:`group_column`). ``stance`` and ``frames``: the
        out-of-fold predictions that were scored, as tidy tables (see :class:`Evaluation`).
        Same corpus and seed give the same result.

    Examples
    --------
    >>> from discourse.corpus import load_corpus
    >>> corpus = load_corpus()
    >>> small = corpus[corpus["stance"].isin(["supports_restriction", "opposes_restriction"])]
    >>> report, stance, frames = evaluate(small.head(60), n_splits=3, n_repeats=1)
    >>> sorted(report), report["cv"]["grouped_by"]
    (['cv', 'frames', 'n', 'n_actors', 'stance'], 'actor')
    >>> stance["model"].unique().tolist()
    ['classifier', 'majority', 'lexicon']
    """
    if corpus is None:
        from .corpus import load_corpus

        corpus = load_corpus()
    stance, stance_table = _run_stance(corpus, n_splits, n_repeats, random_state, N_BOOTSTRAP)
    frames, frame_table = _run_frames(corpus, n_splits, n_repeats, random_state, union=False)
    report = {
        "n": int(len(corpus)),
        "n_actors": int(corpus["actor"].astype(str).nunique()),
        "cv": {"splits": int(n_splits), "repeats": int(n_repeats),
               "grouped_by": group_column(corpus), "seed": int(random_state)},
        "stance": stance,
        "frames": frames,
    }
    return Evaluation(report, stance_table, frame_table)


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
