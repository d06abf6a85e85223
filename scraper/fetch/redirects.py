"""Which URLs we request and which redirects we follow.

The Fetcher follows redirects itself (httpx's ``follow_redirects`` is off) so that every
hop goes through these checks and through robots.txt: a server must not be able to
bounce us to ``file://``, round in circles, or down an endless chain."""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin, urlsplit

from ..errors import PermanentFetch

__all__ = ["REDIRECT_STATUSES", "check_url", "next_hop"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_SCHEMES = ("http", "https")


def check_url(url: str) -> None:
    """Only absolute http(s) URLs with a host and a valid port; else PermanentFetch."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError as exc:
        raise PermanentFetch(f"malformed URL: {exc}", url) from exc
    if parts.scheme.lower() not in _SCHEMES:
        raise PermanentFetch(f"refusing non-HTTP URL {url!r}", url)
    if not parts.hostname:
        raise PermanentFetch("URL has no host", url)


def next_hop(requested: str, chain: list[str], current: str, location: str, status: int,
             max_redirects: int) -> str:
    """The URL a redirect from ``current`` leads to, if we may follow it.

    ``chain`` holds the URLs that already redirected before ``current``."""
    try:
        target = urldefrag(urljoin(current, location.strip()))[0]
    except ValueError as exc:
        raise PermanentFetch(f"bad redirect Location {location!r}", current, status) from exc
    if urlsplit(target).scheme.lower() not in _SCHEMES:
        raise PermanentFetch(f"redirect to non-HTTP URL {target!r} refused", current, status)
    if target == current or target in chain:
        raise PermanentFetch(f"redirect loop back to {target}", requested, status)
    if len(chain) >= max_redirects:
        raise PermanentFetch(f"more than {max_redirects} redirects", requested, status)
    check_url(target)
    return target
