"""Is a run healthy? Its field coverage, against the site's recent runs.

A layout change on the site shows first as pages without a date, a body or
related links; a run whose coverage falls clearly below its recent level is
`degraded`, so the cron owner hears of it. Since every field has fallbacks,
a layout change may also leave coverage whole while the profile's rules stop
finding anything: the share of pages whose field came from the rules
(``rules/<field>`` in the coverage) falling is *layout drift*, and degrades
the run too, though its pages are archived.
"""

from __future__ import annotations

from statistics import median
from typing import TYPE_CHECKING

from crawler.failures import is_gone

if TYPE_CHECKING:
    from crawler.archive.runs import RunCounts

FIELDS = ("title", "date", "body", "related")
RULE_FIELDS = {"title": "title", "published": "date", "body": "body"}
"""Record fields whose source the drift check follows, by the name coverage gives them."""
RULES = "rules/"


def coverage(pages: int, with_field: dict[str, int]) -> dict[str, float]:
    """Share of fetched pages with each field, and (``rules/…``) with it from the rules.

    None-free: 0 pages gives an empty dict.
    """
    if pages == 0:
        return {}
    shares = {name: round(with_field.get(name, 0) / pages, 4) for name in FIELDS}
    for name in RULE_FIELDS.values():
        shares[RULES + name] = round(with_field.get(RULES + name, 0) / pages, 4)
    return shares


def rule_counts(field_sources: dict[str, str]) -> list[str]:
    """The coverage counters an archived record adds to: the fields its profile's rules found."""
    found = [name for field, name in RULE_FIELDS.items() if field_sources.get(field) == "css"]
    return [RULES + name for name in found]


def layout_drift(
    now: dict[str, float], baseline: list[dict[str, float]], tolerance: float
) -> list[str]:
    """Fields that recent runs read with the profile's rules and this run mostly by fallback."""
    drifts = []
    for name in RULE_FIELDS.values():
        key = RULES + name
        usual_values = [shares[key] for shares in baseline if key in shares]
        if not usual_values or key not in now:
            continue  # runs from before sources were counted
        usual = median(usual_values)
        if now[key] < usual - tolerance:
            drifts.append(f"{name} {now[key]:.0%} against {usual:.0%}")
    return drifts


def assess(
    run: RunCounts,
    recent: list[RunCounts],
    *,
    tolerance: float,
    min_pages: int,
    listed: int | None,
) -> str | None:
    """Why the run is degraded, or None when it is healthy.

    `listed` is how many article links the listing pages gave (None when the
    run read no listing): a listing that lists nothing is a broken one.
    """
    if listed == 0:
        return "the listing pages list no articles"
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
    reasons = []
    if drops:
        reasons.append(f"coverage fell below recent runs: {', '.join(drops)}")
    if drifts := layout_drift(run.coverage, baseline, tolerance):
        reasons.append(
            f"layout drift, fields no longer found by the profile's rules: {', '.join(drifts)}"
            " (pages still archived, from the fallbacks)"
        )
    return "; ".join(reasons) or None
