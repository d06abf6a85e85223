"""Shared test fixtures: no hidden network, a loopback fault server, a fake clock."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from faultserver import FaultServer

FIXTURES = Path(__file__).parent / "fixtures"
SITES = FIXTURES / "sites"

# --- hidden network fails loudly -----------------------------------------------------

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class NetworkBlocked(RuntimeError):
    """Not an OSError on purpose: retry logic must not swallow it as a network blip."""


def _is_local(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0] if isinstance(address, tuple) and address else address
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str):
        return False
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        ip = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return ip.is_loopback or bool(mapped and mapped.is_loopback)


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if self.family != socket.AF_UNIX and not _is_local(address):
        raise NetworkBlocked(f"tests may not reach the network: connect({address!r})")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> Any:
    if self.family != socket.AF_UNIX and not _is_local(address):
        raise NetworkBlocked(f"tests may not reach the network: connect_ex({address!r})")
    return _real_connect_ex(self, address)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Block non-loopback connects for the whole run (SCRAPER_ALLOW_NETWORK=1 opts out)."""
    if os.environ.get("SCRAPER_ALLOW_NETWORK") == "1":
        return
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    # An HTTP(S)_PROXY in the environment would route loopback requests elsewhere.
    no_proxy = os.environ.get("NO_PROXY", "")
    os.environ["NO_PROXY"] = ",".join(filter(None, [no_proxy, "127.0.0.1", "localhost", "::1"]))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    socket.socket.connect = _real_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _real_connect_ex  # type: ignore[method-assign]


# --- loopback fault server ------------------------------------------------------------


@pytest.fixture(scope="session")
def fault_server() -> Iterator[FaultServer]:
    """``tests/fixtures/sites/`` over loopback, plus the ``/_fault/`` endpoints.

    ``/robots.txt`` is ``sites/fetchtest/robots.txt`` (it disallows ``/fetchtest/private/``).
    Shared by the session: tests use their own fault tags, or the ``fault`` fixture."""
    with FaultServer(SITES, robots_txt=SITES / "fetchtest" / "robots.txt") as srv:
        yield srv


@pytest.fixture()
def fault(fault_server: FaultServer) -> FaultServer:
    """The session fault server with an empty access log and fresh per-path counters."""
    fault_server.reset()
    return fault_server


# --- fake time ------------------------------------------------------------------------


class FakeTime:
    """An injectable clock and sleep in virtual time: sleeping records the delay and
    moves the clock forward; concurrent sleepers wake in order of their wake-up times."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._wakeups: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        wake = self.now + max(0.0, seconds)
        self._wakeups.append(wake)
        try:
            await asyncio.sleep(0)  # let other ready tasks reach their own sleep first
            while wake > min(self._wakeups):
                await asyncio.sleep(0)
        finally:
            self._wakeups.remove(wake)
        self.now = max(self.now, wake)


@pytest.fixture()
def fake_time() -> FakeTime:
    return FakeTime()


# --- crawl end-to-end: generated blog sites and the installed command ---------------------
# (used by test_crawl_faults, test_crawl_state, test_crash, test_jobs, test_rebuild)

import html as _html  # noqa: E402
import json as _json  # noqa: E402
import random as _random  # noqa: E402
import re as _re  # noqa: E402
import subprocess as _subprocess  # noqa: E402
import sys as _sys  # noqa: E402
from dataclasses import dataclass as _dataclass, field as _field  # noqa: E402

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_WORDS = ("council budget housing review tenants parks library funding reform transport school "
          "election district ward officer scheme grant plan service audit pension waste energy "
          "repair community volunteer market rent planning inquiry report board member charity "
          "estate road bridge river harbour museum clinic nurse teacher pupil cabinet minister").split()


@_dataclass
class BlogPost:
    slug: str           # permalink path, e.g. "/2011/04/some-title/"
    title: str
    date: str           # ISO date
    paragraphs: list[str]  # inner HTML of each <p>
    extra_html: str = ""   # appended inside the post body (links etc.)

    @property
    def human_date(self) -> str:
        y, m, d = (int(x) for x in self.date.split("-"))
        return f"{d} {_MONTHS[m - 1]}, {y}"

    def text(self) -> str:
        """The body as plain text (tags dropped, white space collapsed), as records hold it."""
        paras = self.paragraphs + _re.findall(r"<p>(.*?)</p>", self.extra_html, _re.S)
        return "\n\n".join(" ".join(_html.unescape(_re.sub(r"<[^>]+>", "", p)).split()) for p in paras)


def seed_posts() -> list[BlogPost]:
    """The seed's seven posts (titles, dates, permalinks from expected.json), with the
    full text of the demo site's permalink pages."""
    expected = _json.loads((FIXTURES / "seed" / "expected.json").read_text(encoding="utf-8"))
    posts = []
    for g in expected["posts"]:
        slug = g["url"].removeprefix("https://lgc.example.com")
        page = (SITES / "demo" / slug.strip("/") / "index.html").read_text(encoding="utf-8")
        body = page.split('<div class="entry-content">', 1)[1].split("</div>", 1)[0]
        paras = _re.findall(r"<p>(.*?)</p>", body, _re.S)
        posts.append(BlogPost(slug, g["title"], g["date"], paras))
    return posts


def make_posts(n: int, *, seed: int = 1, start: str = "2016-06-28", prefix: str = "") -> list[BlogPost]:
    """``n`` distinct posts, newest first, one every 3 days back from ``start``."""
    from datetime import date, timedelta

    rng = _random.Random(seed)
    day = date.fromisoformat(start)
    posts = []
    for i in range(n):
        words = rng.sample(_WORDS, 5)
        title = f"{prefix}{words[0].capitalize()} {words[1]} and the {words[2]} {words[3]} question {i + 1}"
        slug = f"/{day.year}/{day.month:02d}/{_re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')}/"
        paras = []
        for _ in range(3):
            sentences = []
            for _ in range(4):
                sw = rng.choices(_WORDS, k=rng.randint(9, 16))
                sentences.append(" ".join(sw).capitalize() + ".")
            paras.append(" ".join(sentences))
        posts.append(BlogPost(slug, title, day.isoformat(), paras))
        day -= timedelta(days=3)
    return posts


_HEAD = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="{charset}">
<title>{title}</title>
{head_extra}</head>
<body class="{body_class}">
<div id="cookie-consent" class="cookie-banner"><p>By continuing to use the site you agree to our <a href="/privacy/">cookie policy</a></p></div>
<div id="page">
<div id="header"><a id="logo" href="/">The Borough Blog</a>
 <ul id="nav"><li><a href="/news/">News</a></li><li><a href="/housing/">Housing</a></li><li><a href="/about/">About</a></li></ul>
</div>
<div id="content">
<div id="main">
"""
_TAIL = """</div>
<div id="sidebar">
<div class="box newsletter-box"><h3>Newsletter</h3><p>Get the latest borough news in your inbox every morning.</p></div>
<div class="box jobs-box"><h3>Jobs</h3><ul><li><a href="/jobs/1/">Senior planning officer, salary on application</a></li></ul></div>
</div>
</div>
<div id="footer"><ul><li><a href="/about/">About us</a></li><li><a href="/contact/">Contact</a></li></ul>
<p class="copyright">&copy; 2016 The Borough Blog. All rights reserved.</p></div>
</div>
</body>
</html>
"""


@_dataclass
class Blog:
    """A blog's tag listing (``per_page`` posts a page, "Older posts" links) and,
    optionally, a permalink page per post, written as static files under ``root``.

    Change ``posts`` (or the knobs) and call ``write()`` again to change the site
    between two crawls. ``listing_path(n)`` is page n's path: ``/tag/borough/`` and
    ``/tag/borough/page/N/``. ``next_href`` maps a page number to the href of its
    "Older posts" link (None: no link; default: the next page while there is one);
    ``pager_extra`` maps a page number to more HTML in its pager; ``charset`` is the
    encoding of the files (declared in <meta>)."""

    root: Path
    posts: list[BlogPost]
    per_page: int = 5
    tag: str = "borough"
    excerpts: bool = False
    permalinks: bool = False
    charset: str = "utf-8"
    lang: str = "en-GB"
    next_href: dict[int, str | None] = _field(default_factory=dict)
    pager_extra: dict[int, str] = _field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.posts) // self.per_page))

    def listing_path(self, n: int = 1) -> str:
        return f"/tag/{self.tag}/" if n == 1 else f"/tag/{self.tag}/page/{n}/"

    def page_posts(self, n: int) -> list[BlogPost]:
        return self.posts[(n - 1) * self.per_page: n * self.per_page]

    def _post_html(self, p: BlogPost) -> str:
        if self.excerpts:
            words = _re.sub(r"<[^>]+>", "", p.paragraphs[0]).split()[:30]
            body = (f"<p>{' '.join(words)}&hellip; <a class=\"more-link\" href=\"{p.slug}\">Read more</a></p>")
        else:
            body = "\n".join(f"  <p>{para}</p>" for para in p.paragraphs)
        return (f'<div class="post">\n <h2 class="post-title"><a href="{p.slug}" rel="bookmark">'
                f'{_html.escape(p.title)}</a></h2>\n'
                f' <p class="post-meta"><span class="post-date">{p.human_date}</span> Posted by: '
                f'<span class="post-author">-</span></p>\n'
                f' <div class="post-body">\n{body}\n{p.extra_html}\n </div>\n</div>\n')

    def listing_html(self, n: int) -> str:
        default = self.listing_path(n + 1) if n < self.pages else None
        href = self.next_href.get(n, default)
        pager = [f'<span class="page-count">Page {n} of {self.pages}</span>']
        if n > 1:
            pager.insert(0, f'<a class="newer" href="{self.listing_path(n - 1)}" rel="prev">Newer posts</a>')
        if href:
            pager.append(f'<a class="older" href="{href}">Older posts</a>')
        pager.append(self.pager_extra.get(n, ""))
        head = _HEAD.format(lang=self.lang, charset=self.charset, title=f"{self.tag} | Page {n} | The Borough Blog",
                            head_extra="", body_class=f"blog tag tag-{self.tag}")
        posts = "".join(self._post_html(p) for p in self.page_posts(n))
        return (head + f"<h1>All posts tagged: {self.tag}</h1>\n<div class=\"post-list\">\n{posts}</div>\n"
                f"<div class=\"pagination\">{' '.join(pager)}</div>\n" + _TAIL)

    def article_html(self, p: BlogPost) -> str:
        head = _HEAD.format(lang=self.lang, charset=self.charset, title=f"{_html.escape(p.title)} | The Borough Blog",
                            head_extra='<meta property="og:type" content="article">\n', body_class="blog single-post")
        paras = "\n".join(f"<p>{para}</p>" for para in p.paragraphs)
        return (head + f'<article class="post-full">\n<h1 class="entry-title">{_html.escape(p.title)}</h1>\n'
                f'<p class="byline"><time datetime="{p.date}">{p.human_date}</time></p>\n'
                f'<div class="entry-content">\n{paras}\n</div>\n'
                f'<p class="tags">Tags: <a href="{self.listing_path(1)}" rel="tag">{self.tag}</a></p>\n'
                f'</article>\n' + _TAIL)

    def _put(self, path: str, text: str) -> None:
        target = self.root / path.strip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode(self.charset)
        if not target.exists() or target.read_bytes() != data:  # unchanged files keep their ETag
            target.write_bytes(data)

    def write(self) -> Blog:
        self.root.mkdir(parents=True, exist_ok=True)
        robots = self.root / "robots.txt"
        if not robots.exists():
            robots.write_text("User-agent: *\nDisallow: /private/\n")
        for n in range(1, self.pages + 1):
            self._put(self.listing_path(n), self.listing_html(n))
        if self.permalinks:
            for p in self.posts:
                self._put(p.slug, self.article_html(p))
        return self


@pytest.fixture()
def make_blog(tmp_path: Path) -> Any:
    """``make_blog(posts, **knobs)``: a Blog written under a fresh folder of tmp_path."""
    count = [0]

    def make(posts: list[BlogPost], **knobs: Any) -> Blog:
        count[0] += 1
        return Blog(tmp_path / f"site{count[0]}", posts, **knobs).write()

    return make


def scraper_exe() -> str:
    """The installed ``scraper`` command of this virtualenv."""
    exe = Path(_sys.executable).parent / "scraper"
    assert exe.exists(), f"scraper is not installed in {exe.parent} (pip install -e .)"
    return str(exe)


def run_scraper(*args: Any, cwd: Path | None = None, timeout: float = 60) -> _subprocess.CompletedProcess[str]:
    """Run the installed command as a user would; stderr is not a terminal, so the
    progress comes as plain log lines. A traceback on stderr always fails the test."""
    env = {**os.environ, "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
    proc = _subprocess.run([scraper_exe(), *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                           timeout=timeout, cwd=cwd, env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def read_json_records(out: Path) -> list[dict[str, Any]]:
    """Every ``<out>/<host>/<id>.json`` record (revision copies ``<id>.rN.json`` left out)."""
    return [_json.loads(f.read_text(encoding="utf-8")) for f in sorted(out.glob("*/*.json"))
            if _re.fullmatch(r"[0-9a-f]{20}\.json", f.name)]


def read_jsonl_records(path: Path) -> list[dict[str, Any]]:
    """Every line of a JSON Lines file, each loaded with ``json.loads``."""
    return [_json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
