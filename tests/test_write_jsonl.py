"""JsonlWriter: offsets, torn-tail repair at open, one writer per file."""

from __future__ import annotations

import json

import pytest

from scraper.errors import ScraperError
from scraper.write.jsonl import JsonlWriter


def lines_of(path):
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def test_append_returns_offsets(tmp_path):
    path = tmp_path / "sub" / "e.org.jsonl"
    with JsonlWriter(path) as w:
        assert w.repair is None
        first = w.append(b'{"id": 1}')
        second = w.append(b'{"id": 2}')
        assert w.size == path.stat().st_size
    assert (first, second) == (0, 10)
    data = path.read_bytes()
    assert data[second:].startswith(b'{"id": 2}')
    with JsonlWriter(path) as w:
        assert list(w.iter_lines()) == [(0, b'{"id": 1}'), (10, b'{"id": 2}')]
        assert list(w.iter_lines(10)) == [(10, b'{"id": 2}')]


def test_rejects_raw_newline(tmp_path):
    with JsonlWriter(tmp_path / "a.jsonl") as w, pytest.raises(ValueError):
        w.append(b'{"a":\n1}')


def test_unterminated_tail_is_cut(tmp_path):
    path = tmp_path / "a.jsonl"
    good = b'{"id": 1}\n{"id": 2}\n'
    torn = b'{"id": 3, "title": "half a li'
    path.write_bytes(good + torn)
    with JsonlWriter(path) as w:
        assert w.repair is not None
        assert w.repair.removed == len(torn) and w.repair.size == len(good)
        assert "no newline" in w.repair.reason
        assert w.append(b'{"id": 3}') == len(good)
    assert lines_of(path) == [{"id": 1}, {"id": 2}, {"id": 3}]


def test_terminated_but_invalid_last_line_is_cut(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"id": 1}\n\x00\x00\x00garbage\n')
    with JsonlWriter(path) as w:
        assert w.repair is not None and "not valid JSON" in w.repair.reason
        assert w.size == 10
    assert lines_of(path) == [{"id": 1}]


def test_both_repairs_and_long_lines(tmp_path):
    """A last good line longer than the backwards-scan chunk, then junk, then a torn line."""
    path = tmp_path / "a.jsonl"
    big = json.dumps({"id": 1, "text": "x" * 200_000}).encode()
    path.write_bytes(big + b"\n" + b"}}}\n" + b'{"id": 2')
    with JsonlWriter(path) as w:
        assert w.size == len(big) + 1
    assert lines_of(path) == [json.loads(big)]


def test_sound_file_is_untouched(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"id": 1}\n')
    with JsonlWriter(path) as w:
        assert w.repair is None and w.size == 10


def test_second_writer_on_same_file_is_refused(tmp_path):
    path = tmp_path / "a.jsonl"
    with JsonlWriter(path):
        with pytest.raises(ScraperError, match="another process"):
            JsonlWriter(path)
    JsonlWriter(path).close()
