"""scraper: archive blogs and trade-press sites post by post.

The public API is small and typed::

    from scraper import parse_html, crawl, CrawlConfig

    for post in parse_html(html, url="https://example.org/tag/x/"):
        print(post.title, post.date)

    for post in crawl(["https://example.org/tag/x/"], CrawlConfig(delay=1.0)):
        ...

The command line (``scraper``) is a thin shell over these functions and is never
imported from here.
"""

from __future__ import annotations

import logging

from .api import crawl, parse_html, parse_page
from .config import CrawlConfig
from .errors import (
    ConfigError,
    FetchError,
    ParseError,
    PermanentFetch,
    RecordError,
    RobotsDenied,
    ScraperError,
    StateError,
    TransientFetch,
)
from .parse.page import PageResult
from .records import SCHEMA_VERSION, Post

from ._version import __version__

__all__ = [
    "__version__",
    "parse_html",
    "parse_page",
    "crawl",
    "CrawlConfig",
    "Post",
    "PageResult",
    "SCHEMA_VERSION",
    "ScraperError",
    "FetchError",
    "TransientFetch",
    "PermanentFetch",
    "RobotsDenied",
    "ParseError",
    "RecordError",
    "ConfigError",
    "StateError",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
