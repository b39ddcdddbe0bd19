"""One scheduled run per archive and site: the lock, on both databases."""

from __future__ import annotations

import pytest

from crawler.archive.database import create_archive_engine
from crawler.archive.lock import LockedError, SiteLock
from crawler.archive.migrate import ensure_current


@pytest.fixture
def engine(database_url):
    ensure_current(database_url)
    engine = create_archive_engine(database_url)
    yield engine
    engine.dispose()


def test_a_held_lock_refuses_a_second_holder(engine):
    first = SiteLock(engine, "alalam_en")
    try:
        with pytest.raises(LockedError):
            SiteLock(engine, "alalam_en")
    finally:
        first.release()


def test_a_released_lock_can_be_taken_again(engine):
    SiteLock(engine, "alalam_en").release()

    SiteLock(engine, "alalam_en").release()


def test_locks_of_different_sites_are_independent(engine):
    first = SiteLock(engine, "alalam_en")
    try:
        SiteLock(engine, "another_site").release()
    finally:
        first.release()
