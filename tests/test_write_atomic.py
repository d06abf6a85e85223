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

from scraper.write.atomic import atomic_write_bytes


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
