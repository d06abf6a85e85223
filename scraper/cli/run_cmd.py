"""placeholder"""
import click


@click.command("run")
def run_cmd() -> None:
    """Not yet."""
