"""Refusing redirects that leave the crawled host, with a reason the archive records.

Scrapy's OffsiteMiddleware drops such a redirect too, but silently, when it
is scheduled: the page would simply vanish from the run. Refusing it here,
before RedirectMiddleware follows it, sends an IgnoreRequest to the request's
errback, so the page is recorded as failed with reason ``offsite_redirect``.

Another port of the same host is another origin (another server, perhaps
another site), so it is refused too. The one change of port allowed is the
move between the default ports of http and https (80 and 443), which is how
sites send plain-HTTP visitors to HTTPS.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest

from crawler.parsing.urls import reached_port

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
        offsite = domains and not any(host == d or host.endswith(f".{d}") for d in domains)
        if offsite or not same_port(request.url, target):
            self.crawler.stats.inc_value("offsite_redirect/refused")
            raise IgnoreRequest(f"Filtered offsite redirect to {urlsplit(target).netloc!r}")
        return response


def same_port(source: str, target: str) -> bool:
    """Whether a redirect stays on the source's port (or moves between http's and https's)."""
    try:
        source_port, source_default = reached_port(urlsplit(source))
        target_port, target_default = reached_port(urlsplit(target))
    except ValueError:  # a port that is not a number is no port of ours
        return False
    return source_port == target_port or (source_default and target_default)
