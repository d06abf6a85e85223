"""Settings as small frozen value objects, merged once: defaults < job file < flags.

Frozen so that a crawl cannot change its own politeness half-way, and so that the
same object can be handed to worker processes."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from ._version import __version__
from .errors import ConfigError

__all__ = ["CrawlConfig", "OutputConfig", "DEFAULT_USER_AGENT", "merged"]


DEFAULT_USER_AGENT = f"scraper/{__version__} (+https://github.com/scraper-archive/scraper; archiving bot)"


@dataclass(frozen=True, slots=True)
class CrawlConfig:
    """How to fetch: politeness, retries, limits, what to follow."""

    delay: float = 1.0                 # seconds between two requests to one host
    concurrency: int = 8               # hosts fetched at once
    per_host: int = 1                  # requests in flight per host
    max_pages: int = 1000              # listing pages per start URL
    max_posts: int | None = None       # posts per start URL
    since: str | None = None           # ISO date: stop paging once a page is all older
    follow: bool = False               # fetch each permalink for the full article
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024  # body cap after decompression
    retries: int = 4                   # further tries after the first
    backoff: float = 1.0               # first backoff step, seconds (doubles, with jitter)
    max_retry_after: float = 300.0     # longest Retry-After honoured
    max_redirects: int = 5
    robots: bool = True
    full: bool = False                 # ignore state: walk every page again
    state: Path | None = None          # SQLite state file (None: no state kept)
    warc_dir: Path | None = None
    warc_max_bytes: int = 1024 * 1024 * 1024
    stay_on_host: bool = True
    parse_workers: int | None = None   # processes parsing beside the event loop (0: inline; None: auto)
    # the I/O under httpx: "aiohttp" (httpx-aiohttp's transport: a third of the CPU per
    # request, bench/fetch_transport.py), "httpx" (its own), "auto" (aiohttp when
    # installed, which it is with the package)
    transport: str = "auto"

    def __post_init__(self) -> None:
        if self.delay < 0:
            raise ConfigError("delay must be >= 0 seconds")
        if self.concurrency < 1 or self.per_host < 1:
            raise ConfigError("concurrency and per_host must be at least 1")
        if self.max_pages < 1:
            raise ConfigError("max_pages must be at least 1")
        if self.max_posts is not None and self.max_posts < 1:
            raise ConfigError("max_posts must be at least 1")
        if self.transport not in ("auto", "aiohttp", "httpx"):
            raise ConfigError(f"transport must be auto, aiohttp or httpx, not {self.transport!r}")
        if self.timeout <= 0:
            raise ConfigError("timeout must be > 0 seconds")
        if self.max_bytes < 1024:
            raise ConfigError("max_bytes must be at least 1024")
        if self.retries < 0:
            raise ConfigError("retries must be >= 0")
        if self.parse_workers is not None and self.parse_workers < 0:
            raise ConfigError("parse_workers must be >= 0")
        if self.since is not None:
            from .parse.dates import parse_iso

            parsed = parse_iso(self.since)
            if parsed is None:
                raise ConfigError(f"since: {self.since!r} is not a date (use YYYY-MM-DD)")
            object.__setattr__(self, "since", parsed[:10])


@dataclass(frozen=True, slots=True)
class OutputConfig:
    """Where and how records are written."""

    out: Path | None = Path("output")  # None or "-": JSON Lines on stdout
    format: str = "json"               # json: a file per post; jsonl: a file per host
    keep_revisions: bool = False

    def __post_init__(self) -> None:
        if self.format not in ("json", "jsonl"):
            raise ConfigError(f"format must be 'json' or 'jsonl', not {self.format!r}")


def merged(base: Any, **overrides: Any) -> Any:
    """``base`` with the overrides that are not None; unknown keys are a ConfigError."""
    names = {f.name for f in fields(base)}
    unknown = set(overrides) - names
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    return replace(base, **{k: v for k, v in overrides.items() if v is not None})
