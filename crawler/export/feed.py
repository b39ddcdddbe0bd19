"""Scrapy feed exports of the archived records (`-o out.csv`), written as `export` writes them.

A crawl that archives hands its pages to the archive without waiting for
them to be stored (crawler.pipelines), so what Scrapy sees scraped is the
page; the record as stored, with its version, comes back later as the
`record_archived` signal. `ArchivedRecordFeeds` is Scrapy's FeedExporter fed
by that signal instead of `item_scraped`: a feed writes records, never pages.

Scrapy's CSV exporter joins a list with commas and writes anything else in
it as a Python repr, which no program reads back; the record's list fields
(subheadings, images, related) are written as JSON instead, as
`news-archive export --format csv` does. Its cells go through the archive's
one CSV cell rule (crawler.export.cells): formula-like text is neutralised
for spreadsheets unless ARCHIVE_CSV_RAW is set (or the feed's own option
``raw_csv``). JSON feeds need nothing: Scrapy writes the nested records as
JSON already, exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exporters import CsvItemExporter
from scrapy.extensions.feedexport import FeedExporter

from crawler import signals as archive_signals
from crawler.export.cells import CellWriter
from crawler.export.records import csv_row
from crawler.extensions.archive_run import archiving
from crawler.items import Article

if TYPE_CHECKING:
    from io import BytesIO

    from scrapy.crawler import Crawler


class ArticleCsvItemExporter(CsvItemExporter):
    def __init__(self, file: BytesIO, *, raw_csv: bool = False, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        self.csv_writer = CellWriter(self.csv_writer, raw=raw_csv)

    @classmethod
    def from_crawler(cls, crawler: Crawler, file: BytesIO, **kwargs: Any) -> Self:
        kwargs.setdefault("raw_csv", crawler.settings.getbool("ARCHIVE_CSV_RAW"))
        return cls(file, **kwargs)

    def export_item(self, item: Any) -> None:
        super().export_item(csv_row(item) if isinstance(item, Article) else item)


class ArchivedRecordFeeds(FeedExporter):
    """Scrapy's feed exports, writing the records as archived when the crawl archives."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        exporter = super().from_crawler(crawler)
        # Scrapy's tools that only look (parse, shell) archive nothing: their feeds
        # write what is scraped, as Scrapy's own exporter does.
        if archiving(crawler.settings):
            crawler.signals.disconnect(exporter.item_scraped, signals.item_scraped)
            crawler.signals.connect(exporter.item_scraped, archive_signals.record_archived)
        return exporter
