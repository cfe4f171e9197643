"""Rebuild a full-text corpus from each statement's ``source_url``: the only module that
touches the network.

:func:`collect_corpus` fetches every row's source page, politely (robots.txt, one request
at a time, a delay per host, retries with backoff, ``Retry-After``) and safely (http and
https only; no private, loopback or link-local address, checked on the resolved address of
the first URL and of every redirect; capped size, time and redirects; no script is run),
keeps the raw bytes and the extracted main text in a cache folder, and writes a full-text
corpus that :func:`discourse.load_corpus` reads like any other. Every row ends as
``fetched``, ``failed`` (with the reason) or ``skipped`` (robots.txt or the address policy
forbade it), so rows in = fetched + failed + skipped, always; an interrupted run resumes
where it stopped.

The network libraries (urllib3, trafilatura, pypdf) come with the ``collect`` extra and
are imported only when a page is fetched or extracted, so :func:`compare_texts` works on
the core install.

Layout of the output folder::

    OUT/statements.csv            the full-text corpus (text_source: source or paraphrase)
    OUT/report.csv                one line per row of the last run: status, reason, URLs
    OUT/NOTICE.md                 the collected texts belong to their publishers
    OUT/cache/<key>/record.json   status and metadata of one row (written last, atomically)
    OUT/cache/<key>/body.gz       the raw bytes of the response, gzip-compressed
    OUT/cache/<key>/text.txt      the extracted main text

``<key>`` is the row's id reduced to ``[A-Za-z0-9._-]`` plus a hash of the id: no part of
a URL or of a response header ever names a file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import email.utils
import gzip
import hashlib
import http.client
import io
import ipaddress
import json
import os
import re
import socket
import time
import urllib.parse
import urllib.robotparser
import zlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from os import PathLike
from pathlib import Path
from typing import Any

import pandas as pd

from . import __version__, schema

__all__ = [
    "CollectPolicy",
    "CollectResult",
    "RowResult",
    "STATUSES",
    "MIN_WORDS",
    "TEXT_SOURCES",
    "user_agent",
    "collect_corpus",
    "reextract",
    "extract_text",
    "compare_texts",
]

#: How a row ends: fetched (its source text is in the cache), failed (with the reason) or
#: skipped (robots.txt, or the address policy, forbade fetching it).
STATUSES: tuple[str, ...] = ("fetched", "failed", "skipped")
#: Values of the ``text_source`` column of a collected corpus.
TEXT_SOURCES: tuple[str, ...] = ("paraphrase", "source")
#: A page whose main text has fewer words is taken to have none (menus, a cookie notice).
MIN_WORDS = 5
#: The product token matched against robots.txt ``User-agent`` lines.
ROBOTS_AGENT = "discourse"
REPORT_COLUMNS = ["id", "status", "reason", "source_url", "final_url", "http_status",
                  "content_type", "extractor", "chars", "sha256", "reused"]
_REDIRECTS = (301, 302, 303, 307, 308)
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_CHUNK = 65_536
_ROBOTS_MAX_BYTES = 512_000
#: Extracted texts are cut to stay under the corpus loader's field limit (the cut is recorded).
_MAX_TEXT_BYTES = schema.MAX_FIELD_BYTES - 1_000
_NOTICE = """\
# Collected texts: for your own analysis only

The files in this folder were fetched by `discourse collect` from the `source_url` of each
statement. The texts belong to their publishers and authors; they are not covered by the
licence of the discourse corpus (CC BY 4.0 covers only our paraphrases and codes). Keep
them on your machine for your own analysis; do not publish or redistribute them (quote
from them only as the law of your country allows, citing the source).

`report.csv` says, for each row, whether its source was fetched, failed or skipped and why;
`cache/` holds the raw bytes of every response, so the extraction can be redone without
fetching again (`discourse collect --reextract`).
"""


def user_agent() -> str:
    """Return the User-Agent that ``collect`` sends: the kit, its version and its home.

    The address is the package's declared ``Repository`` (or ``Homepage``) project URL
    when the installed metadata has one.

    Examples
    --------
    >>> user_agent().startswith("discourse/")
    True
    """
    home = "research kit on public statements about regulating VPNs"
    try:
        from importlib.metadata import PackageNotFoundError, metadata

        urls = metadata("discourse").get_all("Project-URL") or []
    except (ImportError, PackageNotFoundError):  # pragma: no cover - not installed
        urls = []
    for label in ("repository", "source", "homepage"):
        for entry in urls:
            name, _, url = entry.partition(",")
            if name.strip().lower() == label and url.strip():
                home = f"+{url.strip()}; {home}"
                break
        else:
            continue
        break
    return f"{ROBOTS_AGENT}/{__version__} ({home})"


@dataclass(frozen=True)
class CollectPolicy:
    """How politely and how carefully ``collect`` fetches.

    Parameters
    ----------
    rate : float, default 2.0
        Least number of seconds between two requests to the same host (a robots.txt
        ``Crawl-delay`` that is longer wins). Requests are made one at a time.
    retries : int, default 3
        Further attempts after a 429, a 5xx or a connection error; waits grow as
        ``backoff * 2**attempt`` seconds (at most ``max_wait``), or as long as the server's
        ``Retry-After`` asks when that is longer.
    backoff : float, default 1.0
        The first wait before a retry, in seconds.
    max_wait : float, default 120.0
        The longest wait ``collect`` accepts; a ``Retry-After`` beyond it fails the row.
    connect_timeout, read_timeout : float, default 10.0 and 30.0
        Seconds to open a connection, and to wait for the next bytes of a response.
    deadline : float, default 60.0
        Seconds one response may take in total (so a server that drips bytes forever is
        dropped).
    max_bytes : int, default 20_000_000
        Largest response body (after decompression) kept; a larger one fails the row.
    max_redirects : int, default 5
        Redirects followed from one URL.
    allow_loopback : bool, default False
        Allow the loopback addresses (127.0.0.0/8, ::1), for tests with a local server.
        Private, link-local and other non-public addresses are refused regardless.
    user_agent : str, optional
        Sent as ``User-Agent``; default :func:`user_agent`.

    Examples
    --------
    >>> CollectPolicy(rate=5, retries=1).max_redirects
    5
    >>> CollectPolicy(rate=-1)
    Traceback (most recent call last):
    ...
    ValueError: rate must be zero or more, not -1
    """

    rate: float = 2.0
    retries: int = 3
    backoff: float = 1.0
    max_wait: float = 120.0
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 60.0
    max_bytes: int = 20_000_000
    max_redirects: int = 5
    allow_loopback: bool = False
    user_agent: str | None = None

    def __post_init__(self) -> None:
        for name in ("rate", "backoff", "max_wait"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be zero or more, not {getattr(self, name)}")
        for name in ("connect_timeout", "read_timeout", "deadline"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)}")
        if self.retries < 0 or self.max_redirects < 0 or self.max_bytes < 1:
            raise ValueError("retries and max_redirects must be zero or more, max_bytes "
                             "positive")


@dataclass
class RowResult:
    """How one row ended, as stored in its ``record.json`` (see the module docstring)."""

    id: str
    source_url: str
    status: str
    reason: str = ""
    final_url: str = ""
    redirects: list[str] = field(default_factory=list)
    http_status: int | None = None
    content_type: str = ""
    fetched_at: str = ""
    attempts: int = 0
    bytes: int = 0
    sha256: str = ""
    encoding: str = ""
    extractor: str = ""
    extractor_version: str = ""
    chars: int = 0
    truncated: bool = False
    user_agent: str = ""
    kit_version: str = __version__
    same_as: str = ""  # id of an earlier row of the run with the same source_url
    reused: bool = False  # taken from an earlier run by --resume (not stored)


@dataclass
class CollectResult:
    """What :func:`collect_corpus` returns.

    Attributes
    ----------
    report : DataFrame
        One row per selected statement, in corpus order: ``id``, ``status``, ``reason``,
        ``source_url``, ``final_url``, ``http_status``, ``content_type``, ``extractor``,
        ``chars``, ``sha256`` and ``reused`` (True when ``--resume`` kept an earlier result).
    corpus_file : Path
        The full-text corpus written (``OUT/statements.csv``).
    counts : dict
        ``rows_in``, ``fetched``, ``failed``, ``skipped`` (rows_in = the other three) and
        ``reused``.
    """

    report: pd.DataFrame
    corpus_file: Path
    counts: dict[str, int]


# -- errors inside one fetch -------------------------------------------------------------------


class _Refused(Exception):
    """The policy forbids the request (the row is skipped)."""


class _Failed(Exception):
    """The request or the extraction failed (the row fails); ``retry`` if worth retrying."""

    def __init__(self, message: str, retry: bool = False, status: int | None = None):
        super().__init__(message)
        self.retry = retry
        self.status = status


@dataclass
class _Response:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes


# -- files -------------------------------------------------------------------------------------


def _cache_key(row_id: str) -> str:
    """Return a file name for a row id: safe characters, then a hash of the whole id."""
    safe = re.sub(r"[^A-Za-z0-9._-]+|\.{2,}", "_", row_id)
    safe = re.sub(r"_+", "_", safe).strip("._-")[:60] or "row"
    return f"{safe}-{hashlib.sha256(row_id.encode('utf-8')).hexdigest()[:12]}"


def _inside(root: Path, path: Path) -> Path:
    if not path.resolve().is_relative_to(root.resolve()):  # pragma: no cover - by construction
        raise RuntimeError(f"refusing to write {path} outside {root}")
    return path


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, flush it to disk, rename it."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _clean_temporary(root: Path) -> None:
    """Remove temporary files left by a run that was killed while writing."""
    for tmp in root.rglob(".*.tmp"):
        if tmp.is_file():
            tmp.unlink()


# -- addresses ---------------------------------------------------------------------------------


def _address_problem(ip: str, allow_loopback: bool) -> str | None:
    """Return why ``ip`` may not be fetched from, or None if it is a public address."""
    addr = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if addr.is_loopback:
        return None if allow_loopback else "a loopback address"
    for kind in ("link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(addr, f"is_{kind}"):
            return f"a {kind.replace('_', '-')} address"
    if not addr.is_global:
        return "not a public address"
    return None


def _resolve(host: str, port: int, allow_loopback: bool) -> list[str]:
    """Resolve ``host`` and return its addresses, in the resolver's order; refuse the host
    if any of them is not public.

    Every address the name resolves to is checked (a name that points to a public and a
    private address is refused), and connections go to the addresses checked, not to a
    second lookup.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        raise _Failed(f"cannot resolve host '{host}': {err}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise _Failed(f"host '{host}' has no address")
    for ip in addresses:
        problem = _address_problem(ip, allow_loopback)
        if problem:
            raise _Refused(f"not allowed: {host} resolves to {ip}, {problem}; only public "
                           "addresses are fetched")
    return addresses


def _split_url(url: str) -> tuple[str, str, int, str]:
    """Return scheme, host (IDNA), port and request target of an http(s) URL."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError as err:
        raise _Failed(f"malformed URL '{url[:200]}': {err}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise _Refused(f"not allowed: scheme '{scheme or '(none)'}'; only http and https "
                       "URLs are fetched")
    host = parts.hostname or ""
    if not host:
        raise _Failed(f"malformed URL '{url[:200]}': no host")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as err:
            raise _Failed(f"malformed host '{host}': {err}") from None
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # percent-encode what may not travel in a request line (non-ASCII, spaces, controls);
    # "%" is kept, so a URL already encoded is left as it is
    target = urllib.parse.quote(target, safe="/?&=%:;@+$,!~*'()[]")
    return scheme, host, port or (443 if scheme == "https" else 80), target


def _origin(url: str) -> str:
    scheme, host, port, _ = _split_url(url)
    return f"{scheme}://{host}:{port}"


# -- one HTTP exchange -------------------------------------------------------------------------


class _Fetcher:
    """Makes requests one at a time under a :class:`CollectPolicy`; remembers, per run,
    when each host was last asked and what its robots.txt says."""

    def __init__(self, policy: CollectPolicy, sleep: Callable[[float], None] = time.sleep):
        self.policy = policy
        self.agent = policy.user_agent or user_agent()
        self.sleep = sleep
        self.last_request: dict[str, float] = {}
        self.robots: dict[str, tuple[urllib.robotparser.RobotFileParser | None, str]] = {}

    # politeness
    def _wait_for_host(self, host: str, origin: str) -> None:
        delay = self.policy.rate
        parser = self.robots.get(origin, (None, ""))[0]
        crawl_delay = parser.crawl_delay(ROBOTS_AGENT) if parser is not None else None
        if crawl_delay:
            delay = max(delay, float(crawl_delay))
        last = self.last_request.get(host)
        if last is not None:
            wait = last + delay - time.monotonic()
            if wait > 0:
                self.sleep(wait)

    def _once(self, url: str, max_bytes: int) -> _Response:
        """One GET, no redirect followed, to a checked address of the URL's host (the next
        address is tried when one cannot be reached)."""
        import urllib3

        scheme, host, port, target = _split_url(url)
        addresses = _resolve(host, port, self.policy.allow_loopback)
        self._wait_for_host(host, _origin(url))
        bracketed = f"[{host}]" if ":" in host else host
        default_port = 443 if scheme == "https" else 80
        headers = {
            "Host": bracketed if port == default_port else f"{bracketed}:{port}",
            "User-Agent": self.agent,
            "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,"
                      "text/plain;q=0.8,*/*;q=0.1",
            "Accept-Encoding": "gzip, deflate",
            "Connection": "close",
        }
        timeout = urllib3.Timeout(connect=self.policy.connect_timeout,
                                  read=self.policy.read_timeout)
        started = time.monotonic()
        self.last_request[host] = started
        for index, ip in enumerate(addresses):
            if scheme == "https":
                pool = urllib3.HTTPSConnectionPool(ip, port, timeout=timeout, retries=False,
                                                   cert_reqs="CERT_REQUIRED",
                                                   server_hostname=host, assert_hostname=host)
            else:
                pool = urllib3.HTTPConnectionPool(ip, port, timeout=timeout, retries=False)
            response = None
            try:
                response = pool.urlopen("GET", target, headers=headers, redirect=False,
                                        retries=False, preload_content=False,
                                        decode_content=False, assert_same_host=False)
                head = {k.lower(): v for k, v in response.headers.items()}
                if response.status in _REDIRECTS or response.status >= 400:
                    return _Response(url, response.status, head, b"")
                body = self._read(response, head, max_bytes, started)
                return _Response(url, response.status, head, body)
            except urllib3.exceptions.SSLError as err:
                raise _Failed(f"TLS error: {err}") from None
            except (urllib3.exceptions.ConnectTimeoutError,
                    urllib3.exceptions.NewConnectionError) as err:
                if index + 1 < len(addresses):
                    continue  # the next address of the host
                raise _Failed(f"cannot connect to {host}:{port}: {_short(err)}",
                              retry=True) from None
            except urllib3.exceptions.ReadTimeoutError:
                raise _Failed(f"no data for {self.policy.read_timeout:g} s (read timeout)",
                              retry=True) from None
            except (urllib3.exceptions.ProtocolError, urllib3.exceptions.HTTPError,
                    http.client.HTTPException, OSError) as err:
                raise _Failed(f"connection error: {_short(err)}", retry=True) from None
            finally:
                self.last_request[host] = time.monotonic()
                if response is not None:
                    response.close()
                pool.close()
        raise AssertionError("unreachable: _resolve returns at least one address")

    def _read(self, response: Any, head: dict[str, str], max_bytes: int,
              started: float) -> bytes:
        """Read a body within the size cap and the total deadline; undo gzip/deflate."""
        declared = head.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > max_bytes:
            raise _Failed(f"response too large: Content-Length {int(declared):,} bytes, more "
                          f"than the limit of {max_bytes:,}")
        encoding = head.get("content-encoding", "identity").strip().lower()
        if encoding in ("gzip", "x-gzip"):
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            inflater = zlib.decompressobj()
        elif encoding in ("", "identity"):
            inflater = None
        else:
            raise _Failed(f"unsupported Content-Encoding '{encoding}'")
        parts: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() - started > self.policy.deadline:
                raise _Failed(f"the response did not end within {self.policy.deadline:g} s "
                              f"(received {size:,} bytes); the server may be dripping data")
            chunk = response.read1(_CHUNK, decode_content=False)
            if not chunk:
                break
            if inflater is not None:
                try:
                    chunk = inflater.decompress(chunk, max_bytes + 1 - size)
                except zlib.error as err:
                    raise _Failed(f"corrupt {encoding} body: {err}") from None
                if inflater.unconsumed_tail:
                    size = max_bytes + 1
            size += len(chunk)
            if size > max_bytes:
                raise _Failed(f"response too large: more than the limit of {max_bytes:,} bytes")
            parts.append(chunk)
        return b"".join(parts)

    # retries and redirects
    def _with_retries(self, url: str, max_bytes: int, counter: list[int]) -> _Response:
        attempt = 0
        while True:
            counter[0] += 1
            try:
                response = self._once(url, max_bytes)
            except _Failed as err:
                if not err.retry or attempt >= self.policy.retries:
                    suffix = f" (after {attempt + 1} attempts)" if attempt else ""
                    raise _Failed(f"{err}{suffix}", status=err.status) from None
                wait = self._backoff(attempt)
            else:
                if response.status not in _RETRY_STATUSES or attempt >= self.policy.retries:
                    return response
                wait = self._backoff(attempt)
                asked = _retry_after(response.headers.get("retry-after", ""))
                if asked is not None:
                    if asked > self.policy.max_wait:
                        raise _Failed(f"HTTP {response.status}: the server asks to retry after "
                                      f"{asked:g} s, longer than the {self.policy.max_wait:g} s "
                                      "this run waits", status=response.status)
                    wait = max(wait, asked)
            self.sleep(wait)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        return min(self.policy.backoff * 2**attempt, self.policy.max_wait)

    def get(self, url: str, max_bytes: int | None = None,
            robots: bool = True) -> tuple[_Response, list[str], int]:
        """Fetch ``url`` following redirects by hand (each target checked like the first).

        Returns the final response, the chain of redirect targets and the number of
        requests made.
        """
        max_bytes = self.policy.max_bytes if max_bytes is None else max_bytes
        chain: list[str] = []
        counter = [0]
        current = url
        while True:
            if robots:
                self.check_robots(current)
            response = self._with_retries(current, max_bytes, counter)
            if response.status not in _REDIRECTS:
                return response, chain, counter[0]
            location = response.headers.get("location", "").strip()
            if not location:
                raise _Failed(f"HTTP {response.status} redirect without a Location header",
                              status=response.status)
            if len(chain) >= self.policy.max_redirects:
                raise _Failed(f"more than {self.policy.max_redirects} redirects "
                              f"(last to {location[:200]})", status=response.status)
            current = urllib.parse.urljoin(current, location)
            chain.append(current)

    # robots.txt (RFC 9309)
    def check_robots(self, url: str) -> None:
        origin = _origin(url)
        if origin not in self.robots:
            self.robots[origin] = self._read_robots(origin)
        parser, unreachable = self.robots[origin]
        if unreachable:
            raise _Refused(f"robots: {unreachable}")
        if parser is not None and not parser.can_fetch(ROBOTS_AGENT, url):
            raise _Refused(f"robots: {parser.url} disallows this path for {ROBOTS_AGENT}")

    def _read_robots(self, origin: str) -> tuple[urllib.robotparser.RobotFileParser | None, str]:
        scheme, rest = origin.split("://", 1)
        host, port = rest.rsplit(":", 1)
        bracketed = f"[{host}]" if ":" in host else host
        url = f"{scheme}://{bracketed}:{port}/robots.txt"
        try:
            response, _, _ = self.get(url, max_bytes=_ROBOTS_MAX_BYTES, robots=False)
        except _Failed as err:
            if err.status is not None and err.status >= 500:
                return None, (f"robots.txt unreachable ({err}); RFC 9309 treats the site as "
                              "disallowed")
            raise
        if 200 <= response.status < 300:
            parser = urllib.robotparser.RobotFileParser(url)
            parser.parse(response.body.decode("utf-8", errors="replace").splitlines())
            return parser, ""
        if 400 <= response.status < 500 and response.status != 429:
            return None, ""  # no robots.txt: everything is allowed
        return None, (f"robots.txt unreachable (HTTP {response.status}); RFC 9309 treats the "
                      "site as disallowed")


def _short(err: BaseException) -> str:
    text = str(getattr(err, "reason", None) or err)
    return re.sub(r"<urllib3\.[^>]*>:?\s*", "", text)[:300]


def _retry_after(value: str) -> float | None:
    """Seconds asked by a ``Retry-After`` header (a number or an HTTP date), or None."""
    value = value.strip()
    if not value:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


# -- extraction --------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)


def _charset(content_type: str) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", content_type, re.I)
    return match.group(1) if match else None


def _known_codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decode_html(body: bytes, content_type: str) -> tuple[str, str]:
    """Decode an HTML page: BOM, then the HTTP charset, then ``<meta charset>``, then UTF-8,
    then windows-1252 (the web's default for undeclared pages)."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(name, errors="replace").lstrip("\ufeff"), name
    declared = _known_codec(_charset(content_type))
    if declared is None:
        match = _META_CHARSET.search(body[:4096])
        declared = _known_codec(match.group(1).decode("ascii")) if match else None
    if declared is not None:
        if declared == "latin-1":  # browsers read "iso-8859-1" as windows-1252
            declared = "cp1252"
        return body.decode(declared, errors="replace"), declared
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace"), "cp1252"


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def extract_text(body: bytes, content_type: str = "", url: str | None = None) -> dict[str, Any]:
    """Extract the main text of a web page or a PDF from its raw bytes.

    HTML goes through trafilatura (main content only: menus, headers, footers, comments
    and scripts are left out; no script is run), PDF through pypdf (every page, in order),
    plain text is kept as it is.

    Parameters
    ----------
    body : bytes
        The raw response body.
    content_type : str
        The ``Content-Type`` header (its charset is used to decode HTML).
    url : str, optional
        The page's address, which helps trafilatura resolve relative links.

    Returns
    -------
    dict
        ``text`` (tidied: line ends ``\\n``, no control characters, at most two blank
        lines), ``extractor``, ``extractor_version``, ``encoding`` (HTML and text) and
        ``kind`` (``html``, ``pdf`` or ``text``).

    Raises
    ------
    ValueError
        If the type is not supported, the PDF cannot be read, or no main text is found
        (fewer than :data:`MIN_WORDS` words: a page of menus and notices).

    Examples
    --------
    >>> page = (b"<html><body><nav>Home | News | Subscribe</nav><article><p>The regulator "
    ...         b"asked every business that uses a virtual private network to register it "
    ...         b"with the authority before the end of the month.</p></article></body></html>")
    >>> result = extract_text(page, "text/html; charset=utf-8")
    >>> result["extractor"], "Subscribe" in result["text"], "register it" in result["text"]
    ('trafilatura', False, True)
    """
    mime = content_type.split(";", 1)[0].strip().lower()
    head = body[:1024].lstrip().lower()
    if mime == "application/pdf" or body.startswith(b"%PDF-"):
        return _extract_pdf(body)
    if mime in ("text/html", "application/xhtml+xml") or (
            mime in ("", "application/octet-stream")
            and (head.startswith(b"<!doctype html") or b"<html" in head)):
        return _extract_html(body, content_type, url)
    if mime == "text/plain":
        encoding = _known_codec(_charset(content_type)) or "utf-8"
        text = _tidy(body.decode(encoding, errors="replace"))
        if not text:
            raise ValueError("the text file is empty")
        return {"text": text, "extractor": "plain", "extractor_version": "",
                "encoding": encoding, "kind": "text"}
    raise ValueError(f"unsupported content type '{mime or '(none)'}'; collect reads HTML, "
                     "PDF and plain text")


def _extract_html(body: bytes, content_type: str, url: str | None) -> dict[str, Any]:
    import trafilatura

    html, encoding = _decode_html(body, content_type)
    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=True)
    text = _tidy(text or "")
    words = len(text.split())
    if words < MIN_WORDS:
        raise ValueError(f"no main text found in the page (trafilatura found {words} words, "
                         f"fewer than {MIN_WORDS})")
    return {"text": text, "extractor": "trafilatura",
            "extractor_version": trafilatura.__version__, "encoding": encoding, "kind": "html"}


def _extract_pdf(body: bytes) -> dict[str, Any]:
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(body))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as err:  # pypdf raises many kinds on a broken file
        raise ValueError(f"unreadable PDF: {type(err).__name__}: {err}") from None
    text = _tidy("\n\n".join(p.strip() for p in pages if p.strip()))
    if not text:
        raise ValueError(f"no text found in the PDF ({len(pages)} pages; a scan without a "
                         "text layer?)")
    return {"text": text, "extractor": "pypdf", "extractor_version": pypdf.__version__,
            "encoding": "", "kind": "pdf"}


def _cut(text: str, limit: int = _MAX_TEXT_BYTES) -> tuple[str, bool]:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text, False
    return data[:limit].decode("utf-8", errors="ignore").rstrip(), True


# -- the cache of one row ----------------------------------------------------------------------


class _Cache:
    def __init__(self, out_dir: Path):
        self.root = out_dir
        self.dir = out_dir / "cache"

    def row_dir(self, row_id: str) -> Path:
        return _inside(self.root, self.dir / _cache_key(row_id))

    def load(self, row_id: str) -> RowResult | None:
        """Return the stored result of a row, or None if absent, unreadable or incomplete."""
        folder = self.row_dir(row_id)
        try:
            data = json.loads((folder / "record.json").read_text(encoding="utf-8"))
            record = RowResult(**{k: v for k, v in data.items() if k != "reused"})
        except (OSError, ValueError, TypeError):
            return None
        if record.id != row_id or record.status not in STATUSES:
            return None
        if record.status == "fetched" and (self.text(row_id) is None
                                           or self.body_sha256(row_id) != record.sha256):
            return None
        return record

    def text(self, row_id: str) -> str | None:
        try:
            return (self.row_dir(row_id) / "text.txt").read_text(encoding="utf-8")
        except OSError:
            return None

    def body(self, row_id: str) -> bytes | None:
        try:
            return gzip.decompress((self.row_dir(row_id) / "body.gz").read_bytes())
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile):
            return None

    def body_sha256(self, row_id: str) -> str | None:
        body = self.body(row_id)
        return None if body is None else hashlib.sha256(body).hexdigest()

    def save(self, record: RowResult, body: bytes | None = None,
             text: str | None = None) -> None:
        """Write body and text first, the record last: a row is done once its record is."""
        folder = self.row_dir(record.id)
        folder.mkdir(parents=True, exist_ok=True)
        if body is not None:
            _write_atomic(folder / "body.gz", gzip.compress(body, mtime=0))
        if text is not None:
            _write_atomic(folder / "text.txt", text.encode("utf-8"))
        elif (folder / "text.txt").exists():
            (folder / "text.txt").unlink()
        data = {k: v for k, v in asdict(record).items() if k != "reused"}
        _write_atomic(folder / "record.json",
                      json.dumps(data, indent=1, ensure_ascii=False).encode("utf-8"))


# -- one row -----------------------------------------------------------------------------------


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _collect_row(fetcher: _Fetcher, cache: _Cache, row_id: str, url: str,
                 seen: dict[str, str]) -> RowResult:
    record = RowResult(id=row_id, source_url=url, status="failed", user_agent=fetcher.agent)
    if not url.strip():
        record.status, record.reason = "skipped", "no source_url"
        cache.save(record)
        return record
    if url in seen:  # the same page as an earlier row: copy it instead of asking again
        earlier = cache.load(seen[url])
        body, text = cache.body(seen[url]), cache.text(seen[url])
        if earlier is not None and earlier.status == "fetched" and body is not None \
                and text is not None:
            record = replace(earlier, id=row_id, same_as=earlier.id, reused=False)
            cache.save(record, body=body, text=text)
            return record
    body = None
    text = None
    try:
        response, chain, attempts = fetcher.get(url)
        record.fetched_at = _now()
        record.attempts = attempts
        record.redirects = chain
        record.final_url = response.url
        record.http_status = response.status
        record.content_type = response.headers.get("content-type", "")
        if response.status >= 400:
            raise _Failed(f"HTTP {response.status}"
                          + (f" after {attempts} attempts" if attempts > 1 else ""))
        body = response.body
        record.bytes = len(body)
        record.sha256 = hashlib.sha256(body).hexdigest()
        text = _apply_extraction(record, body)
    except _Refused as err:
        record.status, record.reason = "skipped", str(err)
    except _Failed as err:
        record.status, record.reason = "failed", str(err)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as err:  # an input nobody foresaw must not stop the other rows
        record.status = "failed"
        record.reason = f"unexpected error: {type(err).__name__}: {err}"
    cache.save(record, body=body, text=text if record.status == "fetched" else None)
    return record


def _apply_extraction(record: RowResult, body: bytes) -> str | None:
    """Extract the text of ``body`` into ``record`` (fetched, or failed with the reason)."""
    try:
        result = extract_text(body, record.content_type, record.final_url or record.source_url)
    except ValueError as err:
        record.status, record.reason = "failed", f"extraction: {err}"
        record.extractor = record.extractor_version = record.encoding = ""
        record.chars, record.truncated = 0, False
        return None
    text, record.truncated = _cut(result["text"])
    record.extractor = result["extractor"]
    record.extractor_version = result["extractor_version"]
    record.encoding = result["encoding"]
    record.chars = len(text)
    record.status, record.reason = "fetched", ""
    if record.truncated:
        record.reason = (f"text cut to {_MAX_TEXT_BYTES:,} bytes (the corpus field limit); "
                         "the whole response is in body.gz")
    return text


# -- the whole run -----------------------------------------------------------------------------


def _check_input(corpus: pd.DataFrame) -> list[str]:
    for name in ("id", "text"):
        if name not in corpus.columns:
            raise ValueError(f"the corpus has no '{name}' column; give a loaded corpus "
                             "(discourse.load_corpus)")
    if "text_source" in corpus.columns and (corpus["text_source"].astype(str) == "source").any():
        raise ValueError("this corpus already holds collected source texts (text_source = "
                         "'source'); collect from the corpus of paraphrases it was made from")
    ids = corpus["id"].astype(str).tolist()
    seen: set[str] = set()
    doubles = sorted({i for i in ids if i in seen or seen.add(i)})
    if doubles:
        raise ValueError(f"duplicate id(s) {', '.join(doubles[:10])}; ids must be unique, "
                         "since the cache is kept by id")
    return ids


def _check_output(out: Path) -> None:
    """Refuse an output folder whose statements.csv is not a collected corpus (the
    shipped corpus, or a corpus of the user's, must never be overwritten)."""
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} is a file; give a folder for the collected corpus")
    target = out / "statements.csv"
    if target.exists():
        with open(target, encoding="utf-8", errors="replace", newline="") as handle:
            header = handle.readline()
        if "text_source" not in next(csv.reader([header.strip()]), []):
            raise ValueError(f"{target} exists and is not a corpus written by collect; "
                             "choose another output folder (--out)")


def _urls(corpus: pd.DataFrame) -> list[str]:
    if "source_url" not in corpus.columns:
        return [""] * len(corpus)
    return ["" if pd.isna(v) else str(v).strip() for v in corpus["source_url"]]


def _select(ids: list[str], only: Iterable[str] | None) -> set[str]:
    if only is None:
        return set(ids)
    wanted = [str(i).strip() for i in only if str(i).strip()]
    unknown = [i for i in wanted if i not in set(ids)]
    if unknown:
        raise ValueError(f"--only: no row with id {', '.join(repr(i) for i in unknown[:10])} "
                         "in the corpus")
    if not wanted:
        raise ValueError("--only: give at least one id")
    return set(wanted)


def collect_corpus(
    corpus: pd.DataFrame,
    out_dir: str | PathLike[str],
    *,
    only: Iterable[str] | None = None,
    resume: bool = False,
    retry_failed: bool = False,
    policy: CollectPolicy | None = None,
    on_row: Callable[[RowResult], None] | None = None,
) -> CollectResult:
    """Fetch each row's ``source_url``, cache it, and write a full-text corpus.

    Rows are taken one at a time in corpus order. Each ends as ``fetched``, ``failed``
    (``reason`` says why: an HTTP status, a timeout, a size or redirect limit, no main
    text) or ``skipped`` (robots.txt disallows it, the address is not public, the URL is
    not http(s), or the row has no ``source_url``). A row's result is written to the cache
    atomically before the next row starts, so an interrupted run (Ctrl-C, a crash, a
    killed process) loses at most the row in progress, and ``resume=True`` goes on from
    there.

    The full-text corpus ``OUT/statements.csv`` has every row and every column of
    ``corpus``, in the same order, plus ``text_source``: ``source`` where ``text`` now holds
    the extracted text of the source, ``paraphrase`` where the row kept its paraphrase
    (not fetched, or not selected by ``only``). Rows fetched by an earlier run into the same
    folder keep their source text. Rows that share a ``source_url`` are fetched once: the
    later ones copy the first (their record's ``same_as`` names it).

    Parameters
    ----------
    corpus : DataFrame
        A loaded corpus (:func:`discourse.load_corpus`) of paraphrases.
    out_dir : path
        The output folder (created if missing); nothing is written outside it.
    only : iterable of str, optional
        Ids of the rows to fetch (default: all).
    resume : bool, default False
        Keep the stored result of rows already done (fetched, skipped or failed, for the
        same ``source_url``) instead of fetching them again.
    retry_failed : bool, default False
        With ``resume``, fetch the rows that failed before once more.
    policy : CollectPolicy, optional
        Politeness and safety settings (default: ``CollectPolicy()``).
    on_row : callable, optional
        Called with each row's :class:`RowResult` as soon as it is stored (for a progress
        bar).

    Returns
    -------
    CollectResult
        The per-row report, the corpus file written and the counts.

    Examples
    --------
    Addresses inside a private network are never fetched (checked before any request):

    >>> import tempfile, warnings
    >>> from discourse import load_corpus
    >>> rows = load_corpus().head(2).assign(source_url="http://192.168.0.1/statement")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     result = collect_corpus(rows, tmp)
    ...     with warnings.catch_warnings(action="ignore"):  # text_source: not in the schema
    ...         full = load_corpus(result.corpus_file)
    >>> result.counts
    {'rows_in': 2, 'fetched': 0, 'failed': 0, 'skipped': 2, 'reused': 0}
    >>> full["text_source"].tolist()
    ['paraphrase', 'paraphrase']
    >>> print(result.report["reason"][0])  # doctest: +ELLIPSIS
    not allowed: 192.168.0.1 resolves to 192.168.0.1, a private address; ...
    """
    ids = _check_input(corpus)
    urls = _urls(corpus)
    selected = _select(ids, only)
    policy = policy or CollectPolicy()
    out = Path(out_dir)
    _check_output(out)
    out.mkdir(parents=True, exist_ok=True)
    cache = _Cache(out)
    cache.dir.mkdir(exist_ok=True)
    _clean_temporary(cache.dir)
    fetcher = _Fetcher(policy)
    results: list[RowResult] = []
    seen: dict[str, str] = {}  # source_url -> first row of this run that fetched it
    for row_id, url in zip(ids, urls, strict=True):
        if row_id not in selected:
            continue
        record = None
        if resume:
            stored = cache.load(row_id)
            if stored is not None and stored.source_url == url and not (
                    retry_failed and stored.status == "failed"):
                stored.reused = True
                record = stored
        if record is None:
            record = _collect_row(fetcher, cache, row_id, url, seen)
        if record.status == "fetched":
            seen.setdefault(url, row_id)
        results.append(record)
        if on_row is not None:
            on_row(record)
    return _finish(corpus, ids, urls, out, cache, results)


def reextract(corpus: pd.DataFrame, out_dir: str | PathLike[str]) -> CollectResult:
    """Extract the text again from the raw bytes kept in the cache, without any request.

    For every row of ``corpus`` whose stored result has a body (fetched, or failed at the
    extraction), the text and the record are made anew with the installed extractors;
    ``OUT/statements.csv`` and ``OUT/report.csv`` are rewritten. Rows without a stored body
    keep their result.

    Parameters
    ----------
    corpus : DataFrame
        The corpus of paraphrases the cache was collected from.
    out_dir : path
        The folder of an earlier :func:`collect_corpus` run.

    Returns
    -------
    CollectResult
        Its report covers the rows that have a stored result.

    Examples
    --------
    >>> import tempfile
    >>> from discourse import load_corpus
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     reextract(load_corpus().head(3), tmp).counts["rows_in"]
    0
    """
    ids = _check_input(corpus)
    urls = _urls(corpus)
    out = Path(out_dir)
    _check_output(out)
    cache = _Cache(out)
    if cache.dir.is_dir():
        _clean_temporary(cache.dir)
    results: list[RowResult] = []
    for row_id, url in zip(ids, urls, strict=True):
        record = _load_any(cache, row_id)
        if record is None or record.source_url != url:
            continue
        body = cache.body(row_id) if record.sha256 else None
        if body is not None and hashlib.sha256(body).hexdigest() == record.sha256:
            text = _apply_extraction(record, body)
            cache.save(record, text=text)
        results.append(record)
    return _finish(corpus, ids, urls, out, cache, results)


def _load_any(cache: _Cache, row_id: str) -> RowResult | None:
    """A stored record, even a fetched one whose text file is missing (to re-extract)."""
    try:
        data = json.loads((cache.row_dir(row_id) / "record.json").read_text(encoding="utf-8"))
        record = RowResult(**{k: v for k, v in data.items() if k != "reused"})
    except (OSError, ValueError, TypeError):
        return None
    return record if record.id == row_id and record.status in STATUSES else None


def _finish(corpus: pd.DataFrame, ids: list[str], urls: list[str], out: Path, cache: _Cache,
            results: list[RowResult]) -> CollectResult:
    counts = {"rows_in": len(results)}
    for status in STATUSES:
        counts[status] = sum(r.status == status for r in results)
    counts["reused"] = sum(r.reused for r in results)
    if counts["rows_in"] != sum(counts[s] for s in STATUSES):  # pragma: no cover - invariant
        raise RuntimeError(f"rows in ({counts['rows_in']}) != fetched + failed + skipped")
    report = pd.DataFrame([{name: getattr(r, name) for name in REPORT_COLUMNS}
                           for r in results], columns=REPORT_COLUMNS)
    report["http_status"] = report["http_status"].astype("Int64")
    texts: list[str] = []
    sources: list[str] = []
    for row_id, url, paraphrase in zip(ids, urls, corpus["text"], strict=True):
        stored = cache.load(row_id)
        text = cache.text(row_id) if stored is not None and stored.status == "fetched" \
            and stored.source_url == url else None
        texts.append(text if text else str(paraphrase))
        sources.append("source" if text else "paraphrase")
    table = _as_strings(corpus)
    table["text"] = texts
    table["text_source"] = sources
    corpus_file = _inside(out, out / "statements.csv")
    _write_atomic(corpus_file, _csv_bytes(table))
    _write_atomic(_inside(out, out / "report.csv"), _csv_bytes(report.astype(object).where(
        report.notna(), "")))
    _write_atomic(_inside(out, out / "NOTICE.md"), _NOTICE.encode("utf-8"))
    return CollectResult(report=report, corpus_file=corpus_file, counts=counts)


def _as_strings(corpus: pd.DataFrame) -> pd.DataFrame:
    """Write a loaded corpus back as the text a corpus file holds (dates as given, lists
    joined by ';', missing codes empty)."""
    precision = (corpus["date_precision"].astype(object).tolist()
                 if "date_precision" in corpus.columns else ["day"] * len(corpus))
    out = pd.DataFrame(index=range(len(corpus)))
    for name in corpus.columns:
        if name == "text_source":
            continue
        values = []
        for i, value in enumerate(corpus[name].tolist()):
            if isinstance(value, list | tuple):
                values.append(";".join(str(v) for v in value))
            elif isinstance(value, pd.Timestamp | dt.date):
                values.append(value.strftime("%Y-%m" if precision[i] == "month"
                                             else "%Y-%m-%d"))
            elif value is None or (not isinstance(value, str) and pd.isna(value)):
                values.append("")
            else:
                values.append(str(value))
        out[name] = values
    return out


def _csv_bytes(table: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(table.columns))
    writer.writerows(table.astype(str).itertuples(index=False, name=None))
    return buffer.getvalue().encode("utf-8")


# -- paraphrase and source side by side --------------------------------------------------------


def compare_texts(paraphrases: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Compare the paraphrase and the collected source text of the same statements.

    Words are the kit's tokens (:func:`discourse.features.tokenize` after
    :func:`~discourse.features.preprocess`), so the comparison sees what the analyses see.

    Parameters
    ----------
    paraphrases : DataFrame
        The corpus of paraphrases (``id``, ``text``; ``group`` is carried along if present).
    sources : DataFrame
        A collected corpus (``id``, ``text``, ``text_source``); only its rows with
        ``text_source == "source"`` are compared.

    Returns
    -------
    DataFrame
        One row per statement present in both, in the order of ``paraphrases``: ``id``,
        ``group``, ``words_paraphrase``, ``words_source`` (token counts), ``length_ratio``
        (source / paraphrase), ``types_paraphrase``, ``types_source``, ``types_shared``
        (distinct tokens in each and in both), ``jaccard`` (shared / distinct in either)
        and ``paraphrase_in_source`` (share of the paraphrase's distinct tokens that occur
        in the source).

    Examples
    --------
    >>> import pandas as pd
    >>> para = pd.DataFrame({"id": ["a"], "group": ["state"],
    ...                      "text": ["The regulator ordered a VPN ban on users."]})
    >>> full = pd.DataFrame({"id": ["a"], "text_source": ["source"],
    ...                      "text": ["Today the regulator ordered ISPs to ban every VPN."]})
    >>> row = compare_texts(para, full).iloc[0]
    >>> int(row.words_paraphrase), int(row.words_source), int(row.types_shared)
    (7, 9, 5)
    >>> round(float(row.paraphrase_in_source), 2)
    0.71
    """
    from .features import preprocess, tokenize

    for name, table in (("paraphrases", paraphrases), ("sources", sources)):
        for column in ("id", "text"):
            if column not in table.columns:
                raise ValueError(f"{name} has no '{column}' column")
    if "text_source" not in sources.columns:
        raise ValueError("sources has no 'text_source' column; give a corpus written by "
                         "discourse collect")
    collected = sources[sources["text_source"].astype(str) == "source"]
    source_text = dict(zip(collected["id"].astype(str), collected["text"].astype(str),
                           strict=True))
    groups = (paraphrases["group"].astype(object).tolist() if "group" in paraphrases.columns
              else [None] * len(paraphrases))
    rows = []
    for row_id, text, group in zip(paraphrases["id"].astype(str),
                                   paraphrases["text"].astype(str), groups, strict=True):
        if row_id not in source_text:
            continue
        para = tokenize(preprocess(text))
        full = tokenize(preprocess(source_text[row_id]))
        a, b = set(para), set(full)
        union = a | b
        rows.append({
            "id": row_id,
            "group": None if group is None or pd.isna(group) else str(group),
            "words_paraphrase": len(para),
            "words_source": len(full),
            "length_ratio": len(full) / len(para) if para else float("nan"),
            "types_paraphrase": len(a),
            "types_source": len(b),
            "types_shared": len(a & b),
            "jaccard": len(a & b) / len(union) if union else float("nan"),
            "paraphrase_in_source": len(a & b) / len(a) if a else float("nan"),
        })
    columns = ["id", "group", "words_paraphrase", "words_source", "length_ratio",
               "types_paraphrase", "types_source", "types_shared", "jaccard",
               "paraphrase_in_source"]
    return pd.DataFrame(rows, columns=columns)
