"""A synthetic blog on loopback, for the crawl and memory benchmarks.

Every host serves the same listing, ``/blog/`` then ``/blog/page/2/`` ... linked by
``rel=next`` "Older posts", ``posts`` posts a page as
``<article class="post"><h2><a href=permalink>title</a></h2><time datetime=...>``.
Links are relative, so each host's posts get their own absolute permalinks. Pages are
rendered once into a dict; a minimal asyncio HTTP/1.1 keep-alive server answers
from it (one process, one event loop, one listening socket per host).

    python bench/loopsite.py --pages 500 --posts 10 --hosts 4 [--ttl 900]

prints ``READY http://127.0.0.1:PORT/blog/ ...`` (one start URL per host) and serves
until SIGTERM, its parent process exits, or ``--ttl`` seconds pass.
crawl_throughput.py measures it alone before using it."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import signal

WORDS = ("archive crawler listing parser lorem ipsum dolor sit amet consectetur adipiscing elit sed "
         "do eiusmod tempor incididunt labore magna aliqua enim minim veniam quis nostrud").split()
EPOCH = dt.date(2026, 11, 1)

HEAD = ("<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title>"
        "<link rel=alternate type=application/rss+xml href=/feed.xml></head><body>"
        "<header class=site-header><a href=/ class=logo>Bench Blog</a><nav><ul>"
        "<li><a href=/blog/>Blog</a></li><li><a href=/about/>About</a></li>"
        "<li><a href=/contact/>Contact</a></li></ul></nav></header><main id=main><h1>{title}</h1>")
POST = ("<article class=\"post\"><h2><a href=\"/{year}/{n:07d}/post-{n}/\">Post number {n}: {w1} {w2}</a></h2>"
        "<time datetime=\"{date}\">{date}</time><p>{excerpt}</p></article>")
TAIL = ("<footer class=site-footer><p>Subscribe to our newsletter for weekly updates on archiving.</p>"
        "<p>&copy; 2026 Bench Blog. All rights reserved.</p></footer></body></html>")


def excerpt(n: int, words: int = 40) -> str:
    return " ".join(WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(words)).capitalize() + "."


def post_html(n: int) -> str:
    date = (EPOCH - dt.timedelta(days=n // 4)).isoformat()
    return POST.format(n=n, year=date[:4], date=date, w1=WORDS[n % len(WORDS)],
                       w2=WORDS[(n // 3) % len(WORDS)], excerpt=excerpt(n))


def slug(i: int) -> str:
    """Letters only: chrome links must not look like dated permalinks (/2026/...)."""
    out = ""
    while True:
        i, r = divmod(i, 26)
        out = chr(97 + r) + out
        if not i:
            return out


def chrome(nbytes: int, kind: str = "widgets") -> str:
    """About ``nbytes`` of sidebar/footer chrome. ``widgets``: sidebar sections, each a
    heading, a list of tag links and a blurb; ``links``: menus and footer link
    columns (lists of links, no headings, no prose)."""
    parts, size, i = ["<aside class=sidebar>"], 0, 0
    while size < nbytes:
        links = "".join(f"<li><a href=/topic/{slug(i)}-{WORDS[j]}/>{slug(i)} {WORDS[j]}</a></li>" for j in range(8))
        block = (f"<section class=widget><h3>Related {slug(i)}</h3><ul>{links}</ul><p>{excerpt(i, 25)}</p></section>"
                 if kind == "widgets" else f"<div class=menu-col><ul class=menu>{links}{links}</ul></div>")
        parts.append(block)
        size += len(block)
        i += 1
    parts.append("</aside>")
    return "".join(parts)


def listing_page(number: int, last: int, posts: int, first_post: int = 0, pad: int = 0,
                 pad_kind: str = "widgets", base: str = "/blog/") -> str:
    """Listing page ``number`` (1-based) of ``last``; posts numbered from ``first_post``."""
    title = "Blog" if number == 1 else f"Blog, page {number}"
    body = "".join(post_html(first_post + i) for i in range(posts))
    nxt = (f"<nav class=pagination><a rel=next href={base}page/{number + 1}/>Older posts</a></nav>"
           if number < last else "")
    return HEAD.format(title=title) + body + nxt + "</main>" + (chrome(pad, pad_kind) if pad else "") + TAIL


def build_site(pages: int, posts: int) -> dict[str, bytes]:
    site = {"/robots.txt": b"User-agent: *\nAllow: /\n"}
    for number in range(1, pages + 1):
        path = "/blog/" if number == 1 else f"/blog/page/{number}/"
        site[path] = listing_page(number, pages, posts, first_post=(number - 1) * posts).encode()
    return site


def _response(status: str, body: bytes, ctype: str) -> bytes:
    return (f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
            "Connection: keep-alive\r\n\r\n").encode() + body


async def serve(site: dict[str, bytes], hosts: int, ready: asyncio.Future[list[str]], stop: asyncio.Event) -> None:
    canned = {p: _response("200 OK", b, "text/plain" if p.endswith(".txt") else "text/html; charset=utf-8")
              for p, b in site.items()}
    missing = _response("404 Not Found", b"not found", "text/plain")

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                parts = head.split(b" ", 2)
                path = parts[1].decode("latin-1").split("?", 1)[0] if len(parts) > 2 else ""
                writer.write(canned.get(path, missing))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    servers = [await asyncio.start_server(handle, f"127.0.0.{h}", 0, backlog=256) for h in range(1, hosts + 1)]
    starts = [f"http://{s.sockets[0].getsockname()[0]}:{s.sockets[0].getsockname()[1]}/blog/" for s in servers]
    ready.set_result(starts)
    await stop.wait()
    for s in servers:
        s.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=500, help="listing pages per host")
    ap.add_argument("--posts", type=int, default=10, help="posts per listing page")
    ap.add_argument("--hosts", type=int, default=4, help="hosts 127.0.0.1 .. 127.0.0.N")
    ap.add_argument("--ttl", type=float, default=900, help="serve at most this many seconds")
    a = ap.parse_args()
    site = build_site(a.pages, a.posts)

    async def run() -> None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[list[str]] = loop.create_future()
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        loop.call_later(a.ttl, stop.set)
        parent = os.getppid()

        async def orphaned() -> None:  # the benchmark that started us died: stop too
            while os.getppid() == parent:
                await asyncio.sleep(1)
            stop.set()

        task = asyncio.create_task(serve(site, a.hosts, ready, stop))
        print("READY " + " ".join(await ready), flush=True)
        watcher = asyncio.create_task(orphaned())
        await task
        watcher.cancel()

    asyncio.run(run())


if __name__ == "__main__":
    main()
