"""Scheduled archiving that never loses or duplicates a record: the installed
``scraper crawl`` run again and again over a static site that changes between runs
(a generated blog in tmp_path, served with ETags by the FaultServer)."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import jsonschema
import pytest

from conftest import make_posts, read_json_records, read_jsonl_records, run_scraper, scraper_exe
from faultserver import FaultServer

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "scraper" / "schema" / "record.schema.json")
                    .read_text(encoding="utf-8"))
FAST = ("--delay", "0", "--timeout", "5", "--retries", "1", "--max-retry-after", "2")


def crawl(srv: FaultServer, blog, out: Path, *extra: str):
    return run_scraper("crawl", srv.url(blog.listing_path()), "--out", out, *FAST, *extra)


def stops(stderr: str) -> dict[str, int]:
    m = re.search(r"^stopped paging: (.*)$", stderr, re.M)
    return {k: int(v) for k, v in re.findall(r"([a-z-]+) (\d+)", m.group(1))} if m else {}


def counts(stderr: str) -> tuple[int, int, int]:
    m = re.search(r"^posts: (\d+) new, (\d+) updated, (\d+) unchanged", stderr, re.M)
    assert m, stderr
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def snapshot(out: Path) -> dict[str, bytes]:
    """Every record file under ``out`` (the state database and its lock left out)."""
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and not p.name.startswith(".scraper-state")}


def listing_hits(srv: FaultServer, blog) -> list:
    pages = {blog.listing_path(n) for n in range(1, blog.pages + 1)}
    return [h for h in srv.requests if h.path in pages]


def validate_all(records: list[dict]) -> None:
    for r in records:
        jsonschema.validate(r, SCHEMA)


def jsonl_file(out: Path) -> Path:
    (path,) = out.glob("*.jsonl")
    return path


# --- re-runs --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_second_run_is_conditional_and_writes_nothing(make_blog, tmp_path, fmt):
    blog = make_blog(make_posts(20), per_page=5)
    out = tmp_path / "out"
    with FaultServer(blog.root, etags=True) as srv:
        first = crawl(srv, blog, out, "--format", fmt)
        assert first.returncode == 0, first.stderr
        assert counts(first.stderr) == (20, 0, 0)
        assert not [h for h in srv.requests if "if-none-match" in h.headers]
        before = snapshot(out)
        srv.reset()
        second = crawl(srv, blog, out, "--format", fmt)
        hits = listing_hits(srv, blog)
    assert second.returncode == 0, second.stderr
    assert counts(second.stderr) == (0, 0, 0)
    assert "0 new" in second.stderr
    assert hits and all(h.headers.get("if-none-match", "").startswith('"') for h in hits), hits
    assert re.search(rf"^pages fetched: {len(hits)} \({len(hits)} not modified\)", second.stderr, re.M), second.stderr
    assert [h.path for h in hits] == [blog.listing_path(1), blog.listing_path(2)], "304, one more page, stop"
    assert stops(second.stderr) == {"not-modified": 1}
    assert snapshot(out) == before, "a re-run with nothing new must not touch the records"


def test_changed_post_json_gets_revision_2(make_blog, tmp_path):
    blog = make_blog(make_posts(10), per_page=5)
    out = tmp_path / "out"
    changed = blog.posts[1]
    with FaultServer(blog.root, etags=True) as srv:
        assert crawl(srv, blog, out).returncode == 0
        before = snapshot(out)
        old = next(r for r in read_json_records(out) if r["title"] == changed.title)
        changed.paragraphs[0] += " Correction: the vote was postponed to June."
        blog.write()
        second = crawl(srv, blog, out)
    assert second.returncode == 0, second.stderr
    assert counts(second.stderr)[:2] == (0, 1)
    recs = {r["title"]: r for r in read_json_records(out)}
    assert len(recs) == 10
    new = recs[changed.title]
    assert new["id"] == old["id"] and new["revision"] == 2
    assert new["text"] == changed.text() and "postponed to June" in new["text"]
    assert new["sha256"] != old["sha256"]
    after = snapshot(out)
    assert set(after) == set(before), "no revision copies without --keep-revisions"
    assert [k for k in after if after[k] != before[k]] == [f"127.0.0.1/{old['id']}.json"]
    validate_all(list(recs.values()))


def test_changed_post_keep_revisions(make_blog, tmp_path):
    blog = make_blog(make_posts(10), per_page=5)
    out = tmp_path / "out"
    changed = blog.posts[0]
    with FaultServer(blog.root, etags=True) as srv:
        assert crawl(srv, blog, out, "--keep-revisions").returncode == 0
        (path,) = [p for p in out.glob("*/*.json") if json.loads(p.read_bytes())["title"] == changed.title]
        old_bytes = path.read_bytes()
        changed.paragraphs[-1] = "This paragraph was rewritten after publication."
        blog.write()
        second = crawl(srv, blog, out, "--keep-revisions")
    assert second.returncode == 0, second.stderr
    assert counts(second.stderr)[:2] == (0, 1)
    kept = path.with_name(path.stem + ".r1.json")
    assert kept.is_file(), sorted(p.name for p in path.parent.iterdir())
    assert kept.read_bytes() == old_bytes
    assert json.loads(kept.read_bytes())["revision"] == 1
    current = json.loads(path.read_bytes())
    assert current["revision"] == 2 and current["text"] == changed.text()
    assert len(list(path.parent.glob("*.r*.json"))) == 1


def test_changed_post_jsonl_appends_one_line(make_blog, tmp_path):
    blog = make_blog(make_posts(10), per_page=5)
    out = tmp_path / "out"
    changed = blog.posts[3]
    with FaultServer(blog.root, etags=True) as srv:
        assert crawl(srv, blog, out, "--format", "jsonl").returncode == 0
        before = jsonl_file(out).read_bytes()
        changed.paragraphs.append("Update: the council has since confirmed the figures.")
        blog.write()
        second = crawl(srv, blog, out, "--format", "jsonl")
    assert second.returncode == 0, second.stderr
    assert counts(second.stderr)[:2] == (0, 1)
    data = jsonl_file(out).read_bytes()
    assert data.startswith(before), "JSON Lines are append-only"
    added = data[len(before):].decode("utf-8").splitlines()
    assert len(added) == 1
    line = json.loads(added[0])
    first_lines = [json.loads(x) for x in before.decode("utf-8").splitlines()]
    old = next(r for r in first_lines if r["title"] == changed.title)
    assert line["id"] == old["id"] and line["revision"] == 2 and old["revision"] == 1
    assert line["text"] == changed.text()
    validate_all(read_jsonl_records(jsonl_file(out)))


def test_new_post_on_top_stops_paging_early(make_blog, tmp_path):
    blog = make_blog(make_posts(20), per_page=5)  # 4 pages
    out = tmp_path / "out"
    with FaultServer(blog.root, etags=True) as srv:
        assert crawl(srv, blog, out, "--format", "jsonl").returncode == 0
        before = jsonl_file(out).read_bytes()
        fresh = make_posts(1, seed=99, start="2016-07-01", prefix="Breaking: ")[0]
        blog.posts.insert(0, fresh)  # every page shifts by one post; now 5 pages
        blog.write()
        srv.reset()
        second = crawl(srv, blog, out, "--format", "jsonl")
        fetched = [h.path for h in listing_hits(srv, blog)]
    assert second.returncode == 0, second.stderr
    new, updated, unchanged = counts(second.stderr)
    assert (new, updated) == (1, 0)
    assert fetched == [blog.listing_path(n) for n in (1, 2, 3)], fetched
    assert blog.listing_path(4) not in fetched and blog.listing_path(5) not in fetched
    assert unchanged == 14  # pages 1-3 show 15 posts, one of them new
    assert set(stops(second.stderr)) <= {"known", "not-modified"} and stops(second.stderr), second.stderr
    data = jsonl_file(out).read_bytes()
    assert data.startswith(before)
    added = [json.loads(x) for x in data[len(before):].decode("utf-8").splitlines()]
    assert [r["title"] for r in added] == [fresh.title]
    assert added[0]["revision"] == 1
    records = read_jsonl_records(jsonl_file(out))
    assert len(records) == len({r["id"] for r in records}) == 21
    validate_all(records)


def test_full_walks_every_page_again(make_blog, tmp_path):
    blog = make_blog(make_posts(20), per_page=5)
    out = tmp_path / "out"
    with FaultServer(blog.root, etags=True) as srv:
        assert crawl(srv, blog, out).returncode == 0
        before = snapshot(out)
        srv.reset()
        second = crawl(srv, blog, out, "--full")
        hits = listing_hits(srv, blog)
    assert second.returncode == 0, second.stderr
    assert [h.path for h in hits] == [blog.listing_path(n) for n in range(1, 5)]
    assert not [h for h in hits if "if-none-match" in h.headers], "--full sends no validators"
    assert counts(second.stderr) == (0, 0, 20)
    assert re.search(r"^pages fetched: 4 \(0 not modified\)", second.stderr, re.M), second.stderr
    assert stops(second.stderr) == {"last": 1}
    assert snapshot(out) == before


# --- one run at a time ------------------------------------------------------------------------


def test_second_crawl_on_a_locked_state_exits_2(make_blog, tmp_path):
    blog = make_blog(make_posts(15), per_page=5)
    out = tmp_path / "out"
    with FaultServer(blog.root) as srv:
        srv.rule(blog.listing_path(2), delay=4)  # time enough for a second process to start
        first = subprocess.Popen([scraper_exe(), "crawl", srv.url(blog.listing_path()), "--out", str(out), *FAST],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 20
            while not srv.hits(blog.listing_path(2)):  # the first run holds the state and waits on page 2
                assert first.poll() is None, first.communicate()
                assert time.monotonic() < deadline, "the first crawl never reached page 2"
                time.sleep(0.05)
            second = run_scraper("crawl", srv.url(blog.listing_path()), "--out", out, *FAST)
            still_running = first.poll() is None
        finally:
            _, first_err = first.communicate(timeout=30)
    assert still_running
    assert second.returncode == 2, second.stderr
    state = out / ".scraper-state.sqlite"
    assert str(state) in second.stderr, second.stderr
    assert "locked" in second.stderr
    assert f"pid {first.pid}" in second.stderr
    assert first.returncode == 0, first_err
    assert len(read_json_records(out)) == 15, "the locked-out run wrote nothing, the first run all"


# --- the records load and validate ----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_output_loads_and_validates_against_the_schema(make_blog, tmp_path, fmt):
    blog = make_blog(make_posts(8), per_page=4, excerpts=True, permalinks=True)
    out = tmp_path / "out"
    with FaultServer(blog.root, etags=True) as srv:
        proc = crawl(srv, blog, out, "--format", fmt, "--follow")
    assert proc.returncode == 0, proc.stderr
    if fmt == "jsonl":
        lines = jsonl_file(out).read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines]
    else:
        records = read_json_records(out)
    assert len(records) == 8
    validate_all(records)
    assert all(r["full_text"] and r["revision"] == 1 and r["schema_version"] == 1 for r in records)
    assert sorted(r["text"] for r in records) == sorted(p.text() for p in blog.posts)


# --- a run that did not reach the end of the listing -------------------------------------------


@pytest.mark.parametrize("etags", [False, True])
def test_page_that_failed_is_fetched_by_the_next_run(make_blog, tmp_path, etags):
    blog = make_blog(make_posts(20), per_page=5)
    out = tmp_path / "out"
    with FaultServer(blog.root, etags=etags) as srv:
        srv.rule(blog.listing_path(3), status=503)
        first = crawl(srv, blog, out)
        assert first.returncode == 1, first.stderr
        assert len(read_json_records(out)) == 10
        srv.reset()  # page 3 is back
        second = crawl(srv, blog, out)
        fetched = [h.path for h in listing_hits(srv, blog)]
    assert second.returncode == 0, second.stderr
    assert counts(second.stderr)[0] == 10, f"fetched {fetched}\n{second.stderr}"
    assert len(read_json_records(out)) == 20
