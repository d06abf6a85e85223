"""Quick checks of the command line as installed: help, exit codes, messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "fixtures" / "seed"
DEMO = ROOT / "tests" / "fixtures" / "sites" / "demo"
MARKUPS = ["wrapped", "flat", "excerpt"]


def scraper_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "scraper"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "scraper.cli.main"]


def run(*args: str | Path, cwd: Path = ROOT, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run([*scraper_cmd(), *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                          errors="replace", timeout=120, cwd=cwd, env=env)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    return proc


# --- help ----------------------------------------------------------------------------------

def test_top_level_help_lists_commands():
    proc = run("--help")
    assert proc.returncode == 0, proc.stderr
    for cmd in ("parse", "crawl", "inspect", "demo"):
        assert cmd in proc.stdout, cmd
    assert "--version" in proc.stdout


def test_version():
    import scraper

    proc = run("--version")
    assert proc.returncode == 0
    assert scraper.__version__ in proc.stdout


@pytest.mark.parametrize("command, options", [
    ("parse", ["--url", "--jobs", "--warc", "PAGES"]),
    ("inspect", ["--url", "--json", "PAGE"]),
    ("crawl", ["--out", "--format", "--delay", "--max-pages", "--max-posts", "--since", "--follow", "--quiet",
               "--state", "--full", "--warc", "URLS"]),
    ("demo", ["--out", "--format", "--follow", "--site", "--quiet"]),
    ("run", []),
])
def test_subcommand_help(command, options):
    proc = run(command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"Usage: scraper {command}"), proc.stdout[:200]
    for opt in options + ["--help"]:
        assert opt in proc.stdout, (command, opt)
    assert proc.stderr == ""


# --- parse: errors and odd inputs -------------------------------------------------------------

def test_parse_missing_file(tmp_path):
    proc = run("parse", "missing.html", cwd=tmp_path)
    assert proc.returncode != 0
    assert proc.stdout == ""
    assert "missing.html" in proc.stderr
    assert "No such file" in proc.stderr or "not found" in proc.stderr.lower() or "cannot read" in proc.stderr


def test_parse_without_pages_is_a_usage_error(tmp_path):
    proc = run("parse", cwd=tmp_path)
    assert proc.returncode == 2
    assert "PAGE" in proc.stderr


def test_parse_non_listing_page(tmp_path):
    page = tmp_path / "note.html"
    page.write_text("<!DOCTYPE html><html><head><title>A note</title></head>"
                    "<body><p>Just one short paragraph and nothing else.</p></body></html>", encoding="utf-8")
    proc = run("parse", page, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "note.html" in proc.stderr
    assert "no posts" in proc.stderr  # ... and why
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("content", [b"", b"   \n\t  \r\n", b"\x00" * 64], ids=["empty", "whitespace", "nuls"])
def test_parse_empty_files(tmp_path, content):
    page = tmp_path / "blank.html"
    page.write_bytes(content)
    proc = run("parse", page, cwd=tmp_path)
    assert proc.stdout == ""
    assert "blank.html" in proc.stderr
    assert proc.stderr.startswith("scraper: ")


@pytest.mark.parametrize("size", [1, 513, 20_000, 400_000])
def test_parse_binary_junk(tmp_path, size):
    import random

    page = tmp_path / "junk.bin"
    page.write_bytes(random.Random(size).randbytes(size))
    proc = run("parse", page, cwd=tmp_path)
    assert proc.returncode in (0, 1)
    assert "junk.bin" in proc.stderr
    for line in proc.stdout.splitlines():  # whatever it says, stdout stays JSON Lines
        json.loads(line)


def test_parse_bad_page_does_not_stop_the_others(tmp_path):
    """A missing page among good ones: the good ones are still printed, exit non-zero."""
    proc = run("parse", SEED / "wrapped.html", tmp_path / "gone.html", SEED / "flat.html",
               "--url", "https://lgc.example.com/tag/civil-society/")
    assert proc.returncode == 1
    assert len(proc.stdout.splitlines()) == 14
    assert "gone.html" in proc.stderr


def test_parse_reads_stdin():
    data = (SEED / "wrapped.html").read_bytes()
    proc = subprocess.run([*scraper_cmd(), "parse", "-"], input=data, capture_output=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    recs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(recs) == 7
    assert recs[0]["source"] == "https://lgc.example.com/tag/civil-society/"


def _without_clock(stdout: str) -> list[dict]:
    recs = [json.loads(line) for line in stdout.splitlines()]
    for r in recs:
        r.pop("fetched_at")
    return recs


def test_parse_in_processes_keeps_page_order_and_reports_bad_pages(tmp_path):
    """--jobs 2: the same records, in the same order, as one process; a page that
    cannot be read is reported and the others are still printed."""
    pages = [SEED / "wrapped.html", tmp_path / "gone.html", SEED / "flat.html", SEED / "excerpt.html",
             SEED / "wrapped.html"]
    one = run("parse", *pages)
    two = run("parse", "--jobs", "2", *pages)
    assert one.returncode == two.returncode == 1
    assert "gone.html" in two.stderr
    recs = _without_clock(two.stdout)
    assert recs == _without_clock(one.stdout)
    assert len(recs) == 28
    # page order: the first and last pages are the same file, so the same seven records
    assert [r["title"] for r in recs[:7]] == [r["title"] for r in recs[-7:]]


def test_parse_a_folder_reads_its_pages_in_name_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.htm").write_bytes((SEED / "flat.html").read_bytes())
    (tmp_path / "1.html").write_bytes((SEED / "wrapped.html").read_bytes())
    (tmp_path / "notes.txt").write_text("not a page")
    proc = run("parse", tmp_path, "--jobs", "0")
    assert proc.returncode == 0, proc.stderr
    recs = _without_clock(proc.stdout)
    expected = _without_clock(run("parse", tmp_path / "1.html", tmp_path / "b" / "2.htm").stdout)
    assert len(recs) == 14 and recs == expected


def test_parse_an_empty_folder_is_an_error(tmp_path):
    proc = run("parse", tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "no .html" in proc.stderr


# --- inspect -----------------------------------------------------------------------------------

@pytest.mark.parametrize("markup", MARKUPS)
def test_inspect_json_on_seed(markup):
    proc = run("inspect", SEED / f"{markup}.html", "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["kind"] == "listing"
    assert info["posts"] == 7
    assert info["next"] is None
    assert info["url"] == "https://lgc.example.com/tag/civil-society/"
    assert isinstance(info["feeds"], list)
    assert [i["title"] for i in info["items"]][2] == "Localism needs to deliver on community cohesion"
    assert [i["comments"] for i in info["items"]] == [None, None, 3, None, None, None, 4]


def test_inspect_json_feeds_of_wrapped():
    info = json.loads(run("inspect", SEED / "wrapped.html", "--json").stdout)
    assert info["feeds"] == ["https://lgc.example.com/tag/civil-society/feed/"]


def test_inspect_demo_page_one_finds_older_posts():
    page = DEMO / "tag" / "civil-society" / "index.html"
    proc = run("inspect", page, "--url", "http://127.0.0.1:1/tag/civil-society/", "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["kind"] == "listing"
    assert info["next"] == "http://127.0.0.1:1/tag/civil-society/page/2/"
    assert info["posts"] == 4
    assert all(i["url"].startswith("http://127.0.0.1:1/20") for i in info["items"])


def test_inspect_demo_page_two_is_the_last():
    page = DEMO / "tag" / "civil-society" / "page" / "2" / "index.html"
    info = json.loads(run("inspect", page, "--url", "http://127.0.0.1:1/tag/civil-society/page/2/", "--json").stdout)
    assert info["kind"] == "listing"
    assert info["posts"] == 3
    assert info["next"] is None


def test_inspect_text_output():
    proc = run("inspect", SEED / "excerpt.html")
    assert proc.returncode == 0, proc.stderr
    assert "kind:  listing" in proc.stdout
    assert "posts: 7" in proc.stdout
    assert "Cuts could jeopardise the big society" in proc.stdout
    assert "(excerpt)" in proc.stdout


def test_inspect_missing_file(tmp_path):
    proc = run("inspect", "nope.html", cwd=tmp_path)
    assert proc.returncode != 0
    assert "nope.html" in proc.stderr


def test_inspect_empty_file(tmp_path):
    page = tmp_path / "empty.html"
    page.write_bytes(b"")
    proc = run("inspect", page, "--json", cwd=tmp_path)
    assert proc.returncode != 0
    assert "empty" in proc.stderr


def test_inspect_non_listing(tmp_path):
    page = tmp_path / "note.html"
    page.write_text("<html><body><p>One paragraph.</p></body></html>", encoding="utf-8")
    info = json.loads(run("inspect", page, "--json", cwd=tmp_path).stdout)
    assert info["kind"] == "other"
    assert info["posts"] == 0
    assert info["reason"]


# --- crawl usage errors ------------------------------------------------------------------------

def test_crawl_not_a_url(tmp_path):
    proc = run("crawl", "not-a-url", "--out", tmp_path / "out", cwd=tmp_path)
    assert proc.returncode == 2
    assert "not-a-url" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_crawl_bad_format(tmp_path):
    proc = run("crawl", "http://127.0.0.1:1/tag/x/", "--format", "xml", "--out", tmp_path / "out", cwd=tmp_path)
    assert proc.returncode == 2
    assert "xml" in proc.stderr and "--format" in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("flag, value", [("--delay", "-1"), ("--max-pages", "0"), ("--since", "yesterday-ish"),
                                         ("--delay", "soon")])
def test_crawl_bad_values(tmp_path, flag, value):
    proc = run("crawl", "http://127.0.0.1:1/tag/x/", flag, value, "--out", tmp_path / "out", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip()


def test_crawl_needs_a_url(tmp_path):
    proc = run("crawl", cwd=tmp_path)
    assert proc.returncode == 2
    assert "URLS" in proc.stderr


def test_unknown_command(tmp_path):
    proc = run("frobnicate", cwd=tmp_path)
    assert proc.returncode == 2
    assert "frobnicate" in proc.stderr


# --- malformed URLs --------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["parse", "inspect"])
def test_page_with_malformed_canonical_link(tmp_path, command):
    page = tmp_path / "badcanon.html"
    page.write_text('<html><head><link rel="canonical" href="http://[::1"></head>'
                    "<body><p>One paragraph.</p></body></html>", encoding="utf-8")
    proc = run(command, page, cwd=tmp_path)  # asserts: no traceback
    if command == "parse":
        assert "badcanon.html" in proc.stderr  # says why there are no records
    else:
        assert "kind:  other" in proc.stdout


def test_crawl_malformed_start_url(tmp_path):
    proc = run("crawl", "http://[::1", "--out", tmp_path / "out", cwd=tmp_path)
    assert proc.returncode == 2
    assert "http://[::1" in proc.stderr


def test_parse_with_malformed_url_option(tmp_path):
    proc = run("parse", SEED / "wrapped.html", "--url", "http://[::1", cwd=tmp_path)
    recs = [json.loads(line) for line in proc.stdout.splitlines()]
    refused = proc.returncode == 2 and "http://[::1" in proc.stderr and recs == []
    assert refused or len(recs) == 7, (proc.returncode, [r["title"] for r in recs])
