"""The run's row in `crawl_runs`: opened when the crawl starts, closed with its counts.

At the end it judges the run's health against the site's recent runs (see
`crawler.archive.health`) and states the outcome in one line, which the
`crawl` command also prints last and turns into the exit code.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.archive import health
from crawler.archive.database import create_archive_engine, database_url, redact, redact_urls
from crawler.archive.retrying import with_retries
from crawler.archive.runs import DEGRADED, FAILED, FINISHED, INTERRUPTED, RunCounts, RunLog
from crawler.discovery.report import DiscoveryTotals

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

ARCHIVE_PIPELINE = "crawler.pipelines.ArchivePipeline"
# Finish reasons the user asked for: the run did what it was told.
_FINISHED_REASONS = ("finished", "closespider_")


class RunRecorder:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.database_url = database_url(crawler.settings.get("ARCHIVE_DB"))
        self.retry_budget = crawler.settings.getfloat("ARCHIVE_DB_RETRY_SECONDS")
        self.runs: RunLog | None = None
        self.run_id: int | None = None
        self.started = datetime.now(UTC)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if crawler.settings.getdict("ITEM_PIPELINES").get(ARCHIVE_PIPELINE) is None:
            raise NotConfigured("no archive, no run record")
        recorder = cls(crawler)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        self.runs = RunLog(create_archive_engine(self.database_url))
        self.started = datetime.now(UTC)
        runs = self.runs
        self.run_id = with_retries(
            lambda: runs.start(
                site=_site(spider),
                spider=spider.name,
                arguments=self._arguments(spider),
                host=socket.gethostname(),
                pid=os.getpid(),
                at=self.started,
            ),
            budget=self.retry_budget,
            what="opening the run record",
        )
        self.crawler.stats.set_value("run/id", self.run_id)
        logger.info("Run %d of %s started", self.run_id, _site(spider))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.runs is None or self.run_id is None:
            return
        runs, run_id, stats = self.runs, self.run_id, self.crawler.stats
        counts = counts_from_stats(stats)
        status, message = _status(reason, stats)
        finished = datetime.now(UTC)
        try:
            if status == FINISHED:
                message = self._health(spider, counts)
                status = DEGRADED if message else status
            with_retries(
                lambda: runs.finish(
                    run_id,
                    status=status,
                    finish_reason=reason,
                    message=message,
                    counts=counts,
                    at=finished,
                ),
                budget=self.retry_budget,
                what="closing the run record",
            )
        except Exception as error:  # the crawl is over; say so rather than lose the summary
            logger.error("Run %d could not be recorded as %s: %s", run_id, status, error)
        finally:
            runs.engine.dispose()
        summary = summary_line(run_id, status, finished - self.started, counts, message)
        stats.set_value("run/status", status)
        stats.set_value("run/summary", summary)
        (logger.info if status == FINISHED else logger.warning)(summary)

    def _health(self, spider: Spider, counts: RunCounts) -> str | None:
        """Why the run is degraded (see crawler.archive.health), or None."""
        assert self.runs is not None
        settings = self.crawler.settings
        recent = self.runs.recent(
            _site(spider), limit=settings.getint("ARCHIVE_HEALTH_RUNS"), before=self.run_id
        )
        return health.assess(
            counts,
            [run.counts for run in recent],
            tolerance=settings.getfloat("ARCHIVE_HEALTH_TOLERANCE"),
            min_pages=settings.getint("ARCHIVE_HEALTH_MIN_PAGES"),
        )

    def _arguments(self, spider: Spider) -> dict[str, Any]:
        """Spider arguments and command-line settings, as given; passwords redacted."""
        settings = self.crawler.settings
        given = {
            name: settings[name]
            for name in settings
            if settings.getpriority(name) == SETTINGS_PRIORITIES["cmdline"]
        }
        arguments: dict[str, Any] = {
            "spider": dict(getattr(spider, "arguments", {})),
            "settings": {name: str(value) for name, value in sorted(given.items())},
            "database": redact(self.database_url),
        }
        run = self.crawler.stats.get_value("frontier/run")
        if run is not None:
            # A worker of a shared frontier: the rows of one distributed run share this.
            arguments["frontier"] = {
                "run": run,
                "worker": self.crawler.stats.get_value("frontier/worker"),
            }
        return redact_urls(arguments)


def counts_from_stats(stats: StatsCollector) -> RunCounts:
    values = stats.get_stats()
    pages = values.get("archive/pages", 0)
    return RunCounts(
        pages_fetched=pages,
        new_articles=values.get("archive/new", 0),
        new_versions=values.get("archive/changed", 0),
        reverted=values.get("archive/reverted", 0),
        unchanged=values.get("archive/unchanged", 0),
        dropped=_by_prefix(values, "archive/dropped/"),
        http_errors=_by_prefix(values, "archive/failed/"),
        coverage=health.coverage(pages, _by_prefix(values, "coverage/")),
        discovery=values.get("discovery/record"),
    )


def summary_line(
    run_id: int, status: str, took: Any, counts: RunCounts, message: str | None
) -> str:
    seconds = int(took.total_seconds())
    parts = [
        f"{counts.pages_fetched} pages archived",
        f"{counts.new_articles} new",
        f"{counts.new_versions} new versions",
        f"{counts.unchanged} unchanged",
    ]
    if counts.reverted:
        parts.append(f"{counts.reverted} reverted")
    parts.append(f"{sum(counts.dropped.values())} dropped")
    parts.append(f"{sum(counts.http_errors.values())} failed fetches")
    coverage = " ".join(f"{name} {share:.0%}" for name, share in counts.coverage.items())
    line = f"Run {run_id} {status} in {seconds // 60}m{seconds % 60:02d}s: {', '.join(parts)}"
    if coverage:
        line += f"; coverage {coverage}"
    if counts.discovery is not None:
        line += f"; {DiscoveryTotals.of(counts.discovery).summary()}"
    if message:
        line += f" - {message}"
    return line


def _status(reason: str, stats: StatsCollector) -> tuple[str, str | None]:
    if reason.startswith(_FINISHED_REASONS):
        return FINISHED, None
    if reason == "shutdown":
        return INTERRUPTED, "stopped by a signal"
    error = stats.get_value("archive/error")
    return FAILED, f"{reason}: {error}" if error else reason


def _by_prefix(values: dict[str, Any], prefix: str) -> dict[str, int]:
    return {
        key.removeprefix(prefix): value
        for key, value in sorted(values.items())
        if key.startswith(prefix)
    }


def _site(spider: Spider) -> str:
    profile = getattr(spider, "profile", None)
    return profile.name if profile is not None else spider.name
