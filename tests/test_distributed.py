"""The Dask engine gives the single-machine results: a real two-process LocalCluster."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import GOOD_ROWS, csv_text

from discourse import load_corpus
from discourse.corpus import corpus_digest

distributed_ = pytest.importorskip("distributed")
pytest.importorskip("dask.bag")

from discourse import distributed as engine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
N = 10_000


def _synthetic(n: int) -> str:
    spec = importlib.util.spec_from_file_location("benchmark",
                                                  ROOT / "scripts" / "benchmark.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("benchmark", module)
    spec.loader.exec_module(module)
    return module.synthetic_corpus(n, seed=0)


@pytest.fixture(scope="module")
def client():
    cluster = distributed_.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
    client = distributed_.Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    path = tmp_path_factory.mktemp("scale") / "synthetic.csv"
    path.write_text(_synthetic(N), encoding="utf-8", newline="")
    return path


def test_loading_on_the_cluster_equals_the_single_machine_table(client, big, monkeypatch):
    local = load_corpus(big, max_bytes=10**10)

    def no_fallback(*args, **kwargs):
        raise AssertionError("a valid file must be read on the cluster")

    monkeypatch.setattr(engine._corpus, "load_corpus", no_fallback)
    remote = engine.load_corpus(big, client=client, max_bytes=10**10, blocksize=2_000_000)
    assert len(remote) == N
    pd.testing.assert_frame_equal(remote, local)
    assert corpus_digest(remote) == corpus_digest(local)


def test_a_problem_found_on_the_cluster_is_reported_with_file_and_line(client, write):
    rows = [*GOOD_ROWS, ["pk-4", "2024-02-30", "PTA", "state", "x"], ["pk-1", "2024-01",
                                                                        "A", "ngo", "y"]]
    path = write("bad.csv", csv_text(rows))
    local = load_corpus(path, strict=False)
    remote = engine.load_corpus(path, client=client, strict=False, blocksize=40)
    pd.testing.assert_frame_equal(remote.corpus, local.corpus)
    pd.testing.assert_frame_equal(remote.rejected, local.rejected)
    assert remote.problems == local.problems
    assert [(p.line, p.field) for p in remote.problems] == [(5, "date"), (6, "group"),
                                                            (6, "id")]
    assert engine.validate_corpus(path, client=client, blocksize=40) == local.problems


def test_a_quoted_line_break_across_blocks_is_read_as_one_row(client, write):
    rows = [[f"id-{i}", "2024-01-02", "PTA", "state", f"line one {i}\nline two, {i}"]
            for i in range(40)]
    path = write("multi.csv", csv_text(rows))
    remote = engine.load_corpus(path, client=client, blocksize=64)
    pd.testing.assert_frame_equal(remote, load_corpus(path))


def test_labels_on_the_cluster_equal_the_single_machine_labels(client, big):
    from discourse.label import fit_labellers

    bundle = fit_labellers(load_corpus())
    texts = load_corpus(big, max_bytes=10**10)["text"].tolist()[:40]
    remote = engine.label_texts(texts, bundle, client=client, npartitions=4, explain=True)
    assert remote == bundle.label(texts, explain=True)
    assert [r["source"] for r in remote] == [f"text-{i}" for i in range(1, 41)]
    lean = engine.label_texts(texts, bundle, client=client, npartitions=3)
    assert lean == bundle.label(texts)  # explain=False is the default
    assert all("evidence" not in r for r in lean)


def test_term_counts_on_the_cluster_equal_the_single_machine_counts(client, big):
    corpus = load_corpus(big, max_bytes=10**10)
    local = engine.term_counts(corpus)
    remote = engine.term_counts(corpus, client=client, npartitions=6)
    pd.testing.assert_frame_equal(remote, local)
    assert local["count"].sum() > N


def test_term_counts_are_the_counts_of_distinctive_terms():
    from discourse.contrast import distinctive_terms

    corpus = load_corpus()
    counts = engine.term_counts(corpus).set_index(["group", "term"])["count"]
    table = distinctive_terms(corpus, min_count=1)
    kit = table.set_index(["group", "term"])["count_group"]
    kit = kit[kit > 0].sort_index()
    assert counts.sort_index().equals(kit.astype(counts.dtype))


def test_the_command_line_runs_validate_info_and_terms_on_a_scheduler(client, big, capsys):
    from discourse.cli import main

    address = client.scheduler.address
    for command in (["validate", str(big), "--max-bytes", str(10**10)],
                    ["info", "--corpus", str(big), "--max-bytes", str(10**10), "--json"]):
        assert main(command) == 0
        local = capsys.readouterr()
        assert main([*command, "--scheduler", address]) == 0
        remote = capsys.readouterr()
        assert (remote.out, remote.err) == (local.out, local.err)
    assert main(["terms", "--scheduler", address, "--top", "3"]) == 0
    remote = capsys.readouterr().out
    assert main(["terms", "--top", "3"]) == 0
    assert capsys.readouterr().out == remote


def test_themes_on_the_cluster_equal_the_same_algorithm_here_and_match_exact_nmf(client, big):
    import numpy as np

    from discourse.themes import ThemeModel, _matched_similarity

    corpus = load_corpus(big, max_bytes=10**10)
    here = engine.fit_themes(corpus, 4)
    remote = engine.fit_themes(corpus, 4, client=client, npartitions=6)
    # the same vocabulary, IDF and batches, so the same mini-batch fit, bit for bit
    assert remote.terms_.tolist() == here.terms_.tolist()
    assert np.array_equal(remote.vectorizer_.idf_, here.vectorizer_.idf_)
    assert np.array_equal(remote.components_, here.components_)
    assert np.array_equal(remote.doc_themes_, here.doc_themes_)
    assert remote.top_terms_ == here.top_terms_ and remote.labels_ == here.labels_
    assert remote.coherence_ == here.coherence_
    # ... and the vocabulary and TF-IDF of the single-machine model; themes within tolerance
    exact = ThemeModel(n_themes=4).fit(corpus["text"], actors=corpus["actor"])
    assert remote.terms_.tolist() == exact.terms_.tolist()
    some = corpus["text"].tolist()[:100]
    difference = remote.vectorizer_.transform(some) - exact.vectorizer_.transform(some)
    assert abs(difference).max() == 0
    assert _matched_similarity(exact.components_, remote.components_).min() >= 0.9
    weights = remote.transform(some)
    assert weights.shape == (100, 4) and np.allclose(weights.sum(axis=1), 1.0)
    assert remote.theme_table()["n_documents"].sum() == N


def test_the_command_line_fits_themes_on_a_scheduler(client, big, capsys):
    import json

    from discourse.cli import main

    address = client.scheduler.address
    command = ["themes", "--corpus", str(big), "--n-themes", "4", "--json",
               "--theme-labels", "none"]
    assert main([*command[:3], "--scheduler", address, "--json"]) == 1
    assert "--n-themes" in capsys.readouterr().err
    assert main([*command, "--scheduler", address]) == 0
    report = json.loads(capsys.readouterr().out)
    here = engine.fit_themes(load_corpus(big, max_bytes=10**10), 4)
    assert [t["top_terms"] for t in report["themes"]] == here.top_terms_
    assert 0 <= report["stability"] <= 1
