"""Edit history, crawl runs, failed fetches, and a fetch count for the revisit schedule.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column(
        "articles", sa.Column("fetch_count", sa.Integer(), server_default="1", nullable=False)
    )

    op.create_table(
        "article_versions",
        sa.Column("article_pk", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("first_seen_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("last_seen_at", UTC_TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["article_pk"],
            ["articles.id"],
            name=op.f("fk_article_versions_article_pk_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_pk", "version", name=op.f("pk_article_versions")),
        sa.UniqueConstraint(
            "article_pk", "content_hash", name=op.f("uq_article_versions_article_pk_content_hash")
        ),
    )
    # Articles archived before this revision have one known version: their current text.
    op.execute(
        "INSERT INTO article_versions "
        "(article_pk, version, content_hash, title, body, first_seen_at, last_seen_at) "
        "SELECT id, version, content_hash, title, body, changed_at, fetched_at FROM articles"
    )

    op.create_table(
        "failed_fetches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("article_id", sa.String(length=32), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("last_failed_at", UTC_TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_failed_fetches")),
        sa.UniqueConstraint("site", "article_id", name=op.f("uq_failed_fetches_site_article_id")),
    )

    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("spider", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("finished_at", UTC_TIMESTAMP, nullable=True),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("finish_reason", sa.String(length=64), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("pages_fetched", sa.Integer(), server_default="0", nullable=False),
        sa.Column("new_articles", sa.Integer(), server_default="0", nullable=False),
        sa.Column("new_versions", sa.Integer(), server_default="0", nullable=False),
        sa.Column("reverted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("unchanged", sa.Integer(), server_default="0", nullable=False),
        sa.Column("dropped", sa.JSON(), nullable=False),
        sa.Column("http_errors", sa.JSON(), nullable=False),
        sa.Column("coverage", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    op.create_index(op.f("ix_crawl_runs_site_started_at"), "crawl_runs", ["site", "started_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_crawl_runs_site_started_at"), table_name="crawl_runs")
    op.drop_table("crawl_runs")
    op.drop_table("failed_fetches")
    op.drop_table("article_versions")
    with op.batch_alter_table("articles") as batch_op:
        batch_op.drop_column("fetch_count")
