"""End to end over a real loopback server: `scraper crawl` and `scraper demo` on the
bundled demo blog (a tag listing in two pages, 4 + 3 posts), and the Python API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper.demo import serve_site

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "tests" / "fixtures" / "sites" / "demo"
EXPECTED = json.loads((ROOT / "tests" / "fixtures" / "seed" / "expected.json").read_text(encoding="utf-8"))
TITLES = [p["title"] for p in EXPECTED["posts"]]
PATHS = [p["url"].removeprefix("https://lgc.example.com") for p in EXPECTED["posts"]]


def scraper_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "scraper"
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "scraper.cli.main"]


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([*scraper_cmd(), *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                          timeout=180, cwd=cwd, env={**os.environ, "COLUMNS": "200"})
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve_site(DEMO) as base:
        yield base


def start_url(base: str) -> str:
    return f"{base}/tag/civil-society/"


def json_records(out: Path) -> list[dict]:
    hosts = sorted(out.glob("127.0.0.1*"))
    hosts = [h for h in hosts if h.is_dir()]
    assert len(hosts) == 1, f"expected one host folder under {out}: {list(out.iterdir())}"
    files = sorted(hosts[0].glob("*.json"))
    return [json.loads(f.read_text(encoding="utf-8")) for f in files]


def check_posts(recs: list[dict], base: str, in_order: bool) -> None:
    assert len(recs) == 7
    titles = [r["title"] for r in recs]
    if in_order:
        assert titles == TITLES
        assert [r["url"] for r in recs] == [base + p for p in PATHS]
        assert [r["page"] for r in recs] == [1, 1, 1, 1, 2, 2, 2]
    else:
        assert sorted(titles) == sorted(TITLES)
        assert sorted(r["url"] for r in recs) == sorted(base + p for p in PATHS)
    assert len({r["id"] for r in recs}) == 7
    by_title = {r["title"]: r for r in recs}
    for g in EXPECTED["posts"]:
        r = by_title[g["title"]]
        assert (r["date"] or "")[:10] == g["date"], g["title"]
        assert r["status"] == 200
        assert r["source"] in (start_url(base), f"{base}/tag/civil-society/page/2/")
        assert r["text"] and "".join(g["text_start"].split()) in "".join(r["text"].split())
        for b in EXPECTED["boilerplate"]:
            assert b not in r["text"] and b not in r["title"]
        assert "" not in [v for v in r.values() if isinstance(v, str)]


def test_crawl_json_files(site, tmp_path):
    out = tmp_path / "out"
    proc = run("crawl", start_url(site), "--out", out, "--delay", "0", "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    check_posts(json_records(out), site, in_order=False)
    assert "7 new" in proc.stderr, proc.stderr


def test_crawl_jsonl(site, tmp_path):
    out = tmp_path / "out"
    proc = run("crawl", start_url(site), "--out", out, "--format", "jsonl", "--delay", "0", "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    files = sorted(out.glob("127.0.0.1*.jsonl"))
    assert len(files) == 1, list(out.iterdir())
    lines = files[0].read_text(encoding="utf-8").splitlines()
    assert len(lines) == 7
    check_posts([json.loads(line) for line in lines], site, in_order=True)


def test_crawl_to_stdout(site, tmp_path):
    proc = run("crawl", start_url(site), "--out", "-", "--delay", "0", "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 7, proc.stdout[:500]
    check_posts([json.loads(line) for line in lines], site, in_order=True)
    assert list(tmp_path.iterdir()) == [], "--out - must write nothing to disk"


def test_crawl_twice_writes_nothing_new(site, tmp_path):
    out = tmp_path / "out"
    first = run("crawl", start_url(site), "--out", out, "--delay", "0", "--quiet", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = {p.name: p.read_bytes() for p in out.glob("127.0.0.1*/*.json")}
    second = run("crawl", start_url(site), "--out", out, "--delay", "0", "--quiet", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    recs = json_records(out)
    check_posts(recs, site, in_order=False)
    assert "0 new" in second.stderr, second.stderr
    after = {p.name: p.read_bytes() for p in out.glob("127.0.0.1*/*.json")}
    assert after == before, "an unchanged post must not be rewritten"


def test_crawl_twice_jsonl_no_duplicates(site, tmp_path):
    out = tmp_path / "out"
    for _ in range(2):
        proc = run("crawl", start_url(site), "--out", out, "--format", "jsonl", "--delay", "0", "--quiet",
                   cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    assert "0 new" in proc.stderr, proc.stderr
    (f,) = out.glob("127.0.0.1*.jsonl")
    lines = f.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 7


def test_crawl_max_pages_one(site, tmp_path):
    proc = run("crawl", start_url(site), "--out", "-", "--delay", "0", "--max-pages", "1", "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    recs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["title"] for r in recs] == TITLES[:4]


def test_demo_command(tmp_path):
    out = tmp_path / "demo-out"
    proc = run("demo", "--out", out, "--quiet", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    recs = json_records(out)
    assert sorted(r["title"] for r in recs) == sorted(TITLES)
    assert len({r["id"] for r in recs}) == 7


def test_python_api_crawl(site):
    import scraper
    from scraper import CrawlConfig, Post

    posts = list(scraper.crawl([start_url(site)], CrawlConfig(delay=0)))
    assert all(isinstance(p, Post) for p in posts)
    assert [p.title for p in posts] == TITLES
    assert [p.page for p in posts] == [1, 1, 1, 1, 2, 2, 2]
    assert [p.url for p in posts] == [site + p for p in PATHS]
    assert [p.comments for p in posts][2] == EXPECTED["posts"][2]["comments"]
