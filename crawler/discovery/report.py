"""What each discovery source gave a run, and what they gave together.

A `SourceReport` is filled by the readers (what the source lists, and what
they ignored and why) and by the spider (what was old, what was new, what
was fetched). The run keeps them, in the order read, in its `crawl_runs` row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

ROBOTS, FEED, SITEMAP, LISTING = "robots", "feed", "sitemap", "listing"
FRONT_PAGE = "front_page"
"""A site's home page, read for the feeds its ``<link rel="alternate">`` elements name."""
NAMING_ONLY = (ROBOTS, FRONT_PAGE)
"""Sources that name other sources, never an article."""
READ, FAILED, SKIPPED = "read", "failed", "skipped"
UNREADABLE = "unreadable"
"""The failure reason of a source fetched but not readable (not a feed, not a sitemap, ...)."""


class SourceError(Exception):
    """A source that gives nothing usable: not a feed, not a sitemap, too large, ..."""


class Ignored(Enum):
    """Why a URL a source lists names no article of the site: the report's counter for it."""

    NOT_ARTICLE = "not_article"
    OFFSITE = "offsite"
    MALFORMED = "malformed"


@dataclass
class SourceReport:
    url: str
    kind: str
    """robots, front_page, feed, sitemap or listing."""
    via: str | None = None
    """The sitemap index or robots.txt that named this source."""
    status: str = "pending"
    """read, failed (with `error`), or skipped (a sitemap not changed since the window)."""
    entries: int = 0
    """Article URLs listed."""
    new: int = 0
    """Of those, articles the archive does not hold (within the window)."""
    old: int = 0
    """Of those, dated before the window: not looked at."""
    fetched: int = 0
    """New articles fetched this run on this source's word."""
    sitemaps: int = 0
    """Sitemaps listed (an index, robots.txt)."""
    feeds: int = 0
    """Feeds linked (a front page)."""
    not_article: int = 0
    """URLs on the site that are not article URLs: ignored."""
    offsite: int = 0
    """URLs on other hosts: ignored."""
    malformed: int = 0
    """Entries without a usable URL: ignored."""
    error: str | None = None
    reason: str | None = None
    """Why it failed, as a code (crawler.plan.failures: ``http_403``, ``connection_refused``,
    ... or ``unreadable``)."""
    warnings: list[str] = field(default_factory=list)
    depth: int = 0
    """How many sitemap indexes deep it was named (0: by the profile or robots.txt)."""

    @property
    def ignored(self) -> int:
        return self.not_article + self.offsite + self.malformed

    def ignore(self, reason: Ignored) -> None:
        setattr(self, reason.value, getattr(self, reason.value) + 1)

    def as_dict(self) -> dict[str, Any]:
        """The report as stored: zero counts and empty fields left out."""
        return {key: value for key, value in asdict(self).items() if value not in (0, None, [])}


@dataclass
class DiscoveryTotals:
    """What a run's discovery sources gave together (health and the summary line)."""

    read: int = 0
    failed: int = 0
    entries: int = 0
    new: int = 0
    """Distinct new articles announced (a source and another may list the same one)."""
    first_error: str | None = None
    failed_all: bool = False
    """Every source that could list articles failed (robots.txt and a front page only
    name other sources)."""
    failures: dict[str, int] = field(default_factory=dict)
    """Failed sources by reason (see `SourceReport.reason`)."""
    bounds: tuple[str, ...] = ()
    """The bounds the run's discovery stopped at, each naming the setting that raises it."""

    @classmethod
    def of(cls, record: dict[str, Any]) -> DiscoveryTotals:
        """The totals of a run's record (`crawl_runs.discovery`)."""
        done = [r for r in record.get("sources", []) if r.get("status") in (READ, FAILED)]
        failed = [r for r in done if r["status"] == FAILED]
        listing = [r for r in done if r["kind"] not in NAMING_ONLY] or done
        return cls(
            read=len(done),
            failed=len(failed),
            entries=sum(r.get("entries", 0) for r in done),
            new=record.get("new", 0),
            first_error=f"{failed[0]['url']}: {failed[0].get('error')}" if failed else None,
            failed_all=bool(listing) and all(r["status"] == FAILED for r in listing),
            failures=dict(Counter(r.get("reason") or UNREADABLE for r in failed)),
            bounds=tuple(record.get("bounds", ())),
        )

    def summary(self) -> str:
        failed = f" ({self.failed} failed)" if self.failed else ""
        counts = f"{self.entries} entries, {self.new} new"
        return f"discovery: {self.read} sources read{failed}, {counts}"
