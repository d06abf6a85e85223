"""Feedback while crawling: a progress bar on a terminal, plain lines for cron, and
the summary at the end. All of it goes to standard error, so that ``--out -`` keeps
standard output for records."""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from ..crawl import Page
from ..records import Post
from ..stats import RunStats

__all__ = ["make_observer", "print_summary"]


class LogLines:
    """One line per page and per failure: readable in a cron mail or a log file."""

    def __init__(self) -> None:
        self.t0 = time.monotonic()

    def _say(self, msg: str) -> None:
        click.echo(f"[{time.monotonic() - self.t0:7.1f}s] {msg}", err=True)

    def page(self, page: Page) -> None:
        if page.not_modified:
            self._say(f"page {page.number} not modified: {page.response.url if page.response else page.listing}")
        elif page.result is not None and page.response is not None:
            self._say(f"page {page.number}: {len(page.result.posts)} posts from {page.response.url}")

    def post(self, post: Post, outcome: str) -> None:
        pass

    def failure(self, url: str, reason: str) -> None:
        self._say(f"failed: {url}: {reason}")

    def close(self) -> None:
        pass


class RichBar:
    """A live progress line (rich) on an interactive terminal."""

    def __init__(self, total_listings: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self.counts = {"pages": 0, "posts": 0, "new": 0, "errors": 0}
        self.t0 = time.monotonic()
        self.progress = Progress(
            SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(),
            TextColumn("{task.fields[detail]}"), TimeElapsedColumn(),
            console=Console(stderr=True), transient=False,
        )
        self.task = self.progress.add_task("crawling", total=None, detail="")
        self.progress.start()

    def _refresh(self) -> None:
        c = self.counts
        rate = c["pages"] / max(0.001, time.monotonic() - self.t0)
        self.progress.update(self.task, detail=(
            f"{c['pages']} pages  {c['posts']} posts ({c['new']} new)  {c['errors']} errors  {rate:.1f} pages/s"))

    def page(self, page: Page) -> None:
        self.counts["pages"] += 1
        self._refresh()

    def post(self, post: Post, outcome: str) -> None:
        self.counts["posts"] += 1
        if outcome == "new":
            self.counts["new"] += 1
        self._refresh()

    def failure(self, url: str, reason: str) -> None:
        self.counts["errors"] += 1
        self.progress.console.print(f"[red]failed[/red] {url}: {reason}")
        self._refresh()

    def close(self) -> None:
        self.progress.stop()


def make_observer(quiet: bool, listings: int) -> Any:
    if quiet:
        from ..pipeline import QuietObserver

        return QuietObserver()
    if sys.stderr.isatty():
        return RichBar(listings)
    return LogLines()


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} B"


def print_summary(stats: RunStats, where: str | None) -> None:
    """The end-of-run summary, for people and for cron mails."""
    lines = [
        f"pages fetched: {stats.pages} ({stats.not_modified} not modified) from {stats.listings} listing(s)",
        f"posts: {stats.new} new, {stats.updated} updated, {stats.unchanged} unchanged"
        + (f", {stats.followed} followed to their permalinks" if stats.followed else ""),
        f"retries: {stats.retries}   failures: {stats.failure_count}   "
        f"bytes: {_size(stats.bytes)}   time: {stats.seconds:.1f}s",
    ]
    if stats.stops:
        lines.append("stopped paging: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.stops.items())))
    if where:
        lines.append(f"written to: {where}")
    for f in stats.skipped[:10]:
        lines.append(f"  skipped ({f.stage}): {f.url}: {f.reason}")
    if len(stats.skipped) > 10:
        lines.append(f"  ... and {len(stats.skipped) - 10} more skipped")
    for f in stats.failures[:10]:
        lines.append(f"  failed ({f.stage}): {f.url}: {f.reason}")
    if stats.failure_count > 10:
        lines.append(f"  ... and {stats.failure_count - 10} more failures")
    for line in lines:
        click.echo(line, err=True)
