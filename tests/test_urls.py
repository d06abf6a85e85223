"""URL resolution: the fast paths must give exactly what urljoin gives."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.urls import canonical_url, host_of, is_http_url, resolve, same_site

BASES = ["https://blog.example.com/tag/civil-society/", "http://example.org", "https://example.org:8443/a/b?page=2",
         "https://user@example.org/x#frag", "HTTPS://Example.org/A/", "https://example.org/a/b/c.html?x=1#y",
         "https://[::1]:8080/a/", "https://example.org/é/", "ftp://example.org/a/"]

_PIECES = st.sampled_from(list("abz019/.?#=&%-_~;:@ é\t[]") + ["/..", "/./", "//", "?#"])


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("href", [
    "/2011/04/post", "/2011/04/post?x=1&y=2", "/a/../b", "/a/./b", "/a?", "/a#", "/a#top", "/?page=2",
    "//cdn.example.net/x.js", "/a b", "/é", "/a;p", "/", "post", "../up", "?page=3",
    "https://other.example/x", "http://other.example/?", "https://other.example/a#",
])
def test_resolve_is_urljoin(base: str, href: str) -> None:
    assert resolve(base, href) == _urljoin(base, href)


def _urljoin(base: str, href: str) -> str | None:
    """What resolve() promises: urljoin's answer, None where urljoin raises."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None


@settings(max_examples=400, deadline=None)
@given(base=st.sampled_from(BASES), pieces=st.lists(_PIECES, max_size=12))
def test_resolve_rooted_links_is_urljoin(base: str, pieces: list[str]) -> None:
    href = "/" + "".join(pieces)
    assert resolve(base, href) == _urljoin(base, href.strip())


def test_resolve_refuses_what_is_not_a_link() -> None:
    base = BASES[0]
    assert resolve(base, "#comments") is None
    assert resolve(base, "javascript:void(0)") is None
    assert resolve(base, "  mailto:a@b.c") is None
    assert resolve(base, "") is None
    assert resolve(None, "/a") == "/a"


def test_canonical_and_same_site() -> None:
    assert canonical_url("HTTPS://Example.org:443/a?utm_source=x&id=2#f") == "https://example.org/a?id=2"
    assert same_site("https://www.example.org/a", "https://example.org/b")
    assert not same_site("https://example.org/a", "https://example.net/a")


_HOSTS = st.sampled_from(["example.org", "Example.ORG", "a.b.example.org", "u:p@example.org", "example.org:8080",
                          "@example.org", "example.org:", "", "[::1]", "127.0.0.1:80", "exa mple.org", "é.org",
                          "example.org\t", "x@y@example.org"])


@settings(max_examples=300, deadline=None)
@given(scheme=st.sampled_from(["http://", "https://", "HTTP://", "ftp://", "", "//"]), host=_HOSTS,
       rest=st.sampled_from(["", "/", "/a?b#c", "?q=1", "#f", "/a:b@c", "/%41"]))
def test_host_helpers_agree_with_urlsplit(scheme: str, host: str, rest: str) -> None:
    url = scheme + host + rest
    try:
        parts = urlsplit(url)
        expected_host = (parts.hostname or "").lower()
        expected_http = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        expected_host, expected_http = "", False
    assert host_of(url) == expected_host
    assert is_http_url(url) == expected_http


@settings(max_examples=400, deadline=None)
@given(scheme=st.sampled_from(["http://", "https://", "HTTPS://"]), host=_HOSTS,
       port=st.sampled_from(["", ":80", ":443", ":8080", ":080", ":0", ":99999", ":", ":x"]),
       rest=st.sampled_from(["", "/", "/a/b", "/a#f", "#f", "/a?utm_source=x&b=1", "/a?", "/%41/é", "/a;b"]))
def test_canonical_url_fast_path_agrees_with_the_parsed_one(scheme: str, host: str, port: str, rest: str) -> None:
    from scraper import urls

    url = scheme + host + port + rest
    fast = urls._plain_canonical(url)
    if fast is not None:
        saved = urls._plain_canonical
        urls._plain_canonical = lambda u: None  # the parsed path alone
        try:
            assert fast == urls.canonical_url(url)
        finally:
            urls._plain_canonical = saved


def test_backslashes_in_a_link_are_slashes_as_browsers_read_them() -> None:
    from scraper.urls import resolve

    assert resolve("https://x.example/author/a/page/2/", "..\\..\\..\\..\\2020\\05\\27\\story\\index.htm") == \
        "https://x.example/2020/05/27/story/index.htm"
