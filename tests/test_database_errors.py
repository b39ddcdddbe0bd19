"""Database errors by what they mean: wait for the database, isolate the page, or stop the run.

Real errors from real databases: a PostgreSQL connection terminated by the
server, a database set read-only, a value out of range; an SQLite file
locked by another connection, full (PRAGMA max_page_count), read-only
(PRAGMA query_only).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import event, select, text

from crawler.archive.database import create_archive_engine
from crawler.archive.db_errors import ArchiveUnwritable, ErrorKind, classify
from crawler.archive.isolation import save_isolating
from crawler.archive.migrate import ensure_current
from crawler.archive.models import ArticleRecord, Capture
from crawler.archive.store import ArchiveStore, ParsedPage
from crawler.items import FetchFailure
from tests.conftest import PG_ADMIN_URL
from tests.test_storage import parsed, seed_html


def pages(profile, count: int) -> list[ParsedPage]:
    return [
        parsed(profile, seed_html(), url=f"https://en.alalam.ir/news/{1_900_000 + n}")
        for n in range(count)
    ]


def poisoned(page: ParsedPage) -> ParsedPage:
    """A page whose record skipped the boundary: a number no database column holds."""
    page.result.article.word_count = 10**20  # type: ignore[union-attr]
    return page


def raised(action) -> BaseException:
    try:
        action()
    except Exception as error:
        return error
    raise AssertionError("no error")


def test_a_page_the_database_refuses_is_kept_as_dropped_and_the_rest_of_its_batch_stored(
    store, profile
):
    batch = pages(profile, 7)
    batch[4] = poisoned(batch[4])
    failure = FetchFailure(
        "alalam_en",
        "1",
        "https://en.alalam.ir/news/1",
        503,
        "http_503",
        "HTTP 503",
        "2026-11-24T10:00:00+00:00",
    )

    outcomes = save_isolating(store, batch, [failure], retry_budget=0)

    assert [o.status for o in outcomes] == ["new"] * 4 + ["dropped"] + ["new"] * 2 + ["failed"]
    assert outcomes[4].drop_reason.startswith("store_error: ")
    with store.engine.connect() as conn:
        stored = set(conn.execute(select(ArticleRecord.article_id)).scalars())
        kept = conn.execute(select(Capture).where(Capture.article_id == "1900004")).one()
    assert stored == {p.page.article_id for p in batch} - {"1900004"}
    assert (kept.outcome, kept.reason) == ("dropped", outcomes[4].drop_reason)
    assert store.failed("alalam_en")[0][:2] == ("1", "http_503")


def test_a_failure_record_the_database_refuses_is_left_out_and_its_batch_stored(
    store, profile, caplog
):
    naive_time = FetchFailure(
        "alalam_en", "1", "https://en.alalam.ir/news/1", 503, "http_503", "HTTP 503", "2026-11-24"
    )

    outcomes = save_isolating(store, pages(profile, 3), [naive_time], retry_budget=0)

    assert [o.status for o in outcomes] == ["new"] * 3 + ["failed"]
    assert store.failed("alalam_en") == []
    assert "alalam_en/1: its failed fetch cannot be recorded" in caplog.text


def test_a_value_out_of_range_is_bad_data_on_both_databases(store, profile):
    error = raised(lambda: store.save([poisoned(pages(profile, 1)[0])]))

    assert classify(error) is ErrorKind.BAD_DATA


def test_a_connection_the_server_ended_is_the_database_away(postgresql_url):
    engine = create_archive_engine(postgresql_url)
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        error = raised(lambda: conn.execute(text("SELECT 1")))
    engine.dispose()

    assert getattr(error.orig, "sqlstate", None) in (None, "57P01")
    assert classify(error) is ErrorKind.AWAY


def test_a_read_only_postgresql_stops_the_run_saying_what_to_do(postgresql_url, profile):
    ensure_current(postgresql_url)
    name = postgresql_url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    store = ArchiveStore(create_archive_engine(postgresql_url, writer=True))

    with pytest.raises(ArchiveUnwritable) as stopped:
        save_isolating(store, pages(profile, 3), retry_budget=5)
    store.engine.dispose()

    assert "cannot take writes: it is read-only" in str(stopped.value)
    assert "make it writable" in str(stopped.value)
    assert "\n" not in str(stopped.value)


def sqlite_store(url: str, pragma: str) -> ArchiveStore:
    ensure_current(url)
    engine = create_archive_engine(url, writer=True)
    event.listen(engine, "connect", lambda connection, _: connection.execute(pragma))
    return ArchiveStore(engine)


def test_a_full_sqlite_disk_stops_the_run_saying_what_to_do(sqlite_url, profile):
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    ensure_current(sqlite_url)
    size = path.stat().st_size // 4096
    store = sqlite_store(sqlite_url, f"PRAGMA max_page_count = {size + 2}")

    with pytest.raises(ArchiveUnwritable) as stopped:
        save_isolating(store, pages(profile, 20), retry_budget=5)
    store.engine.dispose()

    assert "cannot take writes: its disk is full" in str(stopped.value)
    assert "free space" in str(stopped.value)


def test_a_read_only_sqlite_file_stops_the_run(sqlite_url, profile):
    store = sqlite_store(sqlite_url, "PRAGMA query_only = ON")

    with pytest.raises(ArchiveUnwritable) as stopped:
        save_isolating(store, pages(profile, 2), retry_budget=5)
    store.engine.dispose()

    assert "cannot take writes: it is read-only" in str(stopped.value)


def test_an_sqlite_file_locked_by_another_process_is_the_database_away(sqlite_url, profile):
    ensure_current(sqlite_url)
    holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    store = ArchiveStore(create_archive_engine(sqlite_url, writer=True, busy_timeout=0.1))
    try:
        error = raised(lambda: store.save(pages(profile, 1)))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        store.engine.dispose()

    assert error.orig.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
    assert classify(error) is ErrorKind.AWAY
