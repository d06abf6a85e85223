"""The record contract: one ``Post`` per post, as written to JSON and JSON Lines.

Field names are a public interface that other tools depend on; add fields, never
rename or remove them. Unknown values are ``None`` (JSON null), never ``""``.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import msgspec

from .errors import RecordError
from .urls import canonical_url

__all__ = ["SCHEMA_VERSION", "Post", "post_id", "text_sha256", "utc_now", "to_json", "from_json", "validate"]

SCHEMA_VERSION = 1


class Post(msgspec.Struct, kw_only=True):
    """One post as found on a listing page (or, with ``full_text``, its whole article)."""

    id: str
    url: str | None
    title: str | None
    date: str | None
    author: str | None
    comments: int | None
    tags: list[str]
    text: str | None
    html: str | None
    full_text: bool
    source: str | None
    fetched_at: str | None
    sha256: str | None
    # Provenance: where and how the record was obtained.
    status: int | None = None
    page: int | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    revision: int = 1
    schema_version: int = SCHEMA_VERSION


def post_id(url: str | None, fallback: str = "") -> str:
    """A stable id: the first 20 hex digits of SHA-256 over the canonical permalink.

    Posts without a permalink get an id from ``fallback`` (source URL + title), so the
    same post on the same page keeps its id from run to run."""
    key = canonical_url(url) if url else "nourl:" + fallback
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def text_sha256(text: str | None) -> str | None:
    """SHA-256 of the clean text: what re-runs compare to tell a changed post."""
    if text is None:
        return None
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc_now() -> str:
    """The current time as ISO 8601 UTC with seconds, e.g. ``2026-11-26T18:40:00Z``."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Post)


def to_json(post: Post) -> bytes:
    """Compact JSON, UTF-8, no trailing newline."""
    return _encoder.encode(post)


def from_json(data: bytes | str) -> Post:
    """Decode and type-check one record; raises RecordError on a bad one."""
    try:
        return _decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise RecordError(f"not a valid record: {exc}") from exc


def validate(post: Post) -> Post:
    """Enforce the contract beyond types: no empty strings, consistent hash."""
    for name in ("url", "title", "date", "author", "text", "html", "source", "fetched_at"):
        if getattr(post, name) == "":
            raise RecordError(f"record {post.id}: field {name!r} is an empty string, not null")
    if post.comments is not None and post.comments < 0:
        raise RecordError(f"record {post.id}: negative comment count")
    if post.sha256 != text_sha256(post.text):
        raise RecordError(f"record {post.id}: sha256 does not match its text")
    if any(not t for t in post.tags):
        raise RecordError(f"record {post.id}: empty tag")
    return post
