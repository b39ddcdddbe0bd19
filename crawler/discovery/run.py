"""One run's reading of the discovery sources: what to fetch, and what each source gave.

The readers say what a source lists; this decides, entry by entry, what the
run does with it: an entry dated before the window is old and left alone;
an article the archive holds and that is not due is left to the archive's
schedule; an article the archive lacks is new, announced (stored before its
page is fetched) and fetched. The counts go to the source's `SourceReport`,
where the run's row reads them (`record`); their totals go to the crawl's
stats (``discovery/*``) as each source is read, fails or is skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crawler.archive.announcements import Announced
from crawler.discovery.entries import iso
from crawler.discovery.report import FAILED, READ, SKIPPED, DiscoveryTotals, SourceReport
from crawler.discovery.window import EVERYTHING, is_old
from crawler.plan.idset import IdSet

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from scrapy.statscollectors import StatsCollector

    from crawler.discovery.entries import Entry, SitemapRef


class DiscoveryRun:
    def __init__(
        self,
        stats: StatsCollector,
        *,
        window_start: datetime,
        archived: IdSet,
        skip: IdSet,
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

    def source(self, url: str, kind: str, via: str | None = None) -> SourceReport | None:
        """A report for a source about to be read; None if this run already reads it."""
        if url in self.reports:
            return None
        report = self.reports[url] = SourceReport(url, kind, via=via)
        return report

    def to_fetch(
        self, entries: Iterable[Entry], report: SourceReport
    ) -> tuple[list[tuple[str, str | None]], list[Announced]]:
        """What the run should fetch of a source's entries, and what to store of the new ones
        before their pages are fetched; counts what it makes of the others.

        Each article to fetch comes with the source that announced it when it is
        new (None when the archive holds it and it is due): all its request carries.
        """
        fetch: list[tuple[str, str | None]] = []
        announced: list[Announced] = []
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
            self.publish()

    def read(self, report: SourceReport) -> None:
        report.status = READ
        self.publish()

    def failed(self, report: SourceReport, error: str, reason: str) -> None:
        report.status = FAILED
        report.error = error[:500]
        report.reason = reason
        self.publish()

    def fetched(self, source: str) -> None:
        """An announced page fetched: counted, not published (this runs on every such page)."""
        report = self.reports.get(source)
        if report is not None:
            report.fetched += 1
            self.stats.inc_value("discovery/fetched")

    def record(self) -> dict[str, Any]:
        """What the run's row keeps (`crawl_runs.discovery`)."""
        return {
            "since": None if self.window_start == EVERYTHING else self.window_start.isoformat(),
            "new": len(self.new),
            "sources": [report.as_dict() for report in self.reports.values()],
        }

    def publish(self) -> None:
        """The totals into the crawl's stats (`fetched` keeps its own count: it runs on
        every announced page; the totals are published as a source's status changes)."""
        totals = DiscoveryTotals.of(self.record())
        stats = self.stats
        stats.set_value("discovery/sources_read", totals.read)
        stats.set_value("discovery/sources_failed", totals.failed)
        stats.set_value("discovery/entries", totals.entries)
        stats.set_value("discovery/new", totals.new)
        stats.set_value("discovery/old", sum(r.old for r in self.reports.values()))
        stats.set_value("discovery/ignored", sum(r.ignored for r in self.reports.values()))
