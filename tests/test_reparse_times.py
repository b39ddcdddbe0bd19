"""A re-parse reads an old capture again, but what the archive last saw stays what it saw."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from sqlalchemy import select

from crawler.archive.isolation import save_isolating
from crawler.archive.models import ArticleRecord, ArticleVersion
from crawler.archive.reparse import reparse
from crawler.archive.store import ArchiveStore, ParsedPage
from crawler.parsing.article import ParseResult
from crawler.parsing.fetched import parse_fetched
from crawler.sites import get_profile
from tests.inprocess import SEED_ID, seed_page

FETCHED = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
CONFIRMED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def stored_times(store: ArchiveStore) -> tuple[datetime, datetime, int]:
    """The article's fetched_at, its current version's last_seen_at, and its fetch count."""
    with store.engine.connect() as conn:
        article = conn.execute(
            select(ArticleRecord).where(ArticleRecord.article_id == SEED_ID)
        ).one()
        version = conn.execute(
            select(ArticleVersion).where(
                ArticleVersion.article_pk == article.id,
                ArticleVersion.version == article.version,
            )
        ).one()
    return (article.fetched_at, version.last_seen_at, article.fetch_count)


def test_a_reparse_after_a_304_keeps_the_time_the_304_confirmed_the_article(store):
    page = dataclasses.replace(seed_page(), fetched_at=FETCHED.isoformat())
    save_isolating(
        store, [ParsedPage(page, parse_fetched(page, get_profile(page.site)))], retry_budget=0
    )
    not_modified = dataclasses.replace(
        page, status=304, content_type=None, body=b"", fetched_at=CONFIRMED.isoformat()
    )
    save_isolating(store, [ParsedPage(not_modified, ParseResult(None))], retry_budget=0)
    assert stored_times(store) == (CONFIRMED, CONFIRMED, 2)

    reparse(store)  # reads the capture of FETCHED, the one the version was read from

    assert stored_times(store) == (CONFIRMED, CONFIRMED, 2)
