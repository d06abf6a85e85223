"""Crawls and archive rebuilds on a Ray cluster.

``run_jobs_on_ray``: one Ray task per shard (registrable domain). A task runs the
same ``run_jobs`` as a single machine does, with the shard's own state database and
output files (a domain's hosts belong to one shard, so no two workers write the
same file). If a worker dies mid-task, Ray runs the task again; the state database
and the sink's crash-safety (records durable before state, torn lines repaired,
unrecorded lines reconciled) make the retry finish the work with no duplicate and
no loss. The driver merges the counters.

``rebuild_on_ray``: one task per WARC file scans its listing pages, one task per file
extracts the permalink pages posts need, and the driver assembles the records in
archive order: the same records as ``rebuild_posts`` in one process.

Ray is an optional extra, imported only here: ``pip install 'scraper[ray]'``.
Outputs and state must be on a filesystem every node sees (NFS, a mounted bucket)
when the cluster has more than one machine.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..records import Post
from ..runner import Job, RunReport
from .local import merge_report, run_shard
from .shards import Shard, shard_jobs

__all__ = ["require_ray", "run_jobs_on_ray", "rebuild_on_ray", "TASK_RETRIES"]

TASK_RETRIES = 3  # a task whose worker died is run again this many times


def require_ray() -> Any:
    """The ray module, or a ConfigError that says how to install it."""
    try:
        import ray
    except ImportError as exc:
        raise ConfigError("--ray needs Ray, an optional extra: pip install 'scraper[ray]'") from exc
    return ray


def _connect(ray: Any, address: str | None, num_cpus: int | None) -> bool:
    """Join the cluster at ``address`` or start a local one; True if we started it."""
    if ray.is_initialized():
        return False
    if address:
        ray.init(address=address, log_to_driver=False)
    else:
        ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False)
    return True


def _crawl_shard(shard: Shard, state_dir: Path | None) -> RunReport:
    # Ray places the parallel work: a task parses in its own process, no pool of its own
    jobs = tuple(replace(j, crawl=replace(j.crawl, parse_workers=0)) for j in shard.jobs)
    return run_shard(Shard(shard.key, jobs), state_dir)


def run_jobs_on_ray(jobs: list[Job], *, address: str | None = None, state_dir: Path | None = None,
                    num_cpus: int | None = None, on_shard: Any = None) -> RunReport:
    """Run the jobs' shards as Ray tasks and merge their reports."""
    ray = require_ray()
    started = _connect(ray, address, num_cpus)
    t0 = time.monotonic()
    try:
        task = ray.remote(max_retries=TASK_RETRIES, retry_exceptions=False)(_crawl_shard)
        shards = shard_jobs(jobs)
        pending = {task.remote(s, state_dir): s for s in shards}
        report = RunReport()
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            shard = pending.pop(done[0])
            part = ray.get(done[0])
            merge_report(report, part)
            if on_shard is not None:
                on_shard(shard, part)
        report.total.seconds = time.monotonic() - t0
        return report
    finally:
        if started:
            ray.shutdown()


def rebuild_on_ray(sources: list[str], *, address: str | None = None, num_cpus: int | None = None) -> Iterator[Post]:
    """The records of WARC archives, scanned in parallel; the same as one process gives."""
    from ..rebuild import (
        articles_in,
        assemble,
        expand_sources,
        scan_file,
        wanted_articles,
    )

    ray = require_ray()
    started = _connect(ray, address, num_cpus)
    try:
        scan = ray.remote(max_retries=TASK_RETRIES)(scan_file)
        extract = ray.remote(max_retries=TASK_RETRIES)(articles_in)
        paths = expand_sources(sources)
        scans = ray.get([scan.remote(p) for p in paths])
        articles: dict[str, Any] = {}
        for part in ray.get([extract.remote(p, urls) for p, urls in wanted_articles(scans).items()]):
            articles.update(part)
        posts = list(assemble(scans, articles))
    finally:
        if started:
            ray.shutdown()
    yield from posts
