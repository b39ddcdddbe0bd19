"""Item pipelines. One job each; order is set by ITEM_PIPELINES in settings."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem

from crawler import signals
from crawler.archive.database import database_url, redact
from crawler.archive.db_errors import ArchiveUnwritable
from crawler.archive.migrate import ensure_current
from crawler.archive.writer import ArchiveWriter
from crawler.items import FetchedPage, FetchFailure

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

    from crawler.archive.store import SaveOutcome

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Archives each fetched page and passes on the article record as stored.

    Pages the spider could not fetch arrive as the `fetch_failed` signal and
    are recorded in the same batches.

    Parsing and storing happen in the archive worker process, in batches; what
    comes back is the normalised record with its version, which is what feed
    exports (`-O items.jsonl`) write. A page the parser rejects is dropped
    with its reason, and its raw HTML is still archived for a later re-parse.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.database_url = database_url(settings.get("ARCHIVE_DB"))
        self.batch_size = settings.getint("ARCHIVE_BATCH_SIZE")
        self.batch_seconds = settings.getfloat("ARCHIVE_BATCH_SECONDS")
        self.retry_budget = settings.getfloat("ARCHIVE_DB_RETRY_SECONDS")
        self.max_waiting = settings.getint("ARCHIVE_MAX_WAITING")
        self.writer: ArchiveWriter | None = None
        self.failed = False
        self._counts: Counter[str] = Counter()
        self._recorded = 0
        self._closing: asyncio.Future[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.fetch_failed, signal=signals.fetch_failed)
        return pipeline

    async def open_spider(self) -> None:
        ensure_current(self.database_url)
        logger.info("Archiving into %s", redact(self.database_url))
        threshold = [int(n) for n in self.crawler.settings.getlist("ARCHIVE_GC_THRESHOLD")]
        self.writer = ArchiveWriter(
            self.database_url,
            self.batch_size,
            self.batch_seconds,
            self.retry_budget,
            threshold,
            self.max_waiting,
        )
        await self.writer.start()

    async def close_spider(self) -> None:
        if self.writer is not None:
            await self.writer.close()
            await asyncio.sleep(0)  # let the last outcomes' callbacks record them
        self.flush_stats()

    def fetch_failed(self, failure: FetchFailure) -> None:
        """A page the spider could not fetch: recorded in the archive's next batch."""
        if self.writer is None:
            return
        self.writer.submit(failure).add_done_callback(self._failure_stored)

    def _failure_stored(self, done: asyncio.Future[SaveOutcome]) -> None:
        if done.cancelled():
            return
        if done.exception() is not None:
            self._fail(done.exception())  # type: ignore[arg-type]
        else:
            self._record(done.result())

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage):
            return item
        assert self.writer is not None
        await self.writer.room()
        try:
            outcome = await self.writer.submit(item)
        except Exception as error:
            self._fail(error)
            raise DropItem(f"{item.article_id} not archived: {error}") from error
        self._record(outcome)
        if outcome.article is None:
            raise DropItem(f"{outcome.article_id}: {outcome.drop_reason}")
        return outcome.article

    def _record(self, outcome: SaveOutcome) -> None:
        counts = self._counts
        if outcome.status == "failed":
            counts[f"archive/failed/{outcome.reason}"] += 1
        else:
            counts["archive/pages"] += 1
            article = outcome.article
            if article is None:  # by reason code: "parser_error: RecursionError …" is parser_error
                counts[f"archive/dropped/{str(outcome.drop_reason).split(':', 1)[0]}"] += 1
            else:
                counts[f"archive/{outcome.status}"] += 1
                # Field coverage, for the run's health check (a page without a title is dropped).
                counts["coverage/title"] += 1
                counts["coverage/date"] += article.published_at is not None
                counts["coverage/body"] += bool(article.body)
                counts["coverage/related"] += bool(article.related)
            for warning in outcome.warnings:
                counts[f"archive/warnings/{warning.split(':', 1)[0]}"] += 1
                logger.warning("%s/%s: %s", outcome.site, outcome.article_id, warning)
        self._recorded += 1
        if self._recorded % 100 == 0:
            self.flush_stats()
            if self.writer is not None:
                self.crawler.stats.set_value("archive/waiting", self.writer.waiting)
                self.crawler.stats.max_value("archive/max_waiting", self.writer.waiting)

    def flush_stats(self) -> None:
        """Move the counts kept here into Scrapy's stats (each stats call is slow)."""
        stats = self.crawler.stats
        for key, count in self._counts.items():
            if count:
                stats.inc_value(key, count)
        self._counts.clear()

    def _fail(self, error: BaseException) -> None:
        """A batch could not be stored: stop the crawl loudly rather than fetch into the void."""
        if self.failed:
            return
        self.failed = True
        # A database that takes no writes says what to do in its message.
        detail = str(error) if isinstance(error, ArchiveUnwritable) else repr(error)
        logger.error("The archive could not store a batch, stopping the crawl: %s", detail)
        self.crawler.stats.set_value("archive/error", detail)
        # Not awaited here: closing waits for items in flight, this one among them.
        self._closing = asyncio.ensure_future(
            self.crawler.engine.close_spider_async(reason="archive_failed")
        )
