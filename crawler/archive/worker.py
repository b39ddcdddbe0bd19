"""The archive's worker process: parse and store, off the crawl's core.

Scrapy's reactor runs on one core; parsing a page and writing it to the
database would take their CPU from it. The crawl process therefore hands
pages to this worker in batches (see `crawler.archive.writer`), where each
batch is parsed and stored in one transaction. The worker holds the
process's one engine, with SQLite's write lock taken per batch.

The worker ignores SIGINT and SIGTERM: Ctrl-C in a terminal signals the
whole process group, and a worker that died of it would lose the batches in
hand and leave the crawl waiting for them. The crawl process stops it, once
everything it handed over is stored; if the crawl process dies, the worker
leaves by itself.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from http import HTTPStatus
from typing import TYPE_CHECKING

from crawler.archive.database import create_archive_engine
from crawler.archive.isolation import save_isolating
from crawler.archive.save import GateContext
from crawler.archive.store import ArchiveStore, ParsedPage
from crawler.extensions.gc_tuning import tune_gc
from crawler.items import FetchedPage, FetchFailure
from crawler.parsing.article import ParseResult
from crawler.parsing.fetched import parse_fetched
from crawler.parsing.safe_values import InvalidRecord, make_safe
from crawler.sites import get_profile

if TYPE_CHECKING:
    from collections.abc import Sequence

    from crawler.archive.gate import SiteSources
    from crawler.archive.store import SaveOutcome
    from crawler.sites.profile import SiteProfile

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
"""What stops a crawl; the crawl process, not the worker, answers them."""

_store: ArchiveStore | None = None
_retry_budget = 0.0
_profiles: dict[str, SiteProfile] = {}
_gate = GateContext({})
"""What the quality gate weighs pages against; the run's tally lives as long as the worker."""


def start(
    database_url: str,
    retry_budget: float,
    gc_threshold: Sequence[int] = (),
    profiles: Sequence[SiteProfile] = (),
    sources: dict[str, SiteSources] | None = None,
) -> None:
    """Process initialiser: open the worker's engine; log to stderr beside the crawl's log.

    `profiles` are the crawl's own: a profile named with ``-a profile=FILE`` is
    parsed with exactly as the crawl read it. `sources` are what the quality
    gate judges each site's pages against (crawler.archive.gate); a site
    without is not judged.
    """
    global _store, _retry_budget
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_IGN)
    # The crawl process started us with them blocked (see ArchiveWriter.start), so that
    # none could arrive before they were ignored; one pending now is dropped.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    _exit_with_parent()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s [archive worker] %(levelname)s: %(message)s"
    )
    # SQLite waits a few seconds for a lock itself; longer waits are the retry loop's,
    # which logs them and gives up when the budget is spent.
    _store = ArchiveStore(create_archive_engine(database_url, writer=True, busy_timeout=5.0))
    _retry_budget = retry_budget
    _profiles.update((profile.name, profile) for profile in profiles)
    _gate.sites.update(sources or {})
    tune_gc(freeze=True, threshold=gc_threshold)


def _exit_with_parent() -> None:
    """Leave when the crawl process dies (SIGKILL gives it no time to stop us).

    An unfinished batch transaction is rolled back by the database, so leaving
    at any moment leaves the archive consistent.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def ready() -> bool:
    """Answered once the worker has started and opened its engine."""
    return _store is not None


def _profile(site: str) -> SiteProfile:
    if site not in _profiles:
        _profiles[site] = get_profile(site)
    return _profiles[site]


def archive_batch(batch: list[FetchedPage | FetchFailure]) -> list[SaveOutcome]:
    """Parse the pages of a batch, judge and store them, and its failures, in one transaction.

    A page the parser or the database refuses is kept as dropped with its
    reason (crawler.archive.isolation); ArchiveUnwritable says the run must stop.
    """
    if _store is None:
        raise RuntimeError("archive worker used before start()")
    pages = [ParsedPage(item, _parse(item)) for item in batch if isinstance(item, FetchedPage)]
    failures = [item for item in batch if isinstance(item, FetchFailure)]
    for failure in failures:
        with contextlib.suppress(InvalidRecord):  # the database refuses it, and says so
            make_safe(failure)
    outcomes = save_isolating(_store, pages, failures, retry_budget=_retry_budget, gate=_gate)
    # save() answers pages first, then failures; give them back in the batch's order.
    page_outcomes, failure_outcomes = iter(outcomes[: len(pages)]), iter(outcomes[len(pages) :])
    return [
        next(page_outcomes) if isinstance(item, FetchedPage) else next(failure_outcomes)
        for item in batch
    ]


def _parse(page: FetchedPage) -> ParseResult:
    if page.status == HTTPStatus.NOT_MODIFIED:
        return ParseResult(None, None)  # nothing to read: the archive confirms what it holds
    return parse_fetched(page, _profile(page.site))
