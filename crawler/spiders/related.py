"""The `related` spider: from seed articles, follow every related-article id."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import TextResponse

from crawler import failures, signals
from crawler.archive.announcements import Announcements
from crawler.archive.database import create_archive_engine, database_url
from crawler.archive.retrying import with_retries
from crawler.archive.revisits import RevisitPolicy
from crawler.archive.runs import RunLog
from crawler.archive.schedule import RunPlan, plan_run
from crawler.archive.store import ArchiveStore
from crawler.discovery.entries import Entry, SitemapRef
from crawler.discovery.feeds import feed_entries
from crawler.discovery.listings import listing_entries
from crawler.discovery.report import FEED, LISTING, ROBOTS, SITEMAP, SourceError
from crawler.discovery.robots import robots_sitemaps
from crawler.discovery.run import DiscoveryRun
from crawler.discovery.sitemaps import sitemap_entries
from crawler.discovery.window import parse_since, window_start
from crawler.frontier import queued_requests
from crawler.idset import IdSet
from crawler.items import FetchedPage, FetchFailure
from crawler.parsing.related import related_ids
from crawler.seeds import Seeds, check_base_url, parse_seeds
from crawler.sites import get_profile

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterable, Iterator
    from typing import Self, TypeVar

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from sqlalchemy.engine import Engine
    from twisted.python.failure import Failure

    from crawler.archive.announcements import Announced
    from crawler.discovery.report import SourceReport
    from crawler.sites.profile import SiteProfile

    T = TypeVar("T")

_SITEMAP_CHUNK = 1000
"""Sitemap items read at a time in the parser thread, between the crawl's own work."""


class RelatedSpider(scrapy.Spider):
    """Crawl articles by following the related-article list each page embeds.

    Arguments (``-a``):
      start     article ids, article URLs or ``latest`` (the profile's discovery
                sources: feeds, sitemaps, listing pages), comma-separated
      ids       ids and id ranges to back-fill, e.g. ``1808000-1809000``
      site      the site profile (default ``alalam_en``)
      base_url  fetch from this scheme://host[:port] instead of the live site,
                e.g. a local copy
      since     with ``latest``: skip entries dated before this (``2026-11-01``, an
                ISO datetime, or ``all``); default: the profile's window

    With ARCHIVE_INCREMENTAL on (the default), what the archive already holds
    decides what is fetched: archived articles only when due for a revisit,
    and every id an earlier run discovered but did not fetch.
    """

    name = "related"

    def __init__(
        self,
        start: str | None = None,
        ids: str | None = None,
        site: str = "alalam_en",
        base_url: str | None = None,
        since: str | None = None,
        shared_frontier: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.profile, self.base_url, self.seeds = self.check_arguments(
            start=start, ids=ids, site=site, base_url=base_url, shared_frontier=shared_frontier
        )
        self.since = parse_since(since)
        given = {"start": start, "ids": ids, "site": site, "base_url": base_url, "since": since}
        self.arguments = {name: value for name, value in given.items() if value is not None}
        # Related ids only ever become URLs on this host (OffsiteMiddleware enforces it).
        self.allowed_domains = [urlsplit(self.base_url).hostname or ""]
        self.skip_article_ids: IdSet = IdSet()
        """Ids the archive says not to fetch; ArchiveDupeFilter drops their requests."""
        self.discovery: DiscoveryRun | None = None
        """What the discovery sources gave this run (``start=latest``)."""
        self._engine: Engine | None = None
        # Sources are parsed off the reactor's thread, all in this one (lxml's
        # parsers are not to be moved between threads).
        self._parser = ThreadPoolExecutor(max_workers=1, thread_name_prefix="discovery")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        # A worker of a shared frontier (ARCHIVE_FRONTIER) may start with no seeds:
        # it takes the requests the other workers queue.
        kwargs["shared_frontier"] = bool(crawler.settings.get("ARCHIVE_FRONTIER"))
        return super().from_crawler(crawler, *args, **kwargs)

    @staticmethod
    def check_arguments(
        start: str | None = None,
        ids: str | None = None,
        site: str = "alalam_en",
        base_url: str | None = None,
        shared_frontier: bool = False,
        since: str | None = None,
        **_: Any,
    ) -> tuple[SiteProfile, str, Seeds]:
        """The profile, base URL and seeds the arguments name; raises on bad ones."""
        parse_since(since)
        profile = get_profile(site)
        base = check_base_url(base_url or profile.base_url)
        seeds = parse_seeds(start, profile, base, ids, required=not shared_frontier)
        return profile, base, seeds

    async def start(self) -> AsyncIterator[scrapy.Request]:
        plan = self.archive_plan()
        self.skip_article_ids = plan.skip
        self.discovery = self.discovery_run(plan)
        for request in self.seed_requests():
            yield request
        async for article_id in self._paced(plan.due):
            yield self.article_request(article_id, refetch=True)
        async for article_id in self._paced(plan.pending):
            yield self.article_request(article_id)
        async for article_id in self._paced(self.seeds.range_ids()):
            yield self.article_request(article_id)

    def seed_requests(self) -> Iterator[scrapy.Request]:
        """The articles named with `start` (fetched whatever the archive holds), the sources."""
        for article_id in self.seeds.article_ids:
            yield self.article_request(article_id, refetch=True)
        if self.seeds.latest:
            sources = self.profile.discovery
            paths = [("/robots.txt", ROBOTS)] if sources.robots_sitemaps else []
            paths += [(path, FEED) for path in sources.feeds]
            paths += [(path, SITEMAP) for path in sources.sitemaps]
            paths += [(path, LISTING) for path in sources.listings]
            for path, kind in paths:
                request = self.source_request(path, kind)
                if request is not None:
                    yield request

    @property
    def engine(self) -> Engine:
        """The spider's connection to the archive: the run's plan, its announcements."""
        if self._engine is None:
            self._engine = create_archive_engine(database_url(self.settings.get("ARCHIVE_DB")))
        return self._engine

    def closed(self, reason: str) -> None:
        self._parser.shutdown(wait=True, cancel_futures=True)
        if self._engine is not None:
            self._engine.dispose()

    def archive_plan(self) -> RunPlan:
        """What the archive says to revisit, to resume and to skip."""
        if not self.settings.getbool("ARCHIVE_INCREMENTAL"):
            return RunPlan()
        policy = RevisitPolicy.from_settings(self.settings)
        plan = plan_run(ArchiveStore(self.engine), self.profile.name, policy, datetime.now(UTC))
        self.crawler.stats.set_value("archive/revisits_due", len(plan.due))
        self.crawler.stats.set_value("archive/resumed", len(plan.pending))
        self.logger.info(
            "The archive holds %d articles not due; %d due for a revisit; %d to resume",
            len(plan.skip),
            len(plan.due),
            len(plan.pending),
        )
        return plan

    async def _paced(self, article_ids: Iterable[str]) -> AsyncIterator[str]:
        """Feed long seed lists as the crawl takes them, not all into memory at once."""
        limit = self.settings.getint("ARCHIVE_START_QUEUE")
        for article_id in article_ids:
            while queued_requests(self.crawler) > limit:
                await asyncio.sleep(0.05)
            yield article_id

    def article_request(
        self,
        article_id: str,
        *,
        refetch: bool = False,
        announced: dict[str, str | None] | None = None,
    ) -> scrapy.Request:
        """A request for an article page; `refetch` fetches it even if the archive holds it.

        `announced` is what a discovery source said of a new article (source,
        title, publication date): it travels with the request to the fetch.
        """
        cb_kwargs: dict[str, Any] = {"article_id": article_id}
        if announced is not None:
            cb_kwargs["announced"] = announced
        return scrapy.Request(
            self.profile.article_url(article_id, self.base_url),
            callback=self.parse_article,
            errback=self.fetch_failed,
            cb_kwargs=cb_kwargs,
            meta={"archive_refetch": True} if refetch else None,
        )

    # -- discovery: feeds, sitemaps, robots.txt, listing pages (start=latest) -------------

    def discovery_run(self, plan: RunPlan) -> DiscoveryRun:
        """This run's reading of the sources, with its window: how far back entries count."""
        last_read = RunLog(self.engine).last_discovery_start(self.profile.name)
        start = window_start(self.since, self.profile.discovery, last_read, datetime.now(UTC))
        if self.seeds.latest:
            self.logger.info("Discovery: entries dated before %s are old", start.isoformat())
        return DiscoveryRun(
            self.crawler.stats, window_start=start, archived=plan.archived, skip=plan.skip
        )

    def source_request(self, path: str, kind: str, via: str | None = None) -> scrapy.Request | None:
        """A request for a source on the crawled host; None if this run reads it already.

        Without a run (`scrapy seed` queues the sources for a cluster's workers),
        the worker that reads the source opens its report.
        """
        url = urljoin(self.base_url, path)
        if self.discovery is not None and self.discovery.source(url, kind, via) is None:
            return None
        callbacks = {
            ROBOTS: self.parse_robots,
            FEED: self.parse_feed,
            SITEMAP: self.parse_sitemap,
            LISTING: self.parse_listing,
        }
        meta: dict[str, Any] = {"discovery_source": kind}
        if kind == SITEMAP:  # a sitemap of 50,000 URLs is larger than any article page
            meta["download_maxsize"] = self.settings.getint("ARCHIVE_SITEMAP_MAXSIZE")
            meta["download_warnsize"] = self.settings.getint("ARCHIVE_SITEMAP_MAXSIZE")
        return scrapy.Request(
            url,
            callback=callbacks[kind],
            errback=self.source_failed,
            cb_kwargs={"source": url},
            meta=meta,
            # Each source is read once a run (DiscoveryRun.source): an index that
            # names itself is no loop.
            dont_filter=True,
        )

    async def parse_robots(self, response: Response, source: str) -> AsyncIterator[Any]:
        report = self._source_report(source, ROBOTS)
        refs = robots_sitemaps(response.body, response.url, self.profile, report)
        self._read(report)
        for ref in refs:
            if (request := self.source_request(ref.url, SITEMAP, via=source)) is not None:
                yield request

    async def parse_feed(self, response: Response, source: str) -> AsyncIterator[Any]:
        report = self._source_report(source, FEED)
        try:
            entries = await self._in_parser(
                lambda: feed_entries(response.body, response.url, self.profile, report)
            )
        except SourceError as error:
            self._failed(report, str(error))
            return
        async for request in self._requests_for(entries, report):
            yield request
        self._read(report)

    async def parse_sitemap(self, response: Response, source: str) -> AsyncIterator[Any]:
        """Streamed: a chunk of entries at a time is read (off the reactor) and acted on."""
        report = self._source_report(source, SITEMAP)
        items = sitemap_entries(
            response.body,
            response.url,
            self.profile,
            report,
            max_size=self.settings.getint("ARCHIVE_SITEMAP_MAXSIZE"),
        )
        assert self.discovery is not None
        while True:
            try:
                chunk = await self._in_parser(lambda: list(islice(items, _SITEMAP_CHUNK)))
            except SourceError as error:
                self._failed(report, str(error))
                return
            if not chunk:
                break
            for ref in (item for item in chunk if isinstance(item, SitemapRef)):
                if self.discovery.is_old_sitemap(ref):
                    self.discovery.skipped(urljoin(self.base_url, ref.url), SITEMAP, via=source)
                elif (request := self.source_request(ref.url, SITEMAP, via=source)) is not None:
                    yield request
            entries = [item for item in chunk if isinstance(item, Entry)]
            async for request in self._requests_for(entries, report):
                yield request
        self._read(report)

    async def parse_listing(self, response: Response, source: str) -> AsyncIterator[Any]:
        report = self._source_report(source, LISTING)
        entries = listing_entries(response.text, response.url, self.profile, report)
        async for request in self._requests_for(entries, report):
            yield request
        self._read(report)

    def source_failed(self, failure: Failure) -> None:
        """A source that could not be fetched: a warning; every source failing, a degraded run."""
        request = failure.request  # type: ignore[attr-defined]
        _, _, message = failures.classify(failure)
        kind = request.meta.get("discovery_source", "source")
        self._failed(self._source_report(request.cb_kwargs["source"], kind), message)

    async def _requests_for(
        self, entries: list[Entry], report: SourceReport
    ) -> AsyncIterator[scrapy.Request]:
        """Requests for what the run should fetch of `entries`; new ones are stored first."""
        assert self.discovery is not None
        fetch = self.discovery.to_fetch(entries, report)
        announced = self.discovery.announcements(fetch, report)
        if announced:
            await self._announce(announced)
        new = {item.article_id for item in announced}
        for entry in fetch:
            info = entry.announced(report.url) if entry.article_id in new else None
            yield self.article_request(entry.article_id, announced=info)

    async def _announce(self, announced: list[Announced]) -> None:
        """Store what sources say of new articles before fetching them: a run stopped now
        leaves them to the next one."""
        store = Announcements(self.engine)
        run_id = self.crawler.stats.get_value("run/id")
        budget = self.settings.getfloat("ARCHIVE_DB_RETRY_SECONDS")

        def record() -> None:
            with_retries(
                lambda: store.record(
                    self.profile.name, announced, run_id=run_id, at=datetime.now(UTC)
                ),
                budget=budget,
                what=f"storing {len(announced)} announced articles",
            )

        try:
            await asyncio.to_thread(record)
        except Exception as error:  # the pages are still fetched and archived
            self.logger.error(
                "%d announced articles could not be stored: %s", len(announced), error
            )

    async def _in_parser(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._parser, work)

    def _source_report(self, source: str, kind: str) -> SourceReport:
        """The source's report; a worker of a cluster may read a source another one queued."""
        assert self.discovery is not None
        report = self.discovery.reports.get(source) or self.discovery.source(source, kind)
        assert report is not None
        return report

    def _read(self, report: SourceReport) -> None:
        assert self.discovery is not None
        for warning in report.warnings:
            self.logger.warning("Discovery source %s: %s", report.url, warning)
        self.discovery.read(report)

    def _failed(self, report: SourceReport, error: str) -> None:
        assert self.discovery is not None
        self.logger.warning("Discovery source %s failed: %s", report.url, error)
        self.discovery.failed(report, error)

    # -- article pages ---------------------------------------------------------------------

    def parse_article(
        self,
        response: Response,
        article_id: str,
        announced: dict[str, str | None] | None = None,
    ) -> Iterator[Any]:
        if announced is not None and self.discovery is not None:
            self.discovery.fetched(announced["source"] or "")
        if not _is_html(response):
            kind = response.headers.get("Content-Type", b"unknown").decode("latin-1")
            message = f"not an HTML page: {kind}"
            self._report(self._failure(response.request, "not_html", response.status, message))
            return
        article_ids, not_followed = related_ids(response.text, self.profile)
        # Requests first: the item waits for its batch to be stored.
        for related_id in article_ids:
            yield self.article_request(related_id)
        if not_followed:
            self.crawler.stats.inc_value("related/invalid_id", not_followed)
        yield FetchedPage(
            site=self.profile.name,
            article_id=article_id,
            url=response.meta.get("redirect_urls", [response.url])[0],
            final_url=response.url,
            status=response.status,
            content_type=response.headers.get("Content-Type", b"").decode("latin-1") or None,
            encoding=response.encoding,
            body=response.body,
            fetched_at=datetime.now(UTC).isoformat(),
            warnings=list(response.meta.get("fetch_warnings", [])),
        )

    def fetch_failed(self, failure: Failure) -> None:
        """Report an article page that could not be fetched, so the archive records it."""
        request = failure.request  # type: ignore[attr-defined]
        reason, status, message = failures.classify(failure)
        self._report(self._failure(request, reason, status, message))

    def _report(self, failure: FetchFailure) -> None:
        self.crawler.signals.send_catch_log(signals.fetch_failed, failure=failure)

    def _failure(
        self, request: scrapy.Request, reason: str, status: int | None, message: str
    ) -> FetchFailure:
        return FetchFailure(
            site=self.profile.name,
            article_id=request.cb_kwargs["article_id"],
            url=request.meta.get("redirect_urls", [request.url])[0],
            http_status=status,
            reason=reason,
            error=message[:500],
            failed_at=datetime.now(UTC).isoformat(),
        )


def _is_html(response: Response) -> bool:
    """A text response not declared as something else (Scrapy sniffs text-like PDFs as text)."""
    if not isinstance(response, TextResponse):
        return False
    declared = (
        response.headers.get("Content-Type", b"").decode("latin-1").split(";")[0].strip().lower()
    )
    return not declared or declared.startswith("text/") or declared == "application/xhtml+xml"
