"""Scrapy feed exports of the archived records (`-o out.csv`), written as `export` writes them.

Scrapy's CSV exporter joins a list with commas and writes anything else in
it as a Python repr, which no program reads back; the record's list fields
(subheadings, images, related) are written as JSON instead, as
`news-archive export --format csv` does. JSON feeds need nothing: Scrapy
writes the nested records as JSON already.
"""

from __future__ import annotations

from typing import Any

from scrapy.exporters import CsvItemExporter

from crawler.export.records import csv_row
from crawler.items import Article


class ArticleCsvItemExporter(CsvItemExporter):
    def export_item(self, item: Any) -> None:
        super().export_item(csv_row(item) if isinstance(item, Article) else item)
