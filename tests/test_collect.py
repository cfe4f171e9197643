"""discourse collect against a local server: every fault ends as the policy says, nothing lost.

No test touches the internet: the pages come from ``collect_server.PageServer`` on
127.0.0.1, and ``allow_loopback=True`` lets the collector reach it (private and link-local
addresses stay refused).
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("urllib3")
pytest.importorskip("trafilatura")
pytest.importorskip("pypdf")

import collect_server  # noqa: E402
from collect_server import (  # noqa: E402
    BOILERPLATE,
    LATIN_SENTENCE,
    PDF_LINES,
    SCRIPT_MARK,
    PageServer,
    article_sentences,
)

from discourse import collect, load_corpus  # noqa: E402
from discourse.cli import main  # noqa: E402
from discourse.collect import CollectPolicy, collect_corpus, compare_texts, reextract  # noqa: E402
from discourse.corpus import CorpusWarning, corpus_digest  # noqa: E402
from discourse.figures import FIGURES  # noqa: E402
from discourse.paths import shipped_corpus_file  # noqa: E402

FAST = CollectPolicy(rate=0, retries=2, backoff=0.05, max_wait=5, connect_timeout=1,
                     read_timeout=1, deadline=1.5, max_bytes=300_000, allow_loopback=True)


@pytest.fixture
def server():
    with PageServer() as srv:
        yield srv


def frame(server: PageServer, paths: list[str], ids: list[str] | None = None) -> pd.DataFrame:
    ids = ids or [f"r{i}" for i in range(len(paths))]
    return pd.DataFrame({"id": ids, "text": [f"Paraphrase of {i}." for i in ids],
                         "source_url": [server.url(p) if p.startswith("/") else p
                                        for p in paths]})


def run(server, paths, out, policy=FAST, **kwargs):
    return collect_corpus(frame(server, paths), out, policy=policy, **kwargs)


def row(result, index: int = 0) -> dict:
    return result.report.iloc[index].to_dict()


def stored(out: Path, row_id: str) -> tuple[dict, bytes | None, str | None]:
    folder = out / "cache" / collect._cache_key(row_id)
    record = json.loads((folder / "record.json").read_text())
    body = gzip.decompress((folder / "body.gz").read_bytes()) if (folder / "body.gz").exists() \
        else None
    text = (folder / "text.txt").read_text() if (folder / "text.txt").exists() else None
    return record, body, text


def check_invariant(result) -> None:
    counts = result.counts
    assert counts["rows_in"] == counts["fetched"] + counts["failed"] + counts["skipped"]
    assert counts["rows_in"] == len(result.report)
    assert set(result.report["status"]) <= set(collect.STATUSES)
    failed_or_skipped = result.report[result.report["status"] != "fetched"]
    assert (failed_or_skipped["reason"].str.len() > 0).all()


# -- the article page and what is stored ----------------------------------------------------------


def test_article_text_without_boilerplate_or_scripts(server, tmp_path):
    result = run(server, ["/article/1"], tmp_path)
    assert row(result)["status"] == "fetched"
    record, body, text = stored(tmp_path, "r0")
    for sentence in article_sentences(1):
        assert sentence in text
    for junk in (*BOILERPLATE, SCRIPT_MARK, "Cricket scores"):
        assert junk not in text
    assert record["http_status"] == 200
    assert record["content_type"] == "text/html; charset=utf-8"
    assert record["final_url"] == server.url("/article/1")
    assert record["sha256"] == hashlib.sha256(body).hexdigest()
    assert record["bytes"] == len(body) and SCRIPT_MARK.encode() in body  # raw bytes kept
    assert record["extractor"] == "trafilatura" and record["extractor_version"]
    assert record["fetched_at"].endswith("Z") and record["chars"] == len(text)
    _, headers, _ = server.requests[-1]
    assert headers["User-Agent"] == collect.user_agent()
    assert headers["User-Agent"].startswith("discourse/")


def test_robots_txt_is_read_once_per_host(server, tmp_path):
    result = run(server, ["/article/1", "/article/2", "/article/3"], tmp_path)
    assert result.counts["fetched"] == 3
    assert server.paths().count("/robots.txt") == 1
    assert server.paths()[0] == "/robots.txt"


def test_one_host_is_asked_no_faster_than_the_rate(server, tmp_path):
    policy = dataclasses.replace(FAST, rate=0.3)
    run(server, ["/article/1", "/article/2"], tmp_path, policy=policy)
    times = [t for _, _, t in server.requests]
    assert len(times) == 3  # robots.txt and two pages
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.29


# -- redirects --------------------------------------------------------------------------------


def test_redirects_are_followed_and_recorded(server, tmp_path):
    result = run(server, ["/moved", "/moved-relative"], tmp_path)
    assert result.counts["fetched"] == 2
    record, _, text = stored(tmp_path, "r1")
    assert record["redirects"] == [server.url("/moved"), server.url("/article/7")]
    assert record["final_url"] == server.url("/article/7")
    assert article_sentences(7)[0] in text


def test_rows_that_share_a_source_are_fetched_once(server, tmp_path):
    result = run(server, ["/article/1", "/moved", "/article/1"], tmp_path)
    assert result.counts["fetched"] == 3 and server.paths().count("/article/1") == 1
    first, body, text = stored(tmp_path, "r0")
    copy, body_copy, text_copy = stored(tmp_path, "r2")
    assert copy["same_as"] == "r0" and copy["id"] == "r2"
    assert (body_copy, text_copy, copy["sha256"]) == (body, text, first["sha256"])


def test_a_redirect_loop_is_cut(server, tmp_path):
    result = run(server, ["/loop"], tmp_path)
    assert row(result)["status"] == "failed"
    assert "more than 5 redirects" in row(result)["reason"]
    assert server.counts["/loop"] == 6


@pytest.mark.parametrize(("path", "address", "kind"), [
    ("/to-private", "10.0.0.1", "a private address"),
    ("/to-metadata", "169.254.169.254", "a link-local address"),
])
def test_a_redirect_to_a_private_address_is_refused(server, tmp_path, path, address, kind):
    start = time.monotonic()
    result = run(server, [path], tmp_path, policy=dataclasses.replace(FAST, connect_timeout=5))
    assert row(result)["status"] == "skipped"
    assert f"resolves to {address}, {kind}" in row(result)["reason"]
    assert time.monotonic() - start < 4  # refused before any connection was tried


@pytest.mark.parametrize("url", ["http://10.1.2.3/x", "http://[::ffff:192.168.1.1]/x",
                                 "http://[fe80::1]/x", "http://0.0.0.0/x"])
def test_private_addresses_are_refused_before_any_request(tmp_path, url):
    result = collect_corpus(pd.DataFrame({"id": ["a"], "text": ["t"], "source_url": [url]}),
                            tmp_path, policy=FAST)
    assert row(result)["status"] == "skipped"
    assert row(result)["reason"].startswith("not allowed: ")


def test_loopback_needs_the_test_flag(server, tmp_path):
    policy = dataclasses.replace(FAST, allow_loopback=False)
    result = run(server, ["/article/1"], tmp_path, policy=policy)
    assert row(result)["status"] == "skipped"
    assert "a loopback address" in row(result)["reason"]
    assert server.paths() == []


def test_robots_disallow_is_honoured_also_after_a_redirect(server, tmp_path):
    result = run(server, ["/private/secret", "/to-robots-disallowed"], tmp_path)
    assert list(result.report["status"]) == ["skipped", "skipped"]
    assert all("robots.txt disallows" in r for r in result.report["reason"])
    assert "/private/secret" not in server.paths()


@pytest.mark.parametrize(("status", "outcome"), [(404, "fetched"), (410, "fetched"),
                                                 (503, "skipped"), (429, "skipped")])
def test_a_missing_robots_txt_allows_and_a_failing_one_forbids(tmp_path, status, outcome):
    with PageServer(robots_status=status) as server:
        result = run(server, ["/private/secret"], tmp_path)
    assert row(result)["status"] == outcome
    if outcome == "skipped":
        assert "robots.txt unreachable" in row(result)["reason"]
        assert "/private/secret" not in server.paths()


@pytest.mark.parametrize(("url", "reason"), [("ftp://example.org/a", "scheme 'ftp'"),
                                             ("file:///etc/passwd", "scheme 'file'"),
                                             ("", "no source_url")])
def test_only_http_urls_are_fetched(tmp_path, url, reason):
    result = collect_corpus(pd.DataFrame({"id": ["a"], "text": ["t"], "source_url": [url]}),
                            tmp_path, policy=FAST)
    assert row(result)["status"] == "skipped" and reason in row(result)["reason"]


@pytest.fixture
def tls_server(tmp_path):
    """An https server whose certificate names only ``localhost``."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    if socket.getaddrinfo("localhost", 80, type=socket.SOCK_STREAM)[0][4][0] != "127.0.0.1":
        pytest.skip("localhost does not resolve to 127.0.0.1 first here")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
                    "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    with PageServer(tls=(str(cert), str(key))) as srv:
        yield srv, cert


def test_https_is_fetched_with_the_certificate_checked(tls_server, tmp_path, monkeypatch):
    server, cert = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test certificate only
    url = server.url("/article/1", host="localhost")
    result = collect_corpus(pd.DataFrame({"id": ["a"], "text": ["t"], "source_url": [url]}),
                            tmp_path / "ok", policy=FAST)
    assert row(result)["status"] == "fetched"
    _, headers, _ = server.requests[-1]
    assert headers["Host"] == f"localhost:{server.port}"
    wrong_name = server.url("/article/1")  # 127.0.0.1 is not the name in the certificate
    result = collect_corpus(pd.DataFrame({"id": ["a"], "text": ["t"], "source_url": [wrong_name]}),
                            tmp_path / "mismatch", policy=FAST)
    assert row(result)["status"] == "failed"
    assert "doesn't match 'localhost'" in row(result)["reason"]


def test_an_untrusted_certificate_fails(tls_server, tmp_path):
    server, _ = tls_server
    url = server.url("/article/1", host="localhost")
    result = collect_corpus(pd.DataFrame({"id": ["a"], "text": ["t"], "source_url": [url]}),
                            tmp_path, policy=FAST)
    assert row(result)["status"] == "failed"
    assert "certificate verify failed" in row(result)["reason"]


# -- content ----------------------------------------------------------------------------------


def test_pdf_pages_are_read(server, tmp_path):
    result = run(server, ["/doc.pdf"], tmp_path)
    assert row(result)["status"] == "fetched"
    record, body, text = stored(tmp_path, "r0")
    assert record["extractor"] == "pypdf" and body.startswith(b"%PDF-")
    for line in PDF_LINES:
        assert line in text


@pytest.mark.parametrize("path", ["/latin1", "/latin1-meta"])
def test_non_utf8_pages_are_decoded(server, tmp_path, path):
    result = run(server, [path], tmp_path)
    assert row(result)["status"] == "fetched"
    record, _, text = stored(tmp_path, "r0")
    assert LATIN_SENTENCE in text and "Ça a été critiqué." in text
    assert record["encoding"] == "cp1252"


def test_gzip_bodies_are_decoded_and_kept_decoded(server, tmp_path):
    result = run(server, ["/gzip"], tmp_path)
    assert row(result)["status"] == "fetched"
    record, body, text = stored(tmp_path, "r0")
    assert body.startswith(b"<!DOCTYPE html>") and article_sentences(11)[1] in text


@pytest.mark.parametrize(("path", "reason"), [
    ("/missing", "HTTP 404"),
    ("/no-text", "extraction: no main text found"),
    ("/image", "extraction: unsupported content type 'image/png'"),
])
def test_pages_without_a_text_fail_with_the_reason(server, tmp_path, path, reason):
    result = run(server, [path], tmp_path)
    assert row(result)["status"] == "failed"
    assert row(result)["reason"].startswith(reason)


def test_chunked_responses_are_read(server, tmp_path):
    result = run(server, ["/chunked"], tmp_path)
    assert row(result)["status"] == "fetched"
    assert stored(tmp_path, "r0")[1] == collect_server.article_html(14).encode()


def test_non_ascii_paths_are_percent_encoded(server, tmp_path):
    result = run(server, ["/café"], tmp_path)
    assert row(result)["status"] == "fetched" and "/caf%C3%A9" in server.paths()


def test_a_server_that_does_not_speak_http_fails_cleanly(server, tmp_path):
    result = run(server, ["/garbage"], tmp_path)
    assert row(result)["status"] == "failed"
    assert row(result)["reason"].startswith("connection error")


def test_an_existing_corpus_is_never_overwritten(tmp_path, write):
    from conftest import GOOD_ROWS, csv_text

    path = write("statements.csv", csv_text(GOOD_ROWS))
    table = pd.DataFrame({"id": ["a"], "text": ["t"], "source_url": [""]})
    with pytest.raises(ValueError, match="not a corpus written by collect"):
        collect_corpus(table, tmp_path)
    with pytest.raises(ValueError, match="not a corpus written by collect"):
        reextract(table, tmp_path)
    assert path.read_text() == csv_text(GOOD_ROWS)


def test_extraction_failures_keep_the_raw_bytes(server, tmp_path):
    run(server, ["/no-text"], tmp_path)
    record, body, text = stored(tmp_path, "r0")
    assert body and record["sha256"] == hashlib.sha256(body).hexdigest() and text is None


# -- retries, timeouts, limits ----------------------------------------------------------------


def test_429_waits_as_long_as_retry_after_asks(server, tmp_path):
    result = run(server, ["/busy"], tmp_path)
    assert row(result)["status"] == "fetched"
    first, second = server.times("/busy")
    assert second - first >= 1.0  # Retry-After: 1, though the backoff is 0.05 s
    assert stored(tmp_path, "r0")[0]["attempts"] == 2


def test_5xx_is_retried_with_backoff_then_fails(server, tmp_path):
    result = run(server, ["/always-busy"], tmp_path)
    assert row(result)["status"] == "failed"
    assert row(result)["reason"] == "HTTP 503 after 3 attempts"
    assert server.counts["/always-busy"] == 3
    first, second, third = server.times("/always-busy")
    assert third - second >= 0.09 and second - first >= 0.04  # 0.05 s, then 0.1 s


def test_a_retry_after_beyond_the_longest_wait_fails_at_once(server, tmp_path):
    start = time.monotonic()
    result = run(server, ["/wait-forever"], tmp_path)
    assert "retry after 86400 s" in row(result)["reason"]
    assert time.monotonic() - start < 4 and server.counts["/wait-forever"] == 1


def test_a_page_that_never_ends_is_dropped_at_the_deadline(server, tmp_path):
    start = time.monotonic()
    result = run(server, ["/drip", "/article/1"], tmp_path)
    elapsed = time.monotonic() - start
    assert row(result)["status"] == "failed"
    assert "did not end within 1.5 s" in row(result)["reason"]
    assert row(result, 1)["status"] == "fetched"
    assert elapsed < FAST.deadline + 4  # the page would drip for 30 s


@pytest.mark.parametrize(("path", "reason"), [
    ("/huge", "response too large: more than the limit of 300,000 bytes"),
    ("/huge-declared", "response too large: Content-Length 1,000,000,000 bytes"),
])
def test_huge_pages_are_capped(server, tmp_path, path, reason):
    result = run(server, [path], tmp_path)
    assert row(result)["status"] == "failed" and row(result)["reason"].startswith(reason)


def test_a_refused_connection_fails_after_retries(tmp_path):
    with PageServer() as gone:
        url = gone.url("/article/1")
    result = collect_corpus(pd.DataFrame({"id": ["a"], "text": ["t"], "source_url": [url]}),
                            tmp_path, policy=FAST)
    assert row(result)["status"] == "failed"
    assert row(result)["reason"].startswith("cannot connect to 127.0.0.1")


def test_the_next_address_is_tried_when_one_is_unreachable(server, tmp_path, monkeypatch):
    real = socket.getaddrinfo

    def two_addresses(host, port, *args, **kwargs):
        if host != "two.test":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
                for ip in ("127.0.0.2", "127.0.0.1")]  # nothing listens on the first

    monkeypatch.setattr(socket, "getaddrinfo", two_addresses)
    url = server.url("/article/1", host="two.test")
    result = collect_corpus(pd.DataFrame({"id": ["a"], "text": ["t"], "source_url": [url]}),
                            tmp_path, policy=FAST)
    assert row(result)["status"] == "fetched"
    _, headers, _ = server.requests[-1]
    assert headers["Host"] == f"two.test:{server.port}"


def test_a_name_with_one_private_address_is_refused(tmp_path, monkeypatch):
    real = socket.getaddrinfo

    def mixed(host, port, *args, **kwargs):
        if host != "mixed.test":
            return real(host, port, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
                for ip in ("93.184.215.14", "192.168.1.20")]

    monkeypatch.setattr(socket, "getaddrinfo", mixed)
    table = pd.DataFrame({"id": ["a"], "text": ["t"], "source_url": ["http://mixed.test/"]})
    result = collect_corpus(table, tmp_path, policy=FAST)
    assert row(result)["status"] == "skipped"
    assert "mixed.test resolves to 192.168.1.20, a private address" in row(result)["reason"]


# -- files ------------------------------------------------------------------------------------


def test_nothing_is_written_outside_the_output_folder(server, tmp_path):
    out = tmp_path / "out"
    before = set(tmp_path.rglob("*"))
    ids = ["../../escape", "/etc/passwd", "..", "a/../../b", "CON"]
    paths = ["/tricky", "/article/1", "/article/2", "/missing", "/article/3"]
    result = collect_corpus(frame(server, paths, ids), out, policy=FAST)
    check_invariant(result)
    after = set(tmp_path.rglob("*"))
    assert all(path.is_relative_to(out) for path in after - before)
    names = sorted(p.name for p in (out / "cache").iterdir())
    assert len(names) == len(ids) and all(".." not in n and "/" not in n for n in names)
    assert not list(tmp_path.rglob("escaped.html"))


def test_the_full_text_corpus_keeps_every_column_and_loads(server, tmp_path, write):
    source = [r for r in csv.DictReader(shipped_corpus_file().open(encoding="utf-8"))][:4]
    for record, path in zip(source, ["/article/1", "/missing", "/doc.pdf", "/to-private"],
                            strict=True):
        record["source_url"] = server.url(path)
    corpus = load_corpus(write_rows(write("small.csv", ""), list(source[0]), source))
    result = collect_corpus(corpus, tmp_path / "out", policy=FAST)
    assert list(result.report["status"]) == ["fetched", "failed", "fetched", "skipped"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CorpusWarning)
        full = load_corpus(result.corpus_file)
    assert all("text_source" in str(w.message) for w in caught)
    assert list(full.columns) == [*corpus.columns, "text_source"]
    assert full["text_source"].tolist() == ["source", "paraphrase", "source", "paraphrase"]
    others = [c for c in corpus.columns if c != "text"]
    assert corpus_digest(full, others) == corpus_digest(corpus, others)
    assert full["text"][1] == corpus["text"][1] and full["text"][3] == corpus["text"][3]
    assert article_sentences(1)[0] in full["text"][0]
    assert PDF_LINES[1] in full["text"][2]
    report = pd.read_csv(tmp_path / "out" / "report.csv", keep_default_na=False)
    assert report["id"].tolist() == corpus["id"].tolist()
    assert "belong to their publishers" in (tmp_path / "out" / "NOTICE.md").read_text()


def test_a_collected_corpus_is_refused_as_input(tmp_path):
    table = pd.DataFrame({"id": ["a"], "text": ["t"], "text_source": ["source"]})
    with pytest.raises(ValueError, match="already holds collected source texts"):
        collect_corpus(table, tmp_path)


# -- interrupted and resumed ------------------------------------------------------------------


PATHS = ["/article/1", "/missing", "/article/2", "/private/secret", "/doc.pdf", "/article/3"]


def test_an_interrupted_run_resumes_where_it_stopped(server, tmp_path):
    done: list[str] = []

    def stop_after_three(record):
        done.append(record.id)
        if len(done) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(server, PATHS, tmp_path, on_row=stop_after_three)
    assert not (tmp_path / "statements.csv").exists()
    fetched_before = server.paths()
    result = run(server, PATHS, tmp_path, resume=True)
    check_invariant(result)
    assert result.counts == {"rows_in": 6, "fetched": 4, "failed": 1, "skipped": 1,
                             "reused": 3}
    assert result.report["reused"].tolist() == [True] * 3 + [False] * 3
    for path in ("/article/1", "/missing", "/article/2"):  # not asked again
        assert server.paths().count(path) == fetched_before.count(path) == 1
    full = pd.read_csv(result.corpus_file, keep_default_na=False)
    assert full["text_source"].tolist() == ["source", "paraphrase", "source", "paraphrase",
                                            "source", "source"]


def test_a_run_killed_while_writing_leaves_nothing_half_done(server, tmp_path):
    run(server, PATHS[:3], tmp_path)
    folder = tmp_path / "cache" / collect._cache_key("r0")
    (folder / ".record.json.999.tmp").write_text('{"id": "r0", "sta')  # killed mid-write
    (folder / "body.gz").unlink()  # a fetched record whose body is gone is not done
    broken = tmp_path / "cache" / collect._cache_key("r2") / "record.json"
    broken.write_text('{"id": "r2", "status": "fetch')  # a torn record is not done either
    result = run(server, PATHS[:3], tmp_path, resume=True)
    check_invariant(result)
    assert result.report["reused"].tolist() == [False, True, False]
    assert result.counts["fetched"] == 2
    assert not list(tmp_path.rglob("*.tmp"))


def test_resume_retries_failed_rows_only_when_asked(server, tmp_path):
    run(server, ["/article/1", "/missing"], tmp_path)
    again = run(server, ["/article/1", "/missing"], tmp_path, resume=True)
    assert again.counts["reused"] == 2 and server.counts["/missing"] == 1
    retried = run(server, ["/article/1", "/missing"], tmp_path, resume=True, retry_failed=True)
    assert retried.report["reused"].tolist() == [True, False]
    assert server.counts["/missing"] == 2


def test_a_changed_source_url_is_fetched_again_on_resume(server, tmp_path):
    run(server, ["/article/1"], tmp_path)
    result = run(server, ["/article/2"], tmp_path, resume=True)
    assert result.counts["reused"] == 0
    assert article_sentences(2)[0] in pd.read_csv(result.corpus_file)["text"][0]


def test_only_fetches_the_rows_named(server, tmp_path):
    result = run(server, ["/article/1", "/article/2", "/article/3"], tmp_path, only=["r1"])
    assert result.report["id"].tolist() == ["r1"] and result.counts["rows_in"] == 1
    full = pd.read_csv(result.corpus_file, keep_default_na=False)
    assert full["text_source"].tolist() == ["paraphrase", "source", "paraphrase"]
    with pytest.raises(ValueError, match="no row with id 'nope'"):
        run(server, ["/article/1"], tmp_path, only=["nope"])


def test_reextract_needs_no_network(server, tmp_path):
    first = run(server, ["/article/1", "/doc.pdf", "/missing"], tmp_path)
    text_file = tmp_path / "cache" / collect._cache_key("r0") / "text.txt"
    original = text_file.read_text()
    text_file.unlink()
    table = frame(server, ["/article/1", "/doc.pdf", "/missing"])
    server.__exit__()  # no server any more
    result = reextract(table, tmp_path)
    assert result.counts == first.counts
    assert text_file.read_text() == original


# -- paraphrase and source ----------------------------------------------------------------------


def test_compare_texts_counts_words_of_both(server, tmp_path):
    table = frame(server, ["/article/1", "/missing"])
    result = collect_corpus(table, tmp_path, policy=FAST)
    full = pd.read_csv(result.corpus_file, keep_default_na=False)
    comparison = compare_texts(table, full)
    assert comparison["id"].tolist() == ["r0"]  # only the row with a source text
    first = comparison.iloc[0]
    assert first.words_source > 50 > first.words_paraphrase
    assert first.length_ratio == first.words_source / first.words_paraphrase
    assert 0 < first.jaccard < 1
    assert first.types_shared <= min(first.types_paraphrase, first.types_source)


# -- the command --------------------------------------------------------------------------------


def figures_corpus(server: PageServer, write) -> Path:
    """24 shipped statements, their sources on the test server (a few of them faulty)."""
    with shipped_corpus_file().open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [r for r in reader if r["country"] == "PK"][:24]
        header = reader.fieldnames
    faults = {3: "/missing", 7: "/private/secret", 11: "/doc.pdf", 15: "/to-private",
              19: "/latin1"}
    for i, record in enumerate(rows):
        # the source page: the statement's words amid boilerplate, with a sentence more
        server.pages[f"/statement/{i}"] = collect_server.article_html(
            i, sentences=[record["text"], f"The report was published on {record['date']}."])
        record["source_url"] = server.url(faults.get(i, f"/statement/{i}"))
    return write_rows(write("pk.csv", ""), header, rows)


def write_rows(path: Path, header: list[str], rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_collect_command_builds_a_corpus_that_validates_and_draws(server, write, tmp_path,
                                                                   capsys):
    corpus = figures_corpus(server, write)
    out = tmp_path / "collected"
    code = main(["collect", "--corpus", str(corpus), "--out", str(out), "--rate", "0",
                 "--retries", "1", "--timeout", "1", "--max-time", "2", "--allow-loopback"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "24 rows in: 21 fetched, 1 failed, 2 skipped" in captured.err
    assert "belong to their publishers" in captured.err
    lines = captured.out.splitlines()
    assert len(lines) == 24 and sum(line.startswith("fetched ") for line in lines) == 21
    assert "Traceback" not in captured.err and "it/s" not in captured.err  # no bar: not a tty
    assert main(["validate", str(out / "statements.csv")]) == 0
    assert "valid: 24 statements" in capsys.readouterr().err
    figures = tmp_path / "figures"
    assert main(["figures", "--corpus", str(out / "statements.csv"), "--out",
                 str(figures)]) == 0
    manifest = json.loads((figures / "manifest.json").read_text())
    assert manifest["skipped"] == [] and len(manifest["figures"]) == len(FIGURES)
    assert all((figures / f["path"]).is_file() for fig in manifest["figures"]
               for f in fig["files"])
    capsys.readouterr()
    assert main(["collect", "--corpus", str(corpus), "--out", str(out), "--resume",
                 "--rate", "0", "--allow-loopback"]) == 0
    assert "(24 kept from an earlier run)" in capsys.readouterr().err
    before = (out / "statements.csv").read_bytes()
    server.__exit__()  # --reextract asks nothing of the network
    assert main(["collect", "--corpus", str(corpus), "--out", str(out), "--reextract"]) == 0
    assert "24 rows in: 21 fetched, 1 failed, 2 skipped" in capsys.readouterr().err
    assert (out / "statements.csv").read_bytes() == before


def test_collect_command_explains_bad_input(capsys, tmp_path):
    assert main(["collect", "--only", "no-such-id", "--out", str(tmp_path)]) == 1
    assert "no row with id 'no-such-id'" in capsys.readouterr().err
    assert main(["collect", "--rate", "-1", "--out", str(tmp_path)]) == 1
    assert "rate must be zero or more" in capsys.readouterr().err


def test_collect_command_says_how_to_resume_after_ctrl_c(monkeypatch, capsys, tmp_path):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(collect, "collect_corpus", interrupted)
    assert main(["collect", "--out", str(tmp_path)]) == 130
    assert "--resume" in capsys.readouterr().err


# -- small parts ------------------------------------------------------------------------------


def test_retry_after_accepts_seconds_and_dates():
    assert collect._retry_after("120") == 120
    assert collect._retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert collect._retry_after("soon") is None


@pytest.mark.parametrize("bad", [{"rate": -1}, {"deadline": 0}, {"retries": -1}])
def test_policy_refuses_impossible_settings(bad):
    with pytest.raises(ValueError):
        CollectPolicy(**bad)


def test_the_shipped_corpus_is_written_back_unchanged(tmp_path):
    shipped = load_corpus()
    result = reextract(shipped, tmp_path)  # no cache yet: no request, every row a paraphrase
    assert result.counts["rows_in"] == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        full = load_corpus(result.corpus_file)
    assert (full["text_source"] == "paraphrase").all()
    assert corpus_digest(full, shipped.columns) == corpus_digest(shipped)


def test_a_killed_process_resumes_with_nothing_lost(server, tmp_path, write):
    """SIGKILL the command while it waits on a page that never ends; resume finishes."""
    from conftest import GOOD_ROWS, HEADER

    paths = ["/article/1", "/article/2", "/drip", "/article/3"]
    rows = [dict(zip(HEADER, GOOD_ROWS[i % 3], strict=True)) | {
        "id": f"k-{i}", "source_url": server.url(p)} for i, p in enumerate(paths)]
    corpus = write_rows(write("k.csv", ""), [*HEADER, "source_url"], rows)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(Path(collect.__file__).parents[1])}
    proc = subprocess.Popen([sys.executable, "-m", "discourse", "collect", "--corpus",
                             str(corpus), "--out", str(out), "--rate", "0", "--max-time", "60",
                             "--allow-loopback"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while server.counts["/drip"] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.counts["/drip"] == 1, proc.stderr.read() if proc.poll() else "no drip"
    finally:
        proc.kill()
        proc.wait()
    assert not (out / "statements.csv").exists()
    result = collect_corpus(load_corpus(corpus), out, resume=True, policy=FAST)
    check_invariant(result)
    assert result.report["reused"].tolist() == [True, True, False, False]
    assert result.report["status"].tolist() == ["fetched", "fetched", "failed", "fetched"]
    assert server.counts["/article/1"] == server.counts["/article/2"] == 1
