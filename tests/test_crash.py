"""Killed at any point (``kill -9``), the same command again ends with every post
exactly once: the installed ``scraper crawl`` SIGKILLed at random points, again and
again, then run to completion, over a site of 8 listing pages x 5 posts served with a
small delay on every request so that the kills land mid-crawl.

Each format runs the loop twice: with the plain command, and with ``--full`` (every run
walks all 8 pages, so every kill lands inside a crawl that still has posts to write,
whatever state the earlier kills left).

The random loop prints its seed; ``SCRAPER_CRASH_SEED=<seed>`` replays it."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import Blog, make_posts, read_json_records, read_jsonl_records, run_scraper, scraper_exe
from faultserver import FaultServer

PAGES, PER_PAGE = 8, 5
REQUEST_DELAY = 0.2  # per request, robots.txt included: a full crawl takes ~2 s
KILLS = 8            # per loop
FAST = ("--delay", "0", "--timeout", "5", "--retries", "1", "--max-retry-after", "2")


def crawl_args(srv: FaultServer, blog: Blog, out: Path, fmt: str, *extra: str) -> list[str]:
    return ["crawl", srv.url(blog.listing_path()), "--out", str(out), "--format", fmt, *FAST, *extra]


def counts(stderr: str) -> tuple[int, int, int]:
    m = re.search(r"^posts: (\d+) new, (\d+) updated, (\d+) unchanged", stderr, re.M)
    assert m, stderr
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def kill_after(srv: FaultServer, args: list[str], delay: float, page: str | None = None,
               answered: bool = True) -> str:
    """Start the command, wait for its first request (or, with ``page``, for the moment
    the server answers that page, or with ``answered=False`` receives its request),
    sleep ``delay``, SIGKILL it. Returns 'killed', or 'finished' when it ended before
    the signal."""
    srv.reset()
    proc = subprocess.Popen([scraper_exe(), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not (srv.hits(page) if page else srv.requests) and proc.poll() is None:
            assert time.monotonic() < deadline, "the crawl never sent the request"
            time.sleep(0.002)
        time.sleep(delay + (REQUEST_DELAY if page and answered else 0.0))
        if proc.poll() is not None:
            return "finished"
        proc.send_signal(signal.SIGKILL)
        return "killed"
    finally:
        _, err = proc.communicate(timeout=30)
        assert "Traceback" not in err, err


def output_files(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*") if p.is_file())


def classify(out: Path, fmt: str) -> dict[str, list[str]]:
    """Files under ``out``: records, state, hidden temp files, and anything else."""
    kinds: dict[str, list[str]] = {"records": [], "state": [], "hidden_tmp": [], "other": []}
    for p in output_files(out):
        rel = str(p.relative_to(out))
        if p.name.startswith(".scraper-state.sqlite"):
            kinds["state"].append(rel)
        elif p.name.startswith(".") and p.name.endswith(".tmp"):
            kinds["hidden_tmp"].append(rel)
        elif (fmt == "json" and re.fullmatch(r"[0-9a-f]{20}\.json", p.name)) or (fmt == "jsonl" and p.suffix == ".jsonl"):
            kinds["records"].append(rel)
        else:
            kinds["other"].append(rel)
    return kinds


def load_records(out: Path, fmt: str) -> list[dict[str, Any]]:
    if fmt == "json":
        return read_json_records(out)
    files = list(out.glob("*.jsonl"))
    assert len(files) <= 1, files
    return read_jsonl_records(files[0]) if files else []


def state_posts(out: Path) -> dict[str, tuple[str, int]]:
    db = sqlite3.connect(f"file:{out / '.scraper-state.sqlite'}?mode=ro", uri=True)
    try:
        return {i: (s, r) for i, s, r in db.execute("SELECT id, sha256, revision FROM posts")}
    finally:
        db.close()


def crash_loop(blog: Blog, tmp: Path, fmt: str, mode: str, rng: random.Random) -> dict[str, Any]:
    """``KILLS`` kills, then the same command to completion, then once more."""
    out = tmp / f"out-{fmt}-{mode}"
    events = []
    with FaultServer(blog.root, delay=REQUEST_DELAY) as srv:
        base = srv.url("")
        args = crawl_args(srv, blog, out, fmt, *(["--full"] if mode == "full" else []))
        for i in range(KILLS):
            if mode == "full" and i % 2:
                # aimed at the parsing and writing that follow the answer for a page whose
                # posts are not all on disk yet
                on_disk = len(load_records(out, fmt)) if out.exists() else 0
                n = min(PAGES, on_disk // PER_PAGE + 1 + rng.randint(0, 1))
                delay = rng.uniform(0.0, 0.05)
                what = kill_after(srv, args, delay, page=blog.listing_path(n))
                when = f"{delay:.3f}s after page {n} was answered"
            elif i == 0:
                # the first kill of a loop lands well inside the crawl: while page 3-7 is
                # in flight, the pages before it parsed and written
                n = rng.randint(3, 7)
                delay = rng.uniform(0.02, REQUEST_DELAY - 0.05)
                what = kill_after(srv, args, delay, page=blog.listing_path(n), answered=False)
                when = f"{delay:.2f}s after page {n} was requested"
            else:
                delay = rng.uniform(0.05, 1.5)
                what = kill_after(srv, args, delay)
                when = f"{delay:.2f}s after the first request"
            pages = [h.path for h in srv.requests if h.path.startswith("/tag/")]
            on_disk = len(load_records(out, fmt)) if out.exists() else 0
            events.append(f"{what} {when} (listing pages requested: {len(pages)}, records: {on_disk})")
        srv.reset()
        final = run_scraper(*args, timeout=120)
        final_pages = [h.path for h in srv.requests if h.path.startswith("/tag/")]
        srv.reset()
        again = run_scraper(*args, timeout=120)
    return {"out": out, "fmt": fmt, "mode": mode, "base": base, "events": events, "final": final, "again": again,
            "final_pages": final_pages}


@pytest.fixture(scope="module")
def crash_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    seed = int(os.environ.get("SCRAPER_CRASH_SEED") or random.SystemRandom().randrange(1 << 32))
    print(f"\ncrash loop seed: {seed} (replay with SCRAPER_CRASH_SEED={seed})")
    rng = random.Random(seed)
    tmp = tmp_path_factory.mktemp("crash")
    blog = Blog(tmp / "site", make_posts(PAGES * PER_PAGE, seed=7), per_page=PER_PAGE).write()
    runs = {f"{fmt}-{mode}": crash_loop(blog, tmp, fmt, mode, rng)
            for fmt in ("json", "jsonl") for mode in ("plain", "full")}
    for key, run in runs.items():
        fmt = run["fmt"]
        kinds = classify(run["out"], fmt)
        print(f"[{key}] seed {seed}: " + "; ".join(run["events"]))
        print(f"[{key}] final run: {counts(run['final'].stderr)} new/updated/unchanged, "
              f"listing pages {len(run['final_pages'])}; records on disk: {len(load_records(run['out'], fmt))}; "
              f"hidden temp files left: {kinds['hidden_tmp'] or 'none'}")
    return {"seed": seed, "blog": blog, **runs}  # type: ignore[dict-item]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
@pytest.mark.parametrize("mode", ["plain", "full"])
def test_kill_9_loop_no_duplicates_no_torn_files(crash_runs, fmt, mode):
    run, seed = crash_runs[f"{fmt}-{mode}"], crash_runs["seed"]
    blog: Blog = crash_runs["blog"]
    out = run["out"]
    assert run["final"].returncode == 0, (seed, run["final"].stderr)
    assert run["again"].returncode == 0, (seed, run["again"].stderr)
    assert any(e.startswith("killed") for e in run["events"]), (seed, run["events"])
    kinds = classify(out, fmt)
    assert not kinds["other"], f"seed {seed}: unexpected files left: {kinds['other']}"
    for rel in kinds["records"]:  # every file readable JSON, every line one object
        data = (out / rel).read_text(encoding="utf-8")
        if fmt == "jsonl":
            assert data.endswith("\n") or not data, rel
            for line in data.splitlines():
                assert isinstance(json.loads(line), dict), (seed, rel, line[:80])
        else:
            assert isinstance(json.loads(data), dict), (seed, rel)
    records = load_records(out, fmt)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), f"seed {seed}: duplicated ids {sorted(i for i in set(ids) if ids.count(i) > 1)}"
    assert all(r["revision"] == 1 for r in records), seed
    known = {run["base"] + p.slug: p for p in blog.posts}
    for r in records:
        assert r["url"] in known, (seed, r["url"])
        assert r["text"] == known[r["url"]].text(), (seed, r["url"])
    # the state agrees with the files: the same ids, hashes and revisions
    assert state_posts(out) == {r["id"]: (r["sha256"], r["revision"]) for r in records}, seed
    assert counts(run["again"].stderr)[:2] == (0, 0), (seed, run["again"].stderr)


def check_every_post_once(crash_runs: dict[str, Any], key: str) -> None:
    run, seed = crash_runs[key], crash_runs["seed"]
    blog: Blog = crash_runs["blog"]
    records = load_records(run["out"], run["fmt"])
    ids = [r["id"] for r in records]
    urls = sorted({r["url"] for r in records})
    assert urls == sorted(run["base"] + p.slug for p in blog.posts), (
        f"seed {seed}: {len(urls)} of {len(blog.posts)} posts archived; {run['events']}; "
        f"final run read {len(run['final_pages'])} listing pages:\n{run['final'].stderr}")
    assert len(ids) == len(set(ids)) == PAGES * PER_PAGE


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_kill_9_loop_with_full_every_post_exactly_once(crash_runs, fmt):
    check_every_post_once(crash_runs, f"{fmt}-full")


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_kill_9_loop_every_post_exactly_once(crash_runs, fmt):
    check_every_post_once(crash_runs, f"{fmt}-plain")


# --- deterministic: one kill, while page 4 is being fetched ---------------------------------------


def _kill_during_page_4(tmp_path: Path, fmt: str, etags: bool) -> tuple[Blog, str, list[dict], Any, list[str]]:
    blog = Blog(tmp_path / "site", make_posts(PAGES * PER_PAGE, seed=7), per_page=PER_PAGE).write()
    out = tmp_path / "out"
    with FaultServer(blog.root, etags=etags) as srv:
        base = srv.url("")
        args = crawl_args(srv, blog, out, fmt)
        srv.rule(blog.listing_path(4), delay=5)
        proc = subprocess.Popen([scraper_exe(), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while not srv.hits(blog.listing_path(4)):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.01)
        time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        srv.reset()  # page 4 answers at once from now on
        again = run_scraper(*args)
        fetched = [h.path for h in srv.requests if h.path.startswith("/tag/")]
    return blog, base, load_records(out, fmt), again, fetched


@pytest.mark.parametrize("fmt, etags", [("json", False), ("jsonl", False), ("json", True)])
def test_resume_after_kill_reaches_the_pages_never_fetched(tmp_path, fmt, etags):
    blog, base, records, again, fetched = _kill_during_page_4(tmp_path, fmt, etags)
    assert again.returncode == 0, again.stderr
    assert sorted(r["url"] for r in records) == sorted(base + p.slug for p in blog.posts), (
        f"{len(records)} of {len(blog.posts)} posts; the re-run fetched {fetched}\n{again.stderr}")
