"""Records rebuilt offline from WARC archives, the same as the live crawl made them.

The live run archives every listing page (and, with ``--follow``, every permalink
page) before parsing it. Rebuilding runs in three steps, so that they can be spread
over processes (``executors/ray.py``) and still give the same records in the same
order as one process:

1. ``scan_file``: parse the archived listing pages of one WARC file;
2. ``articles_in``: extract the permalink pages a file holds that posts point to;
3. ``assemble``: number each listing's pages along its next links, complete the posts
   from their permalink pages as ``--follow`` did, and yield them in archive order.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from msgspec.structs import replace

from .errors import ParseError
from .records import Post
from .urls import resolve

__all__ = ["rebuild_posts", "expand_sources", "scan_file", "articles_in", "assemble", "FileScan"]


@dataclass(slots=True)
class ListingPage:
    url: str
    next_url: str | None
    posts: list[Post]


@dataclass(slots=True)
class FileScan:
    """What one WARC file holds: the pages that parsed as listings, and the URLs of
    every page (a permalink page may parse as a listing too: related posts)."""

    path: str
    listings: list[ListingPage] = field(default_factory=list)
    urls: set[str] = field(default_factory=set)
    redirects: dict[str, str] = field(default_factory=dict)


def expand_sources(sources: Iterable[str]) -> list[str]:
    """WARC files named by paths, folders or globs, in a stable order."""
    out: list[str] = []
    for src in sources:
        if os.path.isdir(src):
            out.extend(sorted(glob.glob(os.path.join(src, "*.warc.gz")) + glob.glob(os.path.join(src, "*.warc"))))
        else:
            out.extend(sorted(glob.glob(src)) or [src])
    seen: set[str] = set()
    return [p for p in out if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]


def _charset(headers: list[tuple[str, str]]) -> str | None:
    from .fetch.response import parse_content_type

    for k, v in headers:
        if k.lower() == "content-type":
            return parse_content_type(v)[1].get("charset")
    return None


def scan_file(path: str) -> FileScan:
    """Parse every archived listing page of one WARC file."""
    from .parse.page import parse_page
    from .write.warc import iter_responses

    scan = FileScan(path=path)
    name = Path(path).name
    for resp in iter_responses(path):
        if 300 <= resp.status < 400:
            location = next((v for k, v in resp.headers if k.lower() == "location"), None)
            target = resolve(resp.url, location) if location else None
            if target:
                scan.redirects[resp.url] = target
            continue
        if resp.status != 200 or not resp.body:
            continue
        scan.urls.add(resp.url)
        try:
            result = parse_page(resp.body, resp.url, charset=_charset(resp.headers), fetched_at=resp.fetched_at)
        except ParseError:
            continue
        if result.kind != "listing" or not result.posts:
            continue
        posts = [replace(p, status=resp.status, warc_file=name, warc_offset=resp.offset) for p in result.posts]
        scan.listings.append(ListingPage(resp.url, result.next_url, posts))
    return scan


def articles_in(path: str, urls: set[str]) -> dict[str, Any]:
    """Article extractions of the pages at ``urls`` archived in one WARC file."""
    from .charset import decode_html
    from .parse.article import extract_article
    from .write.warc import iter_responses

    out: dict[str, Any] = {}
    for resp in iter_responses(path):
        if resp.url in urls and resp.url not in out and resp.status == 200:
            text, _ = decode_html(resp.body, _charset(resp.headers))
            article = extract_article(text, resp.url)
            if article is not None and article.text:
                out[resp.url] = article
    return out


def _redirects(scans: list[FileScan]) -> dict[str, str]:
    return {k: v for s in scans for k, v in s.redirects.items()}


def _final(url: str, redirects: dict[str, str]) -> str:
    """Where a URL ended up after the archived redirects (loops cut)."""
    seen = {url}
    while url in redirects and redirects[url] not in seen:
        url = redirects[url]
        seen.add(url)
    return url


def _post_urls(scans: list[FileScan]) -> set[str]:
    hops = _redirects(scans)
    return {_final(p.url, hops) for s in scans for page in s.listings for p in page.posts if p.url}


def wanted_articles(scans: list[FileScan]) -> dict[str, set[str]]:
    """Per file, the permalink pages that excerpt posts need."""
    permalinks = _post_urls(scans)
    hops = _redirects(scans)
    needed = {_final(p.url, hops) for s in scans for page in s.listings if page.url not in permalinks
              for p in page.posts if p.url and not p.full_text}
    want: dict[str, set[str]] = {}
    for s in scans:
        hits = s.urls & needed
        if hits:
            want[s.path] = hits
            needed -= hits
    return want


def assemble(scans: list[FileScan], articles: dict[str, Any]) -> Iterator[Post]:
    """Posts in archive order, numbered along next links and completed from articles."""
    from .pipeline import merge_article

    permalinks = _post_urls(scans)  # pages fetched by --follow, not listing pages
    hops = _redirects(scans)
    pages = [page for s in scans for page in s.listings if page.url not in permalinks]
    next_of = {p.url: _final(p.next_url, hops) for p in pages if p.next_url}
    targets = set(next_of.values())
    number: dict[str, int] = {}
    for p in pages:
        if p.url in targets or p.url in number:
            continue
        n, url = 1, p.url  # type: int, str | None
        while url is not None and url not in number:
            number[url] = n
            n += 1
            url = next_of.get(url)
    for p in pages:
        for post in p.posts:
            post = replace(post, page=number.get(p.url))
            art = articles.get(_final(post.url, hops)) if post.url and not post.full_text else None
            if art is not None:
                post = merge_article(post, art)
            yield post


def rebuild_posts(sources: Iterable[str]) -> Iterator[Post]:
    """Every post of every archived listing page in ``sources``, in one process."""
    scans = [scan_file(path) for path in expand_sources(sources)]
    articles: dict[str, Any] = {}
    for path, urls in wanted_articles(scans).items():
        articles.update(articles_in(path, urls))
    yield from assemble(scans, articles)
