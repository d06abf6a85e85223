"""``scraper run jobs.toml``: several sites in one go, one summary, exit status for cron;
and a bad job file is a usage error that names the file, the line and the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import make_posts, read_json_records, read_jsonl_records, run_scraper
from faultserver import FaultServer

FAST = 'delay = 0\ntimeout = 5\nretries = 1\nmax_retry_after = 2\n'


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_two_sites_one_summary(make_blog, tmp_path):
    alpha = make_blog(make_posts(10, seed=1, prefix="Alpha: "), per_page=5, tag="alpha")
    beta = make_blog(make_posts(7, seed=2, prefix="Beta: "), per_page=3, tag="beta")
    with FaultServer(alpha.root) as a, FaultServer(beta.root) as b:
        jobs = write(tmp_path / "jobs.toml", FAST + f'''
[[site]]
name = "alpha"
urls = ["{a.url(alpha.listing_path())}"]
out = "{tmp_path / 'out-a'}"
format = "json"

[[site]]
name = "beta"
urls = ["{b.url(beta.listing_path())}"]
out = "{tmp_path / 'out-b'}"
format = "jsonl"
''')
        proc = run_scraper("run", jobs, cwd=tmp_path)
        base_a, base_b = a.url(""), b.url("")
        hits_a, hits_b = [h.path for h in a.requests], [h.path for h in b.requests]
    assert proc.returncode == 0, proc.stderr
    recs_a = read_json_records(tmp_path / "out-a")
    assert sorted(r["url"] for r in recs_a) == sorted(base_a + p.slug for p in alpha.posts)
    (jsonl,) = (tmp_path / "out-b").glob("*.jsonl")
    recs_b = read_jsonl_records(jsonl)
    assert [r["url"] for r in recs_b] == [base_b + p.slug for p in beta.posts]
    assert [r["title"] for r in recs_b] == [p.title for p in beta.posts]
    assert hits_a == ["/robots.txt", "/tag/alpha/", "/tag/alpha/page/2/"]
    assert hits_b == ["/robots.txt", "/tag/beta/", "/tag/beta/page/2/", "/tag/beta/page/3/"]
    err = proc.stderr
    assert re.search(r"^alpha: 2 pages, 10 new, 0 updated, 0 unchanged, 0 failures$", err, re.M), err
    assert re.search(r"^beta: 3 pages, 7 new, 0 updated, 0 unchanged, 0 failures$", err, re.M), err
    assert len(re.findall(r"^pages fetched:", err, re.M)) == 1, err
    assert re.search(r"^pages fetched: 5 \(0 not modified\) from 2 listing\(s\)$", err, re.M), err
    assert re.search(r"^posts: 17 new, 0 updated, 0 unchanged$", err, re.M), err
    assert str(tmp_path / "out-a") in err and str(tmp_path / "out-b") in err



def test_two_sites_rerun_writes_nothing_new(make_blog, tmp_path):
    alpha = make_blog(make_posts(6, seed=3), per_page=3, tag="alpha")
    beta = make_blog(make_posts(4, seed=4), per_page=2, tag="beta")
    with FaultServer(alpha.root) as a, FaultServer(beta.root) as b:
        jobs = write(tmp_path / "jobs.toml", FAST + f'''out = "{tmp_path / 'out'}"

[[site]]
name = "alpha"
urls = ["{a.url(alpha.listing_path())}"]

[[site]]
name = "beta"
urls = ["{b.url(beta.listing_path())}"]
format = "jsonl"
''')
        first = run_scraper("run", jobs, cwd=tmp_path)
        second = run_scraper("run", jobs, cwd=tmp_path)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert re.search(r"^posts: 10 new, 0 updated, 0 unchanged$", first.stderr, re.M), first.stderr
    assert re.search(r"^posts: 0 new, 0 updated, \d+ unchanged$", second.stderr, re.M), second.stderr
    assert len(read_json_records(tmp_path / "out")) == 6
    (jsonl,) = (tmp_path / "out").glob("*.jsonl")
    assert len(read_jsonl_records(jsonl)) == 4


def test_a_failing_site_exits_1_and_the_other_is_written(make_blog, tmp_path):
    alpha = make_blog(make_posts(6, seed=5), per_page=3, tag="alpha")
    beta = make_blog(make_posts(6, seed=6), per_page=3, tag="beta")
    with FaultServer(alpha.root) as a, FaultServer(beta.root) as b:
        b.rule(beta.listing_path(2), status=404)
        jobs = write(tmp_path / "jobs.toml", FAST + f'''out = "{tmp_path / 'out'}"
[[site]]
name = "alpha"
urls = ["{a.url(alpha.listing_path())}"]
[[site]]
name = "beta"
urls = ["{b.url(beta.listing_path())}"]
''')
        proc = run_scraper("run", jobs, cwd=tmp_path)
        bad = b.url(beta.listing_path(2))
    assert proc.returncode == 1, proc.stderr
    assert len(read_json_records(tmp_path / "out")) == 9
    assert re.search(r"^alpha: 2 pages, 6 new, .* 0 failures$", proc.stderr, re.M), proc.stderr
    assert re.search(r"^beta: 1 pages, 3 new, .* 1 failures$", proc.stderr, re.M), proc.stderr
    assert bad in proc.stderr and "404" in proc.stderr


# --- bad job files ----------------------------------------------------------------------------

GOOD_SITE = '[[site]]\nname = "one"\nurls = ["http://127.0.0.1:9/tag/x/"]\n'


@pytest.mark.parametrize("text, line, key, words", [
    # unknown key in a [[site]] table (line 4)
    ('delay = 0\n\n[[site]]\ncolour = "red"\nurls = ["http://127.0.0.1:9/tag/x/"]\n', 4, "colour", "unknown key"),
    # unknown key at the top (line 2)
    ('delay = 0\nspeed = 3\n' + GOOD_SITE, 2, "speed", "unknown key"),
    # wrong type (line 5)
    ('delay = 0\n\n[[site]]\nurls = ["http://127.0.0.1:9/tag/x/"]\nmax_pages = "ten"\n', 5, "max_pages", "expected int"),
    # wrong type at the top (line 1)
    ('delay = "fast"\n' + GOOD_SITE, 1, "delay", "got str"),
    # a bool where a number goes (line 4)
    (GOOD_SITE + 'retries = true\n', 4, "retries", "expected int"),
    # urls not a list (line 3)
    ('[[site]]\nname = "one"\nurls = "http://127.0.0.1:9/tag/x/"\n', 3, "urls", "expected list"),
    # missing urls: the line of that [[site]] table (5)
    (GOOD_SITE + '\n[[site]]\nname = "two"\nfollow = true\n', 5, "urls", "missing"),
    # not a URL (line 7, in the second table)
    (GOOD_SITE + '\n[[site]]\nname = "two"\nurls = ["example.org/tag/x/"]\n', 7, "urls", "not an http(s) URL"),
    (GOOD_SITE + '\n[[site]]\nname = "two"\nurls = ["ftp://example.org/tag/x/"]\n', 7, "urls", "not an http(s) URL"),
    # a value the settings refuse (line 4)
    (GOOD_SITE + 'max_pages = 0\n', 4, "max_pages", "at least 1"),
    (GOOD_SITE + 'since = "last tuesday"\n', 4, "since", "not a date"),
    # duplicate names (line 6)
    (GOOD_SITE + '\n[[site]]\nname = "one"\nurls = ["http://127.0.0.1:9/tag/y/"]\n', 6, "name", "duplicate"),
])
def test_bad_job_file_names_file_line_and_key(tmp_path, text, line, key, words):
    jobs = write(tmp_path / "jobs.toml", text)
    proc = run_scraper("run", jobs, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert f"{jobs}:{line}:" in proc.stderr, proc.stderr
    assert f"'{key}'" in proc.stderr, proc.stderr
    assert words in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, "one clear line, no traceback or usage dump"
    assert not list(tmp_path.glob("output*")), "nothing crawled"


def test_bad_timeout_names_timeout_not_out(tmp_path):
    jobs = write(tmp_path / "jobs.toml",
                 f'out = "{tmp_path / "o"}"\n\n[[site]]\nurls = ["http://127.0.0.1:9/tag/x/"]\ntimeout = 0\n')
    proc = run_scraper("run", jobs, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert f"{jobs}:5:" in proc.stderr and "'timeout'" in proc.stderr, proc.stderr


def test_bad_top_level_value_names_its_own_line(tmp_path):
    jobs = write(tmp_path / "jobs.toml", "max_pages = 0\n\n" + GOOD_SITE)
    proc = run_scraper("run", jobs, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "'max_pages'" in proc.stderr, proc.stderr
    assert f"{jobs}:1:" in proc.stderr, proc.stderr


def test_job_file_not_valid_toml(tmp_path):
    jobs = write(tmp_path / "jobs.toml", GOOD_SITE + 'delay = = 2\n')
    proc = run_scraper("run", jobs, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert str(jobs) in proc.stderr and "TOML" in proc.stderr
    assert "line 4" in proc.stderr, proc.stderr


def test_job_file_without_sites(tmp_path):
    jobs = write(tmp_path / "jobs.toml", 'delay = 0\n')
    proc = run_scraper("run", jobs, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert str(jobs) in proc.stderr and "[[site]]" in proc.stderr


def test_job_file_that_does_not_exist(tmp_path):
    missing = tmp_path / "nope" / "jobs.toml"
    proc = run_scraper("run", missing, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert str(missing) in proc.stderr
    assert re.search(r"no such file|does not exist|cannot read", proc.stderr, re.I), proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 3, proc.stderr
