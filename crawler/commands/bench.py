"""`scrapy bench`: Scrapy's own benchmark, on plain Scrapy's settings.

The benchmark measures Scrapy on this machine, with a spider of its own
against a local server. The project's settings are for archiving a news
site: throttled to two requests at a time with a delay, Scrapy's LogStats
(the lines that print the rate) replaced by the progress line, every crawl
archived. Under them `scrapy bench` printed no rate, measured the throttle
and archived its dummy pages, so here the project's settings make way for
Scrapy's defaults; `-s NAME=VALUE` still applies. The crawler's own
benchmark is `make bench`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.bench import Command as ScrapyBench
from scrapy.settings import SETTINGS_PRIORITIES, default_settings

if TYPE_CHECKING:
    import argparse


class Command(ScrapyBench):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        project = SETTINGS_PRIORITIES["project"]
        for name in list(self.settings):
            if self.settings.getpriority(name) != project or not hasattr(default_settings, name):
                continue
            plain = self.default_settings.get(name, getattr(default_settings, name))
            self.settings.set(name, plain, priority="project")
