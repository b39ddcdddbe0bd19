"""The records that travel through the crawl.

`FetchedPage` is what the spider yields: the page as the server sent it.
`Article` is the archive's record, as ARTICLE-SCHEMA.md defines it; the item
pipeline turns the one into the other, and feed exports (`-O items.jsonl`)
write it field for field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ARTICLE_ID_MAX_LENGTH = 255
"""Longest article id the archive holds (the id columns are this wide).

Number ids need a dozen digits; slug ids are what bounds it: WordPress caps a
slug at 200 characters, and a profile may take a date or section path in
front of it (``2024/05/12/<slug>``). 255 keeps those whole while staying a
short key in every index that holds ids (and a row in the seen-set small).
"""

FETCH_WARNINGS = ("charset_detected", "charset_mislabelled")
"""Warnings the fetch puts on a page (crawler.middlewares.charset); kept across re-parses."""


@dataclass
class FetchedPage:
    site: str
    article_id: str
    url: str
    """The URL requested, before any redirect."""
    final_url: str
    status: int
    content_type: str | None
    encoding: str
    """The charset Scrapy decoded the body with, so a re-parse decodes alike."""
    body: bytes = field(repr=False)
    fetched_at: str
    """ISO 8601 UTC."""
    warnings: list[str] = field(default_factory=list)
    """What the fetch noticed, such as a charset the server mislabelled."""


@dataclass
class FetchFailure:
    """An article page that could not be fetched (after Scrapy's own retries)."""

    site: str
    article_id: str
    url: str
    http_status: int | None
    """None when no response came at all."""
    reason: str
    """A short code, see crawler.failures."""
    error: str
    failed_at: str
    """ISO 8601 UTC."""


@dataclass
class Image:
    url: str
    caption: str | None = None


@dataclass
class RelatedLink:
    article_id: str
    title: str | None
    sort: int | None
    content_type_id: int | None
    media_url: str | None
    kind: str
    position: int


@dataclass
class Article:
    site: str
    article_id: str
    url: str
    language: str
    title: str
    kind: str
    published_at: str | None
    published_local: str | None
    lead: str | None
    body: str
    subheadings: list[str] = field(default_factory=list)
    desk_code: str | None = None
    images: list[Image] = field(default_factory=list)
    related: list[RelatedLink] = field(default_factory=list)
    related_complete: bool = True
    word_count: int = 0
    content_hash: str = ""
    authors: list[str] = field(default_factory=list)
    field_sources: dict[str, str] = field(default_factory=dict)
    """Where each field was found: ``css`` (the profile's rules), ``json-ld``, ``opengraph``,
    ``meta``, ``title-tag``, ``html``, ``profile``, ``trafilatura`` or ``htmldate``."""
    # Bookkeeping, filled in by the archive when the record is stored.
    version: int | None = None
    first_seen_at: str | None = None
    fetched_at: str | None = None
    changed_at: str | None = None
