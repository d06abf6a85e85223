"""URL handling shared by the crawler and the parser: resolve, canonicalise, compare.

Canonical form is what ids are computed from, so it must be idempotent and stable:
lower-case scheme and host, no default port, no fragment, no tracking parameters.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

__all__ = ["canonical_url", "resolve", "host_of", "same_site", "same_site_or_both_relative", "is_http_url",
           "site_key"]

_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "_hs")
_TRACKING_KEYS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "ref_src"})
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_NOT_PLAIN = re.compile(r"[\x00-\x20\x7f\[\];]")


def is_http_url(url: str | None) -> bool:
    """True for absolute http(s) URLs: the only schemes the crawler will fetch."""
    if not url:
        return False
    host = _plain_host(url)
    if host is not None:
        return bool(host)
    try:
        parts = urlsplit(url)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # "http://[::1" and other malformed hosts
        return False


def resolve(base: str | None, href: str | None) -> str | None:
    """Resolve ``href`` against ``base``; None for empty, fragment-only or script links.

    Attribute values are stripped first: real pages put newlines and spaces around
    hrefs."""
    if href is None:
        return None
    href = "".join(href.split("\n")).strip()
    if not href or href.startswith("#"):
        return None
    if "\\" in href:
        href = href.replace("\\", "/")  # as browsers read web addresses (a mirror made on Windows)
    low = href[:11].lower()
    if low.startswith(("javascript:", "mailto:", "tel:", "data:")):
        return None
    if not base:
        return href
    if _plain_absolute(href) and _parses(base):
        return href  # what urljoin gives back for it, without parsing both URLs
    if _plain_rooted(href):
        origin = _origin(base)
        if origin is not None:
            return origin + href  # what urljoin gives for "/path?query" on that base
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def _plain_absolute(href: str) -> bool:
    """An absolute http(s) URL that ``urljoin`` returns as it is, whatever the
    (valid) base: it keeps its own scheme and host, and splitting and re-joining it
    changes nothing. Most links on a listing are such; resolving them costs more
    than anything else done with them."""
    span = _netloc_span(href)
    return span is not None and span[1] > span[0] and _splits_unchanged(href)


def _plain_rooted(href: str) -> bool:
    """A path-absolute link ("/2011/04/post?x=1") that ``urljoin`` puts after the
    base's scheme and host unchanged: no dot segment for it to remove, and
    splitting and re-joining it changes nothing."""
    return href.startswith("/") and not href.startswith("//") and "/." not in href and _splits_unchanged(href)


def _splits_unchanged(url: str) -> bool:
    """No spaces or control characters (which urlsplit strips), no IPv6 brackets,
    no ";" parameters, no empty "?" or "#" (which urlunsplit drops), ASCII only."""
    if not url.isascii() or _NOT_PLAIN.search(url):
        return False
    head, hash_, fragment = url.partition("#")
    if hash_ and not fragment:
        return False
    _, mark, query = head.partition("?")
    return not mark or bool(query)


def _netloc_span(url: str) -> tuple[int, int] | None:
    """Where the host (with user and port) of a lower-case "http(s)://" URL starts
    and ends; None for any other scheme."""
    if url.startswith("https://"):
        start = 8
    elif url.startswith("http://"):
        start = 7
    else:
        return None
    end = len(url)
    for mark in "/?#":
        i = url.find(mark, start, end)
        if i != -1:
            end = i
    return start, end


def _origin(base: str) -> str | None:
    """"http(s)://host[:port]" of a base ``urljoin`` reads as it is, else None."""
    span = _netloc_span(base)
    if span is None or span[1] == span[0] or not base.isascii() or _NOT_PLAIN.search(base, 0, span[1]):
        return None
    return base[:span[1]] if _parses(base) else None


def _plain_host(url: str) -> str | None:
    """``urlsplit(url).hostname`` lower-cased, read straight off a plain http(s) URL
    (lower-case scheme, ASCII, nothing urlsplit would strip or refuse, no IPv6
    brackets); None when the URL is not that plain and must be parsed."""
    span = _netloc_span(url)
    if span is None or not url.isascii() or _NOT_PLAIN.search(url):
        return None
    return url[span[0]:span[1]].rpartition("@")[2].partition(":")[0].lower()


def _plain_canonical(url: str) -> str | None:
    """``canonical_url`` of a plain http(s) URL with no query, by slicing: a host
    without user or IPv6 brackets, a port of plain digits; None for anything else."""
    host = _plain_host(url)
    if not host or "?" in url:
        return None
    start, end = _netloc_span(url)  # type: ignore[misc]  # _plain_host found one
    netloc = url[start:end]
    if "@" in netloc:
        return None
    scheme = "https" if url.startswith("https") else "http"
    if ":" in netloc:
        port = netloc.partition(":")[2]
        if not port.isdigit() or port[0] == "0" or int(port) > 65535:
            return None
        if port != _DEFAULT_PORTS[scheme]:
            host = f"{host}:{port}"
    path = url[end:].partition("#")[0] or "/"
    return f"{scheme}://{host}{path}"


def _parses(url: str) -> bool:
    """Whether ``urljoin`` can read the URL (it raises on a malformed host)."""
    try:
        urlsplit(url)
    except ValueError:
        return False
    return True


def canonical_url(url: str) -> str:
    """Canonical form of a URL, idempotent: ``canonical_url(canonical_url(u)) == canonical_url(u)``."""
    url = url.strip()
    plain = _plain_canonical(url)
    if plain is not None:
        return plain
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host
    if port is not None and _DEFAULT_PORTS.get(scheme) != str(port):
        netloc = f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = parts.path or ("/" if netloc else "")
    query = parts.query
    if query:
        pairs = [
            (k, v)
            for k, v in parse_qsl(query, keep_blank_values=True)
            if k.lower() not in _TRACKING_KEYS and not k.lower().startswith(_TRACKING_PREFIXES)
        ]
        query = urlencode(pairs, doseq=True) if pairs else ""
    return urlunsplit((scheme, netloc, path, query, ""))


def host_of(url: str) -> str:
    """Lower-case host name of a URL, without port; "" when there is none."""
    host = _plain_host(url)
    if host is not None:
        return host
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _strip_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def same_site(a: str, b: str) -> bool:
    """Same host, ignoring a leading ``www.``: the crawler's "stay on site" rule."""
    ha, hb = host_of(a), host_of(b)
    return bool(ha) and _strip_www(ha) == _strip_www(hb)


def same_site_or_both_relative(a: str, b: str) -> bool:
    """``same_site``, where two links without a host (a page parsed without its URL
    keeps its relative links) are on one site: the page's own."""
    if not host_of(a) and not host_of(b):
        return bool(a) and bool(b) and not a.startswith("//") and not b.startswith("//")
    return same_site(a, b)


def site_key(url: str) -> str:
    """A coarse registrable-domain key for sharding work by site.

    The last two labels of the host (three when the second-to-last is a short
    second-level label such as ``co.uk``): enough to keep one site's hosts on one
    worker without shipping a public-suffix list."""
    host = _strip_www(host_of(url))
    labels = host.split(".")
    if len(labels) <= 2 or host.replace(".", "").isdigit():
        return host
    if len(labels[-2]) <= 3 and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])
