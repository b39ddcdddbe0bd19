"""Storing a batch: the write path's last step, in the order a capture travels.

The crawl hands pages to the writer (crawler.archive.writer), which sends
them in batches to the worker process (crawler.archive.worker), which parses
them and stores each batch here, in one short transaction:

1. the body is kept once, by digest (crawler.archive.payloads);
2. the gate judges the record (crawler.archive.gate): held, or on;
3. the versioning rule names what it is (crawler.archive.versions);
4. the rows are written (crawler.archive.rows, where records and rows meet):
   one capture a fetch, and the article, its version and links when accepted.

Each dialect's own ``INSERT … ON CONFLICT`` upsert makes a page stored twice
one row, and a crash mid-batch leaves nothing half-stored. A batch that holds
an article twice is stored in rounds (each fetch of it is a capture, in order).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from crawler.archive import gate as quality
from crawler.archive.payloads import Body, DatabasePayloads, Stored
from crawler.archive.rows import (
    ARTICLES,
    CAPTURES,
    FAILED,
    IMAGES,
    LINKS,
    VERSIONS,
    article_row,
    capture_row,
    exchange_of,
    failure_capture_row,
    image_row,
    link_row,
    version_row,
    with_bookkeeping,
)
from crawler.archive.search import SEARCH_BODY_CHARS, SEARCH_TITLE_CHARS
from crawler.archive.versions import History, next_version

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from sqlalchemy import Table
    from sqlalchemy.engine import Connection, Engine, Row

    from crawler import items
    from crawler.archive.payloads import PayloadStore
    from crawler.parsing.article import ParseResult

Status = Literal[
    "new", "changed", "reverted", "unchanged", "not_modified", "held", "dropped", "failed"
]
"""What a save did: a new article, a new version, a return to an earlier version, the
same text again, a 304 confirming the current version, a capture the gate held, a page
that gave no article, or a page that could not be fetched."""

ACCEPTED: frozenset[str] = frozenset({"new", "changed", "reverted", "unchanged"})
_CAPTURE_OUTCOME = {
    "new": "new",
    "changed": "version",
    "reverted": "version",
    "unchanged": "unchanged",
    "not_modified": "not_modified",
    "held": "held",
    "dropped": "dropped",
}
"""A save's status as its capture's outcome (`Capture.outcome`)."""


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
    """The record as archived, bookkeeping included; None unless it was archived."""
    drop_reason: str | None
    warnings: list[str]
    error: str | None = None
    reason: str | None = None
    """Why a page could not be fetched (see crawler.plan.failures), or why it was held."""
    capture_id: int | None = None
    """The capture the page was stored as (or, re-parsed, read from)."""


@dataclass
class GateContext:
    """What the gate weighs a batch against: the site's recent sources, this run's so far."""

    sites: dict[str, quality.SiteSources]
    runs: dict[str, quality.RunSources] = field(default_factory=dict)
    default: quality.SiteSources | None = None
    """For a site not in `sites`; None: such a site's pages are not judged."""

    def judge(
        self, site: str, current: quality.Current | None, record: items.Article
    ) -> quality.Verdict:
        sources = self.sites.get(site, self.default)
        if sources is None:
            return quality.Verdict.accept()
        return quality.judge(current, record, sources, self.run(site).matched)

    def run(self, site: str) -> quality.RunSources:
        return self.runs.setdefault(site, quality.RunSources())


LOST_FIELDS_ONLY = quality.SiteSources(ruled=frozenset(), recent=frozenset())
"""A gate that only weighs lost fields (a re-parse has no run to judge drift over)."""


@dataclass
class _Decision:
    index: int
    parsed: ParsedPage
    status: Status
    previous: Row[Any] | None
    version: int | None = None
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    row: dict[str, Any] | None = None
    """The article's row, when the record is archived (or a 304 confirms it)."""
    body: Body | None = None
    capture_id: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.parsed.page.site, self.parsed.page.article_id)

    @property
    def fetched_at(self) -> datetime:
        """When the page decided on was fetched (for a re-parse: its capture's time)."""
        return datetime.fromisoformat(self.parsed.page.fetched_at)


class BatchSave:
    def __init__(self, engine: Engine, payloads: PayloadStore | None = None) -> None:
        self.engine = engine
        self.payloads: PayloadStore = payloads or DatabasePayloads()
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def save(
        self,
        pages: Sequence[ParsedPage],
        failures: Sequence[items.FetchFailure] = (),
        *,
        reparse: bool = False,
        gate: GateContext | None = None,
    ) -> list[SaveOutcome]:
        """Store pages and failed fetches in one transaction; what became of each, in order.

        With `reparse`, the pages are stored captures parsed again
        (`FetchedPage.capture_id`): no capture is added, none counts as a fetch,
        and a held capture that now passes the gate becomes a version.
        """
        outcomes: list[SaveOutcome | None] = [None] * len(pages)
        with self.engine.begin() as conn:
            for entries in _rounds(pages):
                for decision in self._save_round(conn, entries, reparse, gate):
                    outcomes[decision.index] = self._outcome(decision)
            if pages and not reparse:
                keys = list({(p.page.site, p.page.article_id) for p in pages})
                conn.execute(
                    delete(FAILED).where(tuple_(FAILED.c.site, FAILED.c.article_id).in_(keys))
                )
            self._capture_failures(conn, failures)
            self._save_failures(conn, failures)
        return [o for o in outcomes if o is not None] + [
            SaveOutcome(f.site, f.article_id, "failed", None, None, [], f.error, f.reason)
            for f in failures
        ]

    # -- deciding ------------------------------------------------------------------------

    def _save_round(
        self,
        conn: Connection,
        entries: list[tuple[int, ParsedPage]],
        reparse: bool,
        gate: GateContext | None,
    ) -> list[_Decision]:
        self._stored: dict[str, Stored] = {}
        self._pks: dict[int, int] = {}
        keys = list({(p.page.site, p.page.article_id) for _, p in entries})
        current = {
            (row.site, row.article_id): row
            for row in conn.execute(
                select(ARTICLES)
                .where(tuple_(ARTICLES.c.site, ARTICLES.c.article_id).in_(keys))
                .with_for_update()
            )
        }
        if gate is not None:
            # The run's tally counts this batch's pages before any is judged.
            for _, parsed in entries:
                if parsed.result.article is not None:
                    gate.run(parsed.page.site).add(parsed.result.article)
        histories = self._histories(conn, [p for _, p in entries], current)
        decisions = [
            self._decide(index, parsed, current, histories, gate) for index, parsed in entries
        ]
        if not reparse:
            self._keep_bodies(conn, decisions)
        self._save_articles(conn, decisions, reparse)
        if reparse:
            self._settle_held(conn, decisions)
        else:
            self._save_captures(conn, decisions)
        self._link_versions(conn, decisions, reparse)
        return decisions

    def _decide(
        self,
        index: int,
        parsed: ParsedPage,
        current: dict[tuple[str, str], Row[Any]],
        histories: dict[int, History],
        gate: GateContext | None,
    ) -> _Decision:
        page, result = parsed.page, parsed.result
        previous = current.get((page.site, page.article_id))
        decision = _Decision(index, parsed, "dropped", previous, warnings=self._warnings(result))
        if page.status == HTTPStatus.NOT_MODIFIED:
            if previous is None:
                decision.reason = "not_modified: the archive holds no version it confirms"
            else:
                decision.status, decision.version = "not_modified", previous.version
            return decision
        article = result.article
        if article is None:
            decision.reason = result.drop_reason
            return decision
        if gate is not None:
            was = _current(previous) if previous is not None else None
            verdict = gate.judge(page.site, was, article)
            if verdict.held:
                decision.status, decision.reason = "held", verdict.reason
                return decision
        history = histories.get(previous.id) if previous is not None else None
        decision.status, decision.version = next_version(history, article.content_hash)
        return decision

    @staticmethod
    def _histories(
        conn: Connection, pages: list[ParsedPage], current: dict[tuple[str, str], Row[Any]]
    ) -> dict[int, History]:
        """Each archived article's texts; earlier hashes only where the new text differs."""
        histories = {row.id: History(row.content_hash, row.version, {}) for row in current.values()}
        differ = [
            current[key].id
            for p in pages
            if (key := (p.page.site, p.page.article_id)) in current
            and p.result.article is not None
            and current[key].content_hash != p.result.article.content_hash
        ]
        if differ:
            query = select(VERSIONS.c.article_pk, VERSIONS.c.content_hash, VERSIONS.c.version)
            for pk, content_hash, version in conn.execute(
                query.where(VERSIONS.c.article_pk.in_(differ))
            ):
                histories[pk].hashes[content_hash] = version
        return histories

    # -- writing -------------------------------------------------------------------------

    def _keep_bodies(self, conn: Connection, decisions: list[_Decision]) -> None:
        for decision in decisions:
            if decision.parsed.page.status != HTTPStatus.NOT_MODIFIED:
                decision.body = Body(exchange_of(decision.parsed.page).body)
        bodies = [d.body for d in decisions if d.body is not None]
        self._stored = self.payloads.put(conn, bodies)

    def _save_captures(self, conn: Connection, decisions: list[_Decision]) -> None:
        earlier = self._earlier_captures(conn, decisions)
        rows = []
        for decision in decisions:
            page = decision.parsed.page
            body = decision.body
            stored = self._stored.get(body.digest) if body is not None else None
            refers_to = page.revalidates if decision.status == "not_modified" else None
            if body is not None and stored is not None and stored.seen_before:
                refers_to = earlier.get((*decision.key, body.digest))
            rows.append(
                capture_row(
                    page,
                    exchange_of(page),
                    payload_id=stored.payload_id if stored is not None else None,
                    digest=body.digest if body is not None else None,
                    outcome=_CAPTURE_OUTCOME[decision.status],
                    version=decision.version,
                    reason=decision.reason,
                    warnings=decision.warnings,
                    refers_to=refers_to,
                )
            )
        ids = conn.execute(
            CAPTURES.insert().returning(CAPTURES.c.id, sort_by_parameter_order=True), rows
        ).scalars()
        for decision, capture_id in zip(decisions, ids, strict=True):
            decision.capture_id = capture_id

    def _earlier_captures(
        self, conn: Connection, decisions: list[_Decision]
    ) -> dict[tuple[str, str, str], int]:
        """The first capture of the same page with the same bytes, for bodies seen before."""
        wanted = [
            (*d.key, d.body.digest)
            for d in decisions
            if d.body is not None and self._stored[d.body.digest].seen_before
        ]
        if not wanted:
            return {}
        query = (
            select(
                CAPTURES.c.site,
                CAPTURES.c.article_id,
                CAPTURES.c.payload_digest,
                func.min(CAPTURES.c.id),
            )
            .where(
                tuple_(CAPTURES.c.site, CAPTURES.c.article_id, CAPTURES.c.payload_digest).in_(
                    wanted
                )
            )
            .group_by(CAPTURES.c.site, CAPTURES.c.article_id, CAPTURES.c.payload_digest)
        )
        return {(site, aid, digest): first for site, aid, digest, first in conn.execute(query)}

    def _settle_held(self, conn: Connection, decisions: list[_Decision]) -> None:
        """A re-parse: a held (or dropped) capture read now becomes what it gives."""
        for decision in decisions:
            decision.capture_id = decision.parsed.page.capture_id
        settled = [d for d in decisions if d.capture_id is not None and d.status != "dropped"]
        if not settled:
            return
        # Most captures re-read are their article's current one (outcome new, version...):
        # one query finds the few still held or dropped, and only those are updated.
        unsettled = set(
            conn.execute(
                select(CAPTURES.c.id).where(
                    CAPTURES.c.id.in_([d.capture_id for d in settled]),
                    CAPTURES.c.outcome.in_(("held", "dropped")),
                )
            ).scalars()
        )
        for decision in settled:
            capture_id = decision.capture_id
            if capture_id not in unsettled:
                continue
            conn.execute(
                update(CAPTURES)
                .where(CAPTURES.c.id == capture_id, CAPTURES.c.outcome.in_(("held", "dropped")))
                .values(
                    outcome=_CAPTURE_OUTCOME[decision.status],
                    version=decision.version,
                    reason=decision.reason,
                )
            )

    def _save_articles(self, conn: Connection, decisions: list[_Decision], reparse: bool) -> None:
        accepted = [d for d in decisions if d.status in ACCEPTED]
        for decision in accepted:
            article = decision.parsed.result.article
            assert article is not None and decision.version is not None
            seen_at = decision.fetched_at
            last_seen = seen_at
            previous = decision.previous
            if previous is None:
                first_seen, count, changed = seen_at, 1, seen_at
            else:
                first_seen = previous.first_seen_at
                count = previous.fetch_count + (0 if reparse else 1)
                changed = previous.changed_at if decision.status == "unchanged" else seen_at
                if reparse:
                    # A re-parse reads an older capture again; a later 304 may have
                    # confirmed the article since, and that stays its last sight.
                    last_seen = max(seen_at, previous.fetched_at)
            decision.row = article_row(
                article, decision.version, count, first_seen, last_seen, changed
            )
        confirmed = [d for d in decisions if d.status == "not_modified"]
        for decision in confirmed:
            assert decision.previous is not None
            conn.execute(
                update(ARTICLES)
                .where(ARTICLES.c.id == decision.previous.id)
                .values(
                    fetched_at=decision.fetched_at,
                    fetch_count=ARTICLES.c.fetch_count + 1,
                )
            )
        if not accepted:
            return
        # A re-parse mostly finds what is stored: a row it would write as it is stays.
        kept = {d.index for d in accepted if reparse and _row_as_stored(d)}
        written = [d for d in accepted if d.index not in kept]
        self._pks = {d.index: d.previous.id for d in accepted if d.index in kept}  # type: ignore[union-attr]
        if written:
            rows = [d.row for d in written]
            # Rows come back in no promised order (an upsert of existing rows returns them
            # as it finds them), so each id is matched to its row by the natural key.
            result = conn.execute(
                self._upsert_statement(ARTICLES, ("site", "article_id"), rows[0]).returning(
                    ARTICLES.c.site, ARTICLES.c.article_id, ARTICLES.c.id
                ),
                rows,
            )
            pk_of = {(row.site, row.article_id): row.id for row in result}
            self._pks.update({d.index: pk_of[d.key] for d in written})
        self._replace_children(conn, accepted, reparse)

    def _link_versions(self, conn: Connection, decisions: list[_Decision], reparse: bool) -> None:
        """Each version row, naming the capture a new version was read from."""
        accepted = [d for d in decisions if d.status in ACCEPTED]
        if accepted:
            statement = self._insert(VERSIONS)
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["article_pk", "version"],
                    set_={"last_seen_at": statement.excluded.last_seen_at},
                ),
                [
                    version_row(
                        self._pks[d.index],
                        d.row,  # type: ignore[arg-type]
                        d.capture_id,
                        first_seen_at=d.fetched_at,
                    )
                    for d in accepted
                ],
            )
        for decision in decisions:
            if decision.status == "not_modified":
                assert decision.previous is not None
                conn.execute(
                    update(VERSIONS)
                    .where(
                        VERSIONS.c.article_pk == decision.previous.id,
                        VERSIONS.c.version == decision.previous.version,
                    )
                    .values(last_seen_at=decision.fetched_at)
                )

    def _replace_children(self, conn: Connection, accepted: list[_Decision], reparse: bool) -> None:
        wanted: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
        for decision in accepted:
            pk, article = self._pks[decision.index], decision.parsed.result.article
            assert article is not None
            wanted[pk] = (
                [link_row(pk, link) for link in article.related],
                [image_row(pk, n, image) for n, image in enumerate(article.images)],
            )
        if reparse:
            # A re-parse mostly finds the links and images stored: those stay as they are.
            stored = self._children(conn, list(wanted))
            wanted = {pk: rows for pk, rows in wanted.items() if stored.get(pk, ([], [])) != rows}
            if not wanted:
                return
        ids = list(wanted)
        conn.execute(delete(LINKS).where(LINKS.c.source_pk.in_(ids)))
        conn.execute(delete(IMAGES).where(IMAGES.c.article_pk.in_(ids)))
        links = [row for pk_links, _ in wanted.values() for row in pk_links]
        images = [row for _, pk_images in wanted.values() for row in pk_images]
        if links:
            conn.execute(LINKS.insert(), links)
        if images:
            conn.execute(IMAGES.insert(), images)

    @staticmethod
    def _children(
        conn: Connection, ids: list[int]
    ) -> dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
        """The stored links and images of these articles, as the rows that wrote them."""
        stored: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {
            pk: ([], []) for pk in ids
        }
        for table, key, place in ((LINKS, LINKS.c.source_pk, 0), (IMAGES, IMAGES.c.article_pk, 1)):
            query = select(table).where(key.in_(ids)).order_by(key, table.c.position)
            for row in conn.execute(query).mappings():
                stored[row[key.name]][place].append(dict(row))
        return stored

    def _capture_failures(self, conn: Connection, failures: Sequence[items.FetchFailure]) -> None:
        """Each error reply kept as it came: a capture, dropped with the failure's reason."""
        replied = [(f, f.exchange) for f in failures if f.exchange is not None]
        if not replied:
            return
        bodies = [Body(exchange.body) for _, exchange in replied]
        stored = self.payloads.put(conn, bodies)
        rows = []
        for (failure, exchange), body in zip(replied, bodies, strict=True):
            kept = stored[body.digest]
            refers_to = None
            if kept.seen_before:  # the same error page again: a revisit of its first capture
                refers_to = conn.execute(
                    select(func.min(CAPTURES.c.id)).where(
                        CAPTURES.c.site == failure.site,
                        CAPTURES.c.article_id == failure.article_id,
                        CAPTURES.c.payload_digest == body.digest,
                    )
                ).scalar_one()
            rows.append(
                failure_capture_row(
                    failure,
                    exchange,
                    payload_id=kept.payload_id,
                    digest=body.digest,
                    refers_to=refers_to,
                )
            )
        conn.execute(CAPTURES.insert(), rows)

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
        statement = self._insert(FAILED)
        conn.execute(
            statement.on_conflict_do_update(
                index_elements=["site", "article_id"],
                set_={
                    "url": statement.excluded.url,
                    "http_status": statement.excluded.http_status,
                    "reason": statement.excluded.reason,
                    "error": statement.excluded.error,
                    "attempts": FAILED.c.attempts + 1,
                    "last_failed_at": statement.excluded.last_failed_at,
                },
            ),
            list(rows.values()),
        )

    def _upsert_statement(self, table: Table, key: tuple[str, ...], row: dict[str, Any]) -> Any:
        statement = self._insert(table)
        keep = {"id", "first_seen_at", *key}
        updated = {name: statement.excluded[name] for name in row if name not in keep}
        return statement.on_conflict_do_update(index_elements=list(key), set_=updated)

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

    def _outcome(self, decision: _Decision) -> SaveOutcome:
        page = decision.parsed.page
        article = None
        if decision.row is not None:
            article = with_bookkeeping(decision.parsed.result.article, decision.row)  # type: ignore[arg-type]
        dropped = decision.status == "dropped"
        return SaveOutcome(
            page.site,
            page.article_id,
            decision.status,
            article,
            decision.reason if dropped else None,
            decision.warnings,
            reason=None if dropped else decision.reason,
            capture_id=decision.capture_id,
        )


def _row_as_stored(decision: _Decision) -> bool:
    """The article's row would be written with every value it holds already."""
    stored, row = decision.previous, decision.row
    if stored is None or row is None:
        return False
    values = stored._mapping
    return all(name in values and values[name] == value for name, value in row.items())


def _current(row: Row[Any]) -> quality.Current:
    published = row.published_at.isoformat() if row.published_at is not None else None
    return quality.Current(row.title, published, row.body)


def _rounds(pages: Sequence[ParsedPage]) -> Iterator[list[tuple[int, ParsedPage]]]:
    """The batch in rounds, each holding an article at most once, in the batch's order."""
    seen: Counter[tuple[str, str]] = Counter()
    rounds: list[list[tuple[int, ParsedPage]]] = []
    for index, parsed in enumerate(pages):
        key = (parsed.page.site, parsed.page.article_id)
        if seen[key] == len(rounds):
            rounds.append([])
        rounds[seen[key]].append((index, parsed))
        seen[key] += 1
    yield from rounds
