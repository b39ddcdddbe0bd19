"""What a discovery source says: an article, or another sitemap to read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

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


_SPACE = re.compile(r"\s+")
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def clean_text(value: str | None) -> str | None:
    """Text from a source, safe to store: control characters and lone surrogates gone."""
    if value is None:
        return None
    text = _SPACE.sub(" ", _UNSAFE.sub("", value)).strip()
    return text[:TITLE_MAX_LENGTH] or None
