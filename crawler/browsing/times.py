"""Times on the Datasette pages: stored times labelled UTC, a site's clock with its offset.

SQLite holds the archive's times as naive UTC text (``2016-08-16
13:22:15.000000``) and ``published_local`` as ISO 8601 with the site's
offset. The tables show them to the second, as the site's own times are;
an article's page, read rather than compared, to the minute.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# Shorter than "YYYY-MM-DD HH:MM" is a date alone, which is no moment to convert.
_SHORTEST_TIME = 16


def utc(stamp: str | None, *, seconds: bool = False) -> str | None:
    """A stored time as ``2016-08-16 13:22 UTC``; None if it is no time."""
    moment = _moment(stamp)
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return f"{_clock(moment, seconds)} UTC"


def site_time(stamp: str | None, *, seconds: bool = False) -> str | None:
    """``2016-08-16T17:52:15+04:30`` as ``2016-08-16 17:52 +04:30``; None if it is no time."""
    moment = _moment(stamp)
    if moment is None:
        return None
    offset = moment.utcoffset()
    return _clock(moment, seconds) + ("" if offset is None else f" {_offset(offset)}")


def _moment(stamp: str | None) -> datetime | None:
    if not stamp or len(stamp) < _SHORTEST_TIME:
        return None
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:
        return None


def _clock(moment: datetime, seconds: bool) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _offset(offset: timedelta) -> str:
    # Not strftime's %z: an offset of whole minutes is written +04:30, and before 1946 some
    # zones' offsets (local mean time) had seconds too.
    total = int(offset.total_seconds())
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02}:{minutes:02}" + (f":{secs:02}" if secs else "")
