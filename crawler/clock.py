"""The run's clock: when each fetch happened, as the archive records it.

A setting, not the machine's clock, decides it in tests: ``-s ARCHIVE_CLOCK=
2026-12-01T08:00:00+00:00`` stops time at that instant, so that what a test
checks of `fetched_at` (revisit schedules, captures' order) never depends on
how fast the machine is.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


def utc_now() -> datetime:
    return datetime.now(UTC)


def run_clock(frozen: str | None) -> Callable[[], datetime]:
    """The machine's clock in UTC, or, with `frozen` (an ISO instant), that instant for ever."""
    if not frozen:
        return utc_now
    instant = datetime.fromisoformat(frozen)
    if instant.tzinfo is None:
        raise ValueError(f"ARCHIVE_CLOCK={frozen!r} needs a UTC offset, e.g. {frozen}+00:00")
    instant = instant.astimezone(UTC)
    return lambda: instant
