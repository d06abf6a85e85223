"""The public surface: what `import scraper` offers, and what it must not drag in."""

from __future__ import annotations

import subprocess
import sys

import scraper

PUBLIC = {
    "__version__", "parse_html", "parse_page", "crawl", "CrawlConfig", "Post", "PageResult", "SCHEMA_VERSION",
    "ScraperError", "FetchError", "TransientFetch", "PermanentFetch", "RobotsDenied", "ParseError",
    "RecordError", "ConfigError", "StateError",
}


def test_exported_members_are_exactly_the_documented_ones() -> None:
    assert set(scraper.__all__) == PUBLIC
    for name in scraper.__all__:
        assert getattr(scraper, name) is not None


def test_errors_form_one_tree() -> None:
    for name in PUBLIC - {"__version__", "parse_html", "parse_page", "crawl", "CrawlConfig", "Post",
                          "PageResult", "SCHEMA_VERSION"}:
        assert issubclass(getattr(scraper, name), scraper.ScraperError)
    assert issubclass(scraper.RobotsDenied, scraper.PermanentFetch)
    assert issubclass(scraper.TransientFetch, scraper.FetchError)


def test_parse_html_returns_typed_posts() -> None:
    html = ("<html><body><main>" + "".join(
        f'<article><h2><a href="/p{i}/">Post number {i} title</a></h2><p>Body text of post {i} here.</p></article>'
        for i in range(3)) + "</main></body></html>")
    posts = scraper.parse_html(html, "https://example.org/blog/")
    assert [p.url for p in posts] == [f"https://example.org/p{i}/" for i in range(3)]
    assert all(isinstance(p, scraper.Post) for p in posts)
    assert posts[0].text == "Body text of post 0 here."


def test_importing_the_cli_does_not_import_heavy_modules() -> None:
    code = ("import sys, scraper.cli.main; heavy = [m for m in ('trafilatura', 'ray', 'warcio', 'httpx', 'selectolax', 'msgspec', "
            "'dateparser', 'charset_normalizer', 'rich') if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "", f"`scraper --help` imports {out}"
