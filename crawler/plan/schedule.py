"""What the archive says a run should fetch, decided before any request is made.

An article already archived is not fetched again unless it is due for a
revisit; an id that answered 404 is not asked for again until its retry is
due; ids discovered but never fetched (a killed run, a failed fetch) are
fetched now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crawler.plan.idset import IdSet

if TYPE_CHECKING:
    from datetime import datetime

    from crawler.archive.store import ArchiveStore
    from crawler.plan.revisits import RevisitPolicy


@dataclass
class RunPlan:
    skip: IdSet = field(default_factory=IdSet)
    """Ids not to fetch: archived and not due, or gone and not due for a retry."""
    due: list[str] = field(default_factory=list)
    """Archived ids due for a revisit."""
    pending: list[str] = field(default_factory=list)
    """Ids known to the archive but not in it: discovered, or failed and to be retried."""
    archived: IdSet = field(default_factory=IdSet)
    """Ids the archive holds (whether due or not): what a discovery source lists anew is not."""


def plan_run(store: ArchiveStore, site: str, policy: RevisitPolicy, now: datetime) -> RunPlan:
    plan = RunPlan()
    for article in store.known_articles(site):
        plan.archived.add(article.article_id)
        if policy.is_due(
            now,
            fetched_at=article.fetched_at,
            fetch_count=article.fetch_count,
            first_seen_at=article.first_seen_at,
            published_at=article.published_at,
        ):
            plan.due.append(article.article_id)
        else:
            plan.skip.add(article.article_id)
    retry: set[str] = set()
    for article_id, reason, last_failed_at in store.failed(site):
        if article_id in plan.archived:
            continue  # a failed revisit: the schedule above decides
        if policy.retry_failure(reason=reason, last_failed_at=last_failed_at, now=now):
            retry.add(article_id)
        else:
            plan.skip.add(article_id)
    # Linked from archived pages, or announced by a feed or sitemap, and never archived.
    announced = store.announced_unarchived(site)
    discovered = {i for i in (*store.discovered(site), *announced) if i not in plan.skip}
    plan.pending = sorted(discovered | retry, key=lambda i: (len(i), i))
    plan.due.sort(key=lambda i: (len(i), i))
    return plan
