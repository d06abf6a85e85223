"""One JSON file per post, at ``<root>/<host>/<id>.json``, replaced atomically.

The file on disk is the truth for this format: it is written (durably) before state
hears of it, so ``read`` lets a re-run see what an interrupted run already wrote.
With ``keep_revisions`` the file being replaced is first copied to
``<id>.r<N>.json`` (N: its revision), so every revision stays readable.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import msgspec

from ..errors import RecordError
from ..records import Post, from_json, to_json
from ..urls import host_of
from .atomic import atomic_write_bytes, make_dirs, remove_stale_temps

__all__ = ["JsonDirWriter", "record_host", "safe_host"]

_UNSAFE = re.compile(r"[^a-z0-9.-]")
UNKNOWN_HOST = "_unknown"


def safe_host(host: str) -> str:
    """A host name usable as a directory name: IDNA-encoded, only ``[a-z0-9.-_]``.

    Dots at the start are replaced so that no host becomes ``.``, ``..`` or hidden."""
    host = host.strip().lower().rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            pass
    host = _UNSAFE.sub("_", host)[:200]
    host = re.sub(r"^\.+", lambda m: "_" * len(m.group()), host)
    return host or UNKNOWN_HOST


def record_host(post: Post) -> str:
    """The directory a post belongs in: its permalink's host, else its source page's."""
    for url in (post.url, post.source):
        if url and host_of(url):
            return safe_host(host_of(url))
    return UNKNOWN_HOST


class JsonDirWriter:
    """Writes and reads back the one-file-per-post layout under ``root``."""

    def __init__(self, root: str | os.PathLike[str], *, pretty: bool = False,
                 keep_revisions: bool = False) -> None:
        self.root = Path(root)
        self.pretty = pretty
        self.keep_revisions = keep_revisions
        # temp files older than this writer were left by a killed run: each
        # directory is swept of them the first time this writer writes there
        self._opened_at = time.time()
        self._swept: set[Path] = set()

    def path_for(self, post: Post) -> Path:
        return self.root / record_host(post) / f"{post.id}.json"

    def read(self, post: Post) -> Post | None:
        """The record currently stored for this post's id, or None (absent or unreadable)."""
        try:
            return from_json(self.path_for(post).read_bytes())
        except (FileNotFoundError, RecordError):
            return None

    def encode(self, post: Post) -> bytes:
        data = to_json(post)
        return (msgspec.json.format(data, indent=2) if self.pretty else data) + b"\n"

    def write(self, post: Post, *, sync_dir: bool = True) -> Path:
        """Atomically write the post's file, keeping the old one first if asked to.
        ``sync_dir=False``: the caller fsyncs the directory once for a batch."""
        path = self.path_for(post)
        self._ensure_dir(path.parent)
        if self.keep_revisions:
            self._keep_previous(path, post)
        atomic_write_bytes(path, self.encode(post), sync_dir=sync_dir)
        return path

    def _keep_previous(self, path: Path, post: Post) -> None:
        try:
            old = path.read_bytes()
        except FileNotFoundError:
            return
        try:
            revision = from_json(old).revision
        except RecordError:
            revision = post.revision - 1
        atomic_write_bytes(path.with_name(f"{post.id}.r{revision}.json"), old)

    def _ensure_dir(self, directory: Path) -> None:
        if directory.is_dir():
            if directory not in self._swept:
                remove_stale_temps(directory, self._opened_at)
                self._swept.add(directory)
            return
        make_dirs(directory)
        self._swept.add(directory)  # new: nothing stale in it
