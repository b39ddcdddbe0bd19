"""The run (`ArchiveRun`) in this process: the profile, the lock, the counts, the row.

A crawler built as `scrapy crawl related` builds one (tests/inprocess.py),
with no engine: the run's methods are called as the spider, the pipeline and
Scrapy's signals call them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from crawler.archive.store import SaveOutcome
from crawler.extensions.archive_run import RunRefused
from crawler.items import Article
from tests import archive_db
from tests.inprocess import archive_run, archiving_crawler

if TYPE_CHECKING:
    from collections.abc import Iterator

    from scrapy.crawler import Crawler

BASE_URL = "http://127.0.0.1:8765"
SEED_ID = "1851093"


@pytest.fixture
def crawler(database_url: str) -> Iterator[Crawler]:
    crawler = archiving_crawler(database_url, start=SEED_ID, base_url=BASE_URL)
    yield crawler
    archive_run(crawler).release()


def stored(article_id: str) -> SaveOutcome:
    article = Article(
        "alalam_en", article_id, f"{BASE_URL}/news/{article_id}", "en", "Talks", "article",
        None, None, None, "Talks resumed.",
    )  # fmt: skip
    return SaveOutcome("alalam_en", article_id, "new", article, None, ["no_date"])


def dropped(article_id: str, reason: str) -> SaveOutcome:
    return SaveOutcome("alalam_en", article_id, "dropped", None, reason, [])  # type: ignore[arg-type]


def failed(article_id: str, reason: str) -> SaveOutcome:
    return SaveOutcome("alalam_en", article_id, "failed", None, None, [], "e", reason)  # type: ignore[arg-type]


def test_the_run_holds_the_profile_its_spider_resolved(crawler):
    run = archive_run(crawler)

    assert run.profile is not None and run.profile.name == "alalam_en"
    assert run.site == "alalam_en"


def test_a_second_run_of_the_site_is_refused_while_the_first_holds_its_lock(crawler, database_url):
    with pytest.raises(RunRefused) as refused:
        archiving_crawler(database_url, start=SEED_ID, base_url=BASE_URL)

    assert refused.value.locked
    assert str(refused.value).startswith("another crawl of alalam_en is archiving into ")


def test_outcomes_are_counted_by_the_run_and_scrapys_stats_are_a_view_of_the_counts(crawler):
    run = archive_run(crawler)

    for outcome in (stored("1"), dropped("2", "no_title"), failed("3", "http_404")):
        run.record(outcome)
    run.publish()

    assert (run.counts.pages_fetched, run.counts.dropped, run.counts.http_errors) == (
        2,
        {"no_title": 1},
        {"http_404": 1},
    )
    stats = crawler.stats.get_stats()
    assert {key: stats.get(key) for key in run.counts.stats()} == run.counts.stats()
    assert (stats["archive/pages"], stats["archive/dropped/no_title"]) == (2, 1)
    assert stats["archive/failed/http_404"] == 1
    assert stats["archive/warnings/no_date"] == 1


def test_the_runs_row_opens_with_the_spider_and_closes_with_its_counts_and_summary(
    crawler, database_url
):
    run = archive_run(crawler)
    run.spider_opened(crawler.spider)
    [opened] = archive_db.runs(database_url)
    assert (opened.id, opened.status, opened.site) == (run.run_id, "running", "alalam_en")

    run.record(stored("1"))
    run.record(dropped("2", "no_title"))
    run.spider_closed(crawler.spider, "finished")

    [closed] = archive_db.runs(database_url)
    assert (closed.status, closed.finish_reason) == ("finished", "finished")
    assert (closed.new_articles, closed.dropped) == (1, {"no_title": 1})
    assert run.summary is not None
    assert run.summary.startswith(f"Run {run.run_id} finished in ")
    assert "2 pages archived, 1 new," in run.summary and "1 dropped" in run.summary


def test_a_run_that_fetched_pages_and_archived_no_article_closes_degraded(crawler, database_url):
    run = archive_run(crawler)
    run.spider_opened(crawler.spider)
    run.record(dropped("2", "no_title"))

    run.spider_closed(crawler.spider, "finished")

    [closed] = archive_db.runs(database_url)
    assert (closed.status, closed.message) == (
        "degraded",
        "1 pages fetched and not one article archived",
    )


@pytest.mark.parametrize(
    ("reason", "status", "message"),
    [
        ("closespider_itemcount", "finished", None),
        ("max_articles", "finished", None),
        ("shutdown", "interrupted", "stopped by a signal"),
        (
            "shutdown_forced",
            "interrupted",
            "stopped by a second signal: pages in flight were not stored",
        ),
        ("cancelled", "failed", "cancelled"),
    ],
)
def test_the_reason_the_spider_closed_with_gives_the_runs_status(crawler, reason, status, message):
    assert archive_run(crawler)._status(reason) == (status, message)


def test_an_error_the_run_was_stopped_with_fails_it_whatever_the_close_reason(crawler):
    run = archive_run(crawler)
    run.error = "the archive could not store a batch"

    assert run._status("finished") == ("failed", "finished: the archive could not store a batch")
