"""The archive as its readers open it: the command line and the Python API (news_archive).

One way in for both, so they agree on what an archive is (the current schema,
checked and never changed), which site an id belongs to, what a date bound
means and how an article's related links are told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from crawler.archive import migrate
from crawler.archive.database import create_archive_engine
from crawler.archive.sites import sites_holding
from crawler.archive.store import ArchiveStore

if TYPE_CHECKING:
    from collections.abc import Iterable

    from crawler import items


def open_archive(url: str, *, writer: bool = False) -> ArchiveStore:
    """The archive at `url`: ArchiveSchemaError when it is none, or not at this code's schema
    (nothing is created or migrated); database errors as the driver raises them
    (crawler.archive.database.unavailable tells them). `writer` only for the commands
    that change what is stored (reparse); readers never write."""
    migrate.check_current(url)
    return ArchiveStore(create_archive_engine(url, writer=writer, read_only=not writer))


class ArticleNotFound(LookupError):
    """No site of the archive holds the id (or not the site named)."""


class AmbiguousArticle(LookupError):
    """Several sites hold the id: the reader must say which."""

    def __init__(self, article_id: str, sites: list[str]) -> None:
        super().__init__(f"{article_id} is held by {len(sites)} sites ({', '.join(sites)})")
        self.article_id = article_id
        self.sites = sites


def article_site(store: ArchiveStore, site: str | None, article_id: str) -> str:
    """The site `article_id` belongs to: `site` when given, else the one site holding it."""
    if site is not None:
        return site
    holders = sites_holding(store.engine, article_id)
    if not holders:
        raise ArticleNotFound(f"{article_id} is not in the archive (no site holds it)")
    if len(holders) > 1:
        raise AmbiguousArticle(article_id, holders)
    return holders[0]


def date_bound(value: str | date | datetime, *, upper: bool = False) -> datetime:
    """A publication-time bound: a time as it says, UTC when it says no zone; a date is its
    first moment (UTC), and as an upper bound the whole of that day. ValueError if not a date."""
    if isinstance(value, datetime):
        moment, whole_day = value, False
    elif isinstance(value, date):
        moment, whole_day = datetime(value.year, value.month, value.day), True
    else:
        moment, whole_day = datetime.fromisoformat(value), len(value) == 10
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if upper and whole_day:
        try:
            moment += timedelta(days=1)
        except OverflowError:  # the last day there is: no later moment to bound it by
            moment = datetime.max.replace(tzinfo=moment.tzinfo)
    return moment


@dataclass(frozen=True)
class RelatedEntry:
    """A related link as readers show it: the target's own title when it is archived."""

    position: int
    article_id: str
    title: str | None
    kind: str
    archived: bool


_IDS_A_QUERY = 500  # bound parameters a query: well under SQLite's limit


def related_entries(
    store: ArchiveStore, articles: Iterable[items.Article]
) -> dict[tuple[str, str], list[RelatedEntry]]:
    """Each article's related links by (site, id), one query a site for the archived titles."""
    listed = list(articles)
    wanted: dict[str, set[str]] = {}
    for article in listed:
        wanted.setdefault(article.site, set()).update(link.article_id for link in article.related)
    archived: dict[str, dict[str, str]] = {}
    for site, ids in wanted.items():
        ordered = sorted(ids)
        archived[site] = {}
        for start in range(0, len(ordered), _IDS_A_QUERY):
            archived[site].update(
                store.archived_titles(site, ordered[start : start + _IDS_A_QUERY])
            )
    return {
        (article.site, article.article_id): [
            RelatedEntry(
                link.position,
                link.article_id,
                archived[article.site].get(link.article_id, link.title),
                link.kind,
                link.article_id in archived[article.site],
            )
            for link in article.related
        ]
        for article in listed
    }
