"""Per-host politeness: how many requests may be in flight, and how far apart they start.

A host's delay is ``max(config.delay, robots Crawl-delay)`` plus an adaptive part that
doubles after a 429/503 (the server said it is overloaded), grows a little when
responses get much slower than usual, and decays back after successes. Times come
from the injected clock and waits go through the injected sleep, so tests are instant.
State lives on the instance (one per Fetcher), never in module globals."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..config import CrawlConfig

__all__ = ["Politeness", "host_key", "MAX_ADAPTIVE_DELAY"]

log = logging.getLogger("scraper.fetch")

MAX_ADAPTIVE_DELAY = 60.0   # the adaptive part never pushes a host past this
_THROTTLE_FLOOR = 1.0       # first step after a 429/503 when the base delay is ~0
_THROTTLE_STATUSES = frozenset({429, 503})
_SLOW_FACTOR = 2.0          # "slow" = this many times the running average...
_SLOW_MIN = 1.0             # ...and at least this long: millisecond jitter is not load
_MIN_SAMPLES = 3            # before that, there is no average worth comparing to
_EWMA = 0.3


def host_key(url: str) -> str:
    """``host`` or ``host:port`` (only a non-default port): the unit politeness counts in.

    http and https of one host share it: they are the same server to be polite to."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    if ":" in host:
        host = f"[{host}]"  # IPv6 literal
    if port is None or (parts.scheme, port) in (("http", 80), ("https", 443)):
        return host
    return f"{host}:{port}"


@dataclass
class _Host:
    slots: asyncio.Semaphore
    last_start: float | None = None
    adaptive: float = 0.0
    avg_elapsed: float = 0.0
    samples: int = 0


class Politeness:
    """Gatekeeper for every request: ``async with politeness.slot(host): ...``."""

    def __init__(self, config: CrawlConfig, clock: Callable[[], float],
                 sleep: Callable[[float], Awaitable[None]]) -> None:
        self._config = config
        self._clock = clock
        self._sleep = sleep
        self._hosts: dict[str, _Host] = {}

    def _host(self, key: str) -> _Host:
        host = self._hosts.get(key)
        if host is None:  # created lazily, inside the running loop
            host = self._hosts[key] = _Host(asyncio.Semaphore(self._config.per_host))
        return host

    def base_delay(self, crawl_delay: float | None = None) -> float:
        """The configured delay, raised to the robots.txt Crawl-delay when that is longer."""
        return max(self._config.delay, crawl_delay or 0.0)

    def delay(self, key: str, crawl_delay: float | None = None) -> float:
        """Seconds that must separate the starts of two requests to ``key`` right now."""
        return max(self.base_delay(crawl_delay), self._host(key).adaptive)

    @asynccontextmanager
    async def slot(self, key: str, crawl_delay: float | None = None) -> AsyncIterator[None]:
        """Hold one of the host's ``per_host`` slots, starting no sooner than its delay allows.

        The start time is reserved before sleeping, so concurrent waiters for one host
        line up one ``delay`` apart instead of all waking at once."""
        host = self._host(key)
        async with host.slots:
            now = self._clock()
            start = now
            if host.last_start is not None:
                start = max(now, host.last_start + self.delay(key, crawl_delay))
            host.last_start = start
            if start > now:
                await self._sleep(start - now)
            yield

    def record(self, key: str, status: int | None, elapsed: float,
               crawl_delay: float | None = None) -> None:
        """Adapt the host's delay to how it answered; ``status`` None means no answer."""
        host = self._host(key)
        base = self.base_delay(crawl_delay)
        current = max(base, host.adaptive)
        if status in _THROTTLE_STATUSES:
            host.adaptive = min(MAX_ADAPTIVE_DELAY, max(2 * current, _THROTTLE_FLOOR))
        elif status is None or (
            host.samples >= _MIN_SAMPLES and elapsed >= _SLOW_MIN
            and elapsed > _SLOW_FACTOR * host.avg_elapsed
        ):
            host.adaptive = min(MAX_ADAPTIVE_DELAY, max(1.5 * current, current + 0.25))
        elif status < 400 and host.adaptive > base:
            excess = (host.adaptive - base) / 2  # halve the excess on each success
            host.adaptive = base + excess if excess > 0.01 else 0.0
        if status is not None:
            host.avg_elapsed = elapsed if host.samples == 0 else (
                (1 - _EWMA) * host.avg_elapsed + _EWMA * elapsed)
            host.samples += 1
        new = max(base, host.adaptive)
        if new != current:
            log.info("politeness: %s delay %.2f s -> %.2f s (status %s, %.2f s)",
                     key, current, new, status, elapsed)
