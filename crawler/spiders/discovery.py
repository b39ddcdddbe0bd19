"""The related spider's discovery callbacks: feeds, sitemaps, robots.txt, listing pages,
front pages (the feeds they link to).

With ``-a start=latest`` a run reads where the site announces its articles (the
profile's ``[discovery]``). What each source lists becomes an article request
only through the run's discovery bookkeeping (`crawler.discovery.run`): new
articles are announced (stored) before their pages are requested. The sources
are parsed by the pure readers of `crawler.discovery`, off the reactor's
thread, in one thread of their own (lxml's parsers are not to be moved between
threads).

``DEPTH_LIMIT`` counts related-id hops only: every request a source leads to
(a sitemap it names, an article it lists) starts again at depth 0 (Scrapy's
``depth_reset``), as the seeds do, however many sitemaps deep it was found.

`DiscoverySources` is mixed into the spider rather than being an object of
its own: Scrapy serialises a request's callback (JOBDIR, the disk queue, a
shared frontier) by the name of a spider method.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import scrapy

from crawler.discovery.entries import Entry, SitemapRef
from crawler.discovery.feeds import feed_entries
from crawler.discovery.front_pages import linked_feeds
from crawler.discovery.listings import listing_entries
from crawler.discovery.report import (
    FEED,
    FRONT_PAGE,
    LISTING,
    ROBOTS,
    SITEMAP,
    UNREADABLE,
    SourceError,
)
from crawler.discovery.robots import robots_sitemaps
from crawler.discovery.sitemaps import sitemap_entries
from crawler.plan import failures

if TYPE_CHECKING:
    import logging
    from collections.abc import AsyncIterator, Callable, Iterator
    from typing import TypeVar

    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

    from crawler.discovery.report import SourceReport
    from crawler.discovery.run import DiscoveryRun
    from crawler.extensions.archive_run import ArchiveRun
    from crawler.sites.profile import SiteProfile

    T = TypeVar("T")

_SITEMAP_CHUNK = 1000
"""Sitemap items read at a time in the parser thread, between the crawl's own work."""


class DiscoverySources:
    """Requests for the discovery sources, and their callbacks (mixed into the spider)."""

    # What the spider provides.
    profile: SiteProfile
    base_url: str
    settings: BaseSettings
    logger: logging.LoggerAdapter[logging.Logger]
    run: ArchiveRun | None
    discovery: DiscoveryRun | None

    article_request: Callable[..., scrapy.Request]
    _parser: ThreadPoolExecutor | None = None

    def source_requests(self) -> Iterator[scrapy.Request]:
        """A request for each of the profile's sources (robots.txt first, if it names sitemaps)."""
        sources = self.profile.discovery
        paths = [("/robots.txt", ROBOTS)] if sources.robots_sitemaps else []
        paths += [(path, FRONT_PAGE) for path in sources.front_pages]
        paths += [(path, FEED) for path in sources.feeds]
        paths += [(path, SITEMAP) for path in sources.sitemaps]
        paths += [(path, LISTING) for path in sources.listings]
        for path, kind in paths:
            request = self.source_request(path, kind)
            if request is not None:
                yield request

    def close_sources(self) -> None:
        """Stop the parser thread (when the spider closes)."""
        if self._parser is not None:
            self._parser.shutdown(wait=True, cancel_futures=True)

    def source_request(self, path: str, kind: str, via: str | None = None) -> scrapy.Request | None:
        """A request for a source on the crawled host; None if this run reads it already.

        Without a run (`scrapy seed` queues the sources for a cluster's workers),
        the worker that reads the source opens its report.
        """
        url = urljoin(self.base_url, path)
        discovery = self.discovery
        if discovery is not None and (
            not discovery.may_read(url, kind, via) or discovery.source(url, kind, via) is None
        ):
            return None
        callbacks = {
            ROBOTS: self.parse_robots,
            FRONT_PAGE: self.parse_front_page,
            FEED: self.parse_feed,
            SITEMAP: self.parse_sitemap,
            LISTING: self.parse_listing,
        }
        meta: dict[str, Any] = {"discovery_source": kind, "depth_reset": True}
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

    async def parse_front_page(self, response: Response, source: str) -> AsyncIterator[Any]:
        report = self._source_report(source, FRONT_PAGE)
        text = getattr(response, "text", None)  # a front page that is not HTML links no feed
        feeds = linked_feeds(text, response.url, self.profile, report) if text else []
        self._read(report)
        for path in feeds:
            if (request := self.source_request(path, FEED, via=source)) is not None:
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
            if self.discovery.exhausted:  # the run's entry bound: the rest is not read
                report.warnings.append("not read to its end: the run's entry bound is reached")
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
            request = self.article_request(article_id, announced_by=announced_by)
            request.meta["depth_reset"] = True  # a discovery hop is no related-id hop
            yield request

    async def _in_parser(self, work: Callable[[], T]) -> T:
        if self._parser is None:
            self._parser = ThreadPoolExecutor(max_workers=1, thread_name_prefix="discovery")
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
