"""Publication dates (ARTICLE-SCHEMA.md, rule 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class PublishedTime:
    utc: datetime
    local: datetime


@dataclass(frozen=True)
class DateReading:
    value: PublishedTime | None
    warning: str | None = None


# No time zone puts a page's date more than a day after the moment it was fetched.
FUTURE_TOLERANCE = timedelta(days=1)


def read_local_date(
    text: str, formats: tuple[str, ...], zone: ZoneInfo, *, fetched_at: datetime | None = None
) -> DateReading:
    """Read a wall-clock date in the site's zone, with that zone's offset at the time.

    An unreadable date is no date plus a warning, never a guess; so is one
    later than the page was fetched (a typo such as 2061 for 2016). A
    wall-clock time that the zone's history makes ambiguous or non-existent is
    kept with a warning naming the choice made.
    """
    if not text:
        return DateReading(None, "no_date")
    for fmt in formats:
        try:
            naive = datetime.strptime(text, fmt)
        except ValueError:
            continue
        local = naive.replace(tzinfo=zone)
        if fetched_at is not None and local > fetched_at + FUTURE_TOLERANCE:
            return DateReading(None, f"implausible_date: {text!r} is after the page was fetched")
        try:
            return DateReading(
                PublishedTime(utc=local.astimezone(UTC), local=local),
                _wall_clock_warning(naive, zone),
            )
        except OverflowError:  # year 1 or 9999: no instant Python can hold in UTC
            return DateReading(None, f"implausible_date: {text!r} is out of range")
    return DateReading(None, f"unparseable_date: {text!r}")


def _wall_clock_warning(naive: datetime, zone: ZoneInfo) -> str | None:
    earlier = naive.replace(tzinfo=zone, fold=0)
    later = naive.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return None
    # In a gap the wall time never happened; in an overlap it happened twice.
    round_trip = earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        return (
            f"nonexistent_local_time: {naive.isoformat()} (read with the offset before the change)"
        )
    return f"ambiguous_local_time: {naive.isoformat()} (read as the earlier instant)"


def as_utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
