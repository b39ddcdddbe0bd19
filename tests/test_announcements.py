"""What discovery sources announce is kept until fetched, on SQLite and PostgreSQL.

A model-based test: random batches of announcements and of archived pages,
against an independent model of what the archive must hold.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from crawler.archive.announcements import Announced
from crawler.archive.store import ParsedPage
from crawler.items import FetchedPage
from crawler.parsing.article import parse_article
from crawler.plan.revisits import RevisitPolicy
from crawler.plan.schedule import plan_run
from localcopy.site import LocalSite
from tests import archive_db

SITE = "alalam_en"
AT = datetime(2026, 11, 30, 12, tzinfo=UTC)


def archive(store, profile, site: LocalSite, article_ids: list[str]) -> None:
    pages = []
    for article_id in article_ids:
        url = f"https://en.alalam.ir/news/{article_id}"
        body = site.render(article_id)
        page = FetchedPage(
            SITE, article_id, url, url, 200, "text/html", "utf-8", body, AT.isoformat()
        )
        pages.append(ParsedPage(page, parse_article(body.decode(), url, profile)))
    store.save(pages)


@pytest.mark.parametrize("seed", [1, 2])
def test_announcements_keep_the_first_word_completed_and_wait_until_archived(
    store, database_url, profile, seed
):
    rng = random.Random(seed)
    site = LocalSite(pages=40, orphans=0)
    pool = sorted(site.related)[:30]
    model: dict[str, Announced] = {}
    archived: set[str] = set()

    for step in range(12):
        if rng.random() < 0.35:
            batch = rng.sample(pool, rng.randint(1, 6))
            archive(store, profile, site, batch)
            archived.update(batch)
            continue
        batch = [
            Announced(
                article_id=rng.choice(pool),
                source=f"http://site/{rng.choice(['rss.xml', 'sitemap.xml', 'news'])}",
                source_kind=rng.choice(["feed", "sitemap", "listing"]),
                title=rng.choice([None, f"title {step}", "Café — été"]),
                published=rng.choice([None, "2026-11-30", f"2026-11-30T0{step % 10}:00:00+00:00"]),
            )
            for _ in range(rng.randint(1, 20))
        ]
        store.announce(SITE, batch, run_id=step, at=AT + timedelta(minutes=step))
        for item in batch:
            first = model.get(item.article_id)
            if first is None:
                model[item.article_id] = item
            else:
                model[item.article_id] = Announced(
                    first.article_id,
                    first.source,
                    first.source_kind,
                    first.title or item.title,
                    first.published or item.published,
                )

        assert archive_db.announcements(database_url, SITE) == model
        assert store.announced_unarchived(SITE) == sorted(set(model) - archived)


def test_the_next_run_fetches_what_was_announced_and_not_archived(store, profile):
    site = LocalSite(pages=20, orphans=0)
    archived, waiting = sorted(site.related)[:2], sorted(site.related)[2:4]
    archive(store, profile, site, archived)
    store.announce(
        SITE,
        [Announced(i, "http://site/rss.xml", "feed") for i in archived + waiting],
        run_id=1,
        at=AT,
    )
    policy = RevisitPolicy((timedelta(hours=1),), timedelta(days=14), timedelta(days=7))

    plan = plan_run(store, SITE, policy, AT + timedelta(minutes=5))

    assert set(waiting) <= set(plan.pending)
    assert not set(archived) & set(plan.pending)
    assert all(i in plan.archived for i in archived)


def test_a_sitemap_announcing_thousands_of_articles_is_stored_in_one_go(store, database_url):
    """More rows than one INSERT could bind parameters for (SQLite allows 32,766)."""
    ids = [str(n) for n in range(1_000_000, 1_005_000)]
    announced = [Announced(i, "http://site/sitemap.xml", "sitemap", f"t{i}") for i in ids]

    store.announce(SITE, announced, run_id=1, at=AT)

    stored = archive_db.announcements(database_url, SITE)
    assert len(stored) == len(ids) and stored[ids[-1]].title == f"t{ids[-1]}"
    assert store.announced_unarchived(SITE) == ids
