"""Output: records to JSON files, JSON Lines or stdout, and fetches to WARC.

``RecordSink`` is what the crawler writes posts to; ``WarcArchive`` keeps the raw
exchanges. The writers underneath are public for tools that need one layout only.
Importing this package does not import warcio (``write.warc`` loads it lazily)."""

from __future__ import annotations

from .atomic import atomic_write_bytes
from .jsonfiles import JsonDirWriter
from .jsonl import JsonlWriter, TailRepair
from .sink import Outcome, RecordSink, SinkCounts
from .stdout import StdoutWriter
from .warc import ArchivedResponse, WarcArchive, WarcLocation, iter_responses

__all__ = [
    "RecordSink",
    "Outcome",
    "SinkCounts",
    "atomic_write_bytes",
    "JsonDirWriter",
    "JsonlWriter",
    "TailRepair",
    "StdoutWriter",
    "WarcArchive",
    "WarcLocation",
    "ArchivedResponse",
    "iter_responses",
]
