"""Crawl jobs end to end, as the CLI and job files run them: open the state database
and the outputs, run the pipeline for every job concurrently, record the run, close
everything.

The only place that catches per-record errors: an invalid record is counted and
skipped; a write failure (disk full, permissions) stops the run, with every record
written before it intact."""

from __future__ import annotations

import asyncio
import logging
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import CrawlConfig, OutputConfig
from .errors import RecordError
from .records import Post
from .stats import RunStats

__all__ = ["Job", "RunReport", "run_job", "run_jobs", "default_state_path"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    """What to crawl and where the records go."""

    starts: tuple[str, ...]
    crawl: CrawlConfig
    output: OutputConfig
    name: str | None = None


@dataclass(slots=True)
class RunReport:
    """Counters per job and for the whole run."""

    total: RunStats = field(default_factory=RunStats)
    jobs: dict[str, RunStats] = field(default_factory=dict)


def _out_path(output: OutputConfig) -> Path | None:
    return None if output.out is None or str(output.out) == "-" else Path(output.out)


def default_state_path(output: OutputConfig) -> Path | None:
    """State lives in the output folder unless told otherwise; stdout runs keep none."""
    out = _out_path(output)
    if out is None:
        return None
    folder = out.parent if out.suffix == ".jsonl" else out
    return folder / ".scraper-state.sqlite"


def run_job(job: Job, *, observer: Any = None, transport: Any = None) -> RunStats:
    """Run one job to completion and return its counters."""
    return run_jobs([job], observer=observer, transport=transport, concurrency=1).total


def run_jobs(jobs: list[Job], *, observer: Any = None, transport: Any = None, concurrency: int = 8,
             state_path: Path | None = None) -> RunReport:
    """Run several jobs in one event loop, sharing one state database, one sink per
    output and one WARC archive per folder. ``concurrency`` caps jobs at once; each
    job's own ``crawl.concurrency`` caps its listings."""
    from .state import State
    from .write.sink import RecordSink

    report = RunReport()
    if not jobs:
        return report
    state_path = state_path or jobs[0].crawl.state or default_state_path(jobs[0].output)
    with ExitStack() as stack:
        state = stack.enter_context(State.open(state_path)) if state_path is not None else None
        sinks: dict[tuple[str, str], Any] = {}
        archives: dict[str, Any] = {}
        for job in jobs:
            out = _out_path(job.output)
            key = (str(out) if out is not None else "-", job.output.format)
            if key not in sinks:
                if out is not None:
                    (out.parent if out.suffix == ".jsonl" else out).mkdir(parents=True, exist_ok=True)
                sinks[key] = stack.enter_context(RecordSink(
                    out, job.output.format, keep_revisions=job.output.keep_revisions, state=state))
            warc = job.crawl.warc_dir
            if warc is not None and str(warc) not in archives:
                from .write.warc import WarcArchive

                archives[str(warc)] = stack.enter_context(WarcArchive(warc, max_bytes=job.crawl.warc_max_bytes))
        run_id = state.begin_run() if state is not None else None
        status = "failed"
        try:
            asyncio.run(_run_all(jobs, sinks, archives, state, observer, transport, concurrency, report))
            status = "ok" if report.total.ok else "partial"
        finally:
            if state is not None and run_id is not None:
                state.end_run(run_id, status, report.total.as_dict())
    return report


def _emitter(sink: Any, stats: RunStats) -> Any:
    def emit(posts: list[Post]) -> list[str | None]:
        names: list[str | None] = []
        for post, result in zip(posts, sink.write_many(posts)):
            if isinstance(result, RecordError):
                stats.fail(post.url or post.source or "?", str(result), "write")
                names.append(None)
                continue
            outcome = result.value
            if outcome == "new":
                stats.new += 1
            elif outcome == "updated":
                stats.updated += 1
            else:
                stats.unchanged += 1
            names.append(outcome)
        return names

    return emit


async def _run_all(jobs: list[Job], sinks: dict[tuple[str, str], Any], archives: dict[str, Any], state: Any,
                   observer: Any, transport: Any, concurrency: int, report: RunReport) -> None:
    from .pipeline import run_crawl

    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(i: int, job: Job) -> None:
        name = job.name or f"job{i + 1}"
        stats = report.jobs.setdefault(name, RunStats())
        out = _out_path(job.output)
        sink = sinks[(str(out) if out is not None else "-", job.output.format)]
        archive = archives.get(str(job.crawl.warc_dir)) if job.crawl.warc_dir is not None else None
        async with gate:
            await run_crawl(list(job.starts), job.crawl, _emitter(sink, stats), state=state, archive=archive,
                            observer=observer, transport=transport, stats=stats)

    await asyncio.gather(*(one(i, job) for i, job in enumerate(jobs)))
    for stats in report.jobs.values():
        report.total.merge(stats)
