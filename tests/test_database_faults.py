"""Failing databases: the store waits and retries, or the run fails loudly; nothing is lost.

A database that is away (PostgreSQL restarted, SQLite locked) is waited for;
a restart is a TCP proxy of the test's own killed and restarted, never the
server other tests share;
one that takes no writes (PostgreSQL read-only, SQLite's disk full) stops the
run at once with a line saying what to do. Every page fetched is stored by
this run or fetched again by the next: each test ends by comparing the
archive with the local copy's whole site.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import psycopg

from crawler.archive.migrate import ensure_current
from localcopy.server import ServerThread
from localcopy.site import SEED_ID, LocalSite
from tests import archive_db
from tests.conftest import PG_ADMIN_URL, crawl, start_crawl
from tests.tcp_proxy import TcpProxy

SLOWLY = ("CONCURRENT_REQUESTS_PER_DOMAIN=4",)


def wait_until_archived(url: str, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if len(archive_db.archived_ids(url)) >= count:
                return
        except Exception:  # the schema is not there yet, or the database is away
            pass
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} articles archived after {timeout} s")


def hold_sqlite_write_lock(url: str, seconds: float) -> threading.Thread:
    """Another process's write transaction on the archive, held for `seconds`."""
    path = Path(url.removeprefix("sqlite:///"))
    ready = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(path, isolation_level=None, timeout=60)
        connection.execute("BEGIN IMMEDIATE")
        ready.set()
        time.sleep(seconds)
        connection.execute("COMMIT")
        connection.close()

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    ready.wait(30)
    return holder


def test_postgresql_restarted_mid_crawl_loses_nothing(postgresql_url):
    site = LocalSite(pages=300)
    site.delay = 0.02
    with ServerThread(site) as base_url, TcpProxy.in_front_of(postgresql_url) as proxy:
        process = start_crawl(
            proxy.url(postgresql_url), start=SEED_ID, base_url=base_url, settings=SLOWLY
        )
        wait_until_archived(postgresql_url, 30)
        # As a restart does: every session ends, new ones are refused for a while,
        # here until the crawl has tried one (it must, to close its run at least).
        proxy.kill()
        proxy.wait_for_a_dropped_session(timeout=60)
        proxy.restart()
        output, _ = process.communicate(timeout=300)
        # Either the store rode the restart out, or the run failed loudly.
        assert (process.returncode, "trying again" in output) in (
            (0, True),
            (0, False),
            (1, True),
        ), output
        waited = "trying again" in output
        print(f"crawl across the restart: exit {process.returncode}, waited: {waited}")

        site.delay = 0
        again = crawl(postgresql_url, start=SEED_ID, base_url=base_url)

    assert again.returncode == 0, again.log
    assert archive_db.archived_ids(postgresql_url) == site.reachable()


def test_a_sqlite_archive_locked_for_a_while_makes_the_store_wait(sqlite_url):
    site = LocalSite(pages=200)
    site.delay = 0.02
    with ServerThread(site) as base_url:
        process = start_crawl(sqlite_url, start=SEED_ID, base_url=base_url, settings=SLOWLY)
        wait_until_archived(sqlite_url, 20)
        hold_sqlite_write_lock(sqlite_url, seconds=8).join()
        output, _ = process.communicate(timeout=300)

    assert process.returncode == 0, output
    assert "trying again" in output
    assert archive_db.archived_ids(sqlite_url) == site.reachable()


def test_a_sqlite_archive_locked_too_long_fails_the_run_loudly_and_the_next_run_completes(
    sqlite_url,
):
    site = LocalSite(pages=200)
    site.delay = 0.02
    with ServerThread(site) as base_url:
        process = start_crawl(
            sqlite_url,
            start=SEED_ID,
            base_url=base_url,
            settings=(*SLOWLY, "ARCHIVE_DB_RETRY_SECONDS=2"),
        )
        wait_until_archived(sqlite_url, 20)
        holder = hold_sqlite_write_lock(sqlite_url, seconds=15)
        output, _ = process.communicate(timeout=300)
        holder.join()

        assert process.returncode == 1, output
        assert "The archive could not store a batch, stopping the crawl" in output
        assert archive_db.runs(sqlite_url)[-1].status == "failed"

        site.delay = 0
        again = crawl(sqlite_url, start=SEED_ID, base_url=base_url)

    assert again.returncode == 0, again.log
    assert archive_db.archived_ids(sqlite_url) == site.reachable()


def test_a_postgresql_turned_read_only_mid_crawl_stops_the_run_at_once_saying_what_to_do(
    postgresql_url,
):
    site = LocalSite(pages=120)
    site.delay = 0.02
    name = postgresql_url.rsplit("/", 1)[1]
    with ServerThread(site) as base_url:
        process = start_crawl(postgresql_url, start=SEED_ID, base_url=base_url, settings=SLOWLY)
        wait_until_archived(postgresql_url, 20)
        # As a failover to a standby does: the sessions end, new ones are read-only.
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
        output, _ = process.communicate(timeout=300)

        assert process.returncode == 1, output
        summary = output.strip().splitlines()[-1]
        assert summary.startswith("Run ") and " failed " in summary, summary
        assert "cannot take writes: it is read-only" in summary
        assert "make it writable" in summary
        assert "Traceback" not in output

        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
        # The run's row cannot be closed on a database that takes no writes: it stays
        # running until the next run takes over and marks it interrupted.
        site.delay = 0
        again = crawl(postgresql_url, start=SEED_ID, base_url=base_url)

    assert again.returncode == 0, again.log
    assert archive_db.archived_ids(postgresql_url) == site.reachable()


def test_a_full_disk_stops_an_sqlite_run_at_once_and_its_row_says_what_to_do(small_disk):
    url = f"sqlite:///{small_disk / 'archive.sqlite3'}"
    ensure_current(url)
    filler = small_disk / "filler"
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler.write_bytes(bytes(free - 400_000))  # room for a few batches, not for the site
    site = LocalSite(pages=150)
    with ServerThread(site) as base_url:
        full = crawl(url, start=SEED_ID, base_url=base_url)

        assert full.returncode == 1, full.log
        message = "the archive database cannot take writes: its disk is full"
        assert message in full.stdout and "free space" in full.stdout
        assert "Traceback" not in full.log
        [run] = archive_db.runs(url)
        assert run.status == "failed" and message in run.message

        filler.unlink()
        again = crawl(url, start=SEED_ID, base_url=base_url)

    assert again.returncode == 0, again.log
    assert archive_db.archived_ids(url) == site.reachable()
