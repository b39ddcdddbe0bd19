"""Searches are bounded: pathological queries are refused in one line, and a PostgreSQL search
stops by itself once it has run for its timeout, whether or not its client is still there."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

import psycopg
import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from crawler.archive.database import create_archive_engine
from crawler.archive.migrate import ensure_current
from crawler.archive.search import SearchFilters, SearchTimeout
from crawler.archive.search_query import MAX_TERMS, QueryError, parse_query
from crawler.archive.store import ArchiveStore
from crawler.cli import cli
from crawler.sites import get_profile
from tests.conftest import ROOT
from tests.test_cli import archive_seed

if TYPE_CHECKING:
    from collections.abc import Iterator


def test_a_100_kb_query_is_refused_saying_why():
    with pytest.raises(QueryError, match=r"the query is 102,400 characters long; at most 2,000"):
        parse_query("Hamedan " * 12_800)


def test_a_query_of_hundreds_of_terms_is_refused_saying_why():
    with pytest.raises(QueryError, match=r"the query has 300 words and phrases; at most 50"):
        parse_query(" ".join(f"t{n}" for n in range(300)))


def test_a_query_of_many_terms_within_the_bound_is_searched():
    query = parse_query(" OR ".join(f"word{n}" for n in range(MAX_TERMS)))

    assert len(query.alternatives) == MAX_TERMS


def test_the_cli_refuses_a_huge_query_in_one_line(sqlite_url):
    ensure_current(sqlite_url)

    done = CliRunner().invoke(cli, ["search", "Iran " * 30_000, "--db", sqlite_url])

    assert done.exit_code == 1
    [line] = done.stderr.splitlines()
    assert line.startswith("Error: the query is 150,000 characters long")


@pytest.fixture
def archive(postgresql_url):
    ensure_current(postgresql_url)
    engine = create_archive_engine(postgresql_url, writer=True)
    archive_seed(ArchiveStore(engine), get_profile("alalam_en"))
    yield postgresql_url, ArchiveStore(engine)
    engine.dispose()


def test_a_postgresql_search_stops_at_its_timeout(archive):
    url, store = archive
    # The search waits for the lock: it cannot finish.
    with _articles_locked(url), pytest.raises(SearchTimeout, match=r"longer than 0\.3 s"):
        store.search(parse_query("Hamedan"), SearchFilters(), timeout=0.3)

    assert store.search(parse_query("Hamedan"), SearchFilters())  # the pool's next one is fine


def test_a_postgresql_search_whose_client_is_gone_does_not_run_on(archive):
    url, _ = archive
    with _articles_locked(url) as watcher:
        client = subprocess.Popen(
            [sys.executable, "-m", "crawler", "search", "Hamedan", "--timeout=2", f"--db={url}"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait(lambda: _searches(watcher), "the search never reached the server")
        finally:
            client.send_signal(signal.SIGKILL)
            client.wait(10)
        # The lock is still held, so only the timeout can end the search now.
        _wait(lambda: not _searches(watcher), "the search ran on after its client was gone")


@contextmanager
def _articles_locked(url: str) -> Iterator[psycopg.Connection]:
    """Hold an exclusive lock on `articles` (a search then waits for it); yield a second
    connection to watch the server's activity from."""
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as locker, psycopg.connect(dsn, autocommit=True) as watcher:
        locker.execute("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE")
        yield watcher
        locker.rollback()


def _searches(watcher: psycopg.Connection) -> int:
    """Search statements the server is running in this database."""
    return watcher.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND state = 'active' AND query LIKE '%ts_rank_cd%' AND pid <> pg_backend_pid()"
    ).fetchone()[0]


def _wait(condition, failure: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, failure
        time.sleep(0.1)
