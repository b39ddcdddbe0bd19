"""`scrapy crawl`, made fit for cron.

Before anything starts, the spider's arguments and the database are checked
(one clear line, not a traceback, when they are wrong) and the archive's lock
for the site is taken: a second run against the same database and site exits
at once. Workers of a shared frontier (ARCHIVE_FRONTIER) take the lock
shared: they run side by side, but not beside a single-process run. After
the crawl, the run's one-line summary is printed on stdout and its status
becomes the exit code.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawl

from crawler.archive.database import create_archive_engine, database_url, redact
from crawler.archive.lock import LockedError, SiteLock
from crawler.archive.migrate import ArchiveSchemaError, ensure_current
from crawler.archive.runs import DEGRADED, FAILED, FINISHED, INTERRUPTED, RunLog
from crawler.cli_output import local_time
from crawler.cluster.frontier import FrontierError, SharedFrontier, connect, frontier_prefix
from crawler.seeds import SeedError
from crawler.sites import UnknownSiteError

if TYPE_CHECKING:
    import argparse

    from scrapy.crawler import Crawler

ARCHIVE_PIPELINE = "crawler.pipelines.ArchivePipeline"

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
            site = self._preflight(args[0], opts.spargs)
        except (
            SeedError,
            UnknownSiteError,
            ArchiveSchemaError,
            FrontierError,
            ValueError,
        ) as error:
            print(f"Error: {error}", file=sys.stderr)
            self.exitcode = EXIT_CANNOT_START
            return
        lock = None
        if site is not None and self._archiving():
            try:
                lock = self._lock(site, args[0])
            except LockedError as error:
                print(f"Error: {error}", file=sys.stderr)
                self.exitcode = EXIT_LOCKED
                return
        try:
            assert self.crawler_process is not None
            crawler = self._create_crawler(args[0])
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            if lock is not None:
                lock.release()
        self.exitcode = self._exit_code(crawler)

    def _preflight(self, spider_name: str, arguments: dict[str, str]) -> str | None:
        """Check the arguments and the schema; return the site the crawl archives."""
        assert self.crawler_process is not None
        spider_class = self.crawler_process.spider_loader.load(spider_name)
        site = None
        check = getattr(spider_class, "check_arguments", None)
        if check is not None:
            profile, _, _ = check(**arguments, shared_frontier=self._shared_frontier())
            site = profile.name
        if self._shared_frontier():
            connect(self._frontier_url()).close()
        if self._archiving():
            ensure_current(self._database_url())
        return site

    def _lock(self, site: str, spider_name: str) -> SiteLock:
        url = self._database_url()
        engine = create_archive_engine(url)
        runs = RunLog(engine)
        shared = self._shared_frontier()
        try:
            lock = SiteLock(engine, site, shared=shared)
        except LockedError:
            holder = runs.running(site)
            who = ""
            if holder:
                run = holder[-1]
                since = local_time(run.started_at, site)
                who = f" (run {run.id}, pid {run.pid} on {run.host}, since {since})"
            raise LockedError(
                f"another crawl of {site} is archiving into {redact(url)}{who}; this one stops"
            ) from None
        # Holding the lock, no other run of this site can be alive: rows still
        # 'running' belong to runs that were killed. Holding it shared, the live
        # workers of the frontier are alive; the others were killed.
        alive = self._live_workers(site, spider_name) if shared else set()
        runs.mark_interrupted(
            [run.id for run in runs.running(site) if f"{run.host}:{run.pid}" not in alive]
        )
        return lock

    def _archiving(self) -> bool:
        assert self.settings is not None
        return self.settings.getdict("ITEM_PIPELINES").get(ARCHIVE_PIPELINE) is not None

    def _shared_frontier(self) -> bool:
        """Workers of one shared frontier run side by side by design: no lock for them."""
        assert self.settings is not None
        return bool(self.settings.get("ARCHIVE_FRONTIER"))

    def _frontier_url(self) -> str:
        assert self.settings is not None
        return str(self.settings.get("ARCHIVE_FRONTIER"))

    def _live_workers(self, site: str, spider_name: str) -> set[str]:
        assert self.settings is not None
        server = connect(self._frontier_url())
        try:
            prefix = frontier_prefix(self.settings["ARCHIVE_FRONTIER_KEY"], site, spider_name)
            return SharedFrontier(server, prefix, "", 0).live_workers()
        finally:
            server.close()

    def _database_url(self) -> str:
        assert self.settings is not None
        return database_url(self.settings.get("ARCHIVE_DB"))

    def _exit_code(self, crawler: Crawler) -> int:
        assert self.crawler_process is not None
        if self.crawler_process.bootstrap_failed:
            return EXIT_FAILED
        summary = crawler.stats.get_value("run/summary")
        if summary:
            print(summary, flush=True)
        status = crawler.stats.get_value("run/status", FINISHED)
        return EXIT_CODES.get(status, EXIT_FAILED)
