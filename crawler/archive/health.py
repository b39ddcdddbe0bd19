"""Is a run healthy? Its field coverage, against the site's recent runs.

A layout change on the site shows first as pages without a date, a body or
related links; a run whose coverage falls clearly below its recent level is
`degraded`, so the cron owner hears of it.
"""

from __future__ import annotations

from statistics import median
from typing import TYPE_CHECKING

from crawler.discovery.report import DiscoveryTotals
from crawler.failures import is_gone

if TYPE_CHECKING:
    from crawler.archive.runs import RunCounts

FIELDS = ("title", "date", "body", "related")


def coverage(pages: int, with_field: dict[str, int]) -> dict[str, float]:
    """Share of fetched pages with each field (None-free: 0 pages gives an empty dict)."""
    if pages == 0:
        return {}
    return {name: round(with_field.get(name, 0) / pages, 4) for name in FIELDS}


def assess(
    run: RunCounts,
    recent: list[RunCounts],
    *,
    tolerance: float,
    min_pages: int,
) -> str | None:
    """Why the run is degraded, or None when it is healthy.

    Discovery sources (feeds, sitemaps, listings) that all fail, or that list
    no article at all, are broken: the run cannot see what is new.
    """
    if run.discovery is not None:
        problem = DiscoveryTotals.of(run.discovery).problem()
        if problem:
            return problem
    if run.pages_fetched and not run.archived:
        return f"{run.pages_fetched} pages fetched and not one article archived"
    passing = sum(count for reason, count in run.http_errors.items() if not is_gone(reason))
    if passing >= min_pages and passing > run.pages_fetched:
        archived = run.pages_fetched
        return f"most fetches failed: {passing} (timeouts, 5xx, ...) against {archived} archived"
    if run.pages_fetched < min_pages:
        return None
    baseline = [r.coverage for r in recent if r.pages_fetched >= min_pages and r.coverage]
    if not baseline:
        return None
    drops = []
    for name in FIELDS:
        usual = median(c.get(name, 0.0) for c in baseline)
        now = run.coverage.get(name, 0.0)
        if now < usual - tolerance:
            drops.append(f"{name} {now:.0%} against {usual:.0%}")
    if drops:
        return f"coverage fell below recent runs: {', '.join(drops)}"
    return None
