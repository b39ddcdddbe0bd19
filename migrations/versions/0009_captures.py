"""Captures: every fetch of an article page kept as it came, its body stored once.

`payloads` holds each distinct body as received (keyed by its WARC payload
digest); `captures` holds one row a fetch (request, status line, headers in
order, what the archive made of it); each version names the capture it was
read from (`article_versions.capture_id`).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "payloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("body_gz", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payloads")),
        sa.UniqueConstraint("digest", name=op.f("uq_payloads_digest")),
    )
    op.create_table(
        "captures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("article_id", sa.String(length=255), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=False),
        sa.Column("fetched_at", UTC_TIMESTAMP, nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("request_headers", sa.JSON(), nullable=False),
        sa.Column("http_version", sa.String(length=16), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=False),
        sa.Column("http_reason", sa.Text(), nullable=False),
        sa.Column("response_headers", sa.JSON(), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=True),
        sa.Column("encoding", sa.String(length=64), nullable=True),
        sa.Column("payload_id", sa.Integer(), nullable=True),
        sa.Column("payload_digest", sa.String(length=64), nullable=True),
        sa.Column("size", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("refers_to", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["payload_id"], ["payloads.id"], name=op.f("fk_captures_payload_id_payloads")
        ),
        sa.ForeignKeyConstraint(
            ["refers_to"], ["captures.id"], name=op.f("fk_captures_refers_to_captures")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_captures")),
    )
    op.create_index(
        op.f("ix_captures_site_article_id_fetched_at"),
        "captures",
        ["site", "article_id", "fetched_at"],
    )
    op.create_index(op.f("ix_captures_fetched_at"), "captures", ["fetched_at"])
    # A batch on SQLite: it rebuilds the table to add the foreign key (no triggers on it).
    with op.batch_alter_table("article_versions") as batch_op:
        batch_op.add_column(sa.Column("capture_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_article_versions_capture_id_captures"),
            "captures",
            ["capture_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("article_versions") as batch_op:
        batch_op.drop_constraint(
            op.f("fk_article_versions_capture_id_captures"), type_="foreignkey"
        )
        batch_op.drop_column("capture_id")
    op.drop_index(op.f("ix_captures_fetched_at"), table_name="captures")
    op.drop_index(op.f("ix_captures_site_article_id_fetched_at"), table_name="captures")
    op.drop_table("captures")
    op.drop_table("payloads")
