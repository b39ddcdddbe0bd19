"""`news-archive crawl --all`: each site of the archive that is due, with its own run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.plan.due import is_due

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("every", "last_started", "due", "reason"),
    [
        (None, NOW - 30 * HOUR, False, "its profile's [discovery] sets no every"),
        (None, None, False, "its profile's [discovery] sets no every"),
        (HOUR, None, True, "never crawled"),
        (HOUR, NOW - 2 * HOUR, True, "due since 2026-12-02T11:00:00Z (every 1h)"),
        (HOUR, NOW - HOUR, True, "due since 2026-12-02T12:00:00Z (every 1h)"),
        (HOUR, NOW - HOUR + timedelta(seconds=1), False, "not due until 2026-12-02T12:00:01Z"),
        (90 * timedelta(minutes=1), NOW - HOUR, False, "not due until 2026-12-02T12:30:00Z"),
        (timedelta(days=1), NOW - 25 * HOUR, True, "(every 1d)"),
    ],
)
def test_a_site_is_due_once_its_last_run_started_every_ago(every, last_started, due, reason):
    decision = is_due(every, last_started, NOW)

    assert decision.due is due
    assert reason in decision.reason
