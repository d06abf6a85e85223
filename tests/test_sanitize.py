"""sanitize_html: what a post's HTML keeps and loses, and that the fast string passes
agree with the parsed-tree path they replaced."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.parse.sanitize import sanitize_html

BASE = "https://example.org/blog/post/"


def clean(body: str, base: str | None = BASE) -> str:
    """sanitize_html on the children of a <div>, as a run of flat siblings is passed
    (parsed without the page loader's cleaning, so scripts and styles are still there)."""
    tree = LexborHTMLParser(f"<html><body><div id=region>{body}</div></body></html>")
    region = tree.css_first("#region")
    assert region is not None
    return sanitize_html(list(region.iter(include_text=True)), base)


def test_event_handlers_style_and_classes_go() -> None:
    out = clean('<p onclick="steal()" style="color:red" class="lead" id="x">Hello <b onmouseover="x()">you</b></p>')
    assert out == "<p>Hello <b>you</b></p>"


def test_scripts_styles_forms_iframes_go_with_their_content() -> None:
    out = clean('<p>before</p><script>var s = "</form><p>not text</p>";</script><style>p { color: red }</style>'
                '<form action="/f"><p>inside the form</p><input name="q"><button>Go</button></form>'
                '<iframe src="https://ads.example/">fallback</iframe><p>after</p>')
    assert out == "<p>before</p><p>after</p>"


def test_nested_dropped_elements() -> None:
    out = clean("<nav><p>menu</p><nav><p>inner</p></nav><p>still menu</p></nav><p>text</p>"
                "<noscript><p>no js</p><noscript>deeper</noscript></noscript><p>end</p>")
    assert out == "<p>text</p><p>end</p>"


def test_tags_not_allowed_are_unwrapped_keeping_their_text() -> None:
    out = clean('<section class="post"><article><p>Some <font color="red">red</font> and '
                "<custom-tag>custom</custom-tag> text</p></article></section>")
    assert out == "<p>Some red and custom text</p>"


def test_unsafe_urls_go() -> None:
    out = clean('<p><a href="javascript:alert(1)">one</a> <a href=" JavaScript:void(0)">two</a> '
                '<img src="data:image/png;base64,AAAA" alt="d"> <a href="mailto:me@example.org">mail</a></p>')
    assert out == '<p><a>one</a> <a>two</a> <img alt="d"> <a>mail</a></p>'


def test_relative_links_are_made_absolute() -> None:
    out = clean('<p><a href="../other/">up</a> <a href="/root">root</a> <a href="//cdn.example.net/x">cdn</a> '
                '<img src="pic.png" alt="p"> <a href="#top">top</a></p>')
    assert out == ('<p><a href="https://example.org/blog/other/">up</a> <a href="https://example.org/root">root</a> '
                   '<a href="https://cdn.example.net/x">cdn</a> '
                   '<img src="https://example.org/blog/post/pic.png" alt="p"> <a href="#top">top</a></p>')


def test_lazy_images_get_their_real_source() -> None:
    out = clean('<p><img data-src="/full.jpg" alt="late" class="lazy"> '
                '<img src="" data-lazy-src="/other.jpg" width="10"> <img src="/real.jpg" data-src="/no.jpg"></p>')
    assert out == ('<p><img alt="late" src="https://example.org/full.jpg"> '
                   '<img src="https://example.org/other.jpg" width="10"> <img src="https://example.org/real.jpg"></p>')


def test_entities_in_attribute_values_round_trip() -> None:
    out = clean('<p><a href="/search?q=a&amp;page=2">rel</a> '
                '<a href="https://example.com/x?a=1&amp;b=2&amp;c=%22">abs</a> '
                '<a href="/s?q=a<b>c" title="x &gt; y &amp; z">odd</a></p>')
    assert out == ('<p><a href="https://example.org/search?q=a&amp;page=2">rel</a> '
                   '<a href="https://example.com/x?a=1&amp;b=2&amp;c=%22">abs</a> '
                   '<a href="https://example.org/s?q=a&lt;b&gt;c" title="x &gt; y &amp; z">odd</a></p>')


def test_quote_inside_an_attribute_value() -> None:
    out = clean("<p><a href='/q' title='say \"hi\"'>q</a> <img src='/i.png' alt='a \"b\"'></p>")
    assert out == ('<p><a href="https://example.org/q" title="say &quot;hi&quot;">q</a> '
                   '<img src="https://example.org/i.png" alt="a &quot;b&quot;"></p>')


def test_empty_elements_go_also_when_left_empty() -> None:
    out = clean('<p>text</p><p> </p><div><span class="icon"></span>&nbsp;</div>'
                '<div><div><a href="/x"><i class="fa"></i></a></div></div><p>end</p>')
    assert out == "<p>text</p><p>end</p>"


def test_empty_element_not_allowed_goes_with_its_handlers() -> None:
    # selectolax's unwrap() leaves an empty element in place: the old code kept these
    assert clean('<p>x</p><details ontoggle="alert(1)" open></details><fb:like href="/x"></fb:like>') == "<p>x</p>"


def test_comments_and_processing_instructions_go() -> None:
    out = clean("<p>a<!-- hidden <p>old</p> --> b</p><!-- <div class=\"x\"> <span> --><p>c<?php echo 1; ?></p>")
    assert out == "<p>a b</p><p>c</p>"


def test_less_than_in_text_stays_escaped() -> None:
    out = clean("<p>1 &lt; 2 &amp;&amp; 3 &gt; 2</p><pre><code>&lt;script&gt;x&lt;/script&gt;</code></pre>")
    assert out == "<p>1 &lt; 2 &amp;&amp; 3 &gt; 2</p><pre><code>&lt;script&gt;x&lt;/script&gt;</code></pre>"


def test_raw_text_element_is_unwrapped_as_escaped_text() -> None:
    assert clean("<p>x</p><xmp><b>bold</b> & more</xmp>") == "<p>x</p>&lt;b&gt;bold&lt;/b&gt; &amp; more"


def test_attribute_name_holding_a_less_than_sign() -> None:
    # '<img src="pic.png" </a>' gives the image attributes "<" and "a": the "<" must
    # not be read as the start of a tag
    out = clean('<p><a href="/p"><img src="pic.png" </a></a>more</p>')
    assert out == '<p><a href="https://example.org/p"><img src="https://example.org/blog/post/pic.png"></a>more</p>'


def test_table_row_post_loses_its_table_tags() -> None:
    tree = LexborHTMLParser('<table><tr id="post"><td class="c">Title</td><td><b>Body</b></td></tr></table>')
    row = tree.css_first("#post")
    assert row is not None
    assert sanitize_html([row], BASE) == "Title<b>Body</b>"


def test_a_table_inside_a_post_is_kept() -> None:
    out = clean('<table class="t"><tr><th scope="col" class="h">A</th></tr>'
                '<tr><td colspan="2" style="x">1</td></tr></table>')
    assert out == '<table><tbody><tr><th scope="col">A</th></tr><tr><td colspan="2">1</td></tr></tbody></table>'


def test_blank_lines_are_squeezed() -> None:
    assert clean("<p>a</p>\n\n\n\n<p>b</p>\n \n \n<p>c</p>") == "<p>a</p>\n\n<p>b</p>\n\n<p>c</p>"


def test_no_base_keeps_relative_links() -> None:
    assert clean('<a href=" /x ">x</a>', base=None) == '<a href="/x">x</a>'


def test_blank_region_gives_nothing() -> None:
    assert clean("  \n ") == ""
    assert clean("<script>x()</script><p> </p>") == ""


PARITY = [
    '<p onclick="x()" class="a">Hello <b>you</b> <a href="../x?a=1&amp;b=2" rel="tag">l</a></p>',
    '<p>a</p><script>var a = "</p>";</script><form><p>f</p></form><p>b</p>',
    "<nav><p>m</p><nav>n</nav></nav><section><p>kept <font>text</font></p></section>",
    '<img data-src="/l.png" alt="a &amp; b"><img src="" data-lazy-src="l2.png"><img src="/r.png" style="x">',
    '<p><a href="javascript:x()">j</a><a href="#t">t</a><a href="//cdn.example.net/c">c</a></p>',
    '<div><span class="i"></span></div><p>&nbsp;</p><div><div><p> </p></div></div><p>x</p>',
    "<p>a<!-- c <b>d</b> -->b</p><xmp><i>&</xmp>",
    '<table><tr><td colspan="2" class="c">1</td><th scope="row">2</th></tr></table>',
    "<p title='q\"t'>1 &lt; 2</p><p>\n\n\n</p>\n\n\n\n<p>y</p>",
]


@pytest.mark.parametrize("body", PARITY)
def test_string_passes_agree_with_the_tree_path(body: str) -> None:
    # an empty <math> sends the region through the parsed-tree path, and is itself unwrapped
    assert clean(body) == clean("<math></math>" + body)
