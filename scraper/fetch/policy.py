"""Which failures are worth retrying, and how long to wait before the next try.

Kept apart from the client so that the rules read as a table: HTTP statuses and httpx
exceptions map onto our error tree here, and nowhere else."""

from __future__ import annotations

import email.utils
import random
from collections.abc import Awaitable, Callable
from datetime import timezone

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
)

from ..config import CrawlConfig
from ..errors import FetchError, PermanentFetch, TransientFetch

__all__ = [
    "TRANSIENT_STATUSES", "RetryAfterTooLong", "parse_retry_after", "check_status",
    "translate", "retrying",
]

# Scrapy's RETRY_HTTP_CODES: overload, gateway trouble, timeouts (522/524: Cloudflare).
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 522, 524})


class RetryAfterTooLong(TransientFetch):
    """The server asked us to wait longer than ``max_retry_after``: give up on the URL now.

    Still transient (the crawler may come back in a later run); ``retry_after`` is the
    cap and ``asked`` what the server wanted."""

    def __init__(self, message: str, url: str, status: int | None, retry_after: float,
                 asked: float) -> None:
        super().__init__(message, url, status, retry_after)
        self.asked = asked


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date.

    ``now`` is the injected clock, so a date is read against the crawl's notion of time."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; "-0000" parses as naive
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - now)


def check_status(response: httpx.Response, url: str, now: float, config: CrawlConfig) -> None:
    """Raise for a status we will not return: transient ones with the server's Retry-After."""
    status = response.status_code
    if 200 <= status < 300 or status == 304:
        return
    reason = f"HTTP {status} {response.reason_phrase}".rstrip()
    if status in TRANSIENT_STATUSES:
        wait = parse_retry_after(response.headers.get("retry-after"), now)
        if wait is not None and wait > config.max_retry_after:
            raise RetryAfterTooLong(
                f"{reason}: server asks to retry after {wait:.0f} s, more than "
                f"max_retry_after={config.max_retry_after:.0f} s; giving up on this URL",
                url, status, config.max_retry_after, wait)
        raise TransientFetch(reason, url, status, wait)
    raise PermanentFetch(reason, url, status)


def translate(exc: Exception, url: str) -> FetchError:
    """Map an httpx error onto our tree; the caller raises it ``from exc``."""
    if isinstance(exc, httpx.TimeoutException):
        return TransientFetch(f"timed out ({type(exc).__name__})", url)
    if isinstance(exc, (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError)):
        return TransientFetch(f"{type(exc).__name__}: {exc}", url)
    return PermanentFetch(f"{type(exc).__name__}: {exc}", url)


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, TransientFetch) and not isinstance(exc, RetryAfterTooLong)


class _Wait:
    """Exponential backoff with jitter, but never shorter than the server's Retry-After."""

    def __init__(self, config: CrawlConfig, rng: random.Random) -> None:
        self._config = config
        self._rng = rng

    def __call__(self, state: RetryCallState) -> float:
        step = self._config.backoff * 2 ** (state.attempt_number - 1)
        wait = min(step + self._rng.uniform(0, self._config.backoff), self._config.max_retry_after)
        exc = state.outcome.exception() if state.outcome else None
        asked = getattr(exc, "retry_after", None)
        return max(wait, asked) if asked is not None else wait


def retrying(config: CrawlConfig, sleep: Callable[[float], Awaitable[None]],
             before_sleep: Callable[[RetryCallState], None],
             rng: random.Random | None = None) -> AsyncRetrying:
    """The tenacity policy: ``config.retries`` further tries of TransientFetch only.

    ``reraise=True`` so the caller sees our last TransientFetch, never a RetryError."""
    return AsyncRetrying(
        stop=stop_after_attempt(config.retries + 1),
        wait=_Wait(config, rng or random.Random()),
        retry=retry_if_exception(_retryable),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,
    )
