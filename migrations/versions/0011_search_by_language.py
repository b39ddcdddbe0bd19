"""Search reads each article's text normalised for its language, on both databases.

`articles` gets ``search_title`` and ``search_body``: the text as the search
index reads it (`crawler.archive.search_text.index_text`: NFKC, digits as
ASCII, Arabic-script letters folded, Arabic and Persian words stemmed by the
article's language), or NULL where that is the text itself (most text
outside the Arabic script), so an English archive does not store its bodies
twice. Every existing article is filled in here, in batches.

- SQLite: the FTS5 table ``articles_fts`` keeps its name and its columns
  (title, body) and is built again over the view ``article_search_text``
  (``id``, and the normalised text where there is one, else the text), with
  the same tokenizer as before (Porter over unicode61, which leaves Arabic
  script as it is given). Its triggers index the same values; an update
  re-indexes when the text or its normalised form changes.
- PostgreSQL: ``search_vector`` is built again from the same text, bounded
  as 0008 bounds it, with the ``english`` configuration as before (it leaves
  Arabic script as it is given, as ``simple`` would).

This revision's schema is its own, written out here. What fills the new
columns is not: the search text must read as the running code reads queries,
so it follows the code, never a revision. It is filled by
`crawler.archive.reindex`, the rebuild `news-archive db reindex` runs; a later
change to `search_text` that changes what is indexed is followed by that
command, and no revision changes its meaning for it.

The downgrade drops the columns and restores 0008's index over the raw text.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

from crawler.archive.reindex import reindex

if TYPE_CHECKING:
    from collections.abc import Sequence


revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# crawler.archive.search.SEARCH_TITLE_CHARS and SEARCH_BODY_CHARS, as of this revision.
TITLE_CHARS = 1_000
BODY_CHARS = 100_000

_TOKENIZE = "tokenize='porter unicode61 remove_diacritics 2'"
_INDEXED_TITLE = "coalesce({row}.search_title, {row}.title)"
_INDEXED_BODY = "coalesce({row}.search_body, {row}.body)"


def _indexed(row: str) -> str:
    return f"{_INDEXED_TITLE.format(row=row)}, {_INDEXED_BODY.format(row=row)}"


SQLITE_DROP_FTS = [
    "DROP TRIGGER articles_fts_update",
    "DROP TRIGGER articles_fts_delete",
    "DROP TRIGGER articles_fts_insert",
    "DROP TABLE articles_fts",
]
SQLITE_UP = [
    *SQLITE_DROP_FTS,
    "CREATE VIEW article_search_text AS SELECT id, "
    "coalesce(search_title, title) AS title, coalesce(search_body, body) AS body FROM articles",
    'CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, content="article_search_text", '
    f'content_rowid="id", {_TOKENIZE})',
    "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
    f"INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, {_indexed('new')}); END",
    "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, body) "
    f"VALUES ('delete', old.id, {_indexed('old')}); END",
    # Revisits rewrite the row; only a new text, or a new reading of it (a re-parse that
    # finds another language), is indexed again.
    "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body, search_title, search_body "
    "ON articles WHEN old.content_hash IS NOT new.content_hash "
    "OR old.search_title IS NOT new.search_title OR old.search_body IS NOT new.search_body "
    "BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, body) "
    f"VALUES ('delete', old.id, {_indexed('old')}); "
    f"INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, {_indexed('new')}); END",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
]
# 0006's table and triggers, over the raw text (once the new columns are gone).
SQLITE_DOWN = [
    'CREATE VIRTUAL TABLE articles_fts USING fts5(title, body, content="articles", '
    f'content_rowid="id", {_TOKENIZE})',
    "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles "
    "WHEN old.content_hash IS NOT new.content_hash BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO articles_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
]


def _postgresql_vector(title: str, body: str) -> list[str]:
    return [
        "DROP INDEX ix_articles_search_vector",
        "ALTER TABLE articles DROP COLUMN search_vector",
        "ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector('english', left({title}, {TITLE_CHARS})), 'A') || "
        f"setweight(to_tsvector('english', left({body}, {BODY_CHARS})), 'B')) STORED",
        "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
    ]


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("articles", sa.Column("search_title", sa.Text(), nullable=True))
    op.add_column("articles", sa.Column("search_body", sa.Text(), nullable=True))
    reindex(bind)  # every article's search text, where it is not the text itself
    if bind.dialect.name == "sqlite":
        statements = SQLITE_UP
    else:
        statements = _postgresql_vector(
            _INDEXED_TITLE.format(row="articles"), _INDEXED_BODY.format(row="articles")
        )
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    # No batch mode: rebuilding `articles` would lose its triggers. SQLite drops a column
    # in place once nothing (a trigger, a view) names it.
    before = [*SQLITE_DROP_FTS, "DROP VIEW article_search_text"] if sqlite else []
    before += [] if sqlite else _postgresql_vector("title", "body")
    for statement in before:
        op.execute(statement)
    op.drop_column("articles", "search_body")
    op.drop_column("articles", "search_title")
    for statement in SQLITE_DOWN if sqlite else []:
        op.execute(statement)
