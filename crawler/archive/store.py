"""The storage API: the one way into the archive, for the crawl and for its readers.

`ArchiveStore.save` hands a batch to the write path (crawler.archive.save,
which stores captures, judges them and keeps versions); everything else here
reads: what the crawl plans with, records, history, stats, the graph.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select

from crawler.archive import announcements
from crawler.archive.rows import (
    ARTICLES,
    CAPTURES,
    FAILED,
    IMAGES,
    LINKS,
    VERSIONS,
    article_from_row,
    last_read_capture,
    read_as_page,
)
from crawler.archive.save import BatchSave, GateContext, ParsedPage, SaveOutcome, Status
from crawler.archive.search import DEFAULT_TIMEOUT, SearchFilters, SearchHit, search

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from datetime import datetime

    from sqlalchemy import Alias, Join, Select, Table
    from sqlalchemy.engine import Connection, Engine

    from crawler import items
    from crawler.archive.announcements import Announced
    from crawler.archive.search_query import Query

__all__ = ["ArchiveStore", "GateContext", "ParsedPage", "SaveOutcome", "Status"]


@dataclass
class KnownArticle:
    """What the revisit schedule needs to know of an archived article."""

    article_id: str
    fetched_at: datetime
    fetch_count: int
    first_seen_at: datetime
    published_at: datetime | None


@dataclass(frozen=True)
class Version:
    """One distinct text of an article (a text is kept once, however often it comes back)."""

    version: int
    content_hash: str
    title: str
    body: str
    first_seen_at: datetime
    last_seen_at: datetime


@dataclass
class ArchiveStats:
    articles: dict[tuple[str, str], int]
    """Count by (site, kind)."""
    by_month: dict[str, int]
    """Count by month of publication, in the site's time zone (YYYY-MM)."""
    versions: int
    related_links: int
    missing: int
    """Distinct ids linked to but not archived."""
    dropped: dict[str, int]
    """Fetched pages that gave no article, by reason."""
    failed: dict[str, int]
    """Pages not fetched (yet), by HTTP status."""
    published_from: datetime | None
    published_to: datetime | None

    @property
    def total(self) -> int:
        return sum(self.articles.values())


@dataclass
class GraphNode:
    site: str
    article_id: str
    title: str | None
    kind: str | None
    archived: bool


@dataclass
class GraphEdge:
    site: str
    source_id: str
    source_title: str
    target_id: str
    target_title: str | None
    position: int
    target_archived: bool


class ArchiveStore:
    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name not in ("postgresql", "sqlite"):
            raise ValueError(
                f"unsupported database {engine.dialect.name!r}: use SQLite or PostgreSQL"
            )
        self.engine = engine
        self._writer = BatchSave(engine)

    # -- writing (crawler.archive.save) ----------------------------------------------------

    def save(
        self,
        pages: Sequence[ParsedPage],
        failures: Sequence[items.FetchFailure] = (),
        *,
        reparse: bool = False,
        gate: GateContext | None = None,
    ) -> list[SaveOutcome]:
        """Store pages and failed fetches in one transaction (see `BatchSave.save`)."""
        return self._writer.save(pages, failures, reparse=reparse, gate=gate)

    def announce(
        self, site: str, announced: Sequence[Announced], *, run_id: int | None, at: datetime
    ) -> None:
        """Keep what discovery sources say of articles before their pages are fetched."""
        announcements.record(self.engine, site, announced, run_id=run_id, at=at)

    # -- what the crawl needs to know ------------------------------------------------------

    def announced_unarchived(self, site: str) -> list[str]:
        """Ids a source announced for `site` that the archive does not hold yet."""
        return announcements.unarchived(self.engine, site)

    def known_articles(self, site: str) -> Iterator[KnownArticle]:
        """Every archived article of a site, with what its revisit schedule depends on."""
        query = select(
            ARTICLES.c.article_id,
            ARTICLES.c.fetched_at,
            ARTICLES.c.fetch_count,
            ARTICLES.c.first_seen_at,
            ARTICLES.c.published_at,
        ).where(ARTICLES.c.site == site)
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=5000).execute(query):
                yield KnownArticle(*row)

    def failed(self, site: str) -> list[tuple[str, str, datetime]]:
        """(article id, reason, last failure) of pages not archived since they failed."""
        query = select(FAILED.c.article_id, FAILED.c.reason, FAILED.c.last_failed_at)
        with self.engine.connect() as conn:
            rows = conn.execute(query.where(FAILED.c.site == site))
            return [(row.article_id, row.reason, row.last_failed_at) for row in rows]

    def discovered(self, site: str) -> list[str]:
        """Ids linked from archived pages and never archived (failed ones included).

        These are what an interrupted run left unfetched, so every run starts
        with them; `schedule.plan_run` leaves out those not due for a retry.
        """
        return sorted(article_id for _, article_id in self.missing_ids(site))

    # -- reading -------------------------------------------------------------------------

    def iter_articles(
        self,
        site: str | None = None,
        *,
        kind: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        chunk: int = 1000,
    ) -> Iterator[items.Article]:
        """Archived articles as schema records, streamed in id order (constant memory).

        `since` and `until` bound the publication time (until exclusive).
        """
        conditions = _article_filters(site=site, kind=kind, since=since, until=until)
        last = 0
        while True:
            query = (
                select(ARTICLES)
                .where(ARTICLES.c.id > last, *conditions)
                .order_by(ARTICLES.c.id)
                .limit(chunk)
            )
            with self.engine.connect() as conn:
                rows = conn.execute(query).mappings().all()
                if not rows:
                    return
                ids = [row["id"] for row in rows]
                links = _grouped(conn, LINKS, LINKS.c.source_pk, ids)
                images = _grouped(conn, IMAGES, IMAGES.c.article_pk, ids)
            for row in rows:
                yield article_from_row(row, links.get(row["id"], []), images.get(row["id"], []))
            last = ids[-1]

    def article(self, site: str, article_id: str) -> items.Article | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(ARTICLES).where(
                        ARTICLES.c.site == site, ARTICLES.c.article_id == article_id
                    )
                )
                .mappings()
                .one_or_none()
            )
            if row is None:
                return None
            links = _grouped(conn, LINKS, LINKS.c.source_pk, [row["id"]]).get(row["id"], [])
            images = _grouped(conn, IMAGES, IMAGES.c.article_pk, [row["id"]]).get(row["id"], [])
        return article_from_row(row, links, images)

    def archived_titles(self, site: str, article_ids: list[str]) -> dict[str, str]:
        """Titles of those of `article_ids` that are archived."""
        if not article_ids:
            return {}
        query = select(ARTICLES.c.article_id, ARTICLES.c.title).where(
            ARTICLES.c.site == site, ARTICLES.c.article_id.in_(article_ids)
        )
        with self.engine.connect() as conn:
            return {row.article_id: row.title for row in conn.execute(query)}

    def search(
        self, query: Query, filters: SearchFilters, timeout: float = DEFAULT_TIMEOUT
    ) -> list[SearchHit]:
        """The best matches; SearchTimeout if the database had to stop it (PostgreSQL)."""
        with self.engine.connect() as conn:
            return search(conn, query, filters, timeout)

    def graph_nodes(self, site: str | None = None) -> Iterator[GraphNode]:
        """Archived articles, then ids linked to but not archived (with the title a link lists)."""
        archived = select(ARTICLES.c.site, ARTICLES.c.article_id, ARTICLES.c.title, ARTICLES.c.kind)
        if site is not None:
            archived = archived.where(ARTICLES.c.site == site)
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=5000).execute(
                archived.order_by(ARTICLES.c.id)
            ):
                yield GraphNode(row.site, row.article_id, row.title, row.kind, archived=True)
            source, target, links = _links_with_ends()
            missing = (
                select(
                    source.c.site,
                    LINKS.c.target_id,
                    func.min(LINKS.c.title),
                    func.min(LINKS.c.kind),
                )
                .select_from(links)
                .where(target.c.id.is_(None))
                .group_by(source.c.site, LINKS.c.target_id)
                .order_by(source.c.site, LINKS.c.target_id)
            )
            if site is not None:
                missing = missing.where(source.c.site == site)
            for row_site, target_id, title, kind in conn.execution_options(yield_per=5000).execute(
                missing
            ):
                yield GraphNode(row_site, target_id, title, kind, archived=False)

    def graph_edges(self, site: str | None = None) -> Iterator[GraphEdge]:
        """Every related link, with both ends' titles (the target's own if archived)."""
        source, target, links = _links_with_ends()
        query = (
            select(
                source.c.site,
                source.c.article_id,
                source.c.title,
                LINKS.c.target_id,
                func.coalesce(target.c.title, LINKS.c.title),
                LINKS.c.position,
                target.c.id.is_not(None),
            )
            .select_from(links)
            .order_by(LINKS.c.source_pk, LINKS.c.position)
        )
        if site is not None:
            query = query.where(source.c.site == site)
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=5000).execute(query):
                yield GraphEdge(*row)

    def history(self, site: str, article_id: str) -> list[Version]:
        """Every version of an article's text, oldest first; empty if it is not archived."""
        query = (
            select(VERSIONS)
            .join(ARTICLES, ARTICLES.c.id == VERSIONS.c.article_pk)
            .where(ARTICLES.c.site == site, ARTICLES.c.article_id == article_id)
            .order_by(VERSIONS.c.version)
        )
        with self.engine.connect() as conn:
            return [
                Version(r.version, r.content_hash, r.title, r.body, r.first_seen_at, r.last_seen_at)
                for r in conn.execute(query)
            ]

    def count_articles(
        self,
        site: str | None = None,
        *,
        kind: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> int:
        """How many records `iter_articles` gives with the same filters."""
        conditions = _article_filters(site=site, kind=kind, since=since, until=until)
        query = select(func.count()).select_from(ARTICLES).where(*conditions)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    def stats(self) -> ArchiveStats:
        month = func.substr(ARTICLES.c.published_local, 1, 7)
        with self.engine.connect() as conn:
            by_kind = conn.execute(
                select(ARTICLES.c.site, ARTICLES.c.kind, func.count())
                .group_by(ARTICLES.c.site, ARTICLES.c.kind)
                .order_by(ARTICLES.c.site, ARTICLES.c.kind)
            ).all()
            by_month = conn.execute(
                select(month, func.count()).group_by(month).order_by(month)
            ).all()
            links = conn.execute(select(func.count()).select_from(LINKS)).scalar_one()
            versions = conn.execute(select(func.count()).select_from(VERSIONS)).scalar_one()
            dropped = conn.execute(_dropped_pages()).all()
            failed = conn.execute(
                select(FAILED.c.http_status, func.count())
                .group_by(FAILED.c.http_status)
                .order_by(FAILED.c.http_status)
            ).all()
            span = conn.execute(
                select(func.min(ARTICLES.c.published_at), func.max(ARTICLES.c.published_at))
            ).one()
            missing = conn.execute(
                select(func.count()).select_from(self._missing(None).subquery())
            ).scalar_one()
        return ArchiveStats(
            articles={(site, kind): count for site, kind, count in by_kind},
            by_month={key or "undated": count for key, count in by_month},
            versions=versions,
            related_links=links,
            missing=missing,
            dropped={reason: count for reason, count in dropped},
            failed={
                str(status) if status is not None else "no response": count
                for status, count in failed
            },
            published_from=span[0],
            published_to=span[1],
        )

    def missing_ids(self, site: str | None = None) -> list[tuple[str, str]]:
        """(site, id) of every article some page links to that the archive lacks."""
        query = self._missing(site)
        query = query.order_by(*query.selected_columns)
        with self.engine.connect() as conn:
            return [(row.site, row.target_id) for row in conn.execute(query)]

    def _missing(self, site: str | None) -> Select[Any]:
        """Distinct (site, target_id) of links whose target is not archived."""
        source, target, links = _links_with_ends()
        query = (
            select(source.c.site, LINKS.c.target_id)
            .select_from(links)
            .where(target.c.id.is_(None))
            .distinct()
        )
        return query if site is None else query.where(source.c.site == site)


def _links_with_ends() -> tuple[Alias, Alias, Join]:
    """Related links joined to the article that lists them and, when archived, their target."""
    source = ARTICLES.alias("source")
    target = ARTICLES.alias("target")
    links = LINKS.join(source, source.c.id == LINKS.c.source_pk).outerjoin(
        target, and_(target.c.site == source.c.site, target.c.article_id == LINKS.c.target_id)
    )
    return source, target, links


def _article_filters(
    *, site: str | None, kind: str | None, since: datetime | None, until: datetime | None
) -> list[Any]:
    conditions = []
    if site is not None:
        conditions.append(ARTICLES.c.site == site)
    if kind is not None:
        conditions.append(ARTICLES.c.kind == kind)
    if since is not None:
        conditions.append(ARTICLES.c.published_at >= since)
    if until is not None:
        conditions.append(ARTICLES.c.published_at < until)
    return conditions


def _dropped_pages() -> Select[Any]:
    """(reason, pages) of the pages whose last page read gave no article.

    A page's last read is its last capture with a body that the gate did not
    hold and that was read as a page (a failed fetch, such as a 404 or a PDF, is
    counted as failed).
    """
    last_read = last_read_capture()
    return (
        select(CAPTURES.c.reason, func.count())
        .where(CAPTURES.c.outcome == "dropped", read_as_page(CAPTURES), last_read)
        .group_by(CAPTURES.c.reason)
        .order_by(CAPTURES.c.reason)
    )


def _grouped(conn: Connection, table: Table, key: Any, ids: list[int]) -> dict[int, list[Any]]:
    groups: dict[int, list[Any]] = {}
    for row in conn.execute(select(table).where(key.in_(ids)).order_by(key, table.c.position)):
        groups.setdefault(getattr(row, key.name), []).append(row)
    return groups
