"""``scraper parse``: the records of saved pages (or of a WARC archive) as JSON Lines."""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

import click

from .common import EXIT_PARTIAL, warn

_PAGE_SUFFIXES = (".html", ".htm", ".xhtml")


def _expand(pages: Iterable[Path]) -> Iterator[Path]:
    """Pages as given; a folder stands for the HTML files under it, sorted."""
    for page in pages:
        if page.is_dir():
            found = sorted(p for p in page.rglob("*") if p.suffix.lower() in _PAGE_SUFFIXES and p.is_file())
            yield from found or [page]  # (an empty folder is reported by parse_one)
        else:
            yield page


def parse_one(page: Path, url: str | None) -> tuple[bytes, str | None, bool]:
    """One saved page to (its JSON Lines, a warning or None, whether it failed).
    A top-level function, so that worker processes can run it: a page's failure
    is reported, never raised, so one bad page cannot stop the others."""
    from ..api import parse_page
    from ..errors import ParseError
    from ..records import to_json

    if page.is_dir():
        return b"", f"{page}: no {', '.join(_PAGE_SUFFIXES)} files in this folder", True
    try:
        data = sys.stdin.buffer.read() if str(page) == "-" else page.read_bytes()
    except OSError as exc:
        return b"", f"{page}: cannot read: {exc.strerror or exc}", True
    try:
        result = parse_page(data, url)
    except ParseError as exc:
        return b"", f"{page}: {exc}", True
    except Exception as exc:  # a page that trips a bug: say so, and go on with the others
        return b"", f"{page}: could not parse ({type(exc).__name__}: {exc}); please report this page", True
    lines = b"".join(to_json(p) + b"\n" for p in result.posts)
    note = None if result.posts else f"{page}: no posts: {result.reason or 'nothing found'}"
    return lines, note, False


def _in_processes(pages: Iterable[Path], url: str | None, jobs: int) -> Iterator[tuple[bytes, str | None, bool]]:
    """``parse_one`` over the pages in ``jobs`` processes, results in page order.
    At most a few pages per worker are in flight, so a list of millions of files
    costs no more memory than a short one."""
    from concurrent.futures import Future, ProcessPoolExecutor

    window: deque[Future[tuple[bytes, str | None, bool]]] = deque()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for page in pages:
            window.append(pool.submit(parse_one, page, url))
            if len(window) >= 4 * jobs:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()


@click.command("parse")
@click.argument("pages", nargs=-1, type=click.Path(path_type=Path))
@click.option("--url", default=None, help="The page's address, for resolving relative links "
              "(default: the page's canonical link or og:url).")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(min=0),
              help="Processes parsing pages at once; 0 means one per core. Output stays in page order.")
@click.option("--warc", "warcs", multiple=True, help="Rebuild records from WARC file(s) instead "
              "of saved pages (globs allowed).")
@click.option("--ray", "ray_address", is_flag=False, flag_value="auto", default=None,
              help="With --warc: parse archives in parallel on Ray (optional ADDRESS).")
def parse_cmd(pages: tuple[Path, ...], url: str | None, jobs: int, warcs: tuple[str, ...],
              ray_address: str | None) -> None:
    """Print the posts of saved listing pages as JSON Lines, in page order.

    PAGES are HTML files as saved from the web ('-' reads standard input); a folder
    stands for the .html/.htm files under it. A page that is neither a listing nor
    an article gives no records, and a line on standard error says why."""
    if warcs:
        from .warc_parse import parse_warcs

        sys.exit(parse_warcs(warcs, ray_address))
    if not pages:
        raise click.UsageError("give at least one PAGE (or --warc FILE)")
    from ..urls import is_http_url

    if url and not is_http_url(url):
        raise click.UsageError(f"--url must be an absolute http(s) address, not {url!r}")
    jobs = jobs or os.cpu_count() or 1
    found = _expand(pages)
    if jobs > 1 and not any(str(p) == "-" for p in pages):
        results = _in_processes(found, url or None, jobs)
    else:
        results = (parse_one(page, url or None) for page in found)
    out = sys.stdout.buffer
    failed = 0
    for lines, note, bad in results:
        if note:
            warn(note)
        failed += bad
        if lines:
            out.write(lines)
            out.flush()
    if failed:
        sys.exit(EXIT_PARTIAL)
