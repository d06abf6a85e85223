"""RecordSink: the one object the crawler hands posts to. Every post exactly once.

A post is NEW (first record for its id), UPDATED (same id, new ``sha256``: written
again with ``revision + 1``) or UNCHANGED (nothing written; only ``last_seen`` is
touched). Outcomes say what the sink *did*, relative to what it could see.

Crash safety. The record is made durable first, the state row second. A crash in
between leaves a record that state does not know, never the reverse, and each
format makes that harmless:

* ``json``: before writing a NEW or UPDATED post the sink reads the file already on
  disk; if it holds the same sha256 the post is not written again (and state catches
  up). Revisions are numbered from the larger of state's and the file's.
* ``jsonl``: files are append-only, so consumers take the LAST line per id. At first
  use of a file the sink repairs a torn tail, then reconciles: every line beyond
  state's ``committed_size`` for that file is recorded into state. The append and the
  new ``committed_size`` are committed in one transaction.
* stdout: at-least-once; a crash between a line and its commit re-emits it next run.

Without a State the sink dedups within the run in memory, and for ``jsonl`` (or
``json``, via the file on disk) across runs that write into the same output.
A State belongs to one output: aimed at a different ``out``, it still treats posts
it knows as UNCHANGED, so only new and changed posts land there.
Not thread-safe: call it from one thread.
"""

from __future__ import annotations

import enum
import logging
import os
import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import msgspec

from ..config import OutputConfig
from ..errors import ConfigError, RecordError, ScraperError
from ..records import Post, to_json, utc_now, validate
from ..state import State
from .atomic import fsync_directory
from .jsonfiles import JsonDirWriter, record_host
from .jsonl import JsonlBusy, JsonlWriter, TailRepair
from .stdout import StdoutWriter

__all__ = ["RecordSink", "Outcome", "SinkCounts"]

log = logging.getLogger(__name__)

_ID = re.compile(r"[0-9a-f]{20}")
MAX_OPEN_FILES = 64


class Outcome(enum.Enum):
    """What ``RecordSink.write`` did with a post."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class SinkCounts:
    """How many posts of each outcome a sink has seen (for run stats)."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class _Known:
    sha256: str | None
    revision: int


class _Head(msgspec.Struct):
    """The fields of a stored line that dedup needs; the rest is skipped unparsed."""

    id: str
    url: str | None = None
    sha256: str | None = None
    revision: int = 1
    fetched_at: str | None = None


_head_decoder = msgspec.json.Decoder(_Head)


@dataclass(slots=True)
class _Batch:
    """What a batch of writes must make durable before state may commit."""

    writers: dict[Path, JsonlWriter] = field(default_factory=dict)
    dirs: set[Path] = field(default_factory=set)

    def sync(self) -> None:
        for writer in self.writers.values():
            writer.sync()
        for directory in self.dirs:
            fsync_directory(directory)


class RecordSink:
    """Writes validated records to a directory of JSON files, JSON Lines, or a stream.

    ``out``: a directory; for ``jsonl`` either a directory (one ``<host>.jsonl`` per
    host) or a file path ending in ``.jsonl``; None or ``"-"`` for ``stream``/stdout.
    ``keep_revisions`` applies to ``json`` (JSON Lines keep every revision anyway)."""

    def __init__(self, out: str | os.PathLike[str] | None, format: str = "json", *,
                 keep_revisions: bool = False, state: State | None = None, pretty: bool = False,
                 stream: BinaryIO | None = None, clock: Callable[[], str] = utc_now) -> None:
        if format not in ("json", "jsonl"):
            raise ConfigError(f"format must be 'json' or 'jsonl', not {format!r}")
        self._out = None if out is None or os.fspath(out) == "-" else Path(out).absolute()
        self._format = "stdout" if self._out is None else format
        self._state = state
        self._clock = clock
        self._dir = JsonDirWriter(self._out, pretty=pretty, keep_revisions=keep_revisions) \
            if self._format == "json" and self._out is not None else None
        self._stdout = StdoutWriter(stream) if self._format == "stdout" else None
        self._jsonl: OrderedDict[Path, JsonlWriter] = OrderedDict()  # open files, LRU order
        self._reconciled: set[Path] = set()
        self._memory: dict[str, _Known] = {}
        self._counts: Counter[Outcome] = Counter()
        self.repairs: list[TailRepair] = []
        self.reconciled = 0  # lines found beyond committed_size and recorded into state
        self._batch: _Batch | None = None
        if self._format == "jsonl":
            try:
                self._repair_existing()
            except OSError as exc:
                raise ScraperError(f"cannot open JSON Lines output {self._out}: {exc}") from exc

    @classmethod
    def from_config(cls, config: OutputConfig, state: State | None = None, **kw: object) -> RecordSink:
        return cls(config.out, config.format, keep_revisions=config.keep_revisions, state=state, **kw)  # type: ignore[arg-type]

    @property
    def counts(self) -> SinkCounts:
        c = self._counts
        return SinkCounts(c[Outcome.NEW], c[Outcome.UPDATED], c[Outcome.UNCHANGED])

    def write(self, post: Post) -> Outcome:
        """Validate and store one post. RecordError for an invalid record (nothing written);
        ScraperError (from OSError) when the output cannot be written: fatal."""
        validate(post)
        if not _ID.fullmatch(post.id):
            raise RecordError(f"record {post.id!r}: id is not 20 lower-case hex digits")
        try:
            outcome = self._write(post, post.fetched_at or self._clock())
        except BrokenPipeError:
            raise  # the reader of stdout went away: the CLI's business, not a write failure
        except OSError as exc:
            raise ScraperError(f"cannot write record {post.id} under {self._out or 'stdout'}: {exc}") from exc
        self._counts[outcome] += 1
        return outcome

    def write_many(self, posts: list[Post]) -> list[Outcome | RecordError]:
        """Write a page's posts with one fsync per file and one state transaction.

        The records are made durable (files fsynced, directories fsynced) inside the
        transaction, which commits only after: the same order as ``write``, at the
        cost of one fsync per file instead of one per record. An invalid record is
        returned as its RecordError, the others are written."""
        results: list[Outcome | RecordError] = []
        batch = self._batch = _Batch()
        try:
            with self._state.transaction() if self._state is not None else nullcontext():
                for post in posts:
                    try:
                        results.append(self.write(post))
                    except RecordError as exc:
                        results.append(exc)
                try:
                    batch.sync()
                except OSError as exc:
                    raise ScraperError(f"cannot write records under {self._out}: {exc}") from exc
        finally:
            self._batch = None
        return results

    def _write(self, post: Post, seen_at: str) -> Outcome:
        writer = self._jsonl_writer(post) if self._format == "jsonl" else None
        known = self._known(post.id)
        if known is not None and known.sha256 == post.sha256:
            if self._state is not None:
                self._state.touch_post(post.id, seen_at)
            return Outcome.UNCHANGED
        previous = known.revision if known else 0
        if self._dir is not None:
            stored = self._dir.read(post)
            path = str(self._dir.path_for(post))
            if stored is not None and stored.sha256 == post.sha256:  # written by an interrupted run
                self._commit(post, stored.revision, seen_at, path)
                return Outcome.UNCHANGED
            if stored is not None:
                previous = max(previous, stored.revision)
        record = msgspec.structs.replace(post, revision=previous + 1)
        batch = self._batch
        if self._dir is not None:
            written = self._dir.write(record, sync_dir=batch is None)
            if batch is not None:
                batch.dirs.add(written.parent)
            self._commit(record, record.revision, seen_at, path)
        elif writer is not None:
            offset = writer.append(to_json(record), sync=batch is None)
            if batch is not None:
                batch.writers[writer.path] = writer
            self._commit(record, record.revision, seen_at, f"{writer.path}:{offset}", writer)
        else:
            self._stdout.write(record)  # type: ignore[union-attr]
            self._commit(record, record.revision, seen_at, "-")
        return Outcome.NEW if previous == 0 else Outcome.UPDATED

    def _known(self, post_id: str) -> _Known | None:
        if self._state is None:
            return self._memory.get(post_id)
        ps = self._state.post_state(post_id)
        return _Known(ps.sha256, ps.revision) if ps else None

    def _commit(self, post: Post, revision: int, seen_at: str, location: str,
                writer: JsonlWriter | None = None) -> None:
        """Tell state (or memory) about a record that is already durable."""
        if self._state is None:
            self._memory[post.id] = _Known(post.sha256, revision)
            return
        with self._state.transaction():
            self._state.upsert_post(post.id, url=post.url, sha256=post.sha256, revision=revision,
                                    seen_at=seen_at, location=location)
            if writer is not None:
                self._state.set_committed_size(writer.path, writer.size)

    # -- JSON Lines: open, repair, reconcile ---------------------------------------

    def _jsonl_writer(self, post: Post) -> JsonlWriter:
        assert self._out is not None
        path = self._out if self._out.suffix == ".jsonl" else self._out / f"{record_host(post)}.jsonl"
        writer = self._jsonl.get(path)
        if writer is not None:
            self._jsonl.move_to_end(path)
            return writer
        if len(self._jsonl) >= MAX_OPEN_FILES:  # one file per host: bound the open descriptors
            self._jsonl.popitem(last=False)[1].close()
        writer = self._jsonl[path] = self._open_jsonl(path)
        if path not in self._reconciled:
            self._reconcile(writer)
            self._reconciled.add(path)
        return writer

    def _open_jsonl(self, path: Path) -> JsonlWriter:
        writer = JsonlWriter(path)
        if writer.repair is not None:
            self.repairs.append(writer.repair)
        return writer

    def _repair_existing(self) -> None:
        """Repair torn tails now, in every file of the output, even hosts not crawled today."""
        assert self._out is not None
        paths = [self._out] if self._out.suffix == ".jsonl" else sorted(self._out.glob("*.jsonl"))
        for path in paths:
            if path.is_file():
                try:
                    self._open_jsonl(path).close()
                except JsonlBusy:
                    continue  # another worker's file, in use: its writer repairs it

    def _reconcile(self, writer: JsonlWriter) -> None:
        """Make state (or memory) know every record already in the file."""
        if self._state is None:
            for _, head in self._heads(writer, 0):
                self._memory[head.id] = _Known(head.sha256, head.revision)
            return
        start = self._state.committed_size(writer.path)
        if start == writer.size:
            return
        if start > writer.size:
            log.warning("%s is shorter than state remembers (%d < %d bytes); rescanning it",
                        writer.path, writer.size, start)
            start = 0
        with self._state.transaction():
            for offset, head in self._heads(writer, start):
                self._state.upsert_post(head.id, url=head.url, sha256=head.sha256,
                                        revision=head.revision, seen_at=head.fetched_at or self._clock(),
                                        location=f"{writer.path}:{offset}")
                self.reconciled += 1
            self._state.set_committed_size(writer.path, writer.size)

    @staticmethod
    def _heads(writer: JsonlWriter, start: int) -> Iterator[tuple[int, _Head]]:
        for offset, line in writer.iter_lines(start):
            try:
                yield offset, _head_decoder.decode(line)
            except msgspec.DecodeError as exc:
                log.warning("%s: skipping unreadable line at byte %d (%s)", writer.path, offset, exc)

    def close(self) -> None:
        for writer in self._jsonl.values():
            writer.close()
        self._jsonl.clear()

    def __enter__(self) -> RecordSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
