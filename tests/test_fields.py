"""Field readers on small synthetic listings: what goes into tags, what stays out
of the text. Each case is a shape seen on real themes; none names a site."""

from __future__ import annotations

from scraper.api import parse_html

_EXCERPT = "A few sentences of the excerpt, long enough to read as the post's own text. " * 3


def _listing(meta: str, n: int = 4, after: str = "") -> str:
    posts = "".join(f'<article class="card"><h2><a href="/blog/post-{i}/">The post number {i} here</a></h2>'
                    f'{meta}<p>{_EXCERPT}{i}</p>{after}</article>' for i in range(n))
    return f"<html><body><main>{posts}</main></body></html>"


def _posts(inner: str, url: str = "https://blog.example/page/2/", wrap: tuple[str, str] = ("<article>", "</article>")
           ) -> list:
    """Three posts made from one template ("{i}" is the post's number), parsed."""
    posts = "".join(wrap[0] + inner.format(i=i) + wrap[1] for i in range(3))
    return parse_html(f"<html><body><main>{posts}</main></body></html>", url)


def test_tag_links_on_a_line_of_their_own_are_tags_and_not_text() -> None:
    meta = ('<div class="flex gap-2"><a href="/blog/tags/tools" class="px-2">tools</a> '
            '<a href="/blog/tags/javascript" class="px-2">#javascript</a></div>')
    posts = parse_html(_listing("", after=meta), "https://blog.example/blog/2/")
    assert [p.tags for p in posts] == [["tools", "javascript"]] * 4
    assert all(p.text and p.text.endswith(f"here. {i}".split()[-1]) for i, p in enumerate(posts))
    assert not any("javascript" in (p.text or "") for p in posts)


def test_a_category_badge_above_the_excerpt_is_a_tag() -> None:
    posts = parse_html(_listing('<small><a href="/category/css/" class="badge">CSS</a></small>'),
                       "https://blog.example/blog/2/")
    assert all(p.tags == ["CSS"] and p.text and p.text.startswith("A few sentences") for p in posts)


def test_the_rest_of_a_meta_line_with_rel_tag_links_leaves_the_text() -> None:
    meta = ('<div class="metabar"><em><span class="author vcard">Ann Writer</span> &middot; <time datetime='
            '"2015-03-03">March 3, 2015</time> &middot; <span>in</span>&nbsp;<a href="/c/tech/" rel="category tag">'
            'Technology</a>, <a href="/c/best/" rel="category tag">Best Of</a></em></div>')
    posts = parse_html(_listing(meta), "https://blog.example/blog/2/")
    assert posts[0].tags == ["Technology", "Best Of"]
    assert all(p.text and p.text.startswith("A few sentences") for p in posts), posts[0].text


def test_a_read_more_link_with_rel_tag_is_not_a_tag() -> None:
    more = ('<ul class="links inline"><li class="node-readmore"><a href="/blog/post-0/" rel="tag">Read more'
            '<span class="visually-hidden"> about The post</span></a></li></ul>')
    tags = '<div class="field-tags"><a href="/topics/health" rel="tag">Health</a></div>'
    posts = parse_html(_listing(tags, after=more), "https://blog.example/news/")
    assert all(p.tags == ["Health"] for p in posts)


def test_a_tag_name_is_taken_out_of_a_line_only_as_a_word_of_its_own() -> None:
    from scraper.parse.meta import tag_line

    assert tag_line("· in Technology, Best Of", ["Technology", "Best Of"])
    assert tag_line("Tags: C, CUDA", ["C", "CUDA"])
    assert tag_line("分类于 Https", ["Https"])
    assert not tag_line("CMU 15-618 Notes", ["C", "Lecture Notes"])  # "C" is not a word of it
    assert not tag_line("吐槽不喜勿入", ["吐槽"])
    assert not tag_line("crypto 只有解出 100 分而已", ["crypto"])  # a sentence that starts with a tag's name
    assert not tag_line("Nothing about tags here", ["News"])


def test_a_short_last_link_to_the_post_is_a_read_more_link() -> None:
    ends = ['<a class="read-more" href="/blog/post-{i}/">&raquo;</a>', '<a href="/blog/post-{i}/"><span>Read Post</span></a>',
            '<a class="btn" href="/blog/post-{i}/">続きを表示</a>']
    for end in ends:
        posts = "".join(f'<article class="card"><h2><a href="/blog/post-{i}/">The post number {i} here</a></h2>'
                        f'<p>{_EXCERPT}{i} {end.format(i=i)}</p></article>' for i in range(4))
        got = parse_html(f"<html><body><main>{posts}</main></body></html>", "https://blog.example/blog/2/")
        assert [p.text for p in got] == [f"{_EXCERPT}{i}".strip() for i in range(4)], end
        assert not any(p.full_text for p in got), end


def test_an_excerpt_that_links_to_its_post_is_kept() -> None:
    """Themes link the excerpt itself; that link has the post's meta after it, and
    a sentence that ends "and more …" is text, not a "more …" link."""
    for excerpt in ("CMU Notes", "Configurable file caches, inline shortcodes, and more …"):
        posts = "".join(f'<article class="card"><h2><a href="/blog/post-{i}/">The post number {i} here</a></h2>'
                        f'<a class="index-excerpt" href="/blog/post-{i}/">{excerpt}</a>'
                        f'<div class="post-meta"><time datetime="2024-01-0{i + 1}">2024-01-0{i + 1}</time></div>'
                        f'</article>' for i in range(4))
        got = parse_html(f"<html><body><main>{posts}</main></body></html>", "https://blog.example/blog/2/")
        assert [p.text for p in got] == [excerpt] * 4


def test_a_date_inside_the_title_link_is_not_part_of_the_title() -> None:
    posts = "".join(f'<article><h2><a href="/algo/p-{i}/"><span itemprop="headline">Problem 3002{i}</span>'
                    f'<small class="post-date">September 2{i}, 2023</small></a></h2><p>{_EXCERPT}</p></article>'
                    for i in range(4))
    got = parse_html(f"<html><body><main>{posts}</main></body></html>", "https://algo.example/categories/algo/")
    assert [(p.title, p.date) for p in got] == [(f"Problem 3002{i}", f"2023-09-2{i}") for i in range(4)]


def test_screen_reader_text_after_a_short_title_is_not_shown() -> None:
    titles = ["Dal cemento al Bit", "A much longer title that needs no help at all"]
    posts = "".join(f'<article><h2 class="entry-title"><a href="/p-{i}/">{t}</a><span class="screen-reader-text">'
                    f' (17 October, 2013)</span></h2><p>{_EXCERPT}</p></article>' for i, t in enumerate(titles * 2))
    got = parse_html(f"<html><body><main>{posts}</main></body></html>", "https://pirates.example/page/2/")
    assert [p.title for p in got] == titles * 2


def _bylined(meta: str) -> list:
    return _posts('<h2><a href="/blog/post-{i}/">The post number {i} here</a></h2><div class="byline-row">'
                  + meta + f"</div><p>{_EXCERPT}</p>", wrap=('<article class="post">', "</article>"))


def test_authors_named_by_their_page_their_class_or_a_slash_line() -> None:
    cases = {
        '<span class="post-card-author"><a href="/author/antony/">Antony</a></span>': "Antony",
        '<a href="/authors/jane-roe/">Jane Roe</a> | <time datetime="2020-01-01">Jan 1</time>': "Jane Roe",
        '<span class="td-post-author-name"><a href="/">Brett Dickerson</a> <span>-</span></span>': "Brett Dickerson",
        ('<span class="author">Posted by </span><a href="/u/will/" rel="author">will</a> <span>/</span> '
         '<span class="date-post">September 27, 2010</span> / Posted in Linux'): "will",
    }
    for meta, name in cases.items():
        assert [p.author for p in _bylined(meta)] == [name] * 3, meta


def test_submitted_on_a_date_names_no_author() -> None:
    posts = _bylined('<div class="author">Submitted on <span>Sat, 11/29/2014 - 7:00 am</span></div>')
    assert [p.author for p in posts] == [None] * 3


def _dated(meta: str, body: str = "") -> list:
    return _posts('<h3 class="post-title"><a href="/2009/03/p-{i}.html">The post number {i} here</a></h3>'
                  f'<div class="post-footer">{meta}</div><div class="post-body"><p>{_EXCERPT}</p>{body}</div>',
                  url="https://blog.example/2009/03/", wrap=('<div class="post hentry">', "</div>"))


def test_a_blogger_time_gives_its_title_attribute() -> None:
    posts = _dated('at <abbr class="published" title="2009-03-25T20:59:00-07:00">8:59 PM</abbr>')
    assert [p.date for p in posts] == ["2009-03-25T20:59:00-07:00"] * 3


def test_a_date_in_an_address_in_the_text_is_not_the_post_date() -> None:
    body = '<p>Source of the story: <a href="http://news.example/2013/05/13/30026/">http://news.example/2013/05/13/30026/</a></p>'
    posts = _dated("", body)
    assert [p.date for p in posts] == [None] * 3
    assert all("news.example" in (p.text or "") for p in posts)


def test_rubrics_reading_times_bylines_and_emptied_brackets_leave_the_text() -> None:
    body = "Supporting emoji in the terminal takes a font and a setting"
    shapes = [
        ('<span class="f6 db">Posts</span><h1><a href="/p-{i}/">Post {i} about things</a></h1><p>{body}.</p>', body + "."),
        ('<h2><a href="/p-{i}/">Post {i} about things</a></h2><div><time datetime="2026-03-15">March 15, 2026</time>'
         ' <span>•</span> <span>4 min read</span></div><p>{body}.</p>', body + "."),
        ('<h2><a href="/p-{i}/">Post {i} about things</a></h2><label>by: Chris, </label><p>{body}.</p>', body + "."),
        ('<h2><a href="/p-{i}/">Post {i} about things</a></h2><p>{body}. (<a href="/p-{i}/#disqus_thread">'
         'Comments</a>)</p>', body + "."),
        ('<h2><a href="/p-{i}/">Post {i} about things</a></h2><p>{body}: call f() then g().</p>',
         body + ": call f() then g()."),
    ]
    for shape, text in shapes:
        posts = "".join("<article>" + shape.format(i=i, body=body) + "</article>" for i in range(3))
        got = parse_html(f"<html><body><main>{posts}</main></body></html>", "https://blog.example/page/2/")
        assert [p.text for p in got] == [text] * 3, shape


def test_a_card_that_is_one_link_gives_title_text_and_meta_apart() -> None:
    cards = "".join(
        f'<article class="news row"><a href="/features/story-{i}.html"><figure><img src="/i{i}.jpg" alt=""></figure>'
        f'<section class="teaser"><header class="tp_title">Story number {i}?</header><p>The number of cases rises '
        f'again, and the wards fill up {i}</p><ul class="icons"><li class="has-author">Thomas Schuster</li>'
        f'<li class="comments">{i + 3} comments</li></ul></section></a></article>' for i in range(4))
    got = parse_html(f"<html><body><main>{cards}</main></body></html>", "https://tp.example/")
    assert [(p.title, p.author, p.comments) for p in got] == [
        (f"Story number {i}?", "Thomas Schuster", i + 3) for i in range(4)]
    assert [p.text for p in got] == [f"The number of cases rises again, and the wards fill up {i}" for i in range(4)]


def test_a_ratings_widget_is_not_text() -> None:
    ratings = ('<div class="post-ratings"><img src="/star.gif" alt=""> (<strong>51</strong> votes, average: '
               '<strong>4.20</strong> out of 5)</div><div class="post-ratings-loading">Loading...</div>')
    posts = parse_html(_listing("", after=ratings), "https://blog.example/blog/2/")
    assert all(p.text and "votes" not in p.text and "Loading" not in p.text for p in posts)


def test_dates_come_from_the_meta_line_not_the_title_or_a_sentence() -> None:
    got = _posts('<h3><a href="/p{i}/">Bugzilla 3.4.13 and 4.0.3 in Polish</a></h3><p class="postinfo"><strong>'
                 '9.01.2012, 21:02</strong>; categories: news</p><p>{i} The translation is out.</p>')
    assert [p.date for p in got] == ["2012-01-09T21:02"] * 3
    got = _posts('<h3><a href="/p{i}/">Cyber censorship</a></h3><p class="excerpt">The day against cyber censorship, '
                 'held on 12 March, was set up in 2008 by a group of people who care about it {i}...</p>')
    assert [p.date for p in got] == [None] * 3
    assert all(p.text and p.text.startswith("The day against") for p in got)


def test_an_ambiguous_shown_date_follows_its_machine_date() -> None:
    got = _posts('<h2><a href="/p{i}/">A post about yoga classes</a></h2><time class="entry-date" '
                 'datetime="2014-12-08T19:42:49+00:00">08/12/2014</time><p>{i} Classes start soon for everyone.</p>')
    assert [p.date for p in got] == ["2014-12-08T19:42:49+00:00"] * 3


def test_a_visible_date_marked_aria_hidden_is_read() -> None:
    got = _posts('<div class="entry-meta"><span class="entry-date" aria-hidden="true"><a href="/p{i}/">22 October, '
                 '2013</a></span></div><h2 class="entry-title"><a href="/p{i}/">Pirates triple their vote</a></h2>'
                 '<div class="entry-summary"><p>{i} The party did well in the elections this year.</p></div>')
    assert [p.date for p in got] == ["2013-10-22"] * 3


def test_a_title_that_is_a_date_dates_its_post() -> None:
    got = _posts('<h2><a href="/p{i}/">Saturday, June 2{i}, 2024</a></h2><p>Market day with {i} stalls and music.</p>')
    assert [p.date for p in got] == [f"2024-06-2{i}" for i in range(3)]


def test_an_excerpt_container_marks_the_text_as_an_excerpt_and_hidden_text_goes() -> None:
    got = _posts('<h2><a href="/p{i}/">Post {i} about groupBy</a></h2><dl><dt class="sr-only">Published on</dt>'
                 '<dd><time datetime="2022-05-25">May 25, 2022</time></dd></dl><p class="archive__item-excerpt">'
                 'Cre\u00adate a bet\u00adter group\u00adBy function {i}.</p>')
    assert [p.text for p in got] == [f"Create a better groupBy function {i}." for i in range(3)]
    assert not any(p.full_text for p in got)


def test_counters_reading_times_and_more_links_in_other_words_leave_the_text() -> None:
    lines = ['<dd class="hits">Hits: 65</dd>', '<span>1 minuto per leggerlo</span>', '<span>56 secondi per leggerlo</span>',
             '<a class="read-more" href="/p{i}/">Dowiedz się więcej</a>',
             '<a class="readmore-btn" href="/x{i}/">Read more ... Wine Folly Names Top Wine Destinations for 2022 and more</a>']
    for line in lines:
        got = _posts('<h2><a href="/p{i}/">Post {i} about wine</a></h2><p>The text of post {i}.</p><div>' + line + "</div>")
        assert [p.text for p in got] == [f"The text of post {i}." for i in range(3)], line


def test_comment_bubbles_and_bylines_that_need_care() -> None:
    got = _posts('<h2><a href="/p{i}/">Post {i} about herbs</a></h2><span class="meta-comment">{i}</span><p>Text.</p>')
    assert [p.comments for p in got] == [0, 1, 2]
    got = _posts('<h2><a href="/p{i}/">Post {i} about China</a></h2><div class="author_date"><a class="date" href="/d/">'
                 '<time><span>February 9, 2022 9:30 am</span></time></a></div><p>Text.</p>')
    assert [p.author for p in got] == [None] * 3  # a date is no name
    got = _posts('<h2><a href="/p{i}/">Post {i} on the news</a></h2><span class="submitted">Submitted by <span '
                 'class="username">Janet</span> on Thu, 12/12/2013 - 23:50</span><p>Text.</p>')
    assert [p.author for p in got] == ["Janet"] * 3
    got = _posts('<h2><a href="/p{i}/">Post {i} on the news</a></h2><span>By <a href="/author/atlascontact/">atlascontact'
                 '</a></span> <span class="meta-category"><a href="/c/news/">Nieuws</a></span><p>Text.</p>')
    assert [p.author for p in got] == ["atlascontact"] * 3


def test_tags_from_nested_category_and_taxonomy_addresses() -> None:
    got = _posts('<span class="cat-title"><a href="/category/visual/design/">Design</a></span><h2><a href="/p{i}/">'
                 'Post {i} about design</a></h2><p>Text of it.</p>')
    assert [(p.tags, p.text) for p in got] == [(["Design"], "Text of it.")] * 3
    got = _posts('<h2><a href="/p{i}/">Post {i} about rights</a></h2><p>Text of it.</p><div class="field"><strong>Tags: '
                 '</strong><span><a href="/taxonomy/term/3084">copyright</a>, <a href="/taxonomy/term/12">CC0</a></span></div>')
    assert [(p.tags, p.text) for p in got] == [(["copyright", "CC0"], "Text of it.")] * 3
    sentence = ('<p><strong><a href="https://medium.example/tag/scriptorivm/latest">On Medium you are giving us lovely '
                'gifts</a>.</strong> We read them all.</p>')
    posts = "".join(f'<article><h2><a href="/p{i}/">Post {i} about the site</a></h2><p>Text of {i}.</p>'
                    f'{sentence if i == 1 else ""}</article>' for i in range(3))
    got = parse_html(f"<html><body><main>{posts}</main></body></html>", "https://blog.example/page/2/")
    assert got[1].tags == [] and "lovely gifts" in (got[1].text or "")  # a sentence is not a tag


def test_no_comments_with_an_arrow_and_a_handle_after_by() -> None:
    got = _posts('<h2><a href="/p{i}/">Post {i} about the garden</a></h2><p class="meta">May 7, 2015 by henrik</p>'
                 '<p>The text of post {i}.</p><a class="comments" href="/p{i}/#respond">No Comments »</a>')
    assert [(p.author, p.comments, p.date) for p in got] == [("henrik", 0, "2015-05-07")] * 3
    assert [p.text for p in got] == [f"The text of post {i}." for i in range(3)]


def test_an_excerpt_inside_the_post_header_is_kept() -> None:
    got = _posts('<header class="entry-header"><div class="entry-meta"><span class="author">admin</span></div>'
                 '<h3 class="entry-title"><a href="/p{i}/">Companies hiring apprentices {i}</a></h3>'
                 '<p class="spnc-description">More and more companies see the value of apprentices {i}…</p></header>')
    assert [p.text for p in got] == [f"More and more companies see the value of apprentices {i}…" for i in range(3)]


def test_a_no_comments_link_ending_the_post_is_not_a_read_more_link() -> None:
    got = _posts('<h2><a href="/p{i}/">Post {i} about racing</a></h2><p>The whole post {i}, short as it is.</p>'
                 '<p><a href="/p{i}/">Sin comentarios »</a></p>')
    assert [(p.comments, p.full_text) for p in got] == [(0, True)] * 3


def test_the_one_name_left_in_a_meta_line_of_known_fields_is_the_author() -> None:
    got = _posts('<h2><a href="/p{i}/">Post {i} on models</a></h2><p>Text {i}.</p><footer class="entry-footer">'
                 "<span title='2024-12-01 00:00:00 +0000 UTC'>2024-12-01</span>&nbsp;·&nbsp;2 min&nbsp;·&nbsp;751 字"
                 "&nbsp;·&nbsp;Niuhe</footer>")
    assert [p.author for p in got] == ["Niuhe"] * 3
    got = _posts('<h2><a href="/p{i}/">Post {i} on ray tracing</a></h2><div class="post__meta"><span>Dec 27, 2020</span>'
                 '<span> • 9 minute read </span> • <span><a href="/categories/graphics/">Graphics</a></span></div>'
                 '<p>Text {i}.</p>')
    assert [p.author for p in got] == [None] * 3  # a category, not a name


def test_a_long_classic_meta_line_still_gives_the_date() -> None:
    got = _posts('<h2><a href="/p{i}/">Post {i} of the old theme</a></h2><p>Body text of the post {i}.</p>'
                 '<p>This entry was posted in Uncategorized on March 3, 2015 by admin and has no comments yet.</p>')
    assert [p.date for p in got] == ["2015-03-03"] * 3
