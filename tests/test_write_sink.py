"""RecordSink: NEW / UPDATED / UNCHANGED, revisions, and the crash windows between a
record becoming durable and state hearing of it."""

from __future__ import annotations

import io
import json

import msgspec
import pytest

from scraper.config import OutputConfig
from scraper.errors import ConfigError, RecordError
from scraper.records import Post, from_json, post_id, text_sha256, to_json
from scraper.state import State
from scraper.write import JsonDirWriter, Outcome, RecordSink, SinkCounts
from scraper.write.jsonfiles import safe_host

NEW, UPDATED, UNCHANGED = Outcome.NEW, Outcome.UPDATED, Outcome.UNCHANGED


def make_post(url: str | None = "https://example.org/2024/01/first-post", *,
              text: str | None = "Hello, world.", title: str | None = "First post",
              source: str | None = "https://example.org/tag/news/", **fields) -> Post:
    """A valid Post: id from post_id, sha256 from text_sha256."""
    values = dict(
        id=post_id(url, fallback=f"{source}|{title}"), url=url, title=title, date="2024-01-05",
        author="Ann Author", comments=2, tags=["news"], text=text,
        html=f"<p>{text}</p>" if text else None, full_text=False, source=source,
        fetched_at="2026-01-01T00:00:00Z", sha256=text_sha256(text),
    )
    values.update(fields)
    return Post(**values)


def changed(post: Post, text: str) -> Post:
    return msgspec.structs.replace(post, text=text, sha256=text_sha256(text))


def jsonl_lines(path):
    return [json.loads(line) for line in path.read_bytes().splitlines()]


@pytest.fixture
def state(tmp_path):
    with State.open(tmp_path / "state.sqlite") as st:
        yield st


# -- json: one file per post ------------------------------------------------------------

def test_json_new_unchanged_updated(tmp_path):
    out = tmp_path / "out"
    post = make_post()
    with RecordSink(out) as sink:
        assert sink.write(post) is NEW
        path = out / "example.org" / f"{post.id}.json"
        first = path.stat()
        assert sink.write(post) is UNCHANGED
        assert path.stat().st_ino == first.st_ino  # not rewritten
        assert sink.write(changed(post, "Edited.")) is UPDATED
        assert sink.counts == SinkCounts(new=1, updated=1, unchanged=1)
    stored = from_json(path.read_bytes())
    assert stored.revision == 2 and stored.text == "Edited."
    assert sorted(p.name for p in (out / "example.org").iterdir()) == [f"{post.id}.json"]


def test_json_pretty_output_is_the_same_record(tmp_path):
    post = make_post()
    with RecordSink(tmp_path, pretty=True) as sink:
        sink.write(post)
    data = (tmp_path / "example.org" / f"{post.id}.json").read_bytes()
    assert b"\n  " in data and from_json(data) == post


def test_keep_revisions(tmp_path):
    post = make_post()
    with RecordSink(tmp_path, keep_revisions=True) as sink:
        sink.write(post)
        sink.write(changed(post, "Second."))
        sink.write(changed(post, "Third."))
    folder = tmp_path / "example.org"
    assert from_json((folder / f"{post.id}.r1.json").read_bytes()).text == "Hello, world."
    assert from_json((folder / f"{post.id}.r2.json").read_bytes()).text == "Second."
    current = from_json((folder / f"{post.id}.json").read_bytes())
    assert (current.revision, current.text) == (3, "Third.")


def test_json_with_state_records_location_and_last_seen(tmp_path, state):
    post = make_post()
    with RecordSink(tmp_path / "out", state=state) as sink:
        assert sink.write(post) is NEW
        assert sink.write(msgspec.structs.replace(post, fetched_at="2026-01-02T00:00:00Z")) is UNCHANGED
    ps = state.post_state(post.id)
    assert ps.revision == 1 and ps.sha256 == post.sha256
    assert (ps.first_seen, ps.last_seen) == ("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")
    assert ps.location == str(tmp_path / "out" / "example.org" / f"{post.id}.json")
    with RecordSink(tmp_path / "out", state=state) as sink:  # the next day's run
        assert sink.write(post) is UNCHANGED
        assert sink.write(changed(post, "New text")) is UPDATED
    assert state.post_state(post.id).revision == 2


def test_json_crash_after_file_before_state_commit(tmp_path, state):
    """The file was replaced (revision 2) but the run died before committing state."""
    out = tmp_path / "out"
    post, edited = make_post(), changed(make_post(), "Edited.")
    with RecordSink(out, state=state, keep_revisions=True) as sink:
        sink.write(post)
    # The interrupted run: record durable, state never told.
    JsonDirWriter(out, keep_revisions=True).write(msgspec.structs.replace(edited, revision=2))
    folder = out / "example.org"
    kept = (folder / f"{post.id}.r1.json").read_bytes()
    with RecordSink(out, state=state, keep_revisions=True) as sink:
        assert sink.write(edited) is UNCHANGED  # not written again
        assert state.post_state(post.id).revision == 2  # state caught up
        assert (folder / f"{post.id}.r1.json").read_bytes() == kept  # revision 1 not clobbered
        assert sink.write(changed(post, "Third.")) is UPDATED
    assert from_json((folder / f"{post.id}.json").read_bytes()).revision == 3
    assert from_json((folder / f"{post.id}.r2.json").read_bytes()).text == "Edited."


def test_json_rerun_without_state_does_not_rewrite(tmp_path):
    post = make_post()
    with RecordSink(tmp_path) as sink:
        sink.write(post)
    path = tmp_path / "example.org" / f"{post.id}.json"
    inode = path.stat().st_ino
    with RecordSink(tmp_path) as sink:
        assert sink.write(post) is UNCHANGED
        assert sink.write(changed(post, "x")) is UPDATED
    assert inode != path.stat().st_ino and from_json(path.read_bytes()).revision == 2


def test_host_directory_comes_from_source_when_url_is_null(tmp_path):
    post = make_post(None, source="https://Blog.Example.COM:8080/list")
    with RecordSink(tmp_path) as sink:
        sink.write(post)
    assert (tmp_path / "blog.example.com" / f"{post.id}.json").exists()


@pytest.mark.parametrize("host, expected", [
    ("example.org", "example.org"), ("..", "_unknown"), ("..a", "__a"), (".hidden", "_hidden"), ("", "_unknown"),
    ("a/b\\c", "a_b_c"), ("bücher.de", "xn--bcher-kva.de"), ("::1", "__1"),
])
def test_safe_host(host, expected):
    assert safe_host(host) == expected


# -- validation --------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [
    dict(title=""),
    dict(sha256="0" * 64),
    dict(comments=-1),
    dict(id="../../etc/passwd"),
])
def test_invalid_records_are_refused_and_nothing_is_written(tmp_path, bad):
    with RecordSink(tmp_path) as sink, pytest.raises(RecordError):
        sink.write(make_post(**bad))
    assert list(tmp_path.iterdir()) == []


def test_unknown_format_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        RecordSink(tmp_path, "csv")


# -- jsonl --------------------------------------------------------------------------------

def test_jsonl_update_appends_a_new_revision(tmp_path, state):
    post = make_post()
    with RecordSink(tmp_path, "jsonl", state=state) as sink:
        assert sink.write(post) is NEW
        assert sink.write(post) is UNCHANGED
        assert sink.write(changed(post, "v2")) is UPDATED
    path = tmp_path / "example.org.jsonl"
    rows = jsonl_lines(path)
    assert [(r["id"], r["revision"], r["text"]) for r in rows] == [
        (post.id, 1, "Hello, world."), (post.id, 2, "v2")]
    assert state.committed_size(path) == path.stat().st_size
    offset = int(state.post_state(post.id).location.rpartition(":")[2])
    assert json.loads(path.read_bytes()[offset:].splitlines()[0])["revision"] == 2


def test_jsonl_reconciles_a_line_state_never_committed(tmp_path):
    """Crash between append and state commit: the line is beyond committed_size."""
    a, b = make_post(), make_post("https://example.org/2024/01/second", title="Second")
    path = tmp_path / "example.org.jsonl"
    db = tmp_path / "state.sqlite"
    with State.open(db) as st, RecordSink(tmp_path, "jsonl", state=st) as sink:
        sink.write(a)
        committed = st.committed_size(path)
    with path.open("ab") as f:  # the appended-but-uncommitted line
        f.write(to_json(b) + b"\n")
    with State.open(db) as st, RecordSink(tmp_path, "jsonl", state=st) as sink:
        assert st.committed_size(path) == committed
        assert sink.write(b) is UNCHANGED
        assert sink.write(a) is UNCHANGED
        assert sink.reconciled == 1
        assert st.committed_size(path) == path.stat().st_size
        assert st.post_state(b.id).location == f"{path}:{committed}"
    assert [r["id"] for r in jsonl_lines(path)] == [a.id, b.id]  # no duplicate


def test_jsonl_torn_tail_is_repaired_then_reconciled(tmp_path, state):
    a, b = make_post(), make_post("https://example.org/2024/01/second", title="Second")
    path = tmp_path / "example.org.jsonl"
    with RecordSink(tmp_path, "jsonl", state=state) as sink:
        sink.write(a)
    with path.open("ab") as f:
        f.write(to_json(b)[:40])  # killed mid-line
    with RecordSink(tmp_path, "jsonl", state=state) as sink:
        assert len(sink.repairs) == 1
        assert sink.write(b) is NEW
    assert [r["id"] for r in jsonl_lines(path)] == [a.id, b.id]


def test_jsonl_rerun_without_state_does_not_duplicate(tmp_path):
    posts = [make_post(), make_post("https://example.org/2024/01/second", title="Second")]
    target = tmp_path / "all.jsonl"  # a single-file output
    for expected in (NEW, UNCHANGED):
        with RecordSink(target, "jsonl") as sink:
            assert [sink.write(p) for p in posts] == [expected, expected]
    assert len(jsonl_lines(target)) == 2


def test_jsonl_file_per_host(tmp_path):
    with RecordSink(tmp_path, "jsonl") as sink:
        sink.write(make_post("https://a.example/1"))
        sink.write(make_post("https://b.example/1"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.example.jsonl", "b.example.jsonl"]


# -- stdout -------------------------------------------------------------------------------

def test_stdout_dedups_within_the_run(tmp_path):
    stream = io.BytesIO()
    post = make_post()
    sink = RecordSink.from_config(OutputConfig(out=None, format="jsonl"), stream=stream)
    assert [sink.write(p) for p in (post, post, changed(post, "v2"))] == [NEW, UNCHANGED, UPDATED]
    rows = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [r["revision"] for r in rows] == [1, 2]


def test_jsonl_torn_files_of_other_hosts_are_repaired_at_open(tmp_path):
    (tmp_path / "quiet.example.jsonl").write_bytes(to_json(make_post("https://quiet.example/1")) + b"\n{\"id\"")
    sink = RecordSink(tmp_path, "jsonl")
    assert [r.path.name for r in sink.repairs] == ["quiet.example.jsonl"]
    assert len(jsonl_lines(tmp_path / "quiet.example.jsonl")) == 1
    sink.close()


def test_jsonl_many_hosts_bounded_open_files(tmp_path, state, monkeypatch):
    import scraper.write.sink as sink_module

    monkeypatch.setattr(sink_module, "MAX_OPEN_FILES", 2)
    posts = [make_post(f"https://h{i}.example/p") for i in range(5)]
    with RecordSink(tmp_path, "jsonl", state=state) as sink:
        assert [sink.write(p) for p in posts] == [NEW] * 5
        assert len(sink._jsonl) == 2
        assert [sink.write(p) for p in posts] == [UNCHANGED] * 5
        assert sink.write(changed(posts[0], "v2")) is UPDATED
    assert len(jsonl_lines(tmp_path / "h0.example.jsonl")) == 2
    assert all(len(jsonl_lines(tmp_path / f"h{i}.example.jsonl")) == 1 for i in range(1, 5))


def test_jsonl_sink_leaves_files_other_workers_are_writing(tmp_path):
    """Ray shards share an output folder: each writes its own hosts' files, and a
    sink opening must not trip over a file another worker holds."""
    from scraper.write.jsonl import JsonlWriter

    busy = JsonlWriter(tmp_path / "other-host.jsonl")  # held, as by another worker
    try:
        with RecordSink(tmp_path, "jsonl") as sink:
            assert sink.write(make_post()).value == "new"
    finally:
        busy.close()
    assert (tmp_path / "other-host.jsonl").exists()
