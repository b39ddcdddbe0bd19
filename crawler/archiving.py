"""Whether a crawl archives: the one switch the spider, the run record and commands share."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

ARCHIVE_PIPELINE = "crawler.pipelines.ArchivePipeline"


def archiving(settings: BaseSettings) -> bool:
    """A crawl archives when its ArchivePipeline is on: the project's settings turn it on,
    Scrapy's tools that only look at pages (shell, parse, fetch, view) turn it off."""
    return settings.getdict("ITEM_PIPELINES").get(ARCHIVE_PIPELINE) is not None
