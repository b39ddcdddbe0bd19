"""The crawl's side of the archive worker: batches out, outcomes back.

`ArchiveWriter.submit` returns at once with a future; pages are sent to the
worker process when a batch is full or has waited `batch_seconds`, so the
database sees one transaction per batch, never one per page.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING

from crawler.archive import worker

if TYPE_CHECKING:
    from collections.abc import Sequence

    from crawler.archive.gate import SiteSources
    from crawler.archive.store import SaveOutcome
    from crawler.items import FetchedPage, FetchFailure
    from crawler.sites.profile import SiteProfile


class ArchiveWriter:
    def __init__(
        self,
        database_url: str,
        batch_size: int,
        batch_seconds: float,
        retry_budget: float,
        gc_threshold: list[int],
        max_waiting: int = 1000,
        profiles: Sequence[SiteProfile] = (),
        sources: dict[str, SiteSources] | None = None,
    ) -> None:
        self.batch_size = batch_size
        self.max_waiting = max_waiting
        self.batch_seconds = batch_seconds
        # spawn, not fork: the crawl process runs threads and an event loop.
        self._pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=worker.start,
            initargs=(
                database_url,
                retry_budget,
                gc_threshold,
                tuple(profiles),
                os.getpid(),
                sources,
            ),
        )
        self._pending: list[tuple[FetchedPage | FetchFailure, asyncio.Future[SaveOutcome]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._batches: set[asyncio.Future[list[SaveOutcome]]] = set()
        self.waiting = 0
        """Pages and failures handed over and not yet stored."""
        self._room = asyncio.Event()

    async def start(self) -> None:
        """Start the worker now, not on the first batch, so no page waits for it.

        It starts with SIGINT and SIGTERM blocked (a child inherits the mask
        of the thread that starts it), and ignores them from its first line
        on (`worker.start`): Ctrl-C, which reaches the whole process group,
        stops the crawl, which then stops the worker with nothing lost.
        """
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, worker.STOP_SIGNALS)
        try:
            ready = self._pool.submit(worker.ready)  # the worker process starts here
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        await asyncio.wrap_future(ready)

    async def room(self) -> None:
        """Wait while `max_waiting` pages wait to be stored: the crawl slows to the archive's pace.

        Scrapy stops downloading while items are in progress, so a crawl whose
        database is slower than its downloads holds a bounded number of pages
        in memory instead of piling them up.
        """
        while self.waiting >= self.max_waiting:
            self._room.clear()
            await self._room.wait()

    def submit(self, page: FetchedPage | FetchFailure) -> asyncio.Future[SaveOutcome]:
        loop = asyncio.get_running_loop()
        outcome: asyncio.Future[SaveOutcome] = loop.create_future()
        self._pending.append((page, outcome))
        self.waiting += 1
        if len(self._pending) >= self.batch_size:
            self.flush()
        elif self._timer is None:
            self._timer = loop.call_later(self.batch_seconds, self.flush)
        return outcome

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        done = asyncio.wrap_future(
            self._pool.submit(worker.archive_batch, [page for page, _ in batch])
        )
        self._batches.add(done)
        done.add_done_callback(lambda finished: self._settle(finished, [f for _, f in batch]))

    def _settle(
        self,
        finished: asyncio.Future[list[SaveOutcome]],
        outcomes: list[asyncio.Future[SaveOutcome]],
    ) -> None:
        self._batches.discard(finished)
        self.waiting -= len(outcomes)
        if self.waiting < self.max_waiting:
            self._room.set()
        error = finished.exception()
        results = finished.result() if error is None else [None] * len(outcomes)
        for future, result in zip(outcomes, results, strict=True):
            if future.done():
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)  # type: ignore[arg-type]

    async def close(self) -> list[SaveOutcome]:
        """Store what is pending, wait for every batch, stop the worker.

        What comes back is what became of the pages held for layout drift before
        the run could tell (`worker.release_early_holds`), judged again now.
        """
        self.flush()
        if self._batches:
            await asyncio.gather(*self._batches, return_exceptions=True)
        try:
            released = await asyncio.wrap_future(self._pool.submit(worker.release_early_holds))
        finally:
            self._pool.shutdown(wait=True)
        return released
