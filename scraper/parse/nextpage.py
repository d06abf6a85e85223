"""The link to the next (older) page of a listing, across CMSs and languages.

Evidence, strongest first: ``rel=next``; a link whose words say "next"/"older" in
one of many languages; the link after the current page in a numbered pager; a link
whose URL is this page's URL with its page number plus one. Never a link to a
previous page, to the page itself, to a post, or to a calendar.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from ..urls import canonical_url, is_http_url, resolve, same_site
from . import rules
from .dom import Document, node_text, tokens_of

__all__ = ["find_next", "page_number"]

_NEXT_CLASS = frozenset({"next", "older", "nextpostslink", "next-page", "pagination-next", "nav-previous",
                         "next_page", "nextpage", "page-next", "older-posts", "older-entries", "pager-next",
                         "blog-pager-older-link", "prev-next", "pagination__next"})
_PREV_CLASS = frozenset({"prev", "previous", "newer", "nav-next", "previouspostslink", "prev-page",
                         "pagination-prev", "page-prev", "newer-posts", "newer-entries", "pager-prev",
                         "blog-pager-newer-link", "pagination__prev"})
_PAGER_TOKENS = frozenset({"pagination", "pager", "pages", "page-numbers", "paginator", "pagenavi",
                           "wp-pagenavi", "nav-links", "paging", "pagenav", "page-nav", "blog-pager"})


def page_number(url: str) -> int | None:
    """The page number a listing URL carries (?page=3, /page/3/, index3.html), if any."""
    m = rules.PAGE_PARAM_RE.search(url)
    if m:
        return int(m.group(1))
    m = rules.PAGE_PATH_RE.search(url.split("?", 1)[0])
    if m:
        for g in m.groups():
            if g:
                return int(g)
    return None


def _label(a: LexborNode) -> str:
    attrs = a.attributes
    text = node_text(a)
    if not text:
        text = (attrs.get("aria-label") or attrs.get("title") or "").strip()
    return text


def _in_pager(a: LexborNode) -> bool:
    p = a.parent
    for _ in range(4):
        if p is None:
            return False
        if p.tag == "nav" or tokens_of(p) & _PAGER_TOKENS:
            return True
        p = p.parent
    return False


def _acceptable(url: str | None, doc: Document, here: str | None, posts: set[str]) -> bool:
    if not url or not is_http_url(url):
        return False
    if here:
        if not same_site(url, here):
            return False
        if canonical_url(url) == canonical_url(here):
            return False
    if url in posts:
        return False
    if rules.CALENDAR_HREF_RE.search(url) and not (here and rules.CALENDAR_HREF_RE.search(here)):
        return False
    return True


def find_next(doc: Document, post_links: set[str] | None = None) -> str | None:
    """Absolute URL of the next page, or None when this is the last (or only) page."""
    posts = post_links or set()
    base = doc.base_url
    here = doc.page_url
    body = doc.body
    scored: list[tuple[float, int, str]] = []
    if doc.link_next:
        url = resolve(base, doc.link_next)
        if _acceptable(url, doc, here, posts):
            scored.append((10.0, 0, url))  # type: ignore[arg-type]
    if body is None:
        return scored[0][2] if scored else None
    here_page = page_number(here) if here else None
    anchors = body.css("a[href]")
    current_num: int | None = None
    for cur in body.css("[aria-current=page], .current, .active, .selected, .on"):
        t = node_text(cur)
        if t.isdigit() and (cur.tag != "a" or _in_pager(cur)):
            current_num = int(t)
            break
    for pos, a in enumerate(anchors):
        url = resolve(base, a.attributes.get("href"))
        if not _acceptable(url, doc, here, posts):
            continue
        label = _label(a)
        rel = (a.attributes.get("rel") or "").lower().split()
        toks = tokens_of(a) | (tokens_of(a.parent) if a.parent is not None else set())
        score = 0.0
        if "next" in rel:
            score += 8
        if "prev" in rel or "previous" in rel:
            continue
        if label and rules.NEXT_WORDS.match(label):
            score += 5
        elif label and len(label) < 40 and rules.PREV_WORDS.search(label):
            continue
        if toks & _NEXT_CLASS:
            score += 3
        if toks & _PREV_CLASS and score < 5:
            continue
        num = page_number(url)  # type: ignore[arg-type]
        if label.isdigit():
            n = int(label)
            if current_num is not None and n == current_num + 1 and _in_pager(a):
                score += 4
            elif here_page is not None and n == here_page + 1:
                score += 3
            elif current_num is None and here_page is None and n == 2 and _in_pager(a):
                score += 2.5
        if num is not None:
            expected = (here_page or 1) + 1
            if num == expected:
                score += 1.5
            elif here_page is not None and num <= here_page:
                score -= 3
        if score > 0 and _in_pager(a):
            score += 1
        if score >= 2.5:
            scored.append((score, pos + 1, url))  # type: ignore[arg-type]
    if not scored:
        return None
    scored.sort(key=lambda s: (-s[0], s[1]))
    return scored[0][2]
