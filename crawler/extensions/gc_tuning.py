"""Less time in Python's garbage collector during a crawl (see crawler.gc_policy).

Settings: `ARCHIVE_GC_FREEZE` and `ARCHIVE_GC_THRESHOLD`, applied when the
engine starts, after every start-up object exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler.gc_policy import tune_gc

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler


class GcTuning:
    def __init__(self, freeze: bool, threshold: list[int]) -> None:
        self.freeze = freeze
        self.threshold = threshold

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        freeze = settings.getbool("ARCHIVE_GC_FREEZE")
        threshold = [int(n) for n in settings.getlist("ARCHIVE_GC_THRESHOLD")]
        if not freeze and not threshold:
            raise NotConfigured
        extension = cls(freeze, threshold)
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        return extension

    def engine_started(self) -> None:
        tune_gc(freeze=self.freeze, threshold=self.threshold)
