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


def _last_archive_page(body_class: str) -> str:
    featured = "".join(f'<article class="entry post"><header><h2 class="entry-title"><a href="/2011/0{i}/old-{i}/">'
                       f'Featured older post {i}</a></h2></header></article>' for i in range(1, 4))
    return (f'<html><body class="{body_class}"><main class="content"><h1>Archives for November 2014</h1>'
            '<article class="post entry"><header><h2 class="entry-title"><a href="/2014/11/08/magic-shop/">'
            'Children’s Literature: Bruce Coville’s Magic Shop Books</a></h2><p class="entry-meta"><time datetime="2014-11-08T09:24:00+00:00">'
            'November 8, 2014</time></p></header><div class="entry-content"><p>… <a class="more-link" '
            'href="/2014/11/08/magic-shop/">[Read more...]</a></p></div></article></main>'
            f'<aside class="sidebar widget-area"><section class="featured-content widget">{featured}</section></aside>'
            '</body></html>')


def test_the_last_page_of_an_archive_with_one_short_post() -> None:
    posts = parse_html(_last_archive_page("archive date paged paged-2"), "https://eco.example/2014/11/page/2/")
    assert [(p.title, p.date) for p in posts] == [("Children’s Literature: Bruce Coville’s Magic Shop Books",
                                                   "2014-11-08T09:24:00+00:00")]


def test_one_short_post_needs_the_page_to_say_it_is_a_listing() -> None:
    assert parse_html(_last_archive_page(""), "https://eco.example/2014/11/page/2/") == []


def _widget_home(main_open: str, main_close: str) -> str:
    def area(name: str, first: int, excerpt: str) -> str:
        posts = "".join(f'<article class="post entry"><header class="entry-header"><h2 class="entry-title">'
                        f'<a href="/2016/03/{first + i:02d}/post-{first + i}/">Home post number {first + i} of the week</a>'
                        f'</h2><p class="entry-meta"><time datetime="2016-03-{first + i:02d}">March {first + i}, 2016</time>'
                        f'</p></header><div class="entry-content"><p>{excerpt}</p></div></article>' for i in range(5))
        return (f'<div class="{name} widget-area"><section class="widget featured-content featuredpost">'
                f'<div class="widget-wrap">{posts}</div></section></div>')

    side = "".join(f'<article class="post entry"><h2 class="entry-title"><a href="/2015/01/{i:02d}/old-{i}/">'
                   f'Popular older post {i}</a></h2></article>' for i in range(1, 5))
    return (f'<html><body class="home blog"><div class="content-sidebar-wrap">{main_open}'
            f'{area("home-middle", 1, "Both my children were born at home, and here is why. " * 3)}'
            f'{area("home-bottom", 11, " … ")}{main_close}'
            f'<aside class="sidebar sidebar-primary widget-area"><section class="widget featured-content">'
            f'<div class="widget-wrap">{side}</div></section></aside></div></body></html>')


def test_widget_areas_inside_main_are_the_home_page_posts() -> None:
    posts = parse_html(_widget_home('<main class="content">', "</main>"), "https://eco.example/")
    assert [p.url.rsplit("/", 2)[-2] for p in posts] == [f"post-{n}" for n in (*range(1, 6), *range(11, 16))]
    assert all(p.text is None and not p.full_text for p in posts[5:])  # an excerpt of "…" is no text
    assert all(p.text and p.text.startswith("Both my children") for p in posts[:5])


def test_widget_areas_outside_main_stay_chrome() -> None:
    posts = parse_html(_widget_home('<div class="stuff">', "</div>"), "https://eco.example/")
    assert not any("post-" in (p.url or "") for p in posts)


@pytest.mark.parametrize(("url", "non_post"), [
    ("https://x.example/category/news/", True),
    ("https://x.example/?cat=155", True),
    ("https://x.example/index.php?tag=ai&s=", True),
    ("https://x.example/news.php?lang=2&cat=7&newid=901", False),  # a story filed in a category
    ("https://x.example/?p=42&cat=3", False),
    ("https://x.example/?p=42&replytocom=7", True),
    ("https://x.example/2016/03/a-post/", False),
])
def test_non_post_urls(url: str, non_post: bool) -> None:
    from scraper.parse.rules import non_post_url

    assert non_post_url(url) is non_post


def _recent_posts_home(main_open: str, main_close: str) -> str:
    items = "".join(f'<div class="recent-post-item"><div class="recent-post-info"><a class="article-title" '
                    f'href="/2023/02/0{i}/note-{i}/">Study note number {i}</a><div class="article-meta-wrap">'
                    f'<time datetime="2023-02-0{i}">2023-02-0{i}</time></div><div class="content">'
                    f'{"What I learned this week about limits and series. " * 4}</div></div></div>' for i in range(1, 7))
    side = "".join(f'<div class="aside-list-item"><a href="/2022/0{i}/old-{i}/" title="Older note {i}">Older note {i} of mine'
                   f'</a><time>2022-0{i}-01</time></div>' for i in range(1, 6))
    return (f'<html><body>{main_open}<div class="recent-posts" id="recent-posts">{items}</div>{main_close}'
            f'<div class="aside-content"><div class="card-widget card-recent-post"><div class="item-headline">Recent'
            f'</div><div class="aside-list">{side}</div></div></div></body></html>')


def test_a_recent_posts_list_that_is_the_main_column_is_the_listing() -> None:
    """"recent-post-item" names a sidebar widget's entries on many themes and the
    home page's own posts on others: in <main>, holding most of the page, it is the
    latter."""
    posts = parse_html(_recent_posts_home('<main class="layout">', "</main>"), "https://notes.example/page/2/")
    assert [p.title for p in posts] == [f"Study note number {i}" for i in range(1, 7)]
    assert posts[0].date == "2023-02-01"


def test_a_recent_posts_list_outside_main_stays_chrome() -> None:
    posts = parse_html(_recent_posts_home('<div class="layout">', "</div>"), "https://notes.example/page/2/")
    assert not any("note-" in (p.url or "") for p in posts)


_LONG_PAGE = ("<html><head><title>The Blog</title></head><body><nav><a href='/'>Home</a></nav><div>"
              + "".join(f"<p>{'A paragraph of running text with nothing repeated in it. ' * 6}{i}</p>" for i in range(8))
              + "</div></body></html>")


@pytest.mark.parametrize(("url", "records"), [
    ("https://blog.example/2016/03/a-long-story/", 1),  # a permalink: one article
    ("https://blog.example/", 0),  # a home page,
    ("https://blog.example/page/3/", 0),  # a numbered page,
    ("https://blog.example/tag/news/", 0),  # or a tag page is never one "article" made of its posts
    ("https://blog.example/archive?paged=2", 0),
])
def test_a_listing_address_is_not_read_as_one_article(url: str, records: int) -> None:
    from scraper.api import parse_page

    result = parse_page(_LONG_PAGE, url)
    assert len(result.posts) == records
    assert result.kind == ("article" if records else "other")
    if not records:
        assert "listing by its address" in (result.reason or "")


def test_subheadings_that_link_into_their_own_post_are_not_the_posts() -> None:
    """Section headings of a post shown in full link to a "#id" of the post's own
    address (a docutils table of contents): they are inside the posts, not posts."""
    def post(i: int) -> str:
        sections = "".join(f'<div class="section"><h3><a class="toc-backref" href="posts/p{i}/#id{k}">Section {k} of '
                           f'post {i} here</a></h3><p>{"Words of the section. " * 10}</p></div>' for k in range(3))
        return (f'<article class="post h-entry"><header><h1 class="p-name"><a href="posts/p{i}/" class="u-url">'
                f'Post {i}</a></h1></header><div class="p-summary">{sections}</div></article>')

    posts = parse_html(f"<html><body><main>{''.join(post(i) for i in range(4))}</main></body></html>",
                       "https://nik.example/index-2.html")
    assert [p.url for p in posts] == [f"https://nik.example/posts/p{i}/" for i in range(4)]
    assert "Section 2 of post 0 here" in (posts[0].text or "")


def test_a_days_heading_above_each_post_is_not_its_title() -> None:
    """A blog archive with one post a day: each day's heading (no link) and the
    post title below it (linked) repeat alike; the linked one is the title."""
    days = "".join(
        f'<div class="date-outer"><h2 class="date-header"><span>Wednesday, March {25 - 7 * i}, 2009</span></h2>'
        f'<div class="date-posts"><div class="post-outer"><div class="post hentry"><h3 class="post-title entry-title">'
        f'<a href="/2009/03/essay-{i}.html">Essay number {i} of the month</a></h3><div class="post-body">'
        f'{"Making sense of history as it happens is hard. " * 6}</div></div></div></div></div>' for i in range(4))
    posts = parse_html(f"<html><body><div class='blog-posts'>{days}</div></body></html>",
                       "https://druid.example/2009/03/")
    assert [p.title for p in posts] == [f"Essay number {i} of the month" for i in range(4)]
    assert [p.date for p in posts] == [f"2009-03-{25 - 7 * i:02d}" for i in range(4)]


def test_a_one_post_home_page_whose_card_is_one_link() -> None:
    card = ('<article class="gh-card post featured"><a class="gh-card-link" href="/introducing-livepace/">'
            '<div class="gh-card-wrapper"><h3 class="gh-card-title">Introducing LivePace</h3><p class="gh-card-excerpt">'
            f'{"LivePace is a new running pacing app coming out soon for phones. " * 3}</p><footer class="gh-card-meta">'
            '<span class="gh-card-author">By David Fraser</span><time datetime="2026-02-26">26 Feb 2026</time></footer>'
            '</div></a></article>')
    posts = parse_html(f'<html><body class="home-template"><main class="site-main"><div class="gh-feed">{card}</div>'
                       '</main></body></html>', "https://pace.example/")
    assert [(p.title, p.url, p.date, p.author) for p in posts] == [
        ("Introducing LivePace", "https://pace.example/introducing-livepace/", "2026-02-26", "David Fraser")]


def test_an_archive_of_dates_and_titles_in_a_definition_list() -> None:
    entries = [("Thu 15 October 2020", "Implicit Monte Carlo 1"), ("Sun 11 October 2020", "Using tmux over ssh"),
               ("Sun 11 October 2020", "Brew installation"), ("Sat 19 September 2020", "GitGraph.js"),
               ("Sat 27 July 2019", "OpenMP 7")]
    dl = "".join(f'<dt>{d}</dt><dd><a href="/post-{i}.html">{t}</a></dd>' for i, (d, t) in enumerate(entries))
    posts = parse_html(f"<html><body><main><h1>Category: misc</h1><dl>{dl}</dl></main></body></html>",
                       "https://notes.example/category/misc.html")
    assert [(p.title, p.date) for p in posts] == [
        ("Implicit Monte Carlo 1", "2020-10-15"), ("Using tmux over ssh", "2020-10-11"),
        ("Brew installation", "2020-10-11"), ("GitGraph.js", "2020-09-19"), ("OpenMP 7", "2019-07-27")]


def test_short_titles_join_the_listing_their_longer_neighbours_formed() -> None:
    titles = ["Mock.js notes", "Getting started with TypeScript", "Vue 2 and 3", "Notes on seaborn plots today",
              "Hello there", "A long title about state compression", "Eight puzzle"]
    items = "".join(f'<li class="post-item"><div class="meta"><time datetime="2022-05-0{i + 1}">2022-05-0{i + 1}</time>'
                    f'</div><span><a href="/blog/2022/05/0{i + 1}/p{i}/">{t}</a></span></li>' for i, t in enumerate(titles))
    menu = "".join(f'<li><a href="/{w.lower()}/">{w}</a></li>' for w in ("Home", "Archives", "Projects", "About me"))
    posts = parse_html(f"<html><body><nav><ul>{menu}</ul></nav><section><ul class='post-list'>{items}</ul>"
                       "</section></body></html>", "https://blog.example/page/2/")
    assert [p.title for p in posts] == titles
    assert [p.date for p in posts] == [f"2022-05-0{i + 1}" for i in range(len(titles))]


def test_a_link_around_a_title_named_element_is_a_title() -> None:
    """An archive where each entry is one link holding a date and a title block,
    all links children of one list."""
    links = "".join(f'<a class="list-group-item" href="/judge_{i}/"><time>07-1{i}</time>'
                    f'<div class="list-group-item-title">5024{i}. Task {i}</div></a>' for i in range(5))
    posts = parse_html(f"<html><body><main><div class='list-group'><p class='h5'>2023</p>{links}</div></main>"
                       "</body></html>", "https://judge.example/archives/2023/page/2/")
    assert [p.title for p in posts] == [f"5024{i}. Task {i}" for i in range(5)]


def test_a_cards_title_link_and_teaser_link_to_one_post_are_one_post() -> None:
    cards = "".join(f'<article><a class="related" href="/news/item-{i}"><div class="item__title">«Headline {i} of the '
                    f'week»</div></a><a class="related" href="/news/item-{i}"><p>Jun 2{i}, 2022 | The teaser of item {i}'
                    f' goes on for a while, long enough to read. Continue reading &gt;</p></a></article>' for i in range(5))
    posts = parse_html(f"<html><body><main><section class='items'>{cards}</section></main></body></html>",
                       "https://uni.example/news/")
    assert [p.title for p in posts] == [f"«Headline {i} of the week»" for i in range(5)]


@pytest.mark.parametrize("wrapper", ['<div class="jeg_postblock jeg_pagination_nav_1 jeg_col_2o3">',
                                     '<div class="container-search"><ul class="to-search-items">'])
def test_a_post_block_named_for_its_pager_or_search_is_not_chrome(wrapper: str) -> None:
    close = "</ul></div>" if "<ul" in wrapper else "</div>"
    tag = "li" if "<ul" in wrapper else "article"
    posts = "".join(f'<{tag} class="item"><h3><a href="/2020/06/2{i}/story-{i}/">Story number {i} of the archive</a></h3>'
                    f'<p>{"An excerpt of the story that goes on for a line or two. " * 3}</p></{tag}>' for i in range(5))
    # a long menu: the posts hold a minor share of the page's text, as on a magazine's home
    menu = "".join(f'<li><a href="/section-{i}/">Section number {i} of the site menu</a></li>' for i in range(80))
    got = parse_html(f"<html><body><nav><ul>{menu}</ul></nav>{wrapper}{posts}{close}"
                     "<div class='pagination'><a href='/page/3/'>3</a></div></body></html>", "https://news.example/page/2/")
    assert [p.title for p in got] == [f"Story number {i} of the archive" for i in range(5)]


def test_a_box_of_bare_links_beside_dated_excerpts_is_not_more_posts() -> None:
    cards = "".join(f'<article class="card-wrapper"><a href="/posts/post-{i}/"><h1 class="card-title">Post number {i} '
                    f'of the blog</h1><div class="card-text"><p>{"An excerpt of a few sentences about the post. " * 3}</p>'
                    f'</div><div class="post-meta"><time datetime="2024-0{i + 1}-01">Jan {i + 1}, 2024</time></div></a>'
                    f'</article>' for i in range(6))
    side = "".join(f'<li><a href="/posts/updated-{i}/">An updated post number {i} of the blog</a></li>' for i in range(5))
    got = parse_html(f"<html><body><div class='row'><main><div id='post-list'>{cards}</div></main>"
                     f"<div id='panel-wrapper'><div class='access'><div class='panel-heading'>Recently Updated</div>"
                     f"<ul class='post-content'>{side}</ul></div></div></div></body></html>", "https://blog.example/page/2/")
    assert [p.url.rsplit("/", 2)[-2] for p in got] == [f"post-{i}" for i in range(6)]


def test_an_unlinked_subtitle_heading_is_part_of_its_post() -> None:
    posts = "".join(f'<div class="post hentry"><h1 class="entry-title x"><a href="/2011/03/0{i}/essay-{i}/">Essay {i}: '
                    f'a long look at a question</a></h1><h1 class="subtitle x">— and what it leaves open, part {i}</h1>'
                    f'<div class="entry-content">{"Paragraph of the essay that goes on. " * 5}</div></div>' for i in range(3))
    got = parse_html(f"<html><body><div id='content'>{posts}</div></body></html>", "https://essays.example/category/all/")
    assert [p.title for p in got] == [f"Essay {i}: a long look at a question" for i in range(3)]
    assert all(p.text and "what it leaves open" in p.text for p in got)


def test_the_main_lists_posts_however_long_the_sidebar() -> None:
    posts = "".join(f'<article class="post"><h2><a href="/blog/p{i}/">Post number {i} of the blog</a></h2>'
                    f'<p>A short excerpt {i}.</p></article>' for i in range(4))
    widgets = "".join(f'<section class="widget"><h3>Related topic {i}</h3><ul>'
                      + "".join(f'<li><a href="/topic/{i}-{j}/">topic {i} {j}</a></li>' for j in range(6))
                      + f'</ul><p>{"A blurb about the topic. " * 8}</p></section>' for i in range(1500))
    got = parse_html(f"<html><body><main>{posts}</main><aside class='sidebar'>{widgets}</aside></body></html>",
                     "https://blog.example/blog/")
    assert [p.title for p in got] == [f"Post number {i} of the blog" for i in range(4)]


def test_an_archive_that_calls_itself_an_article_in_og_type_is_still_a_listing() -> None:
    posts = "".join(f'<article class="post"><h3><a href="/news/item-{i}/">News item {i} about public health</a></h3>'
                    f'<p>{"A sentence of the summary. " * 3}</p></article>' for i in range(3))
    from scraper.api import parse_page

    html = ('<html><head><meta property="og:type" content="article"><title>News | Archive</title></head>'
            f'<body class="archive category"><main>{posts}</main></body></html>')
    result = parse_page(html, "https://city.example/news/health/")
    assert result.kind == "listing" and [p.title for p in result.posts] == [
        f"News item {i} about public health" for i in range(3)]


def test_a_menu_hidden_by_a_css_framework_class_is_not_read() -> None:
    menu = "".join(f'<article><h2><a href="/news/top-{i}/">Top news item {i} of the whole site today</a></h2>'
                   f'<p>{"Summary of the top item. " * 4}</p></article>' for i in range(12))
    main = ('<article class="post"><h2><a href="/blockchain-needs-a-killer-use-case/">Blockchain needs a killer use '
            f'case</a></h2><p>{"Why authentication may be the one. " * 4}</p></article>')
    got = parse_html(f"<html><body class='archive author'><div class='header-menu hidden'>{menu}</div><main>{main}</main>"
                     "</body></html>", "https://news.example/author/tyler/")
    assert [p.title for p in got] == ["Blockchain needs a killer use case"]


def test_a_page_wrapper_hidden_until_its_scripts_run_is_still_read() -> None:
    posts = "".join(f'<article><h2><a href="/p{i}/">Post {i} of the blog here</a></h2><p>Body text of post {i}, a few '
                    f'words.</p></article>' for i in range(3))
    got = parse_html(f"<html><body><div id='page' class='hidden'><main>{posts}</main></div></body></html>",
                     "https://b.example/page/2/")
    assert len(got) == 3
