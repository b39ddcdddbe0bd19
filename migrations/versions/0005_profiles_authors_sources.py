"""Site profiles as data: authors and field sources on every article, slug-sized ids.

`articles.authors` (JSON list) and `articles.field_sources` (JSON object:
where each field was found) are new; rows archived before them have none.
Article ids may now be slugs, so every column holding one widens from 32 to
ARTICLE_ID_MAX_LENGTH (255) characters. SQLite does not enforce a VARCHAR's
length, so there the columns keep their declared width (rebuilding
`articles` would cost its full-text triggers) and migrations/env.py does not
count the difference as drift.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID_COLUMNS = (
    ("articles", "article_id"),
    ("related_links", "target_id"),
    ("raw_pages", "article_id"),
    ("failed_fetches", "article_id"),
)


def upgrade() -> None:
    op.add_column("articles", sa.Column("authors", sa.JSON(), server_default="[]", nullable=False))
    op.add_column(
        "articles", sa.Column("field_sources", sa.JSON(), server_default="{}", nullable=False)
    )
    if op.get_bind().dialect.name == "postgresql":
        for table, column in ID_COLUMNS:
            op.alter_column(
                table, column, type_=sa.String(length=255), existing_type=sa.String(length=32)
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, column in ID_COLUMNS:
            op.alter_column(
                table, column, type_=sa.String(length=32), existing_type=sa.String(length=255)
            )
    # Not a batch: rebuilding `articles` on SQLite would drop its full-text triggers.
    # SQLite drops a column in place (3.35 and later).
    op.drop_column("articles", "field_sources")
    op.drop_column("articles", "authors")
