"""scraper: archive blogs and trade-press sites post by post.

The public API is small and typed::

    from scraper import parse_html, crawl, CrawlConfig

    for post in parse_html(html, url="https://example.org/tag/x/"):
        print(post.title, post.date)

    for post in crawl(["https://example.org/tag/x/"], CrawlConfig(delay=1.0)):
        ...

The command line (``scraper``) is a thin shell over these functions and is never
imported from here. The parser and the crawler load on first use of their names, so
that ``scraper --help`` and short one-off commands start fast.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from ._version import __version__
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

if TYPE_CHECKING:
    from .api import crawl, parse_html, parse_page
    from .config import CrawlConfig
    from .parse.page import PageResult
    from .records import SCHEMA_VERSION, Post

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

# name -> module that defines it, imported when the name is first used
_WHERE = {
    "parse_html": ".api",
    "parse_page": ".api",
    "crawl": ".api",
    "CrawlConfig": ".config",
    "Post": ".records",
    "SCHEMA_VERSION": ".records",
    "PageResult": ".parse.page",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'scraper' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


logging.getLogger(__name__).addHandler(logging.NullHandler())
