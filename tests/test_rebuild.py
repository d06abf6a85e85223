"""``--warc`` archives and ``scraper parse --warc``: a live ``--follow`` crawl of a listing
that shows excerpts (the seed's seven posts, three a page, each with its permalink
page), then the same records rebuilt offline from the WARC files; and the archive
itself read back with warcio: request/response pairs and a CDXJ index."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from conftest import Blog, read_jsonl_records, run_scraper, seed_posts
from faultserver import FaultServer

FAST = ("--delay", "0", "--timeout", "5", "--retries", "1", "--max-retry-after", "2")


def crawl_and_rebuild(tmp: Path, blog: Blog, srv: FaultServer) -> dict[str, Any]:
    out, warc = tmp / "out", tmp / "warc"
    live_proc = run_scraper("crawl", srv.url(blog.listing_path()), "--out", out, "--format", "jsonl", "--follow",
                            "--warc", warc, *FAST)
    fetched = [h.path for h in srv.requests]
    rebuilt = run_scraper("parse", "--warc", f"{warc}/*.warc.gz", cwd=tmp)
    (jsonl,) = out.glob("*.jsonl")
    return {"live_proc": live_proc, "live": read_jsonl_records(jsonl), "rebuilt_proc": rebuilt,
            "rebuilt": [json.loads(line) for line in rebuilt.stdout.splitlines()], "fetched": fetched,
            "warc": warc, "base": srv.url("")}


def unlinked(text: str) -> str:
    """Markdown links ``[words](url)`` back to their words (see the xfail on clean text)."""
    return re.sub(r"\[([^\]]*)\]\([^)\s]*\)", r"\1", text)


def warc_records(warc: Path) -> list[dict[str, Any]]:
    """Every record of every WARC file, in file order, with what the tests look at."""
    found = []
    for path in sorted(warc.glob("*.warc.gz")):
        with open(path, "rb") as f:
            it = ArchiveIterator(f)
            for rec in it:
                h = rec.rec_headers
                raw = rec.raw_stream.read()  # first: asking the iterator for the offset ends the stream
                item = {"file": path.name, "offset": it.get_record_offset(), "length": it.get_record_length(),
                        "type": rec.rec_type, "uri": h.get_header("WARC-Target-URI"),
                        "id": h.get_header("WARC-Record-ID"), "concurrent": h.get_header("WARC-Concurrent-To"),
                        "digest": h.get_header("WARC-Payload-Digest"), "version": h.protocol,
                        "http": rec.http_headers, "raw": raw}
                found.append(item)
    return found


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("rebuild")
    blog = Blog(tmp / "site", seed_posts(), per_page=3, excerpts=True, permalinks=True, tag="civil-society").write()
    with FaultServer(blog.root) as srv:
        # content-encoding on the wire: archived as received, still gzip'ed
        srv.rule(blog.listing_path(2), gzip=True)
        srv.rule(blog.posts[0].slug, gzip=True)
        run = crawl_and_rebuild(tmp, blog, srv)
    run["blog"] = blog
    return run


def test_live_crawl_follows_every_permalink(archived):
    proc, live, blog = archived["live_proc"], archived["live"], archived["blog"]
    assert proc.returncode == 0, proc.stderr
    assert [r["title"] for r in live] == [p.title for p in blog.posts]
    assert all(r["full_text"] for r in live)
    assert [unlinked(r["text"]) for r in live] == [p.text() for p in blog.posts]
    assert [r["page"] for r in live] == [1, 1, 1, 2, 2, 2, 3]
    assert all(r["warc_file"] and isinstance(r["warc_offset"], int) for r in live)
    assert "7 followed" in proc.stderr


def test_followed_text_is_clean_text(archived):
    live, blog = archived["live"], archived["blog"]
    assert [r["text"] for r in live] == [p.text() for p in blog.posts]


def test_parse_warc_rebuilds_the_same_records_in_order(archived):
    proc, live, rebuilt = archived["rebuilt_proc"], archived["live"], archived["rebuilt"]
    assert proc.returncode == 0, proc.stderr
    assert len(rebuilt) == len(live) == 7
    assert [r["id"] for r in rebuilt] == [r["id"] for r in live]
    for a, b in zip(live, rebuilt):
        for key in ("title", "url", "date", "text", "html", "full_text", "sha256", "source", "status", "page",
                    "warc_file", "warc_offset", "fetched_at", "author", "comments", "tags"):
            assert b[key] == a[key], (a["title"], key)
    assert rebuilt == live, "every field, revision and schema_version included"


def test_warc_holds_a_request_and_a_response_for_every_page(archived):
    records = warc_records(archived["warc"])
    base, fetched = archived["base"], archived["fetched"]
    assert records[0]["type"] == "warcinfo"
    assert {r["version"] for r in records} == {"WARC/1.1"}
    responses = [r for r in records if r["type"] == "response"]
    requests = [r for r in records if r["type"] == "request"]
    pages = [p for p in fetched if p != "/robots.txt"]
    print(f"robots.txt fetched {fetched.count('/robots.txt')}x, archived: "
          f"{any(r['uri'] == base + '/robots.txt' for r in responses)}")
    # every page fetched is archived once, request and response, in fetch order
    assert [r["uri"] for r in responses if r["uri"] != base + "/robots.txt"] == [base + p for p in pages]
    assert set(r["uri"] for r in responses) <= {base + p for p in fetched}
    by_id = {r["id"]: r for r in responses}
    assert len(requests) == len(responses)
    for req in requests:
        resp = by_id[req["concurrent"]]  # each request points at its response
        assert resp["uri"] == req["uri"]
        assert req["http"].protocol == "GET"  # warcio splits a request line at its first space
        assert req["http"].statusline.split()[0] == resp["uri"].removeprefix(base)
        assert req["http"].get_header("User-Agent", "").startswith("scraper/")
    for resp in responses:
        assert resp["http"].get_statuscode() == "200"
        assert resp["digest"].startswith("sha1:")


def test_warc_keeps_content_encoding_as_received(archived):
    blog, base = archived["blog"], archived["base"]
    responses = {r["uri"]: r for r in warc_records(archived["warc"]) if r["type"] == "response"}
    for path in (blog.listing_path(2), blog.posts[0].slug):
        r = responses[base + path]
        assert r["http"].get_header("Content-Encoding") == "gzip"
        assert r["raw"][:2] == b"\x1f\x8b", "the payload is stored still gzip'ed"
    plain = responses[base + blog.listing_path(1)]
    assert plain["http"].get_header("Content-Encoding") is None
    assert plain["raw"].lstrip().lower().startswith(b"<!doctype html")


def test_cdxj_offsets_point_at_response_records(archived):
    warc = archived["warc"]
    responses = [r for r in warc_records(warc) if r["type"] == "response"]
    lines = []
    for index in sorted(warc.glob("*.cdxj")):
        assert Path(str(index)[: -len(".cdxj")]).is_file(), index
        lines += index.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(responses)
    for line, resp in zip(lines, responses):
        m = re.fullmatch(r"(\S+) (\d{14}) (\{.*\})", line)
        assert m, line
        fields = json.loads(m.group(3))
        assert fields["url"] == resp["uri"]
        path = warc / fields["filename"]
        with open(path, "rb") as f:
            f.seek(int(fields["offset"]))
            it = ArchiveIterator(f)
            rec = next(it)
            assert rec.rec_type == "response", line
            assert rec.rec_headers.get_header("WARC-Target-URI") == fields["url"]
            assert rec.rec_headers.get_header("WARC-Payload-Digest") == fields["digest"]
            assert rec.http_headers.get_statuscode() == fields["status"]
            rec.raw_stream.read()
            assert it.get_record_offset() == int(fields["offset"])
            assert it.get_record_length() == int(fields["length"])
        assert (fields["filename"], int(fields["offset"])) == (resp["file"], resp["offset"])
        assert fields["mime"] == ("text/plain" if fields["url"].endswith("/robots.txt") else "text/html")
    # the records' provenance points at the listing pages' responses
    by_place = {(r["file"], r["offset"]): r["uri"] for r in responses}
    for rec in archived["live"]:
        assert by_place[(rec["warc_file"], rec["warc_offset"])] == rec["source"]


# --- redirects -------------------------------------------------------------------------------


def _redirected(tmp_path: Path, what: str) -> dict[str, Any]:
    blog = Blog(tmp_path / "site", seed_posts(), per_page=3, excerpts=True, permalinks=True, tag="civil-society")
    with FaultServer(blog.root) as srv:
        if what == "permalink":  # the listing links to an old address that redirects to the article
            post = blog.posts[1]
            old, post.slug = post.slug, post.slug.rstrip("/") + "-renamed/"
            blog.write()
            post.slug = old  # the listing (rewritten below) still shows the old address
            srv.rule(old, status=301, headers={"Location": old.rstrip("/") + "-renamed/"})
        else:  # page 2's link lacks its slash and redirects
            blog.next_href = {1: "/tag/civil-society/page/2"}
            srv.rule("/tag/civil-society/page/2", status=301, headers={"Location": "/tag/civil-society/page/2/"})
        blog.write()
        run = crawl_and_rebuild(tmp_path, blog, srv)
    assert run["live_proc"].returncode == 0, run["live_proc"].stderr
    run["blog"] = blog
    return run


def test_redirected_permalink_is_followed_live(tmp_path):
    run = _redirected(tmp_path, "permalink")
    assert all(r["full_text"] for r in run["live"])
    assert [unlinked(r["text"]) for r in run["live"]] == [p.text() for p in run["blog"].posts]


def test_redirected_permalink_rebuilds_the_same_record(tmp_path):
    run = _redirected(tmp_path, "permalink")
    assert run["rebuilt"] == run["live"]


def test_redirected_listing_page_rebuilds_the_same_page_numbers(tmp_path):
    run = _redirected(tmp_path, "page")
    assert [r["page"] for r in run["live"]] == [1, 1, 1, 2, 2, 2, 3]
    assert [r["page"] for r in run["rebuilt"]] == [r["page"] for r in run["live"]]


def test_warc_keeps_every_request_and_response(tmp_path):
    blog = Blog(tmp_path / "site", seed_posts(), per_page=4, tag="civil-society").write()
    with FaultServer(blog.root) as srv:
        blog.next_href = {1: "/tag/civil-society/page/2"}
        blog.write()
        srv.rule("/tag/civil-society/page/2", status=301, headers={"Location": "/tag/civil-society/page/2/"})
        srv.rule(blog.listing_path(1), status=503, times=1)
        proc = run_scraper("crawl", srv.url(blog.listing_path()), "--out", tmp_path / "out", "--warc",
                           tmp_path / "warc", *FAST)
        fetched = [h.path for h in srv.requests]
        base = srv.url("")
    assert proc.returncode == 0, proc.stderr
    assert fetched == ["/robots.txt", "/tag/civil-society/", "/tag/civil-society/", "/tag/civil-society/page/2",
                       "/tag/civil-society/page/2/"]
    archived = [(r["uri"], r["http"].get_statuscode()) for r in warc_records(tmp_path / "warc")
                if r["type"] == "response"]
    assert archived == [(base + "/robots.txt", "200"), (base + "/tag/civil-society/", "503"),
                        (base + "/tag/civil-society/", "200"), (base + "/tag/civil-society/page/2", "301"),
                        (base + "/tag/civil-society/page/2/", "200")], archived
