"""Is a run healthy? Whether the site answered, and its field coverage against recent runs.

A site that is gone, down or blocking the crawler shows as fetches that
fail for reasons that are not the page's own (refused connections,
timeouts, 401/403/429, 5xx); a layout change shows first as pages without a
date, a body or related links. Either makes the run `degraded`, so the cron
owner hears of it, with a message that says why. Since every field has
fallbacks, a layout change may also leave coverage whole while the profile's
rules stop finding anything: the share of pages whose field came from the
rules (``rules/<field>`` in the coverage) falling is *layout drift*, and
degrades the run too, though its pages are archived.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import median
from typing import TYPE_CHECKING

from crawler.failures import describe, is_gone, trouble_kind

if TYPE_CHECKING:
    from crawler.archive.runs import RunCounts

FIELDS = ("title", "date", "body", "related")
RULE_FIELDS = {"title": "title", "published": "date", "body": "body"}
"""Record fields whose source the drift check follows, by the name coverage gives them."""
RULES = "rules/"
_VERDICT = {
    "unreachable": "site unreachable",
    "refused": "the site refuses the crawler",
    "failing": "the site is failing",
}


@dataclass
class Listing:
    """What the run's listing pages gave (the pages of ``-a start=latest``)."""

    read: int = 0
    """Listing pages read."""
    links: int = 0
    """Article links they gave."""
    failed: dict[str, int] = field(default_factory=dict)
    """Listing fetches that failed, by reason (see crawler.failures)."""


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
    listing: Listing | None = None,
) -> str | None:
    """Why the run is degraded, or None when it is healthy.

    `listing` is what the listing pages gave, None when the run asked for none:
    a listing that could not be read, or lists nothing, is a broken one.
    """
    failed = Counter(run.http_errors)
    if listing is not None:
        failed.update(listing.failed)
    trouble = Counter({reason: n for reason, n in failed.items() if not is_gone(reason)})
    fetches = run.pages_fetched + sum(failed.values()) + (listing.read if listing else 0)
    if trouble and not run.pages_fetched:
        # It had pages to fetch and not one came back: the site is gone, down, or blocking us.
        return f"{_verdict(trouble)}: {_tally(trouble, fetches)}"
    if listing is not None and listing.failed:
        tries = listing.read + sum(listing.failed.values())
        failures = _tally(Counter(listing.failed), tries, "listing fetches")
        return f"the listing could not be read: {failures}"
    if listing is not None and listing.read and listing.links == 0:
        return "the listing pages list no articles"
    if run.pages_fetched and not run.archived:
        return f"{run.pages_fetched} pages fetched and not one article archived"
    troubled = sum(trouble.values())
    if troubled >= min_pages and troubled > run.pages_fetched:
        return (
            f"most fetches failed: {_tally(trouble, fetches)}; {run.pages_fetched} pages archived"
        )
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


def _verdict(trouble: Counter[str]) -> str:
    """What the failures say of the site, by the kind most of them are."""
    kinds: Counter[str] = Counter()
    for reason, count in trouble.items():
        kinds[trouble_kind(reason)] += count
    return _VERDICT[kinds.most_common(1)[0][0]]


def _tally(failures: Counter[str], fetches: int, noun: str = "fetches") -> str:
    """``connection refused on 40 of 40 fetches``; the three commonest reasons."""
    common = failures.most_common(3)
    parts = [f"{describe(reason)} on {count}" for reason, count in common]
    return f"{', '.join(parts)} of {fetches} {noun}"
