"""HTTP client choices, measured: the evidence for the crawler's transport settings.

The crawler keeps one request in flight per host, so its concurrency is the number of
hosts being crawled at once. On the loopback site (bench/loopsite.py, HOSTS hosts),
each contender fetches the same listing pages, one worker per host, keep-alive, in
one process, interleaved rounds:

  httpx default        httpx.AsyncClient() with its own transport (pool: 100 / 20 kept alive)
  httpx sized pool     httpx.AsyncClient(limits=Limits(max_connections=N, max_keepalive_connections=N))
  httpx on aiohttp     httpx.AsyncClient(transport=httpx_aiohttp.AiohttpTransport()): the crawler's default
  aiohttp alone        aiohttp.ClientSession (TCPConnector(limit=N)), for scale

Reported: requests/s and client CPU ms/request, at 4 and at 32 hosts (httpx#3215: the
pool's cost grows with the connections it holds). HTTP/2 is not measured: httpx only
speaks it over TLS (ALPN), the loopback site is plain HTTP, and with one request in
flight per host multiplexing would add no parallelism anyway.

    python bench/fetch_transport.py [--requests 2000] [--json]       about 30 seconds"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import time
from collections.abc import Awaitable, Callable
from typing import Any

from _common import finish, median, say
from crawl_throughput import loopback_site

Getter = Callable[[str], Awaitable[int]]


async def _walk_all(starts: list[str], per_host: int, get: Getter) -> None:
    async def walk(start: str) -> None:
        for i in range(1, per_host + 1):
            status = await get(start if i == 1 else f"{start}page/{i}/")
            if status != 200:
                raise RuntimeError(f"status {status}")

    await asyncio.gather(*(walk(s) for s in starts))


async def _httpx(starts: list[str], per_host: int, sized: bool = False, aiohttp_io: bool = False) -> None:
    import httpx

    kw: dict[str, Any] = {}
    if sized:
        n = len(starts)
        kw["limits"] = httpx.Limits(max_connections=n, max_keepalive_connections=n)
    if aiohttp_io:
        from httpx_aiohttp import AiohttpTransport

        kw["transport"] = AiohttpTransport()
    async with httpx.AsyncClient(**kw) as client:
        async def get(url: str) -> int:
            r = await client.get(url)
            await r.aread()
            return r.status_code

        await _walk_all(starts, per_host, get)


async def _aiohttp(starts: list[str], per_host: int) -> None:
    import aiohttp

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=len(starts))) as session:
        async def get(url: str) -> int:
            async with session.get(url) as r:
                await r.read()
                return r.status

        await _walk_all(starts, per_host, get)


def contenders() -> dict[str, Callable[[list[str], int], Awaitable[None]]]:
    out: dict[str, Callable[[list[str], int], Awaitable[None]]] = {
        "httpx default": lambda s, n: _httpx(s, n),
        "httpx sized pool": lambda s, n: _httpx(s, n, sized=True),
    }
    if importlib.util.find_spec("httpx_aiohttp") is not None:
        out["httpx on aiohttp"] = lambda s, n: _httpx(s, n, aiohttp_io=True)
    if importlib.util.find_spec("aiohttp") is not None:
        out["aiohttp alone"] = _aiohttp
    return out


def measure(hosts: int, requests: int, rounds: int) -> dict[str, Any]:
    per_host = max(1, requests // hosts)
    pages = per_host
    with loopback_site(pages, 2, hosts=hosts, ttl=300) as (starts, _pid):
        runs: dict[str, list[tuple[float, float]]] = {k: [] for k in contenders()}
        for _ in range(rounds + 1):  # round 0 warms up
            for name, fn in contenders().items():
                c0, t0 = time.process_time(), time.perf_counter()
                asyncio.run(fn(starts, per_host))
                runs[name].append((time.perf_counter() - t0, time.process_time() - c0))
        total = per_host * hosts
        out: dict[str, Any] = {"hosts": hosts, "requests": total}
        for name, xs in runs.items():
            wall = median([w for w, _ in xs[1:]])
            cpu = median([c for _, c in xs[1:]])
            out[name] = {"req_per_s": round(total / wall, 1), "client_cpu_ms_per_req": round(1000 * cpu / total, 3)}
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="only the result JSON on stdout")
    a = ap.parse_args()
    q, t0 = a.json, time.perf_counter()
    result: dict[str, Any] = {"rows": []}
    for hosts in (4, 32):
        row = measure(hosts, a.requests, a.rounds)
        result["rows"].append(row)
        for name in contenders():
            say(q, f"  {hosts:3d} hosts  {name:18s} {row[name]['req_per_s']:8.1f} req/s  "
                   f"{row[name]['client_cpu_ms_per_req']:6.3f} CPU ms/request")
    result["seconds"] = round(time.perf_counter() - t0, 1)
    finish("fetch_transport", result)


if __name__ == "__main__":
    main()
