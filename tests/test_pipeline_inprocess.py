"""The archive pipeline in this process: pages in, records as stored out, all counted.

A crawler built as `scrapy crawl related` builds one (tests/inprocess.py),
with no engine: the pipeline is opened, fed and closed as Scrapy's scraper
does, on an event loop of the test's own, and its worker process stores
into a real database.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from scrapy.exceptions import DropItem
from sqlalchemy import select

from crawler import signals
from crawler.archive.database import create_archive_engine
from crawler.archive.models import Capture
from crawler.items import Article, FetchFailure
from crawler.pipelines import ArchivePipeline
from tests import archive_db
from tests.conftest import seed_expected
from tests.inprocess import SEED_ID, archive_run, archiving_crawler, looking_crawler, seed_page

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

    from scrapy.crawler import Crawler

BASE_URL = "http://127.0.0.1:8765"


@pytest.fixture
def crawler(database_url: str) -> Iterator[Crawler]:
    crawler = archiving_crawler(database_url, start=SEED_ID, base_url=BASE_URL)
    yield crawler
    archive_run(crawler).release()


def through_the_pipeline(crawler: Crawler, feed: Callable[[ArchivePipeline], Awaitable]):
    """Open the pipeline, `feed` it, close it (which stores what waits); what `feed` gave."""
    pipeline = ArchivePipeline.from_crawler(crawler)

    async def scenario():
        await pipeline.open_spider()
        try:
            return await feed(pipeline)
        finally:
            await pipeline.close_spider()

    return asyncio.run(scenario())


def test_a_fetched_page_comes_out_as_the_record_as_stored_and_is_counted(crawler, database_url):
    article = through_the_pipeline(crawler, lambda pipeline: pipeline.process_item(seed_page()))

    expected = seed_expected()
    assert isinstance(article, Article)
    assert (article.article_id, article.title, article.version) == (SEED_ID, expected["title"], 1)
    assert article.first_seen_at is not None
    assert archive_db.archived_ids(database_url) == {SEED_ID}
    assert crawler.stats.get_value("archive/new") == 1
    assert archive_run(crawler).counts.new_articles == 1


def test_a_page_the_parser_rejects_is_dropped_with_its_reason_and_its_capture_kept(
    crawler, database_url
):
    empty = seed_page()
    empty.body = b"<html><body></body></html>"

    async def feed(pipeline: ArchivePipeline) -> str:
        with pytest.raises(DropItem) as dropped:
            await pipeline.process_item(empty)
        return str(dropped.value)

    message = through_the_pipeline(crawler, feed)

    assert message.startswith(f"{SEED_ID}: ")
    reason = message.removeprefix(f"{SEED_ID}: ")
    assert archive_run(crawler).counts.dropped == {reason: 1}
    engine = create_archive_engine(database_url)
    with engine.connect() as conn:
        kept = conn.execute(select(Capture.article_id, Capture.outcome, Capture.reason)).all()
    engine.dispose()
    assert [tuple(row) for row in kept] == [(SEED_ID, "dropped", reason)]
    assert archive_db.archived_ids(database_url) == set()


def test_what_is_not_a_fetched_page_passes_through_untouched(crawler):
    other = {"not": "a page"}

    assert through_the_pipeline(crawler, lambda pipeline: pipeline.process_item(other)) is other


def test_a_page_the_spider_could_not_fetch_is_recorded_in_the_archives_next_batch(
    crawler, database_url
):
    failure = FetchFailure(
        "alalam_en",
        "1851094",
        f"{BASE_URL}/news/1851094",
        503,
        "http_503",
        "HTTP 503 Service Unavailable",
        datetime.now(UTC).isoformat(),
    )

    async def feed(pipeline: ArchivePipeline) -> None:
        crawler.signals.send_catch_log(signals.fetch_failed, failure=failure)

    through_the_pipeline(crawler, feed)

    [recorded] = archive_db.failures(database_url).values()
    assert (recorded.article_id, recorded.http_status, recorded.reason) == (
        "1851094",
        503,
        "http_503",
    )
    assert archive_run(crawler).counts.http_errors == {"http_503": 1}
    assert crawler.stats.get_value("archive/failed/http_503") == 1


def test_the_pipeline_needs_the_run_it_counts_into():
    with pytest.raises(RuntimeError, match="ArchivePipeline needs the ArchiveRun extension"):
        ArchivePipeline.from_crawler(looking_crawler())
