"""The `crawl_runs` table: one row a run, written when it starts and when it ends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, insert, select, update

from crawler.archive.gate import DRIFT
from crawler.archive.health import coverage, rule_counts
from crawler.archive.models import CrawlRun

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.engine import Engine

    from crawler.archive.store import SaveOutcome

_RUNS: Table = CrawlRun.__table__  # type: ignore[assignment]

RUNNING, FINISHED, FAILED, INTERRUPTED, DEGRADED = (
    "running",
    "finished",
    "failed",
    "interrupted",
    "degraded",
)


@dataclass
class RunCounts:
    """What a run did, counted as it goes: the run's one counter, and what its row keeps.

    `ArchiveRun` records each page's outcome here; Scrapy's stats
    (``archive/...``, ``coverage/...``) are a view of it (`stats`), which the
    progress line, the stats dump and the tests read.
    """

    pages_fetched: int = 0
    new_articles: int = 0
    new_versions: int = 0
    reverted: int = 0
    unchanged: int = 0
    not_modified: int = 0
    """Revisits answered ``304 Not Modified`` (each counted in `unchanged` too)."""
    held: dict[str, int] = field(default_factory=dict)
    """Captures the quality gate held back from becoming versions, by reason
    (``layout_drift``, ``lost_fields: published_at``)."""
    dropped: dict[str, int] = field(default_factory=dict)
    """Pages that gave no article, by reason code."""
    http_errors: dict[str, int] = field(default_factory=dict)
    """Failed fetches, by reason code (``http_404``, ``timeout``, ...)."""
    coverage: dict[str, float] = field(default_factory=dict)
    """Share of pages with each field (see crawler.archive.health); set when the run closes."""
    discovery: dict[str, Any] | None = None
    """What the discovery sources gave (see `CrawlRun.discovery`); None if none was read."""
    # Tallies of the running crawl that the row keeps in other forms, or not at all.
    covered: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    """Pages with each field, and with it from the profile's rules (``rules/…``)."""
    warnings: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    """Warnings of the stored pages, by code."""
    skipped_known: int = field(default=0, compare=False, repr=False)
    """Requests not made: the plan said the archive holds the article and it is not due."""

    @property
    def pages_read(self) -> int:
        """Pages read into records: fetched, less the 304s and the held captures."""
        return self.pages_fetched - self.not_modified - sum(self.held.values())

    @property
    def archived(self) -> int:
        return self.new_articles + self.new_versions + self.reverted + self.unchanged

    def record(self, outcome: SaveOutcome) -> None:
        """Count what the archive did with a page or a failed fetch."""
        if outcome.status == "failed":
            _add(self.http_errors, str(outcome.reason))
            return
        self.pages_fetched += 1
        article = outcome.article
        if outcome.status == "not_modified":
            # The page is the current version still: unchanged, with nothing to read.
            self.not_modified += 1
            self.unchanged += 1
            return
        if outcome.status == "held":
            _add(self.held, str(outcome.reason))  # a handful: drift, or which fields lost
        elif article is None:
            # By reason code: "parser_error: RecursionError …" counts as parser_error.
            _add(self.dropped, str(outcome.drop_reason).split(":", 1)[0])
        else:
            if outcome.status == "new":
                self.new_articles += 1
            elif outcome.status == "changed":
                self.new_versions += 1
            elif outcome.status == "reverted":
                self.reverted += 1
            else:
                self.unchanged += 1
            # Field coverage, for the run's health check (a page without a title is dropped).
            found = {
                "title": True,
                "date": article.published_at is not None,
                "body": bool(article.body),
                "related": bool(article.related),
            }
            for name in (
                *(name for name, has in found.items() if has),
                *rule_counts(article.field_sources),
            ):
                _add(self.covered, name)
        for warning in outcome.warnings:
            _add(self.warnings, warning.split(":", 1)[0])

    def released(self, outcome: SaveOutcome) -> None:
        """A page held for layout drift early in the run, judged again at its end:
        no longer held (unless held again), counted as what it became, not fetched twice."""
        _add(self.held, DRIFT, -1)
        self.pages_fetched -= 1
        self.record(outcome)

    def close(self, discovery: dict[str, Any] | None) -> None:
        """The figures only the end of the run gives: coverage shares, what discovery read."""
        self.coverage = coverage(self.pages_read, self.covered)
        self.discovery = discovery

    def stats(self) -> dict[str, int]:
        """The counts as Scrapy stats: the view the progress line and the stats dump show."""
        view = {
            "archive/pages": self.pages_fetched,
            "archive/new": self.new_articles,
            "archive/changed": self.new_versions,
            "archive/reverted": self.reverted,
            "archive/unchanged": self.unchanged,
            "archive/not_modified": self.not_modified,
            "archive/skipped_known": self.skipped_known,
        }
        for prefix, counts in (
            ("archive/dropped/", self.dropped),
            ("archive/held/", self.held),
            ("archive/failed/", self.http_errors),
            ("archive/warnings/", self.warnings),
            ("coverage/", self.covered),
        ):
            view.update((prefix + key, count) for key, count in counts.items())
        return {key: count for key, count in view.items() if count}


# The counts a run's row keeps, each in a column of its name (crawler.archive.models.CrawlRun);
# the other fields of RunCounts are the running crawl's alone.
_KEPT = (
    "pages_fetched",
    "new_articles",
    "new_versions",
    "reverted",
    "unchanged",
    "not_modified",
    "held",
    "dropped",
    "http_errors",
    "coverage",
    "discovery",
)


def _copied(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else value


def _add(counts: dict[str, int], key: str, by: int = 1) -> None:
    counts[key] = counts.get(key, 0) + by
    if counts[key] <= 0:  # none left: a reason that no longer applies is not listed
        del counts[key]


@dataclass
class RunRecord:
    id: int
    site: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    host: str
    pid: int
    counts: RunCounts
    message: str | None


class RunLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def start(
        self,
        *,
        site: str,
        spider: str,
        arguments: dict[str, Any],
        host: str,
        pid: int,
        at: datetime,
    ) -> int:
        row = {
            "site": site,
            "spider": spider,
            "status": RUNNING,
            "started_at": at,
            "host": host,
            "pid": pid,
            "arguments": arguments,
            "dropped": {},
            "http_errors": {},
            "coverage": {},
        }
        with self.engine.begin() as conn:
            return conn.execute(insert(_RUNS).values(row).returning(_RUNS.c.id)).scalar_one()

    def finish(
        self,
        run_id: int,
        *,
        status: str,
        finish_reason: str | None,
        message: str | None,
        counts: RunCounts,
        at: datetime,
    ) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(_RUNS)
                .where(_RUNS.c.id == run_id)
                .values(
                    status=status,
                    finished_at=at,
                    finish_reason=finish_reason,
                    message=message,
                    **{name: getattr(counts, name) for name in _KEPT},
                )
            )

    def recent(
        self,
        site: str,
        *,
        limit: int,
        before: int | None = None,
        statuses: tuple[str, ...] = (FINISHED,),
    ) -> list[RunRecord]:
        """The latest runs of a site with one of `statuses`, newest first."""
        query = select(_RUNS).where(_RUNS.c.site == site, _RUNS.c.status.in_(statuses))
        if before is not None:
            query = query.where(_RUNS.c.id < before)
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(_RUNS.c.id.desc()).limit(limit)).all()
        return [_record(row) for row in rows]

    def last_discovery_start(self, site: str) -> datetime | None:
        """When the site's last run that read its discovery sources (and was not stopped) began."""
        query = (
            select(_RUNS.c.started_at)
            .where(
                _RUNS.c.site == site,
                _RUNS.c.status.in_((FINISHED, DEGRADED)),
                _RUNS.c.discovery.is_not(None),
            )
            .order_by(_RUNS.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one_or_none()

    def latest(self, limit: int) -> list[RunRecord]:
        """The last runs of every site, whatever their status, newest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(_RUNS).order_by(_RUNS.c.id.desc()).limit(limit)).all()
        return [_record(row) for row in rows]

    def running(self, site: str) -> list[RunRecord]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(_RUNS)
                .where(_RUNS.c.site == site, _RUNS.c.status == RUNNING)
                .order_by(_RUNS.c.id)
            ).all()
        return [_record(row) for row in rows]

    def mark_interrupted(self, run_ids: list[int]) -> None:
        """Close the rows of runs that died without closing them (killed, machine lost).

        When they died is unknown, so `finished_at` stays empty.
        """
        if not run_ids:
            return
        with self.engine.begin() as conn:
            conn.execute(
                update(_RUNS)
                .where(_RUNS.c.id.in_(run_ids), _RUNS.c.status == RUNNING)
                .values(
                    status=INTERRUPTED,
                    finish_reason="killed",
                    message="the run ended without closing its record",
                )
            )


def _record(row: Any) -> RunRecord:
    # The row's JSON values copied: a record's counts are its own, not the row's.
    counts = RunCounts(**{name: _copied(getattr(row, name)) for name in _KEPT})
    return RunRecord(
        row.id,
        row.site,
        row.status,
        row.started_at,
        row.finished_at,
        row.host,
        row.pid,
        counts,
        row.message,
    )
