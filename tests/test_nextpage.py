"""The next-page link: evidence from rel, words, classes and numbered pagers."""

from __future__ import annotations

import pytest

from scraper.parse import nextpage
from scraper.parse.dom import load

_POSTS = "".join(f'<article><h2><a href="/2020/0{i}/post-{i}/">Post {i} of the blog</a></h2><p>{"Text. " * 30}</p>'
                 f'</article>' for i in range(1, 6))


def _next(nav: str, url: str = "https://blog.example/tag/x/") -> str | None:
    doc = load(f"<html><body><main>{_POSTS}</main>{nav}</body></html>", url)
    return nextpage.find_next(doc, set())


@pytest.mark.parametrize(("nav", "expected"), [
    ('<div class="nav-previous"><a href="/tag/x/page/2/">Older posts</a></div>', "https://blog.example/tag/x/page/2/"),
    ('<div class="Older-Posts"><a href="/tag/x/page/2/"><i class="icon"></i></a></div>',
     "https://blog.example/tag/x/page/2/"),  # an icon: only the class says which way
    ('<a class="blog-pager-older-link" href="/search?updated-max=2020">→</a>', "https://blog.example/search?updated-max=2020"),
    ('<a id="Next" href="/tag/x/p2">»</a>', "https://blog.example/tag/x/p2"),
    ('<a class="newer-posts" href="/tag/x/page/2/">Newer posts</a>', None),  # the other way
    ('<nav class="pagination"><span class="current">1</span><a href="/tag/x/page/2/">2</a>'
     '<a href="/tag/x/page/3/">3</a></nav>', "https://blog.example/tag/x/page/2/"),
    ('<nav><a href="/about/">About</a><a href="/contact/">Contact</a></nav>', None),
    ('<a class="next" href="/tag/x/page/2/#content-inner">Next</a>', "https://blog.example/tag/x/page/2/"),  # no jump
])
def test_next_link(nav: str, expected: str | None) -> None:
    assert _next(nav) == expected


def test_the_class_query_finds_every_direction_name() -> None:
    """Anchors whose class or id the one query misses are taken to name no direction."""
    words = ("next", "older", "prev", "newer")
    assert all(any(w in name for w in words) for name in nextpage._NEXT_CLASS | nextpage._PREV_CLASS)
