"""PostgreSQL keeps each article's search vector in its row, not in TOAST.

Ranking a search reads the vector of every matching article. A row longer
than TOAST's threshold (about 2 kB) has its widest values moved out of it,
and a tsvector is stored as ``EXTENDED`` like any text: an Arabic or Persian
article, whose row holds its normalised text beside its text (migration
0011), had its vector moved to the TOAST table, one more index lookup and
heap read for every match ranked. Search in those languages took twice as
long as English over the same number of articles (bench row 10: 66 and 72
against 34 ms). With ``STORAGE MAIN`` the vector stays in the row and the
texts, read only for the page of results, leave it first; a vector too long
for any row still goes out of line.

The storage applies to rows written from now on, so every row is written
again here (the generated vector is computed anew, as in 0011). SQLite has
no TOAST: nothing to do there. The downgrade restores ``EXTENDED`` and leaves
the rows as they are.

A later migration that creates ``search_vector`` again (a new generated
expression) sets its storage again: a new column has its type's default.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic import op

if TYPE_CHECKING:
    from collections.abc import Sequence

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCH_VECTOR_IN_ROW = "ALTER TABLE articles ALTER COLUMN search_vector SET STORAGE MAIN"
"""What any migration that adds ``search_vector`` again runs after it."""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(SEARCH_VECTOR_IN_ROW)
    # An update rewrites the row, stored as the column now says; the title is the
    # cheapest value to name (nothing reads it as changed: no trigger on PostgreSQL).
    op.execute("UPDATE articles SET title = title")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE articles ALTER COLUMN search_vector SET STORAGE EXTENDED")
