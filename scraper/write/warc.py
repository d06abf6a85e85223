"""WARC/1.1 archives of what was fetched, faithful enough to rebuild records offline.

Each exchange is a ``response`` record (the body exactly as it came off the wire,
still content-encoded, with its original ``Content-Encoding``) followed by a
``request`` record pointing at it with ``WARC-Concurrent-To``. Files are gzipped
per record, named ``<prefix>-<YYYYmmddHHMMSS>-<serial>.warc.gz``, start with a
``warcinfo`` record, and rotate once they pass ``max_bytes``.

Index: one CDXJ file per WARC file, ``<warcfile>.cdxj``, one line per response,
in write order (sort with ``LC_ALL=C sort`` before handing it to pywb)::

    com,example)/post/1 20260101120000 {"url": ..., "mime": ..., "status": "200", ...}

Values are strings, as pywb's indexer writes them. Durability: the exchange is
fsynced before its index line is appended, so the index never points at a record
that a crash lost. A run killed mid-record leaves a torn last record in its (never
reopened) file; ``iter_responses`` stops there with a warning.

warcio is imported inside functions: it is slow to import and ``scraper --help``
must stay fast.
"""

from __future__ import annotations

import http
import io
import ipaddress
import json
import os
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from .._version import __version__
from ..errors import ScraperError
from ..records import utc_now
from .atomic import fsync_directory, make_dirs
from .warcread import ArchivedResponse, iter_responses

__all__ = ["WarcArchive", "WarcLocation", "ArchivedResponse", "iter_responses", "surt_key", "date_14"]


Headers = Iterable[tuple[str, str]] | Mapping[str, str]

# Hop-by-hop framing that no longer describes the stored (de-chunked) body.
_FRAMING = frozenset({"transfer-encoding"})


@dataclass(frozen=True, slots=True)
class WarcLocation:
    """Where a response record starts, and its length (compressed), in ``file``."""

    file: str
    offset: int
    length: int


class WarcArchive:
    """Writes exchanges into rotating WARC files under ``directory``.

    ``clock`` gives ISO 8601 UTC times (file names, warcinfo dates); ``ids`` gives
    WARC-Record-IDs. Both are injectable so tests produce identical archives."""

    def __init__(self, directory: str | os.PathLike[str], *, max_bytes: int = 1024 ** 3,
                 prefix: str = "scraper", clock: Callable[[], str] = utc_now,
                 ids: Callable[[], str] | None = None, fsync: bool = True) -> None:
        self.directory = Path(directory)
        self.max_bytes = max_bytes
        self.prefix = prefix
        self._clock = clock
        self._ids = ids or (lambda: f"<urn:uuid:{uuid.uuid4()}>")
        self._fsync = fsync
        self._serial = 0
        self._file: BinaryIO | None = None
        self._path: Path | None = None
        self._writer: Any = None
        self.files: list[Path] = []

    def write_exchange(self, url: str, status: int, reason: str, http_version: str,
                       response_headers: Headers, raw_body: bytes, request_headers: Headers,
                       method: str = "GET", fetched_at: str | None = None,
                       truncated: str | None = None) -> WarcLocation:
        """Archive one request/response pair; return where the response record is.

        Headers are (name, value) pairs (repeats kept) or a mapping; an empty
        ``reason`` gets the standard phrase. ``truncated``: why ``raw_body`` is not
        the whole payload ("length", "time", "disconnect", "unspecified"), written
        as WARC-Truncated."""
        reason = reason or _phrase(status)
        try:
            return self._write_exchange(url, status, reason, http_version, _pairs(response_headers),
                                        raw_body, _pairs(request_headers), method,
                                        fetched_at or self._clock(), truncated)
        except OSError as exc:
            raise ScraperError(f"cannot write WARC under {self.directory}: {exc}") from exc

    def _write_exchange(self, url: str, status: int, reason: str, http_version: str,
                        response_headers: list[tuple[str, str]], raw_body: bytes,
                        request_headers: list[tuple[str, str]], method: str,
                        fetched_at: str, truncated: str | None) -> WarcLocation:
        from warcio.statusandheaders import StatusAndHeaders

        f, path, writer = self._current()
        date = _warc_date(fetched_at)
        resp_id = self._ids()
        headers = [(f"X-Archive-Orig-{k}" if k.lower() in _FRAMING else k, v)
                   for k, v in response_headers]
        resp_http = StatusAndHeaders(f"{status} {reason}".rstrip(), headers, protocol=http_version)
        warc_headers = {"WARC-Record-ID": resp_id, "WARC-Date": date}
        if truncated:
            warc_headers["WARC-Truncated"] = truncated
        response = writer.create_warc_record(
            url, "response", payload=io.BytesIO(raw_body), length=len(raw_body), http_headers=resp_http,
            warc_headers_dict=warc_headers)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        req_http = StatusAndHeaders(f"{method} {target} {http_version}", list(request_headers),
                                    is_http_request=True)
        request = writer.create_warc_record(
            url, "request", http_headers=req_http,
            warc_headers_dict={"WARC-Record-ID": self._ids(), "WARC-Date": date,
                               "WARC-Concurrent-To": resp_id})
        offset = f.tell()
        writer.write_record(response)
        length = f.tell() - offset
        writer.write_record(request)
        self._sync(f)
        location = WarcLocation(str(path), offset, length)
        mime = (resp_http.get_header("Content-Type") or "unk").split(";")[0].strip().lower() or "unk"
        fields = {"url": url, "mime": mime, "status": str(status),
                  "digest": response.rec_headers.get_header("WARC-Payload-Digest"),
                  "length": str(length), "offset": str(offset), "filename": path.name}
        line = f"{surt_key(url)} {date_14(fetched_at)} {json.dumps(fields)}\n"
        with open(f"{path}.cdxj", "ab") as index:
            index.write(line.encode("utf-8"))
            self._sync(index)
        if f.tell() >= self.max_bytes:
            self._close_file()
        return location

    def _current(self) -> tuple[BinaryIO, Path, Any]:
        """The open file, path and warcio writer, starting a new file when needed."""
        if self._file is None:
            from warcio.warcwriter import WARCWriter

            make_dirs(self.directory)
            stamp = date_14(self._clock())
            while True:
                self._serial += 1
                path = self.directory / f"{self.prefix}-{stamp}-{self._serial:05d}.warc.gz"
                try:
                    self._file = open(path, "xb")
                    break
                except FileExistsError:
                    continue
            self._path = path
            self._writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
            self._write_warcinfo(path)
            self._sync(self._file)
            with open(f"{path}.cdxj", "wb"):  # now, so one directory fsync covers both files
                pass
            if self._fsync:
                fsync_directory(self.directory)
            self.files.append(path)
        assert self._path is not None  # set with the file
        return self._file, self._path, self._writer

    def _write_warcinfo(self, path: Path) -> None:
        from warcio.statusandheaders import StatusAndHeaders

        info = {"software": f"scraper/{__version__}", "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"}
        payload = "".join(f"{k}: {v}\r\n" for k, v in info.items()).encode("utf-8")
        headers = StatusAndHeaders("", [("WARC-Type", "warcinfo"), ("WARC-Record-ID", self._ids()),
                                         ("WARC-Filename", path.name),
                                         ("WARC-Date", _warc_date(self._clock()))],
                                   protocol="WARC/1.1")
        record = self._writer.create_warc_record(  # type: ignore[union-attr]
            "", "warcinfo", payload=io.BytesIO(payload), length=len(payload), warc_headers=headers)
        self._writer.write_record(record)  # type: ignore[union-attr]

    def _sync(self, f: BinaryIO) -> None:
        f.flush()
        if self._fsync:
            os.fsync(f.fileno())

    def _close_file(self) -> None:
        if self._file is not None:
            self._sync(self._file)
            self._file.close()
            self._file = self._path = self._writer = None

    def close(self) -> None:
        self._close_file()

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _pairs(headers: Headers) -> list[tuple[str, str]]:
    return list(headers.items()) if isinstance(headers, Mapping) else list(headers)


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _parse_time(iso: str) -> datetime:
    when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def _warc_date(iso: str) -> str:
    """WARC-Date: UTC, ISO 8601, ``Z``, microseconds kept only when present."""
    when = _parse_time(iso)
    spec = "microseconds" if when.microsecond else "seconds"
    return when.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def date_14(iso: str) -> str:
    """The 14-digit CDX timestamp of an ISO 8601 time."""
    return _parse_time(iso).strftime("%Y%m%d%H%M%S")


def surt_key(url: str) -> str:
    """Sort-friendly URI Reordering Transform, as CDX indexes key URLs.

    ``https://www.Example.com:8443/A?b=2&a=1`` -> ``com,example:8443)/a?a=1&b=2``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().strip(".")
    if host.startswith("www."):
        host = host[4:]
    # an IP address is not a domain: its parts stay in order (as SURT tools write it)
    key = host if _is_ip(host) else ",".join(reversed(host.split(".")))
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and (parts.scheme, port) not in (("http", 80), ("https", 443)):
        key += f":{port}"
    path = (parts.path or "/").lower()
    query = "&".join(sorted(parts.query.lower().split("&"))) if parts.query else ""
    return f"{key}){path}" + (f"?{query}" if query else "")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
