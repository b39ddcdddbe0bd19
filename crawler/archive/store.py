"""The storage API: the only code that writes the archive or reads records back.

`ArchiveStore.save` stores a batch of parsed pages and failed fetches in one
short transaction, with each dialect's own ``INSERT … ON CONFLICT`` upsert, so
that a page stored twice is one row and a crash mid-batch leaves nothing
half-stored.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Table, and_, delete, func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from crawler import items
from crawler.archive.models import (
    ArticleRecord,
    ArticleVersion,
    FailedFetch,
    ImageRecord,
    RawPage,
    RelatedLinkRecord,
)
from crawler.archive.search import (
    DEFAULT_TIMEOUT,
    SEARCH_BODY_CHARS,
    SEARCH_TITLE_CHARS,
    SearchFilters,
    SearchHit,
    search,
)
from crawler.items import FETCH_WARNINGS

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from sqlalchemy import Alias, Join, Select
    from sqlalchemy.engine import Connection, Engine, Row

    from crawler.archive.search_query import Query
    from crawler.parsing.article import ParseResult

Status = Literal["new", "changed", "reverted", "unchanged", "dropped", "failed"]
"""What a save did: a new article, a new version, a return to an earlier version,
the same text again, a page that gave no article, or a page that could not be fetched."""

_ARTICLES: Table = ArticleRecord.__table__  # type: ignore[assignment]
_VERSIONS: Table = ArticleVersion.__table__  # type: ignore[assignment]
_LINKS: Table = RelatedLinkRecord.__table__  # type: ignore[assignment]
_IMAGES: Table = ImageRecord.__table__  # type: ignore[assignment]
_RAW: Table = RawPage.__table__  # type: ignore[assignment]
_FAILED: Table = FailedFetch.__table__  # type: ignore[assignment]


_BOOKKEEPING = ("version", "first_seen_at", "fetched_at", "changed_at")
_RECORD_COLUMNS = tuple(
    f.name for f in fields(items.Article) if f.name in _ARTICLES.c and f.name not in _BOOKKEEPING
)
"""The record's fields its `articles` row holds as they are (`published_at` as a timestamp)."""
_LINK_COLUMNS = tuple(
    f.name for f in fields(items.RelatedLink) if f.name in _LINKS.c and f.name != "article_id"
)
"""A related link's fields its row holds under the same name (its `article_id` is `target_id`)."""


@dataclass
class ParsedPage:
    """A fetched page and what the parser made of it: one unit of storage."""

    page: items.FetchedPage
    result: ParseResult


@dataclass
class SaveOutcome:
    site: str
    article_id: str
    status: Status
    article: items.Article | None
    """The record as archived, bookkeeping included; None when dropped or failed."""
    drop_reason: str | None
    warnings: list[str]
    error: str | None = None
    reason: str | None = None
    """Why a page could not be fetched (see crawler.plan.failures)."""


@dataclass
class KnownArticle:
    """What the revisit schedule needs to know of an archived article."""

    article_id: str
    fetched_at: datetime
    fetch_count: int
    first_seen_at: datetime
    published_at: datetime | None


@dataclass
class Version:
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


@dataclass
class _Plan:
    """What saving one parsed article will do."""

    parsed: ParsedPage
    status: Status
    row: dict[str, Any]


class ArchiveStore:
    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name not in ("postgresql", "sqlite"):
            raise ValueError(
                f"unsupported database {engine.dialect.name!r}: use SQLite or PostgreSQL"
            )
        self.engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    # -- writing -------------------------------------------------------------------------

    def save(
        self,
        pages: Sequence[ParsedPage],
        failures: Sequence[items.FetchFailure] = (),
        *,
        reparse: bool = False,
    ) -> list[SaveOutcome]:
        """Store pages and failed fetches in one transaction; return what became of each.

        With `reparse`, the pages are stored pages parsed again: their raw HTML
        is not rewritten and they do not count as fetches.
        """
        latest = {(p.page.site, p.page.article_id): p for p in pages}  # a later fetch wins
        unique = list(latest.values())
        with self.engine.begin() as conn:
            if unique:
                self._save_raw(conn, unique, reparse=reparse)
            stored = self._save_articles(conn, [p for p in unique if p.result.article], reparse)
            if unique and not reparse:
                keys = [(p.page.site, p.page.article_id) for p in unique]
                conn.execute(
                    delete(_FAILED).where(tuple_(_FAILED.c.site, _FAILED.c.article_id).in_(keys))
                )
            self._save_failures(conn, failures)
        outcomes = [self._outcome(p, stored) for p in pages]
        return outcomes + [
            SaveOutcome(f.site, f.article_id, "failed", None, None, [], f.error, f.reason)
            for f in failures
        ]

    def _save_raw(self, conn: Connection, pages: list[ParsedPage], *, reparse: bool) -> None:
        if not reparse:
            rows = [_raw_row(p, self._warnings(p.result)) for p in pages]
            self._upsert(conn, _RAW, rows, ("site", "article_id"))
            return
        for parsed in pages:
            conn.execute(
                update(_RAW)
                .where(_RAW.c.site == parsed.page.site, _RAW.c.article_id == parsed.page.article_id)
                .values(**_outcome_columns(parsed.result, self._warnings(parsed.result)))
            )

    def _warnings(self, result: ParseResult) -> list[str]:
        """The parse's warnings, and what this database does not index of the text."""
        article = result.article
        if self.engine.dialect.name != "postgresql" or article is None:
            return result.warnings
        cut = [
            f"search_text_truncated: only the first {limit} characters of the {name} "
            f"are searchable (it has {len(text)})"
            for name, text, limit in (
                ("title", article.title, SEARCH_TITLE_CHARS),
                ("body", article.body, SEARCH_BODY_CHARS),
            )
            if len(text) > limit
        ]
        return result.warnings + cut if cut else result.warnings

    def _save_articles(
        self, conn: Connection, pages: list[ParsedPage], reparse: bool
    ) -> dict[tuple[str, str], tuple[Status, items.Article]]:
        if not pages:
            return {}
        plans = self._plan(conn, pages, reparse)
        rows = [plan.row for plan in plans]
        # Rows come back in no promised order (an upsert of existing rows returns them
        # as it finds them), so each id is matched to its row by the natural key.
        result = conn.execute(
            self._upsert_statement(_ARTICLES, ("site", "article_id"), rows[0]).returning(
                _ARTICLES.c.site, _ARTICLES.c.article_id, _ARTICLES.c.id
            ),
            rows,
        )
        pk_of = {(row.site, row.article_id): row.id for row in result}
        ids = [pk_of[plan.row["site"], plan.row["article_id"]] for plan in plans]
        versions = [_version_row(pk, plan) for pk, plan in zip(ids, plans, strict=True)]
        conn.execute(
            self._insert(_VERSIONS).on_conflict_do_update(
                index_elements=["article_pk", "version"],
                set_={"last_seen_at": self._insert(_VERSIONS).excluded.last_seen_at},
            ),
            versions,
        )
        self._replace_children(conn, ids, plans)
        return {
            (plan.row["site"], plan.row["article_id"]): (
                plan.status,
                _with_bookkeeping(plan.parsed.result.article, plan.row),  # type: ignore[arg-type]
            )
            for plan in plans
        }

    def _plan(self, conn: Connection, pages: list[ParsedPage], reparse: bool) -> list[_Plan]:
        keys = [(p.page.site, p.page.article_id) for p in pages]
        current = {
            (row.site, row.article_id): row
            for row in conn.execute(
                select(_ARTICLES)
                .where(tuple_(_ARTICLES.c.site, _ARTICLES.c.article_id).in_(keys))
                .with_for_update()
            )
        }
        earlier = self._earlier_versions(conn, pages, current)
        plans = []
        for parsed in pages:
            article = parsed.result.article
            assert article is not None
            seen_at = datetime.fromisoformat(parsed.page.fetched_at)
            previous = current.get((parsed.page.site, parsed.page.article_id))
            status: Status
            if previous is None:
                status, version, first_seen, changed, count = "new", 1, seen_at, seen_at, 1
            else:
                first_seen, count = (
                    previous.first_seen_at,
                    previous.fetch_count + (0 if reparse else 1),
                )
                hashes, highest = earlier.get(previous.id, ({}, previous.version))
                if previous.content_hash == article.content_hash:
                    status, version, changed = "unchanged", previous.version, previous.changed_at
                elif article.content_hash in hashes:
                    status, version, changed = "reverted", hashes[article.content_hash], seen_at
                else:
                    status, version, changed = "changed", highest + 1, seen_at
            row = _article_row(article, version, count, first_seen, seen_at, changed)
            plans.append(_Plan(parsed, status, row))
        return plans

    @staticmethod
    def _earlier_versions(
        conn: Connection, pages: list[ParsedPage], current: dict[tuple[str, str], Row[Any]]
    ) -> dict[int, tuple[dict[str, int], int]]:
        """For articles whose text differs: their known hashes and highest version."""
        differ = [
            current[key].id
            for p in pages
            if (key := (p.page.site, p.page.article_id)) in current
            and p.result.article is not None
            and current[key].content_hash != p.result.article.content_hash
        ]
        known: dict[int, tuple[dict[str, int], int]] = {}
        if differ:
            query = select(_VERSIONS.c.article_pk, _VERSIONS.c.content_hash, _VERSIONS.c.version)
            for pk, content_hash, version in conn.execute(
                query.where(_VERSIONS.c.article_pk.in_(differ))
            ):
                hashes, highest = known.setdefault(pk, ({}, 0))
                hashes[content_hash] = version
                known[pk] = (hashes, max(highest, version))
        return known

    def _replace_children(self, conn: Connection, ids: list[int], plans: list[_Plan]) -> None:
        conn.execute(delete(_LINKS).where(_LINKS.c.source_pk.in_(ids)))
        conn.execute(delete(_IMAGES).where(_IMAGES.c.article_pk.in_(ids)))
        links, images = [], []
        for pk, plan in zip(ids, plans, strict=True):
            article = plan.parsed.result.article
            assert article is not None
            links += [_link_row(pk, link) for link in article.related]
            images += [
                {"article_pk": pk, "position": n, "url": image.url, "caption": image.caption}
                for n, image in enumerate(article.images)
            ]
        if links:
            conn.execute(_LINKS.insert(), links)
        if images:
            conn.execute(_IMAGES.insert(), images)

    def _save_failures(self, conn: Connection, failures: Sequence[items.FetchFailure]) -> None:
        if not failures:
            return
        rows = {
            (f.site, f.article_id): {
                "site": f.site,
                "article_id": f.article_id,
                "url": f.url,
                "http_status": f.http_status,
                "reason": f.reason,
                "error": f.error,
                "attempts": 1,
                "first_failed_at": datetime.fromisoformat(f.failed_at),
                "last_failed_at": datetime.fromisoformat(f.failed_at),
            }
            for f in failures
        }
        statement = self._insert(_FAILED)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["site", "article_id"],
                set_={
                    "url": statement.excluded.url,
                    "http_status": statement.excluded.http_status,
                    "reason": statement.excluded.reason,
                    "error": statement.excluded.error,
                    "attempts": _FAILED.c.attempts + 1,
                    "last_failed_at": statement.excluded.last_failed_at,
                },
            ),
            list(rows.values()),
        )

    def _upsert(
        self, conn: Connection, table: Table, rows: list[dict[str, Any]], key: tuple[str, ...]
    ) -> None:
        if rows:
            conn.execute(self._upsert_statement(table, key, rows[0]), rows)

    def _upsert_statement(self, table: Table, key: tuple[str, ...], row: dict[str, Any]) -> Any:
        statement = self._insert(table)
        keep = {"id", "first_seen_at", *key}
        updated = {name: statement.excluded[name] for name in row if name not in keep}
        return statement.on_conflict_do_update(index_elements=list(key), set_=updated)

    def _outcome(
        self, parsed: ParsedPage, stored: dict[tuple[str, str], tuple[Status, items.Article]]
    ) -> SaveOutcome:
        page, result = parsed.page, parsed.result
        status, article = stored.get((page.site, page.article_id), ("dropped", None))
        return SaveOutcome(
            page.site, page.article_id, status, article, result.drop_reason, self._warnings(result)
        )

    # -- what the crawl needs to know ------------------------------------------------------

    def known_articles(self, site: str) -> Iterator[KnownArticle]:
        """Every archived article of a site, with what its revisit schedule depends on."""
        query = select(
            _ARTICLES.c.article_id,
            _ARTICLES.c.fetched_at,
            _ARTICLES.c.fetch_count,
            _ARTICLES.c.first_seen_at,
            _ARTICLES.c.published_at,
        ).where(_ARTICLES.c.site == site)
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=5000).execute(query):
                yield KnownArticle(*row)

    def failed(self, site: str) -> list[tuple[str, str, datetime]]:
        """(article id, reason, last failure) of pages not archived since they failed."""
        query = select(_FAILED.c.article_id, _FAILED.c.reason, _FAILED.c.last_failed_at)
        with self.engine.connect() as conn:
            rows = conn.execute(query.where(_FAILED.c.site == site))
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
                select(_ARTICLES)
                .where(_ARTICLES.c.id > last, *conditions)
                .order_by(_ARTICLES.c.id)
                .limit(chunk)
            )
            with self.engine.connect() as conn:
                rows = conn.execute(query).mappings().all()
                if not rows:
                    return
                ids = [row["id"] for row in rows]
                links = _grouped(conn, _LINKS, _LINKS.c.source_pk, ids)
                images = _grouped(conn, _IMAGES, _IMAGES.c.article_pk, ids)
            for row in rows:
                yield _article_from_row(row, links.get(row["id"], []), images.get(row["id"], []))
            last = ids[-1]

    def article(self, site: str, article_id: str) -> items.Article | None:
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(_ARTICLES).where(
                        _ARTICLES.c.site == site, _ARTICLES.c.article_id == article_id
                    )
                )
                .mappings()
                .one_or_none()
            )
            if row is None:
                return None
            links = _grouped(conn, _LINKS, _LINKS.c.source_pk, [row["id"]]).get(row["id"], [])
            images = _grouped(conn, _IMAGES, _IMAGES.c.article_pk, [row["id"]]).get(row["id"], [])
        return _article_from_row(row, links, images)

    def archived_titles(self, site: str, article_ids: list[str]) -> dict[str, str]:
        """Titles of those of `article_ids` that are archived."""
        if not article_ids:
            return {}
        query = select(_ARTICLES.c.article_id, _ARTICLES.c.title).where(
            _ARTICLES.c.site == site, _ARTICLES.c.article_id.in_(article_ids)
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
        archived = select(
            _ARTICLES.c.site, _ARTICLES.c.article_id, _ARTICLES.c.title, _ARTICLES.c.kind
        )
        if site is not None:
            archived = archived.where(_ARTICLES.c.site == site)
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=5000).execute(
                archived.order_by(_ARTICLES.c.id)
            ):
                yield GraphNode(row.site, row.article_id, row.title, row.kind, archived=True)
            source, target, links = _links_with_ends()
            missing = (
                select(
                    source.c.site,
                    _LINKS.c.target_id,
                    func.min(_LINKS.c.title),
                    func.min(_LINKS.c.kind),
                )
                .select_from(links)
                .where(target.c.id.is_(None))
                .group_by(source.c.site, _LINKS.c.target_id)
                .order_by(source.c.site, _LINKS.c.target_id)
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
                _LINKS.c.target_id,
                func.coalesce(target.c.title, _LINKS.c.title),
                _LINKS.c.position,
                target.c.id.is_not(None),
            )
            .select_from(links)
            .order_by(_LINKS.c.source_pk, _LINKS.c.position)
        )
        if site is not None:
            query = query.where(source.c.site == site)
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=5000).execute(query):
                yield GraphEdge(*row)

    def history(self, site: str, article_id: str) -> list[Version]:
        """Every version of an article's text, oldest first; empty if it is not archived."""
        query = (
            select(_VERSIONS)
            .join(_ARTICLES, _ARTICLES.c.id == _VERSIONS.c.article_pk)
            .where(_ARTICLES.c.site == site, _ARTICLES.c.article_id == article_id)
            .order_by(_VERSIONS.c.version)
        )
        with self.engine.connect() as conn:
            return [
                Version(r.version, r.content_hash, r.title, r.body, r.first_seen_at, r.last_seen_at)
                for r in conn.execute(query)
            ]

    def raw_pages(
        self, site: str | None = None, since: datetime | None = None
    ) -> Iterator[items.FetchedPage]:
        """Stored pages as they were fetched, oldest id first, for a re-parse."""
        last = 0
        while True:
            query = (
                select(_RAW)
                .where(_RAW.c.id > last, *_raw_filters(site, since))
                .order_by(_RAW.c.id)
                .limit(500)
            )
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
            if not rows:
                return
            for row in rows:
                yield _fetched_page(row)
            last = rows[-1].id

    def raw_page(self, site: str, article_id: str) -> items.FetchedPage | None:
        """One stored page as it was fetched (archived or dropped); None if never fetched."""
        query = select(_RAW).where(_RAW.c.site == site, _RAW.c.article_id == article_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).one_or_none()
        return _fetched_page(row) if row is not None else None

    def count_raw_pages(self, site: str | None = None, since: datetime | None = None) -> int:
        """How many pages `raw_pages(site, since)` gives."""
        query = select(func.count()).select_from(_RAW).where(*_raw_filters(site, since))
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

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
        query = select(func.count()).select_from(_ARTICLES).where(*conditions)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    def stats(self) -> ArchiveStats:
        month = func.substr(_ARTICLES.c.published_local, 1, 7)
        with self.engine.connect() as conn:
            by_kind = conn.execute(
                select(_ARTICLES.c.site, _ARTICLES.c.kind, func.count())
                .group_by(_ARTICLES.c.site, _ARTICLES.c.kind)
                .order_by(_ARTICLES.c.site, _ARTICLES.c.kind)
            ).all()
            by_month = conn.execute(
                select(month, func.count()).group_by(month).order_by(month)
            ).all()
            links = conn.execute(select(func.count()).select_from(_LINKS)).scalar_one()
            versions = conn.execute(select(func.count()).select_from(_VERSIONS)).scalar_one()
            dropped = conn.execute(
                select(_RAW.c.drop_reason, func.count())
                .where(_RAW.c.outcome == "dropped")
                .group_by(_RAW.c.drop_reason)
                .order_by(_RAW.c.drop_reason)
            ).all()
            failed = conn.execute(
                select(_FAILED.c.http_status, func.count())
                .group_by(_FAILED.c.http_status)
                .order_by(_FAILED.c.http_status)
            ).all()
            span = conn.execute(
                select(func.min(_ARTICLES.c.published_at), func.max(_ARTICLES.c.published_at))
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
            select(source.c.site, _LINKS.c.target_id)
            .select_from(links)
            .where(target.c.id.is_(None))
            .distinct()
        )
        return query if site is None else query.where(source.c.site == site)


def _links_with_ends() -> tuple[Alias, Alias, Join]:
    """Related links joined to the article that lists them and, when archived, their target."""
    source = _ARTICLES.alias("source")
    target = _ARTICLES.alias("target")
    links = _LINKS.join(source, source.c.id == _LINKS.c.source_pk).outerjoin(
        target, and_(target.c.site == source.c.site, target.c.article_id == _LINKS.c.target_id)
    )
    return source, target, links


def _article_filters(
    *, site: str | None, kind: str | None, since: datetime | None, until: datetime | None
) -> list[Any]:
    conditions = []
    if site is not None:
        conditions.append(_ARTICLES.c.site == site)
    if kind is not None:
        conditions.append(_ARTICLES.c.kind == kind)
    if since is not None:
        conditions.append(_ARTICLES.c.published_at >= since)
    if until is not None:
        conditions.append(_ARTICLES.c.published_at < until)
    return conditions


def _raw_filters(site: str | None, since: datetime | None) -> list[Any]:
    conditions = []
    if site is not None:
        conditions.append(_RAW.c.site == site)
    if since is not None:
        conditions.append(_RAW.c.fetched_at >= since)
    return conditions


def _fetched_page(row: Row[Any]) -> items.FetchedPage:
    return items.FetchedPage(
        site=row.site,
        article_id=row.article_id,
        url=row.url,
        final_url=row.final_url,
        status=row.http_status,
        content_type=row.content_type,
        encoding=row.encoding,
        body=gzip.decompress(row.body_gz),
        fetched_at=row.fetched_at.isoformat(),
        warnings=[w for w in row.warnings if w.startswith(FETCH_WARNINGS)],
    )


def _outcome_columns(result: ParseResult, warnings: list[str]) -> dict[str, Any]:
    return {
        "outcome": "archived" if result.article is not None else "dropped",
        "drop_reason": result.drop_reason,
        "warnings": warnings,
    }


def _raw_row(parsed: ParsedPage, warnings: list[str]) -> dict[str, Any]:
    page = parsed.page
    return {
        "site": page.site,
        "article_id": page.article_id,
        "url": page.url,
        "final_url": page.final_url,
        "http_status": page.status,
        "content_type": page.content_type,
        "encoding": page.encoding,
        "fetched_at": datetime.fromisoformat(page.fetched_at),
        "body_gz": gzip.compress(page.body, compresslevel=6, mtime=0),
        **_outcome_columns(parsed.result, warnings),
    }


def _article_row(
    article: items.Article,
    version: int,
    fetch_count: int,
    first_seen_at: datetime,
    fetched_at: datetime,
    changed_at: datetime,
) -> dict[str, Any]:
    row = {name: getattr(article, name) for name in _RECORD_COLUMNS}
    row["published_at"] = _instant(article.published_at)
    row.update(
        version=version,
        fetch_count=fetch_count,
        first_seen_at=first_seen_at,
        fetched_at=fetched_at,
        changed_at=changed_at,
    )
    return row


def _version_row(article_pk: int, plan: _Plan) -> dict[str, Any]:
    row = plan.row
    return {
        "article_pk": article_pk,
        "version": row["version"],
        "content_hash": row["content_hash"],
        "title": row["title"],
        "body": row["body"],
        "first_seen_at": row["fetched_at"],
        "last_seen_at": row["fetched_at"],
    }


def _link_row(source_pk: int, link: items.RelatedLink) -> dict[str, Any]:
    return {"source_pk": source_pk, "target_id": link.article_id} | {
        name: getattr(link, name) for name in _LINK_COLUMNS
    }


def _with_bookkeeping(article: items.Article, row: dict[str, Any]) -> items.Article:
    article.version = row["version"]
    article.first_seen_at = row["first_seen_at"].isoformat()
    article.fetched_at = row["fetched_at"].isoformat()
    article.changed_at = row["changed_at"].isoformat()
    return article


def _grouped(conn: Connection, table: Table, key: Any, ids: list[int]) -> dict[int, list[Any]]:
    groups: dict[int, list[Any]] = {}
    for row in conn.execute(select(table).where(key.in_(ids)).order_by(key, table.c.position)):
        groups.setdefault(getattr(row, key.name), []).append(row)
    return groups


def _article_from_row(row: Any, links: list[Any], images: list[Any]) -> items.Article:
    values = {name: row[name] for name in _RECORD_COLUMNS}
    values["published_at"] = _iso(row["published_at"])
    return items.Article(
        **values,
        images=[items.Image(url=image.url, caption=image.caption) for image in images],
        related=[
            items.RelatedLink(
                article_id=link.target_id, **{name: getattr(link, name) for name in _LINK_COLUMNS}
            )
            for link in links
        ],
        version=row["version"],
        first_seen_at=_iso(row["first_seen_at"]),
        fetched_at=_iso(row["fetched_at"]),
        changed_at=_iso(row["changed_at"]),
    )


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
