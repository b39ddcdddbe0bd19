"""PostgreSQL's search vector indexes a bounded prefix of the text.

A tsvector holds at most 1 MB; an article whose text makes a larger one
could not be stored at all (the generated column fails the insert). The
vector now covers the first 1,000 characters of the title and the first
100,000 of the body. The worst text we could build makes about 5 bytes of
tsvector a character (single-character words, hyphenated compounds), so the
bound keeps every vector under half the limit; PostgreSQL also stops counting
word positions at 16,383, so a longer body added little to ranking. The store
warns (`search_text_truncated`) when it stores a text longer than this.

SQLite's FTS5 has no such limit and is left as it is.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# crawler.archive.search.SEARCH_TITLE_CHARS and SEARCH_BODY_CHARS, as of this revision.
TITLE_CHARS = 1_000
BODY_CHARS = 100_000


def _vector(title: str, body: str) -> list[str]:
    return [
        "DROP INDEX ix_articles_search_vector",
        "ALTER TABLE articles DROP COLUMN search_vector",
        "ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector('english', {title}), 'A') || "
        f"setweight(to_tsvector('english', {body}), 'B')) STORED",
        "CREATE INDEX ix_articles_search_vector ON articles USING gin (search_vector)",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _vector(f"left(title, {TITLE_CHARS})", f"left(body, {BODY_CHARS})"):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in _vector("title", "body"):
            op.execute(statement)
