"""Per-host politeness: spacing of request starts, slots per host, adaptive delays."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from scraper.config import CrawlConfig
from scraper.fetch import Fetcher, Response
from scraper.fetch.politeness import MAX_ADAPTIVE_DELAY, Politeness, host_key


def config(**overrides: Any) -> CrawlConfig:
    base: dict[str, Any] = {"delay": 0.0, "retries": 2, "backoff": 0.01, "robots": False}
    return CrawlConfig(**{**base, **overrides})


class Recording(httpx.AsyncBaseTransport):
    """Real loopback transport that notes when each request really started."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.clock = clock
        self.starts: list[tuple[float, str]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.starts.append((self.clock(), request.url.path))
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def gaps(starts: list[tuple[float, str]]) -> list[float]:
    times = [t for t, _ in starts]
    return [b - a for a, b in zip(times, times[1:])]


def test_sequential_starts_are_spaced_in_real_time(fault):
    transport = Recording()

    async def go() -> None:
        async with Fetcher(config(delay=0.05), transport=transport) as f:
            for path in ("/fetchtest/", "/fetchtest/post-1.html", "/fetchtest/"):
                assert isinstance(await f.fetch(fault.url(path)), Response)

    asyncio.run(go())
    assert len(transport.starts) == 3
    assert all(g >= 0.049 for g in gaps(transport.starts)), gaps(transport.starts)


def test_starts_are_spaced_by_delay_with_fake_time(fault, fake_time):
    transport = Recording(fake_time.clock)

    async def go() -> None:
        async with Fetcher(config(delay=1.5, robots=True), transport=transport,
                           clock=fake_time.clock, sleep=fake_time.sleep) as f:
            for path in ("/fetchtest/", "/fetchtest/post-1.html"):
                await f.fetch(fault.url(path))

    asyncio.run(go())
    assert [p for _, p in transport.starts] == ["/robots.txt", "/fetchtest/",
                                                "/fetchtest/post-1.html"]
    assert gaps(transport.starts) == [1.5, 1.5]


def _in_flight_transport(state: dict[str, int]) -> httpx.MockTransport:
    async def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        state[host] = state.get(host, 0) + 1
        state["max:" + host] = max(state.get("max:" + host, 0), state[host])
        await asyncio.sleep(0.01)
        state[host] -= 1
        return httpx.Response(200, headers={"Content-Type": "text/html"},
                              stream=httpx.ByteStream(b"<html></html>"))

    return httpx.MockTransport(handler)


@pytest.mark.parametrize("per_host", [1, 2])
def test_at_most_per_host_requests_in_flight(per_host):
    state: dict[str, int] = {}

    async def go() -> None:
        async with Fetcher(config(per_host=per_host), transport=_in_flight_transport(state)) as f:
            urls = [f"http://{h}.test/{i}" for h in ("a", "b") for i in range(6)]
            await asyncio.gather(*map(f.fetch, urls))

    asyncio.run(go())
    assert state["max:a.test"] == per_host and state["max:b.test"] == per_host


def test_concurrent_waiters_line_up_one_delay_apart(fake_time):
    starts: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        starts.append(fake_time.now)
        return httpx.Response(200, headers={"Content-Type": "text/html"},
                              stream=httpx.ByteStream(b"<html></html>"))

    async def go() -> None:
        async with Fetcher(config(per_host=3, delay=2.0), transport=httpx.MockTransport(handler),
                           clock=fake_time.clock, sleep=fake_time.sleep) as f:
            await asyncio.gather(*(f.fetch(f"http://a.test/{i}") for i in range(3)))

    asyncio.run(go())
    # three slots free, yet the starts are reserved one delay apart, not all at once
    assert [b - a for a, b in zip(starts, starts[1:])] == [2.0, 2.0]


def test_429_doubles_then_successes_decay(fault, fake_time):
    async def go() -> Fetcher:
        async with Fetcher(config(delay=0.5), clock=fake_time.clock,
                           sleep=fake_time.sleep) as f:
            await f.fetch(fault.url("/_fault/429/adaptive?n=1&after=0"))
            return f

    f = asyncio.run(go())
    key = host_key(fault.url("/"))
    # 0.5 s doubled to 1.0 s by the 429, then one success halves the excess: 0.75 s
    assert f.politeness.delay(key) == pytest.approx(0.75)


# --- the Politeness object on its own -------------------------------------------------


def make(fake_time: Any, **kw: Any) -> Politeness:
    return Politeness(config(**kw), fake_time.clock, fake_time.sleep)


def test_throttling_doubles_up_to_the_cap_and_decays_to_base(fake_time):
    p = make(fake_time, delay=2.0)
    delays = []
    for _ in range(7):
        p.record("h", 503, 0.1)
        delays.append(p.delay("h"))
    assert delays == [4.0, 8.0, 16.0, 32.0, MAX_ADAPTIVE_DELAY, MAX_ADAPTIVE_DELAY,
                      MAX_ADAPTIVE_DELAY]
    for _ in range(20):
        p.record("h", 200, 0.1)
    assert p.delay("h") == 2.0
    assert p.delay("other") == 2.0  # hosts are independent


def test_throttling_from_zero_delay_has_a_floor(fake_time):
    p = make(fake_time, delay=0.0)
    p.record("h", 429, 0.1)
    assert p.delay("h") == 1.0


def test_slow_responses_raise_the_delay_a_bit(fake_time):
    p = make(fake_time, delay=1.0)
    for _ in range(5):
        p.record("h", 200, 1.0)
    assert p.delay("h") == 1.0
    p.record("h", 200, 2.5)  # > 2x the running average of 1 s
    assert 1.0 < p.delay("h") <= 1.5


def test_millisecond_jitter_is_not_slowness(fake_time):
    p = make(fake_time, delay=1.0)
    for elapsed in (0.001, 0.001, 0.001, 0.01, 0.3):
        p.record("h", 200, elapsed)
    assert p.delay("h") == 1.0


def test_crawl_delay_is_a_floor(fake_time):
    p = make(fake_time, delay=1.0)
    assert p.delay("h", crawl_delay=4.0) == 4.0 and p.delay("h", crawl_delay=0.2) == 1.0
