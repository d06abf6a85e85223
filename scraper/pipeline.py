"""The crawl pipeline, composed in code: fetch -> crawl -> parse -> (follow) -> write.

``run_crawl`` wires the stages for one process: a Fetcher (politeness, retries,
robots), a ListingWalker per start URL (pagination), the parser, optional permalink
following, optional WARC archiving, and a sink callback. Listings run concurrently
(``config.concurrency``); each host still sees one request at a time, spaced by its
delay. Errors on one URL are counted in ``RunStats`` and the run goes on; only
errors that make every later write pointless (state, disk) stop it.
"""

from __future__ import annotations

import asyncio
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from msgspec.structs import replace

from .config import CrawlConfig
from .crawl import ListingWalker, Page
from .errors import FetchError, RobotsDenied, ScraperError
from .parse.page import PageResult, parse_page
from .records import Post, text_sha256
from .stats import RunStats

__all__ = ["run_crawl", "crawl_posts", "Observer", "QuietObserver", "StateMemory"]


class Observer(Protocol):
    """Progress callbacks (the CLI's progress bar or log lines); all optional."""

    def page(self, page: Page) -> None: ...
    def post(self, post: Post, outcome: str) -> None: ...
    def failure(self, url: str, reason: str) -> None: ...


class QuietObserver:
    """An observer that shows nothing: library use, ``--quiet``."""

    def page(self, page: Page) -> None:
        pass

    def post(self, post: Post, outcome: str) -> None:
        pass

    def failure(self, url: str, reason: str) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass(slots=True)
class StateMemory:
    """The walker's view of the state database: validators, next links, known posts.

    ``by_id``: with ``--follow`` the stored record holds the full article while the
    listing shows an excerpt, so a post is known by its id alone."""

    state: Any
    by_id: bool = False

    def listing_validators(self, url: str) -> tuple[str | None, str | None]:
        return self.state.listing_validators(url)

    def listing_next(self, url: str) -> str | None:
        return self.state.listing_next(url)

    def walk_complete(self, start_url: str) -> bool:
        return self.state.walk_complete(start_url)

    def mark_walk(self, start_url: str, complete: bool) -> None:
        self.state.mark_walk(start_url, complete)

    def save_listing(self, url: str, etag: str | None, last_modified: str | None, status: int,
                     next_url: str | None) -> None:
        self.state.save_listing(url, etag, last_modified, status, next_url=next_url)

    def is_known(self, post_id: str, sha256: str | None) -> bool:
        known = self.state.post_state(post_id)
        return known is not None and (self.by_id or known.sha256 == sha256)


def _with_provenance(post: Post, response: Any, number: int, warc: Any) -> Post:
    return replace(
        post,
        status=response.status,
        page=number,
        warc_file=Path(warc.file).name if warc is not None else None,
        warc_offset=warc.offset if warc is not None else None,
    )


def merge_article(post: Post, article: Any) -> Post:
    """The listing's record completed by its permalink page: full text and HTML from
    the article; date, author and tags from the article where the listing had none."""
    text = article.text or post.text
    return replace(
        post,
        text=text,
        html=article.html or post.html,
        full_text=bool(article.text),
        date=post.date or article.date,
        author=post.author or article.author,
        tags=post.tags or list(article.tags),
        sha256=text_sha256(text),
    )


def _parse_bytes(body: bytes, url: str, charset: str | None, fetched_at: str, number: int) -> PageResult:
    """Parse one fetched page; a module-level function so worker processes can run it."""
    return parse_page(body, url, charset=charset, fetched_at=fetched_at, page=number)


class _PageParser:
    """Parses fetched pages: inline, or in worker processes while the event loop
    keeps fetching (parsing is CPU work, and one Python process uses one core).

    ``workers`` None is automatic: the first pages are parsed inline (a short crawl
    does not pay for starting a process), then, on a machine with cores to spare,
    the rest go to ``cores - 1`` workers, at most two. Measured on 2 cores: 278
    pages/s with one worker against 163 inline (bench/crawl_throughput.py)."""

    AUTO_AFTER = 10  # pages parsed inline before an automatic pool starts

    def __init__(self, workers: int | None) -> None:
        cores = os.cpu_count() or 1
        self.auto = workers is None
        self.workers = min(2, cores - 1) if workers is None else workers
        self.pool: Any = None
        self.parsed = 0

    async def __call__(self, response: Any, number: int) -> PageResult:
        args = (response.body, response.url, response.charset, response.fetched_at, number)
        self.parsed += 1
        if self.pool is None and self.workers > 0 and (not self.auto or self.parsed > self.AUTO_AFTER):
            self.pool = _spawn_pool(self.workers)
        if self.pool is None:
            return _parse_bytes(*args)
        return await asyncio.get_running_loop().run_in_executor(self.pool, _parse_bytes, *args)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def _spawn_pool(workers: int) -> Any:
    """Spawned, not forked: the parent has threads and an event loop."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


async def run_crawl(
    starts: list[str],
    config: CrawlConfig,
    emit: Callable[[list[Post]], list[str | None]],
    *,
    state: Any = None,
    archive: Any = None,
    observer: Observer | None = None,
    transport: Any = None,
    stats: RunStats | None = None,
) -> RunStats:
    """Crawl ``starts`` and hand each page's posts to ``emit`` (which returns an
    outcome name per post, such as "new", for the observer). Returns the counters."""
    from .fetch import Fetcher

    obs = observer or QuietObserver()
    stats = stats or RunStats()
    t0 = time.monotonic()
    seen: set[str] = set()
    memory = StateMemory(state, by_id=config.follow) if state is not None else None
    locations: dict[str, Any] = {}

    def archived(response: Any) -> None:
        """Every exchange goes to the WARC as it happens (robots.txt, redirects, errors
        included); a page's location is kept until its records take it (only pages
        with a body can have records, so redirects and errors are not kept)."""
        where = archive.write_exchange(
            response.url, response.status, response.reason, response.http_version,
            response.header_lines or list(response.headers.items()), response.raw_body,
            list(response.request_headers.items()), fetched_at=response.fetched_at, truncated=response.truncated)
        if 200 <= response.status < 300 and not response.url.endswith("/robots.txt"):
            locations[response.url] = where

    on_exchange = archived if archive is not None else None
    parse = _PageParser(config.parse_workers)
    async with Fetcher(config, transport=transport, on_exchange=on_exchange) as fetcher:
        fetch = fetcher.fetch

        async def follow(post: Post) -> Post:
            from .parse.article import extract_article

            assert post.url is not None
            try:
                response = await fetch(post.url, kind="html")
            except RobotsDenied:
                stats.skip(post.url, "disallowed by robots.txt", "follow")  # policy, not failure
                return post
            except FetchError as exc:
                reason = exc.args[0] if exc.args else str(exc)
                stats.fail(post.url, reason, "follow")
                obs.failure(post.url, reason)
                return post
            article = extract_article(response.text, response.url)
            locations.pop(response.url, None)
            if article is None or not article.text:
                stats.fail(post.url, "no article text on the permalink page", "follow")
                obs.failure(post.url, "no article text on the permalink page")
                return post
            stats.followed += 1
            return merge_article(post, article)

        async def listing(start: str, gate: asyncio.Semaphore) -> None:
            async with gate:
                walker = ListingWalker(start, config, fetch, parse, stats, seen, memory, on_failure=obs.failure)
                async for page in walker.pages():
                    obs.page(page)
                    if page.result is None or page.response is None:
                        continue
                    warc = locations.pop(page.response.url, None)
                    batch: list[Post] = []
                    for post in page.result.posts:
                        post = _with_provenance(post, page.response, page.number, warc)
                        if config.follow and post.url and not post.full_text:
                            if memory is not None and not config.full and memory.is_known(post.id, None):
                                stats.unchanged += 1  # archived in full before: not fetched again
                                continue
                            post = await follow(post)
                        batch.append(post)
                    # one page's posts are written together: one fsync per file
                    for post, outcome in zip(batch, emit(batch)):
                        if outcome:
                            obs.post(post, outcome)

        gate = asyncio.Semaphore(config.concurrency)
        tasks = [asyncio.create_task(listing(s, gate)) for s in starts]
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        finally:
            parse.close()
            stats.retries += fetcher.stats.retries
            stats.bytes += fetcher.stats.bytes
    stats.seconds += time.monotonic() - t0
    return stats


class _Stop(Exception):
    """The consumer of ``crawl_posts`` went away."""


def crawl_posts(starts: list[str], config: CrawlConfig, *, transport: Any = None) -> Iterator[Post]:
    """Synchronous face of ``run_crawl`` for notebooks and scripts: yields posts as
    they are parsed. The crawl runs on its own event loop in a worker thread; a
    bounded queue keeps it from running ahead of the consumer."""
    q: queue.Queue[Any] = queue.Queue(maxsize=256)
    stop = threading.Event()
    done = object()

    def emit(posts: list[Post]) -> list[str | None]:
        for post in posts:
            if stop.is_set():
                raise _Stop()
            q.put(post)
        return [None] * len(posts)

    def worker() -> None:
        try:
            asyncio.run(run_crawl(starts, config, emit, transport=transport))
            q.put(done)
        except _Stop:
            q.put(done)
        except BaseException as exc:  # handed to the consumer's thread
            q.put(exc)

    thread = threading.Thread(target=worker, name="scraper-crawl", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                if isinstance(item, ScraperError):
                    raise item
                raise ScraperError(f"crawl failed: {item!r}") from item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                q.get_nowait()
            except queue.Empty:
                thread.join(timeout=0.05)
