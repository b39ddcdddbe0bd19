"""`scrapy crawl`, made fit for cron.

Before anything starts, the spider's arguments are checked (one clear line,
not a traceback, when they are wrong). The run itself (`ArchiveRun`) then
checks the database and takes the archive's lock for the site before the
spider opens: a database at the wrong schema, or a second run against the
same database and site, exits at once. Workers of a shared frontier
(ARCHIVE_FRONTIER) take the lock shared: they run side by side, but not
beside a single-process run. After the crawl, the run's one-line summary is
printed on stdout and its status becomes the exit code.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawl

from crawler.archive.runs import DEGRADED, FAILED, FINISHED, INTERRUPTED
from crawler.cluster.membership import FrontierError, connect
from crawler.extensions.archive_run import ArchiveRun, RunRefused
from crawler.plan.seeds import SeedError
from crawler.sites import ProfileError, UnknownSiteError
from crawler.spiders.arguments import RelatedArguments
from crawler.spiders.related import RelatedSpider

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

EXIT_FINISHED = 0
EXIT_FAILED = 1
EXIT_CANNOT_START = 2
EXIT_DEGRADED = 3
EXIT_LOCKED = 4
EXIT_INTERRUPTED = 5
EXIT_CODES = {
    FINISHED: EXIT_FINISHED,
    FAILED: EXIT_FAILED,
    DEGRADED: EXIT_DEGRADED,
    INTERRUPTED: EXIT_INTERRUPTED,
}


class Command(ScrapyCrawl):
    def long_desc(self) -> str:
        return (
            "Run a spider. Exit codes: 0 finished, 1 failed, 2 cannot start (bad argument or "
            "database), 3 degraded (coverage fell, see crawl_runs), 4 locked (another run of "
            "the site is archiving into the same database), 5 interrupted."
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            super().run(args, opts)
            return
        try:
            self._preflight(args[0], opts.spargs)
        except (SeedError, UnknownSiteError, ProfileError, FrontierError, ValueError) as error:
            self._refuse(error, EXIT_CANNOT_START)
            return
        assert self.crawler_process is not None
        crawler = self._create_crawler(args[0])
        refused: list[RunRefused] = []
        _on_refusal(self.crawler_process.crawl(crawler, **opts.spargs), refused.append)
        self.crawler_process.start()
        # The reactor gave Python its own SIGINT handler back: a Ctrl-C pressed now, as the
        # crawl closes, would end the process by KeyboardInterrupt before its exit code.
        for stop in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop, signal.SIG_IGN)
        if refused:
            self._refuse(refused[0], EXIT_LOCKED if refused[0].locked else EXIT_CANNOT_START)
            return
        self.exitcode = self._exit_code(crawler)

    def _refuse(self, error: Exception, exitcode: int) -> None:
        """One line on stderr, and in the log file if there is one (scrapyd's job log)."""
        assert self.settings is not None
        print(f"Error: {error}", file=sys.stderr)
        if self.settings.get("LOG_FILE"):
            logger.error("The crawl did not start: %s", error)
        self.exitcode = exitcode

    def _preflight(self, spider_name: str, arguments: dict[str, str]) -> None:
        """Check the spider's arguments and the shared frontier, if any."""
        assert self.crawler_process is not None
        assert self.settings is not None
        spider_class = self.crawler_process.spider_loader.load(spider_name)
        shared_frontier = bool(self.settings.get("ARCHIVE_FRONTIER"))
        if issubclass(spider_class, RelatedSpider):
            RelatedArguments.from_kwargs(arguments, spider_class.name).resolve(
                sites_dir=self.settings.get("ARCHIVE_SITES_DIR"),
                seeds_required=not shared_frontier,
            )
        if shared_frontier:
            connect(self.settings["ARCHIVE_FRONTIER"]).close()

    def _exit_code(self, crawler: Crawler) -> int:
        assert self.crawler_process is not None
        if self.crawler_process.bootstrap_failed:
            return EXIT_FAILED
        run = crawler.get_extension(ArchiveRun)
        if run is None:
            return EXIT_FINISHED
        run.abandon()  # if a second signal stopped the crawl before its run was closed
        if run.summary is None or run.status is None:
            return EXIT_FAILED  # the run could not even open its row
        print(run.summary, flush=True)
        return EXIT_CODES.get(run.status, EXIT_FAILED)


def _on_refusal(started: Any, refused: Callable[[RunRefused], None]) -> None:
    """Call `refused(error)` if the crawl could not start because its run refused to.

    Any other error is left to Scrapy. `started` is what CrawlerProcess.crawl
    returns: an asyncio Task, or a Deferred with Twisted's own reactor.
    """
    if isinstance(started, asyncio.Future):

        def done(task: asyncio.Future[None]) -> None:
            if task.cancelled():
                return
            error = task.exception()  # marks it retrieved: report it here, not as a traceback
            if isinstance(error, RunRefused):
                refused(error)
            elif error is not None:
                logger.error("The crawl could not start", exc_info=error)

        started.add_done_callback(done)
    else:

        def trap(failure: Failure) -> None:
            failure.trap(RunRefused)
            refused(failure.value)

        started.addErrback(trap)
