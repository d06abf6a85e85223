"""Logic a real server cannot easily produce (MockTransport), and the small pure parts."""

from __future__ import annotations

import asyncio
import email.utils
import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tenacity import RetryError

import scraper.fetch
from scraper.config import CrawlConfig
from scraper.errors import FetchError, PermanentFetch, TransientFetch
from scraper.fetch import Fetcher, FetchStats, Response
from scraper.fetch.policy import parse_retry_after
from scraper.fetch.response import parse_content_type


def config(**overrides: Any) -> CrawlConfig:
    base: dict[str, Any] = {"delay": 0.0, "retries": 2, "backoff": 1.0, "robots": False}
    return CrawlConfig(**{**base, **overrides})


def html(status: int = 200, body: bytes = b"<html>ok</html>", **headers: str) -> httpx.Response:
    # stream=, not content=: httpx reads content= eagerly, and the Fetcher reads raw
    return httpx.Response(status, headers={"Content-Type": "text/html", **headers},
                          stream=httpx.ByteStream(body))


def run(handler: Callable[[httpx.Request], httpx.Response], fake_time: Any,
        cfg: CrawlConfig | None = None, url: str = "http://blog.test/", **kw: Any
        ) -> tuple[Response | BaseException, Fetcher]:
    async def go() -> tuple[Response | BaseException, Fetcher]:
        async with Fetcher(cfg or config(), transport=httpx.MockTransport(handler),
                           clock=fake_time.clock, sleep=fake_time.sleep) as f:
            try:
                return await f.fetch(url, **kw), f
            except BaseException as exc:  # noqa: BLE001 (RetryError must not escape: checked)
                return exc, f

    return asyncio.run(go())


def raising(exc: Exception, calls: list[int]) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise exc

    return handler


@pytest.mark.parametrize("error", [
    httpx.RemoteProtocolError("Server disconnected without sending a response."),
    httpx.ConnectError("connection refused"), httpx.ReadTimeout("read"),
    httpx.PoolTimeout("pool"), httpx.ConnectTimeout("connect"), httpx.ReadError("reset"),
])
def test_network_errors_are_transient_and_retried(error, fake_time):
    calls: list[int] = []
    exc, f = run(raising(error, calls), fake_time)
    assert type(exc) is TransientFetch and exc.__cause__ is error
    assert not isinstance(exc, RetryError) and len(calls) == 3 and f.stats.retries == 2


@pytest.mark.parametrize("error", [httpx.LocalProtocolError("bad header"),
                                   httpx.UnsupportedProtocol("nope")])
def test_protocol_misuse_is_permanent(error, fake_time):
    calls: list[int] = []
    exc, _ = run(raising(error, calls), fake_time)
    assert type(exc) is PermanentFetch and exc.__cause__ is error and len(calls) == 1


def test_backoff_is_exponential_with_bounded_jitter(fake_time):
    exc, _ = run(lambda r: html(500), fake_time, config(retries=3, backoff=1.0))
    assert isinstance(exc, TransientFetch)
    for step, wait in zip((1.0, 2.0, 4.0), fake_time.sleeps):
        assert step <= wait <= step + 1.0


def test_short_retry_after_does_not_shorten_the_backoff(fake_time):
    answers = iter([html(503, **{"Retry-After": "0"}), html(200)])
    resp, _ = run(lambda r: next(answers), fake_time, config(backoff=3.0))
    assert isinstance(resp, Response) and fake_time.sleeps[0] >= 3.0


def test_retry_after_is_capped_at_max_retry_after(fake_time):
    answers = iter([html(429, **{"Retry-After": "30"}), html(200)])
    resp, _ = run(lambda r: next(answers), fake_time, config(backoff=0.01, max_retry_after=30))
    assert isinstance(resp, Response) and 30.0 <= fake_time.sleeps[0] <= 30.02


def test_transient_error_carries_retry_after(fake_time):
    exc, _ = run(lambda r: html(503, **{"Retry-After": "4"}), fake_time, config(retries=0))
    assert isinstance(exc, TransientFetch) and exc.retry_after == 4.0 and exc.status == 503


def test_stats_count_requests_statuses_and_failures(fake_time):
    answers = iter([html(502), html(200, body=b"<html>12345</html>")])

    async def go() -> Fetcher:
        async with Fetcher(config(), transport=httpx.MockTransport(lambda r: next(answers)),
                           clock=fake_time.clock, sleep=fake_time.sleep) as f:
            await f.fetch("http://blog.test/a")
            with pytest.raises(PermanentFetch):
                await f.fetch("gopher://blog.test/")
            return f

    stats = asyncio.run(go()).stats
    assert stats == FetchStats(requests=2, retries=1, bytes=18, failures=1,
                               by_status=stats.by_status)
    assert dict(stats.by_status) == {502: 1, 200: 1}


def test_unknown_kind_is_a_programming_error(fake_time):
    exc, _ = run(lambda r: html(), fake_time, kind="pdf")
    assert isinstance(exc, ValueError) and not isinstance(exc, FetchError)


def test_relative_redirect_and_fragment(fake_time):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/old":
            return html(308, Location="new/../page#frag")
        return html(200)

    resp, _ = run(handler, fake_time, url="http://blog.test/old")
    assert isinstance(resp, Response) and resp.url == "http://blog.test/page"
    assert resp.redirects == ["http://blog.test/old"]


def test_sockets_beyond_loopback_are_blocked():
    with socket.socket() as sock, pytest.raises(RuntimeError, match="may not reach"):
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1
    with socket.socket() as sock, pytest.raises(RuntimeError, match="may not reach"):
        sock.connect_ex(("198.51.100.7", 443))


def test_public_names():
    assert scraper.fetch.__all__ == ["Fetcher", "FetchStats", "Response"]


# --- pure parts -----------------------------------------------------------------------


def test_response_properties():
    r = Response(url="http://a.test/", requested_url="http://a.test/", status=304,
                 headers={"content-type": "Text/HTML; Charset=\"ISO-8859-1\"", "etag": 'W/"x"',
                          "last-modified": "Wed, 21 Oct 2015 07:28:00 GMT"},
                 body="<p>café</p>".encode("cp1252"), raw_body=b"")
    assert r.content_type == "text/html" and r.charset == "ISO-8859-1"
    assert r.text == "<p>café</p>" and r.encoding == "cp1252"
    assert r.not_modified and r.etag == 'W/"x"'
    assert r.last_modified == "Wed, 21 Oct 2015 07:28:00 GMT"
    bare = Response(url="u", requested_url="u", status=200, headers={}, body=b"", raw_body=b"")
    assert bare.content_type == "" and bare.charset is None and bare.etag is None


@pytest.mark.parametrize("value,expected", [
    ("text/html", ("text/html", {})), ("", ("", {})), (None, ("", {})),
    ("text/html;; charset=utf-8 ;", ("text/html", {"charset": "utf-8"})),
    ("TEXT/HTML; CHARSET='koi8-r'", ("text/html", {"charset": "koi8-r"})),
])
def test_parse_content_type(value, expected):
    assert parse_content_type(value) == expected


NOW = 1_700_000_000.0


@given(st.integers(0, 10**7))
def test_retry_after_delta_seconds(n):
    assert parse_retry_after(str(n), NOW) == float(n)


@given(st.integers(-10**6, 10**6))
def test_retry_after_http_date_is_relative_to_the_clock(offset):
    value = email.utils.formatdate(NOW + offset, usegmt=True)
    assert parse_retry_after(value, NOW) == max(0.0, float(offset))


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "1.5e3", "Wed, 99 Foo 2015"])
def test_retry_after_garbage_is_ignored(value):
    assert parse_retry_after(value, NOW) is None
