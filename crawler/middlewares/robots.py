"""robots.txt fetched once a run, though three parts of the crawl read it.

Scrapy's RobotsTxtMiddleware fetches a host's robots.txt before the first
request to it, to obey it; discovery (``robots_sitemaps``) then asks for the
same file, for its ``Sitemap:`` lines. This middleware keeps the response the
robots check got and answers any later request for that robots.txt with it,
so the site sees one request and both read the same text.

It must sit after RobotsTxtMiddleware (100): the check has fetched the file
by the time a request reaches it. A robots.txt that could not be fetched at
all is not kept: the next request for it downloads it (and discovery reports
what went wrong). Without ROBOTSTXT_OBEY nothing is kept, and discovery
fetches the file itself.

Scrapy's check reads robots.txt's ``Crawl-delay`` and does nothing with it;
this applies it, when the check's response comes: the host's download slot
waits the delay `crawler.plan.crawl_delay` chooses (the site's, up to
ARCHIVE_CRAWL_DELAY_MAX), slots made for the host later too, and AutoThrottle
is told not to lower it. A site asking for more than the cap is reported: a
warning, the ``robots/crawl_delay_capped`` stat and a note in the run's summary.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.http.request import NO_CALLBACK
from scrapy.utils.httpobj import urlparse_cached

from crawler.discovery.robots import crawl_delay
from crawler.extensions.archive_run import ArchiveRun
from crawler.plan.crawl_delay import CrawlDelay, choose_crawl_delay

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.core.downloader import Downloader
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


class SharedRobotsTxtMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._fetched: dict[tuple[str, str], Response] = {}
        """The robots check's response, by the scheme and host it was asked of."""
        self.delays: dict[str, CrawlDelay] = {}
        """The Crawl-delay applied, by download slot (the host)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> Response | None:
        url = urlparse_cached(request)
        if self.delays:
            delay = self.delays.get(self._downloader().get_slot_key(request))
            if delay is not None and delay.delay > self._autothrottle_floor():
                # AutoThrottle would bring the slot's delay down to DOWNLOAD_DELAY.
                request.meta["autothrottle_dont_adjust_delay"] = True
        if url.path != "/robots.txt" or _is_the_robots_check(request):
            return None
        fetched = self._fetched.get((url.scheme, url.netloc))
        if fetched is None:
            return None
        return fetched.replace(request=request, flags=[*fetched.flags, "robots check's"])

    def process_response(self, request: Request, response: Response) -> Response:
        if _is_the_robots_check(request):
            # Asked of the host the check was for, whatever it was redirected to.
            asked_url = request.meta.get("redirect_urls", [request.url])[0]
            asked = urlsplit(asked_url)
            if (asked.scheme, asked.netloc) not in self._fetched and response.status == 200:
                self._apply_crawl_delay(request.replace(url=asked_url), response)
            self._fetched.setdefault((asked.scheme, asked.netloc), response)
        return response

    # -- Crawl-delay ----------------------------------------------------------------------

    def _apply_crawl_delay(self, asked: Request, response: Response) -> None:
        settings = self.crawler.settings
        user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "*"
        seconds = crawl_delay(response.body, user_agent)
        if seconds is None:
            return
        downloader = self._downloader()
        key = downloader.get_slot_key(asked)
        delay = choose_crawl_delay(
            key,
            seconds,
            cap=settings.getfloat("ARCHIVE_CRAWL_DELAY_MAX"),
            download_delay=settings.getfloat("DOWNLOAD_DELAY"),
        )
        self.delays[key] = delay
        # A slot made later for the host (the downloader drops idle ones) starts with it too.
        downloader.per_slot_settings.setdefault(key, {})["delay"] = delay.delay
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.delay = max(slot.delay, delay.delay)
        stats = self.crawler.stats
        stats.max_value("robots/crawl_delay", delay.delay)
        if delay.capped:
            stats.inc_value("robots/crawl_delay_capped")
            logger.warning("Crawl-delay capped: %s", delay.note())
            run = self.crawler.get_extension(ArchiveRun)
            if run is not None:
                run.note(delay.note())
        else:
            logger.info(
                "%s: robots.txt asks a Crawl-delay of %gs; its fetches start %gs apart",
                key,
                delay.asked,
                delay.delay,
            )

    def _downloader(self) -> Downloader:
        # Asked only once requests flow: the engine (and its downloader) exists by then.
        assert self.crawler.engine is not None
        return self.crawler.engine.downloader

    def _autothrottle_floor(self) -> float:
        """The delay AutoThrottle brings a slot down to (its minimum, DOWNLOAD_DELAY)."""
        settings = self.crawler.settings
        if not settings.getbool("AUTOTHROTTLE_ENABLED"):
            return float("inf")
        return settings.getfloat("DOWNLOAD_DELAY")


def _is_the_robots_check(request: Request) -> bool:
    """The request RobotsTxtMiddleware makes (no callback; it skips the check itself)."""
    return request.callback is NO_CALLBACK and bool(request.meta.get("dont_obey_robotstxt"))
