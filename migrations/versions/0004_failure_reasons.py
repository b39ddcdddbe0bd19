"""A reason code for every failed fetch, so gone pages and passing failures are told apart.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "failed_fetches",
        sa.Column("reason", sa.String(length=32), server_default="error", nullable=False),
    )
    op.execute(
        "UPDATE failed_fetches SET reason = 'http_' || CAST(http_status AS VARCHAR(8)) "
        "WHERE http_status IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("failed_fetches") as batch_op:
        batch_op.drop_column("reason")
