"""Parse throughput over the shared listing corpus, and start-up cost.

In one process, after a warm-up round, N rounds over every corpus page of:
  ours   scraper.api.parse_page(bytes, url)      (url from the page's .gold.json)
  traf   trafilatura.extract(bytes)               (whole-page main-text extraction)
  floor  LexborHTMLParser(decode_html(bytes)[0]).body.text()   (parse + all text)
All three start from the page's bytes: decoding is inside the timing for each.
Reported: median of the rounds, as pages/s and ms/page, and the ratios
ours/traf pages/s (goal >= 10) and ours/floor time (goal <= 5).

A folder of saved pages (the corpus, six times) through `scraper parse FOLDER`
with --jobs 1 and --jobs 2: whole commands, pages/s.

Start-up (subprocesses, median of 5): `scraper --help`, `scraper parse PAGE` on a
synthetic 10-post page, against `python -c pass`; and the 10 slowest imports of
`import scraper.cli.main` from `python -X importtime`.

    python bench/parse_throughput.py [--rounds 5] [--json]      about 15 seconds"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import LISTING, SCRAPER, finish, median, run_cmd_seconds, say
from loopsite import listing_page

Page = tuple[str, bytes, str | None]


def load_corpus() -> list[Page]:
    pages = []
    for html in sorted(LISTING.glob("*.html")):
        gold = html.with_name(html.name[: -len(".html")] + ".gold.json")
        url = json.loads(gold.read_text(encoding="utf-8")).get("url") if gold.exists() else None
        pages.append((html.name, html.read_bytes(), url or None))
    return pages


def contenders() -> dict[str, Callable[[bytes, str | None], object]]:
    import trafilatura
    from selectolax.lexbor import LexborHTMLParser

    from scraper.api import parse_page
    from scraper.charset import decode_html

    def floor(data: bytes, url: str | None) -> object:
        body = LexborHTMLParser(decode_html(data)[0]).body
        return body.text() if body is not None else ""

    return {"ours": parse_page, "trafilatura": lambda data, url: trafilatura.extract(data), "floor": floor}


def throughput(pages: list[Page], rounds: int) -> dict[str, Any]:
    fns = contenders()
    per_page: dict[str, dict[str, list[float]]] = {k: {n: [] for n, _, _ in pages} for k in fns}
    totals: dict[str, list[float]] = {k: [] for k in fns}
    for rnd in range(rounds + 1):  # round 0 is the warm-up
        for name, fn in fns.items():  # interleaved, so drift hits all three alike
            total = 0.0
            for pname, data, url in pages:
                t0 = time.perf_counter()
                fn(data, url)
                dt = time.perf_counter() - t0
                total += dt
                if rnd:
                    per_page[name][pname].append(dt)
            if rnd:
                totals[name].append(total)
    out: dict[str, Any] = {}
    for name, ts in totals.items():
        t = median(ts)
        out[name] = {"pages_per_s": round(len(pages) / t, 1), "ms_per_page": round(1000 * t / len(pages), 2),
                     "round_seconds": [round(x, 4) for x in ts]}
    slow = sorted(pages, key=lambda p: -median(per_page["ours"][p[0]]))[:5]
    out["slowest_pages_ours"] = [
        {"page": n, "kb": len(d) // 1024, "ours_ms": round(1000 * median(per_page["ours"][n]), 1),
         "trafilatura_ms": round(1000 * median(per_page["trafilatura"][n]), 1),
         "floor_ms": round(1000 * median(per_page["floor"][n]), 2)} for n, d, _ in slow]
    return out


# Where parse_page's time goes: (module, function, stage name). Wrapped for one
# measuring run only; the stages nest as the pipeline does (sanitize inside fields).
STAGES = [("scraper.parse.page", "load", "load: Lexbor parse, head, cleaning, block marks"),
          ("scraper.parse.page", "split", "split: candidates, groups, scores, regions"),
          ("scraper.parse.page", "find_next", "next-page link"),
          ("scraper.parse.page", "extract_fields", "fields of each post"),
          ("scraper.parse.fields", "sanitize_html", "  of which sanitised HTML"),
          ("scraper.parse.page", "_to_post", "records (ids, hashes)")]


def stages(pages: list[Page], rounds: int = 3) -> dict[str, float]:
    """ms/page in each stage of ``parse_page`` (the wrappers add a little to each)."""
    import importlib

    from scraper.api import parse_page

    spent = {name: 0.0 for _, _, name in STAGES}
    saved = []
    for mod_name, fn_name, name in STAGES:
        mod = importlib.import_module(mod_name)
        fn = getattr(mod, fn_name)
        saved.append((mod, fn_name, fn))

        def timed(*args: Any, _fn: Any = fn, _name: str = name, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return _fn(*args, **kw)
            finally:
                spent[_name] += time.perf_counter() - t

        setattr(mod, fn_name, timed)
    try:
        t0 = time.perf_counter()
        for _ in range(rounds):
            for _, data, url in pages:
                parse_page(data, url)
        total = time.perf_counter() - t0
    finally:
        for mod, fn_name, fn in saved:
            setattr(mod, fn_name, fn)
    n = rounds * len(pages)
    out = {name: round(1000 * v / n, 2) for name, v in spent.items()}
    out["total (with the wrappers)"] = round(1000 * total / n, 2)
    return out


def folder_jobs(pages: list[Page], copies: int = 6, repeats: int = 3) -> dict[str, Any]:
    """``scraper parse FOLDER --jobs N`` over ``copies`` copies of the corpus, whole
    command (start-up and each worker's warm-up included): what a researcher with a
    folder of saved pages gets from more processes on this machine."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out: dict[str, Any] = {"pages": len(pages) * copies}
    with tempfile.TemporaryDirectory() as tmp:
        for c in range(copies):
            d = Path(tmp, f"copy{c}")
            d.mkdir()
            for name, data, _ in pages:
                (d / name).write_bytes(data)
        for jobs in (1, 2):
            secs = median(run_cmd_seconds([SCRAPER, "parse", tmp, "--jobs", str(jobs)], repeats, env=env))
            out[f"jobs_{jobs}"] = {"seconds": round(secs, 2), "pages_per_s": round(out["pages"] / secs, 1)}
    out["ratio_jobs_2_1"] = round(out["jobs_2"]["pages_per_s"] / out["jobs_1"]["pages_per_s"], 2)
    return out


def startup(repeats: int = 5) -> dict[str, Any]:
    """Start-up as an installed tool has it: with Python's bytecode cache (the
    environment may say PYTHONDONTWRITEBYTECODE; a user's install has .pyc files),
    after one warm-up run of each command that writes it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp, "one-page.html")
        page.write_text(listing_page(1, 2, 10), encoding="utf-8")
        cmds = {"python -c pass": [sys.executable, "-c", "pass"],
                "scraper --help": [SCRAPER, "--help"],
                "scraper parse one-page.html": [SCRAPER, "parse", str(page), "--url", "http://127.0.0.1/blog/"]}
        secs = {k: median(run_cmd_seconds(v, repeats + 1, env=env)[1:]) for k, v in cmds.items()}
    imp = subprocess.run([sys.executable, "-X", "importtime", "-c", "import scraper.cli.main"],
                         capture_output=True, text=True, check=True, env=env).stderr
    rows = []
    for line in imp.splitlines():
        if line.startswith("import time:") and "|" in line and "self [us]" not in line:
            self_us, cum_us, mod = line[len("import time:"):].split("|")
            rows.append((int(cum_us), int(self_us), mod.rstrip()))

    def top(column: int) -> list[dict[str, Any]]:
        return [{"module": m.strip(), "cumulative_ms": round(c / 1000, 1), "self_ms": round(s / 1000, 1)}
                for c, s, m in sorted(rows, key=lambda r: r[column], reverse=True)[:10]]

    return {"seconds": {k: round(v, 3) for k, v in secs.items()},
            "imports_top10_cumulative": top(0), "imports_top10_self": top(1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="only the result JSON on stdout")
    a = ap.parse_args()
    q, t0 = a.json, time.perf_counter()
    result: dict[str, Any] = {}
    pages = load_corpus() if LISTING.is_dir() else []
    if not pages:
        say(q, f"listing corpus not found at {LISTING}: skipping parse throughput")
        result["skipped"] = f"no corpus at {LISTING}"
    else:
        mb = sum(len(d) for _, d, _ in pages) / 1e6
        say(q, f"{len(pages)} corpus pages, {mb:.1f} MB, {a.rounds} rounds + warm-up")
        tp = throughput(pages, a.rounds)
        ours, traf, floor = tp["ours"], tp["trafilatura"], tp["floor"]
        result.update(pages=len(pages), rounds=a.rounds, decoding="inside the timing for all three", **tp,
                      ratio_ours_trafilatura_pages_per_s=round(ours["pages_per_s"] / traf["pages_per_s"], 2),
                      goal_ours_trafilatura_min=10.0,
                      ratio_ours_floor_time=round(ours["ms_per_page"] / floor["ms_per_page"], 1),
                      goal_ours_floor_max=5.0)
        for k in ("ours", "trafilatura", "floor"):
            say(q, f"  {k:12s} {tp[k]['pages_per_s']:8.1f} pages/s  {tp[k]['ms_per_page']:8.2f} ms/page")
        say(q, f"  ours/trafilatura pages/s = {result['ratio_ours_trafilatura_pages_per_s']} (goal >= 10); "
               f"ours/floor time = {result['ratio_ours_floor_time']} (goal <= 5)")
        for s in tp["slowest_pages_ours"]:
            say(q, f"  slow: {s}")
        result["folder_jobs"] = fj = folder_jobs(pages)
        say(q, f"  scraper parse FOLDER ({fj['pages']} pages): --jobs 1 {fj['jobs_1']['pages_per_s']} pages/s, "
               f"--jobs 2 {fj['jobs_2']['pages_per_s']} pages/s ({fj['ratio_jobs_2_1']}x)")
        result["stages_ms_per_page"] = st_ms = stages(pages)
        for k, v in st_ms.items():
            say(q, f"  stage {k:60s} {v:6.2f} ms/page")
    result["startup"] = st = startup()
    for k, v in st["seconds"].items():
        say(q, f"  {k:30s} {1000 * v:7.1f} ms")
    for r in st["imports_top10_cumulative"]:
        say(q, f"  import {r['module']:40s} cumulative {r['cumulative_ms']:6.1f} ms  self {r['self_ms']:5.1f} ms")
    result["seconds"] = round(time.perf_counter() - t0, 1)
    finish("parse_throughput", result)


if __name__ == "__main__":
    main()
