"""The archive's duplicate filter, with the seen-set shared in Redis by every worker of a run.

What the archive says still decides first (`ArchiveDupeFilter`: archived
articles are skipped unless due, seeds and due revisits are fetched); what
this run's workers have already queued is the shared part. Article ids are
bits of a Redis bitmap, set and tested in one command (SETBIT answers the
old bit), so two workers finding the same id at once queue it once. Other
requests (listing pages) go by Scrapy's request fingerprint.

The ids this worker learnt are seen are also kept here: a seen-set only
grows during a run, so asking Redis again about them would tell nothing new.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.extensions.archive_run import ArchiveRun
from crawler.plan.dupefilter import ArchiveDupeFilter
from crawler.plan.idset import IdSet

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler

    from crawler.cluster.membership import SharedFrontier


class ClusterDupeFilter(ArchiveDupeFilter):
    frontier: SharedFrontier | None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        # No JOBDIR files: the frontier and what it has seen live in Redis.
        dupefilter = cls(
            None,
            crawler.settings.getbool("DUPEFILTER_DEBUG"),
            fingerprinter=crawler.request_fingerprinter,
        )
        dupefilter.crawler = crawler
        dupefilter.run = crawler.get_extension(ArchiveRun)
        dupefilter.articles = IdSet()
        dupefilter.articles_file = None
        dupefilter.frontier = None
        return dupefilter

    def attach(self, frontier: SharedFrontier) -> None:
        """Use the seen-set of the frontier's current run (called by the scheduler)."""
        self.frontier = frontier
        self.articles = IdSet()

    def article_seen(self, article_id: str) -> bool:
        if article_id in self.articles:
            return True
        assert self.frontier is not None
        self.articles.add(article_id)
        seen = self.frontier.seen_article(article_id)
        if seen:
            self.crawler.stats.inc_value("frontier/seen_by_others")
        return seen

    def other_seen(self, request: Request) -> bool:
        assert self.frontier is not None
        return self.frontier.seen_fingerprint(self.fingerprinter.fingerprint(request).hex())
