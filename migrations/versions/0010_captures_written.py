"""Captures written: validators kept, held pages counted, raw pages become first captures.

Each `raw_pages` row (the page as last fetched, one an article) becomes its
article's first capture, unless the article has captures already (so an
upgrade after a downgrade adds nothing twice): the payload is the stored body,
the status and content type are as recorded, and what was never recorded
(the request, the other headers, the HTTP version) stays empty. The capture
of an archived page is the one the article's current version was read from.
`raw_pages` itself is kept, as it was.

A downgrade drops the new columns and keeps the captures: revision 0009
holds them as they are.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import base64
import gzip
import hashlib
import logging
import zlib
from collections.abc import Sequence
from http import HTTPStatus

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500
UTC_TIMESTAMP = sa.DateTime(timezone=True)

# The tables as of this revision (not the models, which move on).
raw_pages = sa.table(
    "raw_pages",
    sa.column("id", sa.Integer),
    sa.column("site", sa.String),
    sa.column("article_id", sa.String),
    sa.column("url", sa.Text),
    sa.column("final_url", sa.Text),
    sa.column("http_status", sa.Integer),
    sa.column("content_type", sa.String),
    sa.column("encoding", sa.String),
    sa.column("fetched_at", UTC_TIMESTAMP),
    sa.column("body_gz", sa.LargeBinary),
    sa.column("outcome", sa.String),
    sa.column("drop_reason", sa.String),
    sa.column("warnings", sa.JSON),
)
articles = sa.table(
    "articles",
    sa.column("id", sa.Integer),
    sa.column("site", sa.String),
    sa.column("article_id", sa.String),
    sa.column("version", sa.Integer),
)
versions = sa.table(
    "article_versions",
    sa.column("article_pk", sa.Integer),
    sa.column("version", sa.Integer),
    sa.column("capture_id", sa.Integer),
)
payloads = sa.table(
    "payloads",
    sa.column("id", sa.Integer),
    sa.column("digest", sa.String),
    sa.column("size", sa.BigInteger),
    sa.column("body_gz", sa.LargeBinary),
)
captures = sa.table(
    "captures",
    *(
        sa.column(name, kind)
        for name, kind in (
            ("id", sa.Integer),
            ("site", sa.String),
            ("article_id", sa.String),
            ("url", sa.Text),
            ("final_url", sa.Text),
            ("fetched_at", UTC_TIMESTAMP),
            ("method", sa.String),
            ("request_headers", sa.JSON),
            ("http_version", sa.String),
            ("http_status", sa.Integer),
            ("http_reason", sa.Text),
            ("response_headers", sa.JSON),
            ("content_type", sa.String),
            ("encoding", sa.String),
            ("payload_id", sa.Integer),
            ("payload_digest", sa.String),
            ("size", sa.BigInteger),
            ("outcome", sa.String),
            ("version", sa.Integer),
            ("reason", sa.Text),
            ("warnings", sa.JSON),
        )
    ),
)


def upgrade() -> None:
    # Columns added and dropped in place, not in a batch: on SQLite a batch rebuilds
    # the table, which `article_versions` (a foreign key to captures) forbids.
    op.add_column("captures", sa.Column("etag", sa.Text(), nullable=True))
    op.add_column("captures", sa.Column("last_modified", sa.String(length=64), nullable=True))
    op.add_column(
        "crawl_runs", sa.Column("not_modified", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("crawl_runs", sa.Column("held", sa.JSON(), server_default="{}", nullable=False))
    _raw_pages_to_captures(op.get_bind())


def downgrade() -> None:
    # SQLite drops a column in place since 3.35 (ALTER TABLE ... DROP COLUMN).
    for table, column in (
        ("crawl_runs", "held"),
        ("crawl_runs", "not_modified"),
        ("captures", "last_modified"),
        ("captures", "etag"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")


def _digest(body: bytes) -> str:
    """As WARC writes WARC-Payload-Digest (and crawler.archive.payloads computes it)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def _raw_pages_to_captures(bind: sa.Connection) -> None:
    captured = sa.exists().where(
        captures.c.site == raw_pages.c.site, captures.c.article_id == raw_pages.c.article_id
    )
    last = 0
    while rows := bind.execute(
        sa.select(raw_pages)
        .where(raw_pages.c.id > last, ~captured)
        .order_by(raw_pages.c.id)
        .limit(BATCH)
    ).all():
        last = rows[-1].id
        for row in rows:
            _capture(bind, row)


def _capture(bind: sa.Connection, row: sa.Row) -> None:
    try:
        body = gzip.decompress(row.body_gz)
    except (OSError, EOFError, zlib.error) as error:
        # A stored page that cannot be read has no body to digest: it stays in
        # raw_pages, untouched, and is named here rather than guessed at.
        logging.getLogger("alembic.runtime.migration").warning(
            "raw page %s/%s is damaged (%s): kept in raw_pages, not made a capture",
            row.site,
            row.article_id,
            error,
        )
        return
    digest = _digest(body)
    payload_id = bind.execute(
        sa.select(payloads.c.id).where(payloads.c.digest == digest)
    ).scalar_one_or_none()
    if payload_id is None:
        payload_id = bind.execute(
            payloads.insert()
            .values(digest=digest, size=len(body), body_gz=row.body_gz)
            .returning(payloads.c.id)
        ).scalar_one()
    article = None
    if row.outcome == "archived":
        article = bind.execute(
            sa.select(articles.c.id, articles.c.version).where(
                articles.c.site == row.site, articles.c.article_id == row.article_id
            )
        ).one_or_none()
    if article is not None:
        outcome, version, reason = (
            ("new" if article.version == 1 else "version"),
            article.version,
            None,
        )
    else:
        outcome, version, reason = "dropped", None, row.drop_reason
    try:
        phrase = HTTPStatus(row.http_status).phrase
    except ValueError:
        phrase = ""
    capture_id = bind.execute(
        captures.insert()
        .values(
            site=row.site,
            article_id=row.article_id,
            url=row.url,
            final_url=row.final_url,
            fetched_at=row.fetched_at,
            method="GET",
            request_headers=[],  # never recorded
            http_version="",  # never recorded
            http_status=row.http_status,
            http_reason=phrase,
            response_headers=[["Content-Type", row.content_type]] if row.content_type else [],
            content_type=row.content_type,
            encoding=row.encoding,
            payload_id=payload_id,
            payload_digest=digest,
            size=len(body),
            outcome=outcome,
            version=version,
            reason=reason,
            warnings=row.warnings,
        )
        .returning(captures.c.id)
    ).scalar_one()
    if article is not None:
        bind.execute(
            versions.update()
            .where(versions.c.article_pk == article.id, versions.c.version == article.version)
            .values(capture_id=capture_id)
        )
