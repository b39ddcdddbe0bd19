"""The `related` spider: from seed articles, follow every related-article id."""

from __future__ import annotations

import asyncio
import inspect
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.http import TextResponse

from crawler import failures, signals
from crawler.archive.schedule import RunPlan
from crawler.archiving import archiving
from crawler.extensions.archive_run import ArchiveRun
from crawler.frontier import queued_requests
from crawler.items import FetchedPage, FetchFailure
from crawler.parsing.fetched import parse_fetched
from crawler.parsing.listing import listed_article_ids
from crawler.parsing.related import related_ids
from crawler.seeds import Seeds, check_base_url, parse_seeds
from crawler.sites import resolve_profile
from crawler.spiders.arguments import refuse_unknown

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
      site      the site profile, by name (default ``alalam_en``); looked for in
                ARCHIVE_SITES_DIR, then among the built-in profiles
      profile   a site profile file (site.toml) instead
      base_url  fetch from this scheme://host[:port] instead of the live site,
                e.g. a local copy

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
            shared_frontier=shared_frontier,
            seeds_required=seeds_required,
            sites_dir=sites_dir,
            **kwargs,
        )
        given = {
            "start": start,
            "ids": ids,
            "site": self.profile.name,  # as resolved: the default, or the profile file's
            "base_url": base_url,
            "profile": profile,
        }
        self.arguments = {name: value for name, value in given.items() if value is not None}
        # Related ids only ever become URLs on this host (OffsiteMiddleware enforces it).
        self.allowed_domains = [urlsplit(self.base_url).hostname or ""]

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

    @staticmethod
    def check_arguments(
        start: str | None = None,
        ids: str | None = None,
        site: str | None = None,
        base_url: str | None = None,
        profile: str | None = None,
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
        site_profile = resolve_profile(site, profile, sites_dir)
        base = check_base_url(base_url or site_profile.base_url)
        required = seeds_required and not shared_frontier
        seeds = parse_seeds(start, site_profile, base, ids, required=required)
        return site_profile, base, seeds

    async def start(self) -> AsyncIterator[scrapy.Request]:
        # What to skip is the run's to decide (ArchiveDupeFilter asks it); the
        # spider asks it what is due and what to resume.
        plan = self.run.plan if self.run is not None else RunPlan()
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
            for path in self.profile.discovery.listings:
                yield scrapy.Request(
                    urljoin(self.base_url, path),
                    callback=self.parse_listing,
                    errback=self.listing_failed,
                    dont_filter=True,
                )

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
        if self.run is not None:
            self.run.listing_read(len(article_ids))
        for article_id in article_ids:
            yield self.article_request(article_id)

    def listing_failed(self, failure: Failure) -> None:
        """A listing page that could not be read: the run counts it, and its health says so."""
        reason, _, message = failures.classify(failure)
        self.logger.warning(
            "The listing %s could not be read: %s",
            failure.request.url,  # type: ignore[attr-defined]
            message,
        )
        if self.run is not None:
            self.run.listing_failed(reason)

    def parse_article(self, response: Response, article_id: str) -> Iterator[Any]:
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
            path = self.profile.article_path.format(id="ID")
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
