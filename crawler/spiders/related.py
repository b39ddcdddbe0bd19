"""The `related` spider: from seed articles, follow every related-article id."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import TextResponse

from crawler import failures, signals
from crawler.archive.database import create_archive_engine, database_url
from crawler.archive.revisits import RevisitPolicy
from crawler.archive.schedule import RunPlan, plan_run
from crawler.archive.store import ArchiveStore
from crawler.frontier import queued_requests
from crawler.idset import IdSet
from crawler.items import FetchedPage, FetchFailure
from crawler.parsing.listing import listed_article_ids
from crawler.parsing.related import related_ids
from crawler.seeds import Seeds, check_base_url, parse_seeds
from crawler.sites import get_profile

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from crawler.sites.profile import SiteProfile


class RelatedSpider(scrapy.Spider):
    """Crawl articles by following the related-article list each page embeds.

    Arguments (``-a``):
      start     article ids, article URLs or ``latest`` (the listing pages), comma-separated
      ids       ids and id ranges to back-fill, e.g. ``1808000-1809000``
      site      the site profile (default ``alalam_en``)
      base_url  fetch from this scheme://host[:port] instead of the live site,
                e.g. a local copy

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
        shared_frontier: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.profile, self.base_url, self.seeds = self.check_arguments(
            start=start, ids=ids, site=site, base_url=base_url, shared_frontier=shared_frontier
        )
        given = {"start": start, "ids": ids, "site": site, "base_url": base_url}
        self.arguments = {name: value for name, value in given.items() if value is not None}
        # Related ids only ever become URLs on this host (OffsiteMiddleware enforces it).
        self.allowed_domains = [urlsplit(self.base_url).hostname or ""]
        self.skip_article_ids: IdSet = IdSet()
        """Ids the archive says not to fetch; ArchiveDupeFilter drops their requests."""

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
        **_: Any,
    ) -> tuple[SiteProfile, str, Seeds]:
        """The profile, base URL and seeds the arguments name; raises on bad ones."""
        profile = get_profile(site)
        base = check_base_url(base_url or profile.base_url)
        seeds = parse_seeds(start, profile, base, ids, required=not shared_frontier)
        return profile, base, seeds

    async def start(self) -> AsyncIterator[scrapy.Request]:
        plan = self.archive_plan()
        self.skip_article_ids = plan.skip
        for request in self.seed_requests():
            yield request
        async for article_id in self._paced(plan.due):
            yield self.article_request(article_id, refetch=True)
        async for article_id in self._paced(plan.pending):
            yield self.article_request(article_id)
        async for article_id in self._paced(self.seeds.range_ids()):
            yield self.article_request(article_id)

    def seed_requests(self) -> Iterator[scrapy.Request]:
        """The articles named with `start` (fetched whatever the archive holds), the listings."""
        for article_id in self.seeds.article_ids:
            yield self.article_request(article_id, refetch=True)
        if self.seeds.latest:
            for path in self.profile.listing_paths:
                yield scrapy.Request(
                    urljoin(self.base_url, path), callback=self.parse_listing, dont_filter=True
                )

    def archive_plan(self) -> RunPlan:
        """What the archive says to revisit, to resume and to skip."""
        if not self.settings.getbool("ARCHIVE_INCREMENTAL"):
            return RunPlan()
        engine = create_archive_engine(database_url(self.settings.get("ARCHIVE_DB")))
        try:
            policy = RevisitPolicy.from_settings(self.settings)
            plan = plan_run(ArchiveStore(engine), self.profile.name, policy, datetime.now(UTC))
        finally:
            engine.dispose()
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

    def article_request(self, article_id: str, *, refetch: bool = False) -> scrapy.Request:
        """A request for an article page; `refetch` fetches it even if the archive holds it."""
        return scrapy.Request(
            self.profile.article_url(article_id, self.base_url),
            callback=self.parse_article,
            errback=self.fetch_failed,
            cb_kwargs={"article_id": article_id},
            meta={"archive_refetch": True} if refetch else None,
        )

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        article_ids = listed_article_ids(response.text, response.url, self.profile)
        self.crawler.stats.inc_value("listing/pages")
        self.crawler.stats.inc_value("listing/links", len(article_ids))
        for article_id in article_ids:
            yield self.article_request(article_id)

    def parse_article(self, response: Response, article_id: str) -> Iterator[Any]:
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
