"""One crawl job end to end, as the CLI and the job file run it: open the state
database and the outputs, run the pipeline, record the run, close everything.

The only place that catches per-record errors: an invalid record is counted and
skipped; a write failure (disk full, permissions) stops the job, with every record
written before it intact."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import CrawlConfig, OutputConfig
from .errors import RecordError
from .records import Post
from .stats import RunStats

__all__ = ["Job", "run_job", "default_state_path"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Job:
    """What to crawl and where the records go."""

    starts: tuple[str, ...]
    crawl: CrawlConfig
    output: OutputConfig
    name: str | None = None


def default_state_path(output: OutputConfig) -> Path | None:
    """State lives in the output folder unless told otherwise; stdout runs keep none."""
    if output.out is None or str(output.out) == "-":
        return None
    out = Path(output.out)
    folder = out.parent if out.suffix == ".jsonl" else out
    return folder / ".scraper-state.sqlite"


def run_job(job: Job, *, observer: Any = None, transport: Any = None, stats: RunStats | None = None) -> RunStats:
    """Run one job to completion and return its counters."""
    from .state import State
    from .write.sink import RecordSink

    stats = stats or RunStats()
    state_path = job.crawl.state or default_state_path(job.output)
    out = None if job.output.out is None or str(job.output.out) == "-" else job.output.out
    if out is not None:
        Path(out if Path(out).suffix != ".jsonl" else Path(out).parent).mkdir(parents=True, exist_ok=True)
    state = State.open(state_path) if state_path is not None else None
    archive = None
    try:
        if job.crawl.warc_dir is not None:
            from .write.warc import WarcArchive

            archive = WarcArchive(job.crawl.warc_dir, max_bytes=job.crawl.warc_max_bytes)
        run_id = state.begin_run() if state is not None else None
        with RecordSink(out, job.output.format, keep_revisions=job.output.keep_revisions, state=state) as sink:

            def emit(post: Post) -> str | None:
                try:
                    outcome = sink.write(post).value
                except RecordError as exc:
                    stats.fail(post.url or post.source or "?", str(exc), "write")
                    return None
                if outcome == "new":
                    stats.new += 1
                elif outcome == "updated":
                    stats.updated += 1
                else:
                    stats.unchanged += 1
                return outcome

            status = "failed"
            try:
                asyncio.run(_run(job, emit, state, archive, observer, transport, stats))
                status = "ok" if stats.ok else "partial"
            finally:
                if state is not None and run_id is not None:
                    state.end_run(run_id, status, stats.as_dict())
    finally:
        if archive is not None:
            archive.close()
        if state is not None:
            state.close()
    return stats


async def _run(job: Job, emit: Any, state: Any, archive: Any, observer: Any, transport: Any,
               stats: RunStats) -> None:
    from .pipeline import run_crawl

    await run_crawl(list(job.starts), job.crawl, emit, state=state, archive=archive, observer=observer,
                    transport=transport, stats=stats)
