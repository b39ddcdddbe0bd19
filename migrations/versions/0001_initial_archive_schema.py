"""Initial archive schema: articles, related links, images, raw pages.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("article_id", sa.String(length=32), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("published_at", UTC_TIMESTAMP, nullable=True),
        sa.Column("published_local", sa.String(length=32), nullable=True),
        sa.Column("lead", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("subheadings", sa.JSON(), nullable=False),
        sa.Column("desk_code", sa.String(length=64), nullable=True),
        sa.Column("related_complete", sa.Boolean(), nullable=False),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("first_seen_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("fetched_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("changed_at", UTC_TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
        sa.UniqueConstraint("site", "article_id", name=op.f("uq_articles_site_article_id")),
    )
    op.create_index(op.f("ix_articles_published_at"), "articles", ["published_at"])

    op.create_table(
        "related_links",
        sa.Column("source_pk", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("sort", sa.BigInteger(), nullable=True),
        sa.Column("content_type_id", sa.Integer(), nullable=True),
        sa.Column("media_url", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_pk"],
            ["articles.id"],
            name=op.f("fk_related_links_source_pk_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("source_pk", "position", name=op.f("pk_related_links")),
    )
    op.create_index(op.f("ix_related_links_target_id"), "related_links", ["target_id"])

    op.create_table(
        "images",
        sa.Column("article_pk", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["article_pk"],
            ["articles.id"],
            name=op.f("fk_images_article_pk_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_pk", "position", name=op.f("pk_images")),
    )

    op.create_table(
        "raw_pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("article_id", sa.String(length=32), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=True),
        sa.Column("encoding", sa.String(length=64), nullable=False),
        sa.Column("fetched_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("body_gz", sa.LargeBinary(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("drop_reason", sa.String(length=255), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_raw_pages")),
        sa.UniqueConstraint("site", "article_id", name=op.f("uq_raw_pages_site_article_id")),
    )


def downgrade() -> None:
    op.drop_table("raw_pages")
    op.drop_table("images")
    op.drop_index(op.f("ix_related_links_target_id"), table_name="related_links")
    op.drop_table("related_links")
    op.drop_index(op.f("ix_articles_published_at"), table_name="articles")
    op.drop_table("articles")
