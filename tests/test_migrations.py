"""Alembic owns the schema: it creates it, the models match it, and a stranger is refused."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import text

from crawler.archive.database import create_archive_engine
from crawler.archive.migrate import ArchiveSchemaError, check_current, ensure_current, head_revision
from tests.conftest import ROOT


def alembic(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-x", f"db={url}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def execute(url: str, statement: str) -> None:
    engine = create_archive_engine(url)
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


def test_upgrade_head_then_check_reports_no_drift(empty_database_url):
    upgraded = alembic(empty_database_url, "upgrade", "head")
    assert upgraded.returncode == 0, upgraded.stderr

    checked = alembic(empty_database_url, "check")

    assert checked.returncode == 0, checked.stderr
    assert "No new upgrade operations detected" in checked.stdout + checked.stderr


def test_db_upgrade_command_migrates_a_fresh_database(empty_database_url):
    done = subprocess.run(
        [sys.executable, "-m", "crawler", "db", "upgrade", "--db", empty_database_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert f"migrated from empty to {head_revision(empty_database_url)}" in done.stdout
    check_current(empty_database_url)


def test_a_fresh_database_is_created_at_the_latest_revision(empty_database_url):
    ensure_current(empty_database_url)

    check_current(empty_database_url)


def test_a_database_at_an_unknown_revision_is_refused(empty_database_url):
    ensure_current(empty_database_url)
    execute(empty_database_url, "UPDATE alembic_version SET version_num = 'ffff'")

    with pytest.raises(ArchiveSchemaError, match="newer version"):
        ensure_current(empty_database_url)


def test_archive_tables_without_a_migration_record_are_refused(empty_database_url):
    ensure_current(empty_database_url)
    execute(empty_database_url, "DROP TABLE alembic_version")

    with pytest.raises(ArchiveSchemaError, match="no migration record"):
        ensure_current(empty_database_url)


def test_reading_commands_refuse_a_missing_sqlite_file_instead_of_creating_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'absent.sqlite3'}"

    with pytest.raises(ArchiveSchemaError, match="no archive"):
        check_current(url)
    assert not (tmp_path / "absent.sqlite3").exists()


def test_upgrading_an_archive_keeps_its_articles_as_their_first_version(empty_database_url):
    assert alembic(empty_database_url, "upgrade", "0001").returncode == 0
    execute(
        empty_database_url,
        "INSERT INTO articles (site, article_id, url, language, title, kind, body, "
        "subheadings, related_complete, word_count, content_hash, version, "
        "first_seen_at, fetched_at, changed_at) "
        "VALUES ('alalam_en', '1', 'https://en.alalam.ir/news/1', 'en', 'T', 'article', 'B', '[]', "
        "TRUE, 1, 'abc', 1, '2026-01-01 00:00:00', '2026-01-02 00:00:00', '2026-01-01 00:00:00')",
    )

    assert alembic(empty_database_url, "upgrade", "head").returncode == 0

    engine = create_archive_engine(empty_database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT version, title, body, content_hash FROM article_versions")
        ).all()
        fetch_count = conn.execute(text("SELECT fetch_count FROM articles")).scalar_one()
    engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "T", "B", "abc")]
    assert fetch_count == 1
