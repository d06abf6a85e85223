"""Crawl state in one embedded SQLite file: the only SQL in the project.

What a daily re-run needs to do less work and never duplicate a post: listing
validators (ETag / Last-Modified), every post's current hash, revision and location,
the runs, and how much of each JSON Lines file is committed.

Durability. The database is in WAL mode with ``synchronous=NORMAL``: a commit
survives the process being killed (kill -9, OOM) but the last commits may roll back
on power loss or an OS crash. That is safe here because the record files are always
made durable (fsync) *before* the state row that points at them is committed, so
state can only ever lag the files, never run ahead of them; ``RecordSink``
reconciles the lag at open. FULL would buy nothing but an fsync per post.

Locking. One run at a time: ``State.open`` takes an ``fcntl.flock`` on the sidecar
``<db>.lock`` (released by the kernel when the holder dies, however it dies) and
records its pid there and in the ``lock`` row. A lock row left by a dead run is taken
over (``took_over_from`` says whose). The sidecar file is never deleted: unlinking a
flock file races with the next opener.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import StateError
from .records import utc_now

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the lock row alone guards
    fcntl = None  # type: ignore[assignment]

__all__ = ["State", "PostState", "SCHEMA_VERSION", "MIGRATIONS"]

log = logging.getLogger(__name__)

# MIGRATIONS[n] takes a database from schema version n to n + 1 (PRAGMA user_version).
# Append steps, never edit one that has shipped.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE listings (url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT,
               last_seen TEXT NOT NULL, last_status INTEGER, next_url TEXT)""",
        """CREATE TABLE posts (id TEXT PRIMARY KEY, url TEXT, sha256 TEXT,
               first_seen TEXT NOT NULL, last_seen TEXT NOT NULL,
               revision INTEGER NOT NULL, location TEXT)""",
        """CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL,
               ended_at TEXT, status TEXT NOT NULL, stats TEXT)""",
        "CREATE TABLE sinks (path TEXT PRIMARY KEY, committed_size INTEGER NOT NULL)",
        """CREATE TABLE walks (start_url TEXT PRIMARY KEY, complete INTEGER NOT NULL,
               updated_at TEXT NOT NULL)""",
        """CREATE TABLE lock (one INTEGER PRIMARY KEY CHECK (one = 1), pid INTEGER NOT NULL,
               host TEXT NOT NULL, acquired_at TEXT NOT NULL)""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

_HINT = "move it aside, or run with --full or with --state pointing elsewhere"


@dataclass(frozen=True, slots=True)
class PostState:
    """What state knows of one post: enough to tell new, changed and unchanged apart."""

    sha256: str | None
    revision: int
    first_seen: str
    last_seen: str
    location: str | None  # file path, or "<jsonl path>:<byte offset>"


class State:
    """An open, locked state database. Use ``State.open(path)``, ideally as a context manager.

    Every method commits on its own; group several in ``with state.transaction():``.
    Safe to call from several threads (calls are serialised), not from several processes."""

    def __init__(self, path: Path, conn: sqlite3.Connection, lock_fd: int,
                 clock: Callable[[], str]) -> None:
        self.path = path
        self._conn = conn
        self._lock_fd = lock_fd
        self._clock = clock
        self._mutex = threading.RLock()
        self._depth = 0
        self.took_over_from: int | None = None

    # -- opening and closing -------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, clock: Callable[[], str] = utc_now,
             busy_timeout: float = 10.0) -> State:
        """Lock, open (creating if needed) and migrate the state file at ``path``.

        Raises StateError when another live run holds it, or when it is not a usable
        SQLite database."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            lock_fd = _take_file_lock(path)
        except OSError as exc:
            raise StateError(f"cannot lock state file {path}: {exc}") from exc
        try:
            conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None,
                                   check_same_thread=False)
        except sqlite3.Error as exc:
            _release_file_lock(lock_fd)
            raise StateError(f"cannot open state file {path}: {exc}") from exc
        state = cls(path, conn, lock_fd, clock)
        try:
            state._setup(busy_timeout)
        except BaseException:
            conn.close()
            _release_file_lock(lock_fd)
            raise
        return state

    def _setup(self, busy_timeout: float) -> None:
        with self._sql():
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("state file %s: journal mode is %s, not WAL", self.path, mode)
            self._conn.execute("PRAGMA synchronous = NORMAL")  # why: see module docstring
            self._migrate()
            self._claim_lock_row()

    def _migrate(self) -> None:
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateError(f"state file {self.path} has schema version {version}, newer than "
                             f"this scraper understands ({SCHEMA_VERSION}); upgrade scraper or {_HINT}")
        for step in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in MIGRATIONS[step]:
                    self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {step + 1}")

    def _claim_lock_row(self) -> None:
        me, host = os.getpid(), socket.gethostname()
        with self.transaction():
            row = self._conn.execute("SELECT pid, host FROM lock").fetchone()
            if row is not None and row[0] != me:
                if fcntl is None and row[1] == host and _pid_alive(row[0]):
                    raise StateError(f"state file {self.path} is locked by another run (pid {row[0]})")
                # We hold the flock, so whoever wrote this row has exited without releasing it.
                log.warning("state file %s: taking over the lock of run pid %s on %s, which "
                            "ended without releasing it", self.path, row[0], row[1])
                self.took_over_from = int(row[0])
            self._conn.execute("INSERT OR REPLACE INTO lock VALUES (1, ?, ?, ?)",
                               (me, host, self._clock()))

    def close(self) -> None:
        """Release the lock and close the database. Idempotent."""
        if self._lock_fd < 0:
            return
        try:
            with self._sql():
                self._conn.execute("DELETE FROM lock WHERE pid = ?", (os.getpid(),))
        finally:
            self._conn.close()
            _release_file_lock(self._lock_fd)
            self._lock_fd = -1

    def __enter__(self) -> State:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ------------------------------------------------------------------

    @contextmanager
    def _sql(self) -> Iterator[sqlite3.Connection]:
        """Translate sqlite3 errors into StateError that names the file."""
        try:
            with self._mutex:
                yield self._conn
        except sqlite3.OperationalError as exc:
            raise StateError(f"state file {self.path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            raise StateError(f"state file {self.path} is corrupt or not a state database "
                             f"({exc}); {_HINT}") from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic commit for everything inside; nests (inner blocks join the outer one)."""
        with self._sql() as conn:
            if self._depth == 0:
                conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if self._depth == 0 and conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if self._depth == 0:
                try:
                    conn.execute("COMMIT")
                except sqlite3.Error:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise

    def _one(self, sql: str, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        with self._sql() as conn:
            return conn.execute(sql, args).fetchone()

    def _write(self, sql: str, args: tuple[Any, ...]) -> int:
        with self.transaction():
            return self._conn.execute(sql, args).lastrowid or 0

    # -- listings ------------------------------------------------------------------

    def listing_validators(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) from the last fetch of a listing page, for a conditional GET."""
        row = self._one("SELECT etag, last_modified FROM listings WHERE url = ?", (url,))
        return (row[0], row[1]) if row else (None, None)

    def save_listing(self, url: str, etag: str | None, last_modified: str | None,
                     status: int | None, seen_at: str | None = None, *, next_url: str | None = None) -> None:
        """Remember a listing page's validators and its next-page link. Call it only
        after the page's posts went through the sink, so that a crash in between
        re-fetches the page."""
        self._write("""INSERT INTO listings VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET
                       etag = excluded.etag, last_modified = excluded.last_modified,
                       last_seen = excluded.last_seen, last_status = excluded.last_status,
                       next_url = excluded.next_url""",
                    (url, etag, last_modified, seen_at or self._clock(), status, next_url))

    def listing_next(self, url: str) -> str | None:
        """The next-page link a listing page had when last parsed (a 304 has no body)."""
        row = self._one("SELECT next_url FROM listings WHERE url = ?", (url,))
        return row[0] if row else None

    def walk_complete(self, start_url: str) -> bool:
        """Did the last walk of this listing reach its end? Early stops on known
        pages are only safe when it did: a run killed or failed half-way must be
        finished by the next one."""
        row = self._one("SELECT complete FROM walks WHERE start_url = ?", (start_url,))
        return bool(row and row[0])

    def mark_walk(self, start_url: str, complete: bool) -> None:
        """Record a walk as begun (False) or as having reached the listing's end (True)."""
        self._write("""INSERT INTO walks VALUES (?, ?, ?) ON CONFLICT(start_url) DO UPDATE SET
                       complete = excluded.complete, updated_at = excluded.updated_at""",
                    (start_url, int(complete), self._clock()))

    # -- posts ---------------------------------------------------------------------

    def post_state(self, post_id: str) -> PostState | None:
        """What is known of a post, or None for one never recorded."""
        row = self._one("SELECT sha256, revision, first_seen, last_seen, location FROM posts "
                        "WHERE id = ?", (post_id,))
        return PostState(*row) if row else None

    def upsert_post(self, post_id: str, *, url: str | None, sha256: str | None, revision: int,
                    seen_at: str, location: str | None) -> None:
        """Record a post's current revision; ``first_seen`` is kept from the first insert."""
        self._write("""INSERT INTO posts VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET
                       url = excluded.url, sha256 = excluded.sha256, last_seen = excluded.last_seen,
                       revision = excluded.revision, location = excluded.location""",
                    (post_id, url, sha256, seen_at, seen_at, revision, location))

    def touch_post(self, post_id: str, seen_at: str) -> None:
        """Note that an unchanged post was seen again."""
        self._write("UPDATE posts SET last_seen = ? WHERE id = ?", (seen_at, post_id))

    # -- runs ----------------------------------------------------------------------

    def begin_run(self, started_at: str | None = None) -> int:
        """Start a run and return its id. Runs left 'running' by a killed process are
        marked 'interrupted' (we hold the lock, so none of them is still going)."""
        with self.transaction():
            self._conn.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
            return self._write("INSERT INTO runs (started_at, status) VALUES (?, 'running')",
                               (started_at or self._clock(),))

    def end_run(self, run_id: int, status: str, stats: dict[str, Any],
                ended_at: str | None = None) -> None:
        """Close a run with its final status ('ok', 'partial', 'failed', ...) and counters."""
        self._write("UPDATE runs SET ended_at = ?, status = ?, stats = ? WHERE id = ?",
                    (ended_at or self._clock(), status, json.dumps(stats, sort_keys=True), run_id))

    def run(self, run_id: int) -> dict[str, Any] | None:
        """One run as a dict (stats decoded), or None."""
        row = self._one("SELECT id, started_at, ended_at, status, stats FROM runs WHERE id = ?",
                        (run_id,))
        if row is None:
            return None
        keys = ("id", "started_at", "ended_at", "status", "stats")
        return dict(zip(keys, row[:4] + (json.loads(row[4]) if row[4] else None,)))

    # -- JSON Lines sinks ----------------------------------------------------------

    def committed_size(self, path: str | os.PathLike[str]) -> int:
        """Bytes of a JSON Lines file whose records state knows (0 for a new file)."""
        row = self._one("SELECT committed_size FROM sinks WHERE path = ?", (os.fspath(path),))
        return int(row[0]) if row else 0

    def set_committed_size(self, path: str | os.PathLike[str], size: int) -> None:
        self._write("""INSERT INTO sinks VALUES (?, ?) ON CONFLICT(path)
                       DO UPDATE SET committed_size = excluded.committed_size""",
                    (os.fspath(path), size))


def _take_file_lock(db_path: Path) -> int:
    """flock the sidecar ``<db>.lock`` and write our pid into it; StateError if held."""
    lock_path = db_path.with_name(db_path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    if fcntl is None:  # pragma: no cover
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        note = ""
        if holder.isdigit() and not _pid_alive(int(holder)):
            note = "; that process has exited, a child it started may still hold the lock"
        raise StateError(f"state file {db_path} is locked by another run (pid {holder}){note}") from None
    except OSError:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    return fd


def _release_file_lock(fd: int) -> None:
    try:
        os.ftruncate(fd, 0)
    except OSError:
        pass
    os.close(fd)  # closing drops the flock


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
