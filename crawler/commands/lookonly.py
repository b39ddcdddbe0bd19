"""Scrapy's tools that only look at pages, kept from the archive.

The project's settings archive every crawl: the run (`ArchiveRun`, in
crawler.extensions.archive_run) creates or migrates the database and opens
the run's row. `scrapy shell`, `parse`, `fetch` and `view` run a crawler
too, to look at one page; under those settings each would create a database
and leave a run `running` (a shell never closes its spider). These commands
turn the ArchivePipeline off first, and with it the run
(`crawler.extensions.archive_run.archiving`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.extensions.archive_run import ARCHIVE_PIPELINE

if TYPE_CHECKING:
    import argparse

    from scrapy.settings import Settings


class LookOnly:
    """Mixed into a Scrapy command: its crawler never opens the archive."""

    settings: Settings | None

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)  # type: ignore[misc]
        assert self.settings is not None
        pipelines = self.settings.getdict("ITEM_PIPELINES")
        pipelines[ARCHIVE_PIPELINE] = None
        self.settings.set("ITEM_PIPELINES", pipelines, priority="cmdline")
