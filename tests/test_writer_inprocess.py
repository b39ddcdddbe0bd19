"""The archive writer in this process: batches out to its worker, outcomes back.

No crawl: pages are handed to `ArchiveWriter` as the pipeline hands them, on
an event loop of the test's own, and the worker process stores them in a real
database. Batches are cut by size or by `close` (the timer is an hour, so
that no test waits on the clock).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from crawler.archive.migrate import ensure_current
from crawler.archive.writer import ArchiveWriter
from crawler.items import FetchFailure
from tests import archive_db
from tests.conftest import SEED_URL
from tests.inprocess import SEED_ID, seed_page

AN_HOUR = 3600.0


def writer(url: str, *, batch_size: int = 100, max_waiting: int = 1000) -> ArchiveWriter:
    ensure_current(url)
    return ArchiveWriter(url, batch_size, AN_HOUR, 5.0, [], max_waiting)


def test_a_full_batch_is_stored_at_once_and_each_page_gets_the_record_as_stored(database_url):
    async def scenario() -> list:
        archive = writer(database_url, batch_size=2)
        await archive.start()
        try:
            first, second = archive.submit(seed_page()), archive.submit(seed_page("1851094"))
            return await asyncio.gather(first, second)
        finally:
            await archive.close()

    outcomes = asyncio.run(scenario())

    assert [(o.article_id, o.status) for o in outcomes] == [("1851093", "new"), ("1851094", "new")]
    assert all(o.article is not None and o.article.version == 1 for o in outcomes)
    assert archive_db.archived_ids(database_url) == {"1851093", "1851094"}


def test_a_batch_not_yet_full_waits_and_close_stores_it(sqlite_url):
    async def scenario() -> tuple[bool, str]:
        archive = writer(sqlite_url)
        await archive.start()
        outcome = archive.submit(seed_page())
        await asyncio.sleep(0)
        waited = not outcome.done() and archive.waiting == 1
        await archive.close()
        return waited, (await outcome).status

    waited, status = asyncio.run(scenario())

    assert waited
    assert status == "new"
    assert archive_db.archived_ids(sqlite_url) == {SEED_ID}


def test_a_failed_fetch_travels_in_the_same_batches_and_is_recorded(sqlite_url):
    failure = FetchFailure(
        "alalam_en", "1851094", SEED_URL, 503, "http_503", "HTTP 503", datetime.now(UTC).isoformat()
    )

    async def scenario() -> list:
        archive = writer(sqlite_url, batch_size=2)
        await archive.start()
        try:
            return await asyncio.gather(archive.submit(seed_page()), archive.submit(failure))
        finally:
            await archive.close()

    page, failed = asyncio.run(scenario())

    assert (page.status, failed.status, failed.reason) == ("new", "failed", "http_503")
    assert set(archive_db.failures(sqlite_url)) == {"1851094"}


def test_room_holds_the_crawl_while_max_waiting_pages_wait_to_be_stored(sqlite_url):
    async def scenario() -> tuple[bool, bool]:
        archive = writer(sqlite_url, max_waiting=1)
        await archive.start()
        outcome = archive.submit(seed_page())
        room = asyncio.ensure_future(archive.room())
        await asyncio.sleep(0)
        held = not room.done()
        archive.flush()  # the batch goes; once it is stored, there is room again
        await outcome
        await asyncio.wait_for(room, 60)
        await archive.close()
        return held, room.done()

    held, released = asyncio.run(scenario())

    assert held
    assert released
