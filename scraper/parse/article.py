"""Full-article extraction on a permalink page, through trafilatura.

trafilatura is imported here and only here, on first use: it takes a noticeable
fraction of a second to import, which one-off ``scraper parse`` runs on listing pages
should not pay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .dates import parse_iso

__all__ = ["Article", "extract_article"]


@dataclass(slots=True)
class Article:
    title: str | None
    text: str | None
    html: str | None
    date: str | None
    author: str | None
    tags: list[str] = field(default_factory=list)


def extract_article(html: str, url: str | None) -> Article | None:
    """The main text and metadata of an article page; None when there is none.

    trafilatura finds the article; its HTML (links and formatting kept) is then
    read like a listing's post, so the article's ``text`` is plain text with the
    same paragraph breaks a listing record has, and ``html`` is a sanitised fragment."""
    import trafilatura
    from lxml.html import tostring
    from trafilatura.htmlprocessing import convert_to_html

    from .dom import load
    from .fields import text_lines
    from .meta import clean_author
    from .sanitize import sanitize_html

    try:
        doc: Any = trafilatura.bare_extraction(  # a trafilatura Document (a dict only if asked for one)
            html, url=url, with_metadata=True, include_comments=False, include_links=True,
            include_formatting=True, include_images=True, include_tables=True,
        )
    except Exception:  # trafilatura raises assorted lxml errors on broken pages
        return None
    if doc is None or getattr(doc, "body", None) is None:
        return None
    try:
        tree = convert_to_html(doc.body)
        body = tree.find("body")
        fragment = "".join(tostring(child, encoding="unicode") for child in (body if body is not None else tree))
    except Exception:  # lxml serialisation of odd trees
        return None
    page = load(f"<html><body>{fragment}</body></html>", url)
    if page.body is None:
        return None
    nodes = [page.body]
    text = "\n\n".join(text_lines(nodes)).strip()
    if not text:
        return None
    tags = [t for t in (doc.tags or []) if t] if isinstance(doc.tags, list) else []
    return Article(
        title=(doc.title or "").strip() or None,
        text=text,
        html=sanitize_html(list(page.body.iter(include_text=True)), page.base_url) or None,
        date=parse_iso(doc.date) if doc.date else None,
        author=clean_author(doc.author or ""),
        tags=tags,
    )
