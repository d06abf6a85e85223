"""How parse time grows: with posts per page, and with page size.

Synthetic listing pages from bench/loopsite.py, parsed by scraper.api.parse_page
(median of repeats), beside the floor (selectolax/lexbor parse + body text of the
same bytes) as the named alternative:
  posts          10, 100, 1,000 posts on one page, no chrome
  pad=links      the same 10 posts + 10 KB, 100 KB, 1 MB, 5 MB of menus and footer
                 link columns (lists of links, no headings, no prose)
  pad=widgets    the same 10 posts + the same sizes of sidebar widgets (a heading, a
                 list of links and a blurb each)
For each step: the time ratio to the previous size beside the size ratio. Linear
means time ratio ~ size ratio (10x per 10x); a step at >= 2x the size ratio (>= 20x
per 10x) in both wall and CPU time (time.process_time, less shifted by other load)
is flagged "superlinear". Also checks the parser still finds the 10 posts.

    python bench/scaling.py [--json]       about 20 seconds"""

from __future__ import annotations

import argparse
import time
from typing import Any

from _common import finish, median, say
from loopsite import listing_page

URL = "http://127.0.0.1/blog/"


def measure(html: bytes, min_repeats: int = 3, max_repeats: int = 9, budget: float = 3.0) -> dict[str, Any]:
    from selectolax.lexbor import LexborHTMLParser

    from scraper.api import parse_page
    from scraper.charset import decode_html

    ours: list[float] = []
    cpu: list[float] = []
    floor: list[float] = []
    found = 0
    t_end = time.perf_counter() + budget
    while len(ours) < min_repeats or (len(ours) < max_repeats and time.perf_counter() < t_end):
        t0, c0 = time.perf_counter(), time.process_time()
        found = len(parse_page(html, URL).posts)
        t1, c1 = time.perf_counter(), time.process_time()
        LexborHTMLParser(decode_html(html)[0]).body.text()  # type: ignore[union-attr]
        floor.append(time.perf_counter() - t1)
        ours.append(t1 - t0)
        cpu.append(c1 - c0)
    return {"bytes": len(html), "posts_found": found, "repeats": len(ours),
            "ours_ms": round(1000 * median(ours), 2), "ours_cpu_ms": round(1000 * median(cpu), 2),
            "floor_ms": round(1000 * median(floor), 3), "ours_over_floor": round(median(ours) / median(floor), 1)}


def series(name: str, cases: list[tuple[int, bytes]], expect_posts: int | None, q: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for size, html in cases:
        r = {"series": name, "size": size, **measure(html)}
        if rows:
            prev = rows[-1]
            r["size_ratio"] = round(size / prev["size"], 1)
            r["time_ratio"] = round(r["ours_ms"] / prev["ours_ms"], 1)
            r["cpu_ratio"] = round(r["ours_cpu_ms"] / prev["ours_cpu_ms"], 1)
            # flagged only when wall AND CPU time agree: other load on the cores shifts wall time
            r["superlinear"] = min(r["time_ratio"], r["cpu_ratio"]) >= 2 * r["size_ratio"]
        r["posts_ok"] = r["posts_found"] == (expect_posts if expect_posts is not None else size)
        rows.append(r)
        say(q, f"  {name:12s} {size:>9,d} {r['bytes']:>10,d} B  ours {r['ours_ms']:9.2f} ms  floor "
               f"{r['floor_ms']:8.3f} ms  x{r['ours_over_floor']:<6} step {r.get('time_ratio', '-')}x "
               f"(cpu {r.get('cpu_ratio', '-')}x) / {r.get('size_ratio', '-')}x  posts {r['posts_found']}"
               + ("  SUPERLINEAR" if r.get("superlinear") else "") + ("" if r["posts_ok"] else "  WRONG POST COUNT"))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true", help="only the result JSON on stdout")
    q = ap.parse_args().json
    t0 = time.perf_counter()
    measure(listing_page(1, 2, 10).encode(), 3, 3, 0)  # warm-up: imports, caches
    pads = [10_000, 100_000, 1_000_000, 5_000_000]
    say(q, f"  {'series':12s} {'size':>9s} {'page':>12s}")
    rows = series("posts", [(n, listing_page(1, 2, n).encode()) for n in (10, 100, 1000)], None, q)
    for kind in ("links", "widgets"):
        rows += series(f"pad={kind}", [(p, listing_page(1, 2, 10, pad=p, pad_kind=kind).encode()) for p in pads], 10, q)
    finish("scaling", {
        "rows": rows,
        "superlinear_steps": [f"{r['series']} {r['size']}" for r in rows if r.get("superlinear")],
        "wrong_post_counts": [f"{r['series']} {r['size']}: {r['posts_found']}" for r in rows if not r["posts_ok"]],
        "seconds": round(time.perf_counter() - t0, 1)})


if __name__ == "__main__":
    main()
