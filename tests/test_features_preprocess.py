"""features.preprocess lower-cases whole pieces of text; it must equal lower-casing word by word."""

import re
import sys

import numpy as np
import pytest

from discourse import features
from discourse.corpus import load_corpus
from discourse.features import preprocess, tokenize

_WORD = re.compile(r"[^\W\d_]+")


def _word_by_word(text: str) -> str:
    """The definition: every word of letters lower-cased, except the acronym IT."""
    return _WORD.sub(lambda m: m.group(0) if m.group(0) == "IT" else m.group(0).lower(), text)


TRICKY = [
    "", "IT", "it", "It", "iT", "IT.", "(IT)", "IT-sector", "ITs", "sITe", "IT2 IT_x _IT 2IT",
    "ÎT İT İfade İFÖD", "Straße STRASSE", "ǅemal ǄEMAL", "ﬁne ﬂow", "ΟΔΟΣ Σ ΣΑ ΑΣ'Β ὈΔΥΣΣΕΎΣ",
    "Ⓐ circled Ⓩ ⓐ", "Ⅻ Roman ⅻ", "x\u0307 I\u0307T", "IT\u0301", "\u0130T", "ＩＴ ＡＢＣ",
    "«IT» “IT” — IT…", "tab\tIT\nIT\r\nEND", "ΣΙΓΜΑ IT ΤΕΛΟΣ.", "K KELVIN \u212a Å \u212b",
]


@pytest.mark.parametrize("text", TRICKY)
def test_preprocess_equals_word_by_word_on_tricky_strings(text):
    assert preprocess(text) == _word_by_word(text)
    assert tokenize(preprocess(text)) == tokenize(_word_by_word(text))


def test_preprocess_equals_word_by_word_on_the_shipped_corpus():
    corpus = load_corpus()
    for column in ("text", "actor"):
        for text in corpus[column].astype(str):
            assert preprocess(text) == _word_by_word(text)


def test_the_exceptions_cover_every_character_lower_changes_outside_words():
    """Outside words, ``str.lower`` changes exactly the characters the fast path avoids."""
    letter = re.compile(r"[^\W\d_]")
    changed = {chr(i) for i in range(sys.maxunicode + 1)
               if chr(i).lower() != chr(i) and not letter.match(chr(i))}
    assert changed  # the circled capitals, at least
    assert all(features._NOT_WORDWISE.match(c) for c in changed)
    assert features._NOT_WORDWISE.match("\u03a3")  # the capital sigma, lowered by context


# -- transform_texts: the character block without scikit-learn's per-text n-gram loop ---------


def test_transform_texts_equals_the_vectorizer_value_for_value():

    from discourse.features import make_vectorizer, transform_texts
    from discourse.stance import StanceClassifier

    corpus = load_corpus()
    texts = corpus["text"].astype(str).tolist()
    fitted = StanceClassifier().fit(texts, corpus["stance"].fillna("neutral").astype(str))
    char = dict(fitted.features_.transformer_list)["char"]
    tricky = TRICKY[1:] + ["a  b\t\tc\n\nd", "I", "ab", "Σ ΑΣ", "x" * 3, "é" * 2]
    for batch in (texts, texts[::-1][:50] + tricky):
        expected = char.transform(batch).tocsr()
        got = transform_texts(char, batch)
        assert np.array_equal(got.indptr, expected.indptr)
        assert np.array_equal(got.indices, expected.indices)
        assert np.array_equal(got.data, expected.data)  # bit for bit, not approximately
    # the whole stance matrix, and any other vectorizer, is the vectorizer's own
    whole = fitted.features_.transform(texts).tocsr()
    assert (fitted.transform(texts) != whole).nnz == 0
    assert np.array_equal(fitted.transform(texts).data, whole.data)
    word = make_vectorizer(min_df=1, max_df=1.0).fit(texts)
    assert (transform_texts(word, texts[:20]) != word.transform(texts[:20])).nnz == 0


def _same(got, expected):

    expected = expected.tocsr()
    return (np.array_equal(got.indptr, expected.indptr)
            and np.array_equal(got.indices, expected.indices)
            and np.array_equal(got.data, expected.data))


def test_transform_texts_equals_word_vectorizers_value_for_value():
    from discourse.features import make_vectorizer, transform_texts
    from discourse.frames import FrameClassifier
    from discourse.stance import STANCE_KEEP_WORDS

    corpus = load_corpus()
    texts = corpus["text"].astype(str).tolist()
    actors = corpus["actor"].astype(str).tolist()
    tricky = TRICKY[1:] + ["the the the", "IT IT exports IT", "not banned, not not", "x"]
    frames = FrameClassifier().fit(texts, corpus["frames"])
    vectorizers = [
        frames.vectorizer_,  # the frame classifier's (stop list, min_df 2, max_df 0.5)
        make_vectorizer(texts, actors, min_df=2, max_df=1.0, keep_words=STANCE_KEEP_WORDS
                        ).fit(texts),  # the stance classifier's word block
        make_vectorizer(min_df=1, max_df=1.0, ngram_range=(1, 1)).fit(texts),
    ]
    for vectorizer in vectorizers:
        for batch in (texts, tricky, texts[:1]):
            assert _same(transform_texts(vectorizer, batch), vectorizer.transform(batch))
    # settings it does not reproduce are left to the vectorizer
    trigrams = make_vectorizer(min_df=1, max_df=1.0, ngram_range=(1, 3)).fit(texts[:50])
    assert _same(transform_texts(trigrams, texts[:50]), trigrams.transform(texts[:50]))
    for ngrams in ((1, 1), (1, 3), (3, 6)):
        small = make_vectorizer(analyzer="char_wb", ngram_range=ngrams, min_df=1,
                                max_df=1.0).fit(tricky)
        assert np.array_equal(transform_texts(small, tricky).toarray(),
                              small.transform(tricky).toarray())
    with pytest.raises(ValueError, match="2 token lists for 1 texts"):
        transform_texts(vectorizers[0], texts[:1], tokens=[["a"], ["b"]])
    with pytest.raises(ValueError, match="2 token lists for 1 texts"):
        frames.lexicon_.count_matches(texts[:1], tokens=[["a"], ["b"]])
    # given tokens are used as they are: the same as tokenising again
    tokens = [tokenize(preprocess(t)) for t in texts[:30]]
    assert _same(transform_texts(vectorizers[1], texts[:30], tokens=tokens),
                 vectorizers[1].transform(texts[:30]))
    assert frames.lexicon_.count_matches(texts[:30], tokens=tokens).equals(
        frames.lexicon_.count_matches(texts[:30]))
