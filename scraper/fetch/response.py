"""What one fetch returns: the bytes we archive and the facts we need to parse them.

A plain frozen value, not an httpx object, so that the parser, the state database and
the WARC writer never depend on httpx, and so that tests can build one by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..charset import decode_html

__all__ = ["Response", "parse_content_type"]


def parse_content_type(value: str | None) -> tuple[str, dict[str, str]]:
    """``"Text/HTML; Charset=UTF-8"`` -> ``("text/html", {"charset": "UTF-8"})``.

    Hand-rolled because the header is often malformed (stray ``;``, quotes, spaces)
    and a malformed header must not cost us the page."""
    if not value:
        return "", {}
    mime, _, rest = value.partition(";")
    params: dict[str, str] = {}
    for part in rest.split(";"):
        key, eq, val = part.partition("=")
        if eq and key.strip():
            params[key.strip().lower()] = val.strip().strip("\"'").strip()
    return mime.strip().lower(), params


@dataclass(frozen=True)
class Response:
    """A fetched resource after redirects, with its body capped at ``max_bytes``.

    ``raw_body`` is exactly what came over the wire (still gzip'ed if it was), which is
    what a WARC ``response`` record must hold; ``body`` is the decompressed payload.
    ``redirects`` lists every URL that answered with a redirect, in order, so
    ``redirects + [url]`` is the full chain; it is empty when there was none."""

    url: str
    requested_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    raw_body: bytes
    http_version: str = "HTTP/1.1"
    reason: str = ""  # the status line's reason phrase, for WARC records
    request_headers: dict[str, str] = field(default_factory=dict)
    fetched_at: str = ""
    elapsed: float = 0.0
    redirects: list[str] = field(default_factory=list)
    # for the archive (filled only when one listens): the header lines as sent (case
    # and repeats kept: Set-Cookie), and why raw_body is not the whole payload ("length": not read, or cut at a
    # cap; "disconnect": the connection broke), as WARC-Truncated says it
    header_lines: list[tuple[str, str]] = field(default_factory=list)
    truncated: str | None = None

    @property
    def content_type(self) -> str:
        """Lower-case mime type without parameters; ``""`` when the server sent none."""
        return parse_content_type(self.headers.get("content-type"))[0]

    @property
    def charset(self) -> str | None:
        """The charset the Content-Type header declares (it may be wrong: see ``text``)."""
        return parse_content_type(self.headers.get("content-type"))[1].get("charset") or None

    @cached_property
    def _decoded(self) -> tuple[str, str]:
        return decode_html(self.body, self.charset)

    @property
    def text(self) -> str:
        """The body as text: header charset, then ``<meta>``, then detection.

        httpx's own ``.text`` ignores ``<meta>``, which garbles many non-UTF-8 blogs."""
        return self._decoded[0]

    @property
    def encoding(self) -> str:
        """The Python codec ``text`` was decoded with."""
        return self._decoded[1]

    @property
    def not_modified(self) -> bool:
        """True for a 304: the copy we already hold is current; ``body`` is empty."""
        return self.status == 304

    @property
    def etag(self) -> str | None:
        """The validator to send back as If-None-Match next time."""
        return self.headers.get("etag") or None

    @property
    def last_modified(self) -> str | None:
        """The validator to send back as If-Modified-Since next time."""
        return self.headers.get("last-modified") or None
