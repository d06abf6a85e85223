"""``scraper demo``: a real crawl of the bundled demo blog, served on 127.0.0.1."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import EXIT_USAGE, warn

DEMO_PORT = 8765  # fixed when free, so that re-runs give the same record ids


@click.command("demo")
@click.option("--out", default="output", show_default=True, help="Output folder.")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl"]), default="json", show_default=True)
@click.option("--follow", is_flag=True, help="Also fetch each permalink for the full article.")
@click.option("--site", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="Serve this folder instead of the bundled demo blog.")
@click.option("--quiet", "-q", is_flag=True)
def demo_cmd(out: str, fmt: str, follow: bool, site: Path | None, quiet: bool) -> None:
    """Serve the bundled demo blog on 127.0.0.1 and crawl its tag listing.

    No internet needed: the site (a tag page over two pages, linked by "Older
    posts", with cookie banners, newsletter boxes and job ads around the posts) is
    served from tests/fixtures/sites/demo by a local server for the length of the run."""
    from ..config import CrawlConfig, OutputConfig
    from ..demo import find_demo_site, serve_site
    from .crawl_cmd import execute

    root = site or find_demo_site()
    if root is None:
        warn("the demo site was not found (tests/fixtures/sites/demo in a source checkout); use --site DIR")
        sys.exit(EXIT_USAGE)
    with serve_site(root, port=DEMO_PORT) as base:
        start = f"{base}/tag/civil-society/"
        click.echo(f"demo site: {root}\nserving on {base}; crawling {start}", err=True)
        crawl = CrawlConfig(delay=0.2, follow=follow)
        output = OutputConfig(out=Path(out), format=fmt)
        code = execute((start,), crawl, output, quiet, name="demo")
    sys.exit(code)
