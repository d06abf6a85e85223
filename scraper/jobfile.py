"""Job files for ``scraper run``: many sites, one command, one summary.

::

    out = "archive"            # top level: defaults for every site
    format = "jsonl"
    delay = 2.0

    [[site]]
    name = "lgc"
    urls = ["https://www.lgcplus.com/tag/civil-society/"]
    follow = true
    since = "2024-01-01"
    max_pages = 50

Every mistake is a ConfigError that names the file, the line and the key, so a cron
mail says exactly what to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import CrawlConfig, OutputConfig
from .errors import ConfigError
from .runner import Job
from .urls import is_http_url

__all__ = ["JobFile", "load_jobs"]

# key -> (type(s), CrawlConfig field or None for output settings)
_SITE_KEYS: dict[str, tuple[tuple[type, ...], str | None]] = {
    "name": ((str,), None),
    "urls": ((list,), None),
    "out": ((str,), None),
    "format": ((str,), None),
    "keep_revisions": ((bool,), None),
    "follow": ((bool,), "follow"),
    "delay": ((int, float), "delay"),
    "since": ((str,), "since"),
    "max_pages": ((int,), "max_pages"),
    "max_posts": ((int,), "max_posts"),
    "concurrency": ((int,), "concurrency"),
    "user_agent": ((str,), "user_agent"),
    "timeout": ((int, float), "timeout"),
    "retries": ((int,), "retries"),
    "max_retry_after": ((int, float), "max_retry_after"),
    "max_bytes": ((int,), "max_bytes"),
    "warc": ((str,), "warc_dir"),
    "full": ((bool,), "full"),
    "transport": ((str,), "transport"),
}
_TOP_ONLY = {"state": ((str,), None), "parallel": ((int,), None)}


@dataclass(frozen=True, slots=True)
class JobFile:
    jobs: list[Job]
    state: Path | None
    parallel: int


def _line_of(text: str, key: str, site: int | None) -> int:
    """The line a key is on: in the ``site``-th ``[[site]]`` table, or at the top."""
    lines = text.splitlines()
    start, end = 0, len(lines)
    tables = [i for i, line in enumerate(lines) if re.match(r"\s*\[\[\s*site\s*\]\]", line)]
    if site is not None and site < len(tables):
        start = tables[site]
        end = tables[site + 1] if site + 1 < len(tables) else len(lines)
    elif site is None and tables:
        end = tables[0]
    for i in range(start, end):
        if re.match(rf"\s*{re.escape(key)}\s*=", lines[i]):
            return i + 1
    return start + 1


def _kind(types: tuple[type, ...]) -> str:
    return " or ".join("a number" if t is float else t.__name__ for t in types if t is not int or float not in types)


def _culprit(merged: dict[str, Any]) -> str:
    """The key whose value the settings refuse, found by trying each one alone."""
    for key, (_, field) in _SITE_KEYS.items():
        if key not in merged:
            continue
        try:
            if field is not None:
                CrawlConfig(**{field: Path(merged[key]) if field == "warc_dir" else merged[key]})  # type: ignore[arg-type]
            elif key == "format":
                OutputConfig(format=merged[key])
        except ConfigError:
            return key
    return "urls"


def load_jobs(path: Path, *, overrides: dict[str, Any] | None = None) -> JobFile:
    """Read and check a job file; ``overrides`` (from flags) win over it."""
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read job file: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc

    def fail(msg: str, key: str, site: int | None) -> ConfigError:
        where = f"[[site]] #{site + 1}, " if site is not None else ""
        return ConfigError(f"{path}:{_line_of(text, key, site)}: {where}key '{key}': {msg}")

    sites = data.pop("site", None)
    if not isinstance(sites, list) or not sites:
        raise ConfigError(f"{path}: no [[site]] tables: add at least one with a 'urls' list")
    top: dict[str, Any] = {}
    for key, value in data.items():
        spec = _SITE_KEYS.get(key) or _TOP_ONLY.get(key)
        if spec is None or key in ("name", "urls"):
            raise fail("unknown key" if spec is None else "belongs in a [[site]] table", key, None)
        if not isinstance(value, spec[0]) or (isinstance(value, bool) and bool not in spec[0]):
            raise fail(f"expected {_kind(spec[0])}, got {type(value).__name__}", key, None)
        top[key] = value
    jobs: list[Job] = []
    names: set[str] = set()
    for i, site in enumerate(sites):
        if not isinstance(site, dict):
            raise ConfigError(f"{path}: [[site]] #{i + 1} is not a table")
        merged = {k: v for k, v in top.items() if k not in _TOP_ONLY}
        for key, value in site.items():
            spec = _SITE_KEYS.get(key)
            if spec is None:
                raise fail("unknown key" + (" (only allowed at the top)" if key in _TOP_ONLY else ""), key, i)
            if not isinstance(value, spec[0]) or (isinstance(value, bool) and bool not in spec[0]):
                raise fail(f"expected {_kind(spec[0])}, got {type(value).__name__}", key, i)
            merged[key] = value
        merged.update({k: v for k, v in (overrides or {}).items() if v is not None})
        urls = merged.get("urls")
        if not urls:
            raise fail("missing: a list of listing URLs", "urls", i)
        for u in urls:
            if not isinstance(u, str) or not is_http_url(u):
                raise fail(f"not an http(s) URL: {u!r}", "urls", i)
        name = merged.get("name") or f"site{i + 1}"
        if name in names:
            raise fail(f"duplicate site name {name!r}", "name", i)
        names.add(name)
        crawl_kw: dict[str, Any] = {spec[1]: merged[k] for k, spec in _SITE_KEYS.items() if spec[1] and k in merged}
        if "warc_dir" in crawl_kw:
            crawl_kw["warc_dir"] = Path(crawl_kw["warc_dir"])
        try:
            crawl = CrawlConfig(**crawl_kw)
            output = OutputConfig(out=Path(merged.get("out", "output")), format=merged.get("format", "json"),
                                  keep_revisions=merged.get("keep_revisions", False))
        except ConfigError as exc:
            key = _culprit(merged)
            raise fail(str(exc), key, i if key in site else None) from exc
        jobs.append(Job(starts=tuple(urls), crawl=crawl, output=output, name=name))
    state = Path(top["state"]) if "state" in top else None
    return JobFile(jobs=jobs, state=state, parallel=int(top.get("parallel", 4)))
