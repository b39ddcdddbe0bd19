"""When an archived article is fetched again, and when a missing one is tried again.

News articles change most in their first hours, so re-fetches thin out with
age: after the first fetch, the next is due one interval later, the interval
growing with every fetch (by default 1 h, 6 h, 1 day, then every 3 days), and
none once the article is older than the maximum age. Nothing here reads a
clock: callers pass `now`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from crawler.plan.failures import is_gone

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_duration(text: str) -> timedelta:
    """``90s``, ``30m``, ``6h``, ``3d``."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r} (use a number and s, m, h or d, e.g. 6h)")
    return timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})


@dataclass(frozen=True)
class RevisitPolicy:
    intervals: tuple[timedelta, ...]
    """Wait after the 1st fetch, the 2nd, ...; the last one repeats."""
    max_age: timedelta
    """No revisit once the article is this old (from its publication, else first sight)."""
    not_found_retry: timedelta
    """A page gone or unusable (404, not HTML, ...) is not asked for again before this."""

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RevisitPolicy:
        intervals = tuple(parse_duration(i) for i in settings.getlist("ARCHIVE_REVISIT_INTERVALS"))
        if not intervals:
            raise ValueError("ARCHIVE_REVISIT_INTERVALS needs at least one interval")
        return cls(
            intervals=intervals,
            max_age=timedelta(days=settings.getfloat("ARCHIVE_REVISIT_MAX_DAYS")),
            not_found_retry=timedelta(days=settings.getfloat("ARCHIVE_RETRY_NOT_FOUND_DAYS")),
        )

    def next_visit(
        self,
        *,
        fetched_at: datetime,
        fetch_count: int,
        first_seen_at: datetime,
        published_at: datetime | None,
    ) -> datetime | None:
        """When the article is next due, or None if it is past revisiting."""
        born = min(published_at, first_seen_at) if published_at else first_seen_at
        due = fetched_at + self.intervals[min(max(fetch_count, 1), len(self.intervals)) - 1]
        return due if due <= born + self.max_age else None

    def is_due(self, now: datetime, **article: object) -> bool:
        due = self.next_visit(**article)  # type: ignore[arg-type]
        return due is not None and due <= now

    def retry_failure(self, *, reason: str, last_failed_at: datetime, now: datetime) -> bool:
        """Whether a page that failed (see crawler.plan.failures) is to be tried again now."""
        if is_gone(reason):
            return now >= last_failed_at + self.not_found_retry
        return True
