"""The revisit schedule: fetches thin out with age and stop when an article is old."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crawler.plan.revisits import RevisitPolicy, parse_duration

HOUR = timedelta(hours=1)
POLICY = RevisitPolicy(
    intervals=(HOUR, 6 * HOUR, 24 * HOUR, 72 * HOUR),
    max_age=timedelta(days=14),
    not_found_retry=timedelta(days=7),
)
PUBLISHED = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def next_visit(fetch_count: int, fetched_at: datetime, published_at: datetime | None = PUBLISHED):
    return POLICY.next_visit(
        fetched_at=fetched_at,
        fetch_count=fetch_count,
        first_seen_at=PUBLISHED,
        published_at=published_at,
    )


@pytest.mark.parametrize(
    ("fetch_count", "wait"),
    [(1, HOUR), (2, 6 * HOUR), (3, 24 * HOUR), (4, 72 * HOUR), (9, 72 * HOUR)],
)
def test_each_fetch_waits_longer_than_the_one_before_until_the_last_interval(fetch_count, wait):
    assert next_visit(fetch_count, PUBLISHED) == PUBLISHED + wait


def test_an_article_older_than_the_maximum_age_is_never_revisited():
    assert next_visit(5, PUBLISHED + timedelta(days=13)) is None


def test_age_counts_from_publication_so_a_backfilled_old_article_is_left_alone():
    old = datetime(2016, 8, 16, tzinfo=UTC)

    assert next_visit(1, datetime(2026, 11, 24, tzinfo=UTC), published_at=old) is None


def test_an_article_without_a_date_ages_from_when_it_was_first_seen():
    assert next_visit(1, PUBLISHED, published_at=None) == PUBLISHED + HOUR


def test_due_means_its_next_visit_has_come():
    article = {
        "fetched_at": PUBLISHED,
        "fetch_count": 1,
        "first_seen_at": PUBLISHED,
        "published_at": PUBLISHED,
    }

    assert not POLICY.is_due(PUBLISHED + 30 * timedelta(minutes=1), **article)
    assert POLICY.is_due(PUBLISHED + HOUR, **article)


def test_a_page_gone_waits_for_its_retry_passing_trouble_does_not():
    failed, week = PUBLISHED, timedelta(days=7)

    for reason in ("http_404", "http_410", "not_html", "too_large", "redirect_loop"):
        assert not POLICY.retry_failure(reason=reason, last_failed_at=failed, now=failed + week / 2)
        assert POLICY.retry_failure(reason=reason, last_failed_at=failed, now=failed + week)
    # 401 and 403 too: a site that blocks the crawler has not removed its pages.
    for reason in ("http_503", "http_429", "http_403", "http_401", "timeout", "connection"):
        assert POLICY.retry_failure(reason=reason, last_failed_at=failed, now=failed)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", 30 * timedelta(minutes=1)),
        ("6h", 6 * HOUR),
        ("1.5d", timedelta(hours=36)),
    ],
)
def test_durations_are_written_with_a_unit(text, value):
    assert parse_duration(text) == value


def test_a_duration_without_a_unit_is_refused():
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration("6")
