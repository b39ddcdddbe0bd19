"""The records that travel through the crawl.

`FetchedPage` is what the spider yields: the page as the server sent it.
`Article` is the archive's record, as ARTICLE-SCHEMA.md defines it; the item
pipeline turns the one into the other, and feed exports (`-O items.jsonl`)
write it field for field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Annotated

ARTICLE_ID_MAX_LENGTH = 255
"""Longest article id the archive holds (the id columns are this wide).

Number ids need a dozen digits; slug ids are what bounds it: WordPress caps a
slug at 200 characters, and a profile may take a date or section path in
front of it (``2024/05/12/<slug>``). 255 keeps those whole while staying a
short key in every index that holds ids (and a row in the seen-set small).
A longer id is an invalid id: never followed, never stored.
"""

FETCH_WARNINGS = ("charset_detected", "charset_mislabelled")
"""Warnings the fetch puts on a page (crawler.middlewares.charset); kept across re-parses."""


# -- what the archive's columns can hold -------------------------------------------------
# Every value of a record is made safe by rule before it is stored
# (crawler.parsing.safe_values), driven by these annotations: any `str` loses NUL and
# lone surrogates, any `int` must fit a 32-bit column unless marked wider.


@dataclass(frozen=True)
class MaxLength:
    """A text column of this many characters: longer text is cut, with a warning."""

    characters: int


@dataclass(frozen=True)
class IntegerBits:
    """A signed integer column this wide: a value outside it is null, with a warning."""

    bits: int


class ArticleIdMark:
    """An article id: over ARTICLE_ID_MAX_LENGTH it is invalid, never cut."""


@dataclass(frozen=True)
class TimestampMark:
    """An ISO 8601 instant: outside the plausible range it is null, with a warning.

    With `dates`, a bare date (``2016-08-16``, a page that gives no time) is one too.
    """

    dates: bool = False


ArticleId = Annotated[str, ArticleIdMark(), MaxLength(ARTICLE_ID_MAX_LENGTH)]
Timestamp = Annotated[str, TimestampMark(), MaxLength(32)]
LocalTime = Annotated[str, TimestampMark(dates=True), MaxLength(32)]
Int64 = Annotated[int, IntegerBits(64)]


@dataclass
class HttpExchange:
    """One fetch as it went over the wire: the request as sent, the response as received.

    Recorded by crawler.middlewares.capture before Scrapy decodes the body, so
    `body` keeps the server's ``Content-Encoding`` (gzip stays gzip); the page's
    decoded bytes are `FetchedPage.body`. Headers are ``(name, value)`` pairs in
    the order they were sent or received (Scrapy spells names in title case).
    """

    method: Annotated[str, MaxLength(16)]
    url: str
    """The URL this request asked for (the last hop of a redirect)."""
    request_headers: list[tuple[str, str]]
    http_version: Annotated[str, MaxLength(16)]
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    body: bytes = field(repr=False)
    fetched_at: str
    """ISO 8601 UTC, from the run's clock."""

    def header(self, name: str) -> str | None:
        """The first response header of this name (case-insensitive), if any."""
        wanted = name.lower()
        return next((v for n, v in self.response_headers if n.lower() == wanted), None)


def reason_phrase(status: int) -> str:
    """The standard reason phrase of a status (Scrapy keeps none of the server's)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


@dataclass
class FetchedPage:
    site: Annotated[str, MaxLength(64)]
    article_id: ArticleId
    url: str
    """The URL requested, before any redirect."""
    final_url: str
    status: int
    content_type: Annotated[str, MaxLength(255)] | None
    encoding: Annotated[str, MaxLength(64)]
    """The charset Scrapy decoded the body with, so a re-parse decodes alike."""
    body: bytes = field(repr=False)
    fetched_at: str
    """ISO 8601 UTC."""
    warnings: list[str] = field(default_factory=list)
    """What the fetch noticed, such as a charset the server mislabelled."""
    exchange: HttpExchange | None = None
    """The fetch as it went over the wire (None for a page stored before captures were)."""
    revalidates: int | None = None
    """The capture whose validators the request sent (If-None-Match, If-Modified-Since)."""
    capture_id: int | None = None
    """Set when the page is a stored capture read again (a re-parse), not a new fetch."""


@dataclass
class FetchFailure:
    """An article page that could not be fetched (after Scrapy's own retries)."""

    site: Annotated[str, MaxLength(64)]
    article_id: ArticleId
    url: str
    http_status: int | None
    """None when no response came at all."""
    reason: Annotated[str, MaxLength(32)]
    """A short code, see crawler.plan.failures."""
    error: str
    failed_at: str
    """ISO 8601 UTC."""
    exchange: HttpExchange | None = None
    """The reply that failed it, as it went over the wire (an error page, or a page that is
    no HTML), kept as a capture; None when no response came."""


@dataclass
class Image:
    url: str
    caption: str | None = None


@dataclass
class RelatedLink:
    article_id: ArticleId
    title: str | None
    sort: Int64 | None
    content_type_id: int | None
    media_url: str | None
    kind: Annotated[str, MaxLength(16)]
    position: int


@dataclass
class Article:
    site: Annotated[str, MaxLength(64)]
    article_id: ArticleId
    url: str
    language: Annotated[str, MaxLength(35)]
    title: str
    kind: Annotated[str, MaxLength(16)]
    published_at: Timestamp | None
    published_local: LocalTime | None
    lead: str | None
    body: str
    subheadings: list[str] = field(default_factory=list)
    desk_code: Annotated[str, MaxLength(64)] | None = None
    images: list[Image] = field(default_factory=list)
    related: list[RelatedLink] = field(default_factory=list)
    related_complete: bool = True
    word_count: int = 0
    content_hash: Annotated[str, MaxLength(64)] = ""
    authors: list[str] = field(default_factory=list)
    field_sources: dict[str, str] = field(default_factory=dict)
    """Where each field was found: ``css`` (the profile's rules), ``json-ld``, ``opengraph``,
    ``meta``, ``title-tag``, ``h1``, ``time``, ``rel-author``, ``html``, ``profile``,
    ``detected``, ``trafilatura``, ``text``, ``htmldate`` or ``url`` (README, "When the rules find
    nothing")."""
    # Bookkeeping, filled in by the archive when the record is stored.
    version: int | None = None
    first_seen_at: Timestamp | None = None
    fetched_at: Timestamp | None = None
    changed_at: Timestamp | None = None
