"""Reading a server's Retry-After header."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.middlewares.retry import retry_after_seconds

NOW = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)


def test_a_number_of_seconds():
    assert retry_after_seconds(" 120 ", NOW) == 120


def test_an_http_date():
    assert retry_after_seconds("Tue, 24 Nov 2026 12:00:30 GMT", NOW) == 30


def test_a_date_already_past_means_now():
    assert retry_after_seconds("Tue, 24 Nov 2026 11:00:00 GMT", NOW) == 0


def test_anything_else_is_not_a_wait():
    assert retry_after_seconds("soon", NOW) is None


def test_zero_seconds_means_now():
    assert retry_after_seconds("0", NOW) == 0


def test_a_negative_number_is_not_a_wait():
    assert retry_after_seconds("-30", NOW) is None


def test_an_http_date_without_a_zone_is_read_as_utc():
    assert retry_after_seconds("Tue, 24 Nov 2026 12:01:00 -0000", NOW) == 60


def test_an_empty_header_is_not_a_wait():
    assert retry_after_seconds("", NOW) is None
