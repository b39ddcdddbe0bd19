"""The archive's tables, as typed SQLAlchemy models.

The migrations in ``migrations/`` create exactly these; ``alembic check``
proves it. Researchers query these tables directly, so names say what they
hold and every timestamp is UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from crawler.items import ARTICLE_ID_MAX_LENGTH

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database.

    PostgreSQL keeps the zone; SQLite has no such type, so the value is stored
    as naive UTC there and given its zone back when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the archive stores aware UTC times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
        }
    )
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), str: Text()}


class ArticleRecord(Base):
    """One article: the latest version of its text, and when it was seen."""

    __tablename__ = "articles"
    __table_args__ = (
        UniqueConstraint("site", "article_id"),
        Index(None, "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(64))
    article_id: Mapped[str] = mapped_column(String(ARTICLE_ID_MAX_LENGTH))
    url: Mapped[str]
    language: Mapped[str] = mapped_column(String(35))
    title: Mapped[str]
    kind: Mapped[str] = mapped_column(String(16))
    published_at: Mapped[datetime | None]
    published_local: Mapped[str | None] = mapped_column(String(32))
    """The same instant as written on the page, with the site's offset at the time."""
    lead: Mapped[str | None]
    body: Mapped[str]
    subheadings: Mapped[list[str]] = mapped_column(JSON)
    desk_code: Mapped[str | None] = mapped_column(String(64))
    related_complete: Mapped[bool]
    word_count: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    """The version number of the current text (see `article_versions`)."""
    fetch_count: Mapped[int] = mapped_column(server_default="1")
    """How many times the page was fetched and stored; drives the revisit schedule."""
    first_seen_at: Mapped[datetime]
    fetched_at: Mapped[datetime]
    changed_at: Mapped[datetime]


class RelatedLinkRecord(Base):
    """An edge of the related-article graph, as the source page lists it.

    The target is a bare id: a target not (yet) in ``articles`` is an article
    discovered but missing from the archive.
    """

    __tablename__ = "related_links"
    __table_args__ = (Index(None, "target_id"),)

    source_pk: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[str] = mapped_column(String(ARTICLE_ID_MAX_LENGTH))
    title: Mapped[str | None]
    """The title the source page lists for the target."""
    sort: Mapped[int | None] = mapped_column(BigInteger)
    content_type_id: Mapped[int | None]
    media_url: Mapped[str | None]
    kind: Mapped[str] = mapped_column(String(16))


class ImageRecord(Base):
    __tablename__ = "images"

    article_pk: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str]
    caption: Mapped[str | None]


class RawPage(Base):
    """The page as last fetched, so that it can be parsed again without the network.

    Every fetched page has a row, including those the parser dropped, with
    the reason; the HTML is kept gzip-compressed, exactly as the server sent it.
    """

    __tablename__ = "raw_pages"
    __table_args__ = (UniqueConstraint("site", "article_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(64))
    article_id: Mapped[str] = mapped_column(String(ARTICLE_ID_MAX_LENGTH))
    url: Mapped[str]
    """The URL requested, before redirects."""
    final_url: Mapped[str]
    http_status: Mapped[int]
    content_type: Mapped[str | None] = mapped_column(String(255))
    encoding: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime]
    body_gz: Mapped[bytes] = mapped_column(LargeBinary)
    outcome: Mapped[str] = mapped_column(String(16))
    """``archived`` or ``dropped``."""
    drop_reason: Mapped[str | None] = mapped_column(String(255))
    warnings: Mapped[list[str]] = mapped_column(JSON)


class ArticleVersion(Base):
    """Every distinct text an article has had: title and body, and when each was seen."""

    __tablename__ = "article_versions"
    __table_args__ = (UniqueConstraint("article_pk", "content_hash"),)

    article_pk: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str]
    body: Mapped[str]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class FailedFetch(Base):
    """An article page that could not be archived as fetched, until it is.

    A page that is gone or unusable (404, not HTML, too large, a redirect
    loop, ...) is not asked for again until its retry is due; a passing
    failure (5xx, timeout, connection) is retried by the next run.
    """

    __tablename__ = "failed_fetches"
    __table_args__ = (UniqueConstraint("site", "article_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(64))
    article_id: Mapped[str] = mapped_column(String(ARTICLE_ID_MAX_LENGTH))
    url: Mapped[str]
    http_status: Mapped[int | None]
    """None when no response came (timeout, refused connection, ...)."""
    reason: Mapped[str] = mapped_column(String(32), server_default="error")
    """A short code: http_404, timeout, connection, too_large, not_html, redirect_loop, ..."""
    error: Mapped[str]
    attempts: Mapped[int]
    first_failed_at: Mapped[datetime]
    last_failed_at: Mapped[datetime]


class CrawlRun(Base):
    """One crawl: when, with what arguments, what it did and how it ended."""

    __tablename__ = "crawl_runs"
    __table_args__ = (Index(None, "site", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(64))
    spider: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    """running, finished, failed, interrupted or degraded."""
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Spider arguments and the settings given on the command line; passwords redacted."""
    finish_reason: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None]
    """Why the run is degraded or failed, in a sentence."""
    pages_fetched: Mapped[int] = mapped_column(server_default="0")
    new_articles: Mapped[int] = mapped_column(server_default="0")
    new_versions: Mapped[int] = mapped_column(server_default="0")
    reverted: Mapped[int] = mapped_column(server_default="0")
    """Re-fetches whose text went back to an earlier version."""
    unchanged: Mapped[int] = mapped_column(server_default="0")
    dropped: Mapped[dict[str, int]] = mapped_column(JSON)
    """Pages that gave no article, by reason."""
    http_errors: Mapped[dict[str, int]] = mapped_column(JSON)
    """Failed fetches by HTTP status (or error kind)."""
    coverage: Mapped[dict[str, float]] = mapped_column(JSON)
    """Share of fetched pages with a title, a date, a body and related links."""
