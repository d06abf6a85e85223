"""``scraper inspect``: what the tool sees on a page, for debugging a crawl."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.command("inspect")
@click.argument("page", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--url", default=None, help="The page's address (default: its canonical link).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of text.")
def inspect_cmd(page: Path, url: str | None, as_json: bool) -> None:
    """Show a page's kind (listing, article, other), its posts, next page and feeds."""
    from ..api import parse_page
    from ..errors import ParseError
    from ..urls import is_http_url

    if url and not is_http_url(url):
        raise click.UsageError(f"--url must be an absolute http(s) address, not {url!r}")

    try:
        data = sys.stdin.buffer.read() if str(page) == "-" else page.read_bytes()
        result = parse_page(data, url or None)
    except OSError as exc:
        raise click.FileError(str(page), hint=exc.strerror or str(exc)) from exc
    except ParseError as exc:
        raise click.ClickException(f"{page}: {exc}") from exc
    if as_json:
        obj = {
            "url": result.url,
            "kind": result.kind,
            "posts": len(result.posts),
            "next": result.next_url,
            "feeds": result.feeds,
            "reason": result.reason,
            "notes": result.notes,
            "items": [{"title": p.title, "url": p.url, "date": p.date, "author": p.author,
                       "comments": p.comments, "chars": len(p.text or "")} for p in result.posts],
        }
        click.echo(json.dumps(obj, ensure_ascii=False, indent=2))
        return
    click.echo(f"page:  {result.url or page}")
    click.echo(f"kind:  {result.kind}" + (f"  ({result.reason})" if result.reason else ""))
    click.echo(f"next:  {result.next_url or '-'}")
    click.echo(f"feeds: {', '.join(result.feeds) or '-'}")
    click.echo(f"posts: {len(result.posts)}")
    for i, p in enumerate(result.posts, 1):
        bits = [p.date or "no date", p.author or "no author",
                f"{p.comments} comments" if p.comments is not None else "comments ?",
                f"{len(p.text or '')} chars" + ("" if p.full_text else " (excerpt)")]
        click.echo(f"  {i:2d}. {p.title}\n      {p.url or '-'}\n      " + " | ".join(bits))
    for note in result.notes:
        click.echo(f"note:  {note}")
    if result.groups:
        click.echo("candidate structures (best first):")
        for g in result.groups:
            click.echo(f"  {g}")
