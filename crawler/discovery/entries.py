"""What a discovery source says: an article, or another sitemap to read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from crawler.parsing.safe_values import safe_text
from crawler.parsing.text import normalise_text

TITLE_MAX_LENGTH = 1000
"""Longer titles are cut: a source's title is a hint, never the record's title."""

Dated = datetime | date
"""A UTC datetime, or a bare date where the source gives no time (never a guessed midnight)."""


@dataclass(frozen=True, slots=True)
class Entry:
    """An article a source lists, with what the source says of it."""

    article_id: str
    url: str
    """The URL as listed (never fetched: the profile's template builds the request)."""
    title: str | None = None
    published: Dated | None = None
    updated: Dated | None = None
    """``lastmod`` or Atom's ``updated``: when the source says the page last changed."""

    @property
    def dated(self) -> Dated | None:
        """The date that places the entry in time: its publication, else its last change."""
        return self.published or self.updated


@dataclass(frozen=True, slots=True)
class SitemapRef:
    """A sitemap named by a sitemap index or by robots.txt."""

    url: str
    lastmod: Dated | None = None


def iso(value: Dated | None) -> str | None:
    """ISO 8601: ``2026-11-03T06:30:00+00:00`` (UTC) or a bare ``2026-11-03``."""
    return None if value is None else value.isoformat()


def clean_text(value: str | None) -> str | None:
    """Text from a source as the archive keeps text (crawler.parsing.text), safe to store."""
    if value is None:
        return None
    return normalise_text(safe_text(value))[:TITLE_MAX_LENGTH] or None
