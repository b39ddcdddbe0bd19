"""Which entries a run looks at: `-a since=` or the profile's window, counted from the last run."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from crawler.discovery.window import EVERYTHING, SinceError, is_old, parse_since, window_start
from crawler.sites.profile import Discovery
from crawler.spiders.arguments import RelatedArguments

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
TWO_DAYS = Discovery(listings=("/news",), max_age_days=2)


def test_since_takes_a_date_in_utc():
    assert parse_since("2026-11-01") == datetime(2026, 11, 1, tzinfo=UTC)


def test_since_takes_an_iso_datetime_with_its_offset():
    assert parse_since("2026-11-01T03:30:00+03:30") == datetime(2026, 11, 1, tzinfo=UTC)


def test_since_all_means_no_window():
    assert parse_since("all") is EVERYTHING
    assert not is_old(date(1990, 1, 1), EVERYTHING)


def test_a_since_that_is_not_a_date_stops_the_crawl_before_it_starts():
    with pytest.raises(SinceError, match="'last week' is not a date"):
        RelatedArguments(start="latest", since="last week").resolve()


def test_without_since_the_window_is_the_profiles_before_now_on_a_first_run():
    assert window_start(None, TWO_DAYS, None, NOW) == NOW - timedelta(days=2)


def test_after_days_without_a_run_the_window_reaches_back_to_the_last_run():
    last = NOW - timedelta(days=7)
    assert window_start(None, TWO_DAYS, last, NOW) == last - timedelta(days=2)


def test_since_overrides_the_window():
    since = datetime(2026, 1, 1, tzinfo=UTC)
    assert window_start(since, TWO_DAYS, NOW - timedelta(hours=1), NOW) == since


def test_an_entry_is_old_when_dated_before_the_window():
    start = datetime(2026, 11, 28, 12, tzinfo=UTC)
    assert is_old(datetime(2026, 11, 28, 11, 59, tzinfo=UTC), start)
    assert not is_old(datetime(2026, 11, 28, 12, tzinfo=UTC), start)


def test_a_bare_date_is_old_only_when_its_whole_day_is():
    start = datetime(2026, 11, 28, 12, tzinfo=UTC)
    assert not is_old(date(2026, 11, 28), start)
    assert is_old(date(2026, 11, 27), start)


def test_an_undated_entry_is_never_old():
    assert not is_old(None, NOW)
