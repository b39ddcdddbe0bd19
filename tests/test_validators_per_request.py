"""A revisit asks with the validators its article has when the request is made.

They are read as each request is downloaded (one indexed query, in
crawler.middlewares.validators), not all at the run's start: a run over an
archive of ten million articles holds none of them in memory, and a capture
stored while the run goes on is the one its next request asks about. An
article that cannot have any (not archived, or a site none of whose captures
has any) costs no query: the query runs on the crawl's event loop. The
spider, its run and the middleware in this process, on both databases.
"""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import event

from crawler.archive.database import create_archive_engine
from crawler.archive.migrate import ensure_current
from crawler.archive.store import ArchiveStore
from crawler.items import HttpExchange
from crawler.middlewares.validators import ValidatorsMiddleware
from localcopy.site import SEED_ID
from tests.conftest import seed_html
from tests.inprocess import archive_run, archiving_crawler
from tests.local_archive import fetched

if TYPE_CHECKING:
    from collections.abc import Iterator

    from scrapy.crawler import Crawler
    from sqlalchemy.engine import Engine

BASE_URL = "http://127.0.0.1:8765"
FIRST_AT = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def store_fetch(url: str, etag: str | None, at: datetime, body: str) -> None:
    """A fetch of the seed page answered with `etag` (None: no validators), stored as the
    crawl stores it."""
    parsed = fetched(SEED_ID, body.encode(), at=at)
    page = parsed.page
    page.exchange = HttpExchange(
        method="GET",
        url=page.final_url,
        request_headers=[("Host", "127.0.0.1:8765")],
        http_version="HTTP/1.1",
        status=200,
        reason="OK",
        response_headers=[("Content-Type", "text/html; charset=utf-8")]
        + ([("ETag", etag)] if etag is not None else []),
        body=page.body,
        fetched_at=page.fetched_at,
    )
    engine = create_archive_engine(url, writer=True)
    ArchiveStore(engine).save([dataclasses.replace(parsed, page=page)])
    engine.dispose()


@pytest.fixture
def crawler(database_url: str) -> Iterator[Crawler]:
    ensure_current(database_url)
    store_fetch(database_url, '"v1"', FIRST_AT, seed_html())
    crawler = archiving_crawler(database_url, start=SEED_ID, base_url=BASE_URL)
    yield crawler
    archive_run(crawler).release()


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL statements `engine` sends to the database meanwhile."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def captures_read(sent: list[str]) -> list[str]:
    return [statement for statement in sent if "FROM captures" in statement]


def downloaded(crawler: Crawler, article_id: str):
    """The spider's request for the article as the downloader sends it."""
    request = crawler.spider.article_request(article_id)
    ValidatorsMiddleware.from_crawler(crawler).process_request(request)
    return request


def test_a_request_asks_with_its_articles_last_accepted_capture_when_it_is_sent(
    crawler, database_url
):
    first = downloaded(crawler, SEED_ID)
    edited = seed_html().replace("Shamkhani", "Shamkhani, edited")
    store_fetch(database_url, '"v2"', FIRST_AT + timedelta(days=1), edited)

    again = downloaded(crawler, SEED_ID)

    assert first.headers.get("If-None-Match") == b'"v1"'
    assert again.headers.get("If-None-Match") == b'"v2"'  # not the one the run began with
    assert again.cb_kwargs["revalidates"] > first.cb_kwargs["revalidates"]
    assert again.meta["handle_httpstatus_list"] == [304]


def test_a_request_made_and_not_yet_sent_asks_nothing_of_the_archive(crawler):
    """A page lists related ids the duplicate filter mostly drops: no query for those."""
    request = crawler.spider.article_request(SEED_ID)

    assert "If-None-Match" not in request.headers
    assert "revalidates" not in request.cb_kwargs


def test_an_article_the_archive_lacks_is_asked_for_without_validators(crawler):
    request = downloaded(crawler, "1700001")

    assert "If-None-Match" not in request.headers
    assert "revalidates" not in request.cb_kwargs


def test_an_article_the_archive_lacks_costs_no_query(crawler):
    run = archive_run(crawler)
    assert run.plan.archived  # read as the run starts (the spider's start reads it)

    with statements(run.engine) as sent:
        downloaded(crawler, "1700001")

    assert sent == []


def test_a_first_crawl_asks_the_archive_nothing_as_it_downloads(database_url):
    ensure_current(database_url)
    crawler = archiving_crawler(database_url, start=SEED_ID, base_url=BASE_URL)
    run = archive_run(crawler)
    try:
        assert not run.plan.archived
        with statements(run.engine) as sent:
            requests = [downloaded(crawler, article_id) for article_id in (SEED_ID, "1700001")]
    finally:
        run.release()

    assert sent == []
    assert all("If-None-Match" not in request.headers for request in requests)


def test_a_full_recrawl_asks_with_the_validators_of_each_archived_article(database_url):
    ensure_current(database_url)
    store_fetch(database_url, '"v1"', FIRST_AT, seed_html())
    crawler = archiving_crawler(
        database_url,
        settings={"ARCHIVE_INCREMENTAL": False},
        start=SEED_ID,
        base_url=BASE_URL,
    )
    try:
        request = downloaded(crawler, SEED_ID)
    finally:
        archive_run(crawler).release()

    assert request.headers.get("If-None-Match") == b'"v1"'


def test_a_full_recrawl_of_a_site_without_validators_asks_the_archive_once(database_url):
    """A site whose server sends no ETag or Last-Modified: no query for each request."""
    ensure_current(database_url)
    store_fetch(database_url, None, FIRST_AT, seed_html())
    crawler = archiving_crawler(
        database_url,
        settings={"ARCHIVE_INCREMENTAL": False},
        start=SEED_ID,
        base_url=BASE_URL,
    )
    run = archive_run(crawler)
    try:
        with statements(run.engine) as sent:
            requests = [downloaded(crawler, article_id) for article_id in (SEED_ID, "1700001")]
    finally:
        run.release()

    assert len(captures_read(sent)) == 1
    assert all("If-None-Match" not in request.headers for request in requests)
