"""Full-article extraction on a permalink page, through trafilatura.

trafilatura is imported here and only here, on first use: it takes a noticeable
fraction of a second to import, which one-off ``scraper parse`` runs on listing pages
should not pay.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """The main text and metadata of an article page; None when there is none."""
    import trafilatura
    from lxml.html import tostring
    from trafilatura.htmlprocessing import convert_to_html
    from trafilatura.xml import xmltotxt

    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_links=True,
            include_formatting=True, include_images=True, include_tables=True,
        )
    except Exception:  # trafilatura raises assorted lxml errors on broken pages
        return None
    if doc is None or getattr(doc, "body", None) is None:
        return None
    text = (xmltotxt(doc.body, False) or "").strip()
    if not text:
        return None
    lines = [" ".join(line.split()) for line in text.split("\n")]
    text = "\n\n".join(line for line in lines if line)
    try:
        html_out = tostring(convert_to_html(doc.body), encoding="unicode").strip()
    except Exception:
        html_out = None
    tags = [t for t in (doc.tags or []) if t] if isinstance(doc.tags, list) else []
    author = (doc.author or "").strip() or None
    return Article(
        title=(doc.title or "").strip() or None,
        text=text,
        html=html_out,
        date=parse_iso(doc.date) if doc.date else None,
        author=author,
        tags=tags,
    )
