"""Memory: peak RSS of `scraper crawl` over 2,000 and 20,000 listing pages.

The loopback site of crawl_throughput.py (4 hosts; here 5 posts a page to keep the
long run near 5 minutes): a 2,000-page crawl (500 pages a host, 10,000 posts) and a
20,000-page crawl (5,000 a host, 100,000 posts, --max-pages 5000). Each crawl runs
under a fresh python wrapper that reports resource.getrusage(RUSAGE_CHILDREN).ru_maxrss
(the crawl's peak RSS, nothing else); meanwhile VmRSS is sampled every 0.2 s against
the bytes written so far, to show the shape of any growth.
Goal: peak(20,000 pages) - peak(2,000 pages) within 50 MB.

    python bench/memory.py [--small 500] [--large 5000] [--posts 5] [--json]
2.5 to 5 minutes on 2 cores (the 20,000-page crawl; disk sync latency varies)."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import SCRAPER, finish, say
from crawl_throughput import count_records, loopback_site

WRAPPER = ("import resource, subprocess, sys\n"
           "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
           "sys.stderr.write(r.stderr[-2000:] if r.returncode else '')\n"
           "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)")


def vm_rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def child_of(pid: int) -> int | None:
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return int(kids[0]) if kids else None
    except (OSError, ValueError):
        return None


def crawl_peak(per_host: int, posts: int, timeout: float = 900) -> dict[str, Any]:
    with loopback_site(per_host, posts, ttl=timeout + 60) as (starts, _pid), \
            tempfile.TemporaryDirectory(prefix="bench-mem-") as tmp:
        out = Path(tmp, "out")
        args = [sys.executable, "-c", WRAPPER, SCRAPER, "crawl", *starts, "--delay", "0", "--concurrency", "4",
                "--max-pages", str(per_host), "--out", str(out), "--format", "jsonl", "--quiet"]
        t0 = time.perf_counter()
        wrapper = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
        samples: list[tuple[float, int, int]] = []  # (seconds, VmRSS kB, bytes written)
        while wrapper.poll() is None:
            if time.perf_counter() - t0 > timeout:
                wrapper.kill()
                raise TimeoutError(f"crawl took over {timeout} s")
            kid = child_of(wrapper.pid)
            rss = vm_rss_kb(kid) if kid else None
            if rss:
                written = sum(f.stat().st_size for f in out.glob("*.jsonl")) if out.exists() else 0
                samples.append((round(time.perf_counter() - t0, 1), rss, written))
            time.sleep(0.2)
        seconds = time.perf_counter() - t0
        maxrss_kb, rc = (int(x) for x in wrapper.communicate()[0].split())
        records, distinct = count_records(sorted(out.glob("*.jsonl")))
    total = samples[-1][2] if samples else 0
    # VmRSS and the clock when 10% ... 100% of the output had been written: the growth
    # curve, and whether pages get slower as the crawl goes on
    at = {p: next((s for s in samples if total and s[2] >= total * p / 100), None) for p in (10, 25, 50, 75, 100)}
    curve = {f"{p}%": s[1] // 1024 if s else None for p, s in at.items()}
    clock = {f"{p}%": s[0] if s else None for p, s in at.items()}
    pages = 4 * per_host
    return {"pages": pages, "posts_expected": pages * posts, "records": records, "distinct_urls": distinct,
            "exit": rc, "seconds": round(seconds, 1), "pages_per_s": round(pages / seconds, 1),
            "peak_rss_mb": round(maxrss_kb / 1024, 1), "rss_mb_at_output_fraction": curve,
            "seconds_at_output_fraction": clock}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", type=int, default=500, help="pages per host, small run")
    ap.add_argument("--large", type=int, default=5000, help="pages per host, large run")
    ap.add_argument("--posts", type=int, default=5, help="posts per page")
    ap.add_argument("--json", action="store_true", help="only the result JSON on stdout")
    a = ap.parse_args()
    q, t0 = a.json, time.perf_counter()
    runs = []
    for per_host in (a.small, a.large):
        r = crawl_peak(per_host, a.posts)
        say(q, f"  {r['pages']:6d} pages: peak RSS {r['peak_rss_mb']:6.1f} MB  {r['seconds']:6.1f} s  "
               f"{r['pages_per_s']:5.1f} pages/s  records {r['records']}/{r['posts_expected']}  "
               f"RSS by output written: {r['rss_mb_at_output_fraction']}  seconds: {r['seconds_at_output_fraction']}")
        runs.append(r)
    growth = round(runs[1]["peak_rss_mb"] - runs[0]["peak_rss_mb"], 1)
    say(q, f"  growth {runs[0]['pages']} -> {runs[1]['pages']} pages: {growth} MB (goal <= 50 MB)")
    finish("memory", {"posts_per_page": a.posts, "runs": runs, "growth_mb": growth, "goal_growth_mb_max": 50,
                      "verified": all(r["records"] == r["distinct_urls"] == r["posts_expected"] and r["exit"] == 0
                                      for r in runs),
                      "seconds": round(time.perf_counter() - t0, 1)})


if __name__ == "__main__":
    main()
