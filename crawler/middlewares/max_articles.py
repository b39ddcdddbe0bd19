"""The run's limit of new articles (``-a max_articles=N``) held where an article fetch starts.

The policy is the run's (`ArchiveRun.limit`, `crawler.plan.article_admission`);
this only asks it before each article request goes out, and waits while it
says wait. Requests it holds back once the limit is reached end as
`ArticleLimitReached`, which the spider does not record as a failure: the
next run fetches them. It sits after robots.txt (100): a request robots.txt
forbids is never counted as undecided.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest, NotConfigured

from crawler.extensions.archive_run import ArchiveRun
from crawler.plan.article_admission import Admission

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler


class ArticleLimitReached(IgnoreRequest):
    """Not fetched in this run: it archived the new articles it was limited to."""


class ArticleLimitMiddleware:
    def __init__(self, run: ArchiveRun) -> None:
        self.run = run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        run = crawler.get_extension(ArchiveRun)
        if run is None or run.max_articles is None:
            raise NotConfigured("no limit of new articles")
        return cls(run)

    async def process_request(self, request: Request) -> None:
        article_id = request.cb_kwargs.get("article_id")
        if not isinstance(article_id, str):
            return  # robots.txt, a feed, a sitemap: never an article of its own
        limit = self.run.limit
        while True:
            admission = limit.admit(article_id)
            if admission is Admission.GO:
                return
            if admission is Admission.REACHED:
                raise ArticleLimitReached(f"{article_id}: the run's limit of new articles")
            await limit.wait()
