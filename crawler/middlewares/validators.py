"""Asking before downloading: a revisit sends its article's validators.

The validators (``ETag``, ``Last-Modified`` of the article's last accepted
capture) are read here, as each request is about to be downloaded: once a
download, not once for every related id a page lists (most of which the
duplicate filter drops), and never all at the run's start, so memory does
not grow with the archive. A retry of the request keeps what it was given.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

from crawler.extensions.archive_run import ArchiveRun
from crawler.middlewares.capture import wants_capture

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler


class ValidatorsMiddleware:
    def __init__(self, run: ArchiveRun | None) -> None:
        self.run = run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.get_extension(ArchiveRun))

    def process_request(self, request: Request) -> None:
        if self.run is None or not wants_capture(request) or "revalidates" in request.cb_kwargs:
            return
        validators = self.run.validators(request.cb_kwargs["article_id"])
        if validators is None:
            return
        for name, value in validators.headers().items():
            request.headers[name] = value
        request.cb_kwargs["revalidates"] = validators.capture_id
        # The spider reads a 304 as the page confirmed, not as an error.
        request.meta["handle_httpstatus_list"] = [HTTPStatus.NOT_MODIFIED]
