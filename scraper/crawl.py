"""Pagination: from a listing's first page to its last, politely and without traps.

The crawler turns start URLs into fetched, parsed pages. It decides which page comes
next and when to stop; it does not parse HTML itself (a ``parse`` function is passed
in) and it writes nothing. Guards, each counted in ``stats.stops`` when it ends a
listing:

- ``last``: the page has no next link;
- ``seen``: the next link was already fetched in this run (loops, self-links);
- ``off-site``: the next link leaves the listing's host;
- ``max-pages``: ``config.max_pages`` pages fetched for this listing;
- ``repeat``: a page shows only posts an earlier page of this listing showed;
- ``empty``: a page (after the first) has no posts;
- ``since``: every post on the page is older than ``config.since``;
- ``known``: a re-run reached pages it has archived before (one extra page is read
  past the first fully known page, since lists shift as posts are added);
- ``not-modified``: the server answered 304 to a conditional GET, likewise;
- ``robots``: robots.txt forbids the next page (a policy, not a failure);
- ``failed``: the page could not be fetched after retries.

The early stops (``known``, ``not-modified``) are only taken when the listing's
previous walk reached its end: a walk that was killed, failed or cut short by
``--max-pages`` leaves the listing marked unfinished, and the next run walks on
(cheaply: unchanged pages answer 304, and their next links are remembered).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from .config import CrawlConfig
from .errors import FetchError, ParseError, RobotsDenied
from .parse.page import PageResult
from .stats import RunStats
from .urls import canonical_url, is_http_url, same_site

__all__ = ["Page", "ListingWalker", "FetchFn", "ParseFn"]


class FetchedLike(Protocol):
    @property
    def url(self) -> str: ...
    @property
    def status(self) -> int: ...

    @property
    def not_modified(self) -> bool: ...
    @property
    def etag(self) -> str | None: ...
    @property
    def last_modified(self) -> str | None: ...


FetchFn = Callable[..., Awaitable[FetchedLike]]
ParseFn = Callable[[FetchedLike, int], Awaitable[PageResult]]


class ListingMemory(Protocol):
    """What the walker needs from the state database (all optional)."""

    def listing_validators(self, url: str) -> tuple[str | None, str | None]: ...
    def walk_complete(self, start_url: str) -> bool: ...
    def mark_walk(self, start_url: str, complete: bool) -> None: ...
    def listing_next(self, url: str) -> str | None: ...
    def save_listing(self, url: str, etag: str | None, last_modified: str | None, status: int,
                     next_url: str | None) -> None: ...
    def is_known(self, post_id: str, sha256: str | None) -> bool: ...


@dataclass(slots=True)
class Page:
    """One fetched listing page and what the parser made of it."""

    listing: str
    number: int
    response: FetchedLike | None
    result: PageResult | None
    not_modified: bool = False


@dataclass(slots=True)
class ListingWalker:
    """Walks one listing's pagination. Shares ``seen`` with the other walkers of
    the run so that no URL is fetched twice."""

    start: str
    config: CrawlConfig
    fetch: FetchFn
    parse: ParseFn
    stats: RunStats
    seen: set[str]
    memory: ListingMemory | None = None
    on_failure: Callable[[str, str], None] | None = None
    _ids: set[str] = field(default_factory=set)
    _stopped: str = ""

    #: stops that mean the listing was walked to its end
    NATURAL_ENDS = frozenset({"last", "seen", "repeat", "empty", "off-site", "known", "not-modified", "since",
                              "robots"})

    async def pages(self) -> AsyncIterator[Page]:
        cfg = self.config
        url: str | None = self.start
        number = 0
        grace = False  # one more page after the first fully-known one
        posts_left = cfg.max_posts
        self.stats.listings += 1
        # trust known pages only after a walk that reached the end; mark this one begun
        trusting = self.memory is not None and not cfg.full and self.memory.walk_complete(self.start)
        if self.memory is not None:
            self.memory.mark_walk(self.start, False)
        async for page in self._walk(url, number, grace, posts_left, trusting):
            yield page
        if self.memory is not None and self._stopped in self.NATURAL_ENDS:
            self.memory.mark_walk(self.start, True)

    async def _walk(self, url: str | None, number: int, grace: bool, posts_left: int | None,
                    trusting: bool) -> AsyncIterator[Page]:
        cfg = self.config
        while url is not None:
            key = canonical_url(url)
            if key in self.seen:
                self._stop("seen")
                return
            if number >= cfg.max_pages:
                self._stop("max-pages")
                return
            self.seen.add(key)
            number += 1
            etag = modified = None
            if self.memory is not None and not cfg.full:
                etag, modified = self.memory.listing_validators(url)
            try:
                response = await self.fetch(url, etag=etag, last_modified=modified, kind="html")
            except RobotsDenied:
                self.stats.skip(url, "disallowed by robots.txt", "fetch")
                self._stop("robots")
                return
            except FetchError as exc:
                reason = exc.args[0] if exc.args else str(exc)
                self.stats.fail(url, reason, "fetch")
                if self.on_failure is not None:
                    self.on_failure(url, reason)
                self._stop("failed")
                return
            self.stats.pages += 1
            if response.not_modified:
                self.stats.not_modified += 1
                yield Page(self.start, number, response, None, not_modified=True)
                nxt = self.memory.listing_next(url) if self.memory is not None else None
                if nxt is None:
                    self._stop("not-modified" if trusting else "last")
                    return
                if trusting:
                    if grace:
                        self._stop("not-modified")
                        return
                    grace = True
                url = self._next(nxt)
                continue
            try:
                result = await self.parse(response, number)
            except ParseError as exc:
                self.stats.fail(url, str(exc), "parse")
                self._stop("failed")
                return
            posts = result.posts
            if cfg.since:
                dated = [p for p in posts if p.date]
                if dated and all(p.date[:10] < cfg.since for p in dated):  # type: ignore[index]
                    self._stop("since")
                    return
                result.posts = [p for p in posts if not p.date or p.date[:10] >= cfg.since]
            ids = {p.id for p in posts}
            if number > 1 and not ids:
                self._stop("empty")
                return
            if ids and ids <= self._ids:
                self._stop("repeat")
                return
            self._ids |= ids
            if posts_left is not None:
                result.posts = result.posts[:posts_left]
                posts_left -= len(result.posts)
            self.stats.posts_found += len(result.posts)
            # judged before the page's posts are written, or they would all look known
            known = (self.memory is not None and not cfg.full and bool(posts)
                     and all(self.memory.is_known(p.id, p.sha256) for p in posts))
            yield Page(self.start, number, response, result)
            # only now, with the page's posts written: a crash before this line
            # makes the next run fetch the page again instead of trusting a 304
            if self.memory is not None:
                self.memory.save_listing(url, response.etag, response.last_modified, response.status,
                                         result.next_url)
            if posts_left is not None and posts_left <= 0:
                self._stop("max-posts")
                return
            if known and trusting:
                if grace:
                    self._stop("known")
                    return
                grace = True
            url = self._next(result.next_url)

    def _next(self, nxt: str | None) -> str | None:
        if nxt is None:
            self._stop("last")
            return None
        if not is_http_url(nxt):
            self._stop("last")
            return None
        if self.config.stay_on_host and not same_site(nxt, self.start):
            self._stop("off-site")
            return None
        return nxt

    def _stop(self, why: str) -> None:
        self._stopped = why
        self.stats.stops[why] += 1
