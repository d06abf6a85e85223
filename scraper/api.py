"""The library's front door: parse a page, crawl listings. Typed and stable."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .config import CrawlConfig
from .parse.page import PageResult
from .parse.page import parse_page as _parse_page
from .records import Post

__all__ = ["parse_html", "parse_page", "crawl"]


def parse_page(html: str | bytes, url: str | None = None, *, charset: str | None = None,
               fetched_at: str | None = None) -> PageResult:
    """Parse one page: its kind (listing, article, other), posts, next-page link and feeds.

    ``html`` may be bytes (decoded from ``charset``, the page's ``<meta>``, or by
    detection) or text. ``url`` is the page's address, used to resolve links; without
    it the page's canonical link or og:url is used."""
    return _parse_page(html, url, charset=charset, fetched_at=fetched_at)


def parse_html(html: str | bytes, url: str | None = None, *, charset: str | None = None,
               fetched_at: str | None = None) -> list[Post]:
    """The posts of one page, in page order (an empty list for a page with none)."""
    return _parse_page(html, url, charset=charset, fetched_at=fetched_at).posts


def crawl(urls: Iterable[str], config: CrawlConfig | None = None) -> Iterator[Post]:
    """Crawl listings and their pagination; yield each post as it is parsed.

    Politeness (robots.txt, per-host delay), retries and limits come from ``config``.
    Nothing is written to disk unless ``config.state`` names a state file."""
    from .pipeline import crawl_posts

    yield from crawl_posts(list(urls), config or CrawlConfig())
