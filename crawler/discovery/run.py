"""One run's reading of the discovery sources: what to fetch, and what each source gave.

The readers say what a source lists; this decides, entry by entry, what the
run does with it: an entry dated before the window is old and left alone;
an article the archive holds and that is not due is left to the archive's
schedule; an article the archive lacks is new, announced (stored before its
page is fetched) and fetched. The counts go to the source's `SourceReport`,
where the run's row reads them (`record`); their totals go to the crawl's
stats (``discovery/*``) as each source is read, fails or is skipped: kept as
running totals, so that each source costs the same however many came before.

Discovery is bounded (`DiscoveryBounds`, each bound a setting): how deep
sitemap indexes are followed, how many sitemaps a run reads, how many
entries it looks at. A run that stops at a bound says so in its record
(``bounds``), naming the setting that raises it, and is degraded.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crawler.archive.announcements import Announced
from crawler.discovery.entries import iso
from crawler.discovery.report import FAILED, READ, SITEMAP, SKIPPED, SourceReport
from crawler.discovery.window import EVERYTHING, is_old
from crawler.plan.idset import IdSet

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

    from crawler.discovery.entries import Entry, SitemapRef


DEPTH, SITEMAPS, ENTRIES = "depth", "sitemaps", "entries"


@dataclass(frozen=True)
class DiscoveryBounds:
    """How far one run's discovery goes (settings of the same names)."""

    max_depth: int = 5
    """ARCHIVE_SITEMAP_MAX_DEPTH: sitemap indexes followed this many deep."""
    max_sitemaps: int = 1000
    """ARCHIVE_SITEMAPS_PER_RUN: sitemaps read (old ones, skipped by lastmod, do not count)."""
    max_entries: int = 1_000_000
    """ARCHIVE_DISCOVERY_ENTRIES_PER_RUN: entries of all sources looked at."""

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> DiscoveryBounds:
        return cls(
            max_depth=settings.getint("ARCHIVE_SITEMAP_MAX_DEPTH"),
            max_sitemaps=settings.getint("ARCHIVE_SITEMAPS_PER_RUN"),
            max_entries=settings.getint("ARCHIVE_DISCOVERY_ENTRIES_PER_RUN"),
        )

    def describe(self, bound: str, refused: int) -> str:
        """A bound reached, as the run's message says it: what, how much, which setting."""
        if bound == DEPTH:
            return (
                f"sitemap indexes nested deeper than {self.max_depth}: {refused} sitemaps "
                "not read (raise ARCHIVE_SITEMAP_MAX_DEPTH)"
            )
        if bound == SITEMAPS:
            return (
                f"{self.max_sitemaps} sitemaps read, {refused} more not read "
                "(raise ARCHIVE_SITEMAPS_PER_RUN)"
            )
        return (
            f"{self.max_entries} entries looked at, the rest not read "
            "(raise ARCHIVE_DISCOVERY_ENTRIES_PER_RUN)"
        )


@dataclass
class _Totals:
    """What the reports whose status is settled add up to, kept as they settle."""

    read: int = 0
    failed: int = 0
    entries: int = 0
    old: int = 0
    ignored: int = 0

    def add(self, report: SourceReport, sign: int) -> None:
        done = report.status in (READ, FAILED)
        self.read += sign * done
        self.failed += sign * (report.status == FAILED)
        self.entries += sign * (report.entries if done else 0)
        self.old += sign * report.old
        self.ignored += sign * report.ignored


class DiscoveryRun:
    def __init__(
        self,
        stats: StatsCollector,
        *,
        window_start: datetime,
        archived: IdSet,
        skip: IdSet,
        bounds: DiscoveryBounds | None = None,
    ) -> None:
        self.stats = stats
        self.window_start = window_start
        self.archived = archived
        """Ids the archive holds: what a source lists and is not among them is new."""
        self.skip = skip
        """Ids the archive says not to fetch (archived and not due, or gone)."""
        self.reports: dict[str, SourceReport] = {}
        self.new = IdSet()
        """New articles announced this run, whichever source said so first."""
        self.bounds = bounds or DiscoveryBounds()
        self.refused: dict[str, int] = {}
        """The bounds reached, and how many sources (or entries) each kept from being read."""
        self._sitemaps = 0
        self._entries = 0
        self._totals = _Totals()
        self._counted: dict[str, SourceReport] = {}
        """Each settled report as it was added to the totals (a copy)."""

    def source(self, url: str, kind: str, via: str | None = None) -> SourceReport | None:
        """A report for a source about to be read; None if this run already reads it."""
        if url in self.reports:
            return None
        parent = self.reports.get(via) if via is not None else None
        depth = parent.depth + 1 if parent is not None and parent.kind == SITEMAP else 0
        report = self.reports[url] = SourceReport(url, kind, via=via, depth=depth)
        return report

    def may_read(self, url: str, kind: str, via: str | None = None) -> bool:
        """Whether the run's bounds let it read a source named by `via` (a sitemap index,
        robots.txt; None: the profile). A source refused counts against its bound."""
        if kind != SITEMAP or url in self.reports:
            return True
        parent = self.reports.get(via) if via is not None else None
        depth = parent.depth + 1 if parent is not None and parent.kind == SITEMAP else 0
        if self.exhausted:  # its bound is reached already: nothing more is read
            return False
        if depth > self.bounds.max_depth:
            return self._refuse(DEPTH)
        if self._sitemaps >= self.bounds.max_sitemaps:
            return self._refuse(SITEMAPS)
        self._sitemaps += 1
        return True

    @property
    def exhausted(self) -> bool:
        """The run has looked at as many entries as it may: the rest are not read."""
        return ENTRIES in self.refused

    def _refuse(self, bound: str, count: int = 1) -> bool:
        self.refused[bound] = self.refused.get(bound, 0) + count
        self.stats.inc_value(f"discovery/refused/{bound}", count)
        return False

    def to_fetch(
        self, entries: Sequence[Entry], report: SourceReport
    ) -> tuple[list[tuple[str, str | None]], list[Announced]]:
        """What the run should fetch of a source's entries, and what to store of the new ones
        before their pages are fetched; counts what it makes of the others.

        Each article to fetch comes with the source that announced it when it is
        new (None when the archive holds it and it is due): all its request carries.
        """
        fetch: list[tuple[str, str | None]] = []
        announced: list[Announced] = []
        room = self.bounds.max_entries - self._entries
        if len(entries) > room:
            self._refuse(ENTRIES, len(entries) - max(room, 0))
            entries = entries[: max(room, 0)]
        self._entries += len(entries)
        for entry in entries:
            if is_old(entry.dated, self.window_start):
                report.old += 1
                continue
            article_id = entry.article_id
            if article_id in self.skip:
                continue
            if article_id in self.archived:
                fetch.append((article_id, None))
                continue
            report.new += 1
            self.new.add(article_id)
            fetch.append((article_id, report.url))
            announced.append(
                Announced(
                    article_id=article_id,
                    source=report.url,
                    source_kind=report.kind,
                    title=entry.title,
                    published=iso(entry.published),
                )
            )
        return fetch, announced

    def is_old_sitemap(self, ref: SitemapRef) -> bool:
        """A sitemap unchanged since before the window lists nothing inside it."""
        return is_old(ref.lastmod, self.window_start)

    def skipped(self, url: str, kind: str, via: str) -> None:
        report = self.source(url, kind, via)
        if report is not None:
            report.status = SKIPPED
            self._settle(report)

    def read(self, report: SourceReport) -> None:
        report.status = READ
        self._settle(report)

    def failed(self, report: SourceReport, error: str, reason: str) -> None:
        report.status = FAILED
        report.error = error[:500]
        report.reason = reason
        self._settle(report)

    def _settle(self, report: SourceReport) -> None:
        """A report's status changed: the totals take its counts (in place of what they
        had of it, should it settle twice), and reach the stats."""
        counted = self._counted.get(report.url)
        if counted is not None:
            self._totals.add(counted, -1)
        self._totals.add(report, +1)
        self._counted[report.url] = dataclasses.replace(report, warnings=[])
        self.publish()

    def fetched(self, source: str) -> None:
        """An announced page fetched: counted, not published (this runs on every such page)."""
        report = self.reports.get(source)
        if report is not None:
            report.fetched += 1
            self.stats.inc_value("discovery/fetched")

    def record(self) -> dict[str, Any]:
        """What the run's row keeps (`crawl_runs.discovery`)."""
        record: dict[str, Any] = {
            "since": None if self.window_start == EVERYTHING else self.window_start.isoformat(),
            "new": len(self.new),
            "sources": [report.as_dict() for report in self.reports.values()],
        }
        if self.refused:
            record["bounds"] = [
                self.bounds.describe(bound, count) for bound, count in self.refused.items()
            ]
        return record

    def publish(self) -> None:
        """The totals into the crawl's stats (`fetched` keeps its own count: it runs on
        every announced page; the totals are published as a source's status changes)."""
        totals, stats = self._totals, self.stats
        stats.set_value("discovery/sources_read", totals.read)
        stats.set_value("discovery/sources_failed", totals.failed)
        stats.set_value("discovery/entries", totals.entries)
        stats.set_value("discovery/new", len(self.new))
        stats.set_value("discovery/old", totals.old)
        stats.set_value("discovery/ignored", totals.ignored)
