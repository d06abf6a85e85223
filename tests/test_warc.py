"""WarcArchive: faithful exchanges, rotation, CDXJ offsets, reading back, torn tails."""

from __future__ import annotations

import gzip
import io
import itertools
import json
import os
import re
import subprocess
import sys

import pytest
from warcio.archiveiterator import ArchiveIterator

from scraper.write.warc import WarcArchive, date_14, iter_responses, surt_key

FETCHED = "2026-03-04T05:06:07Z"


def clock():
    return "2026-03-04T05:06:07Z"


def counter_ids():
    numbers = itertools.count(1)
    return lambda: f"<urn:uuid:00000000-0000-0000-0000-{next(numbers):012d}>"


EXCHANGES = [
    # url, headers, decoded body, content-encoding
    ("https://www.example.org/blog/", "text/html; charset=utf-8", b"<html>listing</html>" * 40, "gzip"),
    ("https://example.org/blog/page/2?b=2&a=1", "text/html", b"<html>page two</html>", None),
    ("https://example.org/feed.xml", "application/rss+xml", b"<rss>" + os.urandom(64).hex().encode() + b"</rss>", "gzip"),
]


def write_all(archive, exchanges=EXCHANGES):
    locations = []
    for url, ctype, body, encoding in exchanges:
        raw = gzip.compress(body, mtime=0) if encoding else body
        headers = [("Content-Type", ctype), ("Content-Length", str(len(raw)))]
        if encoding:
            headers.append(("Content-Encoding", encoding))
        locations.append(archive.write_exchange(
            url, 200, "OK", "HTTP/1.1", headers, raw,
            [("Host", "example.org"), ("User-Agent", "scraper-test"), ("Accept-Encoding", "gzip")],
            fetched_at=FETCHED))
    return locations


def test_round_trip_with_warcio(tmp_path):
    with WarcArchive(tmp_path, clock=clock, ids=counter_ids()) as archive:
        locations = write_all(archive)
    (path,) = archive.files
    assert re.fullmatch(r"scraper-20260304050607-00001\.warc\.gz", path.name)
    with open(path, "rb") as f:
        records = list(_records(f))
    assert [r[0] for r in records] == ["warcinfo"] + ["response", "request"] * 3
    assert b"software: scraper/" in records[0][3]
    for (url, _, body, encoding), resp, req, loc in zip(EXCHANGES, records[1::2], records[2::2], locations):
        rtype, headers, http, raw, decoded = resp
        assert headers["WARC-Target-URI"] == url and headers["WARC-Date"] == FETCHED
        assert headers["WARC-Payload-Digest"].startswith("sha1:")
        assert http.get_header("Content-Encoding") == encoding  # kept as on the wire
        assert raw == (gzip.compress(body, mtime=0) if encoding else body)  # still encoded
        assert decoded == body
        assert req[1]["WARC-Concurrent-To"] == headers["WARC-Record-ID"]
        assert req[2].protocol == "GET" and req[1]["WARC-Target-URI"] == url
        assert loc.file == str(path)


def _records(f):
    """(type, WARC headers, http headers, raw payload, decoded payload) per record.

    A payload stream can be read once, so raw and decoded payloads come from two passes."""
    raws = [rec.raw_stream.read() for rec in ArchiveIterator(f)]
    f.seek(0)
    for raw, rec in zip(raws, ArchiveIterator(f)):
        decoded = rec.content_stream().read() if rec.rec_type == "response" else None
        yield rec.rec_type, dict(rec.rec_headers.headers), rec.http_headers, raw, decoded


def test_iter_responses_reads_back_decoded(tmp_path):
    with WarcArchive(tmp_path, clock=clock) as archive:
        locations = write_all(archive)
    responses = list(iter_responses(tmp_path))
    assert [r.url for r in responses] == [e[0] for e in EXCHANGES]
    assert [r.body for r in responses] == [e[2] for e in EXCHANGES]
    assert [r.offset for r in responses] == [loc.offset for loc in locations]
    assert all(r.status == 200 and r.fetched_at == FETCHED for r in responses)
    assert ("Content-Encoding", "gzip") in responses[0].headers


def test_transfer_encoding_is_not_claimed_for_a_dechunked_body(tmp_path):
    with WarcArchive(tmp_path, clock=clock) as archive:
        archive.write_exchange("https://e.org/", 200, "OK", "HTTP/1.1",
                               [("Transfer-Encoding", "chunked"), ("Content-Type", "text/html")],
                               b"<p>body</p>", [], fetched_at=FETCHED)
    (resp,) = iter_responses(archive.files[0])
    assert resp.body == b"<p>body</p>"
    assert ("X-Archive-Orig-Transfer-Encoding", "chunked") in resp.headers


def test_rotation_at_max_bytes(tmp_path):
    bodies = [os.urandom(3000) for _ in range(6)]  # incompressible: ~3 KB per record
    with WarcArchive(tmp_path, max_bytes=5000, clock=clock) as archive:
        for i, body in enumerate(bodies):
            archive.write_exchange(f"https://e.org/{i}", 200, "OK", "HTTP/1.1",
                                   [("Content-Type", "application/octet-stream")], body, [],
                                   fetched_at=FETCHED)
    assert len(archive.files) == 3
    assert [p.name for p in archive.files] == [f"scraper-20260304050607-0000{i}.warc.gz" for i in (1, 2, 3)]
    for path in archive.files:
        with open(path, "rb") as f:
            assert next(iter(ArchiveIterator(f))).rec_type == "warcinfo"
    assert [r.body for r in iter_responses(str(tmp_path / "*.warc.gz"))] == bodies


def test_new_archive_never_overwrites_an_existing_file(tmp_path):
    for _ in range(2):
        with WarcArchive(tmp_path, clock=clock) as archive:
            write_all(archive, EXCHANGES[:1])
    assert sorted(p.name for p in tmp_path.glob("*.warc.gz")) == [
        "scraper-20260304050607-00001.warc.gz", "scraper-20260304050607-00002.warc.gz"]


def test_cdxj_lines_point_at_response_records(tmp_path):
    with WarcArchive(tmp_path, max_bytes=1500, clock=clock) as archive:
        write_all(archive)
    lines = [line for p in sorted(tmp_path.glob("*.cdxj")) for line in p.read_text().splitlines()]
    assert len(lines) == len(EXCHANGES)
    for line, (url, ctype, body, _) in zip(lines, EXCHANGES):
        key, stamp, blob = line.split(" ", 2)
        fields = json.loads(blob)
        assert key == surt_key(url) and stamp == "20260304050607"
        assert fields["url"] == url and fields["status"] == "200"
        assert fields["mime"] == ctype.split(";")[0]
        with open(tmp_path / fields["filename"], "rb") as f:
            f.seek(int(fields["offset"]))
            member = f.read(int(fields["length"]))
        record = next(iter(ArchiveIterator(io.BytesIO(member))))
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == url
        assert record.rec_headers.get_header("WARC-Payload-Digest") == fields["digest"]
        assert record.content_stream().read() == body


def test_injected_clock_and_ids_make_identical_archives(tmp_path):
    outputs = []
    for name in ("a", "b"):
        with WarcArchive(tmp_path / name, clock=clock, ids=counter_ids()) as archive:
            write_all(archive)
        outputs.append(archive.files[0].read_bytes())
    assert outputs[0] == outputs[1]


def test_torn_last_record_is_skipped_with_a_warning(tmp_path, caplog):
    with WarcArchive(tmp_path, clock=clock) as archive:
        locations = write_all(archive)
    path = archive.files[0]
    data = path.read_bytes()
    # Killed inside the last response record.
    path.write_bytes(data[: locations[-1].offset + locations[-1].length // 2])
    responses = list(iter_responses(path))
    assert [r.url for r in responses] == [e[0] for e in EXCHANGES[:-1]]
    assert [r.body for r in responses] == [e[2] for e in EXCHANGES[:-1]]
    assert "stopped reading" in caplog.text


@pytest.mark.parametrize("url, key", [
    ("https://www.Example.com/A/b?z=1&a=2", "com,example)/a/b?a=2&z=1"),
    ("http://example.com:8080/", "com,example:8080)/"),
    ("https://example.com", "com,example)/"),
    ("http://127.0.0.1:8765/tag/a/", "127.0.0.1:8765)/tag/a/"),
    ("http://[::1]/x", "::1)/x"),
])
def test_surt_key(url, key):
    assert surt_key(url) == key


def test_date_14():
    assert date_14("2026-03-04T05:06:07.123Z") == "20260304050607"
    assert date_14("2026-03-04T07:06:07+02:00") == "20260304050607"


def test_importing_write_does_not_import_warcio():
    code = "import sys, scraper.write; assert 'warcio' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_any_truncation_yields_only_complete_responses(tmp_path):
    """Cut the file at every few bytes: never an exception, never a partial body."""
    with WarcArchive(tmp_path / "w", clock=clock) as archive:
        write_all(archive)
    data = archive.files[0].read_bytes()
    cut = tmp_path / "cut.warc.gz"
    expected = [(e[0], e[2]) for e in EXCHANGES]
    for n in range(0, len(data), 5):
        cut.write_bytes(data[:n])
        got = [(r.url, r.body) for r in iter_responses(cut)]
        assert got == expected[: len(got)]


def test_mapping_headers_and_default_reason(tmp_path):
    with WarcArchive(tmp_path, clock=clock) as archive:
        archive.write_exchange("https://e.org/gone", 404, "", "HTTP/2", {"content-type": "text/plain"},
                               b"gone", {"user-agent": "t"}, fetched_at="")
    with open(archive.files[0], "rb") as f:
        statuslines = [(r.http_headers.protocol, r.http_headers.statusline)
                       for r in ArchiveIterator(f) if r.http_headers]
    assert statuslines == [("HTTP/2", "404 Not Found"), ("GET", "/gone HTTP/2")]
    (resp,) = iter_responses(archive.files[0])
    assert (resp.status, resp.body, resp.fetched_at) == (404, b"gone", FETCHED)
