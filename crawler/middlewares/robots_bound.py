"""robots.txt read to a bound and obeyed as read, never ignored for being too large.

Scrapy fetches robots.txt like any page: one larger than DOWNLOAD_MAXSIZE is
cancelled, and a robots.txt that cannot be fetched allows everything, so the
crawl would obey nothing. The major crawlers read the first part instead
(Google: 500 KiB) and obey the rules in it. So does this: the request Scrapy's
RobotsTxtMiddleware makes for robots.txt is fetched without the page cap and
stopped once ARCHIVE_ROBOTSTXT_MAXSIZE bytes have arrived (`StopDownload`,
keeping what came); a gzip or deflate body is inflated to the same bound
(never further: no bomb), and a line the bound cut in two is left out, so
that half a rule (``Allow: /a`` of ``Allow: /admin``) never becomes a rule.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import StopDownload
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

_RECEIVED = "robotstxt_bytes_received"
_INFLATED = (b"gzip", b"x-gzip", b"deflate")


def is_robots_request(request: Request) -> bool:
    """The request Scrapy's RobotsTxtMiddleware makes for a host's robots.txt."""
    return bool(request.meta.get("dont_obey_robotstxt")) and (
        urlparse_cached(request).path == "/robots.txt"
    )


class RobotsTxtBoundMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.bound = crawler.settings.getint("ARCHIVE_ROBOTSTXT_MAXSIZE")
        self.page_bound = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        if is_robots_request(request):
            # No cancelling for size (a Content-Length over the cap would cancel it
            # unread): the download is stopped at the bound instead.
            request.meta["download_maxsize"] = 0
            request.meta[_RECEIVED] = 0

    def bytes_received(self, data: bytes, request: Request, spider: object = None) -> None:
        if _RECEIVED not in request.meta:
            return
        request.meta[_RECEIVED] += len(data)
        if request.meta[_RECEIVED] > self.bound:
            raise StopDownload(fail=False)

    def process_response(self, request: Request, response: Response) -> Response:
        if _RECEIVED not in request.meta:
            return response
        # What decompresses after this (brotli, zstd) is bounded as any page is.
        request.meta["download_maxsize"] = self.page_bound
        encoding = response.headers.get("Content-Encoding", b"").strip().lower()
        body = response.body
        if encoding in _INFLATED:
            body = inflated(body, self.bound)
            headers = response.headers.copy()
            del headers["Content-Encoding"]
            response = response.replace(headers=headers)
        elif encoding:
            return response
        if len(body) > self.bound:
            self.crawler.stats.inc_value("robotstxt/truncated")
        return response.replace(body=within(body, self.bound))


def inflated(body: bytes, bound: int) -> bytes:
    """A gzip or zlib (or raw deflate) body inflated to at most `bound` bytes; a stream
    cut short gives what it holds."""
    for wbits in (zlib.MAX_WBITS | 32, -zlib.MAX_WBITS):  # gzip or zlib; raw deflate
        try:
            return zlib.decompressobj(wbits).decompress(body, bound + 1)
        except zlib.error:
            continue
    return b""


def within(body: bytes, bound: int) -> bytes:
    """`body` if it is within `bound`; else its whole lines up to the bound."""
    if len(body) <= bound:
        return body
    cut = body[:bound]
    return cut[: cut.rfind(b"\n") + 1]
