"""Crawl throughput: `scraper crawl` against a minimal Scrapy spider on the same loopback site.

The site (bench/loopsite.py, its own process): 4 hosts (127.0.0.1-4) x 500 listing
pages x 10 posts = 2,000 pages, 20,000 posts. Both crawlers start at the 4 listings,
follow rel=next, keep 4 requests in flight (one per host), no delay, obey robots.txt,
write JSON Lines. The server is measured alone first (httpx client, and its own CPU
seconds per request) to show it is not the bottleneck.

Not the same work: ours finds the posts with its generic splitter (no per-site
rules) and writes validated records plus a SQLite state database; the Scrapy spider
uses four CSS selectors written for this one site. Ours also runs with its output
on tmpfs (/dev/shm), where fsync costs nothing, to show the share of disk syncs (their
latency on a shared disk is also why single runs vary: the compared crawls are tried
3 times, interleaved, and the median run is reported). Then once each at
--concurrency 1 and 8 for context (4 hosts: 8 cannot add parallelism over 4).

    python bench/crawl_throughput.py [--pages-per-host 500] [--posts 10] [--repeats 3] [--json]
About 4 minutes on 2 cores."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from _common import BENCH, BIN, SCRAPER, finish, say

HOSTS = 4
TMPFS = "/dev/shm"


@contextmanager
def loopback_site(pages: int, posts: int, hosts: int = HOSTS, ttl: float = 1200) -> Iterator[tuple[list[str], int]]:
    """Start bench/loopsite.py; yields (start URLs, server pid); stops it afterwards."""
    proc = subprocess.Popen([sys.executable, str(BENCH / "loopsite.py"), "--pages", str(pages), "--posts",
                             str(posts), "--hosts", str(hosts), "--ttl", str(ttl)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # the site is rendered before READY
        if not line.startswith("READY "):
            raise RuntimeError(f"loopsite did not start: {line!r}")
        yield line.split()[1:], proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a running process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_alone(starts: list[str], pid: int, requests: int = 2000) -> dict[str, float]:
    """httpx, 4 keep-alive workers (one per host) walking the listings: the client is the
    heavier side here, so the server's own CPU per request gives its real capacity."""
    import httpx

    async def run() -> float:
        async with httpx.AsyncClient() as client:
            async def walk(start: str) -> None:
                for i in range(1, requests // len(starts) + 1):
                    r = await client.get(start if i == 1 else f"{start}page/{i}/")
                    r.raise_for_status()
            t0 = time.perf_counter()
            await asyncio.wait_for(asyncio.gather(*(walk(s) for s in starts)), timeout=120)
            return time.perf_counter() - t0

    cpu0 = cpu_seconds(pid)
    seconds = asyncio.run(run())
    cpu = cpu_seconds(pid) - cpu0
    return {"requests": requests, "httpx_req_per_s": round(requests / seconds, 1),
            "server_cpu_ms_per_req": round(1000 * cpu / requests, 3),
            "server_capacity_req_per_s": round(requests / cpu, 0) if cpu else float("inf")}


def timed_child(args: list[str], cwd: str, timeout: float = 900) -> tuple[float, float, int]:
    """(wall seconds, child CPU seconds, exit status) of one subprocess run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          timeout=timeout)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-2000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.returncode


def count_records(files: list[Path]) -> tuple[int, int]:
    """(records, distinct post URLs with a title) in JSON Lines files."""
    n, urls = 0, set()
    for f in files:
        with f.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                n += 1
                if rec.get("title") and rec.get("url"):
                    urls.add(rec["url"])
    return n, len(urls)


def figures(name: str, wall: float, cpu: float, status: int, pages: int, records: tuple[int, int]) -> dict[str, Any]:
    return {"name": name, "exit": status, "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
            "pages_per_s": round(pages / wall, 1), "posts_per_s": round(records[0] / wall, 1),
            "cpu_ms_per_page": round(1000 * cpu / pages, 2), "records": records[0], "distinct_urls": records[1]}


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median wall time, with every try's seconds beside it."""
    mid = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    return {**mid, "seconds_all_tries": [r["seconds"] for r in runs]}


def crawl_ours(starts: list[str], concurrency: int, pages: int, where: str | None = None,
               workers: int = 0) -> dict[str, Any]:
    """``where``: the folder for --out (default: the system temporary folder, on disk);
    ``workers``: --parse-workers (processes parsing beside the fetching loop)."""
    with tempfile.TemporaryDirectory(prefix="bench-ours-", dir=where) as tmp:
        args = [SCRAPER, "crawl", *starts, "--delay", "0", "--concurrency", str(concurrency), "--out",
                f"{tmp}/out", "--format", "jsonl", "--quiet", "--parse-workers", str(workers)]
        wall, cpu, status = timed_child(args, tmp)
        return figures(f"scraper --concurrency {concurrency}" + (f" --parse-workers {workers}" if workers else "")
                       + (f" --out {where}/..." if where else ""),
                       wall, cpu, status, pages, count_records(sorted(Path(tmp, "out").glob("*.jsonl"))))


def crawl_scrapy(starts: list[str], pages: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-scrapy-") as tmp:
        args = [str(BIN / "scrapy"), "runspider", str(BENCH / "scrapy_spider.py"), "-a", "starts=" + " ".join(starts),
                "-O", f"{tmp}/out.jsonl:jsonlines"]
        wall, cpu, status = timed_child(args, tmp)
        out = Path(tmp, "out.jsonl")
        return figures("scrapy (CSS selectors)", wall, cpu, status, pages,
                       count_records([out]) if out.exists() else (0, 0))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages-per-host", type=int, default=500)
    ap.add_argument("--posts", type=int, default=10)
    ap.add_argument("--repeats", type=int, default=3, help="tries of the compared crawls (median reported)")
    ap.add_argument("--parse-workers", type=int, default=1,
                    help="our compared run's --parse-workers (the other setting is run too)")
    ap.add_argument("--json", action="store_true", help="only the result JSON on stdout")
    a = ap.parse_args()
    q, pages = a.json, a.pages_per_host * HOSTS
    expected = pages * a.posts
    try:
        import scrapy  # noqa: F401
    except ImportError:
        say(q, "scrapy is not installed (pip install -e '.[bench]'): skipping")
        finish("crawl_throughput", {"skipped": "scrapy not installed"})
        return
    t0 = time.perf_counter()
    with loopback_site(a.pages_per_host, a.posts) as (starts, pid):
        say(q, f"site: {HOSTS} hosts x {a.pages_per_host} pages x {a.posts} posts: {' '.join(starts)}")
        server = server_alone(starts, pid)
        say(q, f"server alone: {server}")

        def show(r: dict[str, Any]) -> dict[str, Any]:
            r["all_posts"] = r["records"] == expected and r["distinct_urls"] == expected
            say(q, "  {name:40s} {seconds:6.1f} s  {pages_per_s:6.1f} pages/s  {posts_per_s:7.1f} posts/s  "
                   "cpu {cpu_ms_per_page:5.2f} ms/page  records {records} (distinct {distinct_urls})".format(**r))
            return r

        tmpfs = TMPFS if Path(TMPFS).is_dir() else None  # writing to RAM: what the per-record fsync costs
        tries: list[list[dict[str, Any]]] = [[], [], [], []]
        for _ in range(a.repeats):  # interleaved, so drift in other load hits all alike
            tries[0].append(show(crawl_ours(starts, 4, pages, workers=a.parse_workers)))
            tries[1].append(show(crawl_scrapy(starts, pages)))
            tries[2].append(show(crawl_ours(starts, 4, pages, workers=0 if a.parse_workers else 1)))
            if tmpfs:
                tries[3].append(show(crawl_ours(starts, 4, pages, tmpfs, workers=a.parse_workers)))
        runs = [median_run(t) for t in tries if t]
        runs += [show(crawl_ours(starts, 1, pages, workers=a.parse_workers)),
                 show(crawl_ours(starts, 8, pages, workers=a.parse_workers))]
    ours, scrapy_run = runs[0], runs[1]
    ratio = round(ours["pages_per_s"] / scrapy_run["pages_per_s"], 2)
    cpu_ratio = round(ours["cpu_ms_per_page"] / scrapy_run["cpu_ms_per_page"], 2)
    say(q, f"ours/scrapy pages/s: {ratio} (goal >= 1); ours/scrapy CPU per page: {cpu_ratio}")
    finish("crawl_throughput", {
        "site": {"hosts": HOSTS, "pages": pages, "posts": expected}, "server_alone": server, "runs": runs,
        "ratio_ours_scrapy_pages_per_s": ratio, "goal_ratio_min": 1.0, "ratio_ours_scrapy_cpu_per_page": cpu_ratio,
        "verified": all(r["all_posts"] and r["exit"] == 0 for r in runs),
        "seconds": round(time.perf_counter() - t0, 1)})


if __name__ == "__main__":
    main()
