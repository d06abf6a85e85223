"""Structured data (JSON-LD) fills gaps the page leaves, and disagreements are reported."""

from __future__ import annotations

import json

from scraper.api import parse_page


def _page(ld_date: str, shown: bool) -> str:
    posts = "".join(
        f'<article><h2><a href="/p{i}/">Post number {i} here</a></h2>'
        + (f"<time>{10 + i} March 2024</time>" if shown else "")
        + f"<p>Text of post {i}, long enough to be a post.</p></article>" for i in range(3))
    ld = {"@context": "https://schema.org", "@type": "Blog", "blogPost": [
        {"@type": "BlogPosting", "url": f"https://example.org/p{i}/", "headline": f"Post number {i} here",
         "datePublished": ld_date, "author": {"@type": "Person", "name": "Jane Roe"}} for i in range(3)]}
    return (f'<html><head><script type="application/ld+json">{json.dumps(ld)}</script></head>'
            f"<body><main>{posts}</main></body></html>")


def test_json_ld_fills_what_the_page_does_not_show() -> None:
    r = parse_page(_page("2024-01-05T10:00:00Z", shown=False), "https://example.org/blog/")
    assert [p.date for p in r.posts] == ["2024-01-05T10:00:00Z"] * 3
    assert [p.author for p in r.posts] == ["Jane Roe"] * 3
    assert r.notes == []


def test_the_page_wins_and_disagreements_are_noted() -> None:
    r = parse_page(_page("2020-01-01", shown=True), "https://example.org/blog/")
    assert [p.date for p in r.posts] == ["2024-03-10", "2024-03-11", "2024-03-12"]
    assert len(r.notes) == 3 and "JSON-LD says 2020-01-01" in r.notes[0]
