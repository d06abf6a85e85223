"""Records rebuilt offline from WARC archives, the same as the live crawl made them.

The live run archives every listing page (and, with ``--follow``, every permalink
page) before parsing it. Rebuilding parses the archived listing pages in archive
order, then completes each post from its archived permalink page when there is one,
exactly as ``--follow`` did: same ids, same text, same provenance (page number
excepted when the archive does not say it: it is counted along each listing's
next-page links)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from msgspec.structs import replace

from .errors import ParseError
from .records import Post

__all__ = ["rebuild_posts", "parse_archived"]


def _charset(headers: list[tuple[str, str]]) -> str | None:
    from .fetch.response import parse_content_type

    for k, v in headers:
        if k.lower() == "content-type":
            return parse_content_type(v)[1].get("charset")
    return None


def parse_archived(resp: Any, page: int | None = None) -> list[Post]:
    """The posts of one archived listing response, with provenance."""
    from .parse.page import parse_page

    if resp.status != 200 or not resp.body:
        return []
    try:
        result = parse_page(resp.body, resp.url, charset=_charset(resp.headers), fetched_at=resp.fetched_at,
                            page=page)
    except ParseError:
        return []
    if result.kind != "listing":
        return []
    name = Path(resp.file).name
    return [replace(p, status=resp.status, page=page, warc_file=name, warc_offset=resp.offset) for p in result.posts]


def rebuild_posts(sources: Iterable[str]) -> Iterator[Post]:
    """Every post of every archived listing page in ``sources`` (files, folders or
    globs), completed from archived permalink pages."""
    from .parse.page import parse_page
    from .pipeline import merge_article
    from .write.warc import iter_responses

    responses = [r for src in sources for r in iter_responses(src)]
    by_url = {r.url: r for r in responses if r.status == 200}
    # page numbers: follow each listing's next links among the archived pages
    pages: dict[str, int] = {}
    listing_posts: list[tuple[Any, list[Post]]] = []
    for r in responses:
        posts = parse_archived(r)
        if posts:
            listing_posts.append((r, posts))
    next_of: dict[str, str] = {}
    for r, _ in listing_posts:
        res = parse_page(r.body, r.url, charset=_charset(r.headers))
        if res.next_url:
            next_of[r.url] = res.next_url
    targets = set(next_of.values())
    for r, _ in listing_posts:
        if r.url in targets or r.url in pages:
            continue
        n, url = 1, r.url
        while url is not None and url not in pages:
            pages[url] = n
            n += 1
            url = next_of.get(url)
    for r, posts in listing_posts:
        number = pages.get(r.url)
        for post in posts:
            post = replace(post, page=number)
            art = by_url.get(post.url) if post.url and not post.full_text else None
            if art is not None:
                from .parse.article import extract_article

                from .charset import decode_html

                text, _ = decode_html(art.body, _charset(art.headers))
                article = extract_article(text, art.url)
                if article is not None and article.text:
                    post = merge_article(post, article)
            yield post
