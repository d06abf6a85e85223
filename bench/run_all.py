"""Run the benchmarks; write bench/results/latest.json and bench/results/latest.md.

    python bench/run_all.py            all of them, about 9 minutes on 2 cores
    python bench/run_all.py --quick    parse_throughput, corpus_scores, scaling: under a minute
    python bench/run_all.py --only scaling --only corpus_scores   (keeps the others' last figures)

Each script runs in its own process with --json; its progress goes to stderr and
its last stdout line is its result. Run on a quiet machine: every figure here is a
ratio against an alternative run in the same process or the same run, but other
load on the cores still shifts them (the load average is recorded before each)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

from _common import BENCH, REPO, machine

QUICK = ["parse_throughput", "corpus_scores", "scaling"]
ALL = ["parse_throughput", "corpus_scores", "scaling", "fetch_transport", "crawl_throughput", "memory",
       "ray_scaling"]
RESULTS = BENCH / "results"


def git_revision() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True).stdout.strip()

    rev = git("rev-parse", "--short", "HEAD") or "?"
    return rev + (" + uncommitted changes in scraper/" if git("status", "--porcelain", "--", "scraper") else "")


def run(name: str) -> dict[str, Any]:
    load = os.getloadavg()[0]
    print(f"== {name} (load average {load:.2f})", file=sys.stderr, flush=True)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, str(BENCH / f"{name}.py"), "--json"], stdout=subprocess.PIPE, text=True)
    seconds = round(time.perf_counter() - t0, 1)
    lines = proc.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        result = {"error": f"exit {proc.returncode}, no result line"}
    return {**result, "when": time.strftime("%Y-%m-%d %H:%M"), "wall_seconds": seconds,
            "load_before": round(load, 2), "exit": proc.returncode}


def fmt(v: Any) -> str:
    return "–" if v is None else f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v)


def table(head: list[str], rows: list[list[Any]]) -> list[str]:
    return (["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            + ["| " + " | ".join(fmt(c) for c in r) + " |" for r in rows] + [""])


def met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def headline(r: dict[str, Any]) -> list[str]:
    rows: list[list[Any]] = []
    p, c, mem = r.get("parse_throughput", {}), r.get("crawl_throughput", {}), r.get("memory", {})
    if "ours" in p:
        ratio, floor = p["ratio_ours_trafilatura_pages_per_s"], p["ratio_ours_floor_time"]
        rows += [["corpus parse, pages/s (vs trafilatura.extract)", p["ours"]["pages_per_s"],
                  p["trafilatura"]["pages_per_s"], ratio, ">= 10", met(ratio >= 10)],
                 ["corpus parse, ms/page (vs lexbor parse + text)", p["ours"]["ms_per_page"],
                  p["floor"]["ms_per_page"], floor, "<= 5", met(floor <= 5)]]
    if "folder_jobs" in p:
        fj = p["folder_jobs"]
        rows.append([f"`scraper parse FOLDER` ({fj['pages']} pages), pages/s, --jobs 2 (vs --jobs 1)",
                     fj["jobs_2"]["pages_per_s"], fj["jobs_1"]["pages_per_s"], fj["ratio_jobs_2_1"], "", ""])
    if "startup" in p:
        s = p["startup"]["seconds"]
        for cmd in ("scraper --help", "scraper parse one-page.html"):
            rows.append([f"start-up `{cmd}`, ms (vs `python -c pass`)", round(1000 * s[cmd]),
                         round(1000 * s["python -c pass"]), round(s[cmd] / s["python -c pass"], 1), "", ""])
    if "runs" in c:
        ours, scrapy = c["runs"][0], c["runs"][1]
        ratio = c["ratio_ours_scrapy_pages_per_s"]
        rows += [["crawl 2,000 pages, pages/s (vs Scrapy)", ours["pages_per_s"], scrapy["pages_per_s"], ratio,
                  ">= 1", met(ratio >= 1)],
                 ["crawl, CPU ms/page (vs Scrapy)", ours["cpu_ms_per_page"], scrapy["cpu_ms_per_page"],
                  c["ratio_ours_scrapy_cpu_per_page"], "", ""]]
        for x in c["runs"]:
            if "/dev/shm" in x["name"]:
                rows.append(["crawl, pages/s, our output on tmpfs (vs Scrapy)", x["pages_per_s"], scrapy["pages_per_s"],
                             round(x["pages_per_s"] / scrapy["pages_per_s"], 2), "", ""])
    ray = r.get("ray_scaling", {})
    if "runs" in ray:
        one, two = ray["runs"][0], ray["runs"][1]
        rows.append(["Ray, 4-site crawl, seconds on 2 workers (vs 1)", two["seconds"], one["seconds"],
                     f"{ray['speedup_1_to_2']}x faster", "", ""])
    if "runs" in mem:
        a, b = mem["runs"]
        rows.append([f"peak RSS MB, {b['pages']:,} pages (vs {a['pages']:,} pages)", b["peak_rss_mb"],
                     a["peak_rss_mb"], f"+{mem['growth_mb']} MB", "<= +50 MB", met(mem["growth_mb"] <= 50)])
    return ["## Headline", ""] + table(["figure", "ours", "alternative", "ratio", "goal", "met"], rows)


def corpus_section(cs: dict[str, Any]) -> list[str]:
    cols = ["f1", "precision", "recall", "count_exact", "title", "url", "date", "author", "comments", "text", "leaks"]
    return ([f"## Corpus scores ({cs['pages']} pages, {cs['posts_gold']} gold posts)", "",
             "Field scores are over matched posts only (score.py).", ""]
            + table(["extractor", *cols], [[k] + [v[c] for c in cols] for k, v in cs["scores"].items()]))


def crawl_section(c: dict[str, Any]) -> list[str]:
    srv = c["server_alone"]
    return ([f"## Crawl ({c['site']['pages']:,} pages, {c['site']['posts']:,} posts, 4 hosts on loopback)", "",
             f"Server alone: {srv['httpx_req_per_s']} req/s to one httpx client; its own CPU "
             f"{srv['server_cpu_ms_per_req']} ms/request (capacity about {srv['server_capacity_req_per_s']:,.0f} "
             "req/s). Ours runs its generic splitter and writes each page's records durably (one fsync per "
             "page) plus a state database; the Scrapy spider uses site-specific CSS selectors.", ""]
            + table(["crawler", "seconds (median run)", "all tries", "pages/s", "posts/s", "CPU ms/page", "records",
                     "all posts, distinct"],
                    [[x["name"], x["seconds"], " / ".join(map(str, x.get("seconds_all_tries", []))), x["pages_per_s"],
                      x["posts_per_s"], x["cpu_ms_per_page"], x["records"], x["all_posts"]] for x in c["runs"]]))


def memory_section(mem: dict[str, Any]) -> list[str]:
    def steps(d: dict[str, Any]) -> str:
        return " / ".join(fmt(v) for v in d.values())

    return ([f"## Memory ({mem['posts_per_page']} posts a page)", ""]
            + table(["pages", "peak RSS MB", "seconds", "pages/s", "records",
                     "VmRSS MB at 10/25/50/75/100% of output", "seconds at 10/25/50/75/100%"],
                    [[x["pages"], x["peak_rss_mb"], x["seconds"], x["pages_per_s"], x["records"],
                      steps(x["rss_mb_at_output_fraction"]), steps(x["seconds_at_output_fraction"])]
                     for x in mem["runs"]]))


def scaling_section(sc: dict[str, Any]) -> list[str]:
    def step(x: dict[str, Any]) -> str:
        if "time_ratio" not in x:
            return ""
        return (f"{x['time_ratio']}x ({x['cpu_ratio']}x) / {x['size_ratio']}x"
                + (" SUPERLINEAR" if x["superlinear"] else ""))

    return (["## Scaling (one synthetic page; a step >= 2x the size step is flagged)", ""]
            + table(["series", "size", "bytes", "ours ms", "ours CPU ms", "floor ms", "ours/floor",
                     "step: time (CPU) / size", "posts found"],
                    [[x["series"], x["size"], x["bytes"], x["ours_ms"], x["ours_cpu_ms"], x["floor_ms"],
                      x["ours_over_floor"], step(x), f"{x['posts_found']}" + ("" if x["posts_ok"] else " (wrong)")]
                     for x in sc["rows"]]))


def transport_section(f: dict[str, Any]) -> list[str]:
    names = [k for k in f["rows"][0] if k not in ("hosts", "requests")]
    return (["## HTTP client under the fetcher (loopback, one worker per host)", ""]
            + table(["hosts", "requests", *[f"{n}: req/s, CPU ms/req" for n in names]],
                    [[r["hosts"], r["requests"],
                      *[f"{r[n]['req_per_s']}, {r[n]['client_cpu_ms_per_req']}" for n in names]]
                     for r in f["rows"]]))


def stages_section(p: dict[str, Any]) -> list[str]:
    return (["## Where corpus parse time goes (ms/page, `parse_page` stages)", ""]
            + table(["stage", "ms/page"], [[k, v] for k, v in p["stages_ms_per_page"].items()]))


def imports_section(p: dict[str, Any]) -> list[str]:
    return (["## Slowest imports of `scraper.cli.main` (`python -X importtime`, cumulative)", ""]
            + table(["module", "cumulative ms", "self ms"],
                    [[x["module"], x["cumulative_ms"], x["self_ms"]]
                     for x in p["startup"]["imports_top10_cumulative"]]))


def markdown(doc: dict[str, Any]) -> str:
    m, r = doc["machine"], doc["results"]
    libs = ", ".join(f"{k} {v}" for k, v in m["libraries"].items() if v)
    out = [f"# Benchmark results ({doc['when']})", "",
           f"Machine: {m['nproc']} cores (`nproc`), {m['cpu']}, {m['mem_gb']} GB RAM, {m['os']}; "
           f"Python {m['python']}; {libs}. Revision {doc['revision']}. Command: `{doc['command']}`.", ""]
    out += headline(r)
    sections = [("corpus_scores", "scores", corpus_section), ("fetch_transport", "rows", transport_section),
                ("crawl_throughput", "runs", crawl_section),
                ("memory", "runs", memory_section), ("scaling", "rows", scaling_section),
                ("parse_throughput", "stages_ms_per_page", stages_section),
                ("parse_throughput", "startup", imports_section)]
    for name, key, section in sections:
        if key in r.get(name, {}):
            out += section(r[name])
    out += ["## Run time of each script", ""]
    out += table(["script", "run at", "wall seconds", "load average before", "exit"],
                 [[k, v.get("when"), v["wall_seconds"], v["load_before"], v["exit"]] for k, v in r.items()])
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="skip the crawl and memory benchmarks")
    ap.add_argument("--only", action="append", choices=ALL, help="run only these (repeatable)")
    a = ap.parse_args()
    names = a.only or (QUICK if a.quick else ALL)
    doc: dict[str, Any] = {"when": time.strftime("%Y-%m-%d %H:%M %Z"), "revision": git_revision(),
                           "command": "python bench/run_all.py" + (" --quick" if a.quick else "")
                           + "".join(f" --only {n}" for n in a.only or []),
                           "machine": machine(), "results": {}}
    latest = RESULTS / "latest.json"
    if a.only and latest.exists():  # keep the other benchmarks' last figures
        doc["results"] = json.loads(latest.read_text(encoding="utf-8")).get("results", {})
    for name in names:
        doc["results"][name] = run(name)
    doc["results"] = {k: doc["results"][k] for k in ALL if k in doc["results"]}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "latest.md").write_text(markdown(doc) + "\n", encoding="utf-8")
    print((RESULTS / "latest.md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
