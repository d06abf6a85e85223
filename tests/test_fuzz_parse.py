"""The parser never crashes and never hangs.

Whatever goes in (random tag soup, mangled real pages, absurd nesting, huge or binary
documents), ``parse_page`` returns a PageResult (maybe with no posts) or raises
ParseError with a message. Nothing else. Every record it does return keeps the record
contract (``records.validate``) and survives a JSON round trip.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from msgspec.structs import replace as struct_replace
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.api import parse_page
from scraper.errors import ParseError
from scraper.parse.page import PageResult
from scraper.records import from_json, to_json, validate

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "seed"
MARKUPS = ["wrapped", "flat", "excerpt"]
LISTING_URL = "https://lgc.example.com/tag/civil-society/"
TITLES = [
    "Local government and social sector must be friends not foes",
    "Local Government must ensure they retain a place stewardship role",
    "Localism needs to deliver on community cohesion",
    "Goodbye, but should we be saying hello to Local Strategic Partnerships?",
    "Cooperatives cannot be the bargain basement for local services",
    "Big society needs to strengthen the way we already live - not undermine it",
    "Cuts could jeopardise the big society",
]
GUARD_SECONDS = 60
# Product bug, pinned by a strict xfail below: an article page whose <title> element is
# empty gets title "" instead of null. check() tolerates exactly that case so that the
# fuzzers keep looking for other bugs.
KNOWN_EMPTY_ARTICLE_TITLE = False
# Product bug, pinned by a strict xfail below: a canonical link, og:url or <base href>
# such as "http://[::1" makes parse_page raise ValueError("Invalid IPv6 URL").
KNOWN_IPV6_CRASH = False
# Product bug, pinned by a strict xfail below: a link labelled with a superscript or
# circled digit ('²', '①') makes parse_page raise ValueError from int().
KNOWN_UNICODE_DIGIT_CRASH = False
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def seed_bytes(name: str) -> bytes:
    return (SEED / f"{name}.html").read_bytes()


def check(data: str | bytes, url: str | None = None) -> PageResult | None:
    """Parse, and hold the result to the contract. None when it raised ParseError."""
    try:
        result = parse_page(data, url)
    except ParseError as exc:
        assert str(exc).strip(), "ParseError without a message"
        return None
    except ValueError as exc:
        if KNOWN_IPV6_CRASH and str(exc) == "Invalid IPv6 URL":
            return None  # pinned by test_malformed_url_in_head_does_not_crash (strict xfail)
        if KNOWN_UNICODE_DIGIT_CRASH and str(exc).startswith("invalid literal for int() with base 10"):
            return None  # pinned by test_unicode_digit_labels_do_not_crash (strict xfail)
        raise
    assert isinstance(result, PageResult)
    assert result.kind in ("listing", "article", "other")
    if result.kind == "other":
        assert result.posts == []
        assert result.reason, "a page with no posts must say why"
    if result.kind == "article":
        assert len(result.posts) == 1
    ids = [p.id for p in result.posts]
    assert len(set(ids)) == len(ids), "duplicate ids on one page"
    for post in result.posts:
        if KNOWN_EMPTY_ARTICLE_TITLE and result.kind == "article" and post.title == "":
            # pinned by test_article_page_with_empty_title_element (strict xfail); remove
            # this tolerance together with that xfail once the product is fixed
            post = struct_replace(post, title=None)
        validate(post)  # no "", sha256 of text, no negative counts, no empty tags
        assert re.fullmatch(r"[0-9a-f]{20}", post.id)
        assert from_json(to_json(post)) == post
    assert result.next_url is None or isinstance(result.next_url, str) and result.next_url
    assert all(isinstance(f, str) and f for f in result.feeds)
    return result


def guarded(fn, seconds: float = GUARD_SECONDS):
    """Run ``fn`` in a thread; fail the test if it has not returned after ``seconds``."""
    box: dict = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            box["error"] = exc

    t0 = time.monotonic()
    thread = threading.Thread(target=target, name="parse-guard", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"parse did not finish within {seconds}s")
    if "error" in box:
        raise box["error"]
    return box["value"], time.monotonic() - t0


# --- hypothesis: HTML-ish strings ----------------------------------------------------------

TAGS = ["html", "head", "body", "title", "meta", "link", "base", "div", "p", "a", "span", "article", "section",
        "main", "header", "footer", "nav", "aside", "h1", "h2", "h3", "h6", "ul", "ol", "li", "dl", "dt", "dd",
        "table", "tbody", "tr", "td", "th", "time", "br", "hr", "img", "b", "i", "em", "strong", "font", "center",
        "script", "style", "template", "noscript", "iframe", "svg", "math", "form", "input", "select", "option",
        "textarea", "button", "xmp", "plaintext", "frameset", "frame", "marquee", "blockquote", "pre", "code",
        "x-widget", "DIV", "Article", "a:b"]
ATTR_NAMES = ["class", "id", "href", "src", "rel", "datetime", "property", "name", "content", "itemprop",
              "itemtype", "itemscope", "style", "onclick", "onerror", "data-src", "title", "lang", "charset",
              "http-equiv", "type", "role", "aria-label", "xmlns", "x"]
CLASS_WORDS = ["post", "entry", "hentry", "article", "item", "card", "title", "entry-title", "post-title",
               "date", "published", "byline", "author", "vcard", "fn", "comments", "comments-link", "tags",
               "sidebar", "widget", "nav", "menu", "footer", "cookie", "newsletter", "pagination", "next",
               "older", "read-more", "summary", "excerpt", "content", "entry-content", ""]
URLS = ["https://example.org/2024/01/a-post/", "/2024/02/b/", "../c/", "?p=12", "#top", "//cdn.example.org/x",
        "javascript:alert(1)", "mailto:a@example.org", "http://[::1", "http://exa mple.org/", "https://",
        "https://xn--nxasmq6b.example/", "https://例え.jp/記事/", "data:text/html,hi", "", " ", "\x00",
        "https://example.org/page/2/", "https://example.org/feed/", "http://127.0.0.1:99999/", "%zz"]
DATES = ["2011-04-11", "2011-04-11T10:30:00+01:00", "11 April, 2011", "April 11, 2011", "31 February 2011",
         "0000-00-00", "9999-99-99", "2011-13-45T25:61:99Z", "1 Jan 10000", "yesterday", "3 hours ago",
         "12/13/2011", "13/12/2011", "Mon Oct 01 2022 01:00:00 GMT+0100 (GMT+01:00)", "le 3 mars 2019",
         "2019年3月3日", "-1", "1e400", "Posted on", ""]
ENTITIES = ["&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;", "&hellip;", "&mdash;", "&#0;", "&#x0;", "&#xD800;",
            "&#1114112;", "&#99999999999;", "&#x1F600;", "&bogus;", "&", "&#", "&#x;", "&amp", "&ampamp;"]

text_st = st.text(max_size=40)
word_st = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=20)


@st.composite
def attrs_st(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(ATTR_NAMES) | st.text(alphabet="abcxyz-:_", min_size=1, max_size=6))
        value = draw(st.sampled_from(URLS) | st.sampled_from(CLASS_WORDS) | st.sampled_from(DATES) | text_st)
        quote = draw(st.sampled_from(['"', "'", "", '"']))
        if quote and quote in value:
            value = value.replace(quote, "")
        parts.append(f" {name}" if draw(st.booleans()) and not value else f" {name}={quote}{value}{quote}")
    return "".join(parts)


@st.composite
def token_st(draw) -> str:
    kind = draw(st.integers(0, 11))
    tag = draw(st.sampled_from(TAGS))
    if kind in (0, 1, 2):
        return f"<{tag}{draw(attrs_st())}{draw(st.sampled_from(['', '', ' /']))}>"
    if kind in (3, 4):
        return f"</{tag}>"
    if kind in (5, 6):
        return draw(text_st)
    if kind == 7:
        return draw(st.sampled_from(ENTITIES)) if draw(st.booleans()) else f"&#{draw(st.integers(0, 0x11FFFF))};"
    if kind == 8:
        return draw(st.sampled_from(["<!-- c -->", "<!--", "-->", "<!DOCTYPE html>", "<![CDATA[x]]>",
                                     "<?xml version='1.0'?>", "<", "</", "<!", "<>", "</>", "< div>", "<a<b>",
                                     "<p =x>", "<!--->", "<!--!>", "\x00", "\ufeff", "\r\n", "\u2028"]))
    if kind == 9:
        return f"<{tag}{draw(attrs_st())}>{draw(text_st)}</{tag}>"
    if kind == 10:
        return f'<time datetime="{draw(st.sampled_from(DATES))}">{draw(st.sampled_from(DATES))}</time>'
    return f'<a href="{draw(st.sampled_from(URLS))}">{draw(text_st)}</a>'


html_soup = st.lists(token_st(), max_size=60).map("".join)


@st.composite
def listing_st(draw) -> str:
    """Listing-shaped pages: n similar blocks with title links, dates, counts, bodies of
    soup, inside page chrome. Reaches the splitter and the field extractors."""
    n = draw(st.integers(2, 9))
    block = draw(st.sampled_from(["article", "div", "li", "section", "tr", "dt"]))
    title = draw(st.sampled_from(["h2", "h3", "div", "td", "a"]))
    cls = draw(st.sampled_from(CLASS_WORDS))
    blocks = []
    for i in range(n):
        href = draw(st.sampled_from(URLS)) if draw(st.integers(0, 3)) == 0 else f"/2024/{i:02d}/{draw(word_st)}/"
        t = draw(word_st)
        date = draw(st.sampled_from(DATES))
        count = draw(st.one_of(st.none(), st.integers(-5, 10**30)))
        body = draw(html_soup)
        head = f'<a href="{href}">{t}</a>' if title == "a" else f'<{title} class="title"><a href="{href}">{t}</a></{title}>'
        meta = f'<span class="date">{date}</span> <span class="byline">by {draw(word_st)}</span>'
        talk = f'<a class="comments-link" href="{href}#comments">Comments ({count})</a>' if count is not None else ""
        blocks.append(f'<{block} class="{cls}">{head}{meta}<div class="entry">{body}</div>{talk}</{block}>')
    nxt = draw(st.sampled_from(['<a rel="next" href="/page/2/">Older posts</a>', '<a href="?page=2">Next</a>', ""]))
    wrap = "table" if block == "tr" else "dl" if block == "dt" else "ul" if block == "li" else "main"
    return (f"<!DOCTYPE html><html><head><title>{draw(text_st)}</title>"
            f'<link rel="canonical" href="{draw(st.sampled_from(URLS))}"></head><body>'
            f'<nav class="menu"><a href="/">Home</a> <a href="/about/">About</a></nav>'
            f"<{wrap}>{''.join(blocks)}</{wrap}>{nxt}"
            f'<aside class="sidebar">{draw(html_soup)}</aside><footer>© 2024</footer></body></html>')


url_st = st.one_of(st.none(), st.sampled_from(URLS + [LISTING_URL]))


@FUZZ
@given(doc=html_soup, url=url_st)
def test_fuzz_tag_soup_text(doc, url):
    check(doc, url)


@FUZZ
@given(doc=html_soup, encoding=st.sampled_from(["utf-8", "utf-16", "cp1252", "shift_jis", "koi8-r"]))
def test_fuzz_tag_soup_bytes(doc, encoding):
    check(doc.encode(encoding, "replace"))


@FUZZ
@given(doc=listing_st(), url=url_st)
def test_fuzz_listing_shaped(doc, url):
    check(doc, url)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_fuzz_bytes(data):
    check(data)


EMPTY_TITLE_BUG = ("product bug: parse/page.py builds an article's title as `art.title or ... or doc.title`, "
                   "and dom.load sets doc.title to norm(<title> text), i.e. '' for <title></title>; so an "
                   "article page with an empty <title> gets title '' instead of null (records.validate "
                   "rejects it; `scraper parse` prints it)")


@pytest.mark.parametrize("title", ["<title></title>", "<title>  \n </title>"])
def test_article_page_with_empty_title_element(title):
    body = "<p>" + "This is a long sentence of article text that goes on. " * 20 + "</p>"
    result = parse_page(f"<html><head>{title}</head><body>{body}</body></html>", "https://example.org/a/")
    assert result.kind == "article"
    assert result.posts[0].title is None
    validate(result.posts[0])


IPV6_BUG = ("product bug: urls.is_http_url calls urllib.parse.urlsplit without catching ValueError, and "
            "dom.Document.page_url / base_url call it on the page's canonical link, og:url and <base href>: "
            "a page whose head holds 'http://[::1' makes parse_page raise ValueError('Invalid IPv6 URL') "
            "(a traceback from `scraper parse` / `scraper inspect` without --url)")


@pytest.mark.parametrize("head", [
    '<link rel="canonical" href="http://[::1">',
    '<meta property="og:url" content="https://[oops/">',
    '<base href="http://[::1/">',
])
def test_malformed_url_in_head_does_not_crash(head):
    text = seed_bytes("wrapped").decode("utf-8")
    text = re.sub(r'<link rel="canonical"[^>]*>|<meta property="og:url"[^>]*>', "", text)
    page = text.replace("<head>", "<head>" + head, 1)
    result = parse_page(page, None)
    assert [p.title for p in result.posts] == TITLES


DIGIT_BUG = ("product bug: str.isdigit() is True for superscript and circled digits ('²', '①') that int() "
             "rejects; parse/nextpage.py (_number_score: `if not label.isdigit(): ...; n = int(label)`, and "
             "_current_page) then raises ValueError('invalid literal for int()') out of parse_page; "
             "fields._comments_of has the same `text.isdigit()` -> int(text) pattern (isdecimal() is the safe test)")
_BODY = "<p>" + "Some body text that is long enough to count as a post body. " * 3 + "</p>"


@pytest.mark.parametrize("doc", [
    '<html><body><p>Hello world.</p><a href="/page/2/">²</a></body></html>',
    '<html><body><div class="pagination"><span class="current">①</span> <a href="/page/2/">2</a></div></body></html>',
    "<html><body><main>" + "".join(
        f'<article class="post"><h2><a href="/2024/0{i}/p{i}/">Post number {i} title</a></h2>'
        f'<time datetime="2024-0{i}-01">1 Jan</time>{_BODY}'
        f'<a class="comments-link" href="/2024/0{i}/p{i}/#comments">{c}</a></article>'
        for i, c in [(1, "²"), (2, "3"), (3, "5")]) + "</main></body></html>",
], ids=["pager-link", "current-page", "comment-count"])
def test_unicode_digit_labels_do_not_crash(doc):
    result = parse_page(doc, "https://example.org/")
    assert isinstance(result, PageResult)


# --- mangled real pages --------------------------------------------------------------------


@pytest.mark.parametrize("name", MARKUPS)
def test_truncated_seed_pages(name):
    data = seed_bytes(name)
    rng = random.Random(f"truncate-{name}")
    for cut in sorted(rng.sample(range(1, len(data)), 20)):
        check(data[:cut], LISTING_URL)


@pytest.mark.parametrize("name", MARKUPS)
def test_truncated_after_the_last_post(name):
    """Cut right after the last post's comment link: the rest of the page is gone,
    the posts are all there."""
    data = seed_bytes(name)
    end = data.index(b"Comments (4)</a>") + len(b"Comments (4)</a>")
    result = check(data[:end], LISTING_URL)
    assert result is not None and [p.title for p in result.posts] == TITLES
    assert [p.comments for p in result.posts] == [None, None, 3, None, None, None, 4]


@pytest.mark.parametrize("name", MARKUPS)
def test_random_bytes_inserted(name):
    data = seed_bytes(name)
    rng = random.Random(f"insert-{name}")
    for _ in range(5):
        buf = bytearray(data)
        for _ in range(20):
            pos = rng.randrange(len(buf))
            buf[pos:pos] = rng.randbytes(rng.randint(1, 50))
        check(bytes(buf), LISTING_URL)


@pytest.mark.parametrize("name", MARKUPS)
def test_random_markup_inserted(name):
    """Stray tags, quotes and comment openers dropped into the page."""
    text = seed_bytes(name).decode("utf-8")
    junk = ["<div>", "</div>", "</p>", "<p>", "<!--", "-->", '"', "'", "<", ">", "</article>", "<article>",
            "<table>", "</body>", "<script>", "</html>", "<h2>", "&", "<a href='/x/'>"]
    rng = random.Random(f"markup-{name}")
    for _ in range(5):
        s = text
        for _ in range(15):
            pos = rng.randrange(len(s))
            s = s[:pos] + rng.choice(junk) + s[pos:]
        check(s, LISTING_URL)


POST_SPAN = {  # where the run of posts starts and ends in each seed page
    "wrapped": ('<div class="post-list">', '<div id="sidebar">'),
    "excerpt": ('<article id="post-4711"', "</main>"),
    "flat": ('<div id="leftcol">', '<div id="rightcol">'),
}


def _wrap_posts_in_divs(name: str, depth: int, close: bool) -> str:
    text = seed_bytes(name).decode("utf-8")
    a, b = POST_SPAN[name]
    start, end = text.index(a), text.index(b)
    inner = text[start:end]
    assert all(t in inner for t in TITLES[:1] + TITLES[-1:])
    return text[:start] + "<div>" * depth + inner + ("</div>" * depth if close else "") + text[end:]


@pytest.mark.parametrize("close", [True, False], ids=["closed", "unclosed"])
@pytest.mark.parametrize("name", MARKUPS)
def test_posts_nested_10000_divs_deep(name, close):
    page = _wrap_posts_in_divs(name, 10_000, close)
    assert page.count("<div>") >= 10_000
    result, _ = guarded(lambda: check(page, LISTING_URL))
    assert result is not None
    assert [p.title for p in result.posts] == TITLES


def test_3000_posts_from_one_template():
    """3,000 posts of one template (distinct permalinks and titles): all found, in order."""
    text = seed_bytes("wrapped").decode("utf-8")
    m = re.search(r'<div class="post" id="post-4711">.*?\n</div>\n(?=<div class="post")', text, re.S)
    assert m is not None
    block = m.group(0)
    blocks = "".join(block.replace("friends-not-foes/", f"friends-not-foes-{k}/")
                          .replace("friends not foes<", f"friends not foes {k}<") for k in range(3000))
    i = text.index('<div class="post-list">')
    j = text.index('<div id="sidebar">')
    page = text[:i] + '<div class="post-list">' + blocks + "</div>" + text[j:]
    result, _ = guarded(lambda: check(page, LISTING_URL))
    assert result is not None and result.kind == "listing"
    assert len(result.posts) == 3000
    assert [p.title for p in result.posts[:3]] == [f"{TITLES[0]} {k}" for k in range(3)]
    assert result.posts[-1].title == f"{TITLES[0]} 2999"
    assert all(p.date == "2011-04-11" for p in result.posts)


def test_3000_identical_posts():
    """3,000 copies of the very same post (same permalink): no crash; a permalink gives
    one record, never 3,000 records with one id."""
    text = seed_bytes("wrapped").decode("utf-8")
    m = re.search(r'<div class="post" id="post-4711">.*?\n</div>\n(?=<div class="post")', text, re.S)
    assert m is not None
    i = text.index('<div class="post-list">')
    j = text.index('<div id="sidebar">')
    page = text[:i] + '<div class="post-list">' + m.group(0) * 3000 + "</div>" + text[j:]
    result, _ = guarded(lambda: check(page, LISTING_URL))
    assert result is not None
    assert len(result.posts) == 1, f"{len(result.posts)} posts for one permalink"
    assert result.posts[0].title == TITLES[0]


@pytest.mark.parametrize("size", [1, 7, 100, 4096, 100_000, 1_000_000])
def test_binary_junk(size):
    data = random.Random(size).randbytes(size)
    result = check(data)
    assert result is None or result.kind in ("other", "article", "listing")


def test_os_urandom_junk():
    for size in (10, 1000, 50_000):
        check(os.urandom(size))


@pytest.mark.parametrize("doc", ["", b"", "   \n\t  ", b" \r\n\t \x0c", "\n" * 10_000],
                         ids=["empty-str", "empty-bytes", "ws-str", "ws-bytes", "newlines"])
def test_empty_and_whitespace_documents(doc):
    with pytest.raises(ParseError) as info:
        parse_page(doc, LISTING_URL)
    assert "empty" in str(info.value)


# --- big documents (slow) --------------------------------------------------------------------


@pytest.mark.slow
def test_50mb_of_one_repeated_tag():
    data = b"<p>x</p>" * (50 * 1024 * 1024 // 8)
    assert len(data) == 50 * 1024 * 1024
    result, seconds = guarded(lambda: check(data))
    print(f"50 MB parsed in {seconds:.1f}s")
    assert result is None or result.kind in ("other", "article")


@pytest.mark.slow
def test_10mb_non_listing_page_parses_within_30s():
    """10 MB is what a crawl accepts by default; its parse must not take minutes.
    Run in a subprocess so that the timeout really stops it."""
    code = ("import sys; from scraper.api import parse_page; "
            "parse_page(b'<p>x</p>' * (10 * 1024 * 1024 // 8), None); print('done')")
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("a 10 MB page took more than 30 s to parse")
    assert proc.returncode == 0 and "done" in proc.stdout, proc.stderr
