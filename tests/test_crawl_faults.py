"""A polite, fault-tolerant crawler, end to end: the installed ``scraper crawl`` against
generated blog sites served over loopback by the FaultServer, each misbehaving in one
place. Every test checks the exit status, the records written and what stderr says."""

from __future__ import annotations

import re
import resource
import time
from pathlib import Path

import pytest

from conftest import BlogPost, make_posts, read_json_records, read_jsonl_records, run_scraper, seed_posts
from faultserver import FaultServer

FAST = ("--delay", "0", "--timeout", "2", "--retries", "2", "--max-retry-after", "5")


def crawl(srv: FaultServer, path: str, out: Path, *extra: str, fast: tuple[str, ...] = FAST, **kw):
    return run_scraper("crawl", srv.url(path), "--out", out, *fast, *extra, **kw)


def summary(stderr: str) -> dict[str, str]:
    """The end-of-run summary lines, keyed by their first word(s)."""
    out = {}
    for key, pattern in [("pages", r"^pages fetched: .*$"), ("posts", r"^posts: .*$"), ("retries", r"^retries: .*$"),
                         ("stopped", r"^stopped paging: .*$")]:
        m = re.search(pattern, stderr, re.M)
        if m:
            out[key] = m.group(0)
    return out


def stops(stderr: str) -> dict[str, int]:
    line = summary(stderr).get("stopped", "stopped paging: ")
    return {k: int(v) for k, v in re.findall(r"([a-z-]+) (\d+)", line.split(":", 1)[1])}


def counter(stderr: str, name: str) -> int:
    m = re.search(rf"\b{name}: (\d+)", stderr)
    assert m, f"no '{name}:' in the summary:\n{stderr}"
    return int(m.group(1))


def paths(srv: FaultServer) -> list[str]:
    return [h.path for h in srv.requests]


def titles(records: list[dict]) -> list[str]:
    return [r["title"] for r in records]


def check_exactly(records: list[dict], posts: list[BlogPost], base: str) -> None:
    """The records are exactly these posts (any order), each once, with their text."""
    assert sorted(titles(records)) == sorted(p.title for p in posts)
    assert len({r["id"] for r in records}) == len(posts)
    by_title = {r["title"]: r for r in records}
    for p in posts:
        r = by_title[p.title]
        assert r["url"] == base + p.slug
        assert r["date"][:10] == p.date
        assert r["status"] == 200
        assert r["text"] == p.text(), p.title


# --- retries --------------------------------------------------------------------------------


def test_429_with_retry_after_on_page_2_then_200(make_blog, tmp_path):
    blog = make_blog(make_posts(10), per_page=5)
    with FaultServer(blog.root) as srv:
        base = srv.url("")
        srv.rule(blog.listing_path(2), status=429, times=1, retry_after=1)
        t0 = time.monotonic()
        proc = crawl(srv, blog.listing_path(), tmp_path / "out")
        elapsed = time.monotonic() - t0
        hits2 = srv.hits(blog.listing_path(2))
    assert proc.returncode == 0, proc.stderr
    check_exactly(read_json_records(tmp_path / "out"), blog.posts, base)
    assert counter(proc.stderr, "retries") >= 1
    assert counter(proc.stderr, "failures") == 0
    assert "posts: 10 new, 0 updated, 0 unchanged" in proc.stderr
    assert len(hits2) == 2, "page 2: one 429, then one 200"
    assert elapsed >= 1.0, "Retry-After: 1 was not honoured"
    assert stops(proc.stderr) == {"last": 1}


def test_503_then_200_on_page_1(make_blog, tmp_path):
    blog = make_blog(make_posts(10), per_page=5)
    with FaultServer(blog.root) as srv:
        base = srv.url("")
        srv.rule(blog.listing_path(1), status=503, times=1)
        proc = crawl(srv, blog.listing_path(), tmp_path / "out")
        hits1 = srv.hits(blog.listing_path(1))
    assert proc.returncode == 0, proc.stderr
    check_exactly(read_json_records(tmp_path / "out"), blog.posts, base)
    assert counter(proc.stderr, "retries") >= 1
    assert counter(proc.stderr, "failures") == 0
    assert "posts: 10 new" in proc.stderr
    assert len(hits1) == 2


def test_retry_after_longer_than_max_gives_up_at_once(make_blog, tmp_path):
    blog = make_blog(make_posts(10), per_page=5)
    with FaultServer(blog.root) as srv:
        base = srv.url("")
        srv.rule(blog.listing_path(2), status=429, retry_after=600)
        t0 = time.monotonic()
        proc = crawl(srv, blog.listing_path(), tmp_path / "out")
        elapsed = time.monotonic() - t0
        hits2 = srv.hits(blog.listing_path(2))
    assert proc.returncode == 1, proc.stderr
    check_exactly(read_json_records(tmp_path / "out"), blog.posts[:5], base)
    assert len(hits2) == 1, "not retried: the server asked for 10 minutes, --max-retry-after is 5 s"
    assert elapsed < 5
    assert re.search(r"failed.*page/2/.*429.*600 s.*max_retry_after", proc.stderr), proc.stderr


def test_follow_with_one_permalink_always_500(make_blog, tmp_path):
    blog = make_blog(make_posts(6), per_page=3, excerpts=True, permalinks=True)
    broken = blog.posts[4]
    with FaultServer(blog.root) as srv:
        base = srv.url("")
        srv.rule(broken.slug, status=500)
        proc = crawl(srv, blog.listing_path(), tmp_path / "out", "--follow", "--retries", "1")
        broken_hits = srv.hits(broken.slug)
    assert proc.returncode == 1, proc.stderr
    recs = {r["title"]: r for r in read_json_records(tmp_path / "out")}
    assert sorted(recs) == sorted(p.title for p in blog.posts), "every post keeps a record"
    for p in blog.posts:
        r = recs[p.title]
        if p is broken:
            assert r["full_text"] is False
            assert r["text"].endswith("…") or len(r["text"]) < len(p.text()) / 2, r["text"]
            assert p.text().startswith(r["text"].rstrip("…").rstrip()[:100])
        else:
            assert r["full_text"] is True, p.title
            assert r["text"] == p.text(), p.title
    assert len(broken_hits) == 2, "one try and one retry"
    assert counter(proc.stderr, "failures") == 1
    failure_lines = [line for line in proc.stderr.splitlines() if "failed" in line and (base + broken.slug) in line]
    assert failure_lines, proc.stderr
    assert any("500" in line for line in failure_lines), failure_lines
    assert "5 followed" in proc.stderr


# --- robots.txt, calendars, loops, other hosts -------------------------------------------------


def _robots_crawl(make_blog, tmp_path):
    posts = make_posts(6)
    posts[1].extra_html = '<p>See <a href="/private/leaked-report/">the leaked report</a>.</p>'
    blog = make_blog(posts, per_page=3, next_href={1: "/private/archive/page/2/"})
    with FaultServer(blog.root, robots_text="User-agent: *\nDisallow: /private/\n") as srv:
        base = srv.url("")
        proc = crawl(srv, blog.listing_path(), tmp_path / "out", "--follow")
        log = paths(srv)
    return blog, base, proc, log


def test_robots_disallowed_links_are_never_requested(make_blog, tmp_path):
    blog, base, proc, log = _robots_crawl(make_blog, tmp_path)
    assert not [p for p in log if p.startswith("/private")], log
    assert log == ["/robots.txt", blog.listing_path(1)]
    check_exactly(read_json_records(tmp_path / "out"), blog.posts[:3], base)
    assert summary(proc.stderr)["pages"].startswith("pages fetched: 1 ")
    assert base + "/private/archive/page/2/" in proc.stderr, "the skipped next page is named"
    assert "robots.txt" in proc.stderr
    assert proc.returncode in (0, 1), proc.stderr


def test_robots_disallowed_next_page_ends_the_crawl_cleanly(make_blog, tmp_path):
    _, _, proc, _ = _robots_crawl(make_blog, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "failed" not in stops(proc.stderr), proc.stderr


def test_robots_disallowed_permalink_is_not_followed(make_blog, tmp_path):
    posts = make_posts(4)
    posts[2].slug = "/private/2016/06/members-only/"
    blog = make_blog(posts, per_page=4, excerpts=True, permalinks=True)
    with FaultServer(blog.root, robots_text="User-agent: *\nDisallow: /private/\n") as srv:
        base = srv.url("")
        proc = crawl(srv, blog.listing_path(), tmp_path / "out", "--follow")
        log = paths(srv)
    assert not [p for p in log if p.startswith("/private")], log
    recs = {r["title"]: r for r in read_json_records(tmp_path / "out")}
    assert sorted(recs) == sorted(p.title for p in posts)
    assert recs[posts[2].title]["full_text"] is False
    assert all(recs[p.title]["full_text"] for p in posts if p is not posts[2])
    assert base + posts[2].slug in proc.stderr
    assert "robots.txt" in proc.stderr
    assert proc.returncode == 0, proc.stderr  # robots.txt is a policy, not a failure


def test_calendar_next_month_link_is_never_followed(make_blog, tmp_path):
    blog = make_blog(make_posts(10), per_page=5)
    month = '<a class="next" href="?month=2016-{:02d}">Next month &raquo;</a>'
    blog.pager_extra = {1: month.format(2), 2: month.format(3)}
    blog.write()
    with FaultServer(blog.root) as srv:
        base = srv.url("")
        proc = crawl(srv, blog.listing_path(), tmp_path / "out")
        log = paths(srv)
    assert proc.returncode == 0, proc.stderr
    assert not [p for p in log if "month=" in p], log
    check_exactly(read_json_records(tmp_path / "out"), blog.posts, base)
    assert len(srv.hits(blog.listing_path(2))) == 1
    assert stops(proc.stderr) == {"last": 1}


@pytest.mark.parametrize("target, message", [
    ("/_fault/loop/a", "redirect loop"),
    ("/_fault/to-file", "file:///etc/passwd"),
])
def test_bad_redirect_as_next_page(make_blog, tmp_path, target, message):
    blog = make_blog(make_posts(10), per_page=5, next_href={1: target})
    out = tmp_path / "out"
    with FaultServer(blog.root) as srv:
        base = srv.url("")
        proc = crawl(srv, blog.listing_path(), out)
        log = paths(srv)
    assert proc.returncode == 1, proc.stderr
    check_exactly(read_json_records(out), blog.posts[:5], base)
    assert counter(proc.stderr, "failures") == 1
    failed = [line for line in proc.stderr.splitlines() if "failed" in line and message in line]
    assert failed, proc.stderr
    assert (base + target) in proc.stderr
    assert stops(proc.stderr) == {"failed": 1}
    assert "root:" not in "".join(f.read_text() for f in out.rglob("*.json"))
    assert log.count(target) <= 1, "a permanent redirect problem is not retried"


def test_gzip_bomb_as_page_2_is_refused(make_blog, tmp_path):
    blog = make_blog(make_posts(10), per_page=5, next_href={1: "/_fault/bomb?mb=200"})
    with FaultServer(blog.root) as srv:
        base = srv.url("")
        srv.bomb(200)  # built before the crawl starts
        proc = crawl(srv, blog.listing_path(), tmp_path / "out")
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    print(f"peak RSS of the children so far: {peak_mb:.0f} MB")
    assert proc.returncode == 1, proc.stderr
    check_exactly(read_json_records(tmp_path / "out"), blog.posts[:5], base)
    assert re.search(r"failed.*_fault/bomb.*(max_bytes|bomb)", proc.stderr), proc.stderr
    assert peak_mb < 500, f"a child process peaked at {peak_mb:.0f} MB"


def test_page_slower_than_timeout_fails_after_retries(make_blog, tmp_path):
    blog = make_blog(make_posts(10), per_page=5)
    with FaultServer(blog.root) as srv:
        base = srv.url("")
        srv.rule(blog.listing_path(2), delay=2.5)
        proc = crawl(srv, blog.listing_path(), tmp_path / "out",
                     fast=("--delay", "0", "--timeout", "1", "--retries", "1", "--max-retry-after", "2"))
        hits2 = srv.hits(blog.listing_path(2))
    assert proc.returncode == 1, proc.stderr
    check_exactly(read_json_records(tmp_path / "out"), blog.posts[:5], base)
    assert len(hits2) == 2, "first try and one retry"
    assert counter(proc.stderr, "retries") >= 1
    assert re.search(rf"failed.*{re.escape((base + blog.listing_path(2)))}.*timed out", proc.stderr), proc.stderr


def test_wrong_charset_header_russian_titles(make_blog, tmp_path):
    words = ["бюджет", "жильё", "школа", "выборы", "мост", "рынок", "больница", "парк", "дорога", "библиотека"]
    posts = []
    for i in range(6):
        title = f"Городской совет обсудил {words[i]} и {words[i + 1]}: решение номер {i + 1}"
        paras = [f"Депутаты обсудили вопрос «{words[i]}» на заседании в четверг. Решение примут через неделю, "
                 f"после общественных слушаний и консультаций с жителями района номер {i + 1}.",
                 f"Съешь же ещё этих мягких французских булок, да выпей чаю. Вопрос «{words[i + 1]}» остаётся "
                 "открытым, и горожане ждут ответа от администрации."]
        posts.append(BlogPost(f"/2016/06/reshenie-{i + 1}/", title, f"2016-06-{28 - i:02d}", paras))
    blog = make_blog(posts, per_page=3, charset="windows-1251", lang="ru", tag="gorod")
    with FaultServer(blog.root) as srv:
        for n in (1, 2):
            srv.rule(blog.listing_path(n), content_type="text/html; charset=utf-8")
        proc = crawl(srv, blog.listing_path(), tmp_path / "out", "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    (jsonl,) = (tmp_path / "out").glob("*.jsonl")
    recs = read_jsonl_records(jsonl)
    assert titles(recs) == [p.title for p in posts]
    assert [r["text"] for r in recs] == [p.text() for p in posts]
    assert "\ufffd" not in jsonl.read_text(encoding="utf-8")


@pytest.mark.parametrize("link", ["self", "first"])
def test_last_page_linking_back_stops(make_blog, tmp_path, link):
    blog = make_blog(make_posts(10), per_page=5)
    blog.next_href = {2: blog.listing_path(2) if link == "self" else blog.listing_path(1)}
    blog.write()
    with FaultServer(blog.root) as srv:
        base = srv.url("")
        proc = crawl(srv, blog.listing_path(), tmp_path / "out", timeout=30)
        h1, h2 = srv.hits(blog.listing_path(1)), srv.hits(blog.listing_path(2))
    assert proc.returncode == 0, proc.stderr
    check_exactly(read_json_records(tmp_path / "out"), blog.posts, base)
    assert (len(h1), len(h2)) == (1, 1)
    assert set(stops(proc.stderr)) <= {"seen", "last"} and sum(stops(proc.stderr).values()) == 1, proc.stderr


# --- limits ---------------------------------------------------------------------------------


def test_max_pages_1(make_blog, tmp_path):
    blog = make_blog(make_posts(15), per_page=5)
    with FaultServer(blog.root) as srv:
        base = srv.url("")
        proc = crawl(srv, blog.listing_path(), tmp_path / "out", "--max-pages", "1")
        log = paths(srv)
    assert proc.returncode == 0, proc.stderr
    check_exactly(read_json_records(tmp_path / "out"), blog.posts[:5], base)
    assert log == ["/robots.txt", blog.listing_path(1)]
    assert stops(proc.stderr) == {"max-pages": 1}


def test_max_posts_2(make_blog, tmp_path):
    blog = make_blog(make_posts(15), per_page=5)
    with FaultServer(blog.root) as srv:
        proc = crawl(srv, blog.listing_path(), tmp_path / "out", "--max-posts", "2", "--format", "jsonl")
        log = paths(srv)
    assert proc.returncode == 0, proc.stderr
    (jsonl,) = (tmp_path / "out").glob("*.jsonl")
    recs = read_jsonl_records(jsonl)
    assert titles(recs) == [p.title for p in blog.posts[:2]]
    assert log == ["/robots.txt", blog.listing_path(1)]
    assert "posts: 2 new" in proc.stderr
    assert stops(proc.stderr) == {"max-posts": 1}


def test_since_keeps_newer_posts_and_stops_paging(make_blog, tmp_path):
    posts = seed_posts()  # 2011-04-11 ... 2010-05-27, two a page: 4 pages
    blog = make_blog(posts, per_page=2, tag="civil-society")
    with FaultServer(blog.root) as srv:
        proc = crawl(srv, blog.listing_path(), tmp_path / "out", "--since", "2011-01-01", "--format", "jsonl")
        log = paths(srv)
    assert proc.returncode == 0, proc.stderr
    (jsonl,) = (tmp_path / "out").glob("*.jsonl")
    recs = read_jsonl_records(jsonl)
    assert [r["date"] for r in recs] == ["2011-04-11", "2011-03-15", "2011-02-08", "2011-01-18"]
    assert titles(recs) == [p.title for p in posts[:4]]
    assert blog.listing_path(3) in log, "page 3 must be read to see that it is all older"
    assert blog.listing_path(4) not in log
    assert stops(proc.stderr) == {"since": 1}


# --- identity -------------------------------------------------------------------------------


def test_user_agent_default_and_override(make_blog, tmp_path):
    blog = make_blog(make_posts(5), per_page=5)
    with FaultServer(blog.root) as srv:
        first = crawl(srv, blog.listing_path(), tmp_path / "a")
        default = {h.headers.get("user-agent") for h in srv.requests}
        srv.reset()
        second = crawl(srv, blog.listing_path(), tmp_path / "b", "--user-agent", "x/1")
        custom = [h.headers.get("user-agent") for h in srv.requests]
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert len(default) == 1, default
    (ua,) = default
    assert "scraper/" in ua
    assert re.search(r"https?://[^\s;)]+", ua), ua
    assert len(custom) == 2 and set(custom) == {"x/1"}, custom  # robots.txt and the page


def _off_site_crawl(make_blog, tmp_path):
    blog = make_blog(make_posts(10), per_page=5)
    with FaultServer(blog.root) as srv:
        base = srv.url("")
        blog.next_href = {1: f"http://localhost:{srv.port}{blog.listing_path(2)}"}
        blog.write()
        proc = crawl(srv, blog.listing_path(), tmp_path / "out")
        log = paths(srv)
    return blog, base, proc, log


def test_off_site_next_link_is_not_followed(make_blog, tmp_path):
    blog, base, proc, log = _off_site_crawl(make_blog, tmp_path)
    assert proc.returncode == 0, proc.stderr
    check_exactly(read_json_records(tmp_path / "out"), blog.posts[:5], base)
    assert log == ["/robots.txt", blog.listing_path(1)]
    assert sum(stops(proc.stderr).values()) == 1


def test_off_site_next_link_is_reported_as_off_site(make_blog, tmp_path):
    _, _, proc, _ = _off_site_crawl(make_blog, tmp_path)
    assert stops(proc.stderr) == {"off-site": 1}, proc.stderr
