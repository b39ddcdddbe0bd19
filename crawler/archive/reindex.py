"""The search text read again: every article's title and body as the running code reads it.

`search_title` and `search_body` (crawler.archive.rows.search_columns) hold what
crawler.archive.search_text makes of an article's text, and queries go through
the same normalisation as they are searched: the two must agree, so the stored
search text follows the code, not the schema. Migration 0011, which added the
columns, fills them through here; a later change to the normalisation is
followed by `news-archive db reindex`, which runs this over an archive at any
revision since 0011.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import text

from crawler.archive.rows import search_columns

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

BATCH = 500

# Plain SQL over the columns 0011 made, not the models: a migration runs this on the schema
# of its own revision, which need not have every column the models name.
_SELECT = text(
    "SELECT id, language, title, body, search_title, search_body FROM articles "
    "WHERE id > :last ORDER BY id LIMIT :n"
)
_UPDATE = text(
    "UPDATE articles SET search_title = :search_title, search_body = :search_body WHERE id = :id"
)


def reindex(conn: Connection, *, batch: int = BATCH) -> int:
    """Store every article's search text as this code reads it, in batches of `batch`;
    returns how many articles it changed (only those rows are written, so the index of the
    others is left alone)."""
    last, changed = 0, 0
    while rows := conn.execute(_SELECT, {"last": last, "n": batch}).all():
        stale = []
        for row in rows:
            columns = search_columns(row.title, row.body, row.language)
            if (columns["search_title"], columns["search_body"]) != (
                row.search_title,
                row.search_body,
            ):
                stale.append({"id": row.id, **columns})
        if stale:
            conn.execute(_UPDATE, stale)
            changed += len(stale)
        last = rows[-1].id
    return changed
