"""Ray scale-out: the same 4-site crawl on a local Ray cluster of 1 and of 2 CPUs.

Each site is one shard (one Ray task); with 2 CPUs two shards crawl at once, each
in its own process. Reported: seconds and pages/s for each, the speed-up from 1 to 2
workers, and the single-process run without Ray for reference. The Ray start-up
(about 5 s here) is inside the timing: it is what a user waits for.

    python bench/ray_scaling.py [--pages-per-host 250] [--json]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import finish, say
from crawl_throughput import loopback_site

RUN = """
import sys, time
from pathlib import Path
from scraper.config import CrawlConfig, OutputConfig
from scraper.runner import Job, run_jobs
starts, out, mode = sys.argv[1].split(), Path(sys.argv[2]), sys.argv[3]
jobs = [Job(starts=(s,), crawl=CrawlConfig(delay=0, max_pages=10000), output=OutputConfig(out=out, format="jsonl"),
            name=f"site{i}") for i, s in enumerate(starts)]
if mode == "local":
    report = run_jobs(jobs, concurrency=len(jobs))
else:
    from scraper.executors.ray import run_jobs_on_ray
    report = run_jobs_on_ray(jobs, state_dir=out / "state", num_cpus=int(mode))
print(report.total.pages, report.total.new)
"""


def one(starts: list[str], mode: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", RUN, " ".join(starts), tmp, mode], capture_output=True,
                              text=True, timeout=1800)
        seconds = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr[-2000:])
        pages, posts = map(int, proc.stdout.split()[-2:])
    return {"mode": mode, "seconds": round(seconds, 2), "pages": pages, "posts": posts,
            "pages_per_s": round(pages / seconds, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages-per-host", type=int, default=250)
    ap.add_argument("--posts", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    try:
        import ray  # noqa: F401
    except ImportError:
        say(a.json, "ray is not installed (pip install -e '.[ray]'): skipping")
        finish("ray_scaling", {"skipped": "ray not installed"})
        return
    with loopback_site(a.pages_per_host, a.posts) as (starts, _pid):
        runs = [one(starts, "1"), one(starts, "2"), one(starts, "local")]
    for r in runs:
        say(a.json, f"  {('ray ' + r['mode'] + ' cpu') if r['mode'] != 'local' else 'one process, no Ray':24s} "
                    f"{r['seconds']:7.2f} s {r['pages_per_s']:7.1f} pages/s  ({r['posts']} posts)")
    speedup = round(runs[0]["seconds"] / runs[1]["seconds"], 2)
    say(a.json, f"speed-up from 1 to 2 Ray workers: {speedup}x")
    finish("ray_scaling", {"runs": runs, "speedup_1_to_2": speedup,
                           "site": {"hosts": len(starts), "pages_per_host": a.pages_per_host, "posts": a.posts}})


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
