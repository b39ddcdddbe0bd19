"""The limit of new articles a run (crawler.plan.article_admission), where it decides."""

from __future__ import annotations

import asyncio

import pytest

from crawler.plan.article_admission import Admission, ArticleLimit

ARCHIVED = {"100"}


def test_fetches_go_out_while_the_undecided_ones_could_not_make_the_limit():
    limit = ArticleLimit(2, ARCHIVED)

    assert [limit.admit(i) for i in ("1", "2", "3")] == [Admission.GO, Admission.GO, Admission.WAIT]


def test_a_fetch_that_gives_no_new_article_makes_room_for_the_next():
    limit = ArticleLimit(2, ARCHIVED)
    limit.admit("1"), limit.admit("2")

    limit.decided("1", new=False)

    assert limit.admit("3") is Admission.GO


def test_once_the_limit_is_reached_nothing_that_could_be_new_goes_out():
    limit = ArticleLimit(2, ARCHIVED)
    limit.admit("1"), limit.admit("2")
    limit.decided("1", new=True)
    limit.decided("2", new=True)

    assert limit.reached
    assert limit.admit("3") is Admission.REACHED
    assert limit.held == 1


def test_revisits_of_archived_articles_are_never_held():
    limit = ArticleLimit(1, ARCHIVED)
    limit.admit("1")
    limit.decided("1", new=True)

    assert limit.admit("100") is Admission.GO


def test_a_redirect_or_a_retry_of_a_fetch_let_through_goes_on_whatever_the_limit():
    limit = ArticleLimit(1, ARCHIVED)
    limit.admit("1")

    assert limit.admit("1") is Admission.GO  # the same fetch, redirected or retried


def test_a_waiting_fetch_is_woken_when_one_is_decided():
    async def scenario() -> Admission:
        limit = ArticleLimit(1, ARCHIVED)
        limit.admit("1")
        waiting = asyncio.ensure_future(limit.wait())
        await asyncio.sleep(0)
        limit.decided("1", new=False)
        await waiting
        return limit.admit("2")

    assert asyncio.run(scenario()) is Admission.GO


@pytest.mark.parametrize("limit", [0, -1])
def test_a_limit_below_one_is_refused(limit):
    with pytest.raises(ValueError, match="must be 1 or more"):
        ArticleLimit(limit, ARCHIVED)


def test_a_run_stopped_for_another_reason_lets_no_more_out_and_wakes_those_waiting():
    async def scenario() -> tuple[Admission, Admission]:
        limit = ArticleLimit(1, ARCHIVED)
        limit.admit("1")
        waiting = asyncio.ensure_future(limit.wait())
        await asyncio.sleep(0)
        limit.stop()  # the outcome of "1" will never come
        await waiting
        return limit.admit("2"), limit.admit("1")

    assert asyncio.run(scenario()) == (Admission.REACHED, Admission.GO)
