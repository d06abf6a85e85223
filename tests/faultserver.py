"""A loopback HTTP server for the fetch tests: static files plus endpoints that misbehave.

    with FaultServer(root_dir) as srv:
        srv.url("/a/b/")          # -> http://127.0.0.1:PORT/a/b/  (serves a/b/index.html)
        srv.requests              # access log: [Hit(method, path, headers), ...]
        srv.reset()               # clear the log and the per-path counters

Static: ``/a/b/`` -> ``a/b/index.html``, ``/robots.txt`` -> ``robots_txt`` (default
``root/robots.txt``; ``robots_text`` overrides it; ``robots_mode`` may be "file", "404",
"500", "slow" or "redirect"), any other path -> that file, else 404.

Faults, under ``/_fault/`` (``<tag>`` keeps per-path counters apart between tests):
  429/<tag>?n=1&after=2        429 + Retry-After seconds for the first n hits, then 200
  429date/<tag>?n=1&at=EPOCH   same with Retry-After as an HTTP date (or after=SECONDS)
  503/<tag>?n=1[&after=S]      503 for the first n hits, then 200
  500                          always 500
  status/<code>                that status, always
  slow?s=0.5                   sleeps (at most ``max_sleep``) before answering
  loop/a, loop/b               redirect to each other
  chain/<k>                    k redirects, then a page
  redirect?to=URL&code=302     one redirect to URL
  to-file                      redirect to file:///etc/passwd
  bomb?mb=200                  gzip body of ~200 KB inflating to ``mb`` MB of zeros
  gzip, deflate?raw=1          a small compressed page
  huge?size=N                  honest Content-Length N (default 50 MB), streams filler
  stream?size=N                no Content-Length, N bytes then close
  truncated                    Content-Length 1000, sends 100 bytes, closes
  wrong-charset                header says utf-8, bytes are windows-1251 (+ <meta>)
  meta-1251                    windows-1251 declared only in <meta>
  png                          image/png
  notype?body=html|pdf         no Content-Type at all
  etag?etag=v1                 304 if If-None-Match matches, else 200 with ETag

Rules on any path, for crawl tests that need a real site to misbehave in one place
(the page keeps its natural URL, so links and the splitter see an ordinary site)::

    srv.rule("/tag/x/page/2/", status=429, times=1, retry_after=1)  # 429 once, then the file
    srv.rule("/2011/04/post/", status=500)                          # always 500
    srv.rule("/tag/x/page/3/", status=302, headers={"Location": "/_fault/loop/a"})
    srv.rule("/tag/x/page/2/", delay=3)                             # the file, slowly
    srv.rule("/ru/", content_type="text/html; charset=utf-8")       # the file, another type
    srv.rule("/tag/x/", gzip=True)                                  # the file, gzip-encoded

``delay`` (constructor or attribute) sleeps before every answer; ``etags=True`` gives
static files an ETag and answers a matching If-None-Match with 304. ``reset()`` also
drops the rules.
"""

from __future__ import annotations

import email.utils
import hashlib
import mimetypes
import socketserver
import threading
import time
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

__all__ = ["FaultServer", "Hit", "Rule", "CYRILLIC", "page_1251"]

CYRILLIC = "Привет, мир! Съешь же ещё этих мягких французских булок."
_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Hit(NamedTuple):
    method: str
    path: str               # as requested, with the query
    headers: dict[str, str]  # lower-case names


class Rule(NamedTuple):
    """How one path misbehaves (see ``FaultServer.rule``)."""

    status: int | None = None       # answer this instead of the normal response...
    times: int | None = None        # ...for the first ``times`` hits of the path (None: always)
    headers: dict[str, str] = {}    # extra headers on the status answer (Location, Retry-After)
    delay: float = 0.0              # seconds to sleep before answering (every hit)
    content_type: str | None = None  # Content-Type for a static file served normally
    gzip: bool = False              # serve the static file gzip-encoded (Content-Encoding: gzip)


def page_1251(meta: bool = True) -> bytes:
    """A small windows-1251 page, declaring its charset in <meta> or not at all."""
    head = '<meta charset="windows-1251">' if meta else ""
    return (f"<!doctype html><html><head>{head}<title>т</title></head>"
            f"<body><p>{CYRILLIC}</p></body></html>").encode("cp1251")


def _page(text: str = "ok") -> bytes:
    return f"<!doctype html><html><title>{text}</title><body><p>{text}</p></body></html>".encode()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fault: FaultServer

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # skip HTTPServer's reverse DNS lookup
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hang up on purpose (oversize bodies, timeouts)


class FaultServer:
    """Threaded HTTP/1.1 server on 127.0.0.1, ephemeral port; a context manager."""

    def __init__(self, root: str | Path, *, robots_txt: str | Path | None = None,
                 robots_text: str | None = None, robots_mode: str = "file",
                 max_sleep: float = 2.0, delay: float = 0.0, etags: bool = False) -> None:
        self.root = Path(root).resolve()
        self.delay = delay
        self.etags = etags
        self._rules: dict[str, Rule] = {}
        self.robots_txt = Path(robots_txt) if robots_txt else self.root / "robots.txt"
        self.robots_text = robots_text
        self.robots_mode = robots_mode
        self.max_sleep = max_sleep
        self._lock = threading.Lock()
        self._log: list[Hit] = []
        self._counts: Counter[str] = Counter()
        self._bombs: dict[int, bytes] = {}
        self._bomb_lock = threading.Lock()
        self._server: _Server | None = None

    def start(self) -> FaultServer:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fault = self
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def requests(self) -> list[Hit]:
        with self._lock:
            return list(self._log)

    def hits(self, path: str) -> list[Hit]:
        """Requests whose path (without the query) is ``path``."""
        return [h for h in self.requests if urlsplit(h.path).path == path]

    def reset(self) -> None:
        with self._lock:
            self._log.clear()
            self._counts.clear()
            self._rules.clear()

    def rule(self, path: str, *, status: int | None = None, times: int | None = None,
             retry_after: float | str | None = None, headers: dict[str, str] | None = None,
             delay: float = 0.0, content_type: str | None = None, gzip: bool = False) -> None:
        """Make ``path`` (without query) misbehave; see the module docstring."""
        extra = dict(headers or {})
        if retry_after is not None:
            extra["Retry-After"] = str(retry_after)
        with self._lock:
            self._rules[path] = Rule(status, times, extra, delay, content_type, gzip)

    def _rule_for(self, path: str) -> Rule | None:
        with self._lock:
            return self._rules.get(path)

    def _record(self, hit: Hit) -> int:
        """Log a hit; return how many times its path has been hit, this one included."""
        key = urlsplit(hit.path).path
        with self._lock:
            self._log.append(hit)
            self._counts[key] += 1
            return self._counts[key]

    def bomb(self, megabytes: int) -> bytes:
        """gzip of ``megabytes`` MB of zeros, built once, streaming (never 200 MB at once)."""
        with self._bomb_lock:
            if megabytes not in self._bombs:
                comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS, 9, zlib.Z_RLE)
                zeros = bytes(1 << 20)
                parts = [comp.compress(zeros) for _ in range(megabytes)]
                self._bombs[megabytes] = b"".join(parts) + comp.flush()
            return self._bombs[megabytes]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        fault = self.server.fault
        headers = {k.lower(): v for k, v in self.headers.items()}
        count = fault._record(Hit("GET", self.path, headers))
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        rule = fault._rule_for(parts.path)
        try:
            if fault.delay > 0:
                time.sleep(fault.delay)
            if rule is not None and rule.delay > 0:
                time.sleep(rule.delay)
            if rule is not None and rule.status is not None and (rule.times is None or count <= rule.times):
                body = b"" if 300 <= rule.status < 400 else _page(f"status {rule.status}")
                return self._send(rule.status, body, "text/html" if body else None, **rule.headers)
            if parts.path == "/robots.txt":
                self._robots(fault)
            elif parts.path.startswith("/_fault/"):
                self._fault(fault, parts.path[len("/_fault/"):], query, count)
            else:
                self._static(fault, unquote(parts.path), rule.content_type if rule else None,
                             bool(rule and rule.gzip))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send(self, status: int, body: bytes = b"", ctype: str | None = "text/html",
              **extra: str) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for name, value in extra.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _robots(self, fault: FaultServer) -> None:
        mode = fault.robots_mode
        if mode in ("404", "500"):
            return self._send(int(mode), b"nope", "text/plain")
        if mode == "redirect":
            return self._send(301, b"", None, Location="/_fault/robots-target")
        if mode == "slow":
            time.sleep(fault.max_sleep)
        self._robots_body(fault)

    def _robots_body(self, fault: FaultServer) -> None:
        if fault.robots_text is not None:
            return self._send(200, fault.robots_text.encode(), "text/plain")
        if fault.robots_txt.is_file():
            return self._send(200, fault.robots_txt.read_bytes(), "text/plain")
        self._send(404, b"no robots.txt", "text/plain")

    def _static(self, fault: FaultServer, path: str, ctype: str | None = None, gzip: bool = False) -> None:
        rel = path.lstrip("/")
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
        target = (fault.root / rel).resolve()
        if fault.root not in target.parents or not target.is_file():
            return self._send(404, _page("not found"))
        ctype = ctype or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        data = target.read_bytes()
        extra = {}
        if gzip:
            data = zlib.compress(data, wbits=31)
            extra["Content_Encoding"] = "gzip"
        if fault.etags:
            tag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == tag:
                return self._send(304, b"", None, ETag=tag, **extra)
            return self._send(200, data, ctype, ETag=tag, **extra)
        self._send(200, data, ctype, **extra)

    def _fault(self, fault: FaultServer, name: str, q: dict[str, str], count: int) -> None:
        kind, _, arg = name.partition("/")
        n = int(q.get("n", "1"))
        if kind == "429" and count <= n:
            return self._send(429, b"slow down", "text/plain", Retry_After=q.get("after", "2"))
        if kind == "429date" and count <= n:
            at = float(q["at"]) if "at" in q else time.time() + float(q.get("after", "5"))
            return self._send(429, b"slow down", "text/plain",
                              Retry_After=email.utils.formatdate(at, usegmt=True))
        if kind == "503" and count <= n:
            extra = {"Retry_After": q["after"]} if "after" in q else {}
            return self._send(503, b"busy", "text/plain", **extra)
        if kind in ("429", "429date", "503"):
            return self._send(200, _page(f"{kind} over"))
        if kind == "500":
            return self._send(500, b"broken", "text/plain")
        if kind == "big-error":
            return self._send(500, b"E" * 100_000, "text/plain")
        if kind == "cookies":  # a header sent twice, which a dict of headers would merge
            body = _page("cookies")
            self.send_response(200)
            for header in ("Content-Type: text/html", "Set-Cookie: a=1; Path=/", "Set-Cookie: b=2; Path=/",
                           f"Content-Length: {len(body)}"):
                name, _, value = header.partition(": ")
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
            return None
        if kind == "status":
            return self._send(int(arg), _page(f"status {arg}"))
        if kind == "slow":
            time.sleep(min(float(q.get("s", "0.5")), fault.max_sleep))
            return self._send(200, _page("slow"))
        if kind == "loop":
            other = "b" if arg == "a" else "a"
            return self._send(302, b"", None, Location=f"/_fault/loop/{other}")
        if kind == "chain":
            k = int(arg)
            if k > 0:
                return self._send(301, b"", None, Location=f"/_fault/chain/{k - 1}")
            return self._send(200, _page("end of chain"))
        if kind == "redirect":
            return self._send(int(q.get("code", "302")), b"", None, Location=q["to"])
        if kind == "to-file":
            return self._send(302, b"", None, Location="file:///etc/passwd")
        if kind == "robots-target":
            return self._robots_body(fault)
        return self._fault_body(fault, kind, q)

    def _fault_body(self, fault: FaultServer, kind: str, q: dict[str, str]) -> None:
        if kind == "bomb":
            body = fault.bomb(int(q.get("mb", "200")))
            return self._send(200, body, "text/html", Content_Encoding="gzip")
        if kind == "gzip":
            return self._send(200, zlib.compress(_page("gzipped") * 50, wbits=31),
                              Content_Encoding="gzip")
        if kind == "deflate":
            wbits = -15 if q.get("raw") else 15
            return self._send(200, zlib.compress(_page("deflated") * 50, wbits=wbits),
                              Content_Encoding="deflate")
        if kind in ("huge", "stream"):
            size = int(q.get("size", str(50 << 20)))
            return self._stream(size, length=size if kind == "huge" else None)
        if kind == "truncated":
            return self._stream(100, length=1000)
        if kind == "wrong-charset":
            return self._send(200, page_1251(meta=True), "text/html; charset=utf-8")
        if kind == "meta-1251":
            return self._send(200, page_1251(meta=True), "text/html")
        if kind == "png":
            return self._send(200, _PNG, "image/png")
        if kind == "notype":
            body = b"%PDF-1.4\n%\xe2\xe3" if q.get("body") == "pdf" else _page("untyped")
            return self._send(200, body, None)
        if kind == "etag":
            tag = f'"{q.get("etag", "v1")}"'
            stamp = "Wed, 21 Oct 2015 07:28:00 GMT"
            if self.headers.get("If-None-Match") == tag:
                return self._send(304, b"", None, ETag=tag, Last_Modified=stamp)
            return self._send(200, _page("etagged"), ETag=tag, Last_Modified=stamp)
        return self._send(404, _page("no such fault"))

    def _stream(self, size: int, length: int | None) -> None:
        """``size`` bytes of HTML-ish filler, then close; ``length`` is what we announce."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if length is not None:
            self.send_header("Content-Length", str(length))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        chunk = b"<p>" + b"x" * 65530 + b"</p>\n"
        sent = 0
        while sent < size:
            piece = chunk[: size - sent]
            self.wfile.write(piece)
            sent += len(piece)
