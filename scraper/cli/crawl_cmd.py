"""placeholder"""
import click


@click.command("crawl")
def crawl_cmd() -> None:
    """Not yet."""
