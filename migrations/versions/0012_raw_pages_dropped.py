"""Raw pages dropped: every page read is a capture, so `raw_pages` kept each body twice.

Revision 0010 made each raw page its article's first capture, and since then
the crawl wrote both. Any raw page still without a capture (an archive that
went down to 0009 and crawled there) is made one the same way first. What
remains then is a page 0010 could not read (its stored gzip is damaged): it
cannot become a capture, and is not thrown away either: `raw_pages` is kept,
renamed `unreadable_raw_pages`, holding those rows alone, each named in the log.
With none, the table is dropped.

A downgrade builds `raw_pages` again from the captures: each page's last read
(its last capture with a body that the gate did not hold and that is not an
HTTP error reply), the body with its ``Content-Encoding`` undone, as 0010's
crawler kept it. A page whose coding it cannot undo is left out, and named.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-02
"""

import gzip
import importlib.util
import json
import logging
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500
HTTP_ERROR = 400
UNREADABLE = "unreadable_raw_pages"
UTC_TIMESTAMP = sa.DateTime(timezone=True)
_log = logging.getLogger("alembic.runtime.migration")

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
captures = sa.table(
    "captures",
    sa.column("id", sa.Integer),
    sa.column("site", sa.String),
    sa.column("article_id", sa.String),
    sa.column("url", sa.Text),
    sa.column("final_url", sa.Text),
    sa.column("fetched_at", UTC_TIMESTAMP),
    sa.column("http_status", sa.Integer),
    sa.column("response_headers", sa.JSON),
    sa.column("content_type", sa.String),
    sa.column("encoding", sa.String),
    sa.column("payload_id", sa.Integer),
    sa.column("outcome", sa.String),
    sa.column("reason", sa.Text),
    sa.column("warnings", sa.JSON),
)
payloads = sa.table("payloads", sa.column("id", sa.Integer), sa.column("body_gz", sa.LargeBinary))
_ACCEPTED = ("new", "version", "unchanged")


def upgrade() -> None:
    bind = op.get_bind()
    _revision_0010()._raw_pages_to_captures(bind)
    captured = sa.exists().where(
        captures.c.site == raw_pages.c.site, captures.c.article_id == raw_pages.c.article_id
    )
    left = bind.execute(
        sa.select(raw_pages.c.site, raw_pages.c.article_id)
        .where(~captured)
        .order_by(raw_pages.c.id)
    ).all()
    if not left:
        op.drop_table("raw_pages")
        return
    bind.execute(raw_pages.delete().where(captured))
    op.rename_table("raw_pages", UNREADABLE)
    for site, article_id in left:
        _log.warning(
            "raw page %s/%s is damaged and cannot become a capture: kept in %s",
            site,
            article_id,
            UNREADABLE,
        )


def downgrade() -> None:
    bind = op.get_bind()
    if sa.inspect(bind).has_table(UNREADABLE):
        op.rename_table(UNREADABLE, "raw_pages")
    else:
        op.create_table(
            "raw_pages",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("site", sa.String(length=64), nullable=False),
            sa.Column("article_id", sa.String(length=255), nullable=False),
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
    _captures_to_raw_pages(bind)


def _revision_0010() -> Any:
    """Revision 0010's module: its conversion of raw pages, used as it was written."""
    [path] = Path(__file__).parent.glob("0010_*.py")
    spec = importlib.util.spec_from_file_location("_revision_0010", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(c: Any) -> Any:
    """A page's read captures: with a body, not held, not an error reply."""
    return sa.and_(c.payload_id.is_not(None), c.outcome != "held", c.http_status < HTTP_ERROR)


def _captures_to_raw_pages(bind: sa.Connection) -> None:
    later = captures.alias("later")
    last_read = ~sa.exists().where(
        later.c.site == captures.c.site,
        later.c.article_id == captures.c.article_id,
        later.c.id > captures.c.id,
        _read(later.c),
    )
    kept = sa.exists().where(
        raw_pages.c.site == captures.c.site, raw_pages.c.article_id == captures.c.article_id
    )
    query = (
        sa.select(captures, payloads.c.body_gz)
        .join(payloads, payloads.c.id == captures.c.payload_id)
        .where(_read(captures.c), last_read, ~kept)
        .order_by(captures.c.id)
    )
    last = 0
    while rows := bind.execute(query.where(captures.c.id > last).limit(BATCH)).all():
        last = rows[-1].id
        pages = [page for row in rows if (page := _raw_page(row)) is not None]
        if pages:
            bind.execute(raw_pages.insert(), pages)


def _raw_page(row: Any) -> dict[str, Any] | None:
    headers = row.response_headers
    if isinstance(headers, str):
        headers = json.loads(headers)
    codings = [
        coding.strip().lower()
        for name, value in headers
        if name.lower() == "content-encoding"
        for coding in value.split(",")
        if coding.strip().lower() not in ("", "identity")
    ]
    body = gzip.decompress(row.body_gz)
    try:
        for coding in reversed(codings):
            if coding in ("gzip", "x-gzip"):
                body = gzip.decompress(body)
            elif coding == "deflate":
                body = zlib.decompress(body)
            else:
                raise ValueError(f"Content-Encoding {coding!r}")
    except (OSError, EOFError, zlib.error, ValueError) as error:
        _log.warning(
            "capture %s of %s/%s cannot be undone (%s): no raw page for it",
            row.id,
            row.site,
            row.article_id,
            error,
        )
        return None
    accepted = row.outcome in _ACCEPTED
    return {
        "site": row.site,
        "article_id": row.article_id,
        "url": row.url,
        "final_url": row.final_url,
        "http_status": row.http_status,
        "content_type": row.content_type,
        "encoding": row.encoding or "utf-8",
        "fetched_at": row.fetched_at,
        "body_gz": gzip.compress(body, mtime=0),
        "outcome": "archived" if accepted else "dropped",
        "drop_reason": None if accepted else row.reason,
        "warnings": row.warnings,
    }
