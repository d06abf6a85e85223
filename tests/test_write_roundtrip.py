"""Property tests: any valid record survives to_json/from_json, the sink, and the schema."""

from __future__ import annotations

import json
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.records import Post, from_json, post_id, text_sha256, to_json
from scraper.state import State
from scraper.write import Outcome, RecordSink

# Text JSON can carry: no lone surrogates (they have no UTF-8 encoding).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60)
MAYBE = st.none() | TEXT
DATES = st.none() | st.dates().map(str) | st.datetimes().map(lambda d: d.replace(microsecond=0).isoformat())
URLS = st.none() | st.from_regex(r"https://[a-z]{1,12}\.(org|com|de)/[a-z0-9/-]{0,30}", fullmatch=True)


@st.composite
def posts(draw) -> Post:
    url, source, title, text = draw(URLS), draw(URLS), draw(MAYBE), draw(MAYBE)
    return Post(
        id=post_id(url, fallback=f"{source}|{title}"), url=url, title=title, date=draw(DATES),
        author=draw(MAYBE), comments=draw(st.none() | st.integers(0, 10**6)),
        tags=draw(st.lists(TEXT, max_size=4)), text=text, html=draw(MAYBE),
        full_text=draw(st.booleans()), source=source,
        fetched_at=draw(st.none() | st.just("2026-01-01T00:00:00Z")), sha256=text_sha256(text),
        status=draw(st.none() | st.integers(100, 599)), page=draw(st.none() | st.integers(1, 500)),
    )


@lru_cache(maxsize=1)
def schema_validator() -> jsonschema.Draft202012Validator:
    text = resources.files("scraper").joinpath("schema/record.schema.json").read_text("utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


@given(posts())
def test_to_json_from_json_round_trip(post):
    assert from_json(to_json(post)) == post


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(posts(), min_size=1, max_size=5), st.sampled_from(["json", "jsonl"]))
def test_sink_to_disk_and_back(batch, fmt):
    unique = list({p.id: p for p in batch}.values())
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        with State.open(Path(tmp) / "s.sqlite") as state, RecordSink(out, fmt, state=state) as sink:
            assert [sink.write(p) for p in unique] == [Outcome.NEW] * len(unique)
        if fmt == "json":
            stored = [from_json(p.read_bytes()) for p in sorted(out.rglob("*.json"))]
        else:
            stored = [from_json(line) for f in sorted(out.glob("*.jsonl"))
                      for line in f.read_bytes().splitlines()]
    assert sorted(stored, key=lambda p: p.id) == sorted(unique, key=lambda p: p.id)
    for post in stored:
        schema_validator().validate(json.loads(to_json(post)))


def test_jsonl_output_loads_with_json_and_pandas(tmp_path):
    batch = [Post(id=post_id(f"https://e.org/{i}"), url=f"https://e.org/{i}", title=f"T{i}",
                  date="2024-01-0%d" % (i + 1), author=None, comments=i, tags=["a", "b"],
                  text=f"text {i}", html=None, full_text=False, source="https://e.org/",
                  fetched_at="2026-01-01T00:00:00Z", sha256=text_sha256(f"text {i}"))
             for i in range(3)]
    with RecordSink(tmp_path / "all.jsonl", "jsonl") as sink:
        for post in batch:
            sink.write(post)
    path = tmp_path / "all.jsonl"
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == [p.id for p in batch]
    pandas = pytest.importorskip("pandas", reason="pandas is not installed: read_json check skipped")
    frame = pandas.read_json(path, lines=True)
    assert list(frame["id"]) == [p.id for p in batch] and len(frame.columns) == len(rows[0])
