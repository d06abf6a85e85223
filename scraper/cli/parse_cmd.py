"""``scraper parse``: the records of saved pages (or of a WARC archive) as JSON Lines."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import EXIT_PARTIAL, emit_jsonl, warn


@click.command("parse")
@click.argument("pages", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--url", default=None, help="The page's address, for resolving relative links "
              "(default: the page's canonical link or og:url).")
@click.option("--warc", "warcs", multiple=True, help="Rebuild records from WARC file(s) instead "
              "of saved pages (globs allowed).")
@click.option("--ray", "ray_address", is_flag=False, flag_value="auto", default=None,
              help="With --warc: parse archives in parallel on Ray (optional ADDRESS).")
def parse_cmd(pages: tuple[Path, ...], url: str | None, warcs: tuple[str, ...], ray_address: str | None) -> None:
    """Print the posts of saved listing pages as JSON Lines, in page order.

    PAGES are HTML files as saved from the web ('-' reads standard input). A page
    that is neither a listing nor an article gives no records, and a line on
    standard error says why."""
    if warcs:
        from .warc_parse import parse_warcs

        sys.exit(parse_warcs(warcs, ray_address))
    if not pages:
        raise click.UsageError("give at least one PAGE (or --warc FILE)")
    from ..urls import is_http_url

    if url and not is_http_url(url):
        raise click.UsageError(f"--url must be an absolute http(s) address, not {url!r}")
    from ..api import parse_page
    from ..errors import ParseError

    failed = 0
    for page in pages:
        try:
            data = sys.stdin.buffer.read() if str(page) == "-" else page.read_bytes()
        except OSError as exc:
            warn(f"{page}: cannot read: {exc.strerror or exc}")
            failed += 1
            continue
        try:
            result = parse_page(data, url or None)
        except ParseError as exc:
            warn(f"{page}: {exc}")
            failed += 1
            continue
        if not result.posts:
            warn(f"{page}: no posts: {result.reason or 'nothing found'}")
        emit_jsonl(result.posts)
    if failed:
        sys.exit(EXIT_PARTIAL)
