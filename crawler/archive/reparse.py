"""Running the current parser over the stored captures, without the network.

A fixed parser bug thus reaches the whole archive; an article gets a new
version only where the new result's text differs. Each article is read again
from its own capture: the one its current version was read from (a page the
parser dropped, from its last capture). Then the captures the quality gate
held since are read again: those the fixed profile now reads, and which lose
nothing the current version has, become versions; the others stay held.

Parsing is most of a re-parse's work, and each page's parse is its own: with
`workers` above 1 the batches are parsed in that many processes while this
one reads the next captures and stores the batches parsed, in their order, so
the outcome is the one a single process gives.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import and_, exists, func, or_, select

from crawler.archive.isolation import save_isolating
from crawler.archive.payloads import DatabasePayloads
from crawler.archive.rows import (
    ARTICLES,
    CAPTURES,
    VERSIONS,
    last_read_capture,
    page_of_capture,
    read_as_page,
)
from crawler.archive.save import LOST_FIELDS_ONLY, GateContext, ParsedPage
from crawler.parsing.fetched import parse_pages
from crawler.sites import get_profile

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
    from concurrent.futures import Future
    from datetime import datetime

    from sqlalchemy import ColumnElement

    from crawler.archive.payloads import PayloadStore
    from crawler.archive.store import ArchiveStore
    from crawler.items import FetchedPage
    from crawler.parsing.article import ParseResult
    from crawler.sites.profile import SiteProfile


def reparse(
    store: ArchiveStore,
    *,
    site: str | None = None,
    since: datetime | None = None,
    batch: int = 200,
    profile: SiteProfile | None = None,
    profiles: Mapping[str, SiteProfile] | None = None,
    progress: Callable[[Iterable[FetchedPage]], Iterable[FetchedPage]] | None = None,
    retry_budget: float = 30.0,
    workers: int = 1,
) -> Counter[str]:
    """Re-parse stored captures (of `site`, fetched since `since`); count what became of them.

    Each site's profile is the one `profiles` gives (what the archive crawled it
    with, crawler.archive.sites), else found by name (ARCHIVE_SITES_DIR, then the
    built-in ones), unless `profile` is given for the one site being re-parsed.
    `progress` wraps the stream of stored pages, e.g. in a progress bar. A page
    the database refuses is kept as dropped with its reason, as in a crawl. With
    `workers` above 1, pages are parsed in that many processes (see above).
    """
    counts: Counter[str] = Counter()
    chosen: dict[str, SiteProfile] = {}

    def profiles_of(pages: list[FetchedPage]) -> dict[str, SiteProfile]:
        for page in pages:
            if page.site not in chosen:
                known = (profiles or {}).get(page.site)
                chosen[page.site] = profile or known or get_profile(page.site)
        return {page.site: chosen[page.site] for page in pages}

    with _Parsing(workers) as parsing:
        for held in (False, True):
            pages_read: Iterable[FetchedPage] = stored_pages(store, site, since, held=held)
            if progress is not None:
                pages_read = progress(pages_read)
            # A held capture is judged again on what it would lose; there is no run to
            # judge drift over, and the profile is what the archivist just fixed.
            gate = GateContext({}, default=LOST_FIELDS_ONLY) if held else None
            # The held pass comes after the first has stored all it read: which captures
            # are still held after a later version depends on it.
            for parsed in parsing.parsed(_batched(pages_read, batch), profiles_of):
                for outcome in save_isolating(
                    store, parsed, retry_budget=retry_budget, reparse=True, gate=gate
                ):
                    counts[outcome.status] += 1
    return counts


class _Parsing:
    """Batches parsed here (one worker) or in a pool of processes, handed back in order."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> _Parsing:
        if self.workers > 1:
            # spawn, as the crawl's writer does: this process holds database connections,
            # which a forked child must never share.
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_ignore_interrupts,
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def parsed(
        self,
        batches: Iterable[list[FetchedPage]],
        profiles_of: Callable[[list[FetchedPage]], dict[str, SiteProfile]],
    ) -> Iterator[list[ParsedPage]]:
        if self._pool is None:
            for pages in batches:
                yield _paired(pages, parse_pages(pages, profiles_of(pages)))
            return
        # A few batches ahead of the one being stored keep every worker busy; no more, so
        # that memory stays flat over an archive of any size.
        ahead: deque[tuple[list[FetchedPage], Future[list[ParseResult]]]] = deque()
        for pages in batches:
            ahead.append((pages, self._pool.submit(parse_pages, pages, profiles_of(pages))))
            if len(ahead) > 2 * self.workers:
                done, result = ahead.popleft()
                yield _paired(done, result.result())
        while ahead:
            done, result = ahead.popleft()
            yield _paired(done, result.result())


def _paired(pages: list[FetchedPage], results: list[ParseResult]) -> list[ParsedPage]:
    return [ParsedPage(page, result) for page, result in zip(pages, results, strict=True)]


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group: the re-parse itself answers it, and stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def count_stored_pages(store: ArchiveStore, site: str | None, since: datetime | None) -> int:
    """How many captures `reparse` reads with the same filters."""
    with store.engine.connect() as conn:
        return sum(
            conn.execute(
                select(func.count()).select_from(CAPTURES).where(_wanted(site, since, held))
            ).scalar_one()
            for held in (False, True)
        )


def stored_pages(
    store: ArchiveStore,
    site: str | None,
    since: datetime | None,
    *,
    held: bool,
    payloads: PayloadStore | None = None,
) -> Iterator[FetchedPage]:
    """The captures a re-parse reads, as pages, oldest first, streamed in chunks."""
    bodies = payloads or DatabasePayloads()
    last = 0
    while True:
        query = (
            select(CAPTURES)
            .where(CAPTURES.c.id > last, _wanted(site, since, held))
            .order_by(CAPTURES.c.id)
            .limit(500)
        )
        with store.engine.connect() as conn:
            rows = conn.execute(query).all()
            kept = bodies.get_many(conn, [row.payload_digest for row in rows if row.payload_digest])
        pages = [
            page_of_capture(row, kept[row.payload_digest])
            for row in rows
            if row.payload_digest in kept
        ]
        if not rows:
            return
        yield from pages
        last = rows[-1].id


def pages_of_captures(
    store: ArchiveStore, capture_ids: Sequence[int], payloads: PayloadStore | None = None
) -> list[FetchedPage]:
    """These captures as pages to read again, in the order given (those with a body)."""
    bodies = payloads or DatabasePayloads()
    with store.engine.connect() as conn:
        rows = {
            row.id: row
            for row in conn.execute(select(CAPTURES).where(CAPTURES.c.id.in_(list(capture_ids))))
        }
        kept = bodies.get_many(
            conn, [row.payload_digest for row in rows.values() if row.payload_digest]
        )
    return [
        page_of_capture(row, kept[row.payload_digest])
        for capture_id in capture_ids
        if (row := rows.get(capture_id)) is not None and row.payload_digest in kept
    ]


def _wanted(site: str | None, since: datetime | None, held: bool) -> ColumnElement[bool]:
    """Each article's current capture (or, never archived, its last), or the held since."""
    article = and_(
        ARTICLES.c.site == CAPTURES.c.site, ARTICLES.c.article_id == CAPTURES.c.article_id
    )
    current = (
        select(VERSIONS.c.capture_id)
        .join(ARTICLES, ARTICLES.c.id == VERSIONS.c.article_pk)
        .where(VERSIONS.c.version == ARTICLES.c.version, article)
        .scalar_subquery()
    )
    if held:
        condition = and_(
            CAPTURES.c.outcome == "held",
            or_(~exists().where(article), CAPTURES.c.id > func.coalesce(current, 0)),
        )
    else:
        last_of_page = last_read_capture()
        # A failed fetch (a 404, a PDF) is kept, but it is no article page to read again.
        condition = or_(
            CAPTURES.c.id == current,
            and_(
                CAPTURES.c.outcome == "dropped",
                read_as_page(CAPTURES),
                ~exists().where(article),
                last_of_page,
            ),
        )
    conditions = [condition, CAPTURES.c.payload_digest.is_not(None)]
    if site is not None:
        conditions.append(CAPTURES.c.site == site)
    if since is not None:
        conditions.append(CAPTURES.c.fetched_at >= since)
    return and_(*conditions)


T = TypeVar("T")


def _batched(values: Iterable[T], size: int) -> Iterator[list[T]]:
    """itertools.batched, which arrives with Python 3.12."""
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk
