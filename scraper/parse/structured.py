"""Structured hints a page may carry: schema.org JSON-LD and Open Graph.

They are hints, not truth: publishers copy templates, and a tag page's JSON-LD often
describes the whole site. The page module uses them to fill gaps (a date the listing
shows only in ``datetime`` metadata) and to tell an article from a listing, and
checks them against what the page shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..urls import canonical_url
from .dates import parse_iso

__all__ = ["Hints", "read_hints", "ARTICLE_TYPES"]

ARTICLE_TYPES = frozenset({"article", "blogposting", "newsarticle", "reportagenewsarticle", "techarticle",
                           "scholarlyarticle", "socialmediaposting", "liveblogposting", "opinionnewsarticle",
                           "analysisnewsarticle", "reviewnewsarticle", "posting"})
LISTING_TYPES = frozenset({"itemlist", "collectionpage", "blog", "searchresultspage", "profilepage"})


@dataclass(slots=True)
class Entry:
    url: str | None
    headline: str | None
    date: str | None
    author: str | None


@dataclass(slots=True)
class Hints:
    article: Entry | None = None          # the page itself is one article
    listing: bool = False                 # the page says it lists things
    entries: dict[str, Entry] = field(default_factory=dict)  # canonical url -> entry


def _types(obj: dict) -> set[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return {t.lower()}
    if isinstance(t, list):
        return {x.lower() for x in t if isinstance(x, str)}
    return set()


def _author(value: object) -> str | None:
    if isinstance(value, list):
        names = [n for n in (_author(v) for v in value) if n]
        return ", ".join(names) if names else None
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def _entry(obj: dict) -> Entry:
    url = obj.get("url") or obj.get("@id") or (obj.get("mainEntityOfPage") if isinstance(obj.get("mainEntityOfPage"), str) else None)
    if isinstance(obj.get("mainEntityOfPage"), dict):
        url = url or obj["mainEntityOfPage"].get("@id")
    headline = obj.get("headline") or obj.get("name")
    return Entry(
        url=url if isinstance(url, str) else None,
        headline=" ".join(headline.split()) if isinstance(headline, str) else None,
        date=parse_iso(obj.get("datePublished")) if isinstance(obj.get("datePublished"), str) else None,
        author=_author(obj.get("author")),
    )


def _walk(obj: object, depth: int = 0):
    if depth > 8:
        return
    if isinstance(obj, list):
        for x in obj:
            yield from _walk(x, depth + 1)
    elif isinstance(obj, dict):
        yield obj, depth
        for key in ("@graph", "itemListElement", "blogPost", "blogPosts", "mainEntity", "hasPart", "item"):
            if key in obj:
                yield from _walk(obj[key], depth + 1)


def read_hints(json_ld: list[str], og_type: str | None = None) -> Hints:
    hints = Hints()
    articles: list[tuple[Entry, int]] = []
    for raw in json_ld:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        for obj, depth in _walk(data):
            types = _types(obj)
            if types & LISTING_TYPES:
                hints.listing = True
            if types & ARTICLE_TYPES:
                e = _entry(obj)
                articles.append((e, depth))
                if e.url:
                    hints.entries.setdefault(canonical_url(e.url), e)
    top = [e for e, d in articles if d <= 1]
    if len(top) == 1 and not hints.listing and len(articles) == 1:
        hints.article = top[0]
    if og_type and og_type.lower() == "article" and hints.article is None and not hints.listing and not articles:
        hints.article = Entry(url=None, headline=None, date=None, author=None)
    return hints
