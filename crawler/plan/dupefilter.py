"""Scrapy's duplicate filter, told what the archive already holds, with a small memory.

An article request is identified by its article id, kept in a bitmap
(`IdSet`), so the seen-set of a crawl of millions of pages stays within a
megabyte or two rather than growing with every request. A request for an
article the run's plan skips (archived and not due, or gone and not due for
a retry; see `ArchiveRun`) counts as seen, so it is dropped before any
download, unless its ``archive_refetch`` meta key asks for it (a seed the
user named, a revisit that is due). A redirect continues a fetch already let
through. Anything else is Scrapy's RFPDupeFilter. With JOBDIR, seen article
ids are appended to ``articles.seen`` as they come, as RFPDupeFilter does
with ``requests.seen``, and read back on resume.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.job import job_dir

from crawler.extensions.archive_run import ArchiveRun
from crawler.plan.idset import IdSet
from crawler.sites.profile import is_article_id

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler


class ArchiveDupeFilter(RFPDupeFilter):
    crawler: Crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        dupefilter = super().from_crawler(crawler)
        dupefilter.crawler = crawler
        dupefilter.run = crawler.get_extension(ArchiveRun)
        dupefilter.articles = IdSet()
        dupefilter.articles_file = None
        directory = job_dir(crawler.settings)
        if directory:
            path = Path(directory, "articles.seen")
            if path.exists():
                dupefilter.articles = IdSet(path.read_text().split())
            dupefilter.articles_file = path.open("a")  # open for the crawl; close() closes it
        return dupefilter

    run: ArchiveRun | None
    """The run whose plan says what to skip; None when nothing is archived."""
    articles: IdSet
    articles_file: TextIO | None

    def request_seen(self, request: Request) -> bool:
        if request.meta.get("redirect_times"):
            # A redirect continues a fetch this filter let through; REDIRECT_MAX_TIMES
            # bounds it, and its failure (a loop) must reach the errback to be recorded.
            return False
        article_id = request.cb_kwargs.get("article_id")
        if not isinstance(article_id, str) or not is_article_id(article_id):
            return self.other_seen(request)
        run = self.run
        if run is not None and not request.meta.get("archive_refetch") and run.skips(article_id):
            return True
        return self.article_seen(article_id)

    def article_seen(self, article_id: str) -> bool:
        """Whether this crawl has seen the article id before; records it if not."""
        if not self.articles.add(article_id):
            return True
        if self.articles_file is not None:
            self.articles_file.write(f"{article_id}\n")
        return False

    def other_seen(self, request: Request) -> bool:
        """Whether a request for anything but an article was seen: Scrapy's fingerprints."""
        return super().request_seen(request)

    def close(self, reason: str) -> None:
        if self.articles_file is not None:
            self.articles_file.close()
        super().close(reason)
