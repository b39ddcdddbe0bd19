"""The quality gate: whether a capture's record may become a version, or is held.

A bad day at the site (an outage notice served with status 200, a redesign
the profile no longer reads) must never overwrite a good record. `judge` is a
pure function of the article's current record, the new one, and what the
profile's rules read on this site's pages, in recent runs and in this run;
tests/test_gate.py states it as a table.

- *Layout drift*: a field's rule that read this site's pages in recent runs
  and reads none of this run's pages (so far). Judged over the run, never one
  page alone: a gallery without a body among pages that have one is ordinary.
- *Not this layout*: a page that none of the rules read, where they read the
  site's pages (recent runs, or this run's others): an outage notice served
  for a new article, among pages that are read, is held too.
- *No history*: on an archive with no finished run yet, a run in which no rule
  of the profile reads any page holds everything.
- *Lost fields*: the record would lose a field the page's own current version
  has (a date, a title, a body turned empty).

An ordinary edit (new text, same layout) is never held.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

    from crawler.items import Article
    from crawler.sites.profile import SiteProfile

RULE_FIELDS = ("title", "published", "body")
"""Fields the profile's rules read (`Article.field_sources` keys, ``css`` when they did)."""
_COVERAGE = {"title": "rules/title", "published": "rules/date", "body": "rules/body"}
"""Each field's share of pages read by the rules, as a run's coverage keeps it."""
_RULES = "css"
DRIFT = "layout_drift"
LOST = "lost_fields"


@dataclass(frozen=True)
class Current:
    """What the gate needs of an article's current version."""

    title: str
    published_at: str | None
    body: str


@dataclass(frozen=True)
class SiteSources:
    """What the profile's rules read on this site's pages."""

    ruled: frozenset[str]
    """Fields the profile has rules for (a profile without rules never drifts)."""
    recent: frozenset[str] | None
    """Fields the rules read on most pages of recent finished runs; None: no history yet."""


@dataclass
class RunSources:
    """Fields the profile's rules read on at least one page of this run, so far."""

    matched: set[str] = field(default_factory=set)

    def add(self, record: Article) -> None:
        self.matched.update(name for name in RULE_FIELDS if _by_rule(record, name))


@dataclass(frozen=True)
class Verdict:
    held: bool
    reason: str | None = None

    @staticmethod
    def accept() -> Verdict:
        return Verdict(False)


def judge(
    current: Current | None,
    record: Article,
    site: SiteSources,
    run: frozenset[str] | set[str],
) -> Verdict:
    """Accept `record`, or hold it with its reason (``layout_drift``, ``lost_fields: …``).

    `run` is `RunSources.matched`, counting this record's own page.
    """
    if _drifted(site, run) or _unread(record, site, run):
        return Verdict(True, DRIFT)
    lost = lost_fields(current, record) if current is not None else []
    if lost:
        return Verdict(True, f"{LOST}: {', '.join(lost)}")
    return Verdict.accept()


def drifted(site: SiteSources, run: frozenset[str] | set[str]) -> bool:
    """Whether the run's pages so far show layout drift.

    Early in a run few pages are counted: a page held for drift then is judged
    again once the whole run is (crawler.archive.worker.release_early_holds).
    """
    return _drifted(site, run)


def _drifted(site: SiteSources, run: frozenset[str] | set[str]) -> bool:
    if site.recent is None:
        return bool(site.ruled) and not (site.ruled & run)
    # `run` holds this page's own fields: a field its rules read is not missing.
    return bool((site.recent & site.ruled) - run)


def _unread(record: Article, site: SiteSources, run: frozenset[str] | set[str]) -> bool:
    """A page not one of whose rules reads it, where the rules read the site's other pages:
    not a page of this layout (an outage notice), whatever the run's other pages are."""
    reads_the_site = site.recent if site.recent is not None else run
    expected = site.ruled & reads_the_site
    return bool(expected) and not any(_by_rule(record, name) for name in expected)


def lost_fields(current: Current, record: Article) -> list[str]:
    """Fields the current version has and the new record would lose, in the record's order."""
    had: Mapping[str, bool] = {
        "title": bool(current.title.strip()),
        "published_at": current.published_at is not None,
        "body": bool(current.body.strip()),
    }
    has = {
        "title": bool(record.title.strip()),
        "published_at": record.published_at is not None,
        "body": bool(record.body.strip()),
    }
    return [name for name in had if had[name] and not has[name]]


def _by_rule(record: Article, name: str) -> bool:
    return record.field_sources.get(name) == _RULES


def site_sources(profile: SiteProfile, recent: list[dict[str, float]], share: float) -> SiteSources:
    """The site's sources from its profile and the coverage of its recent finished runs.

    A field's rules *read the site* when they read at least `share` of the pages
    in most recent runs (the median); runs from before rules were counted, or
    with no pages, are no history.
    """
    rules = profile.fields
    ruled = frozenset(
        name
        for name, selectors in zip(
            RULE_FIELDS, (rules.title, rules.published, rules.body), strict=True
        )
        if selectors
    )
    runs = [c for c in recent if all(key in c for key in _COVERAGE.values())]
    if not runs:
        return SiteSources(ruled, None)
    read = frozenset(
        name for name, key in _COVERAGE.items() if median(c[key] for c in runs) >= share
    )
    return SiteSources(ruled, read)
