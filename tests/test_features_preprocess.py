"""features.preprocess lower-cases whole pieces of text; it must equal lower-casing word by word."""

import re
import sys

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
