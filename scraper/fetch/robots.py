"""robots.txt, fetched once per origin per Fetcher and parsed with Protego (RFC 9309).

RFC 9309 decides what a missing or broken robots.txt means: a 4xx says "no rules"
(allow all); a 5xx, a timeout or an unreachable host says "the site may be in trouble"
(disallow all, for this run). The fetching itself is injected, so this module does not
depend on the client and robots.txt requests are never checked against robots."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

from ..config import CrawlConfig
from ..errors import PermanentFetch, TransientFetch
from .politeness import host_key
from .response import Response

__all__ = ["RobotsCache", "origin_of", "robots_url"]

log = logging.getLogger("scraper.fetch")

FetchRobots = Callable[[str], Awaitable[Response]]
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """``scheme://host:port`` with the port always spelled: the robots.txt cache key."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    return f"{scheme}://{f'[{host}]' if ':' in host else host}:{port}"


def robots_url(url: str) -> str:
    """Where the robots.txt governing ``url`` lives (default ports left out)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]  # never send credentials to robots.txt
    return urlunsplit((parts.scheme.lower(), netloc.lower(), "/robots.txt", "", ""))


class RobotsCache:
    """Answers "may we fetch this URL?" and "how slowly?" for one crawl."""

    def __init__(self, config: CrawlConfig, fetch: FetchRobots) -> None:
        self._config = config
        self._fetch = fetch
        self._rules: dict[str, Protego | bool] = {}  # True: allow all, False: disallow all
        self._locks: dict[str, asyncio.Lock] = {}
        self._delays: dict[str, float] = {}

    async def allowed(self, url: str) -> bool:
        """True when robots.txt lets our user agent fetch ``url`` (always, with robots off)."""
        if not self._config.robots or urlsplit(url).path == "/robots.txt":
            return True
        origin = origin_of(url)
        rules = self._rules.get(origin)
        if rules is None:
            lock = self._locks.setdefault(origin, asyncio.Lock())
            async with lock:  # concurrent first requests to a host share one fetch
                rules = self._rules.get(origin)
                if rules is None:
                    rules = self._rules[origin] = await self._load(url)
        if isinstance(rules, bool):
            return rules
        return rules.can_fetch(url, self._config.user_agent)

    def crawl_delay(self, host: str) -> float | None:
        """The longest Crawl-delay (or Request-rate interval) robots.txt asked of us for
        ``host`` (a ``host_key``: ``host`` or ``host:port``); None if it asked none."""
        return self._delays.get(host)

    async def _load(self, url: str) -> Protego | bool:
        where = robots_url(url)
        try:
            response = await self._fetch(where)
        except TransientFetch as exc:
            log.warning("robots.txt at %s unreachable (%s): the whole host is disallowed "
                        "for this run (RFC 9309)", where, exc)
            return False
        except PermanentFetch as exc:
            if exc.status is not None and exc.status >= 500:
                log.warning("robots.txt at %s answered %s: the whole host is disallowed "
                            "for this run (RFC 9309)", where, exc.status)
                return False
            log.info("robots.txt at %s unavailable (%s): no rules apply", where, exc)
            return True
        rules = Protego.parse(response.body.decode("utf-8-sig", "replace"))
        self._remember_delay(host_key(url), rules)
        return rules

    def _remember_delay(self, host: str, rules: Protego) -> None:
        agent = self._config.user_agent
        delay = rules.crawl_delay(agent)
        rate = rules.request_rate(agent)
        if rate is not None and rate.requests > 0:
            delay = max(delay or 0.0, rate.seconds / rate.requests)
        if delay is not None and delay > 0:
            self._delays[host] = max(delay, self._delays.get(host, 0.0))
            log.info("robots.txt for %s asks for %.2f s between requests", host, delay)
