"""Reading a body off the wire: size caps, our own decompression, HTML sniffing.

httpx would decompress for us, but without a bound on the output: a 200 KB gzip body
can inflate to gigabytes. We stream the raw bytes (kept for WARC), inflate them
ourselves with ``max_length`` so that no step produces more than the cap, and refuse
the body as soon as either the raw or the inflated size passes ``max_bytes``."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Protocol

from ..errors import PermanentFetch

__all__ = ["BodyDecoder", "read_body", "html_verdict", "looks_like_html", "accept_encoding"]

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Types servers send when they do not know better: judge by the bytes instead.
_SNIFF_TYPES = frozenset({
    "", "text/plain", "application/octet-stream", "binary/octet-stream", "application/unknown",
    "unknown/unknown", "*/*", "text/xml", "application/xml",
})
# WHATWG MIME sniffing: tags that make a document "text/html" when they come first.
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe",
                b"<h1", b"<div", b"<font", b"<table", b"<a", b"<style", b"<title", b"<b",
                b"<br", b"<p", b"<!--", b"<meta", b"<link")
_BRO_SLICE = 64  # input bytes per brotli step when the module cannot bound its output


class _Stage(Protocol):
    def decode(self, data: bytes, budget: int) -> bytes: ...


class _ZlibStage:
    """gzip or deflate, inflated at most ``budget + 1`` bytes at a time."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding == "gzip"
        self._wbits = 16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS
        self._d = zlib.decompressobj(self._wbits)
        self._started = False
        self._stash = b""

    def decode(self, data: bytes, budget: int) -> bytes:
        out = bytearray()
        data, self._stash = self._stash + data, b""
        while data and len(out) <= budget:
            if self._d.eof:  # a finished gzip member; another may follow
                if self._gzip and len(data) < 2:
                    self._stash = data
                    break
                if not (self._gzip and data[:2] == b"\x1f\x8b"):
                    break  # trailing padding after the stream: ignored, as browsers do
                self._d = zlib.decompressobj(self._wbits)
            try:
                out += self._d.decompress(data, budget + 1 - len(out))
            except zlib.error:
                if self._gzip or self._started:
                    raise
                # "deflate" is meant to be zlib-wrapped; many servers send it raw.
                self._wbits = -zlib.MAX_WBITS
                self._d = zlib.decompressobj(self._wbits)
                out += self._d.decompress(data, budget + 1 - len(out))
            self._started = True
            data = self._d.unconsumed_tail or self._d.unused_data
        return bytes(out)


class _BrotliStage:
    """br, fed in small slices: brotli's ``process`` takes no output limit, so the input
    per step is kept tiny to bound how far one step can overshoot the cap."""

    def __init__(self, brotli: ModuleType) -> None:
        self._d = brotli.Decompressor()

    def decode(self, data: bytes, budget: int) -> bytes:
        out = bytearray()
        for i in range(0, len(data), _BRO_SLICE):
            out += self._d.process(data[i:i + _BRO_SLICE])
            if len(out) > budget:
                break
        return bytes(out)


class BodyDecoder:
    """Undo a Content-Encoding chain incrementally, refusing output past ``limit`` bytes."""

    def __init__(self, content_encoding: str | None, limit: int, url: str,
                 brotli: ModuleType | None = None) -> None:
        self._limit = limit
        self._url = url
        self._out = bytearray()
        self._stages: list[_Stage] = []
        self._errors: tuple[type[Exception], ...] = (zlib.error,)
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        for coding in reversed(codings):  # the last coding applied is undone first
            if coding in ("gzip", "x-gzip", "deflate"):
                self._stages.append(_ZlibStage("deflate" if coding == "deflate" else "gzip"))
            elif coding == "br" and brotli is not None:
                self._stages.append(_BrotliStage(brotli))
                if isinstance(getattr(brotli, "error", None), type):
                    self._errors += (brotli.error,)
            elif coding != "identity":
                raise PermanentFetch(f"unsupported Content-Encoding {coding!r}", url)

    def feed(self, chunk: bytes) -> None:
        """Decode one raw chunk; PermanentFetch once a decoded size passes the cap."""
        budget = self._limit - len(self._out)
        for stage in self._stages:
            try:
                chunk = stage.decode(chunk, budget)
            except self._errors as exc:
                raise PermanentFetch(f"corrupt compressed body: {exc}", self._url) from exc
            if len(chunk) > budget:  # checked per stage: a stage stops at budget + 1
                raise PermanentFetch(
                    f"body inflates past max_bytes={self._limit}: refused (compression bomb?)",
                    self._url)
        self._out += chunk

    def result(self) -> bytes:
        """All decoded bytes so far; a truncated compressed stream keeps what inflated."""
        return bytes(self._out)


async def read_body(chunks: AsyncIterator[bytes], decoder: BodyDecoder, max_bytes: int,
                    url: str) -> tuple[bytes, bytes]:
    """Drain ``chunks``; return ``(raw_body, body)``, both at most ``max_bytes``."""
    raw = bytearray()
    async for chunk in chunks:
        raw += chunk
        if len(raw) > max_bytes:
            raise PermanentFetch(f"body larger than max_bytes={max_bytes}: refused", url)
        decoder.feed(chunk)
    return bytes(raw), decoder.result()


def html_verdict(mime: str) -> bool | None:
    """True for HTML types, None for vague ones (sniff the bytes), False for the rest."""
    if mime in _HTML_TYPES:
        return True
    return None if mime in _SNIFF_TYPES else False


def looks_like_html(body: bytes) -> bool:
    """WHATWG-style sniff of the first bytes, for servers that send no useful type."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf").lstrip().lower()
    if head.startswith(b"<?xml"):
        return b"<html" in head
    for tag in _HTML_STARTS:
        if head.startswith(tag):
            nxt = head[len(tag):len(tag) + 1]
            if tag == b"<!--" or nxt in (b" ", b">", b"\t", b"\n", b"\r", b"/"):
                return True
    return False


def accept_encoding(brotli: ModuleType | None) -> str:
    """Only codings we can inflate ourselves with a bound on the output."""
    return "gzip, deflate, br" if brotli is not None else "gzip, deflate"
