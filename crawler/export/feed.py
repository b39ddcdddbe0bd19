"""Scrapy feed exports of the archived records (`-o out.csv`), written as `export` writes them.

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

from scrapy.exporters import CsvItemExporter

from crawler.export.cells import CellWriter
from crawler.export.records import csv_row
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
