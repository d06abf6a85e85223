"""Bodies: size caps, bounded decompression, content types and charsets."""

from __future__ import annotations

import asyncio
import sys
import time
import tracemalloc
import types
import zlib
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faultserver import CYRILLIC
from scraper.config import CrawlConfig
from scraper.errors import PermanentFetch
from scraper.fetch import Fetcher, Response
from scraper.fetch.body import BodyDecoder, looks_like_html


def config(**overrides: Any) -> CrawlConfig:
    base: dict[str, Any] = {"delay": 0.0, "retries": 0, "backoff": 0.01, "max_bytes": 1 << 20}
    return CrawlConfig(**{**base, **overrides})


def fetch(url: str, fake_time: Any, cfg: CrawlConfig | None = None,
          transport: httpx.AsyncBaseTransport | None = None, **kw: Any
          ) -> tuple[Response | Exception, Fetcher]:
    async def go() -> tuple[Response | Exception, Fetcher]:
        async with Fetcher(cfg or config(), transport=transport, clock=fake_time.clock,
                           sleep=fake_time.sleep) as f:
            try:
                return await f.fetch(url, **kw), f
            except Exception as exc:  # noqa: BLE001
                return exc, f

    return asyncio.run(go())


# --- size caps ------------------------------------------------------------------------


def test_gzip_bomb_refused_quickly_without_inflating_it(fault, fake_time):
    fault.bomb(200)  # built once per server, outside the timed part
    tracemalloc.start()
    started = time.perf_counter()
    try:
        exc, f = fetch(fault.url("/_fault/bomb?mb=200"), fake_time)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert type(exc) is PermanentFetch and "inflates past max_bytes" in str(exc)
    assert time.perf_counter() - started < 3.0
    assert peak < 16 << 20  # 200 MB of zeros were never materialised
    assert len(fault.hits("/_fault/bomb")) == 1  # permanent: not retried


def test_content_length_over_cap_refused_before_reading(fault, fake_time):
    exc, f = fetch(fault.url("/_fault/huge?size=52428800"), fake_time, config(robots=False))
    assert type(exc) is PermanentFetch and "Content-Length 52428800" in str(exc)
    assert f.stats.bytes == 0


def test_stream_without_length_is_cut_at_the_cap(fault, fake_time):
    exc, _ = fetch(fault.url("/_fault/stream?size=3000000"), fake_time)
    assert type(exc) is PermanentFetch and "larger than max_bytes" in str(exc)


def test_body_at_the_cap_is_kept(fault, fake_time):
    resp, _ = fetch(fault.url("/_fault/stream?size=200000"), fake_time, config(max_bytes=200000))
    assert isinstance(resp, Response) and len(resp.body) == 200000


# --- compression ----------------------------------------------------------------------


def test_gzip_body_is_inflated_and_raw_kept(fault, fake_time):
    resp, _ = fetch(fault.url("/_fault/gzip"), fake_time)
    assert isinstance(resp, Response) and resp.headers["content-encoding"] == "gzip"
    assert resp.raw_body[:2] == b"\x1f\x8b" and zlib.decompress(resp.raw_body, 31) == resp.body
    assert resp.body.count(b"gzipped") == 100


@pytest.mark.parametrize("query", ["", "?raw=1"])
def test_deflate_zlib_wrapped_or_raw(query, fault, fake_time):
    resp, _ = fetch(fault.url("/_fault/deflate" + query), fake_time)
    assert isinstance(resp, Response) and resp.body.count(b"deflated") == 100


def test_unknown_content_encoding_is_permanent(fake_time):
    transport = httpx.MockTransport(lambda request: httpx.Response(
        200, headers={"Content-Type": "text/html", "Content-Encoding": "zstd"},
        stream=httpx.ByteStream(b"xx")))
    exc, _ = fetch("http://example.test/", fake_time, config(robots=False), transport)
    assert type(exc) is PermanentFetch and "zstd" in str(exc)


def test_br_advertised_and_decoded_only_when_brotli_importable(monkeypatch, fake_time):
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["accept-encoding"])
        # stream=, not content=: httpx reads content= eagerly, and the Fetcher reads raw
        return httpx.Response(200, headers={"Content-Type": "text/html", "Content-Encoding": "br"},
                              stream=httpx.ByteStream(zlib.compress(b"<html>brotli-ish</html>")))

    # A stand-in "brotli" (zlib underneath) with the module's API: Decompressor().process
    fake_brotli = types.SimpleNamespace(
        error=zlib.error,
        Decompressor=lambda: types.SimpleNamespace(process=zlib.decompressobj().decompress))
    monkeypatch.setitem(sys.modules, "brotli", fake_brotli)
    resp, _ = fetch("http://example.test/", fake_time, config(robots=False),
                    httpx.MockTransport(handler))
    assert isinstance(resp, Response) and resp.body == b"<html>brotli-ish</html>"
    monkeypatch.setitem(sys.modules, "brotli", None)  # import fails
    exc, _ = fetch("http://example.test/", fake_time, config(robots=False),
                   httpx.MockTransport(handler))
    assert seen == ["gzip, deflate, br", "gzip, deflate"]
    assert type(exc) is PermanentFetch and "'br'" in str(exc)


@settings(max_examples=60, deadline=None)
@given(payload=st.binary(max_size=5000), cuts=st.lists(st.integers(1, 300), max_size=20),
       members=st.integers(1, 3))
def test_decoder_is_chunking_invariant(payload, cuts, members):
    raw = b"".join(zlib.compress(payload, wbits=31) for _ in range(members))
    decoder = BodyDecoder("gzip", 1 << 20, "http://x.test/")
    pos = 0
    for cut in cuts + [len(raw)]:
        decoder.feed(raw[pos:pos + cut])
        pos += cut
    decoder.feed(raw[pos:])
    assert decoder.result() == payload * members


@settings(max_examples=30, deadline=None)
@given(size=st.integers(1025, 40000), limit=st.integers(1024, 40000))
def test_decoder_never_exceeds_its_limit(size, limit):
    raw = zlib.compress(b"a" * size, wbits=31)
    decoder = BodyDecoder("gzip", limit, "http://x.test/")
    if size > limit:
        with pytest.raises(PermanentFetch):
            decoder.feed(raw)
    else:
        decoder.feed(raw)
        assert len(decoder.result()) == size


def test_corrupt_gzip_is_permanent():
    with pytest.raises(PermanentFetch, match="corrupt"):
        BodyDecoder("gzip", 1 << 20, "http://x.test/").feed(b"\x1f\x8bnot gzip at all")


# --- types and charsets ---------------------------------------------------------------


def test_wrong_charset_header_decoded_via_meta(fault, fake_time):
    resp, _ = fetch(fault.url("/_fault/wrong-charset"), fake_time)
    assert isinstance(resp, Response) and resp.charset == "utf-8"
    assert CYRILLIC in resp.text and resp.encoding == "cp1251"


def test_meta_only_windows_1251_decoded(fault, fake_time):
    resp, _ = fetch(fault.url("/_fault/meta-1251"), fake_time)
    assert isinstance(resp, Response) and resp.charset is None
    assert CYRILLIC in resp.text and resp.encoding == "cp1251"


def test_png_refused_for_html_accepted_for_any(fault, fake_time):
    exc, _ = fetch(fault.url("/_fault/png"), fake_time)
    assert type(exc) is PermanentFetch and "image/png" in str(exc)
    resp, _ = fetch(fault.url("/_fault/png"), fake_time, kind="any")
    assert isinstance(resp, Response) and resp.body.startswith(b"\x89PNG")


def test_untyped_bodies_are_sniffed(fault, fake_time):
    resp, _ = fetch(fault.url("/_fault/notype?body=html"), fake_time)
    assert isinstance(resp, Response) and resp.content_type == ""
    exc, _ = fetch(fault.url("/_fault/notype?body=pdf"), fake_time)
    assert type(exc) is PermanentFetch and "does not look like HTML" in str(exc)


@pytest.mark.parametrize("body,expected", [
    (b"  <!DOCTYPE html><html>", True), (b"\xef\xbb\xbf<html lang=en>", True),
    (b"<p>hi</p>", True), (b"<!-- c --><div>", True), (b'<?xml version="1.0"?><html>', True),
    (b'<?xml version="1.0"?><rss>', False), (b"%PDF-1.4", False), (b'{"a": 1}', False),
    (b"<pre>", False), (b"", False),
])
def test_looks_like_html(body, expected):
    assert looks_like_html(body) is expected
