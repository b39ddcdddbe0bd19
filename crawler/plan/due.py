"""Whether a site is due for a crawl by `news-archive crawl --all`: a pure function of
the profile's `every`, the start of the site's last run and now (the run's clock)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime, timedelta


@dataclass(frozen=True)
class Due:
    due: bool
    reason: str
    """Why, as the site's line of ``--all`` says it."""


def is_due(every: timedelta | None, last_started: datetime | None, now: datetime) -> Due:
    """Due once the last run started `every` ago or longer; never crawled, due at once.

    A profile without `every` is never due: ``--all`` crawls only what a profile
    asks to be kept current, rather than guessing how often a site may be read.
    """
    if every is None:
        return Due(False, "not crawled by --all: its profile's [discovery] sets no every")
    if last_started is None:
        return Due(True, "never crawled")
    next_run = last_started + every
    if next_run <= now:
        return Due(True, f"due since {_utc(next_run)} (every {_duration(every)})")
    return Due(False, f"not due until {_utc(next_run)} (every {_duration(every)})")


def _utc(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _duration(every: timedelta) -> str:
    seconds = int(every.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts)
