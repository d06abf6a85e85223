"""Shards run one after another in this process: the reference the Ray executor is
compared against, and what a single machine without Ray does with sharded state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..runner import RunReport, run_jobs
from .shards import Shard, shard_state_path

__all__ = ["run_shard", "run_shards"]


def run_shard(shard: Shard, state_dir: Path | None, transport: Any = None) -> RunReport:
    """One shard: its jobs, with its own state file."""
    return run_jobs(list(shard.jobs), state_path=shard_state_path(shard, state_dir), transport=transport)


def run_shards(shards: list[Shard], state_dir: Path | None = None) -> RunReport:
    report = RunReport()
    for shard in shards:
        merge_report(report, run_shard(shard, state_dir))
    return report


def merge_report(into: RunReport, part: RunReport) -> None:
    """Add a shard's counters to the run's, per job name and in total."""
    from ..stats import RunStats

    for name, stats in part.jobs.items():
        into.jobs.setdefault(name, RunStats()).merge(stats)
    into.total.merge(part.total)
