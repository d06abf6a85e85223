"""One page in, its records out: listing, article, or neither (and why)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit
from typing import Any, Literal

from ..errors import ParseError
from ..records import Post, post_id, text_sha256, utc_now
from ..urls import canonical_url, resolve
from . import rules
from .dom import Document, TextMemo, load
from .fields import extract_fields
from .nextpage import find_next
from .split import split
from .structured import Hints, read_hints

__all__ = ["PageResult", "parse_page", "parse_document"]

Kind = Literal["listing", "article", "other"]


@dataclass(slots=True)
class PageResult:
    """What one page yields: its kind, its posts, where the listing goes next."""

    url: str | None
    kind: Kind
    posts: list[Post]
    next_url: str | None = None
    feeds: list[str] = field(default_factory=list)
    reason: str | None = None
    groups: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # where structured data and the page disagree


def _page_signal(doc: Document, hints: Hints) -> str | None:
    """What the page says it is: "article" (JSON-LD, og:type, a single-post body
    class), "listing" (an archive, blog, category, tag or paged body class), or
    None when it says nothing."""
    body = doc.body
    cls = (body.attributes.get("class") or "").lower().split() if body is not None else []
    if hints.article is not None and (hints.article.url or hints.article.headline or "archive" not in cls):
        return "article"  # (a bare og:type=article is what SEO plugins print on archives too)
    if any(c in ("single", "single-post", "postid", "post-template", "single-format-standard") or
           c.startswith("postid-") for c in cls):
        return "article"
    if any(c in ("home", "blog", "archive", "category", "tag", "search", "paged", "list") for c in cls):
        return "listing"
    return "article" if (doc.head_meta.get("og:type") or "").lower() == "article" else None


def _listing_address(url: str | None) -> bool:
    """A home page, a numbered page, or a tag, category or author page: where a
    page whose posts were not found must not come out as one "article" made of all
    of them."""
    if not url:
        return False
    try:
        path = urlsplit(url).path
    except ValueError:  # a malformed canonical link ("http://[x")
        return False
    return path in ("", "/") or bool(rules.LISTING_PAGE_RE.search(url)) or rules.non_post_url(url)


def _disagreements(f: Any, hint: Any) -> list[str]:
    """What the page shows against what its JSON-LD says, post by post. The page
    wins (it is what readers see); the difference is reported by ``inspect``."""
    out = []
    if f.date and hint.date and f.date[:10] != hint.date[:10]:
        out.append(f"{f.url}: date shown {f.date[:10]}, JSON-LD says {hint.date[:10]}")
    if f.title and hint.headline and f.title.casefold() != hint.headline.casefold():
        out.append(f"{f.url}: title shown {f.title!r}, JSON-LD says {hint.headline!r}")
    return out


def _to_post(fields, source: str | None, fetched_at: str, page: int | None) -> Post:
    fallback = f"{source or ''}|{fields.title or ''}|{(fields.text or '')[:200]}"
    return Post(
        id=post_id(fields.url, fallback),
        url=fields.url,
        title=fields.title,
        date=fields.date,
        author=fields.author,
        comments=fields.comments,
        tags=list(fields.tags),
        text=fields.text,
        html=fields.html,
        full_text=fields.full_text,
        source=source,
        fetched_at=fetched_at,
        sha256=text_sha256(fields.text),
        page=page,
    )


def parse_document(doc: Document, *, fetched_at: str | None = None, page: int | None = None,
                   thresholds: rules.Thresholds | None = None, raw_html: str | None = None) -> PageResult:
    """Split a loaded document into records. ``raw_html`` enables article extraction."""
    th = thresholds or rules.Thresholds()
    fetched_at = fetched_at or utc_now()
    source = doc.page_url
    hints = read_hints(doc.json_ld, doc.head_meta.get("og:type"))
    feeds = [u for u in (resolve(doc.base_url, f) for f in doc.feeds) if u]
    texts = TextMemo()  # shared by the two readers below; extract_fields then changes the tree
    signal = _page_signal(doc, hints)
    found = split(doc, th, article=signal == "article", listing=signal == "listing", texts=texts)
    items, reason = found.items, found.reason
    summaries = [f"{g.score:8.2f} {g.why} {'>'.join(reversed(g.signature))[-120:]}" for g in found.groups[:8]]
    if items:
        post_links = {it.link for it in items if it.link}
        next_url = find_next(doc, post_links, texts=texts)
        posts = []
        notes: list[str] = []
        for it in items:
            f = extract_fields(doc, it.title, it.link, it.nodes)
            if f.url and hints.entries:
                hint = hints.entries.get(canonical_url(f.url))
                if hint is not None:
                    notes += _disagreements(f, hint)
                    f.date = f.date or hint.date
                    f.author = f.author or hint.author
            posts.append(_to_post(f, source, fetched_at, page))
        if hints.entries and items and not any(canonical_url(it.link) in hints.entries for it in items if it.link):
            notes.append(f"JSON-LD lists {len(hints.entries)} articles, none of them among the posts found")
        return PageResult(url=source, kind="listing", posts=posts, next_url=next_url, feeds=feeds,
                          groups=summaries, notes=notes)
    if signal != "article" and (signal == "listing" or _listing_address(source)):
        reason = f"{reason}; and the page is a listing by its {'address' if signal is None else 'body class'}, " \
                 "so it is not read as one article"
    elif raw_html is not None and len(raw_html) > th.article_max_chars:
        reason = f"{reason}; and the page is too large to read as an article ({len(raw_html):,} characters)"
    elif raw_html is not None:
        from .article import extract_article

        art = extract_article(raw_html, source)
        if art is not None and art.text and len(art.text) >= th.article_min_chars:
            from .fields import Fields

            f = Fields(title=art.title or (hints.article.headline if hints.article else None) or doc.title or None,
                       url=source, date=art.date or (hints.article.date if hints.article else None),
                       author=art.author or (hints.article.author if hints.article else None),
                       tags=art.tags, text=art.text, html=art.html, full_text=True)
            return PageResult(url=source, kind="article", posts=[_to_post(f, source, fetched_at, page)],
                              feeds=feeds, groups=summaries)
        reason = f"{reason}; and no article text either"
    return PageResult(url=source, kind="other", posts=[], next_url=find_next(doc, set(), texts=texts), feeds=feeds,
                      reason=reason, groups=summaries)


def parse_page(data: str | bytes, url: str | None = None, *, charset: str | None = None,
               fetched_at: str | None = None, page: int | None = None,
               thresholds: rules.Thresholds | None = None) -> PageResult:
    """Parse one page's HTML (text or raw bytes) into a PageResult."""
    if isinstance(data, bytes):
        from ..charset import decode_html

        text, _ = decode_html(data, charset)
    else:
        text = data
    if not text.strip():
        raise ParseError("empty document")
    doc = load(text, url or None)
    return parse_document(doc, fetched_at=fetched_at, page=page, thresholds=thresholds, raw_html=text)
