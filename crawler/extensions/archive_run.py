"""The run's state in the crawl process, with one owner: `ArchiveRun`.

Spider, duplicate filter, item pipeline and the `crawl` command reach it
through ``crawler.get_extension(ArchiveRun)``; none of them keeps any of it.
It holds:

- the process's one engine on the archive database, with which it checks the
  schema, takes the site's lock, reads the run plan and writes the run's row;
- the run plan (`crawler.plan.schedule`): what to skip, what is due for a
  revisit, what an earlier run left to fetch;
- the counters of outcomes and failures, published into Scrapy's stats
  (``archive/...``), which stay the view the progress line, the stats dump
  and the tests read;
- what the discovery sources (feeds, sitemaps, listings) gave the run
  (`crawler.discovery.run.DiscoveryRun`), and the articles they announce,
  stored before their pages are fetched;
- the `crawl_runs` row, the health verdict (`crawler.archive.health`) and the
  one-line summary, which the `crawl` command prints last and turns into
  the exit code.

It is built when the crawl's settings are applied, after the spider and
before the engine: a database at the wrong schema, or a site whose lock
another run holds, stops the crawl there (`RunRefused`), before any spider
opens or any request is made.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import UTC, datetime, tzinfo
from functools import cached_property
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.settings import SETTINGS_PRIORITIES

from crawler.archive import health
from crawler.archive.database import (
    create_archive_engine,
    database_url,
    redact,
    redact_urls,
    unavailable,
)
from crawler.archive.db_errors import ErrorKind, classify, unwritable
from crawler.archive.gate import SiteSources, site_sources
from crawler.archive.lock import LockedError, SiteLock
from crawler.archive.migrate import ArchiveSchemaError, check_writable, ensure_current
from crawler.archive.reserve import SIZE as RESERVE_SIZE
from crawler.archive.reserve import DiskReserve
from crawler.archive.retrying import with_retries
from crawler.archive.runs import DEGRADED, FAILED, FINISHED, INTERRUPTED, RunCounts, RunLog
from crawler.archive.sites import profile_record
from crawler.archive.store import ArchiveStore
from crawler.archive.validators import (
    Validators,
    archived_links,
    site_has_validators,
    validators_of,
)
from crawler.clock import run_clock
from crawler.cluster.membership import FrontierError, SharedFrontier, connect, frontier_prefix
from crawler.discovery.report import DiscoveryTotals
from crawler.discovery.run import DiscoveryBounds, DiscoveryRun
from crawler.discovery.window import window_start
from crawler.plan.article_admission import ArticleLimit
from crawler.plan.revisits import RevisitPolicy
from crawler.plan.schedule import RunPlan, plan_run
from crawler.spiders.arguments import ResolvedArguments

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import timedelta
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from crawler.archive.announcements import Announced
    from crawler.archive.store import SaveOutcome
    from crawler.sites.profile import Discovery, SiteProfile

logger = logging.getLogger(__name__)

ARCHIVE_PIPELINE = "crawler.pipelines.ArchivePipeline"


def archiving(settings: BaseSettings) -> bool:
    """Whether a crawl archives: when its ArchivePipeline is on. The project's settings
    turn it on; Scrapy's tools that only look at pages (shell, parse, fetch, view) turn
    it off. The one switch the spider, the run and the commands share."""
    return settings.getdict("ITEM_PIPELINES").get(ARCHIVE_PIPELINE) is not None


# Finish reasons the user asked for: the run did what it was told.
MAX_ARTICLES_REASON = "max_articles"
_FINISHED_REASONS = ("finished", "closespider_", MAX_ARTICLES_REASON)
# Counters are published into Scrapy's stats every this many outcomes (and at
# the end): a stats call costs more than a Counter's.
_PUBLISH_EVERY = 100


class RunRefused(RuntimeError):
    """The run cannot start: the database cannot be opened or is at the wrong schema,
    or the site is locked by another run."""

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked


class ArchiveRun:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.settings = crawler.settings
        self.database_url = database_url(crawler.settings.get("ARCHIVE_DB"))
        self.retry_budget = crawler.settings.getfloat("ARCHIVE_DB_RETRY_SECONDS")
        self.engine = create_archive_engine(self.database_url)
        self.runs = RunLog(self.engine)
        self.reserve = DiskReserve(self.database_url)
        self.profile: SiteProfile | None = _profile(crawler.spider)
        """The site's profile, as the spider's arguments resolved it (a name or a file);
        None for a spider that names no site."""
        self.site = self.profile.name if self.profile is not None else _spider_name(crawler.spider)
        self.max_articles: int | None = _max_articles(crawler.spider)
        """New articles after which the run stops (``-a max_articles``); None: no limit."""
        self.lock: SiteLock | None = None
        self.run_id: int | None = None
        self.clock = run_clock(crawler.settings.get("ARCHIVE_CLOCK"))
        """When things happen, as the run records them (a setting can stop it, for tests)."""
        self.started = self.clock()
        self.counts = RunCounts()
        """What the run did so far; Scrapy's stats are a view of it (`publish`)."""
        self.recorded = 0
        """Outcomes recorded so far (pages stored, dropped, or failed)."""
        self.error: str | None = None
        """What broke the run (the archive could not store a batch), if anything."""
        self.status: str | None = None
        self.summary: str | None = None
        self._summary_logged = False
        self._stopping: asyncio.Future[None] | None = None
        self.stopped_at_limit: int | None = None
        """The limit of new articles the run stopped at, once it did."""
        self.notes: list[str] = []
        """What the summary line says besides the counts: the run stopped at its limit,
        a site asked for a Crawl-delay beyond the cap (crawler.middlewares.robots)."""
        self.discovery: DiscoveryRun | None = None
        """What the discovery sources gave this run (``start=latest``), once the spider starts."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not archiving(crawler.settings):
            raise NotConfigured("no archive, no run to keep")
        url = database_url(crawler.settings.get("ARCHIVE_DB"))
        run = None
        try:
            run = cls(crawler)
            run.prepare()
        except Exception as error:
            if run is not None:
                run.release()
            refusal = unavailable(error, url)
            if refusal is not None:
                raise RunRefused(refusal) from None
            raise
        crawler.signals.connect(run.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(run.spider_closed, signal=signals.spider_closed)
        if run.max_articles is not None:
            crawler.signals.connect(run.spider_error, signal=signals.spider_error)
            crawler.signals.connect(run.item_failed, signal=signals.item_dropped)
            crawler.signals.connect(run.item_failed, signal=signals.item_error)
        crawler.signals.connect(run.engine_stopped, signal=signals.engine_stopped)
        return run

    # -- before the crawl: schema and lock ---------------------------------------------------

    def prepare(self) -> None:
        """Bring a fresh database to the schema, refuse a wrong one, take the site's lock."""
        try:
            ensure_current(self.database_url, self.engine)
            check_writable(self.engine, self.database_url)
        except ArchiveSchemaError as error:
            raise RunRefused(str(error)) from None
        shared = bool(self.settings.get("ARCHIVE_FRONTIER"))
        try:
            self.lock = SiteLock(self.engine, self.site, shared=shared)
        except LockedError:
            raise RunRefused(self._locked_message(), locked=True) from None
        # Holding the lock, no other run of this site can be alive: rows still
        # 'running' belong to runs that were killed. Holding it shared, the live
        # workers of the frontier are alive; the others were killed.
        try:
            alive = self._live_workers() if shared else set()
        except FrontierError as error:
            raise RunRefused(str(error)) from None
        self.runs.mark_interrupted(
            [run.id for run in self.runs.running(self.site) if f"{run.host}:{run.pid}" not in alive]
        )

    def _locked_message(self) -> str:
        holder = self.runs.running(self.site)
        who = ""
        if holder:
            run = holder[-1]
            # In the site's time, as the people reading it see its other times.
            since = run.started_at.astimezone(self._zone()).isoformat(" ", "minutes")
            who = f" (run {run.id}, pid {run.pid} on {run.host}, since {since})"
        url = redact(self.database_url)
        return f"another crawl of {self.site} is archiving into {url}{who}; this one stops"

    def _zone(self) -> tzinfo:
        return (self.profile.zone if self.profile is not None else None) or UTC

    def _live_workers(self) -> set[str]:
        assert self.crawler.spider is not None
        server = connect(self.settings["ARCHIVE_FRONTIER"])
        try:
            prefix = frontier_prefix(
                self.settings["ARCHIVE_FRONTIER_KEY"], self.site, self.crawler.spider.name
            )
            return SharedFrontier(server, prefix, "", 0).live_workers()
        finally:
            server.close()

    def release(self) -> None:
        """Let go of the lock and the engine (when the crawl is over, or could not start)."""
        if self.lock is not None:
            self.lock.release()
            self.lock = None
        self.reserve.give_back()
        self.engine.dispose()

    # -- the plan ------------------------------------------------------------------------

    @cached_property
    def plan(self) -> RunPlan:
        """What the archive says to revisit, to resume and to skip (read once, when first asked)."""
        if not self.settings.getbool("ARCHIVE_INCREMENTAL"):
            return RunPlan()
        policy = RevisitPolicy.from_settings(self.settings)
        plan = plan_run(ArchiveStore(self.engine), self.site, policy, self.clock())
        stats = self.crawler.stats
        stats.set_value("archive/revisits_due", len(plan.due))
        stats.set_value("archive/resumed", len(plan.pending))
        logger.info(
            "The archive holds %d articles not due; %d due for a revisit; %d to resume",
            len(plan.skip),
            len(plan.due),
            len(plan.pending),
        )
        return plan

    def gate_sources(self) -> dict[str, SiteSources]:
        """What the quality gate judges this site's pages against (crawler.archive.gate):
        the fields the profile has rules for, and those its rules read in recent runs."""
        if self.profile is None:
            return {}
        settings = self.settings
        recent = self.runs.recent(
            self.site, limit=settings.getint("ARCHIVE_HEALTH_RUNS"), before=self.run_id
        )
        share = settings.getfloat("ARCHIVE_GATE_RULE_SHARE")
        sources = site_sources(self.profile, [run.counts.coverage for run in recent], share)
        logger.info(
            "Quality gate: the rules of %s read %s in recent runs",
            self.site,
            ", ".join(sorted(sources.recent)) if sources.recent is not None else "(no history)",
        )
        return {self.site: sources}

    def validators(self, article_id: str) -> Validators | None:
        """What a fetch of the article asks the server with (If-None-Match, ...), if anything.

        Read as each request is made (one indexed query), incremental or not: a
        full re-crawl asks before downloading too. An article that cannot have
        any costs no query (`_may_have_validators`): the query runs on the
        reactor, and a first crawl would pay it for every page to learn nothing.
        """
        if not self._may_have_validators(article_id):
            return None
        validators = validators_of(self.engine, self.site, article_id)
        if validators is not None:
            self.crawler.stats.inc_value("archive/validators")
        return validators

    def _may_have_validators(self, article_id: str) -> bool:
        """Whether the archive may hold validators of the article, known without a query.

        Only a capture the archive accepted has them, and only an archived
        article has such a capture: an incremental run's plan holds the ids
        archived; a full re-crawl (no plan) asks once whether any capture of
        the site has validators. What the archive held when the run began is
        enough: the duplicate filter lets no article be fetched twice in a run.
        """
        if self.settings.getbool("ARCHIVE_INCREMENTAL"):
            return article_id in self.plan.archived
        return self._site_has_validators

    @cached_property
    def _site_has_validators(self) -> bool:
        return site_has_validators(self.engine, self.site)

    @cached_property
    def archived_links(self) -> dict[str, tuple[str, ...]]:
        """By article id, the related ids its archived version lists (read once)."""
        return archived_links(self.engine, self.site)

    @cached_property
    def limit(self) -> ArticleLimit:
        """What the limit of new articles lets through (crawler.plan.article_admission).

        Only a run with ``max_articles`` asks for it (ArticleLimitMiddleware).
        """
        assert self.max_articles is not None
        return ArticleLimit(self.max_articles, self.plan.archived)

    def skips(self, article_id: str) -> bool:
        """Whether the plan says not to fetch this article (archived and not due, or gone)."""
        if article_id in self.plan.skip:
            self.counts.skipped_known += 1
            return True
        return False

    # -- counting ------------------------------------------------------------------------

    def record(self, outcome: SaveOutcome) -> None:
        """Count what the archive did with a page or a failed fetch."""
        self.counts.record(outcome)
        if self.max_articles is not None:
            self._decided(outcome.article_id, new=outcome.status == "new")
        if outcome.status != "failed":
            for warning in outcome.warnings:
                logger.warning("%s/%s: %s", outcome.site, outcome.article_id, warning)
        self.recorded += 1
        if self.recorded % _PUBLISH_EVERY == 0:
            self.publish()

    def spider_error(self, failure: object, response: Any, spider: Spider) -> None:
        """A page whose callback raised gives no outcome: its fetch is decided, not new."""
        request = getattr(response, "request", None)
        article_id = request.cb_kwargs.get("article_id") if request is not None else None
        if isinstance(article_id, str):
            self._decided(article_id, new=False)

    def note(self, text: str) -> None:
        """Something the summary line is to say besides the counts."""
        self.notes.append(text)

    def item_failed(self, item: Any) -> None:
        """A page the archive could not store gives no outcome: decided, not new (a page
        dropped after its outcome was counted is decided already). Only a run with a
        limit of new articles keeps count."""
        if self.max_articles is None:
            return
        article_id = getattr(item, "article_id", None)
        if isinstance(article_id, str):
            self._decided(article_id, new=False)

    def _decided(self, article_id: str, *, new: bool) -> None:
        limit = self.limit
        limit.decided(article_id, new=new)
        if limit.reached and self.stopped_at_limit is None:
            self.stopped_at_limit = limit.limit
            self.note(f"stopped at the limit of {limit.limit} new articles")
            logger.info("%d new articles archived: the run stops at its limit", limit.new)
            self.crawler.stats.set_value("archive/max_articles_reached", limit.limit)
            self._stopping = asyncio.ensure_future(
                self.crawler.engine.close_spider_async(reason=MAX_ARTICLES_REASON)
            )

    def released(self, outcome: SaveOutcome) -> None:
        """A page held for layout drift early in the run, judged again at its end."""
        self.counts.released(outcome)
        if outcome.status != "held":
            logger.info(
                "%s/%s: held for layout drift before the run could tell, now %s",
                outcome.site,
                outcome.article_id,
                outcome.status,
            )

    # -- discovery ------------------------------------------------------------------------

    def open_discovery(self, since: datetime | None, sources: Discovery) -> datetime:
        """Start this run's reading of the discovery sources; returns its window's start.

        Entries dated before the window are old: ``-a since`` sets it, else the
        profile's `max_age_days` before the last run that read the sources.
        """
        last_read = self.runs.last_discovery_start(self.site)
        start = window_start(since, sources, last_read, self.clock())
        plan = self.plan
        self.discovery = DiscoveryRun(
            self.crawler.stats,
            window_start=start,
            archived=plan.archived,
            skip=plan.skip,
            bounds=DiscoveryBounds.from_settings(self.settings),
        )
        return start

    async def announce(self, announced: list[Announced]) -> None:
        """Store what sources say of new articles before their pages are fetched, off the
        reactor's thread: a run stopped now leaves them to the next one."""
        store = ArchiveStore(self.engine)

        def record() -> None:
            with_retries(
                lambda: store.announce(self.site, announced, run_id=self.run_id, at=self.clock()),
                budget=self.retry_budget,
                what=f"storing {len(announced)} announced articles",
            )

        try:
            await asyncio.to_thread(record)
        except Exception as error:  # the pages are still fetched and archived
            logger.error("%d announced articles could not be stored: %s", len(announced), error)

    def stop(self, reason: str, error: str) -> None:
        """Something the run needs broke (the archive, the shared frontier): the run fails
        with `error`, and the crawl closes as `reason`.

        The first error is the one the run's row and summary give. Closing is not
        awaited here: it waits for the items in flight, which may be the caller's.
        """
        if self.error is not None:
            return
        self.error = error
        if self.max_articles is not None:
            self.limit.stop()  # no fetch may wait for an outcome that will not come
        self.crawler.stats.set_value("archive/error", error)
        self._stopping = asyncio.ensure_future(
            self.crawler.engine.close_spider_async(reason=reason)
        )

    def publish(self) -> None:
        """Bring Scrapy's stats, the counts' published view, up to date."""
        stats = self.crawler.stats
        for key, count in self.counts.stats().items():
            stats.set_value(key, count)

    def run_counts(self) -> RunCounts:
        """The run's counts as its row keeps them, now that it closes."""
        discovery = self.discovery.record() if self.discovery and self.discovery.reports else None
        self.counts.close(discovery)
        self.publish()
        return self.counts

    # -- the row -----------------------------------------------------------------------

    def spider_opened(self, spider: Spider) -> None:
        self.started = self.clock()
        runs = self.runs
        if not self.reserve.take():
            self._not_started(
                "the archive database cannot take writes: its disk is full (no room for the "
                f"{RESERVE_SIZE // 1024} KiB a run keeps to close its row); free space beside "
                "the database file and run again"
            )
            return
        try:
            self.run_id = with_retries(
                lambda: runs.start(
                    site=self.site,
                    spider=spider.name,
                    arguments=self._arguments(spider),
                    host=socket.gethostname(),
                    pid=os.getpid(),
                    at=self.started,
                ),
                budget=self.retry_budget,
                what="opening the run record",
            )
        except Exception as error:  # a full disk, a database gone read-only: one line, not a trace
            if classify(error) is not ErrorKind.UNWRITABLE:
                raise
            self._not_started(str(unwritable(error)))
            return
        self.crawler.stats.set_value("run/id", self.run_id)
        logger.info("Run %d of %s started", self.run_id, self.site)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        try:
            self._close(reason)
        finally:
            self.release()

    def _not_started(self, message: str) -> None:
        logger.error("The run could not be recorded, stopping the crawl: %s", message)
        self.stop("archive_failed", message)
        self.status, self.summary = FAILED, f"The run could not start: {message}"

    def engine_stopped(self) -> None:
        self.release()
        self.log_summary()

    def log_summary(self) -> None:
        """The summary line, once, as the log's last line: Scrapy's stats dump and its
        "Spider closed" come before the engine stops, so a job log (scrapyd's) ends with it."""
        if self.summary is None or self._summary_logged:
            return
        self._summary_logged = True
        (logger.info if self.status == FINISHED else logger.warning)(self.summary)

    def abandon(self) -> None:
        """Close the row of a run whose crawl ended without closing it.

        A second Ctrl-C stops Scrapy at once, with no `spider_closed`: pages in
        flight are not stored (the next run fetches them), and the row says so
        rather than staying `running`.
        """
        if self.run_id is not None and self.status is None:
            try:
                self._close("shutdown_forced")
            finally:
                self.release()
                self.log_summary()

    def _close(self, reason: str) -> None:
        if self.run_id is None:
            return
        runs, run_id, stats = self.runs, self.run_id, self.crawler.stats
        counts = self.run_counts()
        status, message = self._status(reason)
        finished = self.clock()

        def finish() -> None:
            runs.finish(
                run_id,
                status=status,
                finish_reason=reason,
                message=message,
                counts=counts,
                at=finished,
            )

        try:
            if status == FINISHED:
                message = self._health(counts)
                status = DEGRADED if message else status
            try:
                with_retries(finish, budget=self.retry_budget, what="closing the run record")
            except Exception:
                if not self.reserve.give_back():  # the disk filled up: the space kept for this
                    raise
                finish()
        except Exception as error:  # the crawl is over; say so rather than lose the summary
            logger.error("Run %d could not be recorded as %s: %s", run_id, status, error)
        self.status = status
        self.summary = summary_line(
            run_id, status, finished - self.started, counts, message, self.notes
        )
        stats.set_value("run/status", status)
        stats.set_value("run/summary", self.summary)

    def _status(self, reason: str) -> tuple[str, str | None]:
        if self.error is not None:  # whatever the reason the spider closed with
            return FAILED, f"{reason}: {self.error}"
        if reason.startswith(_FINISHED_REASONS):
            return FINISHED, None
        if reason == "shutdown":
            return INTERRUPTED, "stopped by a signal"
        if reason == "shutdown_forced":
            return INTERRUPTED, "stopped by a second signal: pages in flight were not stored"
        return FAILED, reason

    def _health(self, counts: RunCounts) -> str | None:
        """Why the run is degraded (see crawler.archive.health), or None."""
        settings = self.settings
        recent = self.runs.recent(
            self.site, limit=settings.getint("ARCHIVE_HEALTH_RUNS"), before=self.run_id
        )
        return health.assess(
            counts,
            [run.counts for run in recent],
            tolerance=settings.getfloat("ARCHIVE_HEALTH_TOLERANCE"),
            min_pages=settings.getint("ARCHIVE_HEALTH_MIN_PAGES"),
        )

    @staticmethod
    def _spider_arguments(spider: Spider) -> dict[str, str]:
        arguments = getattr(spider, "arguments", None)
        return arguments.recorded() if isinstance(arguments, ResolvedArguments) else {}

    def _arguments(self, spider: Spider) -> dict[str, Any]:
        """Spider arguments and command-line settings, as given; passwords redacted."""
        settings = self.settings
        given = {
            name: settings[name]
            for name in settings
            if settings.getpriority(name) == SETTINGS_PRIORITIES["cmdline"]
        }
        arguments: dict[str, Any] = {
            "spider": self._spider_arguments(spider),
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
        arguments = redact_urls(arguments)
        # After redaction: the profile's text is kept byte for byte, as its SHA-256 says.
        used = profile_record(self.profile) if self.profile is not None else None
        if used is not None:
            arguments["profile"] = used
        return arguments


def summary_line(
    run_id: int,
    status: str,
    took: timedelta,
    counts: RunCounts,
    message: str | None,
    notes: Sequence[str] = (),
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
    if counts.not_modified:
        parts.append(f"{counts.not_modified} not modified")
    if counts.held:
        parts.append(f"{sum(counts.held.values())} held")
    parts.append(f"{sum(counts.dropped.values())} dropped")
    parts.append(f"{sum(counts.http_errors.values())} failed fetches")
    coverage = " ".join(
        f"{name} {share:.0%}" for name, share in counts.coverage.items() if name in health.FIELDS
    )
    line = f"Run {run_id} {status} in {seconds // 60}m{seconds % 60:02d}s: {', '.join(parts)}"
    if coverage:
        line += f"; coverage {coverage}"
    if counts.discovery is not None:
        line += f"; {DiscoveryTotals.of(counts.discovery).summary()}"
    for note in notes:
        line += f"; {note}"
    if message:
        line += f" - {message}"
    return line


def _profile(spider: Spider | None) -> SiteProfile | None:
    """The profile the spider's arguments resolved (crawler.spiders.arguments), if any."""
    arguments = getattr(spider, "arguments", None)
    return arguments.profile if isinstance(arguments, ResolvedArguments) else None


def _max_articles(spider: Spider | None) -> int | None:
    arguments = getattr(spider, "arguments", None)
    return arguments.max_articles if isinstance(arguments, ResolvedArguments) else None


def _spider_name(spider: Spider | None) -> str:
    return spider.name if spider is not None else "unknown"
