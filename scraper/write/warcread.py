"""Reading WARC files back: every archived response, its body decoded, for offline rebuilds.

Damage is expected, not exceptional: a run killed mid-write leaves a torn last
record. Reading stops there with a warning and never yields a partial body; every
record is read to its end so that warcio checks its digests.
"""

from __future__ import annotations

import glob
import logging
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

__all__ = ["ArchivedResponse", "iter_responses"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ArchivedResponse:
    """One archived response, read back. ``body`` has its content-encoding undone."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: str
    file: str
    offset: int


def iter_responses(source: str | os.PathLike[str]) -> Iterator[ArchivedResponse]:
    """Every response in a WARC file, a directory of them, or a glob, in file order.

    A file that ends in a torn record (a run killed mid-write) or fails its digests
    yields what precedes the damage, then a warning is logged and reading moves on.
    ``body`` is decoded for the encodings warcio knows (gzip, deflate; br with brotli)."""
    for name in _expand(source):
        with open(name, "rb") as f:
            yield from _read_responses(name, f)


def _read_responses(name: str, f: BinaryIO) -> Iterator[ArchivedResponse]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    # What warcio raises on a damaged file: a header block cut short even gives AttributeError.
    damaged = (_TornRecord, ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error, AttributeError)
    records = ArchiveIterator(f, check_digests="raise")
    stream = iter(records)
    end = 0  # where the last complete record ends
    while True:
        try:
            response = _response(next(stream), name)
            offset, length = records.get_record_offset(), records.get_record_length()
        except StopIteration:
            break
        except damaged as exc:
            log.warning("%s: stopped reading at byte %d: %s (torn by an interrupted run?)",
                        name, end, exc)
            return
        end = offset + length
        if response is not None:
            yield ArchivedResponse(**{**response, "offset": offset})
    size = os.fstat(f.fileno()).st_size
    if end < size:  # warcio ends quietly on a record cut inside its headers
        log.warning("%s: stopped reading at byte %d: the last %d bytes are not a complete record "
                    "(torn by an interrupted run?)", name, end, size - end)


def _response(record: Any, name: str) -> dict[str, Any] | None:
    """The fields of a response record (all but its offset); None for other records.

    Every record is read to its end, which makes warcio check its digests, and is
    refused when the file ended inside it (our writer always sets Content-Length)."""
    is_response = record.rec_type == "response" and record.http_headers is not None
    body = record.content_stream().read() if is_response else b""
    record.raw_stream.read()
    if record.rec_headers.get_header("Content-Length") is None or \
            getattr(record.raw_stream, "limit", 0) > 0:
        raise _TornRecord("the last record is incomplete")
    if not is_response:
        return None
    return {"url": record.rec_headers.get_header("WARC-Target-URI"),
            "status": int(record.http_headers.get_statuscode() or 0),
            "headers": list(record.http_headers.headers), "body": body,
            "fetched_at": record.rec_headers.get_header("WARC-Date"), "file": name}


class _TornRecord(Exception):
    """A record cut short by the end of its file."""


def _expand(source: str | os.PathLike[str]) -> list[str]:
    name = os.fspath(source)
    if os.path.isdir(name):
        return sorted(glob.glob(os.path.join(glob.escape(name), "*.warc.gz"))
                      + glob.glob(os.path.join(glob.escape(name), "*.warc")))
    if glob.has_magic(name):
        return sorted(glob.glob(name))
    return [name]
