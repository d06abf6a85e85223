"""``scraper run JOBS.toml``: many sites in one go, one summary, an exit status for cron."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import EXIT_PARTIAL, EXIT_USAGE, warn


@click.command("run")
@click.argument("jobs_file", metavar="JOBS.toml", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--full", is_flag=True, help="Ignore what earlier runs saw: walk every page again.")
@click.option("--quiet", "-q", is_flag=True, help="No progress output; the summary and errors only.")
@click.option("--ray", "ray_address", is_flag=False, flag_value="auto", default=None, metavar="[ADDRESS]",
              help="Run the sites on a Ray cluster (local when no ADDRESS): pip install 'scraper[ray]'.")
def run_cmd(jobs_file: Path, full: bool, quiet: bool, ray_address: str | None) -> None:
    """Crawl every [[site]] of a job file; exit 0 when all went well, 1 when some
    pages or posts failed, 2 for a bad job file (which names the line and key)."""
    from ..errors import ConfigError, ScraperError, StateError
    from ..jobfile import load_jobs
    from .progress import make_observer, print_summary

    try:
        spec = load_jobs(jobs_file, overrides={"full": full or None})
    except ConfigError as exc:
        warn(str(exc))
        sys.exit(EXIT_USAGE)
    observer = make_observer(quiet, sum(len(j.starts) for j in spec.jobs))
    try:
        if ray_address is not None:
            from ..executors.ray import run_jobs_on_ray

            state_dir = spec.state.parent / f"{spec.state.stem}-shards" if spec.state else None
            report = run_jobs_on_ray(
                spec.jobs, address=None if ray_address == "auto" else ray_address, state_dir=state_dir,
                on_shard=lambda shard, part: click.echo(
                    f"shard {shard.key}: {part.total.pages} pages, {part.total.new} new", err=True) if not quiet else None)
        else:
            from ..runner import run_jobs

            report = run_jobs(spec.jobs, observer=observer, concurrency=spec.parallel, state_path=spec.state)
    except (ConfigError, StateError) as exc:
        observer.close()
        warn(str(exc))
        sys.exit(EXIT_USAGE)
    except ScraperError as exc:
        observer.close()
        warn(str(exc))
        sys.exit(EXIT_PARTIAL)
    observer.close()
    for name, stats in report.jobs.items():
        click.echo(f"{name}: {stats.pages} pages, {stats.new} new, {stats.updated} updated, "
                   f"{stats.unchanged} unchanged, {stats.failure_count} failures", err=True)
    outs = sorted({str(j.output.out) for j in spec.jobs})
    print_summary(report.total, ", ".join(outs))
    sys.exit(0 if report.total.ok else EXIT_PARTIAL)
