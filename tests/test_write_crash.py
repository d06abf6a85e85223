"""kill -9 a real writer process at random moments; the re-run still has every post once."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import textwrap

import pytest

N_POSTS = 120

WRITER = textwrap.dedent("""
    import sys
    from scraper.records import Post, post_id, text_sha256
    from scraper.state import State
    from scraper.write import RecordSink

    out, fmt, db, version = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

    def post(i):
        url = f"https://example.org/p/{i}"
        text = f"text of post {i}" + (" (edited)" if version and i % 3 == 0 else "")
        return Post(id=post_id(url), url=url, title=f"Post {i}", date="2024-01-01", author=None,
                    comments=None, tags=[], text=text, html=None, full_text=False,
                    source="https://example.org/", fetched_at="2026-01-01T00:00:00Z",
                    sha256=text_sha256(text))

    with State.open(db) as state, RecordSink(out, fmt, state=state) as sink:
        print("ready", flush=True)
        for i in range(N_POSTS):
            sink.write(post(i))
            print(i, flush=True)
        print(sink.counts, flush=True)
""").replace("N_POSTS", str(N_POSTS))


def run_writer(out, fmt, db, version, kill_after=None):
    """Run the writer to the end, or SIGKILL it once it reports ``kill_after`` posts written
    (it keeps writing while the signal is on its way, so the kill lands anywhere)."""
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(out), fmt, str(db), str(version)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    if kill_after is None:
        proc.stdout.read()
        assert proc.wait(timeout=60) == 0
        return
    for _ in range(kill_after):
        proc.stdout.readline()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()


@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_killed_runs_then_clean_run_give_every_post_exactly_once(tmp_path, fmt):
    out, db = tmp_path / "out", tmp_path / "state.sqlite"
    rng = random.Random(7)
    for version in (0, 1):  # a first crawl, then one where every third post changed
        for _ in range(6):
            run_writer(out, fmt, db, version, kill_after=rng.randrange(N_POSTS))
        run_writer(out, fmt, db, version)
    if fmt == "jsonl":
        rows = [json.loads(line) for line in (out / "example.org.jsonl").read_bytes().splitlines()]
        latest = {}
        for row in rows:  # consumers take the last line per id
            latest[row["id"]] = row
        seen = [(r["id"], r["sha256"]) for r in rows]
        assert len(seen) == len(set(seen))  # no (id, content) pair twice
    else:
        files = sorted((out / "example.org").iterdir())
        leftovers = [f for f in files if f.name.startswith(".")]
        assert all(f.name.endswith(".tmp") for f in leftovers)  # only temp files of killed runs
        latest = {}
        for f in set(files) - set(leftovers):
            record = json.loads(f.read_bytes())  # every final-name file is complete
            latest[record["id"]] = record
    assert len(latest) == N_POSTS
    edited = [r for r in latest.values() if r["text"].endswith("(edited)")]
    assert len(edited) == len(range(0, N_POSTS, 3))
    assert all(r["revision"] == 2 for r in edited)
    assert all(r["revision"] == 1 for r in latest.values() if r not in edited)
