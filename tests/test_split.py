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


def _list_page(before: str) -> str:
    items = "".join(f'<article class="item-list"><h2><a href="/{100 + i}-post-{i}/">Post number {i} about horror films</a>'
                    f'</h2><p>{"Excerpt of the post, a few sentences long. " * 6}</p></article>' for i in range(6))
    return (f"<html><body><div class='container'><div class='content'>{before}<div>{items}</div></div></div>"
            "</body></html>")


def test_a_hero_post_above_the_list_is_kept() -> None:
    hero = ('<div class="featured"><h2><a href="/99-the-big-story/">The big story of the week, in full</a></h2>'
            f'<p>{"The lead post has more to say than the others. " * 8}</p></div>')
    posts = parse_html(_list_page(hero), "https://films.example/category/horror/")
    assert len(posts) == 7 and posts[0].url == "https://films.example/99-the-big-story/"


def test_the_archive_heading_and_its_description_are_not_a_hero_post() -> None:
    head = ('<div class="page-head"><h1 class="page-title">Horror news</h1><div class="archive-meta"><p>'
            f'{"News from the world of horror cinema, games and books. " * 5}'
            '<a href="/contact/">Send us your press releases</a>.</p></div></div>')
    posts = parse_html(_list_page(head), "https://films.example/category/horror/")
    assert [p.title for p in posts] == [f"Post number {i} about horror films" for i in range(6)]


def test_a_rubric_set_off_by_a_separator_is_not_text() -> None:
    items = "".join(
        f'<article><h3><a href="/articles/d41586-{i}">Finding number {i} in the journal</a></h3>'
        f'<ul><li>News</li><li>|</li></ul><p>Summary of finding {i}: what was seen and why it matters.</p>'
        f'</article>' for i in range(5))
    posts = parse_html(f"<html><body><main><section>{items}</section></main></body></html>",
                       "https://journal.example/news")
    assert [p.text for p in posts] == [f"Summary of finding {i}: what was seen and why it matters." for i in range(5)]
