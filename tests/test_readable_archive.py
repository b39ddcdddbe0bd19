"""Migration 0006: the archive as Datasette and SQL users read it, new or upgraded."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from pathlib import Path
from shutil import ignore_patterns

from alembic import command
from alembic.script import ScriptDirectory
from datasette.utils import detect_fts
from sqlalchemy import text

from crawler.archive.database import create_archive_engine
from crawler.archive.migrate import alembic_config, ensure_current

ESCAPED = '["Iran\\u2019s \\u201cair base\\u201d"]'
READABLE = "Iran’s “air base”"

ARTICLE = (
    "INSERT INTO articles (id, site, article_id, url, language, title, kind, published_at, "
    "published_local, body, subheadings, related_complete, word_count, content_hash, version, "
    "first_seen_at, fetched_at, changed_at) VALUES (7, 'alalam_en', '1851093', "
    "'https://en.alalam.ir/news/1851093', 'en', 'Russian bombers at Hamedan', 'article', "
    "'2016-08-16 13:22:15', '2016-08-16T17:52:15+04:30', 'Body', :escaped, TRUE, 1, 'abc', 1, "
    "'2026-01-01 00:00:00', '2026-01-02 00:00:00', '2026-01-01 00:00:00')"
)
RAW_PAGE = (
    "INSERT INTO raw_pages (site, article_id, url, final_url, http_status, encoding, fetched_at, "
    "body_gz, outcome, warnings) VALUES ('alalam_en', '1851093', 'u', 'u', 200, 'utf-8', "
    "'2026-01-02 00:00:00', :body, 'archived', :escaped)"
)
RUN = (
    "INSERT INTO crawl_runs (site, spider, status, started_at, host, pid, arguments, dropped, "
    "http_errors, coverage) VALUES ('alalam_en', 'related', 'finished', '2026-01-02 00:00:00', "
    "'h', 1, :arguments, '{}', '{}', '{}')"
)


def migrate(url: str, revision: str) -> None:
    command.upgrade(alembic_config(url), revision)


def execute(url: str, statement: str, **parameters: object) -> list[tuple]:
    engine = create_archive_engine(url)
    with engine.begin() as conn:
        result = conn.execute(text(statement), parameters)
        rows = [tuple(row) for row in result] if result.returns_rows else []
    engine.dispose()
    return rows


def test_datasette_finds_the_full_text_table_of_the_text_it_indexes(sqlite_url):
    """Since 0011 the index is over the normalised text (`article_search_text`); the
    plugin's metadata names it for `articles` and `article_list`."""
    ensure_current(sqlite_url)

    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as conn:
        assert detect_fts(conn, "article_search_text") == "articles_fts"


def test_upgrading_writes_escaped_json_again_as_readable_text(empty_database_url):
    migrate(empty_database_url, "0004")
    execute(empty_database_url, ARTICLE, escaped=ESCAPED)
    execute(empty_database_url, RAW_PAGE, escaped=ESCAPED, body=gzip.compress(b"<p>Body</p>"))
    tehran = "\\u062a\\u0647\\u0631\\u0627\\u0646"
    execute(empty_database_url, RUN, arguments=f'{{"spider": {{"start": "{tehran}"}}}}')

    migrate(empty_database_url, "head")

    [(subheadings,)] = execute(empty_database_url, "SELECT CAST(subheadings AS TEXT) FROM articles")
    # The raw page is its article's first capture now, its warnings as 0006 rewrote them.
    [(warnings,)] = execute(empty_database_url, "SELECT CAST(warnings AS TEXT) FROM captures")
    [(arguments,)] = execute(empty_database_url, "SELECT CAST(arguments AS TEXT) FROM crawl_runs")
    assert subheadings == warnings == f'["{READABLE}"]'
    assert arguments == '{"spider": {"start": "تهران"}}'


def test_an_upgraded_sqlite_archive_is_searched_with_its_index_rebuilt(empty_sqlite_url):
    migrate(empty_sqlite_url, "0004")
    execute(empty_sqlite_url, ARTICLE, escaped=ESCAPED)

    migrate(empty_sqlite_url, "head")

    found = execute(
        empty_sqlite_url, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'bomber'"
    )
    assert found == [(7,)]


def test_the_article_list_gives_each_article_its_month_in_site_time(database_url):
    migrate(database_url, "head")
    execute(database_url, ARTICLE, escaped=ESCAPED)

    [row] = execute(
        database_url, "SELECT article_id, month, published_local, title FROM article_list"
    )

    assert row == ("1851093", "2016-08", "2016-08-16T17:52:15+04:30", "Russian bombers at Hamedan")


def test_the_migration_goes_down_and_up_again(sqlite_url):
    migrate(sqlite_url, "head")
    execute(sqlite_url, ARTICLE, escaped=ESCAPED)

    command.downgrade(alembic_config(sqlite_url), "0004")
    assert execute(sqlite_url, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'Hamedan'")
    migrate(sqlite_url, "head")

    assert execute(sqlite_url, "SELECT count(*) FROM article_list") == [(1,)]
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as conn:
        assert detect_fts(conn, "article_search_text") == "articles_fts"


BATCH_MIGRATION = """
from alembic import op
import sqlalchemy as sa

revision = "zz01"
down_revision = "{head}"


def upgrade():
    with op.batch_alter_table("articles") as batch:
        batch.alter_column("title", existing_type=sa.Text(), nullable=True)
"""


def test_a_later_batch_migration_of_articles_keeps_the_view(sqlite_url, tmp_path):
    """SQLite rebuilds a table to alter it (batch mode); the view on it must not stop that."""
    migrate(sqlite_url, "head")
    execute(sqlite_url, ARTICLE, escaped=ESCAPED)
    config = alembic_config(sqlite_url)
    migrations = Path(config.get_main_option("script_location"))
    later = shutil.copytree(migrations, tmp_path / "migrations", ignore=ignore_patterns("__py*"))
    head = ScriptDirectory.from_config(config).get_current_head()
    (later / "versions" / "zz01_later.py").write_text(BATCH_MIGRATION.format(head=head))
    config.set_main_option("script_location", str(later))

    command.upgrade(config, "head")

    assert execute(sqlite_url, "SELECT article_id FROM article_list") == [("1851093",)]
