"""Where records and rows meet: every mapping between the crawl's records and table rows.

The writer (crawler.archive.save) and the readers (crawler.archive.store)
both come here, so a column added to a table is mapped in one place.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists

from crawler import items
from crawler.archive.models import (
    ArticleRecord,
    ArticleVersion,
    Capture,
    FailedFetch,
    ImageRecord,
    RelatedLinkRecord,
)
from crawler.archive.search_text import index_text
from crawler.items import FETCH_WARNINGS
from crawler.parsing.content_encoding import UnknownContentEncodingError, decoded_body

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement, Table


ARTICLES: Table = ArticleRecord.__table__  # type: ignore[assignment]
VERSIONS: Table = ArticleVersion.__table__  # type: ignore[assignment]
LINKS: Table = RelatedLinkRecord.__table__  # type: ignore[assignment]
IMAGES: Table = ImageRecord.__table__  # type: ignore[assignment]
FAILED: Table = FailedFetch.__table__  # type: ignore[assignment]
CAPTURES: Table = Capture.__table__  # type: ignore[assignment]

HTTP_ERROR = 400
"""A capture's status from here up is an error reply kept as it came, not a page that was read."""


def read_as_page(captures: Any) -> ColumnElement[bool]:
    """True of a capture the archive read as a page (of `captures`, the table or an alias).

    A fetch that failed (an error reply, or a reply that is no HTML page) is kept as it
    came, dropped with its reason and never decoded (`failure_capture_row`): no encoding.
    """
    return and_(captures.c.http_status < HTTP_ERROR, captures.c.encoding.is_not(None))


def last_read_capture() -> ColumnElement[bool]:
    """True of a capture that is its page's last read: no later capture of the page has a
    body the gate did not hold and was read as a page (a 404 or a PDF is kept, never read)."""
    later = CAPTURES.alias("later")
    return ~exists().where(
        later.c.site == CAPTURES.c.site,
        later.c.article_id == CAPTURES.c.article_id,
        later.c.id > CAPTURES.c.id,
        later.c.payload_id.is_not(None),
        later.c.outcome != "held",
        read_as_page(later),
    )


_BOOKKEEPING = ("version", "first_seen_at", "fetched_at", "changed_at")
RECORD_COLUMNS = tuple(
    f.name for f in fields(items.Article) if f.name in ARTICLES.c and f.name not in _BOOKKEEPING
)
"""The record's fields its `articles` row holds as they are (`published_at` as a timestamp)."""
LINK_COLUMNS = tuple(
    f.name for f in fields(items.RelatedLink) if f.name in LINKS.c and f.name != "article_id"
)
"""A related link's fields its row holds under the same name (its `article_id` is `target_id`)."""


# -- captures ----------------------------------------------------------------------------


def exchange_of(page: items.FetchedPage) -> items.HttpExchange:
    """The page's exchange; for a page handed over without one, what the page itself says."""
    if page.exchange is not None:
        return page.exchange
    headers = [("Content-Type", page.content_type)] if page.content_type else []
    return items.HttpExchange(
        method="GET",
        url=page.final_url,
        request_headers=[],
        http_version="",  # not known
        status=page.status,
        reason=items.reason_phrase(page.status),
        response_headers=headers,
        body=page.body,
        fetched_at=page.fetched_at,
    )


def capture_row(
    page: items.FetchedPage,
    exchange: items.HttpExchange,
    *,
    payload_id: int | None,
    digest: str | None,
    outcome: str,
    version: int | None,
    reason: str | None,
    warnings: list[str],
    refers_to: int | None,
) -> dict[str, Any]:
    return {
        "site": page.site,
        "article_id": page.article_id,
        "url": page.url,
        "final_url": page.final_url,
        "fetched_at": datetime.fromisoformat(exchange.fetched_at),
        "method": exchange.method,
        "request_headers": [list(pair) for pair in exchange.request_headers],
        "http_version": exchange.http_version,
        "http_status": exchange.status,
        "http_reason": exchange.reason,
        "response_headers": [list(pair) for pair in exchange.response_headers],
        "content_type": page.content_type,
        "encoding": page.encoding,
        "payload_id": payload_id,
        "payload_digest": digest,
        "size": len(exchange.body),
        "outcome": outcome,
        "version": version,
        "reason": reason,
        "warnings": warnings,
        "refers_to": refers_to,
        "etag": exchange.header("ETag"),
        "last_modified": exchange.header("Last-Modified"),
    }


def failure_capture_row(
    failure: items.FetchFailure,
    exchange: items.HttpExchange,
    *,
    payload_id: int | None,
    digest: str,
    refers_to: int | None,
) -> dict[str, Any]:
    """An error reply (or a page that is no HTML) as a capture: dropped, with its reason."""
    content_type = exchange.header("Content-Type")
    page = items.FetchedPage(
        site=failure.site,
        article_id=failure.article_id,
        url=failure.url,
        final_url=exchange.url,
        status=exchange.status,
        content_type=content_type[:255] if content_type else None,
        encoding="",
        body=exchange.body,
        fetched_at=exchange.fetched_at,
    )
    row = capture_row(
        page,
        exchange,
        payload_id=payload_id,
        digest=digest,
        outcome="dropped",
        version=None,
        reason=failure.reason,
        warnings=[],
        refers_to=refers_to,
    )
    row["encoding"] = None  # never decoded: read as its headers and <meta> say
    return row


def page_of_capture(row: Any, wire_body: bytes) -> items.FetchedPage:
    """A stored capture as the page the parser reads (its body decoded as Scrapy would)."""
    try:
        body = decoded_body(wire_body, row.response_headers)
    except UnknownContentEncodingError as error:
        raise UnknownContentEncodingError(f"capture {row.id}: {error}") from None
    return _page(row, body, encoding=row.encoding or "utf-8", capture_id=row.id)


def _page(
    row: Any, body: bytes, *, encoding: str, capture_id: int | None = None
) -> items.FetchedPage:
    """A page as fetched, from a capture's row."""
    return items.FetchedPage(
        site=row.site,
        article_id=row.article_id,
        url=row.url,
        final_url=row.final_url,
        status=row.http_status,
        content_type=row.content_type,
        encoding=encoding,
        body=body,
        fetched_at=row.fetched_at.isoformat(),
        warnings=[w for w in row.warnings if w.startswith(FETCH_WARNINGS)],
        capture_id=capture_id,
    )


# -- articles ----------------------------------------------------------------------------


def article_row(
    article: items.Article,
    version: int,
    fetch_count: int,
    first_seen_at: datetime,
    fetched_at: datetime,
    changed_at: datetime,
) -> dict[str, Any]:
    row = {name: getattr(article, name) for name in RECORD_COLUMNS}
    row["published_at"] = instant(article.published_at)
    row.update(
        search_columns(article.title, article.body, article.language),
        version=version,
        fetch_count=fetch_count,
        first_seen_at=first_seen_at,
        fetched_at=fetched_at,
        changed_at=changed_at,
    )
    return row


def search_columns(title: str, body: str, language: str) -> dict[str, str | None]:
    """`search_title` and `search_body`: the text the index reads, None where it is the text."""
    search_title, search_body = index_text(title, language), index_text(body, language)
    return {
        "search_title": None if search_title == title else search_title,
        "search_body": None if search_body == body else search_body,
    }


def version_row(
    article_pk: int,
    row: dict[str, Any],
    capture_id: int | None,
    *,
    first_seen_at: datetime,
) -> dict[str, Any]:
    """A version of the article `row`, first seen when its capture was fetched; last seen at
    the row's fetched_at, which a re-parse keeps at a later 304's time."""
    return {
        "article_pk": article_pk,
        "version": row["version"],
        "content_hash": row["content_hash"],
        "title": row["title"],
        "body": row["body"],
        "first_seen_at": first_seen_at,
        "last_seen_at": row["fetched_at"],
        "capture_id": capture_id,
    }


def link_row(source_pk: int, link: items.RelatedLink) -> dict[str, Any]:
    return {"source_pk": source_pk, "target_id": link.article_id} | {
        name: getattr(link, name) for name in LINK_COLUMNS
    }


def image_row(article_pk: int, position: int, image: items.Image) -> dict[str, Any]:
    return {
        "article_pk": article_pk,
        "position": position,
        "url": image.url,
        "caption": image.caption,
    }


def with_bookkeeping(article: items.Article, row: dict[str, Any]) -> items.Article:
    article.version = row["version"]
    article.first_seen_at = row["first_seen_at"].isoformat()
    article.fetched_at = row["fetched_at"].isoformat()
    article.changed_at = row["changed_at"].isoformat()
    return article


def article_from_row(row: Any, links: list[Any], images: list[Any]) -> items.Article:
    values = {name: row[name] for name in RECORD_COLUMNS}
    values["published_at"] = iso(row["published_at"])
    return items.Article(
        **values,
        images=[items.Image(url=image.url, caption=image.caption) for image in images],
        related=[
            items.RelatedLink(
                article_id=link.target_id, **{name: getattr(link, name) for name in LINK_COLUMNS}
            )
            for link in links
        ],
        version=row["version"],
        first_seen_at=iso(row["first_seen_at"]),
        fetched_at=iso(row["fetched_at"]),
        changed_at=iso(row["changed_at"]),
    )


def instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
