"""The sites an archive holds: which of them hold an article id, and what each holds.

No command assumes one site: an id is looked up in every site, and only an id
that several sites use needs ``--site`` to say which is meant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Table, func, select, union

from crawler.archive.models import ArticleRecord, CrawlRun, RawPage

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.engine import Engine

_ARTICLES: Table = ArticleRecord.__table__  # type: ignore[assignment]
_RAW: Table = RawPage.__table__  # type: ignore[assignment]
_RUNS: Table = CrawlRun.__table__  # type: ignore[assignment]


def sites_holding(engine: Engine, article_id: str) -> list[str]:
    """The sites with an article, or a stored page (a dropped one too), of this id, sorted."""
    query = union(
        select(_ARTICLES.c.site).where(_ARTICLES.c.article_id == article_id),
        select(_RAW.c.site).where(_RAW.c.article_id == article_id),
    )
    with engine.connect() as conn:
        return sorted(conn.execute(query).scalars())


@dataclass
class SiteSummary:
    """A site of the archive: what it holds and how it was last crawled."""

    site: str
    articles: int
    last_run_time: datetime | None
    last_run_status: str | None
    profile: str | None
    """The profile the last run named: a file's path as given, else the site's name."""


def site_summaries(engine: Engine) -> list[SiteSummary]:
    """Every site with an article or a run, by name."""
    counts_query = select(_ARTICLES.c.site, func.count()).group_by(_ARTICLES.c.site)
    last_ids = select(func.max(_RUNS.c.id)).group_by(_RUNS.c.site)
    runs_query = select(_RUNS.c.site, _RUNS.c.started_at, _RUNS.c.status, _RUNS.c.arguments).where(
        _RUNS.c.id.in_(last_ids)
    )
    with engine.connect() as conn:
        counts: dict[str, int] = {site: n for site, n in conn.execute(counts_query)}
        runs = {row.site: row for row in conn.execute(runs_query)}
    summaries = []
    for site in sorted(set(counts) | set(runs)):
        run = runs.get(site)
        given = (run.arguments or {}).get("spider", {}) if run is not None else {}
        summaries.append(
            SiteSummary(
                site,
                counts.get(site, 0),
                run.started_at if run is not None else None,
                run.status if run is not None else None,
                given.get("profile") or (site if run is not None else None),
            )
        )
    return summaries
