"""The records the API gives: typed, with aware datetimes (UTC) for every instant.

Made from the archive's own records (crawler.items.Article, the store's
versions, crawler.archive.captures_read's captures): one read path, the one
the commands use, and only the shape changes here.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crawler.archive.captures_read import CaptureSummary as Capture
from crawler.archive.history import Revert
from crawler.archive.store import Version as StoredVersion

if TYPE_CHECKING:
    from crawler import items
    from crawler.archive.reading import RelatedEntry

__all__ = ["Article", "ArticleDetail", "Capture", "Image", "RelatedArticle", "Revert", "Version"]


@dataclass(frozen=True)
class Image:
    url: str
    caption: str | None


@dataclass(frozen=True)
class RelatedArticle:
    """An article a page lists as related, in the order it lists them."""

    position: int
    id: str
    title: str | None
    """The archived article's title when it is archived, else the one the link gives."""
    kind: str
    archived: bool


@dataclass
class Article:
    """An archived article as ARTICLE-SCHEMA.md defines it, its latest version."""

    site: str
    id: str
    url: str
    title: str
    kind: str
    language: str
    published_at: datetime | None
    """The publication instant, aware (UTC); None when the page gives none, or a date only."""
    published_local: str | None
    """The publication time as the page gave it, on the site's clock (ISO 8601 with its
    offset), or the date alone."""
    lead: str | None
    body: str
    """Paragraphs separated by a blank line."""
    subheadings: list[str]
    authors: list[str]
    images: list[Image]
    related: list[RelatedArticle]
    related_complete: bool
    desk_code: str | None
    word_count: int
    content_hash: str
    version: int
    first_seen_at: datetime
    fetched_at: datetime
    changed_at: datetime
    """When the text last changed (the latest version's first sighting)."""
    field_sources: dict[str, str]


@dataclass(frozen=True)
class Version(StoredVersion):
    """One distinct text of an article, as the store keeps it (crawler.archive.store.Version),
    with the times the page came back to it."""

    returns: list[Revert]
    """When the page went back to this text after another one, oldest first
    (crawler.archive.history; told from the captures)."""


@dataclass
class ArticleDetail(Article):
    """An article with every version of its text, oldest first, every fetch of its page, and
    the times its text went back to an earlier version (`reverts`, in time order)."""

    versions: list[Version]
    captures: list[Capture]
    reverts: list[Revert]


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _required(value: str | None) -> datetime:
    moment = _instant(value)
    if moment is None:  # the archive fills these in as it stores a record
        raise ValueError("an archived article without its bookkeeping times")
    return moment


def _version(article: items.Article) -> int:
    if article.version is None:
        raise ValueError("an archived article without its version number")
    return article.version


def article_record(article: items.Article, related: list[RelatedEntry]) -> Article:
    return Article(**_article_fields(article, related))


def article_detail(
    article: items.Article,
    related: list[RelatedEntry],
    versions: list[Version],
    captures: list[Capture],
    found: list[Revert],
) -> ArticleDetail:
    fields = _article_fields(article, related)
    return ArticleDetail(**fields, versions=versions, captures=captures, reverts=found)


def _article_fields(article: items.Article, related: list[RelatedEntry]) -> dict[str, Any]:
    return {
        "site": article.site,
        "id": article.article_id,
        "url": article.url,
        "title": article.title,
        "kind": article.kind,
        "language": article.language,
        "published_at": _instant(article.published_at),
        "published_local": article.published_local,
        "lead": article.lead,
        "body": article.body,
        "subheadings": list(article.subheadings),
        "authors": list(article.authors),
        "images": [Image(image.url, image.caption) for image in article.images],
        "related": [
            RelatedArticle(
                entry.position, entry.article_id, entry.title, entry.kind, entry.archived
            )
            for entry in related
        ],
        "related_complete": article.related_complete,
        "desk_code": article.desk_code,
        "word_count": article.word_count,
        "content_hash": article.content_hash,
        "version": _version(article),
        "first_seen_at": _required(article.first_seen_at),
        "fetched_at": _required(article.fetched_at),
        "changed_at": _required(article.changed_at),
        "field_sources": dict(article.field_sources),
    }


def version_record(version: StoredVersion, returns: list[Revert]) -> Version:
    stored = {field.name: getattr(version, field.name) for field in fields(StoredVersion)}
    return Version(**stored, returns=returns)
