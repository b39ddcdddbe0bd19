"""`scrapy seed`: queue seeds in a shared frontier, for its workers to fetch.

    scrapy seed related -a start=latest -s ARCHIVE_FRONTIER=redis://host:6379/0
    scrapy seed related -a ids=1808000-1809000 -s ARCHIVE_FRONTIER=redis://host:6379/0

The arguments are those of `scrapy crawl` (``start``, ``ids``, ``site``,
``base_url``), checked the same way. Nothing is fetched here: the requests
wait in the frontier, for workers running now or started later. They belong
to no run, so the worker that takes one checks it against its run's
seen-set first (see `crawler.cluster.scheduler`): a seed pushed twice is
fetched once a run.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader
from scrapy.utils.conf import arglist_to_dict

from crawler.cluster.membership import FrontierError, connect, frontier_prefix
from crawler.cluster.scheduler import SharedQueue
from crawler.commands.crawl import EXIT_CANNOT_START
from crawler.plan.seeds import SeedError
from crawler.sites import UnknownSiteError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterator

    import scrapy


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "-a",
            dest="spargs",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="spider argument, as for scrapy crawl (may be repeated)",
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        try:
            opts.spargs = arglist_to_dict(opts.spargs)
        except ValueError:
            raise UsageError("Invalid -a value, use -a NAME=VALUE", print_help=False) from None

    def syntax(self) -> str:
        return "[options] <spider>"

    def short_desc(self) -> str:
        return "Queue seeds in the shared frontier (ARCHIVE_FRONTIER) for its workers"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if len(args) != 1:
            print("Error: name one spider, e.g. scrapy seed related -a start=latest")
            self.exitcode = EXIT_CANNOT_START
            return
        url = self.settings.get("ARCHIVE_FRONTIER")
        try:
            if not url:
                raise FrontierError("scrapy seed needs -s ARCHIVE_FRONTIER=redis://host:port/db")
            spider = get_spider_loader(self.settings).load(args[0])(
                **opts.spargs, sites_dir=self.settings.get("ARCHIVE_SITES_DIR")
            )
            prefix = frontier_prefix(
                self.settings["ARCHIVE_FRONTIER_KEY"], spider.profile.name, spider.name
            )
            server = connect(url)
        except (SeedError, UnknownSiteError, FrontierError, ValueError) as error:
            print(f"Error: {error}", file=sys.stderr)
            self.exitcode = EXIT_CANNOT_START
            return
        queue = SharedQueue(server=server, spider=spider, key=f"{prefix}:requests")
        queue.run = 0  # of no run: checked against the seen-set of the run that takes it
        count = 0
        for request in _requests(spider):
            queue.push(request)
            count += 1
        server.close()
        print(f"Queued {count} requests in the frontier {prefix}")


def _requests(spider: Any) -> Iterator[scrapy.Request]:
    """The seeds' requests, as the spider's start() makes them; id ranges all at once."""
    yield from spider.seed_requests()
    for article_id in spider.seeds.range_ids():
        yield spider.article_request(article_id)
