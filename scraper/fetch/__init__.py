"""The HTTP fetch layer: robots.txt, per-host politeness, retries, bounded bodies.

    async with Fetcher(config) as fetcher:
        response = await fetcher.fetch("https://example.org/blog/")

Everything it raises is a FetchError (TransientFetch, PermanentFetch, RobotsDenied)."""

from __future__ import annotations

from .client import Fetcher, FetchStats
from .response import Response

__all__ = ["Fetcher", "FetchStats", "Response"]
