"""Corpus scores for ours and two baselines, in one process, with the corpus's own score.py.

  ours         scraper.api.parse_page(bytes, url): one record per post found
  trafilatura  whole-page extraction: ONE record per page (title, date, author from
               bare_extraction with metadata, url = the page's url, text = its text)
  spider       "the usual generic spider": one record per outermost
               `article, .hentry, .post` element; title and link from its first h1-h6
               and that heading's first a[href] (resolved against the page url), text =
               the element's text, date = its first time[datetime], no author/comments

    python bench/corpus_scores.py [--json]       about 5 seconds"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any
from urllib.parse import urljoin

import msgspec
from _common import CORPUS, LISTING, finish, say

Record = dict[str, Any]
COLUMNS = ("f1", "precision", "recall", "count_exact", "title", "url", "date", "author", "comments", "text",
           "leaks", "errors", "seconds")
WS = re.compile(r"\s+")


def load_score() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_score", CORPUS / "score.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def ours(data: bytes, url: str | None) -> list[Record]:
    from scraper.api import parse_page

    return [msgspec.to_builtins(p) for p in parse_page(data, url).posts]


def trafilatura_page(data: bytes, url: str | None) -> list[Record]:
    import trafilatura

    doc = trafilatura.bare_extraction(data, url=url, with_metadata=True)
    if doc is None:
        return []
    d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return [{"title": d.get("title"), "url": url, "date": d.get("date"), "author": d.get("author"),
             "comments": None, "text": d.get("text")}]


def generic_spider(data: bytes, url: str | None) -> list[Record]:
    from selectolax.lexbor import LexborHTMLParser

    from scraper.charset import decode_html

    tree = LexborHTMLParser(decode_html(data)[0])
    found = tree.css("article, .hentry, .post")
    ids = {n.mem_id for n in found}

    def nested(n: Any) -> bool:
        p = n.parent
        while p is not None:
            if p.mem_id in ids:
                return True
            p = p.parent
        return False

    recs = []
    for el in (n for n in found if not nested(n)):
        head = el.css_first("h1, h2, h3, h4, h5, h6")
        link = head.css_first("a[href]") if head is not None else None
        href = link.attributes.get("href") if link is not None else None
        when = el.css_first("time[datetime]")
        recs.append({"title": WS.sub(" ", head.text(separator=" ")).strip() if head is not None else None,
                     "url": urljoin(url or "", href) if href else None,
                     "date": when.attributes.get("datetime") if when is not None else None,
                     "author": None, "comments": None, "text": el.text(separator=" ")})
    return recs


def score_all(score: ModuleType, extract: Callable[[bytes, str | None], list[Record]]) -> dict[str, Any]:
    total: dict[str, float] = {}
    for kf in sorted(LISTING.glob("*.gold.json")):
        key = json.loads(kf.read_text(encoding="utf-8"))
        data = kf.with_name(kf.name.replace(".gold.json", ".html")).read_bytes()
        t0 = time.perf_counter()
        try:
            recs, err = extract(data, key.get("url") or None), 0
        except Exception:  # noqa: BLE001 - a crash scores as no records, like score.py
            recs, err = [], 1
        c = score.score_page(key, recs)
        c["errors"], c["seconds"] = err, time.perf_counter() - t0
        for k, v in c.items():
            total[k] = total.get(k, 0) + v
    summary: dict[str, Any] = score.summary(total)
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true", help="only the result JSON on stdout")
    q = ap.parse_args().json
    t0 = time.perf_counter()
    if not (CORPUS / "score.py").is_file() or not LISTING.is_dir():
        say(q, f"listing corpus not found at {CORPUS}: skipping")
        finish("corpus_scores", {"skipped": f"no corpus at {CORPUS}"})
        return
    score = load_score()
    ours(b"<p>warm-up</p>", None)  # imports outside the per-page timing
    trafilatura_page(b"<html><body><p>warm-up</p></body></html>", None)
    results = {name: score_all(score, fn) for name, fn in
               (("ours", ours), ("trafilatura", trafilatura_page), ("spider", generic_spider))}
    say(q, f"{'':12s}" + "".join(f"{c:>12s}" for c in COLUMNS))
    for name, s in results.items():
        say(q, f"{name:12s}" + "".join(f"{'-' if s[c] is None else s[c]:>12}" for c in COLUMNS))
    first = next(iter(results.values()))
    finish("corpus_scores", {"pages": first["pages"], "posts_gold": first["posts_gold"], "scores": results,
                             "seconds": round(time.perf_counter() - t0, 1)})


if __name__ == "__main__":
    main()
