"""Fetcher against the loopback fault server: basics, status handling, retries, redirects."""

from __future__ import annotations

import importlib.util

import asyncio
import socket
from typing import Any

import pytest

from scraper.config import CrawlConfig
from scraper.errors import PermanentFetch, RobotsDenied, TransientFetch
from scraper.fetch import Fetcher, Response
from scraper.fetch.policy import RetryAfterTooLong


# Every test here runs on both transports under httpx: aiohttp's (the default) and
# httpx's own; the fault server's answers must come out the same through either.
_TRANSPORT = {"name": "httpx"}


@pytest.fixture(autouse=True, params=["aiohttp", "httpx"])
def transport(request: pytest.FixtureRequest) -> str:
    _TRANSPORT["name"] = request.param
    return request.param


def config(**overrides: Any) -> CrawlConfig:
    base: dict[str, Any] = {"delay": 0.0, "retries": 2, "backoff": 0.01, "timeout": 5.0,
                            "max_bytes": 1 << 20, "transport": _TRANSPORT["name"]}
    return CrawlConfig(**{**base, **overrides})


def fetch(url: str, fake_time: Any, cfg: CrawlConfig | None = None, **kw: Any
          ) -> tuple[Response | Exception, Fetcher]:
    """Fetch one URL with a fresh Fetcher; return the response (or the error) and it."""

    async def go() -> tuple[Response | Exception, Fetcher]:
        async with Fetcher(cfg or config(), clock=fake_time.clock, sleep=fake_time.sleep) as f:
            try:
                return await f.fetch(url, **kw), f
            except Exception as exc:  # noqa: BLE001 (returned for the test to inspect)
                return exc, f

    return asyncio.run(go())


# --- basics ---------------------------------------------------------------------------


def test_fetches_a_static_page(fault, fake_time):
    resp, f = fetch(fault.url("/fetchtest/"), fake_time)
    assert isinstance(resp, Response)
    assert resp.status == 200 and resp.url == resp.requested_url == fault.url("/fetchtest/")
    assert "Café crème" in resp.text and resp.encoding == "utf-8"
    assert resp.content_type == "text/html" and resp.charset is None
    assert resp.http_version == "HTTP/1.1" and resp.reason == "OK" and resp.redirects == []
    assert resp.fetched_at == "2023-11-14T22:13:20Z"  # from the injected clock
    assert resp.raw_body == resp.body and resp.headers["content-length"] == str(len(resp.body))
    assert f.stats.requests == 2 and f.stats.by_status[200] == 2  # robots.txt + page
    assert f.stats.failures == 0 and f.stats.bytes >= len(resp.body)


def test_sends_user_agent_accept_and_encodings(fault, fake_time):
    cfg = config(user_agent="scraper-test/9.9 (+https://example.invalid/bot)")
    resp, _ = fetch(fault.url("/fetchtest/post-1.html"), fake_time, cfg)
    assert isinstance(resp, Response)
    for hit in fault.requests:  # robots.txt and the page
        assert hit.headers["user-agent"] == cfg.user_agent
        expected = "gzip, deflate" + (", br" if importlib.util.find_spec("brotli") else "")
        assert hit.headers["accept-encoding"] == expected
    page = fault.hits("/fetchtest/post-1.html")[0]
    assert page.headers["accept"].startswith("text/html")
    assert resp.request_headers["user-agent"] == cfg.user_agent


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "mailto:a@b.c",
                                 "http:///nohost", "http://127.0.0.1:99999/"])
def test_refuses_non_http_and_malformed_urls(url, fault, fake_time):
    exc, f = fetch(url, fake_time)
    assert isinstance(exc, PermanentFetch) and exc.url == url
    assert f.stats.requests == 0 and f.stats.failures == 1


def test_conditional_get_returns_304(fault, fake_time):
    first, _ = fetch(fault.url("/_fault/etag?etag=v1"), fake_time)
    assert isinstance(first, Response) and first.status == 200
    assert first.etag == '"v1"' and first.last_modified == "Wed, 21 Oct 2015 07:28:00 GMT"
    again, _ = fetch(fault.url("/_fault/etag?etag=v1"), fake_time, etag=first.etag,
                     last_modified=first.last_modified)
    assert isinstance(again, Response) and again.not_modified and again.body == b""
    sent = fault.hits("/_fault/etag")[-1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Wed, 21 Oct 2015 07:28:00 GMT"


# --- status handling and retries ------------------------------------------------------


@pytest.mark.parametrize("code", [404, 410, 401, 403, 501])
def test_permanent_statuses_are_not_retried(code, fault, fake_time):
    exc, f = fetch(fault.url(f"/_fault/status/{code}"), fake_time)
    assert type(exc) is PermanentFetch and exc.status == code
    assert len(fault.hits(f"/_fault/status/{code}")) == 1
    assert f.stats.retries == 0 and f.stats.failures == 1 and fake_time.sleeps == []


def test_500_forever_gives_transient_after_retries_plus_one_requests(fault, fake_time):
    exc, f = fetch(fault.url("/_fault/500"), fake_time, config(retries=3, backoff=0.5))
    assert type(exc) is TransientFetch and exc.status == 500  # never tenacity's RetryError
    assert len(fault.hits("/_fault/500")) == 4
    assert f.stats.retries == 3 and f.stats.by_status[500] == 4
    waits = [s for s in fake_time.sleeps if s >= 0.5]  # backoff waits (jitter <= backoff)
    assert len(waits) >= 3 and waits[0] < 1.0 + 1e-9


def test_503_then_success(fault, fake_time):
    resp, f = fetch(fault.url("/_fault/503/then-ok?n=2"), fake_time)
    assert isinstance(resp, Response) and resp.status == 200
    assert len(fault.hits("/_fault/503/then-ok")) == 3 and f.stats.retries == 2


def test_429_retry_after_seconds_is_honoured(fault, fake_time):
    resp, f = fetch(fault.url("/_fault/429/secs?n=1&after=2"), fake_time)
    assert isinstance(resp, Response) and resp.status == 200
    assert len(fault.hits("/_fault/429/secs")) == 2
    assert max(fake_time.sleeps) >= 2.0  # backoff alone would be ~0.01 s


def test_429_retry_after_http_date_is_honoured(fault, fake_time):
    at = int(fake_time.now) + 7  # read against the injected clock, not the wall clock
    resp, _ = fetch(fault.url(f"/_fault/429date/date?n=1&at={at}"), fake_time)
    assert isinstance(resp, Response) and resp.status == 200
    assert max(fake_time.sleeps) >= 7.0


def test_retry_after_beyond_cap_gives_up_at_once(fault, fake_time):
    cfg = config(retries=4, max_retry_after=5.0)
    exc, f = fetch(fault.url("/_fault/429/toolong?n=9&after=3600"), fake_time, cfg)
    assert isinstance(exc, RetryAfterTooLong) and isinstance(exc, TransientFetch)
    assert "max_retry_after" in str(exc) and exc.asked == 3600 and exc.retry_after == 5.0
    assert len(fault.hits("/_fault/429/toolong")) == 1 and f.stats.retries == 0


def test_timeout_is_transient(fault, fake_time):
    exc, _ = fetch(fault.url("/_fault/slow?s=0.5"), fake_time, config(timeout=0.1, retries=0))
    assert type(exc) is TransientFetch and "timed out" in str(exc)
    assert exc.__cause__ is not None  # translated with raise ... from


def test_truncated_body_is_transient(fault, fake_time):
    exc, _ = fetch(fault.url("/_fault/truncated"), fake_time, config(retries=1))
    assert type(exc) is TransientFetch
    assert len(fault.hits("/_fault/truncated")) == 2


def test_connection_refused_is_transient(fake_time):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exc, f = fetch(f"http://127.0.0.1:{port}/", fake_time, config(retries=1, robots=False))
    assert type(exc) is TransientFetch and f.stats.requests == 2


# --- redirects ------------------------------------------------------------------------


def test_follows_a_redirect_chain(fault, fake_time):
    resp, _ = fetch(fault.url("/_fault/chain/3"), fake_time)
    assert isinstance(resp, Response) and resp.status == 200
    assert resp.url == fault.url("/_fault/chain/0")
    assert resp.requested_url == fault.url("/_fault/chain/3")
    assert resp.redirects == [fault.url(f"/_fault/chain/{k}") for k in (3, 2, 1)]


def test_too_many_redirects(fault, fake_time):
    exc, _ = fetch(fault.url("/_fault/chain/6"), fake_time, config(max_redirects=5))
    assert type(exc) is PermanentFetch and "more than 5 redirects" in str(exc)
    assert not fault.hits("/_fault/chain/0")


def test_redirect_loop_detected(fault, fake_time):
    exc, _ = fetch(fault.url("/_fault/loop/a"), fake_time, config(max_redirects=20))
    assert type(exc) is PermanentFetch and "loop" in str(exc)
    assert len(fault.hits("/_fault/loop/a")) == 1 and len(fault.hits("/_fault/loop/b")) == 1


def test_redirect_to_file_scheme_refused(fault, fake_time):
    exc, _ = fetch(fault.url("/_fault/to-file"), fake_time)
    assert type(exc) is PermanentFetch and "file:///etc/passwd" in str(exc)
    assert len(fault.hits("/_fault/to-file")) == 1  # not retried


def test_each_redirect_hop_is_checked_against_robots(fault, fake_time):
    exc, _ = fetch(fault.url("/_fault/redirect?to=/fetchtest/private/"), fake_time)
    assert isinstance(exc, RobotsDenied) and exc.url == fault.url("/fetchtest/private/")
    assert not fault.hits("/fetchtest/private/")


# --- what the archive sees --------------------------------------------------------------


def fetch_archived(url: str, fake_time: Any, **kw: Any) -> tuple[Response | Exception, list[Response]]:
    """Fetch with an on_exchange hook, as a crawl with --warc does; return the outcome
    and every exchange the hook saw."""
    seen: list[Response] = []

    async def go() -> Response | Exception:
        async with Fetcher(config(), clock=fake_time.clock, sleep=fake_time.sleep, on_exchange=seen.append) as f:
            try:
                return await f.fetch(url, **kw)
            except Exception as exc:  # noqa: BLE001 (returned for the test to inspect)
                return exc

    return asyncio.run(go()), seen


def _page_exchanges(seen: list[Response]) -> list[Response]:
    return [r for r in seen if not r.url.endswith("/robots.txt")]


def test_an_error_page_is_archived_with_its_body(fault, fake_time):
    exc, seen = fetch_archived(fault.url("/_fault/500"), fake_time)
    assert isinstance(exc, TransientFetch)
    tries = _page_exchanges(seen)
    assert len(tries) == 3  # each try is an exchange of its own
    assert all(r.status == 500 and r.raw_body == b"broken" and r.truncated is None for r in tries)


def test_a_large_error_page_is_cut_and_marked(fault, fake_time):
    from scraper.fetch.client import ERROR_BODY_CAP

    exc, seen = fetch_archived(fault.url("/_fault/big-error"), fake_time)
    assert isinstance(exc, TransientFetch)
    first = _page_exchanges(seen)[0]
    assert len(first.raw_body) == ERROR_BODY_CAP and first.truncated == "length"


def test_a_refused_body_is_archived_as_truncated(fault, fake_time):
    exc, seen = fetch_archived(fault.url("/_fault/png"), fake_time, kind="html")
    assert isinstance(exc, PermanentFetch) and "not HTML" in str(exc)
    (refused,) = _page_exchanges(seen)
    assert refused.status == 200 and refused.raw_body == b"" and refused.truncated == "length"


def test_repeated_headers_reach_the_warc_as_sent(fault, fake_time, tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    from scraper.write.warc import WarcArchive

    resp, seen = fetch_archived(fault.url("/_fault/cookies"), fake_time)
    assert isinstance(resp, Response)
    assert [v for k, v in resp.header_lines if k.lower() == "set-cookie"] == ["a=1; Path=/", "b=2; Path=/"]
    _, more = fetch_archived(fault.url("/_fault/big-error"), fake_time)
    with WarcArchive(tmp_path) as archive:
        for r in _page_exchanges(seen) + _page_exchanges(more)[:1]:
            archive.write_exchange(r.url, r.status, r.reason, r.http_version, r.header_lines, r.raw_body,
                                   list(r.request_headers.items()), fetched_at=r.fetched_at, truncated=r.truncated)
        files = archive.files
    with open(files[0], "rb") as f:
        responses = [rec for rec in ArchiveIterator(f) if rec.rec_type == "response"]
    cookies, error = responses
    assert [v for k, v in cookies.http_headers.headers if k == "Set-Cookie"] == ["a=1; Path=/", "b=2; Path=/"]
    assert cookies.rec_headers.get_header("WARC-Truncated") is None
    assert error.rec_headers.get_header("WARC-Truncated") == "length"
    assert error.http_headers.get_statuscode() == "500"


def test_the_transport_in_use_is_the_one_asked_for(transport):
    """Both runs of this module really go through different I/O."""
    from httpx_aiohttp import AiohttpTransport

    async def go() -> type:
        async with Fetcher(config()) as f:
            return type(f._client._transport)

    used = asyncio.run(go())
    assert (used is AiohttpTransport) == (transport == "aiohttp")


def test_an_unknown_transport_is_a_config_error():
    from scraper.errors import ConfigError

    with pytest.raises(ConfigError, match="transport"):
        CrawlConfig(transport="curl")
