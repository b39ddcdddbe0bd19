"""Publication dates (ARTICLE-SCHEMA.md, rule 4), strict about zones.

- An explicit offset (``+02:00``, ``Z``, a format's ``%z``) wins: it names the instant,
  and the page's own offset is kept in the local time; only UTC itself (``Z``,
  ``+00:00``, what a CMS writes for machines) is shown in the profile's zone.
- A wall-clock time without one is read in the profile's zone, with that
  zone's offset at the time (daylight saving gaps and overlaps with a warning).
  A profile without a zone cannot place it: only its date is kept, with a warning.
- A date without a time is kept as a date: the instant is unknown, and
  midnight would be a guess. `published_at` (UTC) is then null and
  `published_local` the date alone, ``2016-08-16``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.parsing.text import ascii_digits
from crawler.parsing.written_dates import GREGORIAN, read_written_date

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class PublishedTime:
    utc: datetime | None
    """None for a date without a time."""
    local: datetime | date
    """The instant with the site's offset at the time; or the date alone."""

    @property
    def published_at(self) -> str | None:
        return self.utc.isoformat() if self.utc else None

    @property
    def published_local(self) -> str:
        return self.local.isoformat()


@dataclass(frozen=True)
class DateReading:
    value: PublishedTime | None
    warning: str | None = None


PLAUSIBLE_DATES = (datetime(1800, 1, 1, tzinfo=UTC), datetime(2200, 1, 1, tzinfo=UTC))
"""Publication dates outside this range are typos or garbage, not dates."""
# No time zone puts a page's date more than a day after the moment it was fetched.
FUTURE_TOLERANCE = timedelta(days=1)
_TIME_DIRECTIVES = re.compile(r"%[HIMSXcTRrpfz]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# /2013/11/27/, /2013-11-27/, /20131127/ in a URL's path: the day a CMS filed the article under.
_URL_DAY = re.compile(r"/((?:19|20)\d\d)([/-]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?=[/_.-]|$)")


def read_local_date(
    text: str,
    formats: tuple[str, ...],
    zone: ZoneInfo | None,
    *,
    fetched_at: datetime | None = None,
    date_locale: str | None = None,
    calendar: str = GREGORIAN,
) -> DateReading:
    """Read a date written on the page: with the profile's formats, then as ISO 8601 (or RFC 2822).

    Digits of any script read as digits. Without a `date_locale` or
    `calendar`, the formats are strptime's (English names); with either, the
    names are that locale's and the numbers that calendar's (see
    `crawler.parsing.written_dates`).

    An unreadable date is no date plus a warning, never a guess; so is one
    outside `PLAUSIBLE_DATES` (1066 is a typo or garbage on a news page), and
    one later than the page was fetched (a typo such as 2061 for 2016).
    """
    if not text:
        return DateReading(None, "no_date")
    written = date_locale is not None or calendar != GREGORIAN
    digits = ascii_digits(text)
    for fmt in formats:
        if written:
            moment = read_written_date(text, fmt, date_locale, calendar)
            if moment is not None:
                return _placed(moment, text, zone, fetched_at)
            continue
        try:
            parsed = datetime.strptime(digits, fmt)
        except ValueError:
            continue
        has_time = _TIME_DIRECTIVES.search(fmt) is not None
        return _placed(parsed if has_time else parsed.date(), text, zone, fetched_at)
    moment = parse_iso_or_rfc(digits)
    if moment is not None:
        return _placed(moment, text, zone, fetched_at)
    return DateReading(None, f"unparseable_date: {text[:80]!r}")


def day_in_url(url: str) -> date | None:
    """The day a URL's path is filed under (``/2013/11/27/travel/…``); None if none or no day."""
    match = _URL_DAY.search(urlsplit(url).path)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(3)), int(match.group(4)))
    except ValueError:
        return None


def parse_iso_or_rfc(text: str) -> datetime | date | None:
    """ISO 8601 (``2016-08-16``, ``2016-08-16T17:52:15+04:30``, ``…Z``) or RFC 2822."""
    text = ascii_digits(text.strip())
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _placed(
    moment: datetime | date, text: str, zone: ZoneInfo | None, fetched_at: datetime | None
) -> DateReading:
    try:
        return _in_range(moment, text, zone, fetched_at)
    except OverflowError:  # year 1 or 9999: no instant Python can hold in UTC
        return DateReading(None, f"implausible_date: {text[:80]!r} is out of range")


def _in_range(
    moment: datetime | date, text: str, zone: ZoneInfo | None, fetched_at: datetime | None
) -> DateReading:
    warning = None
    if not isinstance(moment, datetime):
        value = PublishedTime(utc=None, local=moment)
    elif moment.tzinfo is not None:
        utc = moment.astimezone(UTC)
        in_utc = moment.utcoffset() == timedelta(0)
        value = PublishedTime(utc=utc, local=utc.astimezone(zone) if zone and in_utc else moment)
    elif zone is None:
        value = PublishedTime(utc=None, local=moment.date())
        warning = f"time_without_zone: {text[:80]!r} (the profile has no time_zone; date kept)"
    else:
        local = moment.replace(tzinfo=zone)
        value = PublishedTime(utc=local.astimezone(UTC), local=local)
        warning = _wall_clock_warning(moment, zone)
    if not _plausible(value):
        return DateReading(None, f"implausible_date: {text[:80]!r} is out of range")
    if fetched_at is not None and _after(value, fetched_at + FUTURE_TOLERANCE):
        return DateReading(None, f"implausible_date: {text[:80]!r} is after the page was fetched")
    return DateReading(value, warning)


def _plausible(value: PublishedTime) -> bool:
    low, high = PLAUSIBLE_DATES
    if value.utc is not None:
        return low <= value.utc <= high
    return low.date() <= value.local <= high.date()  # type: ignore[operator]


def _after(value: PublishedTime, limit: datetime) -> bool:
    if value.utc is not None:
        return value.utc > limit
    return value.local > limit.date()  # type: ignore[operator]


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
