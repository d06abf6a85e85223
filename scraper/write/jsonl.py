"""Append-only JSON Lines files that survive being killed mid-line.

Each record is one ``write`` of ``line + "\\n"`` followed by fsync, so after a crash
only the last line can be incomplete. Opening a file repairs exactly that: a final
line without its newline, or a final line that is not valid JSON (the garbage a
power cut can leave), is truncated away and reported. Everything before it is
untouched. The file is ``flock``-ed while open so that two runs cannot interleave.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec

from ..errors import ScraperError
from .atomic import fsync_directory, make_dirs

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["JsonlWriter", "TailRepair", "repair_tail"]

log = logging.getLogger(__name__)

_CHUNK = 64 * 1024


class JsonlBusy(ScraperError):
    """Another process holds the file (another shard's worker, another run)."""


@dataclass(frozen=True, slots=True)
class TailRepair:
    """What opening a file cut away: ``removed`` bytes, leaving ``size``."""

    path: Path
    removed: int
    size: int
    reason: str


class JsonlWriter:
    """One JSON Lines file, open for appending. ``size`` is its length in bytes.

    ``repair`` is the TailRepair made at open, or None when the file was sound."""

    def __init__(self, path: str | os.PathLike[str], *, fsync: bool = True) -> None:
        self.path = Path(path)
        self._fsync = fsync
        created = not self.path.exists()
        make_dirs(self.path.parent)
        self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT
                           | getattr(os, "O_CLOEXEC", 0), 0o666)
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise JsonlBusy(f"{self.path} is being written by another process") from None
            if created:
                fsync_directory(self.path.parent)
            self.repair = repair_tail(self._fd, self.path)
            self.size = os.fstat(self._fd).st_size
        except BaseException:
            os.close(self._fd)
            raise
        if self.repair is not None:
            log.warning("%s: removed %d bytes at the end (%s), left by an interrupted run",
                        self.path, self.repair.removed, self.repair.reason)

    def append(self, line: bytes, *, sync: bool = True) -> int:
        """Durably append one record (without its newline); return the line's byte offset.

        ``sync=False`` defers the fsync to ``sync()``: a page's records then cost one."""
        if b"\n" in line:
            raise ValueError("a JSON Lines record cannot contain a raw newline")
        offset = self.size
        view = memoryview(line + b"\n")
        while view:
            view = view[os.write(self._fd, view):]
        if self._fsync and sync:
            os.fsync(self._fd)
        self.size = offset + len(line) + 1
        return offset

    def sync(self) -> None:
        """Make every append so far durable."""
        if self._fsync:
            os.fsync(self._fd)

    def iter_lines(self, start: int = 0) -> Iterator[tuple[int, bytes]]:
        """(offset, line without newline) for every complete line from byte ``start``."""
        with open(self.path, "rb") as f:
            f.seek(start)
            offset = start
            while offset < self.size:
                line = f.readline()
                if not line.endswith(b"\n"):
                    return
                yield offset, line[:-1]
                offset += len(line)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # also drops the flock
            self._fd = -1

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def repair_tail(fd: int, path: Path) -> TailRepair | None:
    """Truncate a torn last line (and fsync) on an open file; None when nothing was cut."""
    size = end = os.fstat(fd).st_size
    reasons = []
    if end and os.pread(fd, 1, end - 1) != b"\n":
        end = _line_start(fd, end)
        reasons.append("last line had no newline")
    if end:
        start = _line_start(fd, end - 1)
        if not _is_json_object(os.pread(fd, end - 1 - start, start)):
            end = start
            reasons.append("last line was not valid JSON")
    if end == size:
        return None
    os.ftruncate(fd, end)
    os.fsync(fd)
    return TailRepair(path, size - end, end, "; ".join(reasons))


def _line_start(fd: int, pos: int) -> int:
    """Offset just after the last newline before ``pos`` (0 when there is none)."""
    while pos > 0:
        begin = max(0, pos - _CHUNK)
        found = os.pread(fd, pos - begin, begin).rfind(b"\n")
        if found >= 0:
            return begin + found + 1
        pos = begin
    return 0


def _is_json_object(line: bytes) -> bool:
    try:
        return isinstance(msgspec.json.decode(line), dict)
    except msgspec.DecodeError:
        return False
