"""Migration 0013: PostgreSQL keeps each article's search vector in its row.

Ranking reads the vector of every match; one kept out of line (in TOAST) costs
a lookup a match, which made Arabic and Persian search twice as slow as English.
"""

from __future__ import annotations

from tests.test_capture_migration import rows
from tests.test_migrations import alembic
from tests.test_search_migration import archive_at_0010, found


def storage(url: str) -> str:
    return rows(
        url,
        "SELECT attstorage FROM pg_attribute "
        "WHERE attrelid = 'articles'::regclass AND attname = 'search_vector'",
    )[0][0]


def test_the_search_vector_is_kept_in_the_row(empty_postgresql_url):
    assert alembic(empty_postgresql_url, "upgrade", "head").returncode == 0

    assert storage(empty_postgresql_url) == "m"  # MAIN: compressed if need be, out of line last


def test_the_upgrade_keeps_every_article_found_as_before(empty_postgresql_url):
    archive_at_0010(empty_postgresql_url)
    assert alembic(empty_postgresql_url, "upgrade", "0012").returncode == 0

    assert alembic(empty_postgresql_url, "upgrade", "0013").returncode == 0

    assert found(empty_postgresql_url, "رئيس") == ["1"]
    assert found(empty_postgresql_url, "ايران") == ["1", "2"]
    assert found(empty_postgresql_url, "bomber") == ["3"]


def test_the_downgrade_gives_the_vector_its_types_storage_again(empty_postgresql_url):
    assert alembic(empty_postgresql_url, "upgrade", "head").returncode == 0

    assert alembic(empty_postgresql_url, "downgrade", "0012").returncode == 0

    assert storage(empty_postgresql_url) == "x"
    assert alembic(empty_postgresql_url, "upgrade", "head").returncode == 0
