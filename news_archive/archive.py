"""An archive opened for reading: its articles, filtered, one with its history, its sites.

Everything is read through the commands' own readers (crawler.archive.reading,
the store, search, captures_read, sites): the API adds no read path of its own,
and never creates, migrates or writes anything.
"""

from __future__ import annotations

import os
from itertools import islice
from typing import TYPE_CHECKING

from crawler.archive import reading
from crawler.archive.captures_read import article_captures
from crawler.archive.database import database_url, redact, unavailable
from crawler.archive.history import returns_to, reverts
from crawler.archive.migrate import ArchiveSchemaError
from crawler.archive.search import DEFAULT_TIMEOUT, SearchFilters, SearchTimeout
from crawler.archive.search_query import parse_query
from crawler.archive.sites import SiteSummary, site_summaries
from crawler.sites.profile import KINDS
from news_archive.errors import AmbiguousArticle, ArchiveError, ArticleNotFound
from news_archive.frames import articles_frame
from news_archive.records import article_detail, article_record, version_record

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import date, datetime
    from types import TracebackType

    import pandas

    from crawler import items
    from crawler.archive.search_query import Query
    from crawler.archive.store import ArchiveStore
    from news_archive.records import Article, ArticleDetail

_BATCH = 500  # articles whose related titles are looked up together


def open(url: str | os.PathLike[str] | None = None) -> Archive:
    """The archive at `url` (``sqlite:///FILE``, ``postgresql+psycopg://...``, or a SQLite
    file's path), for reading. Without one: $ARCHIVE_DB, else sqlite:///archive.sqlite3,
    as the commands do."""
    return Archive(url)


class Archive:
    """An archive, read-only. Use it in a ``with`` block, or `close` it, to let the
    database go."""

    def __init__(self, url: str | os.PathLike[str] | None = None) -> None:
        if isinstance(url, os.PathLike) or (url is not None and "://" not in url):
            url = f"sqlite:///{os.fspath(url)}"  # a file's path: a SQLite archive
        self._url = database_url(url)
        try:
            self._store: ArchiveStore = reading.open_archive(self._url)
        except ArchiveSchemaError as error:
            raise ArchiveError(str(error)) from None
        except Exception as error:
            refusal = unavailable(error, self._url)
            if refusal is None:
                raise
            raise ArchiveError(refusal) from None

    @property
    def url(self) -> str:
        """The archive's URL, without its password."""
        return redact(self._url)

    def __repr__(self) -> str:
        return f"<news_archive.Archive {self.url}>"

    def close(self) -> None:
        self._store.engine.dispose()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    def sites(self) -> list[SiteSummary]:
        """The archive's sites: articles held, the last run, the profile it crawled with."""
        return site_summaries(self._store.engine)

    def articles(
        self,
        *,
        site: str | None = None,
        kind: str | None = None,
        since: str | date | datetime | None = None,
        until: str | date | datetime | None = None,
        query: str | None = None,
        limit: int | None = None,
    ) -> Articles:
        """Articles, lazily: in archive order, or best match first with a search `query`
        (the syntax of `news-archive search`). `since` and `until` bound the publication
        time as the commands' ``--since`` and ``--until`` do: UTC unless they say, a date
        as `until` meaning the whole day."""
        if kind is not None and kind not in KINDS:
            raise ValueError(f"kind {kind!r} is none of {', '.join(KINDS)}")
        if limit is not None and limit < 0:
            raise ValueError(f"limit {limit} is below 0")
        return Articles(
            self._store,
            SearchFilters(
                site,
                kind,
                _bound("since", since),
                _bound("until", until, upper=True),
            ),
            parse_query(query) if query is not None else None,
            limit,
        )

    def article(self, article_id: str, *, site: str | None = None) -> ArticleDetail:
        """One article with its versions and captures. `site` is needed only when several
        sites hold the id (AmbiguousArticle says which)."""
        store = self._store
        try:
            site = reading.article_site(store, site, article_id)
        except reading.ArticleNotFound as error:
            raise ArticleNotFound(str(error)) from None
        except reading.AmbiguousArticle as error:
            raise AmbiguousArticle(
                f"{error}: say which with site={error.sites[0]!r}", error.sites
            ) from None
        article = store.article(site, article_id)
        if article is None:
            raise ArticleNotFound(f"{site}/{article_id} is not in the archive")
        captures = article_captures(store.engine, site, article_id)
        found = reverts(captures)
        history = store.history(site, article_id)
        return article_detail(
            article,
            reading.related_entries(store, [article])[(site, article_id)],
            [version_record(v, returns_to(found, v.version)) for v in history],
            captures,
            found,
        )


def _bound(
    name: str, value: str | date | datetime | None, *, upper: bool = False
) -> datetime | None:
    if value is None:
        return None
    try:
        return reading.date_bound(value, upper=upper)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} {value!r} is not a date like 2016-08-16 or 2016-08-16T12:00"
        ) from None


class Articles:
    """The articles `Archive.articles` chose, not yet read: iterate them (read in batches,
    afresh on every iteration) or make a DataFrame of them."""

    def __init__(
        self,
        store: ArchiveStore,
        filters: SearchFilters,
        query: Query | None,
        limit: int | None,
    ) -> None:
        self._store = store
        self._filters = filters
        self._query = query
        self._limit = limit

    def __iter__(self) -> Iterator[Article]:
        stored = self._searched() if self._query is not None else self._listed()
        while batch := list(islice(stored, _BATCH)):
            related = reading.related_entries(self._store, batch)
            for article in batch:
                yield article_record(article, related[(article.site, article.article_id)])

    def to_dataframe(self) -> pandas.DataFrame:
        """One row an article (needs pandas: the ``pandas`` extra)."""
        return articles_frame(self)

    def _listed(self) -> Iterator[items.Article]:
        f = self._filters
        found = self._store.iter_articles(f.site, kind=f.kind, since=f.since, until=f.until)
        return found if self._limit is None else islice(found, self._limit)

    def _searched(self) -> Iterator[items.Article]:
        assert self._query is not None
        f = self._filters
        # Every match unless limited: no more can match than the filters leave.
        limit = self._limit
        if limit is None:
            limit = self._store.count_articles(f.site, kind=f.kind, since=f.since, until=f.until)
        filters = SearchFilters(f.site, f.kind, f.since, f.until, limit)
        try:
            hits = self._store.search(self._query, filters, DEFAULT_TIMEOUT)
        except SearchTimeout as error:
            raise ArchiveError(f"{error}: narrow it with since, until, site or kind") from None
        for hit in hits:
            article = self._store.article(hit.site, hit.article_id)
            if article is not None:  # gone since the search: nothing to give
                yield article
