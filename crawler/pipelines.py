"""Item pipelines. One job each; order is set by ITEM_PIPELINES in settings."""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import TYPE_CHECKING, Any

from crawler import signals
from crawler.archive.database import redact
from crawler.archive.db_errors import ArchiveUnwritable
from crawler.archive.writer import ArchiveWriter
from crawler.extensions.archive_run import ArchiveRun
from crawler.items import FetchedPage, FetchFailure

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

    from crawler.archive.store import SaveOutcome

logger = logging.getLogger(__name__)


class ArchivePipeline:
    """Hands each fetched page to the archive and lets it go: a one-way sink.

    Pages the spider could not fetch arrive as the `fetch_failed` signal and
    are recorded in the same batches.

    Parsing and storing happen in the archive worker process, in batches. The
    pipeline waits for room only (`ARCHIVE_MAX_WAITING` pages handed over and
    not yet stored), never for a commit: what each page came to comes back
    when its batch is stored, counted by the run (`ArchiveRun`), and an
    article's record as stored, with its version, is sent as the
    `record_archived` signal, which feed exports (`-O items.jsonl`) write. A
    page the parser rejects is logged with its reason, and its raw HTML is
    still archived for a later re-parse.
    """

    def __init__(self, crawler: Crawler, run: ArchiveRun) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.run = run
        self.batch_size = settings.getint("ARCHIVE_BATCH_SIZE")
        self.batch_seconds = settings.getfloat("ARCHIVE_BATCH_SECONDS")
        self.retry_budget = settings.getfloat("ARCHIVE_DB_RETRY_SECONDS")
        self.max_waiting = settings.getint("ARCHIVE_MAX_WAITING")
        self.writer: ArchiveWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        run = crawler.get_extension(ArchiveRun)
        if run is None:
            raise RuntimeError("ArchivePipeline needs the ArchiveRun extension (EXTENSIONS)")
        pipeline = cls(crawler, run)
        crawler.signals.connect(pipeline.fetch_failed, signal=signals.fetch_failed)
        return pipeline

    async def open_spider(self) -> None:
        logger.info("Archiving into %s", redact(self.run.database_url))
        threshold = [int(n) for n in self.crawler.settings.getlist("ARCHIVE_GC_THRESHOLD")]
        # The worker parses with the run's own profile (which may come from -a profile=FILE).
        profile = self.run.profile
        self.writer = ArchiveWriter(
            self.run.database_url,
            self.batch_size,
            self.batch_seconds,
            self.retry_budget,
            threshold,
            self.max_waiting,
            profiles=[profile] if profile is not None else [],
            sources=self.run.gate_sources(),
        )
        await self.writer.start()

    async def close_spider(self) -> None:
        if self.writer is not None:
            released = await self._close_writer(self.writer)
            await asyncio.sleep(0)  # let the last outcomes' callbacks record them
            for outcome in released:
                self.run.released(outcome)
        self.run.publish()

    async def _close_writer(self, writer: ArchiveWriter) -> list[SaveOutcome]:
        try:
            return await writer.close()
        except Exception as error:  # the holds stand, as held; the pages are all stored
            logger.error("Held pages could not be judged again at the run's end: %r", error)
            return []

    def fetch_failed(self, failure: FetchFailure) -> None:
        """A page the spider could not fetch: recorded in the archive's next batch."""
        if self.writer is None:
            return
        self.writer.submit(failure).add_done_callback(partial(self._stored, failure))

    async def process_item(self, item: Any) -> Any:
        """Hand a fetched page to the writer; Scrapy counts it scraped once it is handed over."""
        if not isinstance(item, FetchedPage):
            return item
        assert self.writer is not None
        await self.writer.room()
        self.writer.submit(item).add_done_callback(partial(self._stored, item))
        return item

    def _stored(self, item: FetchedPage | FetchFailure, done: asyncio.Future[SaveOutcome]) -> None:
        """What the archive made of a page or a failed fetch, once its batch is stored."""
        if done.cancelled():
            return
        error = done.exception()
        if error is not None:
            self._fail(error)
            if isinstance(item, FetchedPage):
                self.run.item_failed(item)
            return
        outcome = done.result()
        self._record(outcome)
        if isinstance(item, FetchedPage):
            self._pass_on(outcome)

    def _pass_on(self, outcome: SaveOutcome) -> None:
        """A page's record as stored goes to feeds; a page that gave none says why."""
        if outcome.article is not None:
            self.crawler.signals.send_catch_log(
                signals.record_archived, item=outcome.article, spider=self.crawler.spider
            )
            return
        # A 304 is the ordinary answer to a revisit: no warning of it for every page.
        level = logging.DEBUG if outcome.status == "not_modified" else logging.WARNING
        logger.log(
            level, "%s/%s gave no record: %s", outcome.site, outcome.article_id, _why_not(outcome)
        )

    def _record(self, outcome: SaveOutcome) -> None:
        self.run.record(outcome)
        if self.writer is not None and self.run.recorded % 100 == 0:
            self.crawler.stats.set_value("archive/waiting", self.writer.waiting)
            self.crawler.stats.max_value("archive/max_waiting", self.writer.waiting)

    def _fail(self, error: BaseException) -> None:
        """A batch could not be stored: stop the crawl loudly rather than fetch into the void."""
        if self.run.error is not None:
            return
        # A database that takes no writes says what to do in its message.
        detail = str(error) if isinstance(error, ArchiveUnwritable) else repr(error)
        logger.error("The archive could not store a batch, stopping the crawl: %s", detail)
        self.run.stop("archive_failed", detail)


def _why_not(outcome: SaveOutcome) -> str:
    """Why a page gave the feed no record: dropped, held by the gate, or not modified."""
    if outcome.status == "held":
        return f"held ({outcome.reason})"
    if outcome.status == "not_modified":
        return "not modified since its last capture"
    return str(outcome.drop_reason)
