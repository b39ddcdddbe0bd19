"""Reading and ageing a test archive directly, as time passing would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from crawler.archive.announcements import Announced
from crawler.archive.capture_reader import payload_bytes
from crawler.archive.database import create_archive_engine
from crawler.archive.models import (
    Announcement,
    ArticleRecord,
    ArticleVersion,
    Capture,
    CrawlRun,
    FailedFetch,
)
from crawler.parsing.content_encoding import decoded_body

if TYPE_CHECKING:
    from datetime import timedelta

    from sqlalchemy.engine import Connection, Row


def _engine(url: str):
    return create_archive_engine(url)


def age_articles(url: str, article_ids: list[str], by: timedelta) -> None:
    """Move the last fetch of these articles back in time, so that they fall due."""
    engine = _engine(url)
    with engine.begin() as conn:
        for article_id in article_ids:
            fetched = conn.execute(
                select(ArticleRecord.fetched_at).where(ArticleRecord.article_id == article_id)
            ).scalar_one()
            conn.execute(
                update(ArticleRecord)
                .where(ArticleRecord.article_id == article_id)
                .values(fetched_at=fetched - by)
            )
    engine.dispose()


def age_failures(url: str, by: timedelta) -> None:
    engine = _engine(url)
    with engine.begin() as conn:
        for row in conn.execute(select(FailedFetch.id, FailedFetch.last_failed_at)).all():
            conn.execute(
                update(FailedFetch)
                .where(FailedFetch.id == row.id)
                .values(last_failed_at=row.last_failed_at - by)
            )
    engine.dispose()


def article(url: str, article_id: str) -> Any:
    engine = _engine(url)
    with engine.connect() as conn:
        row = conn.execute(
            select(ArticleRecord).where(ArticleRecord.article_id == article_id)
        ).one()
    engine.dispose()
    return row


def versions(url: str, article_id: str) -> list[Any]:
    engine = _engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(ArticleVersion)
            .join(ArticleRecord, ArticleRecord.id == ArticleVersion.article_pk)
            .where(ArticleRecord.article_id == article_id)
            .order_by(ArticleVersion.version)
        ).all()
    engine.dispose()
    return rows


def failures(url: str) -> dict[str, Any]:
    engine = _engine(url)
    with engine.connect() as conn:
        rows = {row.article_id: row for row in conn.execute(select(FailedFetch))}
    engine.dispose()
    return rows


def runs(url: str) -> list[Any]:
    engine = _engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(CrawlRun).order_by(CrawlRun.id)).all()
    engine.dispose()
    return rows


def archived_ids(url: str) -> set[str]:
    engine = _engine(url)
    with engine.connect() as conn:
        ids = set(conn.execute(select(ArticleRecord.article_id)).scalars())
    engine.dispose()
    return ids


def announcements(url: str, site: str) -> dict[str, Announced]:
    """Every announcement of a site, by article id."""
    engine = _engine(url)
    a = Announcement
    query = select(a.article_id, a.source, a.source_kind, a.title, a.published)
    with engine.connect() as conn:
        rows = {
            row.article_id: Announced(*row) for row in conn.execute(query.where(a.site == site))
        }
    engine.dispose()
    return rows


@dataclass(frozen=True)
class LastRead:
    """A page's last read: its last capture with a body that the gate did not hold and that
    is no failed fetch (an HTTP error reply or a reply that is no HTML, kept undecoded):
    what `raw_pages` held before captures replaced it."""

    capture: Row[Any]
    body: bytes
    """As the parser read it (``Content-Encoding`` undone)."""

    @property
    def outcome(self) -> str:
        """``archived`` or ``dropped``, as a raw page said it."""
        return "dropped" if self.capture.outcome == "dropped" else "archived"


def last_reads(conn: Connection) -> dict[tuple[str, str], LastRead]:
    query = (
        select(Capture.__table__)
        .where(
            Capture.payload_id.is_not(None),
            Capture.outcome != "held",
            Capture.http_status < 400,
            Capture.encoding.is_not(None),  # a failed fetch (a PDF) is kept undecoded
        )
        .order_by(Capture.id)
    )
    latest = {(row.site, row.article_id): row for row in conn.execute(query)}
    return {
        key: LastRead(
            row, decoded_body(payload_bytes(conn, row.payload_digest), row.response_headers)
        )
        for key, row in latest.items()
    }


def last_read_ids(url: str) -> list[str]:
    """The article ids of the pages the archive read (archived or dropped), once each."""
    engine = _engine(url)
    with engine.connect() as conn:
        ids = [article_id for _, article_id in last_reads(conn)]
    engine.dispose()
    return ids
