"""The retry middleware's waits, decided where they are decided: a clock the test holds.

The crawls in test_server_faults.py show the waits happen; these say how long
each one is, which a loaded machine's wall clock cannot.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.middlewares.retry import BackoffRetryMiddleware

NOW = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)
URL = "http://127.0.0.1/news/1"


class Waits:
    """A clock that records the waits asked of it and lets no time pass."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)


def middleware(jitter: float = 1.0, **settings: object) -> tuple[BackoffRetryMiddleware, Waits]:
    crawler = get_crawler(
        Spider,
        {
            "ARCHIVE_RETRY_BACKOFF": 0.2,
            "ARCHIVE_RETRY_BACKOFF_MAX": 30,
            "RETRY_TIMES": 3,
            **settings,
        },
    )
    crawler.spider = crawler._create_spider("retrying")
    retry = BackoffRetryMiddleware.from_crawler(crawler)
    waits = Waits()
    retry.sleep = waits
    retry.now = lambda: NOW
    retry.jitter = lambda: jitter
    return retry, waits


def reply(status: int, **headers: str) -> HtmlResponse:
    return HtmlResponse(URL, status=status, headers=headers, body=b"<html></html>")


def answer_until_given_up(retry: BackoffRetryMiddleware, response: HtmlResponse) -> list[Request]:
    """Answer every retry with the same response; the retried requests, in order."""
    retried: list[Request] = []
    request = Request(URL)
    while True:
        outcome = asyncio.run(retry.process_response(request, response))
        if not isinstance(outcome, Request):
            return retried
        retried.append(outcome)
        request = outcome


@pytest.mark.parametrize("jitter", [0.5, 0.75, 1.0])
def test_each_wait_before_a_500_is_retried_is_at_least_the_one_before(jitter):
    retry, waits = middleware(jitter=jitter)

    retried = answer_until_given_up(retry, reply(500))

    assert len(retried) == 3
    assert waits.asked == sorted(waits.asked)
    assert waits.asked[0] == pytest.approx(0.2 * jitter)


def test_the_back_off_doubles_with_each_attempt_up_to_its_cap():
    retry, waits = middleware(RETRY_TIMES=6, ARCHIVE_RETRY_BACKOFF_MAX=2)

    answer_until_given_up(retry, reply(500))

    assert waits.asked == pytest.approx([0.2, 0.4, 0.8, 1.6, 2, 2])


def test_the_jitter_never_shortens_a_wait_below_half_the_back_off():
    retry, _ = middleware()
    retry.jitter = BackoffRetryMiddleware(retry.crawler.settings).jitter

    assert all(0.1 <= retry._backoff(Request(URL)) <= 0.2 for _ in range(1000))


def test_a_retry_after_in_seconds_on_a_503_is_the_wait():
    retry, waits = middleware()

    retried = asyncio.run(retry.process_response(Request(URL), reply(503, **{"Retry-After": "7"})))

    assert isinstance(retried, Request)
    assert waits.asked == [7]


def test_a_retry_after_as_an_http_date_on_a_429_waits_until_that_time():
    retry, waits = middleware()
    later = reply(429, **{"Retry-After": "Tue, 24 Nov 2026 12:00:06 GMT"})

    retried = asyncio.run(retry.process_response(Request(URL), later))

    assert isinstance(retried, Request)
    assert waits.asked == [6]


def test_a_retry_after_on_a_500_is_not_a_wait_the_server_may_ask_for():
    retry, waits = middleware()

    asyncio.run(retry.process_response(Request(URL), reply(500, **{"Retry-After": "20"})))

    assert waits.asked == [0.2]


def test_a_retry_after_beyond_the_cap_is_not_waited_for_in_this_run():
    retry, waits = middleware(ARCHIVE_RETRY_BACKOFF_MAX=30)
    response = reply(503, **{"Retry-After": "3600"})

    outcome = asyncio.run(retry.process_response(Request(URL), response))

    assert outcome is response
    assert waits.asked == []
    assert retry.crawler.stats.get_value("retry/retry_after_too_long") == 1


def test_no_wait_once_the_retries_are_spent():
    retry, waits = middleware(RETRY_TIMES=0)
    response = reply(500)

    assert asyncio.run(retry.process_response(Request(URL), response)) is response
    assert waits.asked == []
