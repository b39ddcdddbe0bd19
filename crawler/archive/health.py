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
from statistics import median
from typing import TYPE_CHECKING

from crawler.discovery.report import DiscoveryTotals
from crawler.plan.failures import describe, is_gone, trouble_kind

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
) -> str | None:
    held = held_message(run.held)
    rest = _assess(run, recent, tolerance=tolerance, min_pages=min_pages)
    return "; ".join(part for part in (held, rest) if part) or None


def held_message(held: dict[str, int]) -> str | None:
    """``13 captures held, not archived as versions: layout_drift 13``."""
    if not held:
        return None
    total = sum(held.values())
    reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(held.items()))
    noun = "capture" if total == 1 else "captures"
    return f"{total} {noun} held, not archived as versions: {reasons}"


def _assess(
    run: RunCounts,
    recent: list[RunCounts],
    *,
    tolerance: float,
    min_pages: int,
) -> str | None:
    """Why the run is degraded, or None when it is healthy.

    Captures the quality gate held (crawler.archive.gate) degrade the run
    whatever else it did: the message says how many, and why, first.

    The run's discovery sources (feeds, sitemaps, listings; `run.discovery`)
    count as fetches too: a site that answers none of them is unreachable,
    and sources that all fail, or that list no article at all, leave the run
    blind to what is new. One source failing alone is a warning.
    """
    sources = DiscoveryTotals.of(run.discovery) if run.discovery is not None else None
    page_trouble = _trouble(run.http_errors)
    source_trouble = _trouble(sources.failures) if sources is not None else Counter()
    trouble = page_trouble + source_trouble
    read = sources.read - sources.failed if sources is not None else 0
    failed = sum(run.http_errors.values()) + (sources.failed if sources is not None else 0)
    fetches = run.pages_fetched + failed + read
    if not run.pages_fetched and (page_trouble or (source_trouble and not read)):
        # It had pages to fetch and not one came back: the site is gone, down, or blocking us.
        return f"{_verdict(trouble)}: {_tally(trouble, fetches)}"
    if sources is not None and sources.bounds:
        return f"discovery stopped at its bounds: {'; '.join(sources.bounds)}"
    if sources is not None and sources.failed_all:
        tally = _tally(Counter(sources.failures), sources.read, "sources")
        return f"the discovery sources could not be read: {tally} ({sources.first_error})"
    if sources is not None and sources.read and sources.entries == 0:
        return "the discovery sources list no articles"
    if run.pages_fetched and not run.archived:
        return f"{run.pages_fetched} pages fetched and not one article archived"
    troubled = sum(trouble.values())
    if troubled >= min_pages and troubled > run.pages_fetched:
        return (
            f"most fetches failed: {_tally(trouble, fetches)}; {run.pages_fetched} pages archived"
        )
    if run.pages_read < min_pages:
        return None  # too few pages read (304s and held captures are not) to judge coverage
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


def _trouble(failures: dict[str, int]) -> Counter[str]:
    """The failures that say something of the site, not of a page (see crawler.plan.failures)."""
    return Counter({reason: n for reason, n in failures.items() if not is_gone(reason)})


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
