"""The Fetcher: one per crawl; turns a URL into a Response or an error from our tree.

It holds the policy (robots, politeness, redirects, retries, size and type limits);
httpx only moves bytes. Redirects are followed here rather than by httpx so that every
hop is checked against robots.txt and the scheme allow-list, and bodies are streamed
raw so that decompression stays bounded (see ``body.py``)."""

from __future__ import annotations

import asyncio
import importlib
import logging
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from types import ModuleType, TracebackType
from typing import Literal

import httpx
from tenacity import RetryCallState

from ..config import CrawlConfig
from ..errors import ConfigError, FetchError, PermanentFetch, RobotsDenied
from .body import BodyDecoder, accept_encoding, html_verdict, looks_like_html, read_body
from .policy import check_status, retrying, translate
from .politeness import Politeness, host_key
from .redirects import REDIRECT_STATUSES, check_url, next_hop
from .response import Response, parse_content_type
from .robots import RobotsCache

__all__ = ["Fetcher", "FetchStats"]

log = logging.getLogger("scraper.fetch")

Kind = Literal["html", "any"]
_ROBOTS_MAX_REDIRECTS = 5  # RFC 9309 section 2.3.1.2
ERROR_BODY_CAP = 64 * 1024  # of an error page, what the archive keeps (read only when archiving)
_ACCEPT = {"html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5", "any": "*/*"}


@dataclass
class FetchStats:
    """Counters for one Fetcher; read them, do not rely on them for control flow."""

    requests: int = 0   # HTTP requests sent (each redirect hop, each retry, robots.txt)
    retries: int = 0    # waits between tries
    bytes: int = 0      # raw body bytes kept
    failures: int = 0   # fetch() calls that ended in a FetchError
    by_status: Counter[int] = field(default_factory=Counter)


def _utc_iso(epoch: float) -> str:
    stamp = datetime.fromtimestamp(epoch, timezone.utc).replace(microsecond=0)
    return stamp.isoformat().replace("+00:00", "Z")


def _transport(choice: str) -> httpx.AsyncBaseTransport | None:
    """The I/O under httpx. With its own pool httpx spends about 0.9 ms of CPU per
    request on loopback, 1.3 ms with 32 hosts (httpx#3215); on aiohttp's, behind the
    same API, 0.35 ms whatever the hosts (bench/fetch_transport.py). None: httpx's own."""
    if choice == "httpx":
        return None
    try:
        from httpx_aiohttp import AiohttpTransport
    except ImportError:
        if choice == "aiohttp":
            raise ConfigError("transport aiohttp needs the httpx-aiohttp package: pip install httpx-aiohttp") from None
        return None
    return AiohttpTransport()


def _optional_brotli() -> ModuleType | None:
    try:
        return importlib.import_module("brotli")
    except ImportError:
        return None


class Fetcher:
    """Async HTTP fetcher with robots.txt, politeness, retries and size limits.

    ``transport`` (an httpx transport, e.g. ``httpx.MockTransport``), ``clock`` (epoch
    seconds) and ``sleep`` (async) are injectable so that tests need no network and
    never really wait. Bodies are read with ``aiter_raw()``, so a MockTransport handler
    must return ``httpx.Response(..., stream=httpx.ByteStream(data))``: httpx reads a
    ``content=`` body eagerly."""

    def __init__(self, config: CrawlConfig, transport: httpx.AsyncBaseTransport | None = None,
                 clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], Awaitable[None]] | None = None,
                 on_exchange: Callable[[Response], None] | None = None) -> None:
        self.config = config
        # every HTTP exchange (robots.txt, redirect hops, retried errors), for WARC
        self._on_exchange = on_exchange
        self.stats = FetchStats()
        self._clock = clock or time.time
        self._sleep = sleep or asyncio.sleep
        self._rng = random.Random()
        self._brotli = _optional_brotli()
        self._client = httpx.AsyncClient(
            transport=transport or _transport(config.transport), follow_redirects=False,
            timeout=httpx.Timeout(config.timeout),
            headers={"User-Agent": config.user_agent,
                     "Accept-Encoding": accept_encoding(self._brotli)})
        self._politeness = Politeness(config, self._clock, self._sleep)
        self._robots = RobotsCache(config, self._fetch_robots)

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._client.aclose()

    @property
    def politeness(self) -> Politeness:
        """Per-host delays, for the crawler's scheduling and for tests."""
        return self._politeness

    @property
    def robots(self) -> RobotsCache:
        """The robots.txt cache, e.g. to skip disallowed URLs before queueing them."""
        return self._robots

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                    kind: Kind = "html") -> Response:
        """GET ``url`` politely, following redirects and retrying transient failures.

        ``etag``/``last_modified`` make the request conditional (a 304 is returned, not
        raised). ``kind="html"`` refuses non-HTML bodies; ``kind="any"`` takes anything.
        Raises TransientFetch (after retries) or PermanentFetch/RobotsDenied."""
        if kind not in _ACCEPT:
            raise ValueError(f"kind must be 'html' or 'any', not {kind!r}")
        headers = {"Accept": _ACCEPT[kind]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            return await self._with_retries(
                lambda: self._follow(url, headers, kind, True, self.config.max_redirects))
        except FetchError:
            self.stats.failures += 1
            raise

    async def _fetch_robots(self, url: str) -> Response:
        """robots.txt: any type, never itself subject to robots, RFC redirect limit."""
        return await self._with_retries(
            lambda: self._follow(url, {"Accept": _ACCEPT["any"]}, "any", False,
                                 _ROBOTS_MAX_REDIRECTS))

    async def _with_retries(self, attempt_once: Callable[[], Awaitable[Response]]) -> Response:
        """Run ``attempt_once`` under the tenacity policy; the last error escapes as is."""
        async for attempt in retrying(self.config, self._sleep, self._on_retry, self._rng):
            with attempt:
                return await attempt_once()
        raise AssertionError("tenacity ended without a result")  # pragma: no cover

    def _on_retry(self, state: RetryCallState) -> None:
        self.stats.retries += 1
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        log.info("retry %d in %.2f s: %s", state.attempt_number, wait, exc)

    async def _follow(self, url: str, headers: dict[str, str], kind: Kind, check_robots: bool,
                      max_redirects: int) -> Response:
        """One try: request ``url`` and follow its redirects, checking every hop."""
        chain: list[str] = []
        current = url
        check_url(url)
        while True:
            if check_robots and not await self._robots.allowed(current):
                hint = f" (redirected from {url})" if chain else ""
                raise RobotsDenied(f"robots.txt disallows this URL{hint}", current)
            response = await self._exchange(current, headers, kind)
            location = response.headers.get("location")
            if response.status not in REDIRECT_STATUSES or not location:
                return replace(response, requested_url=url, redirects=chain)
            target = next_hop(url, chain, current, location, response.status, max_redirects)
            chain.append(current)
            current = target

    async def _exchange(self, url: str, headers: dict[str, str], kind: Kind) -> Response:
        """One HTTP request inside the host's politeness slot."""
        key = host_key(url)
        crawl_delay = self._robots.crawl_delay(key)
        async with self._politeness.slot(key, crawl_delay):
            started = self._clock()
            status: int | None = None
            try:
                self.stats.requests += 1
                try:
                    request = self._client.build_request("GET", url, headers=headers)
                    response = await self._client.send(request, stream=True)
                except (httpx.HTTPError, httpx.InvalidURL) as exc:
                    raise translate(exc, url) from exc
                except UnicodeEncodeError as exc:  # a validator httpx cannot put in a header
                    raise PermanentFetch(f"cannot encode request headers: {exc}", url) from exc
                status = response.status_code
                self.stats.by_status[status] += 1
                try:
                    return await self._read(response, url, kind, started)
                finally:
                    await self._close(response)
            finally:
                self._politeness.record(key, status, self._clock() - started, crawl_delay)

    @staticmethod
    async def _close(response: httpx.Response) -> None:
        """Release the connection; a failure to close a finished exchange changes nothing."""
        try:
            await response.aclose()
        except httpx.HTTPError as exc:
            log.debug("closing %s failed: %s", response.request.url, exc)

    async def _read(self, response: httpx.Response, url: str, kind: Kind,
                    started: float) -> Response:
        """Check status, type and size, then stream and decode the body."""
        status = response.status_code
        headers = {k.lower(): v for k, v in response.headers.items()}

        def made(raw: bytes = b"", body: bytes = b"", truncated: str | None = None) -> Response:
            return Response(
                url=url, requested_url=url, status=status, headers=headers, body=body,
                raw_body=raw, http_version=response.http_version, reason=response.reason_phrase,
                request_headers={k.lower(): v for k, v in response.request.headers.items()},
                fetched_at=_utc_iso(started), elapsed=max(0.0, self._clock() - started),
                header_lines=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
                if self._on_exchange is not None else [],  # for the archive only
                truncated=truncated)

        if not (status in REDIRECT_STATUSES and "location" in headers):
            try:
                check_status(response, url, self._clock(), self.config)
            except FetchError:
                if self._on_exchange is not None:  # the error page, as far as the archive wants it
                    self._notify(made(*await self._error_body(response)))
                raise
        raw = body = b""
        if 200 <= status < 300:
            try:
                raw, body = await self._read_body(response, headers, url, kind)
            except PermanentFetch:
                self._notify(made(truncated="length"))  # refused (type, size): headers only
                raise
        result = made(raw, body)
        self._notify(result)
        return result

    async def _error_body(self, response: httpx.Response) -> tuple[bytes, bytes, str | None]:
        """(raw, b"", truncation) of an error response, for the archive: at most
        ERROR_BODY_CAP bytes, as they came (still compressed, if they were)."""
        raw = bytearray()
        try:
            async for chunk in response.aiter_raw():
                raw += chunk
                if len(raw) > ERROR_BODY_CAP:
                    return bytes(raw[:ERROR_BODY_CAP]), b"", "length"
        except httpx.HTTPError:
            return bytes(raw), b"", "disconnect"
        return bytes(raw), b"", None

    def _notify(self, response: Response) -> None:
        if self._on_exchange is not None:
            self._on_exchange(response)

    async def _read_body(self, response: httpx.Response, headers: dict[str, str], url: str,
                         kind: Kind) -> tuple[bytes, bytes]:
        """Refuse by type or Content-Length before reading; then stream, capped."""
        status = response.status_code
        cap = self.config.max_bytes
        mime = parse_content_type(headers.get("content-type"))[0]
        verdict = html_verdict(mime) if kind == "html" else True
        if verdict is False:
            raise PermanentFetch(f"not HTML: Content-Type is {mime!r}", url, status)
        length = headers.get("content-length", "").strip()
        if length.isdigit() and int(length) > cap:
            raise PermanentFetch(f"Content-Length {length} over max_bytes={cap}: not read",
                                 url, status)
        decoder = BodyDecoder(headers.get("content-encoding"), cap, url, self._brotli)
        try:
            raw, body = await read_body(response.aiter_raw(), decoder, cap, url)
        except httpx.HTTPError as exc:
            raise translate(exc, url) from exc
        self.stats.bytes += len(raw)
        if verdict is None and not looks_like_html(body):
            shown = mime or "missing"
            raise PermanentFetch(f"not HTML: Content-Type {shown} and the body does not look "
                                 "like HTML", url, status)
        return raw, body
