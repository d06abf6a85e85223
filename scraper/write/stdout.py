"""JSON Lines on a binary stream (``--out -``): one flushed line per record.

Nothing here can be fsynced or repaired; a consumer that must not see a record twice
after a crash should dedupe on ``(id, sha256)``."""

from __future__ import annotations

import sys
from typing import BinaryIO

from ..records import Post, to_json

__all__ = ["StdoutWriter"]


class StdoutWriter:
    """Writes records to ``stream`` (standard output by default)."""

    def __init__(self, stream: BinaryIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stdout.buffer

    def write(self, post: Post) -> None:
        self._stream.write(to_json(post) + b"\n")
        self._stream.flush()
