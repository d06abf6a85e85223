"""The exception tree. Every error the library raises on purpose is a ScraperError.

    ScraperError
    ├── FetchError            (carries .url)
    │   ├── TransientFetch    timeouts, connection errors, 429, 5xx: retried
    │   └── PermanentFetch    other 4xx, refused redirects, oversize bodies, wrong type
    │       └── RobotsDenied  robots.txt forbids the URL (or its host is unreachable)
    ├── ParseError            a page that cannot be read as HTML at all
    ├── RecordError           a record that fails validation
    ├── ConfigError           bad flags or job file: fatal, names the file, line and key
    └── StateError            locked or corrupt state database: fatal

Foreign errors (httpx, sqlite3, msgspec) are translated at the boundary, chained with
``raise ... from``, so callers only ever catch this tree.
"""

from __future__ import annotations

__all__ = [
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


class ScraperError(Exception):
    """Base class of every error this package raises."""


class FetchError(ScraperError):
    """A URL could not be fetched; ``url`` says which, ``status`` the HTTP status if any."""

    def __init__(self, message: str, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status

    def __str__(self) -> str:
        return f"{self.args[0]} ({self.url})"


class TransientFetch(FetchError):
    """Worth retrying: the server or the network may do better later.

    ``retry_after`` is the delay in seconds the server asked for, if it asked."""

    def __init__(
        self, message: str, url: str, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, url, status)
        self.retry_after = retry_after


class PermanentFetch(FetchError):
    """Retrying will not help: a 404, a refused redirect, a body over the size cap."""


class RobotsDenied(PermanentFetch):
    """robots.txt forbids this URL for our user agent."""


class ParseError(ScraperError):
    """The bytes could not be read as an HTML document."""


class RecordError(ScraperError):
    """A record does not satisfy the record contract."""


class ConfigError(ScraperError):
    """Bad settings: a flag, a job file key, a value out of range."""


class StateError(ScraperError):
    """The state database is locked by another run, or corrupt."""
