"""The `related` spider: from seed articles, follow every related-article id."""

from __future__ import annotations

import asyncio
import inspect
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import TextResponse

from crawler import signals
from crawler.discovery.entries import Entry, SitemapRef
from crawler.discovery.feeds import feed_entries
from crawler.discovery.listings import listing_entries
from crawler.discovery.report import FEED, LISTING, ROBOTS, SITEMAP, UNREADABLE, SourceError
from crawler.discovery.robots import robots_sitemaps
from crawler.discovery.sitemaps import sitemap_entries
from crawler.discovery.window import parse_since
from crawler.extensions.archive_run import ArchiveRun, archiving
from crawler.items import FetchedPage, FetchFailure
from crawler.parsing.fetched import parse_fetched
from crawler.parsing.related import related_ids
from crawler.plan import failures
from crawler.plan.disk_queue import queued_requests
from crawler.plan.schedule import RunPlan
from crawler.plan.seeds import Seeds, check_base_url, parse_seeds
from crawler.sites import resolve_profile
from crawler.spiders.arguments import refuse_unknown

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterable, Iterator
    from typing import Self, TypeVar

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from crawler.discovery.report import SourceReport
    from crawler.discovery.run import DiscoveryRun
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
      site      the site profile, by name (default ``alalam_en``); looked for in
                ARCHIVE_SITES_DIR, then among the built-in profiles
      profile   a site profile file (site.toml) instead
      base_url  fetch from this scheme://host[:port] instead of the live site,
                e.g. a local copy
      since     with ``latest``: skip entries dated before this (``2026-11-01``, an
                ISO datetime, or ``all``); default: the profile's window

    With ARCHIVE_INCREMENTAL on (the default), what the archive already holds
    decides what is fetched: archived articles only when due for a revisit,
    and every id an earlier run discovered but did not fetch.

    Any other argument stops the crawl (a typo must not crawl the live site);
    scrapyd's own (``_job``) pass.
    """

    name = "related"

    def __init__(
        self,
        start: str | None = None,
        ids: str | None = None,
        site: str | None = None,
        base_url: str | None = None,
        profile: str | None = None,
        since: str | None = None,
        *,
        shared_frontier: bool = False,
        seeds_required: bool = True,
        sites_dir: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.profile, self.base_url, self.seeds = self.check_arguments(
            start=start,
            ids=ids,
            site=site,
            base_url=base_url,
            profile=profile,
            since=since,
            shared_frontier=shared_frontier,
            seeds_required=seeds_required,
            sites_dir=sites_dir,
            **kwargs,
        )
        self.since = parse_since(since)
        given = {
            "start": start,
            "ids": ids,
            "site": self.profile.name,  # as resolved: the default, or the profile file's
            "base_url": base_url,
            "profile": profile,
            "since": since,
        }
        self.arguments = {name: value for name, value in given.items() if value is not None}
        # Related ids only ever become URLs on this host (OffsiteMiddleware enforces it).
        self.allowed_domains = [urlsplit(self.base_url).hostname or ""]
        # Discovery sources are parsed off the reactor's thread, all in this one
        # (lxml's parsers are not to be moved between threads).
        self._parser = ThreadPoolExecutor(max_workers=1, thread_name_prefix="discovery")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        # A worker of a shared frontier (ARCHIVE_FRONTIER) may start with no seeds:
        # it takes the requests the other workers queue. Scrapy's tools that only
        # look (scrapy parse, shell, fetch) bring their own URL, and archive nothing.
        kwargs["shared_frontier"] = bool(crawler.settings.get("ARCHIVE_FRONTIER"))
        kwargs["seeds_required"] = archiving(crawler.settings)
        kwargs["sites_dir"] = crawler.settings.get("ARCHIVE_SITES_DIR")
        return super().from_crawler(crawler, *args, **kwargs)

    @property
    def run(self) -> ArchiveRun | None:
        """The run this crawl archives into (None when it archives nothing)."""
        return self.crawler.get_extension(ArchiveRun)

    @property
    def discovery(self) -> DiscoveryRun | None:
        """What the discovery sources gave this run (None before it starts, or not archiving)."""
        return self.run.discovery if self.run is not None else None

    @staticmethod
    def check_arguments(
        start: str | None = None,
        ids: str | None = None,
        site: str | None = None,
        base_url: str | None = None,
        profile: str | None = None,
        since: str | None = None,
        *,
        shared_frontier: bool = False,
        seeds_required: bool = True,
        sites_dir: str | None = None,
        **others: Any,
    ) -> tuple[SiteProfile, str, Seeds]:
        """The profile, base URL and seeds the arguments name; raises on bad ones.

        The user's arguments are the parameters before the `*`; the others are
        set by the crawl itself.
        """
        refuse_unknown(RelatedSpider.name, others, _USER_ARGUMENTS)
        parse_since(since)
        site_profile = resolve_profile(site, profile, sites_dir)
        base = check_base_url(base_url or site_profile.base_url)
        required = seeds_required and not shared_frontier
        seeds = parse_seeds(start, site_profile, base, ids, required=required)
        return site_profile, base, seeds

    async def start(self) -> AsyncIterator[scrapy.Request]:
        # What to skip is the run's to decide (ArchiveDupeFilter asks it); the
        # spider asks it what is due and what to resume.
        plan = self.run.plan if self.run is not None else RunPlan()
        if self.run is not None:
            window = self.run.open_discovery(self.since, self.profile.discovery)
            if self.seeds.latest:
                self.logger.info("Discovery: entries dated before %s are old", window.isoformat())
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

    def closed(self, reason: str) -> None:
        self._parser.shutdown(wait=True, cancel_futures=True)

    async def _paced(self, article_ids: Iterable[str]) -> AsyncIterator[str]:
        """Feed long seed lists as the crawl takes them, not all into memory at once."""
        limit = self.settings.getint("ARCHIVE_START_QUEUE")
        for article_id in article_ids:
            while queued_requests(self.crawler) > limit:
                await asyncio.sleep(0.05)
            yield article_id

    def article_request(
        self, article_id: str, *, refetch: bool = False, announced_by: str | None = None
    ) -> scrapy.Request:
        """A request for an article page; `refetch` fetches it even if the archive holds it.

        `announced_by` is the discovery source that named a new article, whose
        report counts the fetch (what it said of the article is in the
        announcements table, not in every queued request).
        """
        cb_kwargs: dict[str, Any] = {"article_id": article_id}
        if announced_by is not None:
            cb_kwargs["announced_by"] = announced_by
        return scrapy.Request(
            self.profile.article_url(article_id, self.base_url),
            callback=self.parse_article,
            errback=self.fetch_failed,
            cb_kwargs=cb_kwargs,
            meta={"archive_refetch": True} if refetch else None,
        )

    # -- discovery: feeds, sitemaps, robots.txt, listing pages (start=latest) -------------

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
            self._failed(report, str(error), UNREADABLE)
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
                self._failed(report, str(error), UNREADABLE)
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
        reason, _, message = failures.classify(failure)
        kind = request.meta.get("discovery_source", "source")
        self._failed(self._source_report(request.cb_kwargs["source"], kind), message, reason)

    async def _requests_for(
        self, entries: list[Entry], report: SourceReport
    ) -> AsyncIterator[scrapy.Request]:
        """Requests for what the run should fetch of `entries`; new ones are stored first."""
        assert self.discovery is not None
        fetch, announced = self.discovery.to_fetch(entries, report)
        # Stored before the pages are fetched: a run stopped now leaves them to the next one.
        if announced and self.run is not None:
            await self.run.announce(announced)
        for article_id, announced_by in fetch:
            yield self.article_request(article_id, announced_by=announced_by)

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

    def _failed(self, report: SourceReport, error: str, reason: str) -> None:
        assert self.discovery is not None
        self.logger.warning("Discovery source %s failed: %s", report.url, error)
        self.discovery.failed(report, error, reason)

    # -- article pages ---------------------------------------------------------------------

    def parse_article(
        self,
        response: Response,
        article_id: str,
        announced_by: str | None = None,
    ) -> Iterator[Any]:
        if announced_by is not None and self.discovery is not None:
            self.discovery.fetched(announced_by)
        if not _is_html(response):
            kind = response.headers.get("Content-Type", b"unknown").decode("latin-1")
            message = f"not an HTML page: {kind}"
            self._report(self._failure(response.request, "not_html", response.status, message))
            return
        try:
            article_ids, not_followed = related_ids(response.text, self.profile)
        except Exception as error:  # the page is still archived; its parse says what is wrong
            self.logger.warning("%s: related ids unreadable (%r), none followed", article_id, error)
            self.crawler.stats.inc_value("related/unreadable")
            article_ids, not_followed = [], 0
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

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """An article page to the record the archive would store, parsed here (`scrapy parse`).

        A crawl hands the raw page to the archive's worker process instead
        (parse_article); this runs the same parsing functions in-process, so
        the record shown is the one the archive stores, with the requests for
        the related articles.
        """
        url = response.meta.get("redirect_urls", [response.url])[0]
        article_id = self.profile.article_id_from_url(url)
        if article_id is None:
            path = self.profile.article.url.format(id="ID")
            self.logger.error("%s is not an article page of %s (%s)", url, self.profile.name, path)
            return
        for output in self.parse_article(response, article_id):
            if not isinstance(output, FetchedPage):
                yield output
                continue
            result = parse_fetched(output, self.profile)
            for warning in result.warnings:
                self.logger.warning("%s/%s: %s", output.site, article_id, warning)
            if result.article is None:
                self.logger.warning(
                    "%s/%s dropped: %s", output.site, article_id, result.drop_reason
                )
            else:
                yield result.article

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


_USER_ARGUMENTS = [
    name
    for name, parameter in inspect.signature(RelatedSpider.check_arguments).parameters.items()
    if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
]


def _is_html(response: Response) -> bool:
    """A text response not declared as something else (Scrapy sniffs text-like PDFs as text)."""
    if not isinstance(response, TextResponse):
        return False
    declared = (
        response.headers.get("Content-Type", b"").decode("latin-1").split(";")[0].strip().lower()
    )
    return not declared or declared.startswith("text/") or declared == "application/xhtml+xml"
