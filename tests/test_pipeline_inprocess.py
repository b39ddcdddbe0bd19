"""The archive pipeline in this process: pages in and let go, records as stored back, all counted.

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
def crawler_with(database_url: str) -> Iterator[Callable[..., Crawler]]:
    """Build an archiving crawler with these settings (``-s``); its run released after."""
    built: list[Crawler] = []

    def build(**settings: object) -> Crawler:
        crawler = archiving_crawler(
            database_url, settings=settings, start=SEED_ID, base_url=BASE_URL
        )
        built.append(crawler)
        return crawler

    yield build
    for crawler in built:
        archive_run(crawler).release()


@pytest.fixture
def crawler(crawler_with: Callable[..., Crawler]) -> Crawler:
    return crawler_with()


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


def records_archived(crawler: Crawler) -> list[Article]:
    """What the pipeline sends as `record_archived`, as feeds receive it, from now on."""
    records: list[Article] = []
    crawler.signals.connect(
        lambda item, spider: records.append(item), signals.record_archived, weak=False
    )
    return records


def test_a_fetched_page_is_handed_over_and_its_record_as_stored_comes_back_counted(
    crawler, database_url
):
    page = seed_page()
    records = records_archived(crawler)

    handed = through_the_pipeline(crawler, lambda pipeline: pipeline.process_item(page))

    expected = seed_expected()
    assert handed is page
    [article] = records
    assert (article.article_id, article.title, article.version) == (SEED_ID, expected["title"], 1)
    assert article.first_seen_at is not None
    assert archive_db.archived_ids(database_url) == {SEED_ID}
    assert crawler.stats.get_value("archive/new") == 1
    assert archive_run(crawler).counts.new_articles == 1


def test_the_pipeline_lets_a_page_go_before_its_batch_is_stored(crawler_with, database_url):
    """A one-way sink: the page's batch waits for its hour; the pipeline does not."""
    crawler = crawler_with(ARCHIVE_BATCH_SECONDS=3600)

    async def feed(pipeline: ArchivePipeline) -> set[str]:
        await asyncio.wait_for(pipeline.process_item(seed_page()), timeout=30)
        return archive_db.archived_ids(database_url)

    stored_when_let_go = through_the_pipeline(crawler, feed)

    assert stored_when_let_go == set()
    assert archive_db.archived_ids(database_url) == {SEED_ID}  # stored when the pipeline closed


def test_a_page_waits_for_room_while_the_writer_holds_its_most(crawler_with, database_url):
    crawler = crawler_with(ARCHIVE_BATCH_SECONDS=3600, ARCHIVE_MAX_WAITING=1)

    async def feed(pipeline: ArchivePipeline) -> bool:
        await asyncio.wait_for(pipeline.process_item(seed_page("1851001")), timeout=30)
        second = asyncio.ensure_future(pipeline.process_item(seed_page("1851002")))
        await asyncio.sleep(0.2)  # the second has no room until a batch is stored
        waited = not second.done()
        assert pipeline.writer is not None
        pipeline.writer.flush()
        await asyncio.wait_for(second, timeout=60)  # let go once a batch is stored
        return waited

    assert through_the_pipeline(crawler, feed) is True
    assert archive_db.archived_ids(database_url) == {"1851001", "1851002"}


def test_a_page_the_parser_rejects_is_logged_with_its_reason_and_its_capture_kept(
    crawler, database_url, caplog
):
    empty = seed_page()
    empty.body = b"<html><body></body></html>"
    records = records_archived(crawler)

    through_the_pipeline(crawler, lambda pipeline: pipeline.process_item(empty))

    [reason] = archive_run(crawler).counts.dropped
    assert archive_run(crawler).counts.dropped == {reason: 1}
    assert f"alalam_en/{SEED_ID} gave no record: {reason}" in caplog.text
    assert records == []
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
