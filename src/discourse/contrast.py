"""Distinctive terms: weighted log-odds ratios with an informative Dirichlet prior."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import false_discovery_control, norm

from .features import MIN_DF, NGRAM_RANGE, make_count_vectorizer
from .paths import DATA_DIR

__all__ = [
    "COLUMNS",
    "SPEAKER_WORDS_FILE",
    "speaker_words",
    "distinctive_terms",
    "compare_groups",
    "top_terms",
    "groups_without_terms",
]

#: The list of speaker-label words (roles, organisation types, institutions) that
#: :func:`top_terms` leaves out with ``exclude_speakers=True``: one word a line, ``#``
#: comments.
SPEAKER_WORDS_FILE = DATA_DIR / "speaker_words.txt"

#: Columns of every table this module returns, in order.
COLUMNS = ["group", "term", "log_odds", "variance", "z", "p", "p_adj", "count_group",
           "count_rest", "n_group", "n_rest"]

_PRIORS = ("corpus", "uniform")


# -- small pure helpers ------------------------------------------------------------------------


def _weighted_log_odds(
    counts_a: np.ndarray, counts_b: np.ndarray, prior: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (log-odds ratio, its variance, z) of every term, a against b.

    ``counts_a`` and ``counts_b`` cover the whole vocabulary (their sums are ``n_a`` and
    ``n_b``); ``prior`` holds the Dirichlet pseudo-counts ``a_w`` (sum ``a_0``). Monroe et
    al. (2008), eq. 16, 18 and 22.
    """
    y_a = np.asarray(counts_a, dtype=float)
    y_b = np.asarray(counts_b, dtype=float)
    alpha = np.asarray(prior, dtype=float)
    n_a, n_b, alpha_0 = y_a.sum(), y_b.sum(), alpha.sum()
    delta = (np.log((y_a + alpha) / (n_a + alpha_0 - y_a - alpha))
             - np.log((y_b + alpha) / (n_b + alpha_0 - y_b - alpha)))
    variance = 1.0 / (y_a + alpha) + 1.0 / (y_b + alpha)
    return delta, variance, delta / np.sqrt(variance)


def _ngram_range(ngram: int | tuple[int, int]) -> tuple[int, int]:
    if isinstance(ngram, int):
        return (1, ngram)
    low, high = ngram
    return (int(low), int(high))


def _group_values(corpus: pd.DataFrame, by: str) -> list[str]:
    column = corpus[by]
    present = set(column.dropna().astype(str))
    if isinstance(column.dtype, pd.CategoricalDtype):
        return [str(c) for c in column.cat.categories if str(c) in present]
    return sorted(present)


def _check_grouping(data: pd.DataFrame, by: str) -> None:
    """Refuse a column that cannot split statements into groups (lists, ids, one value)."""
    column = data[by]
    if any(isinstance(v, list | tuple | set) for v in column):
        raise ValueError(f"column {by!r} holds lists; group by a column with one value per "
                         "statement (group, actor_type, country, stance, ...)")
    distinct = column.astype(str).nunique()
    if distinct < 2:
        raise ValueError(f"column {by!r} has {distinct} value(s) among the coded statements; "
                         "a contrast needs two values or more")
    if distinct > max(10, len(column) // 2):
        raise ValueError(f"column {by!r} has {distinct} distinct values in {len(column)} "
                         "statements: too many to be groups; choose group, actor_type, "
                         "country or stance")


def _prepare(
    corpus: pd.DataFrame, by: str, min_df: int | float, ngram: int | tuple[int, int],
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Return the ``by`` labels (as str), the term-count matrix (dense) and the terms."""
    if by not in corpus:
        raise KeyError(f"the corpus has no column {by!r}")
    # only the columns used: a copy of the whole corpus would double its memory at scale
    used = list(dict.fromkeys(c for c in (by, "text", "actor") if c in corpus))
    data = corpus.loc[corpus[by].notna(), used].reset_index(drop=True)
    _check_grouping(data, by)
    texts = data["text"].astype(str).tolist()
    actors = data["actor"].astype(str).tolist() if "actor" in data else []
    vectorizer = make_count_vectorizer(texts, actors, min_df=min_df,
                                       ngram_range=_ngram_range(ngram))
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError as err:  # scikit-learn: no term survives min_df / the stop words
        raise ValueError(f"no term occurs in at least {min_df} statements ({err}); the "
                         "corpus is too small to compare vocabularies") from err
    return data[by].astype(str), counts, vectorizer.get_feature_names_out()


def _prior(totals: np.ndarray, prior: str, prior_scale: float | None) -> np.ndarray:
    if prior not in _PRIORS:
        raise ValueError(f"prior must be one of {', '.join(_PRIORS)}, not {prior!r}")
    total = float(totals.sum())
    alpha_0 = total if prior_scale is None else float(prior_scale)
    if alpha_0 <= 0:
        raise ValueError(f"prior_scale must be positive, not {prior_scale!r}")
    if prior == "uniform":
        return np.full(totals.shape, alpha_0 / totals.size)
    return alpha_0 * totals / total


def _comparison(
    name: str, terms: np.ndarray, counts_a: np.ndarray, counts_b: np.ndarray,
    alpha: np.ndarray, min_count: int,
) -> pd.DataFrame:
    delta, variance, z = _weighted_log_odds(counts_a, counts_b, alpha)
    keep = (counts_a + counts_b) >= max(1, min_count)
    p = 2 * norm.sf(np.abs(z[keep]))  # two-sided: P(|Z| >= |z|)
    table = pd.DataFrame({
        "group": name,
        "term": terms[keep].astype(str),
        "log_odds": delta[keep],
        "variance": variance[keep],
        "z": z[keep],
        "p": p,
        "p_adj": false_discovery_control(p, method="bh") if p.size else p,
        "count_group": counts_a[keep].astype(int),
        "count_rest": counts_b[keep].astype(int),
        "n_group": int(counts_a.sum()),
        "n_rest": int(counts_b.sum()),
    }, columns=COLUMNS)
    return table.sort_values(["z", "term"], ascending=[False, True], kind="stable")


def _group_counts(labels: pd.Series, counts, value: str) -> np.ndarray:
    mask = (labels == value).to_numpy()
    return np.asarray(counts[mask].sum(axis=0)).ravel()


# -- public functions --------------------------------------------------------------------------


def speaker_words(path: str | os.PathLike[str] | None = None) -> frozenset[str]:
    """Return the speaker-label words of :data:`SPEAKER_WORDS_FILE` (or of ``path``).

    They name who speaks (``ministry``, ``committee``, ``chairman``, ``court``...) rather
    than what is argued; the group coding already tells the speakers apart.

    Examples
    --------
    >>> {"ministry", "spokesman", "court"} <= speaker_words()
    True
    >>> "rights" in speaker_words()
    False
    """
    text = Path(path or SPEAKER_WORDS_FILE).read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.lstrip().startswith("#"))


def distinctive_terms(
    corpus: pd.DataFrame,
    by: str = "group",
    *,
    prior: str = "corpus",
    prior_scale: float | None = None,
    min_count: int = 5,
    min_df: int | float = MIN_DF,
    ngram: int | tuple[int, int] = NGRAM_RANGE,
) -> pd.DataFrame:
    """Terms that each value of ``by`` uses more (or less) than all the others together.

    For each group *i* against the rest *j* (all statements of the other groups), each term
    *w* gets the weighted log-odds ratio with an informative Dirichlet prior of Monroe,
    Colaresi and Quinn (2008, eq. 16-22):

    ``delta_w = log((y_wi + a_w) / (n_i + a_0 - y_wi - a_w))
    - log((y_wj + a_w) / (n_j + a_0 - y_wj - a_w))``,

    ``var(delta_w) ~ 1 / (y_wi + a_w) + 1 / (y_wj + a_w)``, ``z_w = delta_w / sqrt(var)``,

    where ``y_wi`` is the count of *w* in group *i*, ``n_i`` the count of all terms in *i*,
    and ``a_w`` the prior pseudo-count of *w*, ``a_0`` their sum. ``p`` is the two-sided
    normal p-value of ``z``, ``2 (1 - Phi(|z|))`` (:data:`scipy.stats.norm` ``.sf``), and
    ``p_adj`` its Benjamini-Hochberg adjustment over the terms of the comparison
    (:func:`scipy.stats.false_discovery_control`, ``method="bh"``): with the ``m``
    p-values sorted, ``p_(i)`` becomes ``min(1, min over k >= i of m p_(k) / k)``; rejecting
    where it is below ``q`` controls the false discovery rate at ``q`` for independent (or
    positively dependent) tests. A positive ``z`` means *i* uses the term more.

    Counts are raw term counts (not TF-IDF) from a ``CountVectorizer`` with the tokens, stop
    words and n-grams of :func:`discourse.features.make_vectorizer`; unigrams and bigrams
    both count as terms, so ``n_i`` counts term occurrences, not words. The vocabulary is
    built once over all statements with a missing ``by`` value left out.

    Parameters
    ----------
    corpus : DataFrame
        A loaded corpus (``text``, ``actor`` for name stop words, and ``by``).
    by : str
        Column whose values are compared (``group``, ``country``, ``actor_type``...): in
        category order if it is categorical, else sorted; values with no statement are
        skipped.
    prior : {"corpus", "uniform"}
        ``corpus``: ``a_w = a_0 * (count of w in the corpus) / (count of all terms)``, the
        informative prior that shrinks every group towards the corpus's own usage.
        ``uniform``: ``a_w = a_0 / V`` for a vocabulary of ``V`` terms.
    prior_scale : float, optional
        ``a_0``, how many term occurrences the prior is worth. Default: the corpus total,
        so that ``a_w`` is the corpus count of *w* (the empirical-Bayes choice of the
        tidylo package). Smaller values let the groups' own counts speak more.
    min_count : int, default 5
        Report a term only if the compared statements use it at least this often; rarer
        terms cannot reach a large ``z``, and leaving them out keeps the BH adjustment to
        the terms that matter. They still count in ``n_group``, ``n_rest`` and the prior.
    min_df : int or float, default ``features.MIN_DF`` (2)
        A term enters the vocabulary if at least this many statements use it.
    ngram : int or (int, int), default ``features.NGRAM_RANGE`` ((1, 2))
        n-gram range; an int ``k`` means ``(1, k)``.

    Returns
    -------
    DataFrame
        Columns :data:`COLUMNS`: ``group``, ``term``, ``log_odds``, ``variance``, ``z``,
        ``p``, ``p_adj``, ``count_group``, ``count_rest`` (count in all other groups),
        ``n_group``, ``n_rest`` (term occurrences in the group and the rest). Sorted by
        group (order above), then ``z`` descending, then term. ``attrs["groups"]`` lists
        every group compared, also one with no term reaching ``min_count`` (see
        :func:`groups_without_terms`).

    References
    ----------
    Benjamini and Hochberg (1995), "Controlling the false discovery rate", JRSS B 57(1).
    Monroe, Colaresi and Quinn (2008), "Fightin' words: Lexical feature selection and
    evaluation for identifying the content of political conflict", Political Analysis
    16(4), 372-403.

    Examples
    --------
    >>> toy = pd.DataFrame({"group": ["state", "state", "industry", "industry"], "text": [
    ...     "security threat security", "security blasphemy",
    ...     "exports freelancers exports", "freelancers security"]})
    >>> table = distinctive_terms(toy, min_count=1, min_df=1, ngram=1)
    >>> table[["group", "term", "z", "count_group", "count_rest"]].round(3).tail(4)
       group         term      z  count_group  count_rest
    6  state    blasphemy  0.626            1           0
    7  state       threat  0.626            1           0
    8  state      exports -0.993            0           2
    9  state  freelancers -0.993            0           2
    """
    labels, counts, terms = _prepare(corpus, by, min_df, ngram)
    groups = _group_values(corpus, by)
    if len(groups) < 2:
        raise ValueError(f"column {by!r} needs at least two values to compare, found "
                         f"{len(groups)}")
    totals = np.asarray(counts.sum(axis=0)).ravel()
    alpha = _prior(totals, prior, prior_scale)
    tables = []
    for name in groups:
        own = _group_counts(labels, counts, name)
        tables.append(_comparison(name, terms, own, totals - own, alpha, min_count))
    out = pd.concat(tables, ignore_index=True)
    out.attrs["groups"] = list(groups)
    return out


def compare_groups(
    corpus: pd.DataFrame,
    a: str,
    b: str,
    by: str = "group",
    *,
    prior: str = "corpus",
    prior_scale: float | None = None,
    min_count: int = 5,
    min_df: int | float = MIN_DF,
    ngram: int | tuple[int, int] = NGRAM_RANGE,
) -> pd.DataFrame:
    """Terms that ``a`` uses more (or less) than ``b``: one pairwise weighted log-odds table.

    As :func:`distinctive_terms` with *j* the statements of ``b`` only: ``group`` is ``a``,
    ``count_rest`` and ``n_rest`` are counts in ``b``. The vocabulary and the
    ``prior="corpus"`` pseudo-counts come from the whole corpus (all values of ``by``), so
    that a pairwise and a one-against-rest table score the same terms. ``min_count``
    applies to ``count_group + count_rest``.

    Examples
    --------
    >>> toy = pd.DataFrame({"group": ["state", "industry", "civil_society"], "text": [
    ...     "security threat security", "exports security", "rights security"]})
    >>> table = compare_groups(toy, "state", "industry", min_count=1, min_df=1, ngram=1)
    >>> table[["group", "term", "count_group", "count_rest"]].values.tolist()[:2]
    [['state', 'threat', 1, 0], ['state', 'security', 2, 1]]
    """
    labels, counts, terms = _prepare(corpus, by, min_df, ngram)
    present = set(labels)
    for value in (a, b):
        if str(value) not in present:
            raise ValueError(f"no statement has {by} = {value!r}; values: "
                             f"{', '.join(_group_values(corpus, by))}")
    if str(a) == str(b):
        raise ValueError("a and b must differ")
    totals = np.asarray(counts.sum(axis=0)).ravel()
    alpha = _prior(totals, prior, prior_scale)
    counts_a = _group_counts(labels, counts, str(a))
    counts_b = _group_counts(labels, counts, str(b))
    return _comparison(str(a), terms, counts_a, counts_b, alpha, min_count).reset_index(
        drop=True)


def _nested(term: str, other: str) -> bool:
    """True if the words of one term all occur in the other ("human", "human rights")."""
    a, b = set(term.split()), set(other.split())
    return term != other and (a <= b or b <= a)


def top_terms(
    table: pd.DataFrame,
    n: int = 10,
    *,
    significant: bool = False,
    alpha: float = 0.05,
    exclude_speakers: bool = False,
    exclude: Iterable[str] | None = None,
    collapse_nested: bool = False,
) -> pd.DataFrame:
    """Return the ``n`` most distinctive terms of each group: positive ``z``, largest first.

    Parameters
    ----------
    table : DataFrame
        A :func:`distinctive_terms` or :func:`compare_groups` table.
    n : int
        Terms per group.
    significant : bool
        Keep only terms with ``p_adj < alpha``.
    alpha : float
        The false discovery rate for ``significant``.
    exclude_speakers : bool, default False
        Leave out a term any of whose words is a speaker label (:func:`speaker_words`):
        "interior ministry", "standing committee", "chairman".
    exclude : iterable of str, optional
        More words to leave out in the same way (lower case).
    collapse_nested : bool, default False
        Of a unigram and a bigram that contains it ("human", "human rights"), or two terms
        of which one's words all occur in the other, keep only the one of larger ``z`` (the
        first in the order above).

    Selection only: ``p_adj`` stays the Benjamini-Hochberg adjustment over all the terms
    of the comparison. ``attrs["groups_without_terms"]`` of the result lists the groups of
    ``table`` (``table.attrs["groups"]`` when set) left with no term.

    Returns
    -------
    DataFrame
        The same columns, groups in the table's order.

    Examples
    --------
    >>> toy = pd.DataFrame({"group": ["state", "state", "industry", "industry"], "text": [
    ...     "security threat security", "security blasphemy",
    ...     "exports freelancers exports", "freelancers security"]})
    >>> top = top_terms(distinctive_terms(toy, min_count=1, min_df=1, ngram=1), n=1)
    >>> top[["group", "term"]].values.tolist()
    [['industry', 'exports'], ['state', 'security']]
    >>> table = pd.DataFrame({"group": ["a"] * 3, "term": ["human rights", "human", "ministry"],
    ...                       "z": [3.0, 2.0, 1.0], "p_adj": [0.01] * 3})
    >>> top_terms(table, exclude_speakers=True, collapse_nested=True)["term"].tolist()
    ['human rights']
    """
    keep = table["z"] > 0
    if significant:
        keep &= table["p_adj"] < alpha
    words = set(speaker_words()) if exclude_speakers else set()
    words |= {str(w).lower() for w in (exclude or ())}
    if words:
        keep &= ~table["term"].astype(str).map(
            lambda t: any(w.lower() in words for w in t.split()))
    chosen = table[keep].sort_values(["z", "term"], ascending=[False, True], kind="stable")
    groups = list(table.attrs.get("groups") or dict.fromkeys(table["group"].astype(str)))
    order = {str(g): i for i, g in enumerate(groups)}
    chosen = chosen.assign(_order=chosen["group"].astype(str).map(order))
    chosen = chosen.sort_values("_order", kind="stable")
    if collapse_nested:
        # whether a term is kept depends only on the terms kept before it, so a group's
        # scan stops at its n-th kept term: the same n terms, without comparing every pair
        # of a large vocabulary (quadratic: some 900 s at 10^5 statements)
        rows = []
        for _, part in chosen.groupby("group", sort=False, observed=True):
            kept: list[str] = []
            for i, term in zip(part.index, part["term"].astype(str), strict=True):
                if n >= 1 and len(kept) >= n:
                    break
                if not any(_nested(term, k) for k in kept):
                    kept.append(term)
                    rows.append(i)
        chosen = chosen.loc[rows]
    chosen = chosen.groupby("group", sort=False, observed=True).head(n)
    out = chosen.drop(columns="_order").reset_index(drop=True)
    present = set(out["group"].astype(str))
    out.attrs["groups"] = [str(g) for g in groups]
    out.attrs["groups_without_terms"] = [str(g) for g in groups if str(g) not in present]
    return out


def groups_without_terms(top: pd.DataFrame) -> list[str]:
    """The groups a :func:`top_terms` table holds no term for (none are dropped silently).

    Examples
    --------
    >>> table = pd.DataFrame({"group": ["a", "b"], "term": ["x", "y"], "z": [2.0, -1.0],
    ...                       "p_adj": [0.01, 0.5]})
    >>> groups_without_terms(top_terms(table))
    ['b']
    """
    return list(top.attrs.get("groups_without_terms", []))
