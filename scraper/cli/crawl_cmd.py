"""``scraper crawl``: fetch listings, follow their pagination, write one record per post."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import EXIT_PARTIAL, EXIT_USAGE, warn

CRAWL_OPTIONS = [
    click.option("--out", "out", default="output", show_default=True,
                 help="Output folder ('-': JSON Lines on standard output)."),
    click.option("--format", "fmt", type=click.Choice(["json", "jsonl"]), default="json", show_default=True,
                 help="json: one file per post under OUT/<host>/; jsonl: OUT/<host>.jsonl."),
    click.option("--delay", type=float, default=None, help="Seconds between two requests to one host "
                 "[default: 1.0; never below robots.txt's Crawl-delay]."),
    click.option("--concurrency", type=int, default=None, help="Hosts crawled at once [default: 8]."),
    click.option("--max-pages", type=int, default=None, help="Listing pages per start URL [default: 1000]."),
    click.option("--parse-workers", type=int, default=None,
                 help="Processes that parse pages beside the fetching loop [default: automatic: one per spare "
                 "core, at most 2, once a crawl passes 10 pages; 0: parse inline]."),
    click.option("--transport", type=click.Choice(["auto", "aiohttp", "httpx"]), default=None,
                 help="The connection pool under httpx: aiohttp's (a third of the CPU per request) or httpx's "
                 "own [default: auto: aiohttp's when installed]."),
    click.option("--max-posts", type=int, default=None, help="Posts per start URL."),
    click.option("--since", default=None, help="Stop paging once a page has only posts older than this "
                 "date (YYYY-MM-DD); older posts are not written."),
    click.option("--follow", is_flag=True, help="Fetch each post's permalink for the full article."),
    click.option("--user-agent", default=None, help="User-Agent header (default names the tool and a contact URL)."),
    click.option("--timeout", type=float, default=None, help="Seconds before a request times out [default: 30]."),
    click.option("--retries", type=int, default=None, help="Further tries after a transient failure [default: 4]."),
    click.option("--max-retry-after", type=float, default=None,
                 help="Longest Retry-After honoured, seconds [default: 300]."),
    click.option("--max-bytes", type=int, default=None, help="Body size cap after decompression [default: 10 MB]."),
    click.option("--state", "state", type=click.Path(dir_okay=False, path_type=Path), default=None,
                 help="State database (default: OUT/.scraper-state.sqlite)."),
    click.option("--full", is_flag=True, help="Ignore what earlier runs saw: walk every page again."),
    click.option("--warc", "warc", type=click.Path(file_okay=False, path_type=Path), default=None,
                 help="Also archive every request and response as WARC files in this folder."),
    click.option("--keep-revisions", is_flag=True, help="Keep a changed post's previous record beside it."),
    click.option("--quiet", "-q", is_flag=True, help="No progress output; the summary and errors only."),
]


def crawl_options(f):  # type: ignore[no-untyped-def]
    for opt in reversed(CRAWL_OPTIONS):
        f = opt(f)
    return f


def build_configs(out: str, fmt: str, keep_revisions: bool, **flags):  # type: ignore[no-untyped-def]
    """Flags to frozen configs; bad values become a usage error that names the flag."""
    from ..config import CrawlConfig, OutputConfig, merged
    from ..errors import ConfigError

    try:
        crawl = merged(CrawlConfig(), **flags)
        output = OutputConfig(out=None if out == "-" else Path(out), format=fmt, keep_revisions=keep_revisions)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    return crawl, output


@click.command("crawl")
@click.argument("urls", nargs=-1, required=True)
@crawl_options
def crawl_cmd(urls: tuple[str, ...], out: str, fmt: str, keep_revisions: bool, quiet: bool, **flags) -> None:  # type: ignore[no-untyped-def]
    """Crawl listing pages (tag, category, archive, author, home) and their pagination.

    Writes one JSON record per post. Exit status: 0 when all went well, 1 when some
    pages or posts failed (the others are written), 2 for usage errors."""
    from ..urls import is_http_url

    bad = [u for u in urls if not is_http_url(u)]
    if bad:
        raise click.UsageError(f"not an http(s) URL: {bad[0]} (give full addresses like https://example.org/tag/x/)")
    flags = {k.replace("-", "_"): v for k, v in flags.items()}
    flags["follow"] = flags.get("follow") or None
    flags["full"] = flags.get("full") or None
    flags["warc_dir"] = flags.pop("warc", None)
    crawl, output = build_configs(out, fmt, keep_revisions, **flags)
    sys.exit(execute(tuple(urls), crawl, output, quiet))


def execute(urls: tuple[str, ...], crawl, output, quiet: bool, name: str | None = None) -> int:  # type: ignore[no-untyped-def]
    """Run one job with progress and a summary; returns the exit status."""
    from ..errors import ConfigError, ScraperError, StateError
    from ..runner import Job, run_job
    from .progress import make_observer, print_summary

    observer = make_observer(quiet, len(urls))
    try:
        stats = run_job(Job(starts=urls, crawl=crawl, output=output, name=name), observer=observer)
    except ScraperError as exc:
        observer.close()
        warn(str(exc))
        return EXIT_USAGE if isinstance(exc, (ConfigError, StateError)) else EXIT_PARTIAL
    except KeyboardInterrupt:
        observer.close()
        warn("interrupted: records written so far are complete; run the same command again to resume")
        return 130
    observer.close()
    where = None if output.out is None else str(output.out)
    print_summary(stats, where)
    return 0 if stats.ok else EXIT_PARTIAL
