"""Which entries are too old to look at: ``-a since=`` or the profile's window.

An hourly run reads sources that list months of articles (a sitemap of
50,000 URLs); only those dated inside the window are checked against the
archive and, when new, fetched. Entries without a date are always checked.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.discovery.entries import Dated
    from crawler.sites.profile import Discovery

EVERYTHING = datetime.min.replace(tzinfo=UTC)
"""``-a since=all``: no window."""


class SinceError(ValueError):
    pass


def parse_since(value: str | None) -> datetime | None:
    """``-a since=``: a date (``2026-11-01``, UTC), an ISO datetime, or ``all``; None if unset."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text == "all":
        return EVERYTHING
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SinceError(
            f"since: {value!r} is not a date (2026-11-01), an ISO datetime or 'all'"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def window_start(
    since: datetime | None, discovery: Discovery, last_read: datetime | None, now: datetime
) -> datetime:
    """Where this run's window starts.

    `since` if the user gave it; else `max_age_days` before the start of the
    last run that read the sources (before now, on the first such run), so
    that a run after days of downtime still reaches back to what it missed.
    """
    if since is not None:
        return since
    anchor = min(last_read, now) if last_read is not None else now
    return anchor - timedelta(days=discovery.max_age_days)


def is_old(dated: Dated | None, start: datetime) -> bool:
    """Whether an entry's date falls before the window (a bare date counts as its whole day)."""
    if dated is None or start == EVERYTHING:
        return False
    if isinstance(dated, datetime):
        return dated < start
    assert isinstance(dated, date)
    return dated < start.date()
