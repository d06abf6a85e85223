"""A static site on 127.0.0.1, for ``scraper demo`` and for tests.

It serves a folder the way static blog hosts do: ``/a/b/`` is ``a/b/index.html``,
``/robots.txt`` is ``robots.txt``; anything else is a 404. It answers conditional
GETs (ETag) so re-runs can be shown against it. Loopback only, ephemeral port.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = ["StaticSite", "LocalSite", "serve_site", "find_demo_site"]


def find_demo_site() -> Path | None:
    """The bundled demo blog: ``tests/fixtures/sites/demo`` of a source checkout."""
    here = Path(__file__).resolve().parent
    for root in (here.parent, Path.cwd()):
        candidate = root / "tests" / "fixtures" / "sites" / "demo"
        if (candidate / "robots.txt").is_file():
            return candidate
    return None


class StaticSite(BaseHTTPRequestHandler):
    """Request handler serving ``server.root``; subclass to add misbehaving paths."""

    server_version = "scraper-demo/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        pass

    def resolve_path(self, path: str) -> Path | None:
        root: Path = self.server.root  # type: ignore[attr-defined]
        rel = unquote(urlsplit(path).path).lstrip("/")
        target = (root / rel).resolve()
        if root.resolve() not in target.parents and target != root.resolve():
            return None
        if target.is_dir():
            target = target / "index.html"
        return target if target.is_file() else None

    def send_body(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        target = self.resolve_path(self.path)
        if target is None:
            self.send_body(404, b"<html><body><h1>Not found</h1></body></html>", "text/html; charset=utf-8")
            return
        data = target.read_bytes()
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/"):
            ctype += "; charset=utf-8"
        self.send_body(200, data, ctype, {"ETag": etag})


class LocalSite:
    """A folder served on 127.0.0.1 in a background thread, as a context manager.

    ``port`` 0 takes any free port; another port is tried first and, if taken,
    replaced by any free one. ``base`` is the site's URL; ``server`` the
    ThreadingHTTPServer, for handlers that keep logs on it."""

    def __init__(self, root: Path, handler: type[StaticSite] = StaticSite, port: int = 0) -> None:
        try:
            self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError:
            self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.server.root = Path(root)  # type: ignore[attr-defined]
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="scraper-site", daemon=True)

    def __enter__(self) -> LocalSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def serve_site(root: Path, handler: type[StaticSite] = StaticSite, port: int = 0) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 for the ``with`` block; yields the base URL."""
    with LocalSite(root, handler, port) as site:
        yield site.base
