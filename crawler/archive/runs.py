"""The `crawl_runs` table: one row a run, written when it starts and when it ends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, insert, select, update

from crawler.archive.models import CrawlRun

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.engine import Engine

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
    pages_fetched: int = 0
    new_articles: int = 0
    new_versions: int = 0
    reverted: int = 0
    unchanged: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    http_errors: dict[str, int] = field(default_factory=dict)
    coverage: dict[str, float] = field(default_factory=dict)
    discovery: dict[str, Any] | None = None
    """What the discovery sources gave (see `CrawlRun.discovery`); None if none was read."""

    @property
    def archived(self) -> int:
        return self.new_articles + self.new_versions + self.reverted + self.unchanged


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
                    pages_fetched=counts.pages_fetched,
                    new_articles=counts.new_articles,
                    new_versions=counts.new_versions,
                    reverted=counts.reverted,
                    unchanged=counts.unchanged,
                    dropped=counts.dropped,
                    http_errors=counts.http_errors,
                    coverage=counts.coverage,
                    discovery=counts.discovery,
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
    counts = RunCounts(
        pages_fetched=row.pages_fetched,
        new_articles=row.new_articles,
        new_versions=row.new_versions,
        reverted=row.reverted,
        unchanged=row.unchanged,
        dropped=dict(row.dropped),
        http_errors=dict(row.http_errors),
        coverage=dict(row.coverage),
        discovery=row.discovery,
    )
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
