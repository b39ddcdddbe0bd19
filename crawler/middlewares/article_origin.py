"""Refusing an article request that would leave the crawled site, with a reason recorded.

An article's URL is built from the profile's template on base_url, and the
profile loader refuses any template that could leave base_url's origin
(crawler.sites.loader). This is the request path's own check, for whatever
got past that: a request for an article (one carrying an ``article_id``) to
another scheme, host or port is refused before robots.txt is asked or a
connection made, and its errback records the article as failed with
reason ``offsite_article`` instead of the page silently vanishing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from crawler.parsing.urls import same_origin

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler

OFFSITE_ARTICLE = "Offsite article request"


class ArticleOriginMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        base_url = getattr(self.crawler.spider, "base_url", None)
        if not base_url or "article_id" not in request.cb_kwargs:
            return
        if not same_origin(request.url, base_url):
            self.crawler.stats.inc_value("offsite_article/refused")
            raise IgnoreRequest(
                f"{OFFSITE_ARTICLE} to {urlsplit(request.url).netloc!r}, not {base_url}"
            )
