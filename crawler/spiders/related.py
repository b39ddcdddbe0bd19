"""The `related` spider: from seed articles, follow every related-article id.

Its arguments are declared in `crawler.spiders.arguments`; the callbacks of
the discovery sources (``-a start=latest``) are in `crawler.spiders.discovery`.
What is left here is the walk the spider's name promises: article requests
for the seeds, the revisits due and the ids left by earlier runs, and for
every related id an article page lists; each page fetched is handed on
whole (`FetchedPage`) for the archive's worker to parse and store.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import TextResponse

from crawler import signals
from crawler.clock import utc_now
from crawler.extensions.archive_run import ArchiveRun, archiving
from crawler.items import FetchedPage, FetchFailure, HttpExchange
from crawler.middlewares.max_articles import ArticleLimitReached
from crawler.parsing.fetched import parse_fetched
from crawler.parsing.related import related_ids
from crawler.plan import failures
from crawler.plan.disk_queue import queued_requests
from crawler.plan.schedule import RunPlan
from crawler.spiders.arguments import RelatedArguments
from crawler.spiders.discovery import DiscoverySources

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from crawler.discovery.run import DiscoveryRun
    from crawler.plan.seeds import Seeds
    from crawler.sites.profile import SiteProfile
    from crawler.spiders.arguments import ResolvedArguments


class RelatedSpider(DiscoverySources, scrapy.Spider):
    """Crawl articles by following the related-article list each page embeds.

    Arguments (``-a``): see `RelatedArguments`. With ARCHIVE_INCREMENTAL on
    (the default), what the archive already holds decides what is fetched:
    archived articles only when due for a revisit, and every id an earlier
    run discovered but did not fetch. Any argument not declared stops the
    crawl (a typo must not crawl the live site); scrapyd's own (``_job``) pass.
    """

    name = "related"

    def __init__(
        self, *, sites_dir: str | None = None, seeds_required: bool = True, **kwargs: Any
    ) -> None:
        given = RelatedArguments.from_kwargs(kwargs, self.name)
        # scrapyd's own arguments (_job, _version) are Scrapy's to keep, as it keeps any.
        super().__init__(**{name: value for name, value in kwargs.items() if name.startswith("_")})
        self.arguments: ResolvedArguments = given.resolve(
            sites_dir=sites_dir, seeds_required=seeds_required
        )
        # Related ids only ever become URLs on this host (OffsiteMiddleware enforces it).
        self.allowed_domains = [urlsplit(self.base_url).hostname or ""]

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        # A worker of a shared frontier (ARCHIVE_FRONTIER) may start with no seeds:
        # it takes the requests the other workers queue. Scrapy's tools that only
        # look (scrapy parse, shell, fetch) bring their own URL, and archive nothing.
        shared_frontier = bool(crawler.settings.get("ARCHIVE_FRONTIER"))
        kwargs["seeds_required"] = archiving(crawler.settings) and not shared_frontier
        kwargs["sites_dir"] = crawler.settings.get("ARCHIVE_SITES_DIR")
        return super().from_crawler(crawler, *args, **kwargs)

    @property
    def profile(self) -> SiteProfile:  # type: ignore[override]
        return self.arguments.profile

    @property
    def base_url(self) -> str:  # type: ignore[override]
        return self.arguments.base_url

    @property
    def seeds(self) -> Seeds:
        return self.arguments.seeds

    @property
    def run(self) -> ArchiveRun | None:  # type: ignore[override]
        """The run this crawl archives into (None when it archives nothing, or unbound)."""
        if not hasattr(self, "crawler"):  # made outside a crawl, as a test makes one
            return None
        return self.crawler.get_extension(ArchiveRun)

    @property
    def discovery(self) -> DiscoveryRun | None:  # type: ignore[override]
        """What the discovery sources gave this run (None before it starts, or not archiving)."""
        return self.run.discovery if self.run is not None else None

    async def start(self) -> AsyncIterator[scrapy.Request]:
        # What to skip is the run's to decide (ArchiveDupeFilter asks it); the
        # spider asks it what is due and what to resume.
        plan = self.run.plan if self.run is not None else RunPlan()
        if self.run is not None:
            window = self.run.open_discovery(self.arguments.since, self.profile.discovery)
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
            yield from self.source_requests()

    def closed(self, reason: str) -> None:
        self.close_sources()

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
        # Ask before downloading: the validators are added as the request is
        # downloaded (crawler.middlewares.validators), a 304 read as the page confirmed.
        meta: dict[str, Any] = {"archive_refetch": True} if refetch else {}
        return scrapy.Request(
            self.profile.article_url(article_id, self.base_url),
            callback=self.parse_article,
            errback=self.fetch_failed,
            cb_kwargs=cb_kwargs,
            meta=meta or None,
        )

    # -- article pages ---------------------------------------------------------------------

    def parse_article(
        self,
        response: Response,
        article_id: str,
        announced_by: str | None = None,
        revalidates: int | None = None,
        exchange: HttpExchange | None = None,
    ) -> Iterator[Any]:
        """`exchange` is the fetch as it went over the wire (crawler.middlewares.capture);
        `revalidates`, the capture whose validators the request sent."""
        if announced_by is not None and self.discovery is not None:
            self.discovery.fetched(announced_by)
        if response.status == HTTPStatus.NOT_MODIFIED and revalidates is not None:
            # Not a failure: the page is as the capture asked about; the archive confirms
            # it, and the walk goes on from the related ids the archived page lists.
            for related_id in self._archived_links(article_id):
                yield self.article_request(related_id)
            yield self._fetched(response, article_id, b"", "utf-8", exchange, revalidates)
            return
        if not _is_html(response):
            kind = response.headers.get("Content-Type", b"unknown").decode("latin-1")
            message = f"not an HTML page: {kind}"
            failure = self._failure(response.request, "not_html", response.status, message)
            failure.exchange = exchange
            self._report(failure)
            return
        try:
            article_ids, not_followed = related_ids(response.text, self.profile)
        except Exception as error:  # the page is still archived; its parse says what is wrong
            self.logger.warning("%s: related ids unreadable (%r), none followed", article_id, error)
            self.crawler.stats.inc_value("related/unreadable")
            article_ids, not_followed = [], 0
        if not article_ids:
            # A page that lists none today (an outage notice, held by the archive's gate)
            # must not end the walk: it goes on from what the archived version lists.
            article_ids = list(self._archived_links(article_id))
        # Requests first: the item waits for its batch to be stored.
        for related_id in article_ids:
            yield self.article_request(related_id)
        if not_followed:
            self.crawler.stats.inc_value("related/invalid_id", not_followed)
        assert isinstance(response, TextResponse)
        yield self._fetched(
            response, article_id, response.body, response.encoding, exchange, revalidates
        )

    def _fetched(
        self,
        response: Response,
        article_id: str,
        body: bytes,
        encoding: str,
        exchange: HttpExchange | None,
        revalidates: int | None,
    ) -> FetchedPage:
        return FetchedPage(
            site=self.profile.name,
            article_id=article_id,
            url=response.meta.get("redirect_urls", [response.url])[0],
            final_url=response.url,
            status=response.status,
            content_type=response.headers.get("Content-Type", b"").decode("latin-1") or None,
            encoding=encoding,
            body=body,
            fetched_at=exchange.fetched_at if exchange is not None else self._now(),
            warnings=list(response.meta.get("fetch_warnings", [])),
            exchange=exchange,
            revalidates=revalidates,
        )

    def _archived_links(self, article_id: str) -> tuple[str, ...]:
        return self.run.archived_links.get(article_id, ()) if self.run is not None else ()

    def _now(self) -> str:
        clock = self.run.clock if self.run is not None else utc_now
        return clock().isoformat()

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
        if failure.check(ArticleLimitReached):
            return  # held back by the run's limit: not a failure, the next run's to fetch
        request = failure.request  # type: ignore[attr-defined]
        reason, status, message = failures.classify(failure)
        failed = self._failure(request, reason, status, message)
        replied = request.cb_kwargs.get("exchange")
        if status is not None and replied is not None and replied.status == status:
            # An error reply (a 404, a 500 after retries) is a fetch too: kept as a capture.
            failed.exchange = replied
        self._report(failed)

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
            failed_at=self._now(),
        )


def _is_html(response: Response) -> bool:
    """A text response not declared as something else (Scrapy sniffs text-like PDFs as text)."""
    if not isinstance(response, TextResponse):
        return False
    declared = (
        response.headers.get("Content-Type", b"").decode("latin-1").split(";")[0].strip().lower()
    )
    return not declared or declared.startswith("text/") or declared == "application/xhtml+xml"
