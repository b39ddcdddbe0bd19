"""Recording each article fetch as it went over the wire, for the archive's captures.

Placed after every middleware that adds request headers (User-Agent,
Accept-Encoding from HttpCompressionMiddleware at 590, cookies, proxy), so it
sees the request as sent, and, responses travelling back down the chain,
before HttpCompressionMiddleware decodes the body: the bytes kept are the
server's, ``Content-Encoding`` and all. The exchange reaches the spider's
callback as its ``exchange`` argument (`cb_kwargs`); a redirect or a retry
records again, so the callback gets the exchange of the response it reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.clock import utc_now
from crawler.extensions.archive_run import ArchiveRun
from crawler.items import HttpExchange, reason_phrase

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Headers, Response


def wants_capture(request: Request) -> bool:
    """Article pages only: the discovery sources and robots.txt are not captures."""
    return "article_id" in request.cb_kwargs


class CaptureMiddleware:
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.clock = clock

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        run = crawler.get_extension(ArchiveRun)
        return cls(run.clock if run is not None else utc_now)

    def process_response(self, request: Request, response: Response) -> Response:
        if wants_capture(request):
            request.cb_kwargs["exchange"] = exchange(request, response, self.clock())
        return response


def exchange(request: Request, response: Response, at: datetime) -> HttpExchange:
    sent = _pairs(request.headers)
    if not any(name.lower() == "host" for name, _ in sent):
        # Scrapy's HTTP/1.1 client adds it on the wire; the record of the request says so.
        sent.insert(0, ("Host", urlsplit(request.url).netloc))
    return HttpExchange(
        method=request.method,
        url=request.url,
        request_headers=sent,
        http_version=response.protocol or "HTTP/1.1",
        status=response.status,
        # Scrapy keeps no reason phrase of the server's: the standard one stands in.
        reason=reason_phrase(response.status),
        response_headers=_pairs(response.headers),
        body=response.body,
        fetched_at=at.isoformat(),
    )


def _pairs(headers: Headers) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]
