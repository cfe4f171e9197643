"""Tests for discourse.themes: NMF themes, their stability and coherence, and reports."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.decomposition import NMF
from sklearn.exceptions import NotFittedError

from discourse.features import make_count_vectorizer
from discourse.themes import (
    STABILITY_THRESHOLD,
    ThemeModel,
    choose_from_scores,
    choose_n_themes,
    themes_report,
)
from discourse.timeline import prevalence

TOPICS = {
    "economy": ["tariff", "exports", "freelancers", "revenue", "investment", "outsourcing",
                "startups", "remittances"],
    "religion": ["blasphemy", "obscenity", "morality", "sermon", "clerics", "decency", "piety",
                 "sacrilege"],
    "privacy": ["encryption", "surveillance", "wiretap", "metadata", "anonymity",
                "interception", "tracking", "snooping"],
}


def planted(n_docs: int = 60, words: int = 8, seed: int = 0) -> pd.DataFrame:
    """Statements that each draw ``words`` words from one of three disjoint vocabularies."""
    rng = np.random.default_rng(seed)
    names = list(TOPICS)
    topic = [names[i % 3] for i in range(n_docs)]
    return pd.DataFrame({
        "id": [f"s{i}" for i in range(n_docs)],
        "date": pd.to_datetime(["2023-03-01", "2024-06-01"] * (n_docs // 2)),
        "group": pd.Categorical([["state", "industry", "civil_society", "state"][i % 4]
                                 for i in range(n_docs)],
                                categories=["civil_society", "industry", "state"]),
        "actor": "Someone",
        "topic": topic,
        "text": [" ".join(rng.choice(TOPICS[t], size=words)) for t in topic],
    })


@pytest.fixture(scope="module")
def corpus() -> pd.DataFrame:
    return planted()


@pytest.fixture(scope="module")
def model(corpus) -> ThemeModel:
    return ThemeModel(n_themes=3, top_n=8, n_seeds=5).fit(corpus["text"])


# -- recovering planted topics ----------------------------------------------------------------


def test_planted_topics_are_recovered(model, corpus):
    term_theme = dict(zip(model.terms_, model.components_.argmax(axis=0), strict=True))
    theme_of = {name: {term_theme[w] for w in words} for name, words in TOPICS.items()}
    assert all(len(themes) == 1 for themes in theme_of.values())  # a topic maps to one theme
    assert len({min(t) for t in theme_of.values()}) == 3  # ... and topics to different themes
    mapping = {name: min(t) for name, t in theme_of.items()}
    assert sorted(map(sorted, model.top_terms_)) == sorted(map(sorted, TOPICS.values()))
    assert model.dominant_theme_.tolist() == corpus["topic"].map(mapping).tolist()
    assert model.stability_ == pytest.approx(1.0, abs=1e-6)
    assert model.theme_stability_.shape == (3,)


def test_fitted_attributes(model, corpus):
    n = len(corpus)
    assert set(sum(TOPICS.values(), [])) <= set(model.terms_)  # and bigrams
    assert model.components_.shape == (3, len(model.terms_))
    assert model.doc_themes_.shape == (n, 3)
    assert np.allclose(model.doc_themes_.sum(axis=1), 1.0)
    assert len(model.labels_) == len(set(model.labels_)) == 3
    assert all(label.count(" / ") == 2 for label in model.labels_)
    # themes are numbered by decreasing share of the fitted mass sum(W[:, k]) sum(H[k]),
    # W being the factorisation's own (fit_transform), not solved again by transform
    X = model.vectorizer_.transform(corpus["text"])
    W = NMF(n_components=3, init="nndsvda", random_state=0, max_iter=1000).fit_transform(X)
    mass = (W.sum(axis=0) * model.nmf_.components_.sum(axis=1))[model.theme_order_]
    assert (np.diff(mass) <= 1e-12).all()
    assert np.array_equal(model.components_, model.nmf_.components_[model.theme_order_])
    W = W[:, model.theme_order_]
    assert np.array_equal(model.doc_themes_, W / W.sum(axis=1, keepdims=True))
    assert np.abs(model.transform(corpus["text"]) - model.doc_themes_).max() < 1e-3


def test_transform_new_texts_normalised_and_zero_for_unknown_words(model):
    weights = model.transform(["tariff exports revenue", "nothing known here"])
    assert weights[0].sum() == pytest.approx(1.0)
    assert weights[0].max() > 0.99
    assert weights[1].tolist() == [0.0, 0.0, 0.0]


def test_all_zero_statement_has_dominant_theme_minus_one():
    texts = [*planted(30)["text"], "lorem ipsum"]
    fitted = ThemeModel(n_themes=3, n_seeds=1).fit(texts)
    assert fitted.dominant_theme_[-1] == -1
    assert fitted.doc_themes_[-1].tolist() == [0.0, 0.0, 0.0]
    table = fitted.theme_table()
    assert table["n_documents"].sum() == 30
    assert table["share"].sum() == pytest.approx(30 / 31)


def test_theme_table(model, corpus):
    table = model.theme_table()
    assert list(table.columns) == ["theme", "label", "top_terms", "share", "n_documents",
                                   "weight"]
    assert table["theme"].tolist() == [0, 1, 2]
    assert table["n_documents"].tolist() == [20, 20, 20]
    assert table["share"].sum() == pytest.approx(1.0)
    assert table["weight"].sum() == pytest.approx(1.0)
    assert table["top_terms"].tolist() == [", ".join(t) for t in model.top_terms_]


def test_actor_names_are_stop_words():
    texts = [f"Zubair {t}" if i % 3 == 0 else t for i, t in enumerate(planted(30)["text"])]
    fitted = ThemeModel(n_themes=3, n_seeds=1).fit(texts, actors=["Zubair Khan"] * 30)
    assert "zubair" not in set(fitted.terms_)
    assert "zubair" in set(ThemeModel(n_themes=3, n_seeds=1).fit(texts).terms_)


def test_name_stop_words_are_the_tokens_the_documents_make_of_them():
    """'İfade' lower-cases to 'i̇fade' (i + combining dot): the documents' token is 'fade',
    so the stop word must be 'fade', and sklearn finds the stop list consistent."""
    import warnings

    from discourse.features import make_vectorizer, name_stop_words, preprocess, tokenize

    actor = "İfade Özgürlüğü Derneği (İFÖD)"
    texts = [f"{actor} said {t}" for t in planted(12)["text"]]
    words = name_stop_words(texts, [actor])
    assert {"fade", "föd"} <= words and "i̇fade" not in words
    assert all(tokenize(preprocess(w)) == [w] for w in words)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        terms = set(make_vectorizer(texts, [actor], min_df=1, max_df=1.0)
                    .fit(texts).get_feature_names_out())
    assert not {"fade", "föd", "derneği"} & terms
    assert "fade" in set(make_vectorizer(min_df=1, max_df=1.0).fit(texts)
                         .get_feature_names_out())


# -- reproducibility -------------------------------------------------------------------------


def test_same_seed_gives_identical_results(corpus):
    a = ThemeModel(n_themes=4, random_state=3, n_seeds=2).fit(corpus["text"])
    b = ThemeModel(n_themes=4, random_state=3, n_seeds=2).fit(corpus["text"])
    assert np.array_equal(a.components_, b.components_)
    assert np.array_equal(a.doc_themes_, b.doc_themes_)
    assert a.labels_ == b.labels_
    assert (a.stability_, a.coherence_) == (b.stability_, b.coherence_)


def test_the_largest_topic_is_theme_zero():
    """Topics of 30, 20 and 10 statements: numbered by size, far from any tie."""
    rng = np.random.default_rng(1)
    sizes = {"privacy": 10, "economy": 30, "religion": 20}
    texts = [" ".join(rng.choice(TOPICS[t], size=8)) for t, k in sizes.items() for _ in range(k)]
    fitted = ThemeModel(n_themes=3, top_n=8, n_seeds=0).fit(texts)
    named = [next(t for t, words in TOPICS.items() if terms[0] in words)
             for terms in fitted.top_terms_]
    assert named == ["economy", "religion", "privacy"]
    assert np.bincount(fitted.dominant_theme_).tolist() == [30, 20, 10]


REPORT = ("import json; from discourse import load_corpus; from discourse.themes import "
          "themes_report; print(json.dumps(themes_report(load_corpus(), n_themes=4, seed=0), "
          "sort_keys=True))")


def test_report_is_identical_in_a_new_process():
    from discourse import load_corpus

    here = json.dumps(themes_report(load_corpus(), n_themes=4, seed=0), sort_keys=True)
    # another hash seed and another OpenBLAS kernel (Haswell instead of an AVX-512 one)
    env = {**os.environ, "PYTHONHASHSEED": "12345", "OPENBLAS_CORETYPE": "Haswell"}
    there = subprocess.run([sys.executable, "-c", REPORT], capture_output=True, text=True,
                           check=True, env=env).stdout.strip()
    assert there == here
    report = json.loads(here)
    assert report["n_themes"] == 4 and len(report["themes"]) == 4
    assert report["seed"] == 0 and report["selection"] == []


# -- stability and coherence -----------------------------------------------------------------


def test_stability_is_lower_for_too_many_themes(model, corpus):
    too_many = ThemeModel(n_themes=6, top_n=8, n_seeds=5).fit(corpus["text"])
    assert model.stability_ > 0.99
    assert too_many.stability_ < STABILITY_THRESHOLD
    assert too_many.stability_ < model.stability_ - 0.2


def test_stability_uses_n_seeds_runs(corpus):
    fitted = ThemeModel(n_themes=6, n_seeds=2).fit(corpus["text"])
    assert 0 <= fitted.stability_ <= 1
    assert fitted.theme_stability_.mean() == pytest.approx(fitted.stability_)
    assert fitted.stability_ != ThemeModel(n_themes=6, n_seeds=3).fit(corpus["text"]).stability_


def npmi_by_hand(n: int, d_w: int, d_v: int, d_wv: int) -> float:
    """NPMI(w, v) = log(N D(w, v) / (D(w) D(v))) / -log(D(w, v) / N); -1 if never together,
    1 if together in every document."""
    if d_wv == 0:
        return -1.0
    if d_wv == n:
        return 1.0
    return math.log(n * d_wv / (d_w * d_v)) / -math.log(d_wv / n)


def test_npmi_by_hand_known_values():
    assert npmi_by_hand(4, 2, 2, 1) == 0.0  # independent
    assert npmi_by_hand(4, 2, 1, 1) == pytest.approx(0.5)
    assert npmi_by_hand(4, 2, 1, 0) == -1.0


def test_coherence_is_the_mean_npmi_of_the_top_terms(corpus):
    """Recount, with plain sets, which statements hold each top term, and redo the NPMI."""
    fitted = ThemeModel(n_themes=3, top_n=5, n_seeds=0).fit(corpus["text"])
    analyse = fitted.vectorizer_.build_analyzer()
    docs = [set(analyse(text)) for text in corpus["text"]]
    n = len(docs)
    for theme, terms in enumerate(fitted.top_terms_):
        pairs = [(w, v) for i, w in enumerate(terms) for v in terms[i + 1:]]
        scores = [npmi_by_hand(n, sum(w in d for d in docs), sum(v in d for d in docs),
                               sum(w in d and v in d for d in docs)) for w, v in pairs]
        assert fitted.theme_coherence_[theme] == pytest.approx(sum(scores) / len(scores))
    assert fitted.coherence_ == pytest.approx(fitted.theme_coherence_.mean())


def test_coherence_in_range(model, corpus):
    assert -1 <= model.coherence_ <= 1
    assert ((model.theme_coherence_ >= -1) & (model.theme_coherence_ <= 1)).all()
    many = ThemeModel(n_themes=10, top_n=5, n_seeds=1).fit(corpus["text"])
    assert -1 <= many.coherence_ <= 1


def test_labels_are_the_first_top_terms_that_repeat_no_word(model):
    for label, terms in zip(model.labels_, model.top_terms_, strict=True):
        picked, seen = [], set()
        for term in terms:
            if not set(term.split()) & seen:
                picked.append(term)
                seen |= set(term.split())
        assert label == " / ".join(picked[:3])
    texts = ["tariff exports revenue", "tariff exports growth", "exports growth revenue",
             "tariff growth revenue", "blasphemy sermon clerics", "blasphemy sermon piety",
             "piety clerics sermon"] * 2
    fitted = ThemeModel(n_themes=2, top_n=6, n_seeds=0).fit(texts)
    religion = next(t for t, terms in enumerate(fitted.top_terms_) if "sermon" in terms)
    terms = fitted.top_terms_[religion]
    assert terms[:3] == ["sermon", "blasphemy", "blasphemy sermon"]
    label = fitted.labels_[religion].split(" / ")
    assert label[:2] == ["sermon", "blasphemy"] and label[2] in {"clerics", "piety"}


# -- choosing the number of themes -----------------------------------------------------------


def test_choice_rule_prefers_coherence_among_stable_models():
    table = pd.DataFrame({"n_themes": [4, 5, 6, 7], "stability": [1.0, 0.95, 0.85, 0.9],
                          "coherence": [0.2, 0.3, 0.5, 0.3]})
    chosen = choose_from_scores(table)
    assert chosen["chosen"].tolist() == [False, True, False, False]  # 6 is unstable; 5 < 7
    assert chosen["reason"].tolist()[2].startswith("unstable")
    assert chosen["reason"].tolist()[3].startswith("as coherent as 5")


def test_choice_rule_falls_back_to_the_most_stable():
    table = pd.DataFrame({"n_themes": [4, 5, 6], "stability": [0.8, 0.85, 0.85],
                          "coherence": [0.5, 0.1, 0.2]})
    chosen = choose_from_scores(table)
    assert chosen["chosen"].tolist() == [False, True, False]
    assert chosen["reason"].tolist()[1].startswith("no model reaches")


def test_choose_n_themes_on_planted_topics(corpus):
    table = choose_n_themes(corpus["text"], candidates=[2, 3, 6, 21])
    assert list(table.columns) == ["n_themes", "stability", "coherence", "empty_themes",
                                   "chosen", "reason"]
    assert table["n_themes"].tolist() == [2, 3, 6, 21]
    assert table["chosen"].sum() == 1
    assert table.loc[table["chosen"], "n_themes"].item() == 3
    # 60 statements support at most 60 // MIN_DOCS_PER_THEME = 20 themes
    assert table["stability"].isna().tolist() == [False, False, False, True]
    assert table["reason"].iloc[3].startswith("cannot fit")


def test_themes_report_chooses_and_is_json():
    corpus = planted(30).drop(columns=["topic"])
    report = themes_report(corpus)
    json.dumps(report)
    assert set(report) == {"n_themes", "seed", "stability", "coherence", "themes", "selection"}
    assert [row["n_themes"] for row in report["selection"]] == list(range(4, 13))
    chosen = [row for row in report["selection"] if row["chosen"]]
    assert len(chosen) == 1 and chosen[0]["n_themes"] == report["n_themes"]
    assert set(report["themes"][0]) == {"id", "label", "generated_label", "key", "top_terms",
                                        "share", "n_documents"}
    assert all(t["label"] == t["generated_label"] for t in report["themes"])  # no labels given
    assert sum(t["n_documents"] for t in report["themes"]) == len(corpus)
    assert all(round(v, 4) == v for v in (report["stability"], report["coherence"]))


# -- scikit-learn conventions ----------------------------------------------------------------


def test_clone_and_params():
    original = ThemeModel(n_themes=3, top_n=4, n_seeds=2, random_state=7, max_iter=50)
    copy = clone(original)
    assert copy.get_params() == original.get_params()
    fitted = clone(ThemeModel(n_themes=3, n_seeds=1)).fit(planted(30)["text"])
    assert not hasattr(clone(fitted), "nmf_")


def test_transform_before_fit_raises():
    with pytest.raises(NotFittedError):
        ThemeModel().transform(["a statement"])
    with pytest.raises(NotFittedError):
        ThemeModel().theme_table()


def test_bad_input():
    with pytest.raises(TypeError):
        ThemeModel().fit("one string")
    with pytest.raises(ValueError, match="n_themes"):
        ThemeModel(n_themes=50).fit(planted(30)["text"])


# -- per-statement weights, aggregated by timeline ---------------------------------------------


def test_weight_table_is_transform_with_labels(model, corpus):
    weights = model.weight_table(corpus["text"], index=corpus.index)
    assert list(weights.columns) == model.labels_
    assert np.array_equal(weights.to_numpy(), model.transform(corpus["text"]))
    assert weights.index.equals(corpus.index)


def test_theme_weights_by_group_and_year_add_up(model, corpus):
    table = prevalence(corpus, model.weight_table(corpus["text"]), by="group", period="year",
                       n_boot=50)
    assert table["variable"].unique().tolist() == model.labels_
    per_period = corpus["date"].dt.year.astype(str).value_counts().to_dict()
    for label in model.labels_:
        part = table[table["variable"] == label]
        assert part.groupby("period")["n"].sum().to_dict() == per_period
    assert (table["ci_low"] <= table["mean"]).all() and (table["mean"] <= table["ci_high"]).all()
    cell_sums = table.groupby(["group", "period"])["mean"].sum()
    assert np.allclose(cell_sums, 1.0)
    # each planted topic lives in one theme: its statements weigh (almost) 1 there
    economy = model.labels_[model.dominant_theme_[0]]
    first = corpus.iloc[[0]]
    assert prevalence(first, model.weight_table(first["text"]), by=None, period="all",
                      n_boot=10).set_index("variable").loc[economy, "mean"] > 0.99


# -- small corpora and curated labels ----------------------------------------------------------


def test_the_chooser_never_picks_more_themes_than_the_corpus_supports():
    from discourse.themes import MIN_DOCS_PER_THEME

    texts = ["ban social media platforms now", "social media ban hurts speech",
             "platforms must verify age", "age checks protect children",
             "children safety online matters", "speech rights matter online",
             "verify age of users online"]
    table = choose_n_themes(texts, candidates=[1, 2, 3, 5])
    fitted = table.dropna(subset=["stability"])
    assert fitted["n_themes"].max() <= len(texts) // MIN_DOCS_PER_THEME
    chosen = table.loc[table["chosen"]].iloc[0]
    assert chosen["empty_themes"] == 0
    assert table.loc[table["n_themes"] == 5, "reason"].item().startswith("cannot fit")


def test_a_candidate_with_an_empty_theme_is_never_chosen():
    scores = pd.DataFrame({"n_themes": [2, 3], "stability": [0.95, 0.99],
                           "coherence": [0.1, 0.9], "empty_themes": [0, 1]})
    chosen = choose_from_scores(scores)
    assert chosen["chosen"].tolist() == [True, False]
    assert "no statement of their own" in chosen["reason"].iloc[1]


def test_curated_labels_name_matched_themes_and_warn_for_the_rest():
    from discourse.themes import ThemeLabelWarning, curated_labels, theme_key

    texts = ["exports freelancers economy", "exports freelancers losses",
             "blasphemy morality content", "blasphemy content obscene"]
    model = ThemeModel(n_themes=2, top_n=5, n_seeds=0).fit(texts)
    # the key's terms in another order still match
    key = " / ".join(reversed(theme_key(model.top_terms_[1]).split(" / ")))
    rows = pd.DataFrame({"theme_key": [key], "label": ["Religious objections"],
                         "note": [""]})
    with pytest.warns(ThemeLabelWarning, match="1 of 2 themes") as caught:
        names = curated_labels(model, rows)
    assert names == [model.labels_[0], "Religious objections"]
    assert theme_key(model.top_terms_[0]) in str(caught[0].message)


def test_the_shipped_labels_match_the_shipped_themes():
    """corpus/theme_labels.csv names every theme of the figure's model on this corpus."""
    import warnings

    from discourse import figures, load_corpus
    from discourse.themes import ThemeLabelWarning, curated_labels, load_theme_labels

    corpus = load_corpus()
    model = ThemeModel(n_themes=figures.N_THEMES, n_seeds=0).fit(
        corpus["text"], actors=corpus["actor"])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ThemeLabelWarning)
        names = curated_labels(model)
    assert set(names) == set(load_theme_labels()["label"])
    for word in ("committee", "court", "council", "association"):  # speakers, not arguments
        assert not any(name.lower().startswith(word) for name in names)


def test_a_bad_labels_file_is_refused_with_its_line(tmp_path):
    from discourse.themes import load_theme_labels

    path = tmp_path / "theme_labels.csv"
    path.write_text("theme_key,label,note\na / b,First,\nb / a,Again,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 3, field theme_key"):
        load_theme_labels(path)
    path.write_text("theme_key,note\na,\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing column"):
        load_theme_labels(path)


# -- stability on demand, mini-batches and the vocabulary cap ----------------------------------


def test_fit_measures_no_stability_unless_asked(corpus):
    fitted = ThemeModel(n_themes=3, top_n=8).fit(corpus["text"])
    assert np.isnan(fitted.stability_) and np.isnan(fitted.theme_stability_).all()
    assert fitted.stability_documents_ == 0


def test_score_stability_on_the_training_texts_is_the_fit_time_stability(model, corpus):
    """Without sampling, the reference refit on the training texts is the model itself."""
    again = ThemeModel(n_themes=3, top_n=8).fit(corpus["text"])
    assert again.score_stability(corpus["text"], n_seeds=5) == model.stability_
    assert again.theme_stability_ == pytest.approx(model.theme_stability_, abs=1e-12)
    assert again.stability_documents_ == len(corpus)
    six = ThemeModel(n_themes=6, n_seeds=2).fit(corpus["text"])
    assert ThemeModel(n_themes=6).fit(corpus["text"]).score_stability(
        corpus["text"], n_seeds=2) == six.stability_


def test_score_stability_on_a_seeded_sample(corpus):
    fitted = ThemeModel(n_themes=3, top_n=8).fit(corpus["text"])
    first = fitted.score_stability(corpus["text"], n_seeds=3, max_documents=30)
    assert fitted.stability_documents_ == 30
    assert fitted.theme_stability_.shape == (3,)
    assert first == pytest.approx(fitted.theme_stability_.mean())
    assert first > 0.99  # the planted topics are found in any 30 of the statements
    # the same sample again (seeded by random_state), and another with another seed
    assert fitted.score_stability(corpus["text"], n_seeds=3, max_documents=30) == first
    other = ThemeModel(n_themes=6, random_state=1).fit(corpus["text"])
    a = other.score_stability(corpus["text"], n_seeds=2, max_documents=30)
    b = other.score_stability(corpus["text"], n_seeds=2, max_documents=None)
    assert other.stability_documents_ == len(corpus) and a != b
    with pytest.raises(ValueError, match="n_seeds"):
        fitted.score_stability(corpus["text"], n_seeds=0)


def test_stability_fits_in_parallel_give_the_same_result(corpus):
    fitted = ThemeModel(n_themes=6).fit(corpus["text"])
    one = fitted.score_stability(corpus["text"], n_seeds=3, max_documents=40)
    per_theme = fitted.theme_stability_.copy()
    assert fitted.score_stability(corpus["text"], n_seeds=3, max_documents=40,
                                  n_jobs=2) == one
    assert np.array_equal(fitted.theme_stability_, per_theme)


def test_mini_batch_nmf_is_deterministic_and_finds_the_planted_topics(corpus):
    a = ThemeModel(n_themes=3, top_n=8, batch_size=16).fit(corpus["text"])
    b = ThemeModel(n_themes=3, top_n=8, batch_size=16).fit(corpus["text"])
    assert type(a.nmf_).__name__ == "MiniBatchNMF" and a.nmf_.batch_size == 16
    assert np.array_equal(a.components_, b.components_)
    assert np.array_equal(a.doc_themes_, b.doc_themes_)
    assert sorted(map(sorted, a.top_terms_)) == sorted(map(sorted, TOPICS.values()))
    assert np.bincount(a.dominant_theme_).tolist() == [20, 20, 20]
    assert a.transform(["tariff exports revenue"]).max() > 0.99


def test_exact_nmf_by_default_and_a_bad_batch_size_is_refused(corpus):
    fitted = ThemeModel(n_themes=3).fit(corpus["text"])
    assert type(fitted.nmf_).__name__ == "NMF"
    with pytest.raises(ValueError, match="batch_size"):
        ThemeModel(n_themes=3, batch_size="big").fit(corpus["text"])
    with pytest.raises(ValueError, match="batch_size"):
        ThemeModel(n_themes=3, batch_size=0).fit(corpus["text"])


MINIBATCH = ("import json; from discourse import load_corpus; from discourse.themes import "
             "ThemeModel, _mass_shares; c = load_corpus(); m = ThemeModel(n_themes=12, "
             "batch_size=128).fit(c['text'], actors=c['actor']); print(json.dumps([m.top_terms_, "
             "m.dominant_theme_.tolist(), [round(float(x), 6) for x in "
             "_mass_shares(m.doc_themes_, m.components_)]]))")


def test_mini_batch_themes_are_the_same_under_another_blas_kernel():
    runs = [subprocess.run([sys.executable, "-c", MINIBATCH], capture_output=True, text=True,
                           check=True, env={**os.environ, **extra}).stdout
            for extra in ({}, {"OPENBLAS_CORETYPE": "Haswell"})]
    assert runs[0] == runs[1]
    assert len(json.loads(runs[0])[0]) == 12


def test_the_vocabulary_cap_keeps_the_most_frequent_terms(corpus):
    fitted = ThemeModel(n_themes=3, top_n=4, max_features=12).fit(corpus["text"])
    assert len(fitted.terms_) == 12
    full = ThemeModel(n_themes=3, max_features=None).fit(corpus["text"])
    counter = make_count_vectorizer(max_df=full.vectorizer_.max_df)
    counts = counter.fit_transform(corpus["text"])  # the same terms, raw counts
    assert counter.get_feature_names_out().tolist() == full.terms_.tolist()
    frequency = dict(zip(full.terms_, np.asarray(counts.sum(axis=0)).ravel(), strict=True))
    kept = min(frequency[t] for t in fitted.terms_)
    assert all(frequency[t] <= kept for t in set(full.terms_) - set(fitted.terms_))


def test_the_default_cap_leaves_the_shipped_vocabulary_whole():
    from discourse import load_corpus
    from discourse.features import make_vectorizer
    from discourse.themes import MAX_FEATURES

    corpus = load_corpus()
    texts, actors = corpus["text"].tolist(), corpus["actor"].tolist()
    whole = make_vectorizer(texts, actors).fit(texts).get_feature_names_out()
    assert len(whole) < MAX_FEATURES
    model = ThemeModel(n_themes=2).fit(texts, actors=actors)
    assert model.terms_.tolist() == whole.tolist()


def test_fit_themes_without_a_cluster_streams_the_same_model_for_any_partitioning(corpus):
    """discourse.distributed.fit_themes with client=None: vocabulary (with the cap's choice
    among terms of equal count) and IDF as one vectorizer fitted on all statements, and
    batches in statement order, so the partitioning does not matter."""
    from discourse.distributed import fit_themes

    texts = corpus["text"].tolist()
    counts = make_count_vectorizer(max_df=0.5).fit_transform(texts).sum(axis=0)
    counts = np.sort(np.asarray(counts).ravel())[::-1]
    assert counts[39] == counts[40]  # terms of equal count on both sides of the cap
    one = fit_themes(texts, 3, top_n=8, max_features=40, batch_size=16)
    three = fit_themes(texts, 3, top_n=8, max_features=40, batch_size=16, npartitions=7)
    assert np.array_equal(one.components_, three.components_)
    assert np.array_equal(one.doc_themes_, three.doc_themes_)
    model = ThemeModel(n_themes=3, top_n=8, max_features=40).fit(texts)
    assert one.terms_.tolist() == model.terms_.tolist()
    assert np.array_equal(one.vectorizer_.idf_, model.vectorizer_.idf_)
    assert sorted(map(sorted, one.top_terms_)) == sorted(map(sorted, model.top_terms_))
    assert np.array_equal(one.dominant_theme_, model.dominant_theme_)
    assert np.isnan(one.stability_) and one.score_stability(texts, n_seeds=2) > 0.9
