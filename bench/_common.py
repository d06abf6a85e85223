"""Helpers shared by the benchmark scripts: paths, timing, the machine, results.

Every script prints human-readable lines, then its result as ONE JSON object on the
last line of standard output (that is what run_all.py reads); with ``--json`` the
human-readable lines go to stderr and stdout holds only that JSON line."""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
# The shared corpus lives beside the repository and is never copied into it.
CORPUS = Path(os.environ.get("SCRAPER_CORPUS", REPO.parent / "shared" / "corpus"))
LISTING = CORPUS / "listing"
BIN = Path(sys.executable).parent
SCRAPER = str(BIN / "scraper")


def say(quiet: bool, *args: object) -> None:
    """Progress lines go to stderr when --json asks for a clean stdout."""
    print(*args, file=sys.stderr if quiet else sys.stdout, flush=True)


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def run_cmd_seconds(args: list[str], repeats: int = 5, **kw: Any) -> list[float]:
    """Wall time of a subprocess, ``repeats`` times (output discarded, must exit 0)."""
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=120, **kw)
        out.append(time.perf_counter() - t0)
    return out


def versions(*dists: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for d in dists:
        try:
            found[d] = importlib.metadata.version(d)
        except importlib.metadata.PackageNotFoundError:
            found[d] = None
    return found


def machine() -> dict[str, Any]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        mem_gb = round(kb / 1024 / 1024, 1)
    except (OSError, IndexError, ValueError):
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "mem_gb": mem_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "libraries": versions("scraper", "selectolax", "lxml", "trafilatura", "httpx", "msgspec",
                              "scrapy", "twisted"),
    }


def finish(name: str, result: dict[str, Any]) -> None:
    """Print the result as the last line of stdout (what run_all.py collects)."""
    print(json.dumps({"benchmark": name, **result}), flush=True)
