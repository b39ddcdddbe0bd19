"""Refusing redirects that leave the crawled host, with a reason the archive records.

Scrapy's OffsiteMiddleware drops such a redirect too, but silently, when it
is scheduled: the page would simply vanish from the run. Refusing it here,
before RedirectMiddleware follows it, sends an IgnoreRequest to the request's
errback, so the page is recorded as failed with reason ``offsite_redirect``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class OffsiteRedirectMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get("Location")
        if not (300 <= response.status < 400 and location):
            return response
        domains = getattr(self.crawler.spider, "allowed_domains", None)
        target = urljoin(request.url, location.decode("latin-1"))
        host = (urlsplit(target).hostname or "").lower()
        if domains and not any(host == d or host.endswith(f".{d}") for d in domains):
            self.crawler.stats.inc_value("offsite_redirect/refused")
            raise IgnoreRequest(f"Filtered offsite redirect to {urlsplit(target).netloc!r}")
        return response
