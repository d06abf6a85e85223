"""Cutting a crawl into shards: one per registrable domain.

All the hosts of one site land in one shard, so per-host politeness (one request in
flight, the delay, robots.txt) holds without any coordination between workers. Each
shard keeps its own state database, so workers never share a lock."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from ..runner import Job, default_state_path
from ..urls import site_key

__all__ = ["Shard", "shard_jobs", "shard_state_path"]

_UNSAFE = re.compile(r"[^a-z0-9.-]+")


@dataclass(frozen=True, slots=True)
class Shard:
    key: str
    jobs: tuple[Job, ...]


def shard_jobs(jobs: list[Job]) -> list[Shard]:
    """Jobs regrouped by the registrable domain of their start URLs, in first-seen order.
    A job whose URLs span several sites is split, keeping its name and settings."""
    order: list[str] = []
    parts: dict[str, list[Job]] = {}
    for job in jobs:
        by_key: dict[str, list[str]] = {}
        for url in job.starts:
            by_key.setdefault(site_key(url), []).append(url)
        for key, urls in by_key.items():
            if key not in parts:
                parts[key] = []
                order.append(key)
            parts[key].append(replace(job, starts=tuple(urls)))
    return [Shard(key, tuple(parts[key])) for key in order]


def shard_state_path(shard: Shard, state_dir: Path | None) -> Path | None:
    """``<state_dir>/<domain>.sqlite``; by default a ``.scraper-state`` folder in the
    first job's output folder. None when the output is stdout and no folder is given."""
    if state_dir is None:
        default = default_state_path(shard.jobs[0].output)
        if default is None:
            return None
        state_dir = default.parent / ".scraper-state"
    name = _UNSAFE.sub("_", shard.key.lower()) or "site"
    return Path(state_dir) / f"{name}.sqlite"
