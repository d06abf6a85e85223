"""Bytes to text for HTML: header charset, then BOM and ``<meta>``, then detection.

httpx only looks at the Content-Type header; real pages often declare their charset
only in ``<meta>`` (windows-1251, Shift_JIS) or lie in the header. Order of trust:
a BOM, the header charset (unless the bytes do not decode with it), the ``<meta>``
declaration in the first 4 KB, UTF-8 (with a few stray bytes replaced, as a browser
shows a UTF-8 page with one Latin-1 "©" pasted in), then charset-normalizer's guess.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["decode_html", "sniff_meta_charset"]

_META_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# WHATWG: these labels are decoded as their superset.
_ALIASES = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252",
            "us-ascii": "cp1252", "x-sjis": "shift_jis", "gb2312": "gb18030", "gbk": "gb18030"}


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def sniff_meta_charset(data: bytes) -> str | None:
    """The charset a ``<meta>`` tag declares in the first 4 KB, as a Python codec name."""
    m = _META_RE.search(data[:4096])
    return _codec(m.group(1).decode("ascii", "ignore")) if m else None


def decode_html(data: bytes, header_charset: str | None = None) -> tuple[str, str]:
    """Decode an HTML body; returns ``(text, codec_used)``. Never raises."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(name, "replace"), name
    tried: list[str] = []
    for declared in (_codec(header_charset), sniff_meta_charset(data)):
        if declared and declared not in tried:
            tried.append(declared)
            try:
                return data.decode(declared), declared
            except UnicodeDecodeError:
                continue
    text = _mostly_utf8(data)
    if text is not None:
        return text, "utf-8"
    from charset_normalizer import from_bytes  # only for pages that need guessing

    best = from_bytes(data[:200_000]).best()
    guessed = _codec(best.encoding) if best is not None else None
    codec = guessed or (tried[0] if tried else "cp1252")
    return data.decode(codec, "replace"), codec


def _mostly_utf8(data: bytes) -> str | None:
    """The bytes as UTF-8 when they are that, but for a few stray bytes (at most one
    in a hundred of the non-ASCII characters, and 3 at least, become U+FFFD); None
    when they look like another encoding. A guess would get the whole page wrong
    ("NĂşmero" for "Número") for the sake of one byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")  # U+FFFD written as such is not bad
    wide = len(text) - len(text.encode("ascii", "ignore")) - bad  # non-ASCII characters read well
    return text if bad <= max(3, wide // 100) and wide > bad else None
