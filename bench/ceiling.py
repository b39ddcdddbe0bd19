"""The ceiling: a spider that only reads related ids and follows them.

It shares the project's settings and the related-list extraction with the
`related` spider, and stores nothing: what the full crawl achieves is
measured against it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import scrapy

from crawler.parsing.related import related_ids
from crawler.sites import get_profile

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator


class CeilingSpider(scrapy.Spider):
    name = "ceiling"
    # Nothing is archived: no pipeline, hence no run record either.
    custom_settings: ClassVar[dict[str, Any]] = {"ITEM_PIPELINES": {}}

    def __init__(
        self, start: str = "1851093", base_url: str = "", site: str = "alalam_en", **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.profile = get_profile(site)
        self.base_url = base_url
        self.seed = start

    async def start(self) -> AsyncIterator[scrapy.Request]:
        yield self.request(self.seed)

    def request(self, article_id: str) -> scrapy.Request:
        return scrapy.Request(
            self.profile.article_url(article_id, self.base_url),
            callback=self.parse_article,
            # Not `article_id`: the capture middleware records the fetches that name one,
            # and the ceiling is the crawl without the archive's work.
            cb_kwargs={"page_id": article_id},
        )

    def parse_article(
        self, response: scrapy.http.TextResponse, page_id: str
    ) -> Iterator[scrapy.Request]:
        article_ids, _ = related_ids(response.text, self.profile)
        for article_id in article_ids:
            yield self.request(article_id)
