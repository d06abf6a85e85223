"""Splitting decisions that do not depend on knowing the page's URL."""

from __future__ import annotations

import pytest

from scraper.api import parse_html

_POST = """
<div class="preview"><div>
  <div class="title-post"><h2><a href="/blog/{slug}/">{title}</a></h2></div>
  <div class="info-block"><div class="text-box"><div>{body}</div></div></div>
  <div class="bottom-block"><div class="comments-link"><a href="/blog/{slug}/">Read the comments ({n})</a></div></div>
</div></div>"""
_TITLES = ["First dual-camera recorder arrives", "A new season of radar detectors", "Firmware update for the A7510",
           "On the main road at night", "Better to call a specialist"]


def _page() -> str:
    posts = "".join(_POST.format(slug=f"post-{i}", title=t, n=i % 2,
                                 body=f"Body of post {i}: " + "a sentence of the excerpt goes on. " * 8)
                    for i, t in enumerate(_TITLES))
    return f"<html><body><div class='container'><div class='blog main-block'>{posts}</div></div></body></html>"


@pytest.mark.parametrize("url", ["https://shop.example/blog/", None])
def test_comment_links_repeating_the_permalink_are_not_the_titles(url: str | None) -> None:
    """The comment link of each post carries the same (relative) permalink as its
    heading; with or without the page's URL, the headings are the titles."""
    posts = parse_html(_page(), url)
    assert [p.title for p in posts] == _TITLES
    assert [p.comments for p in posts] == [i % 2 for i in range(len(_TITLES))]
