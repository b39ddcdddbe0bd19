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
    authors: Mapped[list[str]] = mapped_column(JSON, server_default="[]")
    field_sources: Mapped[dict[str, str]] = mapped_column(JSON, server_default="{}")
    """Where each field was found, e.g. {"title": "css", "body": "trafilatura"}."""
    search_title: Mapped[str | None]
    """The title as the search index reads it (`crawler.archive.search_text`); None when
    that is the title itself, as it is for most text outside the Arabic script."""
    search_body: Mapped[str | None]
    """The body as the search index reads it; None when that is the body itself."""
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
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))
    """The capture this version was read from (None for versions whose page was not kept)."""


class Payload(Base):
    """A body as it came over the wire, stored once however often it was fetched.

    Keyed by its digest as WARC writes it (``sha1:`` and the base32 SHA-1 of the
    bytes), so a capture whose body equals an earlier one adds a row to
    `captures`, not the bytes again. The bytes are those received: a page served
    with ``Content-Encoding: gzip`` is kept as gzip, exactly as sent.
    """

    __tablename__ = "payloads"
    __table_args__ = (UniqueConstraint("digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    """``sha1:`` + base32 SHA-1 of the body as received (WARC-Payload-Digest)."""
    size: Mapped[int] = mapped_column(BigInteger)
    """Bytes of the body as received."""
    body_gz: Mapped[bytes] = mapped_column(LargeBinary)
    """gzip of the body as received."""


class Capture(Base):
    """One fetch of an article page, kept for good, as it came: request, status line,
    headers in order, the body (through `payloads`), when, and what the archive made of it.

    A ``304 Not Modified`` is a capture too (no body); so is a page the quality
    gate held or the parser dropped. Every version of an article names the capture
    it was read from (`article_versions.capture_id`).
    """

    __tablename__ = "captures"
    __table_args__ = (
        Index(None, "site", "article_id", "fetched_at"),
        Index(None, "fetched_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(64))
    article_id: Mapped[str] = mapped_column(String(ARTICLE_ID_MAX_LENGTH))
    url: Mapped[str]
    """The URL requested, before redirects."""
    final_url: Mapped[str]
    fetched_at: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(16))
    request_headers: Mapped[list[list[str]]] = mapped_column(JSON)
    """``[[name, value], ...]`` as sent, in order."""
    http_version: Mapped[str] = mapped_column(String(16))
    """As the status line gave it, e.g. ``HTTP/1.1``."""
    http_status: Mapped[int]
    http_reason: Mapped[str]
    """The status line's reason phrase, e.g. ``OK``."""
    response_headers: Mapped[list[list[str]]] = mapped_column(JSON)
    """``[[name, value], ...]`` as received, in order (``Content-Encoding`` kept)."""
    content_type: Mapped[str | None] = mapped_column(String(255))
    encoding: Mapped[str | None] = mapped_column(String(64))
    """The charset the page was decoded with, so a re-parse decodes alike."""
    payload_id: Mapped[int | None] = mapped_column(ForeignKey("payloads.id"))
    """The body (None for a 304, which has none)."""
    payload_digest: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger, server_default="0")
    """Bytes of the body as received (0 for a 304)."""
    outcome: Mapped[str] = mapped_column(String(16))
    """``new``, ``version``, ``unchanged``, ``not_modified``, ``held`` or ``dropped``."""
    version: Mapped[int | None]
    """The article version this capture gave or confirmed; None when held or dropped."""
    reason: Mapped[str | None]
    """Why it was held (``layout_drift``, ``lost_fields: published_at, body``) or dropped."""
    warnings: Mapped[list[str]] = mapped_column(JSON)
    refers_to: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))
    """For a 304, the capture whose validators were sent; for a body equal to an earlier
    capture's of the same URL, that capture (a WARC revisit record refers to it)."""
    etag: Mapped[str | None]
    """The response's ``ETag``, which a revisit sends back as ``If-None-Match``."""
    last_modified: Mapped[str | None] = mapped_column(String(64))
    """The response's ``Last-Modified``, which a revisit sends as ``If-Modified-Since``."""


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
    not_modified: Mapped[int] = mapped_column(server_default="0")
    """Revisits the server answered ``304 Not Modified`` (counted in `unchanged` too)."""
    held: Mapped[dict[str, int]] = mapped_column(JSON, server_default="{}")
    """Captures the quality gate held back from becoming versions, by reason
    (``layout_drift``, ``lost_fields: published_at``)."""
    dropped: Mapped[dict[str, int]] = mapped_column(JSON)
    """Pages that gave no article, by reason."""
    http_errors: Mapped[dict[str, int]] = mapped_column(JSON)
    """Failed fetches by HTTP status (or error kind)."""
    coverage: Mapped[dict[str, float]] = mapped_column(JSON)
    """Share of fetched pages with a title, a date, a body and related links."""
    discovery: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    """What the run read to find new articles (``-a start=latest``): the window's start
    (``since``), the new articles (``new``) and the sources in order (``sources``), each
    with its status and what it gave: entries, new, old, fetched, ignored by reason,
    warnings. Null when the run read no source."""


class Announcement(Base):
    """What a feed, sitemap or listing said of an article the archive did not hold yet.

    Written when a run finds the article, before its page is fetched, so that a
    run stopped before the fetch leaves it to the next run (as a related link's
    target is). The first source to announce an article is kept, and a later
    one only fills in what it lacked. The row stays once the article is
    archived: where and when the archive first heard of it.
    """

    __tablename__ = "announcements"
    __table_args__ = (UniqueConstraint("site", "article_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site: Mapped[str] = mapped_column(String(64))
    article_id: Mapped[str] = mapped_column(String(ARTICLE_ID_MAX_LENGTH))
    source: Mapped[str]
    """The URL of the feed, sitemap or listing page, as fetched."""
    source_kind: Mapped[str] = mapped_column(String(16))
    """feed, sitemap or listing."""
    title: Mapped[str | None]
    """The title the source gives."""
    published: Mapped[str | None] = mapped_column(String(32))
    """The publication date the source gives: ISO 8601 in UTC, or a bare date."""
    announced_at: Mapped[datetime]
    run_id: Mapped[int | None]
    """The `crawl_runs` row of the run that read it."""
