"""Frame labellers: a readable keyword lexicon and a one-vs-rest linear classifier."""

from __future__ import annotations

import csv
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix, hstack
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from .features import SentenceEncoder, make_vectorizer, preprocess, tokenize, transform_texts
from .paths import DATA_DIR
from .schema import FRAMES

__all__ = [
    "LEXICON_FILE",
    "read_frame_lexicon",
    "frame_matrix",
    "FrameLexicon",
    "FrameClassifier",
    "THRESHOLD_GRID",
    "LEXICON_WEIGHT",
    "best_threshold",
]

#: Weight of the lexicon block of :class:`FrameClassifier` (``log(1 + count)`` of each
#: frame's lexicon matches). Under organisation-grouped CV of the shipped corpus (one
#: repeat) the classifier scored micro-F1 0.666 without it, 0.752 with weight 0.5, 0.746
#: with 1 and 0.740 with 2.
LEXICON_WEIGHT = 0.5
#: Candidate thresholds of a frame's probability, tried out of fold in the training data.
THRESHOLD_GRID = tuple(round(0.05 * i, 2) for i in range(2, 19))
#: Internal folds that choose the per-frame thresholds.
_THRESHOLD_FOLDS = 3
#: Least number of training texts with (and without) a frame for its threshold to be tuned.
_MIN_TUNE = 3


def best_threshold(y, proba, grid=THRESHOLD_GRID) -> float:
    """Return the threshold of ``grid`` at which ``proba >= threshold`` predicts the frame
    as often as it is coded in ``y``.

    Ties go to the higher F1, then to the higher threshold. Matching the number of
    predicted to coded frames puts the threshold near the point where precision equals
    recall; under organisation-grouped CV of the shipped corpus it scored a higher
    micro-F1 than the threshold of best F1 (0.666 against 0.649, one repeat), which
    predicted 2.7 frames per statement for 2.1 coded (this rule: 2.2).

    Examples
    --------
    >>> best_threshold([1, 1, 0, 0], [0.9, 0.6, 0.55, 0.1])
    0.6
    """
    y = np.asarray(y, dtype=bool)
    proba = np.asarray(proba, dtype=float)
    best, best_key = 0.5, None
    for t in grid:
        pred = proba >= t
        tp = int((pred & y).sum())
        denominator = int(pred.sum()) + int(y.sum())
        f1 = 2 * tp / denominator if denominator else 0.0
        key = (-abs(int(pred.sum()) - int(y.sum())), round(f1, 12), t)
        if best_key is None or key > best_key:
            best, best_key = float(t), key
    return best

#: The shipped frame lexicon: a CSV with columns ``frame`` and ``term``.
LEXICON_FILE = DATA_DIR / "frame_lexicon.csv"


@dataclass(frozen=True)
class _Entry:
    """One lexicon entry compiled to tokens; a token ending in ``*`` is a prefix."""

    frame: str
    term: str
    tokens: tuple[str, ...]
    order: int

    @property
    def wildcards(self) -> int:
        return sum(t.endswith("*") for t in self.tokens)


def _compile_term(term: str) -> tuple[str, ...]:
    """Return the tokens of a lexicon term, or raise ValueError if tokenising loses text.

    Each whitespace-separated piece must be exactly one :func:`~discourse.features.tokenize`
    token after :func:`~discourse.features.preprocess` (so "under-16" or "e-commerce",
    which the tokenizer would cut, are refused rather than silently widened); a piece may
    end in ``*`` to match any token that starts with it.
    """
    tokens = []
    for piece in term.split():
        star = piece.endswith("*")
        stem = piece[:-1] if star else piece
        found = tokenize(preprocess(stem))
        if len(found) != 1 or found[0] != preprocess(stem):
            raise ValueError(
                f"lexicon term '{term}': '{piece}' is not one word of two or more letters "
                "(hyphenated compounds allowed, no digits); the texts could never match it"
            )
        tokens.append(found[0] + ("*" if star else ""))
    if not tokens:
        raise ValueError("empty lexicon term")
    return tuple(tokens)


def read_frame_lexicon(path: str | PathLike[str] | None = None) -> pd.DataFrame:
    """Read a frame lexicon file into a table with columns ``frame`` and ``term``.

    Parameters
    ----------
    path : str or path-like, optional
        A UTF-8 CSV with a header ``frame,term``; default :data:`LEXICON_FILE`.

    Returns
    -------
    DataFrame
        One row per entry, in file order.

    Raises
    ------
    ValueError
        If a frame code is unknown, a term cannot be matched, or a term appears twice.

    Examples
    --------
    >>> lex = read_frame_lexicon()
    >>> sorted(lex["frame"].unique()) == sorted(FRAMES)
    True
    """
    path = Path(LEXICON_FILE if path is None else path)
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [
            {"frame": (r.get("frame") or "").strip(), "term": (r.get("term") or "").strip()}
            for r in csv.DictReader(handle)
        ]
    table = pd.DataFrame(rows, columns=["frame", "term"])
    _compile(table)  # validate
    return table


def _compile(lexicon: pd.DataFrame | Mapping[str, Iterable[str]]) -> list[_Entry]:
    """Return compiled entries from a ``frame, term`` table or a ``{frame: terms}`` mapping."""
    if isinstance(lexicon, Mapping):
        pairs = [(f, t) for f, terms in lexicon.items() for t in terms]
    else:
        pairs = list(zip(lexicon["frame"], lexicon["term"], strict=True))
    entries: list[_Entry] = []
    seen: dict[tuple[str, ...], str] = {}
    for order, (frame, term) in enumerate(pairs):
        if frame not in FRAMES:
            raise ValueError(f"unknown frame code '{frame}' for term '{term}'; "
                             f"allowed: {', '.join(FRAMES)}")
        tokens = _compile_term(str(term))
        if tokens in seen:
            raise ValueError(f"lexicon term '{term}' ({frame}) duplicates an entry of "
                             f"'{seen[tokens]}'; each term may belong to one frame only")
        seen[tokens] = frame
        entries.append(_Entry(frame, str(term), tokens, order))
    return entries


def _priority(entry: _Entry) -> tuple[int, int, int]:
    return (-len(entry.tokens), entry.wildcards, entry.order)


class _Matcher:
    """Longest-match, non-overlapping scanner over the token sequence of a text."""

    def __init__(self, entries: list[_Entry]):
        # At one position the longest entry wins (in tokens); among equally long ones, the
        # one with fewer wildcards, then the earlier in the file.
        self.entries = sorted(entries, key=_priority)
        self._exact: dict[str, list[_Entry]] = {}
        self._prefix: list[tuple[str, _Entry]] = []
        for entry in self.entries:
            first = entry.tokens[0]
            if first.endswith("*"):
                self._prefix.append((first[:-1], entry))
            else:
                self._exact.setdefault(first, []).append(entry)
        self._memo: dict[str, list[_Entry]] = {}

    def _starting_with(self, token: str) -> list[_Entry]:
        found = self._memo.get(token)
        if found is None:
            found = list(self._exact.get(token, ()))
            found += [e for p, e in self._prefix if token.startswith(p)]
            found.sort(key=_priority)
            self._memo[token] = found
        return found

    def scan(self, text: str, tokens: list[str] | None = None
             ) -> list[tuple[int, int, _Entry]]:
        """Return (start, end, entry) for every match, in text order (``tokens``: the
        text's ``tokenize(preprocess(text))``, if computed already)."""
        if tokens is None:
            tokens = tokenize(preprocess(text))
        out = []
        i = 0
        size = len(tokens)
        memo = self._memo
        while i < size:
            entries = memo.get(tokens[i])
            if entries is None:
                entries = self._starting_with(tokens[i])
            if not entries:  # most tokens start no entry
                i += 1
                continue
            for entry in entries:
                n = len(entry.tokens)
                window = tokens[i + 1 : i + n]
                if len(window) == n - 1 and all(
                    _token_matches(p, t) for p, t in zip(entry.tokens[1:], window, strict=True)
                ):
                    out.append((i, i + n, entry))
                    i += n
                    break
            else:
                i += 1
        return out


def _token_matches(pattern: str, token: str) -> bool:
    return token.startswith(pattern[:-1]) if pattern.endswith("*") else token == pattern


def _as_texts(X: Iterable[str]) -> list[str]:
    if isinstance(X, str):
        raise TypeError("expected an iterable of texts, got a single string; wrap it in a list")
    return [str(x) for x in X]


def frame_matrix(frames: Iterable[Iterable[str]] | pd.DataFrame | np.ndarray) -> pd.DataFrame:
    """Return a 0/1 table with one column per frame code from lists of codes.

    A DataFrame that already has the frame columns is returned as integers, in
    :data:`~discourse.schema.FRAMES` order; so is a 2-D 0/1 array with one column per frame.

    Examples
    --------
    >>> frame_matrix([["economy", "rights"], []]).loc[:, ["economy", "rights", "security"]]
       economy  rights  security
    0        1       1         0
    1        0       0         0
    """
    if isinstance(frames, pd.DataFrame):
        missing = [f for f in FRAMES if f not in frames.columns]
        if missing:
            raise ValueError(f"the frame table lacks columns {missing}")
        return frames.loc[:, list(FRAMES)].astype(int).reset_index(drop=True)
    if isinstance(frames, np.ndarray) and frames.ndim == 2:
        if frames.shape[1] != len(FRAMES):
            raise ValueError(f"a frame array needs {len(FRAMES)} columns, got {frames.shape[1]}")
        return pd.DataFrame(frames.astype(int), columns=list(FRAMES))
    lists = []
    for codes in frames:
        if isinstance(codes, str):
            codes = [c.strip() for c in codes.split(";") if c.strip()]
        codes = set(codes)
        unknown = codes - set(FRAMES)
        if unknown:
            raise ValueError(f"unknown frame code(s) {sorted(unknown)}; "
                             f"allowed: {', '.join(FRAMES)}")
        lists.append(sorted(codes))
    matrix = MultiLabelBinarizer(classes=list(FRAMES)).fit_transform(lists)
    return pd.DataFrame(matrix.astype(int), columns=list(FRAMES))


class FrameLexicon(BaseEstimator):
    """Label frames by counting lexicon entries in a text.

    Texts and terms are both passed through :func:`~discourse.features.preprocess` and
    :func:`~discourse.features.tokenize`. The text is scanned left to right; at each token
    the longest entry that starts there matches (counted in tokens; ties go to the entry
    with fewer wildcards, then to the earlier one in the file), its tokens are consumed, and
    the scan resumes after it. So a multi-word phrase counts once, and overlapping entries
    are never double counted: in "national security" the entry "national security" matches
    and "security" does not match again. A piece ending in ``*`` matches any token beginning
    with it ("terror*" matches "terrorists" and "terrorism").

    A frame is predicted when its count reaches ``threshold`` (default 1: one matching entry
    is evidence enough, which favours recall; raise it for precision).

    Parameters
    ----------
    lexicon : str, path-like, DataFrame or mapping, optional
        A CSV file with columns ``frame, term``, a table with those columns, or a mapping
        ``{frame: [terms]}``. Default: the shipped :data:`LEXICON_FILE`.
    threshold : int, default 1
        Matches needed to predict a frame.

    Notes
    -----
    :meth:`fit` learns nothing and returns ``self``; it exists so that the lexicon sits in
    the same cross-validation loop as the trained classifier.

    The shipped lexicon (about 20 to 40 entries per frame) was written from the codebook's
    frame definitions (``register/SCHEMA.md``) and the recurring vocabulary of the debate,
    including the key terms of the shipped corpus; two entries that never pointed to their
    frame in the corpus were dropped ("app store*", "customers") and "research" was added
    to ``rights`` (access to information). Because it was written with the corpus in view,
    its scores on that corpus are optimistic: it was not built inside the CV folds.

    Examples
    --------
    >>> lex = FrameLexicon({"security": ["security", "national security"],
    ...                     "economy": ["IT exports"]})
    >>> lex.count_matches(["National security, not IT exports, and security again"])[
    ...     ["security", "economy"]]
       security  economy
    0         2        1
    """

    def __init__(self, lexicon=None, threshold: int = 1):
        self.lexicon = lexicon
        self.threshold = threshold

    def _matcher(self) -> _Matcher:
        cached = self.__dict__.get("_matcher_cache")
        if cached is not None and cached[0] is self.lexicon:
            return cached[1]
        source = self.lexicon
        if source is None or isinstance(source, str | PathLike):
            table = read_frame_lexicon(source)
        else:
            table = source
        matcher = _Matcher(_compile(table))
        self._matcher_cache = (source, matcher)
        return matcher

    def fit(self, X=None, y=None, **params) -> FrameLexicon:
        """Do nothing and return ``self`` (the lexicon is fixed)."""
        return self

    def table(self) -> pd.DataFrame:
        """Return the lexicon entries as a table with columns ``frame`` and ``term``."""
        entries = sorted(self._matcher().entries, key=lambda e: e.order)
        return pd.DataFrame({"frame": [e.frame for e in entries],
                             "term": [e.term for e in entries]})

    def matches(self, text: str) -> pd.DataFrame:
        """Return the entries that matched in one text.

        Returns
        -------
        DataFrame
            Columns ``frame``, ``term`` (as written in the lexicon), ``matched`` (the text's
            tokens) and ``position`` (index of the first token), in text order.

        Examples
        --------
        >>> FrameLexicon({"security": ["security", "national security"]}).matches(
        ...     "Citing national security and security.")[["term", "matched", "position"]]
                        term            matched  position
        0  national security  national security         1
        1           security           security         4
        """
        tokens = tokenize(preprocess(text))
        rows = [
            {"frame": e.frame, "term": e.term, "matched": " ".join(tokens[s:t]), "position": s}
            for s, t, e in self._matcher().scan(text)
        ]
        return pd.DataFrame(rows, columns=["frame", "term", "matched", "position"])

    def count_matches(self, X: Iterable[str], *,
                      tokens: list[list[str]] | None = None) -> pd.DataFrame:
        """Return the number of matches per frame: one row per text, one column per frame.

        ``tokens``: the texts' ``tokenize(preprocess(text))``, if computed already.
        """
        matcher = self._matcher()
        counts = np.zeros((0, len(FRAMES)), dtype=int)
        rows = []
        index = {f: j for j, f in enumerate(FRAMES)}
        texts = _as_texts(X)
        if tokens is not None and len(tokens) != len(texts):
            raise ValueError(f"{len(tokens)} token lists for {len(texts)} texts; give one "
                             "per text")
        for i, text in enumerate(texts):
            row = np.zeros(len(FRAMES), dtype=int)
            for _, _, entry in matcher.scan(text, None if tokens is None else tokens[i]):
                row[index[entry.frame]] += 1
            rows.append(row)
        counts = np.vstack(rows) if rows else counts
        return pd.DataFrame(counts, columns=list(FRAMES))

    def predict(self, X: Iterable[str]) -> pd.DataFrame:
        """Return 0/1 per frame: 1 where the count reaches ``threshold``."""
        return (self.count_matches(X) >= self.threshold).astype(int)


class FrameClassifier(BaseEstimator):
    """One-vs-rest logistic regression per frame over the kit's shared TF-IDF features and
    the frame lexicon's match counts.

    Features come from :func:`~discourse.features.make_vectorizer` (word unigrams and
    bigrams, the documented stop lists, ``min_df=2``, ``max_df=0.5``), fitted on the training
    texts, beside ``lexicon_weight * log(1 + count)`` of each frame's
    :class:`FrameLexicon` matches (and, with ``features="tfidf+encoder"``, the sentence
    embedding). The frames are binarised with :class:`~sklearn.preprocessing.MultiLabelBinarizer`
    (columns in :data:`~discourse.schema.FRAMES` order) and a
    :class:`~sklearn.multiclass.OneVsRestClassifier` fits, for each frame, a
    :class:`~sklearn.linear_model.LogisticRegression` with ``class_weight="balanced"`` (each
    class weighted ``n / (2 n_class)``, so a rare frame is not drowned by its negatives) for
    ``P(frame | text)``. A frame with no positive (or no negative) in the training data
    cannot be learnt: its probability is the constant 0 (or 1).

    Parameters
    ----------
    C : float, default 1.0
        Inverse L2 regularisation strength of each logistic regression.
    threshold : float or "cv", default "cv"
        A frame is predicted when its probability is at least its threshold. ``"cv"``
        chooses one threshold per frame inside the training data: out-of-fold
        probabilities from a shuffled 3-fold split of the training texts
        (:func:`~sklearn.model_selection.cross_val_predict`), and for each frame the value of
        :data:`THRESHOLD_GRID` that predicts the frame as often as it is coded
        (:func:`best_threshold`); a frame with fewer than 3 training texts with (or
        without) it keeps 0.5. A number uses that threshold for every frame.
    random_state : int, default 0
        Passed to each logistic regression and the internal folds.
    features : {"tfidf", "tfidf+encoder"}, default "tfidf"
        TF-IDF alone, or TF-IDF beside sentence embeddings (the ``encoder`` extra; see
        :class:`~discourse.stance.StanceClassifier`).
    encoder : SentenceEncoder, optional
        The encoder of ``"tfidf+encoder"`` (default: a plain one).
    encoder_weight : float, default 1.0
        Weight of the (unit-length) embedding block beside the TF-IDF block.
    lexicon_weight : float, default :data:`LEXICON_WEIGHT`
        Weight of a third block: ``log(1 + count)`` of each frame's matches of the shipped
        :class:`FrameLexicon` (0: no lexicon block). The model learns how far to trust each
        frame's lexicon entries. The lexicon was written with the corpus in view, so scores
        of a classifier that uses it are somewhat optimistic on that corpus (the
        other-genre texts, which the lexicon's authors did not see, are the fairer test).

    Attributes
    ----------
    vectorizer_ : TfidfVectorizer
        The fitted shared vectorizer (:func:`~discourse.features.make_vectorizer`).
    model_ : OneVsRestClassifier
        One fitted logistic regression (or constant) per frame.
    frames_ : list of str
        The frame codes, in :data:`~discourse.schema.FRAMES` order.
    frame_thresholds_ : dict of str to float
        The threshold of each frame.
    encoder_ : SentenceEncoder or None
        The fitted encoder block (``features="tfidf+encoder"``).
    lexicon_ : FrameLexicon or None
        The lexicon of the lexicon block.

    Examples
    --------
    >>> texts = ["blanket ban hurts IT exports and freelancers", "IT exports and jobs suffer",
    ...          "privacy and free speech are rights", "free speech and privacy matter"] * 2
    >>> clf = FrameClassifier(C=10, threshold=0.5).fit(texts, [["economy"], ["economy"], ["rights"],
    ...                                         ["rights"]] * 2)
    >>> clf.predict(["freelancers and IT exports"])[["economy", "rights"]]
       economy  rights
    0        1       0
    """

    def __init__(self, C: float = 1.0, threshold: float | str = "cv", random_state: int = 0,
                 features: str = "tfidf", encoder: SentenceEncoder | None = None,
                 encoder_weight: float = 1.0, lexicon_weight: float = LEXICON_WEIGHT):
        self.C = C
        self.threshold = threshold
        self.random_state = random_state
        self.features = features
        self.encoder = encoder
        self.encoder_weight = encoder_weight
        self.lexicon_weight = lexicon_weight

    def _transform(self, texts: list[str], tokens: list[list[str]] | None = None):
        # the vectorizer's own matrix, faster (and with the tokens if given)
        blocks = [transform_texts(self.vectorizer_, texts, tokens=tokens)]
        if self.encoder_ is not None:
            blocks.append(csr_matrix(self.encoder_.transform(texts)
                                     * float(self.encoder_weight)))
        if self.lexicon_ is not None:
            counts = self.lexicon_.count_matches(texts, tokens=tokens).to_numpy(dtype=float)
            blocks.append(csr_matrix(np.log1p(counts) * float(self.lexicon_weight)))
        return blocks[0] if len(blocks) == 1 else hstack(blocks, format="csr")

    def fit(self, X: Iterable[str], y, actors: Iterable[str] | None = None) -> FrameClassifier:
        """Fit one model per frame.

        Parameters
        ----------
        X : iterable of str
            Training texts.
        y : sequence of lists of frame codes, or DataFrame with one 0/1 column per frame
            The frames of each text.
        actors : iterable of str, optional
            The actors of the texts; their name words are dropped from the features
            (:func:`~discourse.features.name_stop_words`).

        Returns
        -------
        self
        """
        texts = _as_texts(X)
        Y = frame_matrix(y).to_numpy()
        if len(Y) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(Y)} frame rows")
        if self.features not in ("tfidf", "tfidf+encoder"):
            raise ValueError("features must be 'tfidf' or 'tfidf+encoder', "
                             f"got {self.features!r}")
        if not (self.threshold == "cv" or isinstance(self.threshold, int | float)):
            raise ValueError(f"threshold must be a number or 'cv', got {self.threshold!r}")
        self.vectorizer_ = make_vectorizer(texts, [] if actors is None else list(actors))
        try:
            self.vectorizer_.fit(texts)
        except ValueError:  # too few texts for min_df / max_df: keep every term
            self.vectorizer_.set_params(min_df=1, max_df=1.0)
            self.vectorizer_.fit(texts)
        self.lexicon_ = FrameLexicon() if self.lexicon_weight else None
        self.encoder_ = None
        if self.features == "tfidf+encoder":
            self.encoder_ = (SentenceEncoder() if self.encoder is None
                             else clone(self.encoder)).fit(texts)
        Z = self._transform(texts)
        model = OneVsRestClassifier(LogisticRegression(
            C=self.C, class_weight="balanced", random_state=self.random_state, max_iter=2000))
        self.frames_ = list(FRAMES)
        with threadpool_limits(limits=1, user_api="blas"), warnings.catch_warnings():
            # a frame in no (or every) training text is predicted as a constant, which is
            # what OneVsRestClassifier warns about; the docstring says so
            warnings.filterwarnings("ignore", message="Label .* is present in all training",
                                    category=UserWarning)
            self.model_ = clone(model).fit(Z, Y)
            if self.threshold == "cv":
                self.frame_thresholds_ = self._cv_thresholds(model, Z, Y)
            else:
                self.frame_thresholds_ = {f: float(self.threshold) for f in self.frames_}
        return self

    def _cv_thresholds(self, model, Z, Y: np.ndarray) -> dict[str, float]:
        positives = Y.sum(axis=0)
        thresholds = {f: 0.5 for f in self.frames_}
        if len(Y) < 2 * _THRESHOLD_FOLDS:
            return thresholds
        folds = KFold(_THRESHOLD_FOLDS, shuffle=True, random_state=self.random_state)
        oof = cross_val_predict(model, Z, Y, cv=folds, method="predict_proba")
        for j, frame in enumerate(self.frames_):
            if _MIN_TUNE <= positives[j] <= len(Y) - _MIN_TUNE:
                thresholds[frame] = best_threshold(Y[:, j], oof[:, j])
        return thresholds

    def predict_proba(self, X: Iterable[str], *,
                      tokens: list[list[str]] | None = None) -> pd.DataFrame:
        """Return ``P(frame | text)``: one row per text, one column per frame.

        ``tokens``: the texts' ``tokenize(preprocess(text))``, if computed already (a
        labelled batch tokenises once for all its models; not checked).
        """
        check_is_fitted(self, "model_")
        Z = self._transform(_as_texts(X), tokens)
        return pd.DataFrame(self.model_.predict_proba(Z), columns=self.frames_)

    def predict(self, X: Iterable[str]) -> pd.DataFrame:
        """Return 0/1 per frame: 1 where the probability reaches the frame's threshold
        (``frame_thresholds_``)."""
        proba = self.predict_proba(X)
        cut = np.array([self.frame_thresholds_[f] for f in self.frames_])
        return (proba >= cut).astype(int)
