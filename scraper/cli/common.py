"""Small helpers the commands share: output of records and messages."""

from __future__ import annotations

import sys
from typing import IO

import click

__all__ = ["emit_jsonl", "warn", "EXIT_OK", "EXIT_PARTIAL", "EXIT_USAGE"]

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2


def emit_jsonl(posts, stream: IO[bytes] | None = None) -> int:
    """Write records as JSON Lines to a binary stream (stdout by default)."""
    from ..records import to_json

    out = stream or sys.stdout.buffer
    n = 0
    for p in posts:
        out.write(to_json(p) + b"\n")
        n += 1
    out.flush()
    return n


def warn(message: str) -> None:
    click.echo(f"scraper: {message}", err=True)
