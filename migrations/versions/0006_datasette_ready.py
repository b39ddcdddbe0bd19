"""The archive as Datasette and SQL users read it: search found, JSON readable, a list by month.

- SQLite: the full-text table is created again with ``content="articles"``
  (double quotes), the form Datasette looks for, so ``?_search=`` on the
  ``articles`` table works; its triggers are created again and the index is
  rebuilt. (FTS5 reads both quotings alike; only the declaration changes.)
- Both databases: JSON columns written before this revision hold
  ASCII-escaped text (``\\u2019``); they are rewritten, in batches, as the
  UTF-8 text new writes use (`crawler.archive.database.json_text`). The
  values are the same JSON; only rows holding an escape are touched.
- Both databases: the view ``article_list``, one row an article with its
  month of publication in the site's calendar and its times named ``_utc``,
  for browsing with facets by site, kind and month (the body is searched,
  not listed).

The downgrade restores the old declaration and drops the view; JSON stays
UTF-8 text, which is the same JSON.

A later migration that rebuilds ``articles`` on SQLite (batch mode) keeps the
view (migrations/env.py lets the rename through) but loses the FTS triggers,
which it must create again, as 0003 says.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from alembic import op
from sqlalchemy import text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.engine import Connection

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FTS_TABLE = (
    "CREATE VIRTUAL TABLE articles_fts USING fts5("
    "title, body, content={content}, content_rowid={rowid}, "
    "tokenize='porter unicode61 remove_diacritics 2')"
)
_TRIGGERS = [
    "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    # Revisits rewrite the row; only a new text (a new hash) is indexed again.
    "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles "
    "WHEN old.content_hash IS NOT new.content_hash BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
]
_DROP_FTS = [
    "DROP TRIGGER articles_fts_update",
    "DROP TRIGGER articles_fts_delete",
    "DROP TRIGGER articles_fts_insert",
    "DROP TABLE articles_fts",
]
_REBUILD = "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')"

# Lead and body are left to the article's own page: in a list they only stretch every row.
ARTICLE_LIST = (
    "CREATE VIEW article_list AS "
    "SELECT id, title, site, kind, substr(published_local, 1, 7) AS month, "
    "published_local, published_at AS published_utc, word_count, version, "
    "article_id, url, fetched_at AS fetched_utc "
    "FROM articles"
)

JSON_COLUMNS = {
    "articles": ("subheadings",),
    "raw_pages": ("warnings",),
    "crawl_runs": ("arguments", "dropped", "http_errors", "coverage"),
}
BATCH = 1000


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _recreate_fts(content='"articles"', rowid='"id"')
    _rewrite_json(bind)
    op.execute(ARTICLE_LIST)


def downgrade() -> None:
    op.execute("DROP VIEW article_list")
    if op.get_bind().dialect.name == "sqlite":
        _recreate_fts(content="'articles'", rowid="'id'")


def _recreate_fts(*, content: str, rowid: str) -> None:
    for statement in [
        *_DROP_FTS,
        _FTS_TABLE.format(content=content, rowid=rowid),
        *_TRIGGERS,
        _REBUILD,
    ]:
        op.execute(statement)


def _rewrite_json(bind: Connection) -> None:
    """Every JSON value holding a ``\\u`` escape, written again as UTF-8 text."""
    cast = "CAST(:value AS json)" if bind.dialect.name == "postgresql" else ":value"
    for table, columns in JSON_COLUMNS.items():
        for column in columns:
            select = text(
                f"SELECT id, CAST({column} AS TEXT) AS value FROM {table} "
                f"WHERE id > :last AND CAST({column} AS TEXT) LIKE :escaped ESCAPE '!' "
                "ORDER BY id LIMIT :batch"
            )
            update = text(f"UPDATE {table} SET {column} = {cast} WHERE id = :id")
            last = 0
            while rows := bind.execute(
                select, {"last": last, "escaped": "%\\u%", "batch": BATCH}
            ).all():
                changed = [
                    {"id": row.id, "value": readable}
                    for row in rows
                    if (readable := _readable(row.value)) != row.value
                ]
                if changed:
                    bind.execute(update, changed)
                last = rows[-1].id


def _readable(stored: str) -> str:
    """The same JSON as UTF-8 text; escapes stay where UTF-8 cannot hold the character."""
    readable = json.dumps(json.loads(stored), ensure_ascii=False)
    try:
        readable.encode("utf-8")
    except UnicodeEncodeError:
        return stored
    return readable
