"""placeholder"""
import click


@click.command("demo")
def demo_cmd() -> None:
    """Not yet."""
