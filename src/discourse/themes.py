"""Themes: non-negative matrix factorisation of the shared TF-IDF features, with checks."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import NMF, MiniBatchNMF
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from .features import make_vectorizer

__all__ = [
    "STABILITY_THRESHOLD",
    "STABILITY_DOCUMENTS",
    "MAX_FEATURES",
    "BATCH_SIZE",
    "MINIBATCH_MAX_ITER",
    "EXACT_MAX_ITER",
    "PROGRESS_DOCUMENTS",
    "MIN_DOCS_PER_THEME",
    "KEY_TERMS",
    "THEME_LABELS_COLUMNS",
    "ThemeLabelWarning",
    "ThemeModel",
    "choose_from_scores",
    "choose_n_themes",
    "theme_key",
    "theme_labels_file",
    "load_theme_labels",
    "curated_labels",
    "themes_report",
]

#: A model counts as stable when its themes are found again, on average, with at least this
#: cosine similarity by NMF runs from other starting points (see :class:`ThemeModel`).
STABILITY_THRESHOLD = 0.9

#: :meth:`ThemeModel.score_stability` refits on a seeded sample of at most this many
#: statements, so that its cost does not grow with the corpus.
STABILITY_DOCUMENTS = 20_000

#: Default vocabulary cap of :class:`ThemeModel`: the most frequent terms (by count over all
#: statements) are kept. The shipped corpus has about 4,000 terms, far below it; the word and
#: bigram vocabulary grows to about 73,000 terms at 10^5 synthetic statements and 96,000 at
#: 10^6. On synthetic corpora whose texts carry a planted frame, the cap cost little in
#: recovering it: NMI of the main theme against the frame 0.722 against 0.725 uncapped at
#: 10^5 statements, 0.695 against 0.722 at 10^4 (where the vocabulary is 25,000 terms).
MAX_FEATURES = 20_000

#: Statements per mini-batch of :func:`discourse.distributed.fit_themes`.
BATCH_SIZE = 4096

#: Passes over the statements allowed to mini-batch NMF when ``max_iter`` is None.
MINIBATCH_MAX_ITER = 20

#: Iterations allowed to exact NMF when ``max_iter`` is None.
EXACT_MAX_ITER = 1000

#: A progress bar is shown by default (on a terminal) from this many statements.
PROGRESS_DOCUMENTS = 100_000

_LABEL_TERMS = 3

#: :func:`choose_n_themes` tries no more themes than the number of statements divided by
#: this: a theme needs a few statements of its own to be read.
MIN_DOCS_PER_THEME = 3

#: A theme's key (:func:`theme_key`) is made of this many of its top terms.
KEY_TERMS = 5

#: Columns of a curated theme-labels file (:func:`load_theme_labels`).
THEME_LABELS_COLUMNS = ("theme_key", "label", "note")


class ThemeLabelWarning(UserWarning):
    """A fitted theme matches no row of the curated labels and keeps its generated label."""


# -- small pure helpers ------------------------------------------------------------------------


def _check_texts(X: Any) -> list[str]:
    if isinstance(X, str | bytes):
        raise TypeError("X must be an iterable of texts, not a single string")
    return [str(text) for text in X]


def _normalise_rows(W: np.ndarray) -> np.ndarray:
    """Scale each row to sum 1; an all-zero row stays zero."""
    totals = W.sum(axis=1, keepdims=True)
    return np.divide(W, totals, out=np.zeros_like(W, dtype=float), where=totals > 0)


def _unit_rows(H: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(H, axis=1, keepdims=True)
    return np.divide(H, norms, out=np.zeros_like(H, dtype=float), where=norms > 0)


def _matched_similarity(H_ref: np.ndarray, H_other: np.ndarray) -> np.ndarray:
    """Cosine similarity of each reference theme to its partner under the best one-to-one
    matching (Hungarian assignment maximising the total similarity), in reference order."""
    sim = _unit_rows(H_ref) @ _unit_rows(H_other).T
    rows, cols = linear_sum_assignment(sim, maximize=True)
    matched = np.zeros(H_ref.shape[0])
    matched[rows] = sim[rows, cols]
    return matched


def _top_indices(row: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` largest positive weights, largest first.

    Weights are compared relative to the largest, rounded to 9 decimals, so that terms of
    equal weight (up to float noise, which differs between BLAS kernels) are tied, and ties
    go to the lower index (the term first in alphabetical order)."""
    top = row.max() if row.size else 0.0
    relative = np.round(row / top, 9) if top > 0 else row
    order = np.argsort(-relative, kind="stable")
    return order[:n][row[order[:n]] > 0]


def _mass_shares(W: np.ndarray, H: np.ndarray) -> np.ndarray:
    """Each theme's share of the fitted TF-IDF mass: the sum of ``W[:, k] H[k]`` over all
    statements and terms, over the sum of ``W H``. Scaling ``W[:, k]`` by ``c`` and
    ``H[k]`` by ``1 / c`` leaves it unchanged."""
    mass = W.sum(axis=0) * H.sum(axis=1)
    total = mass.sum()
    return mass / total if total > 0 else np.zeros_like(mass)


def _theme_order(shares: np.ndarray, top_terms: Sequence[Sequence[str]],
                 digits: int = 6) -> np.ndarray:
    """Themes by decreasing share rounded to ``digits`` decimals, ties broken by their top
    terms (compared as lists of strings), so that float noise of the last bits (another
    BLAS kernel) cannot reorder them."""
    key = [(-round(float(s), digits), list(t)) for s, t in zip(shares, top_terms, strict=True)]
    return np.array(sorted(range(len(key)), key=key.__getitem__), dtype=int)


def _presence_counts(matrix: Any, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Document frequency of each given column and co-occurrence counts of each pair, over
    the rows of ``matrix`` (a weight above 0 counts as present): ``(df, co)``, exact
    integers held as floats. Only the given columns are read, so this stays cheap on a
    million statements."""
    sub = matrix[:, columns]
    sub = (sub > 0).astype(np.float64) if hasattr(sub, "toarray") else \
        (np.asarray(sub) > 0).astype(np.float64)
    co = sub.T @ sub
    co = np.asarray(co.toarray() if hasattr(co, "toarray") else co, dtype=float)
    return np.diag(co).copy(), co


def _npmi_from_counts(n_docs: int, df: np.ndarray, co: np.ndarray) -> float:
    """Mean NPMI over all pairs of terms with document frequencies ``df`` and co-occurrence
    counts ``co``; see :class:`ThemeModel` for the formula."""
    if len(df) < 2:
        return -1.0
    i, j = np.triu_indices(len(df), k=1)
    joint = co[i, j]
    scores = np.full(len(joint), -1.0)
    full = joint == n_docs
    scores[full] = 1.0
    some = (joint > 0) & ~full
    p_joint = joint[some] / n_docs
    pmi = np.log(joint[some] * n_docs / (df[i][some] * df[j][some]))
    scores[some] = pmi / -np.log(p_joint)
    return float(scores.mean())


def _coherence(n_docs: int, columns: np.ndarray, df: np.ndarray, co: np.ndarray,
               top: Sequence[np.ndarray]) -> np.ndarray:
    """Per theme, the mean NPMI of its top terms, from the counts of ``columns``."""
    where = {int(c): k for k, c in enumerate(columns)}
    out = []
    for idx in top:
        pos = np.array([where[int(c)] for c in idx], dtype=int)
        out.append(_npmi_from_counts(n_docs, df[pos], co[np.ix_(pos, pos)]))
    return np.array(out)


def _top_columns(top: Sequence[np.ndarray]) -> np.ndarray:
    return np.unique(np.concatenate([np.asarray(t, dtype=int) for t in top])) if top else \
        np.zeros(0, dtype=int)


def _sample_rows(n: int, max_documents: int | None, seed: int) -> np.ndarray | None:
    """Sorted row numbers of a seeded sample of ``max_documents`` of ``n`` rows; None (all
    rows) when there are no more than that."""
    if max_documents is None or n <= max_documents:
        return None
    if max_documents < 1:
        raise ValueError(f"max_documents must be at least 1, got {max_documents}")
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n, size=int(max_documents), replace=False))


def _show_progress(progress: bool | None, n_docs: int) -> bool:
    """Whether to draw a bar: True always, False never, None from
    :data:`PROGRESS_DOCUMENTS` statements when standard error is a terminal (never in a
    notebook or a log). ``TQDM_DISABLE=1`` turns it off, and so does a missing tqdm."""
    if os.environ.get("TQDM_DISABLE", "").strip().lower() not in ("", "0", "false", "no"):
        return False
    if progress is None:
        try:
            progress = n_docs >= PROGRESS_DOCUMENTS and sys.stderr.isatty()
        except (AttributeError, ValueError):
            progress = False
    if progress:
        try:
            import tqdm  # noqa: F401
        except ImportError:
            return False
    return bool(progress)


def _bar(items: Iterable[Any], total: int, desc: str, show: bool) -> Iterable[Any]:
    if not show:
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, desc=desc, leave=False)


def _nmf_estimator(n_themes: int, init: str, seed: int, batch_size: int | None,
                   max_iter: int | None) -> NMF | MiniBatchNMF:
    """Exact NMF (coordinate descent) or, with a ``batch_size``, mini-batch NMF."""
    if batch_size is None:
        return NMF(n_components=n_themes, init=init, random_state=seed,
                   max_iter=EXACT_MAX_ITER if max_iter is None else max_iter)
    return MiniBatchNMF(n_components=n_themes, init=init, random_state=seed,
                        batch_size=batch_size,
                        max_iter=MINIBATCH_MAX_ITER if max_iter is None else max_iter)


def _refit_components(matrix: Any, n_themes: int, init: str, seed: int,
                      batch_size: int | None, max_iter: int | None) -> np.ndarray:
    """``H`` of one NMF fit, on one BLAS thread (also in a joblib worker)."""
    with threadpool_limits(limits=1), np.errstate(invalid="ignore"):
        nmf = _nmf_estimator(n_themes, init, seed, batch_size, max_iter).fit(matrix)
    return nmf.components_


def _check_batch_size(batch_size: int | None) -> int | None:
    if batch_size is None:
        return None
    if isinstance(batch_size, bool) or not isinstance(batch_size, int | np.integer) \
            or batch_size < 1:
        raise ValueError(f"batch_size must be None (exact NMF) or a positive int, got "
                         f"{batch_size!r}")
    return int(batch_size)


def _labels(top_terms: Sequence[Sequence[str]], n_terms: int = _LABEL_TERMS) -> list[str]:
    """Label each theme by its first ``n_terms`` top terms that share no word with an earlier
    pick ("IT exports" after "IT" adds nothing); lengthen clashing labels until unique."""

    def picks(terms: Sequence[str]) -> list[str]:
        chosen: list[str] = []
        seen: set[str] = set()
        for term in terms:
            words = set(term.split())
            if not words & seen:
                chosen.append(term)
                seen |= words
        return chosen or ["(empty)"]

    candidates = [picks(terms) for terms in top_terms]
    lengths = [min(n_terms, len(c)) for c in candidates]
    while True:
        labels = [" / ".join(c[:k]) for c, k in zip(candidates, lengths, strict=True)]
        clashes = {lab for lab in labels if labels.count(lab) > 1}
        grow = [t for t, lab in enumerate(labels) if lab in clashes and lengths[t] <
                len(candidates[t])]
        if not grow:
            break
        for t in grow:
            lengths[t] += 1
    counts: dict[str, int] = {}
    for lab in labels:
        counts[lab] = counts.get(lab, 0) + 1
    return [f"{lab} (#{t})" if counts[lab] > 1 else lab for t, lab in enumerate(labels)]


def _round(value: float, digits: int = 4) -> float | None:
    value = float(value)
    return None if np.isnan(value) else round(value, digits)


# -- the model ---------------------------------------------------------------------------------


class ThemeModel(TransformerMixin, BaseEstimator):
    """Themes of a set of statements: NMF of the kit's TF-IDF matrix, with quality checks.

    The TF-IDF matrix ``X`` (documents x terms, :func:`discourse.features.make_vectorizer`,
    capped at the ``max_features`` most frequent terms) is factorised as ``X ~ W H`` with
    non-negative ``W`` (documents x themes) and ``H`` (themes x terms), minimising the
    Frobenius norm of the residual from the seeded NNDSVDa start: by coordinate descent
    (:class:`sklearn.decomposition.NMF`, ``init="nndsvda"``) or, for large corpora, by
    mini-batch multiplicative updates (:class:`sklearn.decomposition.MiniBatchNMF`), on one
    BLAS thread, so that results do not depend on the number of cores. A theme is a row of
    ``H``; a statement's theme weights are its row of ``W`` scaled to sum 1. Themes are
    numbered by decreasing share of the fitted TF-IDF mass (see Notes), theme 0 carrying
    the most.

    Parameters
    ----------
    n_themes : int, default 8
        Number of themes (NMF components); at most the number of documents and of terms.
    top_n : int, default 10
        Terms listed per theme, and used for the coherence score.
    n_seeds : int, default 0
        If above 0, ``fit`` also measures stability with this many random starts, as
        :meth:`score_stability` does on the training statements (a sample of at most
        :data:`STABILITY_DOCUMENTS`). 0: no stability runs (``stability_`` is NaN until
        :meth:`score_stability` is called).
    random_state : int, default 0
        Seed of the randomized SVD behind the NNDSVDa start (which converges to the exact
        SVD, so the model hardly depends on it), of the stability sample and, as
        ``random_state + 1, ..., random_state + n_seeds``, of the random starts of the
        stability runs.
    max_iter : int, optional
        Iterations allowed to every exact NMF run (default :data:`EXACT_MAX_ITER`, 1000),
        or passes over the statements allowed to mini-batch NMF (default
        :data:`MINIBATCH_MAX_ITER`, 50).
    batch_size : int or None, default None
        None: exact NMF (coordinate descent). An int: mini-batch NMF
        (:class:`~sklearn.decomposition.MiniBatchNMF`) with batches of that many
        statements, in the order given. On a synthetic corpus of 10^5 statements
        with planted frames, exact NMF converged in 38 iterations and mini-batch NMF
        (4,096) took as long and recovered the frames less well (NMI 0.64 against 0.72);
        on one of texts with no structure (sentences drawn at random), exact NMF needed
        170 to 480 iterations and mini-batch NMF was 1.6 to 4 times faster. So exact NMF
        is the default; mini-batch is the option for very large or unstructured corpora.
    max_features : int or None, default :data:`MAX_FEATURES`
        Keep only this many terms, the most frequent over all statements (the
        vectorizer's ``max_features``); None keeps every term within ``min_df`` and
        ``max_df``.

    Attributes
    ----------
    vectorizer_ : TfidfVectorizer
        The fitted TF-IDF configuration.
    nmf_ : NMF or MiniBatchNMF
        The fitted factorisation.
    terms_ : ndarray of str
        The terms (columns of ``components_``).
    components_ : ndarray of shape (n_themes, n_terms)
        Theme-term weights ``H``, in theme order.
    theme_order_ : ndarray of int
        For each theme, its row in ``nmf_.components_`` (the factorisation's own order).
    top_terms_ : list of list of str
        The ``top_n`` terms of each theme by weight (terms of weight 0 left out).
    labels_ : list of str
        A short unique label per theme: its first three top terms joined with " / ",
        skipping a term that repeats a word of an earlier one; lengthened when two labels
        would be the same.
    doc_themes_ : ndarray of shape (n_documents, n_themes)
        Theme weights of the training statements: the ``W`` of the factorisation itself
        (``nmf_.fit_transform``), each row scaled to sum 1 (a statement with no
        vocabulary term keeps a row of zeros). :meth:`transform` solves for ``W`` again
        with ``H`` fixed, so on the training texts it agrees with ``doc_themes_`` up to the
        solver's tolerance, not bit for bit (on the shipped corpus, 12 themes: within
        about 1e-3).
    dominant_theme_ : ndarray of int
        The theme of largest weight per training statement, -1 for an all-zero row.
    theme_stability_ : ndarray of shape (n_themes,)
        Per theme, the mean over the stability runs of its cosine similarity to the theme
        matched to it; NaN until stability is measured (``n_seeds`` or
        :meth:`score_stability`).
    stability_ : float
        Mean of ``theme_stability_``, in [0, 1]. See Notes.
    stability_documents_ : int
        Statements the stability runs were fitted on (0: not measured).
    theme_coherence_ : ndarray of shape (n_themes,)
        Mean NPMI of the pairs of each theme's top terms.
    coherence_ : float
        Mean of ``theme_coherence_``, in [-1, 1]. See Notes.

    Notes
    -----
    **Stability.** NMF has many local optima; a theme worth reporting is one the data
    determine, not the starting point. It is measured only when asked
    (:meth:`score_stability`, or ``n_seeds`` above 0), as it costs ``n_seeds`` more fits.
    The NNDSVDa fit (the model itself, or on a large corpus the fit of a sample of
    :data:`STABILITY_DOCUMENTS` statements) is compared with ``n_seeds`` NMF fits of the
    same matrix from random non-negative starts (``init="random"``, seeds
    ``random_state + k``). For each run the themes are paired
    one-to-one with the model's by the Hungarian assignment
    (:func:`scipy.optimize.linear_sum_assignment`) that maximises the total cosine
    similarity of the theme-term vectors; ``stability_`` is the mean matched similarity
    over themes and runs. Random restarts were chosen over perturbing the NNDSVDa start
    because they probe the whole landscape of optima rather than a neighbourhood of one
    start, and because they need no noise scale to be chosen. 1 means every run finds the
    same themes; an over-parametrised model (more themes than the data support) splits and
    merges themes differently from run to run and scores lower.

    **Order.** NMF can move scale between a theme's column of ``W`` and its row of ``H``
    (``W[:, k] c`` and ``H[k] / c`` fit equally well), so neither's size alone says how much
    a theme carries, and the split may fall differently on another BLAS kernel. Themes are
    therefore numbered by their share of the fitted mass, ``sum(W[:, k]) sum(H[k]) /
    sum(W H)``, which the split leaves unchanged; shares equal to 6 decimals are ordered by
    their top terms (as lists of strings), so the numbering is the same on every machine.

    **Coherence.** Over the training statements, let ``N`` be their number, ``D(w)`` the
    number containing term ``w`` (a TF-IDF weight above 0) and ``D(w, v)`` the number
    containing both. For a pair of top terms,

    ``NPMI(w, v) = log(N D(w, v) / (D(w) D(v))) / -log(D(w, v) / N)``,

    defined as -1 when ``D(w, v) = 0`` (never together) and 1 when ``D(w, v) = N``. A
    theme's coherence is the mean NPMI over all pairs of its ``top_n`` terms (-1 for a
    theme with fewer than two terms); ``coherence_`` is the mean over themes. A unigram and
    a bigram that contains it ("IT", "IT exports") co-occur by construction, which raises
    the score of a theme that lists both.

    References
    ----------
    Greene, O'Callaghan and Cunningham (2014), "How many topics? Stability analysis for
    topic models", ECML PKDD. Bouma (2009), "Normalized (pointwise) mutual information in
    collocation extraction". Roeder et al. (2015), "Exploring the space of topic coherence
    measures", WSDM.

    Examples
    --------
    >>> texts = ["exports freelancers economy", "exports freelancers losses",
    ...          "economy losses freelancers", "blasphemy morality content",
    ...          "blasphemy content obscene", "morality obscene content"]
    >>> model = ThemeModel(n_themes=2, top_n=3).fit(texts)
    >>> sorted(model.labels_)
    ['content / blasphemy / morality', 'freelancers / economy / losses']
    >>> [model.labels_[t] for t in model.dominant_theme_[[0, 3]]]
    ['freelancers / economy / losses', 'content / blasphemy / morality']
    >>> bool((model.dominant_theme_[:3] != model.dominant_theme_[3:]).all())
    True
    >>> round(model.score_stability(texts), 3)
    1.0
    """

    def __init__(
        self,
        n_themes: int = 8,
        top_n: int = 10,
        n_seeds: int = 0,
        random_state: int = 0,
        max_iter: int | None = None,
        batch_size: int | None = None,
        max_features: int | None = MAX_FEATURES,
    ) -> None:
        self.n_themes = n_themes
        self.top_n = top_n
        self.n_seeds = n_seeds
        self.random_state = random_state
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.max_features = max_features

    def _vectorizer(self, texts: list[str], actors: Iterable[str] | None) -> Any:
        vectorizer = make_vectorizer(texts, () if actors is None else list(actors))
        return vectorizer.set_params(max_features=self.max_features)

    def fit(
        self, X: Iterable[str], y: Any = None, actors: Iterable[str] | None = None
    ) -> ThemeModel:
        """Fit the themes to statement texts.

        Parameters
        ----------
        X : iterable of str
            The statements.
        y : ignored
        actors : iterable of str, optional
            Actor names, whose name-only words are stop words (see
            :func:`discourse.features.name_stop_words`).

        Returns
        -------
        ThemeModel
            The fitted model.
        """
        texts = _check_texts(X)
        vectorizer = self._vectorizer(texts, actors)
        matrix = vectorizer.fit_transform(texts)
        return self._fit_matrix(matrix, vectorizer)

    def _fit_matrix(self, matrix: Any, vectorizer: Any) -> ThemeModel:
        n_docs, n_terms = matrix.shape
        if not 1 <= self.n_themes <= min(n_docs, n_terms):
            raise ValueError(f"n_themes={self.n_themes} must be between 1 and the number of "
                             f"statements ({n_docs}) and of terms ({n_terms})")
        batch = _check_batch_size(self.batch_size)
        # NMF's dense products here are tiny: extra BLAS/OpenMP threads only add overhead
        # (2-3x slower on two busy cores); with one thread results do not depend on the cores.
        with threadpool_limits(limits=1):
            self._fit_nmf(matrix, vectorizer, batch)
        self.theme_stability_ = np.full(self.n_themes, np.nan)
        self.stability_ = float("nan")
        self.stability_documents_ = 0
        if self.n_seeds > 0:
            self._score_matrix(matrix, self.n_seeds, STABILITY_DOCUMENTS, None, False,
                               training=True)
        return self

    def _fit_nmf(self, matrix: Any, vectorizer: Any, batch: int | None) -> ThemeModel:
        self.vectorizer_ = vectorizer
        self.terms_ = vectorizer.get_feature_names_out()
        self.nmf_ = _nmf_estimator(self.n_themes, "nndsvda", self.random_state, batch,
                                   self.max_iter)
        with np.errstate(invalid="ignore"):  # sqrt of a tiny negative error on exact fits
            raw = self.nmf_.fit_transform(matrix)
        return self._set_themes(raw, matrix)

    def _set_themes(self, raw: np.ndarray, matrix: Any = None, counts: Any = None
                    ) -> ThemeModel:
        """Order the fitted themes and set every attribute but the stability ones, from
        ``W`` (``raw``) and ``nmf_``; coherence from the training ``matrix`` or, when it
        is not at hand, from ``counts(columns) -> (n_docs, df, co)``."""
        # number the themes by their share of the fitted TF-IDF mass, which does not depend
        # on how NMF splits scale between W and H; ties are broken by the top terms
        nmf_top = [[str(self.terms_[i]) for i in _top_indices(row, self.top_n)]
                   for row in self.nmf_.components_]
        self.theme_order_ = _theme_order(_mass_shares(raw, self.nmf_.components_), nmf_top)
        self.components_ = self.nmf_.components_[self.theme_order_]
        raw = raw[:, self.theme_order_]
        self.doc_themes_ = _normalise_rows(raw)
        self.dominant_theme_ = np.where(raw.sum(axis=1) > 0, raw.argmax(axis=1), -1)
        top = [_top_indices(row, self.top_n) for row in self.components_]
        self.top_terms_ = [[str(self.terms_[i]) for i in idx] for idx in top]
        self.labels_ = _labels(self.top_terms_)
        columns = _top_columns(top)
        if counts is None:
            n_docs = matrix.shape[0]
            df, co = _presence_counts(matrix, columns)
        else:
            n_docs, df, co = counts(columns)
        self.theme_coherence_ = _coherence(n_docs, columns, df, co, top)
        self.coherence_ = float(self.theme_coherence_.mean())
        return self

    def score_stability(
        self,
        X: Iterable[str],
        n_seeds: int = 5,
        *,
        max_documents: int | None = STABILITY_DOCUMENTS,
        n_jobs: int | None = None,
        progress: bool | None = None,
    ) -> float:
        """Measure how stable the fitted themes are; set ``stability_`` and
        ``theme_stability_``.

        On a sample of the statements ``X`` (all of them if there are no more than
        ``max_documents``; else ``max_documents`` drawn without replacement, seeded by
        ``random_state``, kept in their order), TF-IDF-weighted with the fitted
        vocabulary, NMF is fitted from the NNDSVDa start (the sample's own reference fit)
        and from ``n_seeds`` random starts (seeds ``random_state + 1``, ...), each with
        the model's algorithm (``batch_size``) and ``max_iter``. The random fits are
        compared with the *sample's reference fit*, not with the model's ``components_``
        (which saw other statements): a theme's stability
        is its mean cosine similarity, over the runs, to the run's theme matched to it
        (Hungarian assignment). The reference themes are matched one-to-one to the model's
        themes in the same way, so that ``theme_stability_`` is in the model's theme
        order. When the sample is the whole training set, the reference fit is the model's
        own fit again (the same matrix, start and seed; equal up to float rounding).

        Parameters
        ----------
        X : iterable of str
            Statements, usually the training statements.
        n_seeds : int, default 5
            Random starts.
        max_documents : int or None, default :data:`STABILITY_DOCUMENTS`
            Largest sample; None uses every statement.
        n_jobs : int, optional
            Random starts fitted in parallel (joblib processes); the results are the same
            for any number, as each fit runs on one BLAS thread from its own seed.
        progress : bool, optional
            Show a progress bar over the fits (tqdm, on standard error). Default: for
            samples of at least :data:`PROGRESS_DOCUMENTS` statements on a terminal.

        Returns
        -------
        float
            ``stability_``, the mean of ``theme_stability_``, in [0, 1].

        Examples
        --------
        >>> texts = ["exports freelancers economy", "exports freelancers losses",
        ...          "economy losses freelancers", "blasphemy morality content",
        ...          "blasphemy content obscene", "morality obscene content"]
        >>> model = ThemeModel(n_themes=2, top_n=3).fit(texts)
        >>> round(model.score_stability(texts, n_seeds=3), 3), model.stability_documents_
        (1.0, 6)
        """
        check_is_fitted(self, "nmf_")
        texts = _check_texts(X)
        rows = _sample_rows(len(texts), max_documents, self.random_state)
        if rows is not None:
            texts = [texts[i] for i in rows]
        matrix = self.vectorizer_.transform(texts)
        self._score_matrix(matrix, n_seeds, None, n_jobs, progress, training=False)
        return self.stability_

    def _score_matrix(self, matrix: Any, n_seeds: int, max_documents: int | None,
                      n_jobs: int | None, progress: bool | None, training: bool) -> None:
        """Stability on (a sample of) ``matrix``; ``training``: it is the training matrix,
        so that without sampling the model itself is the reference fit."""
        if n_seeds < 1:
            raise ValueError(f"n_seeds must be at least 1, got {n_seeds}")
        rows = _sample_rows(matrix.shape[0], max_documents, self.random_state)
        sample = matrix if rows is None else matrix[rows]
        n_docs = sample.shape[0]
        if not 1 <= self.n_themes <= min(sample.shape):
            raise ValueError(f"n_themes={self.n_themes} must be between 1 and the number of "
                             f"statements ({n_docs}) and of terms ({sample.shape[1]}) of the "
                             "stability sample")
        batch = _check_batch_size(self.batch_size)
        jobs = [("random", self.random_state + k) for k in range(1, n_seeds + 1)]
        if training and rows is None:
            reference = self.components_
        else:
            jobs.insert(0, ("nndsvda", self.random_state))
            reference = None
        show = _show_progress(progress, n_docs)
        args = (self.n_themes,)
        if n_jobs is None or n_jobs == 1:
            fits = [_refit_components(sample, *args, init, seed, batch, self.max_iter)
                    for init, seed in _bar(jobs, len(jobs), "stability fits", show)]
        else:
            from joblib import Parallel, delayed

            fits = Parallel(n_jobs=n_jobs, return_as="generator")(
                delayed(_refit_components)(sample, *args, init, seed, batch, self.max_iter)
                for init, seed in jobs)
            fits = list(_bar(fits, len(jobs), "stability fits", show))
        if reference is None:
            reference, fits = fits[0], fits[1:]
            sim = _unit_rows(self.components_) @ _unit_rows(reference).T
            model_rows, ref_rows = linear_sum_assignment(sim, maximize=True)
            reference = reference[ref_rows[np.argsort(model_rows)]]
        runs = [_matched_similarity(reference, other) for other in fits]
        self.theme_stability_ = np.mean(runs, axis=0)
        self.stability_ = float(self.theme_stability_.mean())
        self.stability_documents_ = int(n_docs)

    def transform(self, X: Iterable[str]) -> np.ndarray:
        """Return the theme weights of statements, each row scaled to sum 1.

        A statement with none of the model's terms gets a row of zeros.

        Parameters
        ----------
        X : iterable of str

        Returns
        -------
        ndarray of shape (n_statements, n_themes)
        """
        check_is_fitted(self, "nmf_")
        matrix = self.vectorizer_.transform(_check_texts(X))
        with threadpool_limits(limits=1):
            return _normalise_rows(self.nmf_.transform(matrix)[:, self.theme_order_])

    def weight_table(self, X: Iterable[str], index: Any = None) -> pd.DataFrame:
        """Return :meth:`transform` of ``X`` as a table: one column per theme, named by its
        label, one row per statement.

        This is the per-statement table that :func:`discourse.timeline.prevalence`
        aggregates by group and period (``method="bootstrap"``: weights are not 0/1).

        Parameters
        ----------
        X : iterable of str
        index : index-like, optional
            Row labels, e.g. the corpus's index (default: 0, 1, ...).

        Returns
        -------
        DataFrame of shape (n_statements, n_themes)

        Examples
        --------
        >>> texts = ["exports freelancers economy", "exports freelancers losses",
        ...          "blasphemy morality content", "blasphemy content obscene"]
        >>> model = ThemeModel(n_themes=2, top_n=2).fit(texts)
        >>> weights = model.weight_table(texts)
        >>> sorted(weights.columns) == sorted(model.labels_), weights.sum(axis=1).round(6).tolist()
        (True, [1.0, 1.0, 1.0, 1.0])
        """
        return pd.DataFrame(self.transform(X), columns=list(self.labels_), index=index)

    def theme_table(self) -> pd.DataFrame:
        """Return one row per theme of the training statements.

        Returns
        -------
        DataFrame
            ``theme`` (id), ``label``, ``top_terms`` (joined with ", "), ``share`` (share
            of statements whose dominant theme it is), ``n_documents`` (their number) and
            ``weight`` (mean theme weight over all statements).

        Examples
        --------
        >>> texts = ["exports freelancers economy", "exports freelancers losses",
        ...          "blasphemy morality content", "blasphemy content obscene"]
        >>> ThemeModel(n_themes=2, top_n=2).fit(texts).theme_table()[["theme", "n_documents"]]
           theme  n_documents
        0      0            2
        1      1            2
        """
        check_is_fitted(self, "nmf_")
        n_docs = len(self.dominant_theme_)
        counts = np.bincount(self.dominant_theme_[self.dominant_theme_ >= 0],
                             minlength=self.n_themes)
        return pd.DataFrame({
            "theme": np.arange(self.n_themes),
            "label": self.labels_,
            "top_terms": [", ".join(terms) for terms in self.top_terms_],
            "share": counts / n_docs if n_docs else np.zeros(self.n_themes),
            "n_documents": counts.astype(int),
            "weight": self.doc_themes_.mean(axis=0),
        })


# -- choosing the number of themes and reporting -----------------------------------------------


def choose_from_scores(table: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """Apply the rule of :func:`choose_n_themes` to a table of scores.

    Useful to re-apply the rule to scores stored earlier or computed another way.

    Parameters
    ----------
    table : DataFrame
        ``n_themes``, ``stability`` and ``coherence``, one row per candidate; a row with a
        missing score (a candidate that could not be fitted) is never chosen, nor one whose
        optional ``empty_themes`` (themes that are the main theme of no statement) is
        above 0.
    limit : int, optional
        The largest number of themes the corpus allows, quoted in the reason of a
        candidate that could not be fitted.

    Returns
    -------
    DataFrame
        A copy with ``chosen`` (exactly one True) and ``reason`` (why each candidate was or
        was not chosen).

    Examples
    --------
    >>> scores = pd.DataFrame({"n_themes": [4, 5, 6], "stability": [0.95, 0.92, 0.7],
    ...                        "coherence": [0.1, 0.3, 0.5]})
    >>> choose_from_scores(scores)[["n_themes", "chosen"]].values.tolist()
    [[4, False], [5, True], [6, False]]
    """
    table = table.copy()
    fitted = table.dropna(subset=["stability", "coherence"])
    if "empty_themes" in table:
        fitted = fitted[fitted["empty_themes"] == 0]
    if fitted.empty:
        raise ValueError("no candidate has scores to choose from (every candidate could "
                         "not be fitted or left a theme with no statement)")
    stable = fitted[fitted["stability"] >= STABILITY_THRESHOLD]
    if len(stable):
        best = stable.sort_values(["coherence", "n_themes"], ascending=[False, True],
                                  kind="stable").index[0]
    else:
        best = fitted.sort_values(["stability", "n_themes"], ascending=[False, True],
                                  kind="stable").index[0]
    top = table.loc[best]
    reasons = []
    for i, row in table.iterrows():
        if np.isnan(row["stability"]) or np.isnan(row["coherence"]):
            reasons.append("cannot fit: more themes than the corpus supports"
                           + (f" ({limit})" if limit is not None else ""))
        elif "empty_themes" in table and row["empty_themes"] > 0:
            reasons.append(f"{int(row['empty_themes'])} theme(s) with no statement of "
                           "their own")
        elif i == best and len(stable):
            reasons.append(f"highest coherence among models with stability >= "
                           f"{STABILITY_THRESHOLD}")
        elif i == best:
            reasons.append(f"no model reaches stability {STABILITY_THRESHOLD}; the most stable")
        elif len(stable) and row["stability"] < STABILITY_THRESHOLD:
            reasons.append(f"unstable: stability {row['stability']:.4f} < {STABILITY_THRESHOLD}")
        elif len(stable) and row["coherence"] == top["coherence"]:
            reasons.append(f"as coherent as {int(top['n_themes'])} themes, which are fewer")
        elif len(stable):
            reasons.append(f"stable, but less coherent: {row['coherence']:.4f} < "
                           f"{top['coherence']:.4f}")
        elif row["stability"] == top["stability"]:
            reasons.append(f"as stable as {int(top['n_themes'])} themes, which are fewer")
        else:
            reasons.append(f"less stable: {row['stability']:.4f} < {top['stability']:.4f}")
    table["chosen"] = table.index == best
    table["reason"] = reasons
    return table


def choose_n_themes(
    texts: Iterable[str],
    actors: Iterable[str] | None = None,
    candidates: Iterable[int] = range(4, 13),
    random_state: int = 0,
    n_seeds: int = 5,
    max_documents: int | None = STABILITY_DOCUMENTS,
    n_jobs: int | None = None,
    **kw: Any,
) -> pd.DataFrame:
    """Fit a :class:`ThemeModel` per candidate number of themes and choose one.

    The rule: among the candidates whose stability is at least
    :data:`STABILITY_THRESHOLD` (0.9), choose the one with the highest coherence (ties: the
    fewer themes); if none is that stable, choose the most stable (ties: the fewer themes).
    Scores are compared as reported, rounded to 4 decimals. The corpus supports at most
    ``min(n_statements // MIN_DOCS_PER_THEME, n_terms)`` themes
    (:data:`MIN_DOCS_PER_THEME`); a larger candidate is not fitted and its row has
    missing scores. A candidate that leaves a theme with no statement of its own (the
    main theme of none) is never chosen.

    Parameters
    ----------
    texts, actors : iterable of str
        As for :meth:`ThemeModel.fit`. The TF-IDF matrix is built once and shared.
    candidates : iterable of int
        Numbers of themes to try.
    random_state : int
        Passed to every model.
    n_seeds, max_documents, n_jobs
        Passed to :meth:`ThemeModel.score_stability` (random starts per candidate, the
        largest stability sample, parallel fits).
    **kw
        Other :class:`ThemeModel` parameters (``top_n``, ``max_iter``, ``batch_size``,
        ``max_features``).

    Returns
    -------
    DataFrame
        One row per candidate, in increasing order: ``n_themes``, ``stability``,
        ``coherence``, ``empty_themes``, ``chosen`` (exactly one True) and ``reason``.

    Examples
    --------
    >>> texts = ["exports freelancers economy", "exports freelancers losses",
    ...          "economy losses freelancers", "blasphemy morality content",
    ...          "blasphemy content obscene", "morality obscene content"]
    >>> table = choose_n_themes(texts, candidates=[2, 3])
    >>> int(table.loc[table["chosen"], "n_themes"].iloc[0])
    2
    """
    texts = _check_texts(texts)
    vectorizer = ThemeModel(**kw)._vectorizer(texts, actors)
    matrix = vectorizer.fit_transform(texts)
    limit = min(matrix.shape[0] // MIN_DOCS_PER_THEME, matrix.shape[1])
    rows = []
    for k in sorted(set(int(c) for c in candidates)):
        if 1 <= k <= limit:
            model = ThemeModel(n_themes=k, random_state=random_state, **kw)
            model._fit_matrix(matrix, vectorizer)
            model._score_matrix(matrix, n_seeds, max_documents, n_jobs, None, training=True)
            empty = int((model.theme_table()["n_documents"] == 0).sum())
            rows.append((k, round(model.stability_, 4), round(model.coherence_, 4), empty))
        else:
            rows.append((k, np.nan, np.nan, 0))
    table = pd.DataFrame(rows, columns=["n_themes", "stability", "coherence",
                                        "empty_themes"])
    if table["stability"].isna().all():
        raise ValueError(f"no candidate can be fitted: a corpus of {matrix.shape[0]} "
                         f"statements and {matrix.shape[1]} terms supports 1 to {limit} "
                         f"themes ({MIN_DOCS_PER_THEME} statements per theme); give a "
                         "number of themes in that range")
    return choose_from_scores(table, limit)


def theme_key(top_terms: Sequence[str], n: int = KEY_TERMS) -> str:
    """Return the stable key of a theme: its first ``n`` top terms joined with ``" / "``.

    Examples
    --------
    >>> theme_key(["rights", "internet", "freedom", "privacy", "digital", "access"])
    'rights / internet / freedom / privacy / digital'
    """
    return " / ".join(str(t) for t in list(top_terms)[:n])


def theme_labels_file(corpus_dir: str | os.PathLike[str] | None = None) -> Path:
    """The curated labels file of a corpus folder: ``<folder>/theme_labels.csv``.

    Without ``corpus_dir``, that of the shipped corpus
    (:func:`discourse.paths.shipped_corpus_dir`).

    Examples
    --------
    >>> theme_labels_file().name
    'theme_labels.csv'
    """
    from .paths import shipped_corpus_dir

    folder = Path(corpus_dir) if corpus_dir is not None else shipped_corpus_dir()
    return folder / "theme_labels.csv"


def load_theme_labels(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read a curated theme-labels file (default: :func:`theme_labels_file`).

    A CSV with columns :data:`THEME_LABELS_COLUMNS`: ``theme_key`` (a fitted theme's
    :func:`theme_key`), ``label`` (what the theme's statements argue, in a few words, for
    figures and tables) and ``note`` (how the label was chosen: the statements read, a
    caveat). :func:`curated_labels` matches the rows to a fitted model.

    Raises
    ------
    ValueError
        A column is missing, or a row (named by its line) has an empty key or label or
        repeats a key.

    Examples
    --------
    >>> labels = load_theme_labels()
    >>> list(labels.columns)
    ['theme_key', 'label', 'note']
    """
    path = Path(path) if path is not None else theme_labels_file()
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in THEME_LABELS_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; a theme-labels "
                         f"file has the columns {', '.join(THEME_LABELS_COLUMNS)}")
    seen: dict[frozenset[str], int] = {}
    for i, row in enumerate(table.itertuples(index=False), start=2):
        for field in ("theme_key", "label"):
            if not str(getattr(row, field)).strip():
                raise ValueError(f"{path}, line {i}, field {field}: empty; give the "
                                 f"theme's {'top terms' if field == 'theme_key' else 'label'}")
        terms = frozenset(t.strip() for t in str(row.theme_key).split(" / "))
        if terms in seen:
            raise ValueError(f"{path}, line {i}, field theme_key: the same terms as line "
                             f"{seen[terms]}; keep one row per theme")
        seen[terms] = i
    return table[list(THEME_LABELS_COLUMNS)].reset_index(drop=True)


def curated_labels(
    model: ThemeModel,
    labels: pd.DataFrame | str | os.PathLike[str] | None = None,
) -> list[str]:
    """Return a label per fitted theme: the curated one where a row matches, else generated.

    A row matches a theme when its ``theme_key`` holds the same terms as the theme's
    :func:`theme_key` (its first :data:`KEY_TERMS` top terms, in any order, so that two
    terms of near-equal weight may swap). A theme no row matches keeps its generated label
    (:attr:`ThemeModel.labels_`), and one :class:`ThemeLabelWarning` names every such
    theme: the corpus or the features changed since the labels were written; read the
    themes again and update the file.

    Parameters
    ----------
    model : ThemeModel
        A fitted model.
    labels : DataFrame or path, optional
        A :func:`load_theme_labels` table, or the path of a labels file (default: the
        shipped corpus's :func:`theme_labels_file`).

    Examples
    --------
    >>> texts = ["exports freelancers economy", "exports freelancers losses",
    ...          "blasphemy morality content", "blasphemy content obscene"]
    >>> model = ThemeModel(n_themes=2, top_n=3, n_seeds=0).fit(texts)
    >>> rows = pd.DataFrame({"theme_key": [theme_key(model.top_terms_[0])],
    ...                      "label": ["Economic cost"], "note": [""]})
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     names = curated_labels(model, rows)
    >>> names[0], len(caught), caught[0].category.__name__
    ('Economic cost', 1, 'ThemeLabelWarning')
    """
    check_is_fitted(model, "nmf_")
    table = labels if isinstance(labels, pd.DataFrame) else load_theme_labels(labels)
    curated = {frozenset(t.strip() for t in str(k).split(" / ")): str(lab)
               for k, lab in zip(table["theme_key"], table["label"], strict=True)}
    out, unmatched = [], []
    for t, terms in enumerate(model.top_terms_):
        key = frozenset(terms[:KEY_TERMS])
        if key in curated:
            out.append(curated[key])
        else:
            out.append(model.labels_[t])
            unmatched.append(f"{t} ({theme_key(terms)})")
    if unmatched:
        warnings.warn(f"{len(unmatched)} of {len(out)} themes match no curated label and "
                      f"keep their generated labels: {'; '.join(unmatched)}. Read these "
                      "themes and add rows to the theme-labels file "
                      "(discourse.themes.load_theme_labels).", ThemeLabelWarning,
                      stacklevel=2)
    return out


def themes_report(
    corpus: pd.DataFrame,
    n_themes: int | None = None,
    seed: int = 0,
    theme_labels: pd.DataFrame | str | os.PathLike[str] | None = None,
    *,
    client: Any = None,
    n_jobs: int | None = None,
) -> dict[str, Any]:
    """Fit the themes of a corpus and describe them as a JSON-serialisable dict.

    Parameters
    ----------
    corpus : DataFrame
        A loaded corpus (``text`` and, if present, ``actor``).
    n_themes : int, optional
        Number of themes; None chooses it with :func:`choose_n_themes`.
    seed : int
        The ``random_state`` of every model.
    theme_labels : DataFrame or path, optional
        Curated labels (:func:`load_theme_labels`); a theme they name gets its curated
        ``label`` (the others keep the generated one, with a :class:`ThemeLabelWarning`).
        Default: generated labels only.
    client : distributed.Client, optional
        Fit the themes on a Dask cluster (:func:`discourse.distributed.fit_themes`,
        mini-batch NMF); ``n_themes`` must then be given. Stability is measured on this
        machine, on a sample of :data:`STABILITY_DOCUMENTS` statements.
    n_jobs : int, optional
        Stability fits run in parallel (:meth:`ThemeModel.score_stability`).

    Returns
    -------
    dict
        ``n_themes``, ``seed``, ``stability``, ``coherence``, ``themes`` (per theme: ``id``,
        ``label``, ``generated_label`` (its top terms), ``key`` (:func:`theme_key`),
        ``top_terms``, ``share``, ``n_documents``) and ``selection`` (the rows
        of the :func:`choose_n_themes` table; empty when ``n_themes`` is given). Floats are
        rounded to 4 decimals.

    Examples
    --------
    >>> toy = pd.DataFrame({"actor": ["A"] * 4, "text": [
    ...     "exports freelancers economy", "exports freelancers losses",
    ...     "blasphemy morality content", "blasphemy content obscene"]})
    >>> report = themes_report(toy, n_themes=2)
    >>> [t["n_documents"] for t in report["themes"]], report["selection"]
    ([2, 2], [])
    """
    texts = corpus["text"].astype(str).tolist()
    actors = corpus["actor"].astype(str).tolist() if "actor" in corpus else None
    selection: list[dict[str, Any]] = []
    if n_themes is None and client is not None:
        raise ValueError("give n_themes to fit themes on a cluster: choosing it fits every "
                         "candidate on this machine")
    if n_themes is None:
        table = choose_n_themes(texts, actors, random_state=seed, n_jobs=n_jobs)
        n_themes = int(table.loc[table["chosen"], "n_themes"].iloc[0])
        selection = [
            {"n_themes": int(row.n_themes), "stability": _round(row.stability),
             "coherence": _round(row.coherence), "chosen": bool(row.chosen),
             "reason": str(row.reason)}
            for row in table.itertuples(index=False)
        ]
    if client is None:
        model = ThemeModel(n_themes=n_themes, random_state=seed).fit(texts, actors=actors)
    else:
        from .distributed import fit_themes

        model = fit_themes(texts, n_themes, actors=actors, client=client, random_state=seed)
    model.score_stability(texts, n_jobs=n_jobs)
    names = (list(model.labels_) if theme_labels is None
             else curated_labels(model, theme_labels))
    themes = [
        {"id": int(row.theme), "label": name, "generated_label": str(row.label),
         "key": theme_key(terms), "top_terms": list(terms), "share": _round(row.share),
         "n_documents": int(row.n_documents)}
        for row, terms, name in zip(model.theme_table().itertuples(index=False),
                                    model.top_terms_, names, strict=True)
    ]
    return {
        "n_themes": int(n_themes),
        "seed": int(seed),
        "stability": _round(model.stability_),
        "coherence": _round(model.coherence_),
        "themes": themes,
        "selection": selection,
    }
