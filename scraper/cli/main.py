"""``scraper``: the command group. Commands import their heavy modules lazily so that
``scraper --help`` stays fast."""

from __future__ import annotations

import click

from .._version import __version__
from .crawl_cmd import crawl_cmd
from .demo_cmd import demo_cmd
from .inspect_cmd import inspect_cmd
from .parse_cmd import parse_cmd
from .run_cmd import run_cmd


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scraper")
def cli() -> None:
    """Archive blogs and trade-press sites post by post.

    Point it at a listing page (a tag, category, archive, author or home page): it
    follows the pagination, splits every page into posts, and writes one clean JSON
    record per post."""


cli.add_command(parse_cmd)
cli.add_command(crawl_cmd)
cli.add_command(inspect_cmd)
cli.add_command(run_cmd)
cli.add_command(demo_cmd)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
