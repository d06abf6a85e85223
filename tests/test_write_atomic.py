"""atomic_write_bytes: the final name only ever holds a complete old or new file."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.write.atomic import atomic_write_bytes, remove_stale_temps


def test_write_and_replace(tmp_path):
    target = tmp_path / "a.json"
    atomic_write_bytes(target, b"one")
    atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(tmp_path) == ["a.json"]  # no temp file left behind


def test_permissions_follow_umask_not_mkstemp(tmp_path):
    target = tmp_path / "a.json"
    atomic_write_bytes(target, b"x")
    old = os.umask(0)
    os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o666 & ~old


@settings(max_examples=25, deadline=None)
@given(old=st.binary(max_size=2000), new=st.binary(max_size=2000))
def test_failed_replace_keeps_old_content(tmp_path_factory, old, new):
    directory = tmp_path_factory.mktemp("atomic")
    target = directory / "post.json"
    atomic_write_bytes(target, old)

    def crash(src, dst):
        raise OSError("simulated crash at rename")

    mp = pytest.MonkeyPatch()
    mp.setattr(os, "replace", crash)
    try:
        with pytest.raises(OSError, match="simulated"):
            atomic_write_bytes(target, new)
    finally:
        mp.undo()
    assert target.read_bytes() == old
    assert os.listdir(directory) == ["post.json"]


WRITER = textwrap.dedent("""
    import sys
    from scraper.write.atomic import atomic_write_bytes
    target, size = sys.argv[1], int(sys.argv[2])
    a, b = b"A" * size, b"B" * size
    atomic_write_bytes(target, a)
    print("ready", flush=True)
    while True:
        atomic_write_bytes(target, b)
        atomic_write_bytes(target, a)
""")


def test_kill_9_mid_write_never_leaves_a_partial_file(tmp_path):
    """A child rewrites a 1 MiB file in a loop; SIGKILL it at random moments."""
    size = 1 << 20
    target = tmp_path / "post.json"
    rng = random.Random(1234)
    for _ in range(8):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(size)],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        data = target.read_bytes()
        assert data in (b"A" * size, b"B" * size)
        for name in os.listdir(tmp_path):  # only hidden temp files may be left over
            assert name == "post.json" or (name.startswith(".post.json.") and name.endswith(".tmp"))
    # what the killed writers left behind is swept, and nothing else
    left = [n for n in os.listdir(tmp_path) if n != "post.json"]
    assert remove_stale_temps(tmp_path, time.time() + 1) == len(left)
    assert os.listdir(tmp_path) == ["post.json"]


def test_stale_temps_are_swept_but_not_fresh_ones_or_other_files(tmp_path):
    old = time.time() - 3600
    stale = tmp_path / ".abc.json.0123456789ab.tmp"
    fresh = tmp_path / ".def.json.ba9876543210.tmp"  # a write in progress
    keep = [tmp_path / ".hidden", tmp_path / "abc.json", tmp_path / ".x.json.notours.tmp", tmp_path / "a.tmp"]
    for p in (stale, fresh, *keep):
        p.write_bytes(b"{}")
    for p in (stale, *keep):
        os.utime(p, (old, old))
    assert remove_stale_temps(tmp_path, time.time() - 60) == 1
    assert not stale.exists()
    assert fresh.exists() and all(p.exists() for p in keep)


def test_json_writer_sweeps_a_directory_when_it_first_writes_there(tmp_path):
    from scraper.records import Post
    from scraper.write.jsonfiles import JsonDirWriter

    host_dir = tmp_path / "example.org"
    host_dir.mkdir()
    left = host_dir / ".0123456789abcdef0123.json.0123456789ab.tmp"  # a killed run's
    left.write_bytes(b'{"torn')
    os.utime(left, (time.time() - 60, time.time() - 60))
    writer = JsonDirWriter(tmp_path)
    post = Post(id="0123456789abcdef0124", url="https://example.org/a", title="A", date=None, author=None,
                comments=None, tags=[], text="x", html=None, full_text=False, source="https://example.org/",
                fetched_at="2026-01-01T00:00:00Z", sha256=None)
    path = writer.write(post)
    assert path.parent == host_dir and path.exists()
    assert not left.exists()
