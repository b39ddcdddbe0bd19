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
leaves by itself (`_exit_with_parent`), however early: the crawl gives it
its own pid, so a crawl killed while the worker was still starting is noticed
too, and on Linux the kernel sends the worker SIGKILL when the crawl dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import sys
import threading
import time
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url

from crawler.archive import gate as quality
from crawler.archive.database import create_archive_engine
from crawler.archive.db_errors import ArchiveUnwritable
from crawler.archive.isolation import save_isolating
from crawler.archive.reparse import pages_of_captures
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
_database_file: dict[str, object] = {}
"""The SQLite file as opened (``path``, ``identity``: device and inode); empty for PostgreSQL."""
_gate = GateContext({})
"""What the quality gate weighs pages against; the run's tally lives as long as the worker."""
_early_holds: dict[str, list[int]] = {}
"""By site, the captures held for layout drift this run, judged again when it ends."""
_RELEASE_BATCH = 200


def start(
    database_url: str,
    retry_budget: float,
    gc_threshold: Sequence[int] = (),
    profiles: Sequence[SiteProfile] = (),
    parent_pid: int | None = None,
    sources: dict[str, SiteSources] | None = None,
) -> None:
    """Process initialiser: open the worker's engine; log to stderr beside the crawl's log.

    `profiles` are the crawl's own: a profile named with ``-a profile=FILE`` is
    parsed with exactly as the crawl read it. `parent_pid` is the crawl
    process's pid, as it knew it (default: the parent now). `sources` are what the quality
    gate judges each site's pages against (crawler.archive.gate); a site
    without is not judged.
    """
    global _store, _retry_budget
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_IGN)
    # The crawl process started us with them blocked (see ArchiveWriter.start), so that
    # none could arrive before they were ignored; one pending now is dropped.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    _exit_with_parent(os.getppid() if parent_pid is None else parent_pid)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s [archive worker] %(levelname)s: %(message)s"
    )
    # SQLite waits a few seconds for a lock itself; longer waits are the retry loop's,
    # which logs them and gives up when the budget is spent.
    _store = ArchiveStore(create_archive_engine(database_url, writer=True, busy_timeout=5.0))
    _retry_budget = retry_budget
    _database_file.update(_sqlite_file(database_url))
    _profiles.update((profile.name, profile) for profile in profiles)
    _gate.sites.update(sources or {})
    tune_gc(freeze=True, threshold=gc_threshold)


def _exit_with_parent(parent: int) -> None:
    """Leave when the crawl process `parent` dies (SIGKILL gives it no time to stop us).

    The parent's pid comes from the crawl itself: read here, it would already
    be 1 (or a subreaper's) had the crawl died while this process started, and
    the worker would wait for that one forever, holding the crawl's stdout.
    On Linux the kernel kills the worker the moment the crawl dies
    (PR_SET_PDEATHSIG); the check of the parent's pid, here and every half
    second, covers the instant before that was asked and other systems.
    An unfinished batch transaction is rolled back by the database, so leaving
    at any moment leaves the archive consistent.
    """
    _kill_with_parent()
    if os.getppid() != parent:  # it died before the kernel was asked to tell us
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


_PR_SET_PDEATHSIG = 1


def _kill_with_parent() -> None:
    """Ask Linux for SIGKILL when the parent dies; elsewhere (or without libc) do nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: the watch alone
        pass


def _sqlite_file(url: str) -> dict[str, object]:
    """The SQLite file of `url` and its device and inode, as the worker opened it."""
    parsed = make_url(url)
    path = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if not path or path == ":memory:" or path.startswith("file:"):
        return {}
    try:
        found = Path(path).stat()
    except FileNotFoundError:  # made by the crawl before the worker starts; if not, no check
        return {}
    return {"path": path, "identity": (found.st_dev, found.st_ino)}


def _check_same_file() -> None:
    """Stop the run if the SQLite file was deleted or replaced since the worker opened it.

    The worker's connections still write to the file they opened, which is no
    longer the one at its path: every page stored there would be lost (or go
    on being lost, unseen, into a deleted file) while the run reports it archived.
    """
    path = _database_file.get("path")
    if not isinstance(path, str):
        return
    try:
        found = Path(path).stat()
        now: tuple[int, int] | None = (found.st_dev, found.st_ino)
    except FileNotFoundError:
        now = None
    if now != _database_file["identity"]:
        what = "deleted" if now is None else "replaced by another file"
        raise ArchiveUnwritable(
            f"the archive file {path} was {what} during the crawl: this run stores nothing "
            "more; the pages it stored since are not in the file there now, so crawl again"
        )


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
    _check_same_file()
    pages = [ParsedPage(item, _parse(item)) for item in batch if isinstance(item, FetchedPage)]
    failures = [item for item in batch if isinstance(item, FetchFailure)]
    for failure in failures:
        with contextlib.suppress(InvalidRecord):  # the database refuses it, and says so
            make_safe(failure)
    outcomes = save_isolating(_store, pages, failures, retry_budget=_retry_budget, gate=_gate)
    for outcome in outcomes:
        if outcome.status == "held" and outcome.reason == quality.DRIFT and outcome.capture_id:
            _early_holds.setdefault(outcome.site, []).append(outcome.capture_id)
    # save() answers pages first, then failures; give them back in the batch's order.
    page_outcomes, failure_outcomes = iter(outcomes[: len(pages)]), iter(outcomes[len(pages) :])
    return [
        next(page_outcomes) if isinstance(item, FetchedPage) else next(failure_outcomes)
        for item in batch
    ]


def release_early_holds() -> list[SaveOutcome]:
    """The pages held for layout drift, judged again over the whole run, once it has ended.

    Early in a run the gate has counted few pages: on an archive with no
    history, a first batch that no rule reads is held, though the rules read
    every page after it. A run whose pages, all told, show no drift gives
    those pages the judgement they would have had at its end (an outage
    notice among pages that are read stays held: it is not of this layout).
    What each became is returned, for the run's counts.
    """
    if _store is None:
        raise RuntimeError("archive worker used before start()")
    outcomes: list[SaveOutcome] = []
    for site, capture_ids in list(_early_holds.items()):
        sources = _gate.sites.get(site)
        if sources is None or quality.drifted(sources, _gate.run(site).matched):
            continue  # the run drifted: the holds stand
        for start in range(0, len(capture_ids), _RELEASE_BATCH):
            chunk = capture_ids[start : start + _RELEASE_BATCH]
            pages = [ParsedPage(page, _parse(page)) for page in pages_of_captures(_store, chunk)]
            outcomes += save_isolating(
                _store, pages, retry_budget=_retry_budget, reparse=True, gate=_gate
            )
        del _early_holds[site]
    return outcomes


def _parse(page: FetchedPage) -> ParseResult:
    if page.status == HTTPStatus.NOT_MODIFIED:
        return ParseResult(None, None)  # nothing to read: the archive confirms what it holds
    return parse_fetched(page, _profile(page.site))
