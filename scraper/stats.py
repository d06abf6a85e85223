"""Counters for one run: what was fetched, written, skipped, and why.

A failure is never silent: each one is counted under a reason and kept (bounded)
with its URL, so the summary can say what went wrong and a cron mail is actionable.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["RunStats", "Failure"]

MAX_KEPT_FAILURES = 200


@dataclass(frozen=True, slots=True)
class Failure:
    url: str
    reason: str
    stage: str  # fetch, parse, follow, write


@dataclass(slots=True)
class RunStats:
    listings: int = 0
    pages: int = 0
    not_modified: int = 0
    posts_found: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    followed: int = 0
    retries: int = 0
    bytes: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    failure_count: int = 0
    skipped: list[Failure] = field(default_factory=list)      # not fetched on purpose (robots.txt)
    reasons: Counter[str] = field(default_factory=Counter)   # failures and drops by reason
    stops: Counter[str] = field(default_factory=Counter)     # why listings stopped paging

    def fail(self, url: str, reason: str, stage: str) -> None:
        self.failure_count += 1
        self.reasons[f"{stage}: {reason.split(':', 1)[0]}"] += 1
        if len(self.failures) < MAX_KEPT_FAILURES:
            self.failures.append(Failure(url=url, reason=reason, stage=stage))

    def skip(self, url: str, reason: str, stage: str) -> None:
        """A URL left alone on purpose (robots.txt): counted, kept, not a failure."""
        self.reasons[f"skipped: {reason}"] += 1
        if len(self.skipped) < MAX_KEPT_FAILURES:
            self.skipped.append(Failure(url=url, reason=reason, stage=stage))

    def merge(self, other: RunStats) -> None:
        """Add another run's counters (a worker's) into this one."""
        for name in ("listings", "pages", "not_modified", "posts_found", "new", "updated", "unchanged",
                     "followed", "retries", "bytes", "failure_count"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.seconds = max(self.seconds, other.seconds)
        self.failures.extend(other.failures[: max(0, MAX_KEPT_FAILURES - len(self.failures))])
        self.skipped.extend(other.skipped[: max(0, MAX_KEPT_FAILURES - len(self.skipped))])
        self.reasons.update(other.reasons)
        self.stops.update(other.stops)

    def as_dict(self) -> dict[str, object]:
        return {
            "listings": self.listings, "pages": self.pages, "not_modified": self.not_modified,
            "posts_found": self.posts_found, "new": self.new, "updated": self.updated,
            "unchanged": self.unchanged, "followed": self.followed, "retries": self.retries,
            "bytes": self.bytes, "seconds": round(self.seconds, 3), "failures": self.failure_count,
            "reasons": dict(self.reasons), "stops": dict(self.stops),
        }

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> RunStats:
        s = cls()
        for name in ("listings", "pages", "not_modified", "posts_found", "new", "updated", "unchanged",
                     "followed", "retries", "bytes"):
            setattr(s, name, int(d.get(name, 0)))  # type: ignore[call-overload]
        s.seconds = float(d.get("seconds", 0.0))  # type: ignore[arg-type]
        s.failure_count = int(d.get("failures", 0))  # type: ignore[call-overload]
        s.reasons.update(d.get("reasons", {}))  # type: ignore[call-overload]
        s.stops.update(d.get("stops", {}))  # type: ignore[call-overload]
        return s

    @property
    def ok(self) -> bool:
        return self.failure_count == 0
