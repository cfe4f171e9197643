"""A local web server for the collect tests: pages written for the tests, on 127.0.0.1.

Each page stands for one case the collector must handle: an article with boilerplate, a
redirect, a PDF, a 404, a 429 with Retry-After, a page that never ends, a huge page, a
redirect to a private address, a path robots.txt disallows, a page in windows-1252, ...
The server records every request (path, headers, time) so that tests can check the
User-Agent, the delay between requests and the number of attempts.
"""

from __future__ import annotations

import gzip
import ssl
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROBOTS = b"User-agent: *\nDisallow: /private/\n"
SCRIPT_MARK = "SCRIPT-WAS-RUN"
BOILERPLATE = ("Subscribe to our newsletter", "Cookie settings", "All rights reserved")


def article_sentences(n: int) -> list[str]:
    """The paragraphs of article ``n``: what the extractor must find."""
    return [
        f"Article {n}: the telecom regulator said on Monday that every business using a "
        "virtual private network must register it with the authority by the end of the "
        "month, or face disconnection from the national network.",
        "Industry associations warned that the order would hurt exporters of software "
        "services, who depend on secure connections to their clients abroad, and asked the "
        "ministry to withdraw it before the deadline.",
        "Digital rights groups called the measure an unlawful restriction of privacy and of "
        "access to information, and said they would challenge it in the high court.",
    ]


def article_html(n: int, charset: str = "utf-8", extra: str = "",
                 sentences: list[str] | None = None) -> str:
    """An article page: the ``sentences`` (default: :func:`article_sentences`) amid a menu,
    a cookie banner, a sidebar, a footer and scripts."""
    sentences = article_sentences(n) if sentences is None else sentences
    paragraphs = "\n".join(f"<p>{s}</p>" for s in sentences)
    return f"""<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>Article {n}</title>
<script>document.title = "{SCRIPT_MARK}"; document.write("{SCRIPT_MARK}");</script>
</head><body>
<header><nav><a href="/">Home</a> | <a href="/news">News</a> | {BOILERPLATE[0]}</nav></header>
<div class="cookie-banner">{BOILERPLATE[1]}: we use cookies to improve the site.</div>
<main><article><h1>Regulator orders VPN registration ({n})</h1>
{paragraphs}
{extra}
<script>document.write("{SCRIPT_MARK}");</script>
</article></main>
<aside><h3>Most read</h3><ul><li><a href="/a">Cricket scores</a></li>
<li><a href="/b">Weather</a></li></ul></aside>
<footer>Copyright 2024 Example News. {BOILERPLATE[2]}.</footer>
</body></html>"""


LATIN_SENTENCE = ("Die Behörde verlangte am Montag, dass jedes Unternehmen, das ein virtuelles "
                  "privates Netzwerk nutzt, es registriert; die Gebühr beträgt 50 € pro Jahr, "
                  "sagte der Sprecher, und Verstöße würden geahndet.")


def latin_html() -> bytes:
    extra = f"<p>{LATIN_SENTENCE}</p><p>{LATIN_SENTENCE} Ça a été critiqué.</p>"
    return article_html(90, charset="windows-1252", extra=extra).encode("cp1252")


def pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF (Helvetica) whose text layer holds ``lines``."""

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 11 Tf", "14 TL", "72 720 Td"]
    for line in lines:
        ops += [f"({esc(line)}) Tj", "T*"]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


PDF_LINES = ["Joint statement on the VPN directive.",
             "We ask the authority to withdraw the order to block encrypted connections."]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format, *args):  # noqa: A002 - keep the test output clean
        pass

    def _send(self, status: int, body: bytes = b"", content_type: str = "text/html",
              headers: dict[str, str] | None = None, length: bool = True) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        owner = self.server.owner
        path = self.path
        with owner.lock:
            owner.requests.append((path, dict(self.headers.items()), time.monotonic()))
            owner.counts[path] += 1
            count = owner.counts[path]
        base = path.split("?", 1)[0]
        try:
            self._route(base, count)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up: fine
            pass

    def _route(self, path: str, count: int) -> None:
        if path in self.server.owner.pages:
            self._send(200, self.server.owner.pages[path].encode(), "text/html; charset=utf-8")
        elif path == "/robots.txt":
            status = self.server.owner.robots_status
            self._send(status, ROBOTS if status == 200 else b"", "text/plain")
        elif path.startswith("/article/"):
            n = int(path.rsplit("/", 1)[1])
            self._send(200, article_html(n).encode(), "text/html; charset=utf-8")
        elif path == "/private/secret":
            self._send(200, article_html(66).encode(), "text/html; charset=utf-8")
        elif path == "/moved":
            self._send(301, b"", headers={"Location": "/article/7"})
        elif path == "/moved-relative":
            self._send(302, b"", headers={"Location": "moved"})
        elif path == "/loop":
            self._send(302, b"", headers={"Location": "/loop"})
        elif path == "/to-private":
            self._send(302, b"", headers={"Location": "http://10.0.0.1/internal"})
        elif path == "/to-metadata":
            self._send(307, b"", headers={"Location": "http://169.254.169.254/latest/"})
        elif path == "/to-robots-disallowed":
            self._send(302, b"", headers={"Location": "/private/secret"})
        elif path == "/doc.pdf":
            self._send(200, pdf_bytes(PDF_LINES), "application/pdf")
        elif path == "/busy":
            if count == 1:
                self._send(429, b"slow down", "text/plain", headers={"Retry-After": "1"})
            else:
                self._send(200, article_html(8).encode(), "text/html; charset=utf-8")
        elif path == "/always-busy":
            self._send(503, b"down", "text/plain", headers={"Retry-After": "0"})
        elif path == "/wait-forever":
            self._send(429, b"", "text/plain", headers={"Retry-After": "86400"})
        elif path == "/drip":
            self._drip()
        elif path == "/huge":
            self._huge()
        elif path == "/huge-declared":
            self._send(200, b"", headers={"Content-Length": str(10**9)}, length=False)
        elif path == "/latin1":
            self._send(200, latin_html(), "text/html; charset=windows-1252")
        elif path == "/latin1-meta":
            self._send(200, latin_html(), "text/html")
        elif path == "/gzip":
            body = gzip.compress(article_html(11).encode())
            self._send(200, body, "text/html; charset=utf-8",
                       headers={"Content-Encoding": "gzip"})
        elif path == "/caf%C3%A9":
            self._send(200, article_html(13).encode(), "text/html; charset=utf-8")
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            body = article_html(14).encode()
            for start in range(0, len(body), 500):
                part = body[start:start + 500]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/garbage":
            self.wfile.write(b"NOT HTTP AT ALL\r\n\r\n")
            self.close_connection = True
        elif path == "/no-text":
            self._send(200, b"<html><body><nav>Home</nav></body></html>", "text/html")
        elif path == "/image":
            self._send(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image/png")
        elif path == "/tricky":
            self._send(200, article_html(12).encode(), "text/html; charset=utf-8",
                       headers={"Content-Disposition":
                                'attachment; filename="../../../escaped.html"'})
        else:
            self._send(404, b"<html><body>Not found</body></html>")

    def _drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(b"<html><body><article>")
        end = time.monotonic() + 30
        while time.monotonic() < end and not self.server.owner.stopping.is_set():
            self.wfile.write(b"<p>drip drip drip</p>\n")
            self.wfile.flush()
            time.sleep(0.05)

    def _huge(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        chunk = b"<p>" + b"x" * 65_000 + b"</p>\n"
        for _ in range(800):  # about 50 MB unless the client stops reading first
            if self.server.owner.stopping.is_set():
                break
            self.wfile.write(chunk)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: PageServer

    def handle_error(self, request, client_address):  # a client that hangs up is no error
        pass


class PageServer:
    """Serve the test pages on 127.0.0.1 at an ephemeral port, in a thread."""

    def __init__(self, tls: tuple[str, str] | None = None, robots_status: int = 200) -> None:
        self.scheme = "https" if tls else "http"
        self.robots_status = robots_status
        #: pages a test adds: path -> HTML served with status 200
        self.pages: dict[str, str] = {}
        self.requests: list[tuple[str, dict[str, str], float]] = []
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.owner = self
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)

    def __enter__(self) -> PageServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.stopping.is_set():
            return
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def times(self, path: str) -> list[float]:
        with self.lock:
            return [t for p, _, t in self.requests if p == path]

    def paths(self) -> list[str]:
        with self.lock:
            return [p for p, _, _ in self.requests]
