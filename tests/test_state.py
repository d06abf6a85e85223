"""State: round-trips, WAL, migrations, the run lock (real processes), corrupt files."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from scraper.errors import StateError
from scraper.state import SCHEMA_VERSION, PostState, State

T0, T1, T2 = "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"


def fixed_clock(value: str = T0):
    return lambda: value


@pytest.fixture
def db(tmp_path):
    return tmp_path / "state" / "crawl.sqlite"


def test_listing_round_trip(db):
    with State.open(db, clock=fixed_clock()) as st:
        assert st.listing_validators("https://e.org/") == (None, None)
        st.save_listing("https://e.org/", '"abc"', "Wed, 01 Jan 2026 00:00:00 GMT", 200, T0)
        st.save_listing("https://e.org/", '"def"', None, 304, T1)
    with State.open(db) as st:
        assert st.listing_validators("https://e.org/") == ('"def"', None)


def test_post_round_trip_keeps_first_seen(db):
    with State.open(db) as st:
        assert st.post_state("a" * 20) is None
        st.upsert_post("a" * 20, url="https://e.org/1", sha256="f" * 64, revision=1,
                       seen_at=T0, location="/out/e.org/x.json")
        st.touch_post("a" * 20, T1)
        assert st.post_state("a" * 20) == PostState("f" * 64, 1, T0, T1, "/out/e.org/x.json")
        st.upsert_post("a" * 20, url="https://e.org/1", sha256="e" * 64, revision=2,
                       seen_at=T2, location="/out/e.org/x.json")
    with State.open(db) as st:
        assert st.post_state("a" * 20) == PostState("e" * 64, 2, T0, T2, "/out/e.org/x.json")


def test_runs_and_interrupted_runs(db):
    with State.open(db, clock=fixed_clock(T0)) as st:
        first = st.begin_run()
    # The process "died" without end_run: the next run marks it interrupted.
    with State.open(db, clock=fixed_clock(T1)) as st:
        second = st.begin_run()
        assert st.run(first)["status"] == "interrupted"
        st.end_run(second, "ok", {"new": 3, "pages": 2})
        assert st.run(second) == {"id": second, "started_at": T1, "ended_at": T1,
                                  "status": "ok", "stats": {"new": 3, "pages": 2}}
        assert st.run(999) is None


def test_committed_size(db, tmp_path):
    with State.open(db) as st:
        assert st.committed_size(tmp_path / "a.jsonl") == 0
        st.set_committed_size(tmp_path / "a.jsonl", 120)
        st.set_committed_size(tmp_path / "a.jsonl", 240)
        assert st.committed_size(str(tmp_path / "a.jsonl")) == 240


def test_transaction_rolls_back_as_a_whole(db):
    with State.open(db) as st:
        with pytest.raises(RuntimeError):
            with st.transaction():
                st.set_committed_size("x", 10)
                st.touch_post("b" * 20, T0)
                raise RuntimeError("crash")
        assert st.committed_size("x") == 0


def test_wal_mode_and_schema_version(db):
    State.open(db).close()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_newer_schema_is_refused(db):
    State.open(db).close()
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StateError, match="newer than this scraper"):
        State.open(db)


def test_corrupt_file_is_a_state_error_with_a_hint(db):
    db.parent.mkdir(parents=True)
    db.write_bytes(os.urandom(8192))
    with pytest.raises(StateError) as info:
        State.open(db)
    assert str(db) in str(info.value) and "move it aside" in str(info.value)
    assert isinstance(info.value.__cause__, sqlite3.DatabaseError)
    db.unlink()
    State.open(db).close()  # the failed open released its lock


def test_second_open_in_same_process_is_refused(db):
    with State.open(db):
        with pytest.raises(StateError, match=rf"locked by another run \(pid {os.getpid()}\)"):
            State.open(db)
    State.open(db).close()


HOLDER = textwrap.dedent("""
    import sys
    from scraper.state import State
    st = State.open(sys.argv[1])
    st.begin_run()
    print("locked", flush=True)
    sys.stdin.read()
""")


def test_lock_held_by_another_process_then_taken_over_after_kill(db):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(StateError, match=rf"{db} is locked by another run \(pid {proc.pid}\)"):
            State.open(db)
    finally:
        proc.kill()  # SIGKILL: no cleanup, the lock row stays behind
        proc.wait(timeout=10)
    with State.open(db) as st:
        assert st.took_over_from == proc.pid
        st.begin_run()
    with State.open(db) as st:  # a clean close leaves nothing to take over
        assert st.took_over_from is None


def test_stale_lock_row_from_dead_pid_is_taken_over(db):
    State.open(db).close()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO lock VALUES (1, ?, 'somehost', ?)", (pid, T0))
    conn.commit()
    conn.close()
    (db.parent / (db.name + ".lock")).write_text(f"{pid}\n")
    with State.open(db) as st:
        assert st.took_over_from == pid
