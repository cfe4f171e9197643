"""Fast, exact TF-IDF building blocks shared by the labellers (stance, frames, evaluation).

Cross-validation fits the same kinds of vectorizer many times on overlapping texts. What
depends on one text only (its tokens, its character n-gram counts) is memoised here, in a
bounded in-process memo; what a vectorizer learns from data (vocabulary, document
frequencies, idf) is still learnt by each ``fit`` from its own texts. The matrices equal
scikit-learn's ``TfidfVectorizer``'s entry for entry (tests/test_stance.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable
from itertools import islice
from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from threadpoolctl import ThreadpoolController

from .features import stop_words

__all__: list[str] = []  # private building blocks: import them by name


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
