"""robots.txt: RFC 9309 semantics for 2xx / 4xx / 5xx / unreachable, Crawl-delay, caching."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path
from typing import Any

import pytest

from faultserver import FaultServer
from scraper.config import CrawlConfig
from scraper.errors import RobotsDenied
from scraper.fetch import Fetcher, Response
from scraper.fetch.politeness import host_key
from scraper.fetch.robots import origin_of, robots_url


def config(**overrides: Any) -> CrawlConfig:
    base: dict[str, Any] = {"delay": 0.0, "retries": 1, "backoff": 0.01, "max_bytes": 1 << 20}
    return CrawlConfig(**{**base, **overrides})


def fetch_all(urls: list[str], fake_time: Any, cfg: CrawlConfig | None = None,
              concurrent: bool = False) -> tuple[list[Response | BaseException], Fetcher]:
    async def go() -> tuple[list[Response | BaseException], Fetcher]:
        async with Fetcher(cfg or config(), clock=fake_time.clock, sleep=fake_time.sleep) as f:
            if concurrent:
                return list(await asyncio.gather(*map(f.fetch, urls), return_exceptions=True)), f
            out: list[Response | BaseException] = []
            for url in urls:
                try:
                    out.append(await f.fetch(url))
                except Exception as exc:  # noqa: BLE001
                    out.append(exc)
            return out, f

    return asyncio.run(go())


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    """A one-page site of our own, for servers whose robots.txt a test controls."""
    (tmp_path / "index.html").write_text("<!doctype html><html><body>home</body></html>")
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "index.html").write_text("<!doctype html><html><body>x</body></html>")
    return tmp_path


def test_disallowed_url_denied_and_never_requested(fault, fake_time):
    urls = [fault.url("/fetchtest/"), fault.url("/fetchtest/private/"),
            fault.url("/fetchtest/post-1.html")]
    (home, private, post), f = fetch_all(urls, fake_time)
    assert isinstance(home, Response) and isinstance(post, Response)
    assert isinstance(private, RobotsDenied) and private.url == urls[1]
    assert not fault.hits("/fetchtest/private/")
    assert len(fault.hits("/robots.txt")) == 1  # once per host per Fetcher
    assert f.stats.failures == 1


def test_concurrent_first_requests_share_one_robots_fetch(fault, fake_time):
    urls = [fault.url("/fetchtest/"), fault.url("/fetchtest/post-1.html")] * 3
    results, _ = fetch_all(urls, fake_time, concurrent=True)
    assert all(isinstance(r, Response) for r in results)
    assert len(fault.hits("/robots.txt")) == 1


def test_robots_404_allows_everything(site, fake_time):
    with FaultServer(site, robots_mode="404") as srv:
        results, _ = fetch_all([srv.url("/"), srv.url("/x/")], fake_time)
        assert all(isinstance(r, Response) for r in results)
        assert len(srv.hits("/robots.txt")) == 1  # a 4xx is an answer: not retried


def test_robots_500_disallows_the_host_and_warns_once(site, fake_time, caplog):
    caplog.set_level(logging.WARNING, logger="scraper.fetch")
    with FaultServer(site, robots_mode="500") as srv:
        results, f = fetch_all([srv.url("/"), srv.url("/x/")], fake_time, config(retries=2))
        assert all(isinstance(r, RobotsDenied) for r in results)
        assert len(srv.hits("/robots.txt")) == 3  # retried like any 5xx, then given up
        assert not srv.hits("/") and not srv.hits("/x/")
    warnings = [r for r in caplog.records if "disallowed" in r.getMessage()]
    assert len(warnings) == 1 and "500" in warnings[0].getMessage()


def test_robots_timeout_disallows_the_host(site, fake_time):
    with FaultServer(site, robots_mode="slow", max_sleep=0.4) as srv:
        (result,), _ = fetch_all([srv.url("/")], fake_time, config(timeout=0.1, retries=0))
        assert isinstance(result, RobotsDenied) and not srv.hits("/")


def test_unreachable_host_is_denied_by_robots(fake_time):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (result,), f = fetch_all([f"http://127.0.0.1:{port}/"], fake_time, config(retries=1))
    assert isinstance(result, RobotsDenied)
    assert f.stats.requests == 2  # robots.txt tried twice, the page never


def test_robots_off_allows_everything_without_asking(fault, fake_time):
    (private,), _ = fetch_all([fault.url("/fetchtest/private/")], fake_time, config(robots=False))
    assert isinstance(private, Response)
    assert not fault.hits("/robots.txt")


def test_robots_redirect_is_followed(site, fake_time):
    rules = "User-agent: *\nDisallow: /x/\n"
    with FaultServer(site, robots_text=rules, robots_mode="redirect") as srv:
        (home, x), _ = fetch_all([srv.url("/"), srv.url("/x/")], fake_time)
        assert isinstance(home, Response) and isinstance(x, RobotsDenied)
        assert len(srv.hits("/_fault/robots-target")) == 1


def test_group_for_our_user_agent_wins(site, fake_time):
    rules = "User-agent: scraper\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
    with FaultServer(site, robots_text=rules) as srv:
        (home,), _ = fetch_all([srv.url("/")], fake_time)
        assert isinstance(home, RobotsDenied)
    cfg = config(user_agent="otherbot/1.0")
    with FaultServer(site, robots_text=rules) as srv:
        (home,), _ = fetch_all([srv.url("/")], fake_time, cfg)
        assert isinstance(home, Response)


def test_crawl_delay_raises_the_host_delay(site, fake_time):
    with FaultServer(site, robots_text="User-agent: *\nCrawl-delay: 3\n") as srv:
        results, f = fetch_all([srv.url("/"), srv.url("/x/")], fake_time, config(delay=0.5))
        assert all(isinstance(r, Response) for r in results)
        key = host_key(srv.url("/"))
        assert f.robots.crawl_delay(key) == 3.0
        assert f.politeness.delay(key, f.robots.crawl_delay(key)) == 3.0
    # robots.txt, then "/" waits 3 s after it, then "/x/" waits 3 s after "/"
    assert [s for s in fake_time.sleeps if s > 0] == [3.0, 3.0]


def test_request_rate_counts_as_a_delay(site, fake_time):
    with FaultServer(site, robots_text="User-agent: *\nRequest-rate: 1/5s\n") as srv:
        _, f = fetch_all([srv.url("/")], fake_time)
        assert f.robots.crawl_delay(host_key(srv.url("/"))) == 5.0


def test_keys_and_robots_urls():
    assert origin_of("HTTP://Example.org/a?b") == "http://example.org:80"
    assert origin_of("https://example.org:8443/") == "https://example.org:8443"
    assert robots_url("https://user:pw@Example.org:8443/a/b?c#d") == "https://example.org:8443/robots.txt"
    assert host_key("https://example.org/") == host_key("http://example.org/") == "example.org"
    assert host_key("http://127.0.0.1:8080/x") == "127.0.0.1:8080"
    assert host_key("http://[::1]:8080/") == "[::1]:8080"
