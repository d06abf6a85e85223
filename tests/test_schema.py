"""record.schema.json: valid JSON Schema 2020-12, in step with the Post struct, and strict."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import msgspec
import pytest

from scraper.records import Post, post_id, text_sha256, to_json


def load_schema() -> dict:
    return json.loads(resources.files("scraper").joinpath("schema/record.schema.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def validator():
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def record(**fields) -> dict:
    """A valid record as a JSON object; id from post_id, sha256 from text_sha256."""
    url = fields.pop("url", "https://example.org/2024/01/post")
    text = fields.pop("text", "Body text.")
    post = Post(id=post_id(url, fallback="https://example.org/|T"), url=url, title="Title",
                date="2024-01-05", author="Ann", comments=0, tags=["a"], text=text, html=None,
                full_text=False, source="https://example.org/", fetched_at="2026-01-01T00:00:00Z",
                sha256=text_sha256(text))
    return {**json.loads(to_json(post)), **fields}


def test_schema_matches_the_struct():
    """Every field of Post is described, and the same fields are required."""
    generated = msgspec.json.schema(Post)["$defs"]["Post"]
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["properties"]) == set(generated["properties"])
    assert sorted(schema["required"]) == sorted(generated["required"])


@pytest.mark.parametrize("fields", [
    {},
    {"url": None, "title": None, "date": None, "author": None, "comments": None, "text": None,
     "html": None, "source": None, "fetched_at": None, "tags": []},
    {"date": "2024-01-05T10:30"},
    {"date": "2024-01-05T10:30:00+02:00"},
    {"date": "2024-01-05T10:30:00.250Z"},
    {"status": 200, "page": 3, "warc_file": "scraper-20260101000000-00001.warc.gz", "warc_offset": 0,
     "revision": 4},
    {"future_field": "records may gain fields"},
])
def test_valid_records(validator, fields):
    validator.validate(record(**fields))


@pytest.mark.parametrize("fields", [
    {"title": ""},
    {"author": ""},
    {"tags": [""]},
    {"comments": -1},
    {"comments": 1.5},
    {"date": "yesterday"},
    {"date": "05.01.2024"},
    {"sha256": "ABC"},
    {"sha256": "g" * 64},
    {"id": "0123456789abcdef012"},
    {"id": "0123456789ABCDEF0123"},
    {"revision": 0},
    {"full_text": "no"},
])
def test_invalid_records(validator, fields):
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(record(**fields))


def test_missing_required_field(validator):
    data = record()
    del data["sha256"]
    with pytest.raises(jsonschema.ValidationError, match="sha256"):
        validator.validate(data)
