"""A progress line every ARCHIVE_PROGRESS_INTERVAL seconds: pages, articles, rate, queue.

It replaces Scrapy's LogStats, whose line knows nothing of the archive.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from crawler.plan.disk_queue import queued_requests

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class Progress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.interval = interval
        self._last = (time.monotonic(), 0)
        self._task = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("ARCHIVE_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        self._task = create_looping_call(self.log)
        self._task.start(self.interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._task is not None and self._task.running:
            self._task.stop()

    def log(self) -> None:
        get = self.stats.get_value
        pages = get("archive/pages", 0)
        now = time.monotonic()
        then, pages_then = self._last
        self._last = (now, pages)
        rate = (pages - pages_then) / max(now - then, 1e-9)
        queued = queued_requests(self.crawler)
        logger.info(
            "Progress: %d pages archived (%.1f/s), %d new articles, %d new versions, "
            "%d failed fetches, %d queued, %d waiting to be stored",
            pages,
            rate,
            get("archive/new", 0),
            get("archive/changed", 0),
            sum(v for k, v in self.stats.get_stats().items() if k.startswith("archive/failed/")),
            queued,
            get("archive/waiting", 0),
        )
