"""Crash-safe file replacement: a reader (or a re-run) sees the old file or the new one.

The classic recipe: write a temporary file in the same directory (so the rename
cannot cross file systems), fsync it, ``os.replace`` it over the final name, then
fsync the directory so the rename itself survives a power cut. A process killed
part-way leaves at most a hidden ``.<name>.<random>.tmp`` beside the target, never a
partial file under the final name; ``remove_stale_temps`` clears those away later.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
from pathlib import Path

__all__ = ["atomic_write_bytes", "fsync_directory", "make_dirs", "remove_stale_temps", "TEMP_SUFFIX"]

TEMP_SUFFIX = ".tmp"
_TOKEN_BYTES = 6
_TEMP_NAME = re.compile(rf"^\..+\.[0-9a-f]{{{2 * _TOKEN_BYTES}}}{re.escape(TEMP_SUFFIX)}$")


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes, *, sync_dir: bool = True) -> None:
    """Durably replace ``path`` with ``data`` (creating it if needed).

    The file gets the usual 0o666-minus-umask permissions (a mkstemp file would be
    private to its owner). Raises OSError; the old content is then untouched.
    ``sync_dir=False`` leaves the directory's fsync to the caller, who renames a
    batch of files and then makes the directory durable once."""
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(_TOKEN_BYTES)}{TEMP_SUFFIX}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if sync_dir:
        fsync_directory(target.parent)


def make_dirs(directory: str | os.PathLike[str]) -> None:
    """``mkdir -p`` whose new entries survive a power cut (each new level is fsynced)."""
    directory = Path(directory)
    missing = [d for d in (directory, *directory.parents) if not d.exists()]
    directory.mkdir(parents=True, exist_ok=True)
    for new in reversed(missing):
        fsync_directory(new.parent)


def fsync_directory(directory: str | os.PathLike[str]) -> None:
    """Make a directory's entries (a new or renamed file) durable."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(directory, flags)
    except (PermissionError, IsADirectoryError):  # pragma: no cover - Windows, exotic FS
        return
    try:
        os.fsync(fd)
    except OSError as exc:  # pragma: no cover - some file systems refuse fsync on directories
        if exc.errno not in (errno.EINVAL, errno.EBADF, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def remove_stale_temps(directory: str | os.PathLike[str], older_than: float) -> int:
    """Delete the temporary files ``atomic_write_bytes`` left in ``directory`` when
    a process was killed mid-write; only those last changed before ``older_than``
    (a time.time() value), so that a write in progress is never touched. Returns
    how many were removed; a directory that cannot be read is left alone."""
    removed = 0
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for entry in entries:
        if not _TEMP_NAME.match(entry.name):
            continue
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < older_than:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue  # gone already, or not ours to remove
    return removed
