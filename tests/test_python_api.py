"""The Python API (news_archive) on SQLite and PostgreSQL: typed records, each filter,
one article with its history, DataFrames, and archives it refuses without changing them.

The archive is the local copy stored in-process (tests.local_archive), with a
second site, a mirror, that holds the seed too and one page of its own.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text

import news_archive
from crawler.archive.database import create_archive_engine
from crawler.archive.migrate import alembic_config, ensure_current, head_revision
from crawler.archive.store import ArchiveStore, ParsedPage
from crawler.parsing.fetched import parse_fetched
from localcopy.site import SEED_ID, LocalSite
from tests.conftest import seed_expected
from tests.local_archive import archive_seed_edits, fetched
from tests.test_many_sites import mirror_profile

if TYPE_CHECKING:
    from crawler import items

ONLY_MIRRORED = "1850998"


@dataclasses.dataclass
class TwoSites:
    url: str
    records: dict[tuple[str, str], items.Article]
    """What was stored, by (site, id): what the filters are checked against."""

    def ids(self, keep=lambda record: True) -> set[tuple[str, str]]:
        return {key for key, record in self.records.items() if keep(record)}


@pytest.fixture
def two_sites(database_url, tmp_path) -> TwoSites:
    site = LocalSite(pages=8)
    pages = [fetched(a, site.reply(a).body) for a in sorted(site.reachable())]
    mirror = mirror_profile(tmp_path)
    [seed] = [p for p in pages if p.page.article_id == SEED_ID]
    mirrored = []
    for article_id in (SEED_ID, ONLY_MIRRORED):
        url = seed.page.url.replace(SEED_ID, article_id)
        copy = replace(seed.page, site="mirror", article_id=article_id, url=url, final_url=url)
        mirrored.append(ParsedPage(copy, parse_fetched(copy, mirror)))
    ensure_current(database_url)
    engine = create_archive_engine(database_url, writer=True)
    ArchiveStore(engine).save(pages + mirrored)
    engine.dispose()
    records = {}
    for page in pages + mirrored:
        assert page.result.article is not None
        records[(page.page.site, page.page.article_id)] = page.result.article
    return TwoSites(database_url, records)


def keys(articles) -> set[tuple[str, str]]:
    return {(article.site, article.id) for article in articles}


def published(record: items.Article) -> datetime:
    assert record.published_at is not None
    return datetime.fromisoformat(record.published_at)


# -- records --------------------------------------------------------------------------------


def test_every_article_is_a_typed_record_with_aware_utc_times(two_sites):
    with news_archive.open(two_sites.url) as archive:
        articles = list(archive.articles())

    assert keys(articles) == two_sites.ids()
    for article in articles:
        assert isinstance(article, news_archive.Article)
        for moment in (article.first_seen_at, article.fetched_at, article.changed_at):
            assert moment.utcoffset() == timedelta(0)
    seed = next(a for a in articles if (a.site, a.id) == ("alalam_en", SEED_ID))
    stored = two_sites.records[("alalam_en", SEED_ID)]
    assert seed.published_at == datetime.fromisoformat(seed_expected()["published_at"])
    assert seed.published_at.tzinfo is not None
    assert seed.published_local == stored.published_local == seed_expected()["published_local"]
    assert (seed.title, seed.body, seed.authors) == (stored.title, stored.body, stored.authors)
    assert seed.images == [news_archive.Image(i.url, i.caption) for i in stored.images]
    assert seed.version == 1


def test_related_articles_carry_the_archived_title_and_say_whether_archived(two_sites):
    with news_archive.open(two_sites.url) as archive:
        seed = next(a for a in archive.articles(site="alalam_en") if a.id == SEED_ID)

    stored = two_sites.records[("alalam_en", SEED_ID)]
    assert [r.id for r in seed.related] == [link.article_id for link in stored.related]
    for related in seed.related:
        target = two_sites.records.get(("alalam_en", related.id))
        assert related.archived == (target is not None)
        if target is not None:
            assert related.title == target.title


# -- filters --------------------------------------------------------------------------------


def test_site_keeps_that_sites_articles(two_sites):
    with news_archive.open(two_sites.url) as archive:
        mirrored = keys(archive.articles(site="mirror"))

    assert mirrored == {("mirror", SEED_ID), ("mirror", ONLY_MIRRORED)}


def test_kind_keeps_that_kind(two_sites):
    with news_archive.open(two_sites.url) as archive:
        photos = keys(archive.articles(kind="photos"))

    assert photos == two_sites.ids(lambda r: r.kind == "photos")
    assert photos  # the local copy has photo galleries


def test_since_keeps_articles_published_then_or_later(two_sites):
    bound = datetime(2016, 8, 16, 10, 41, 15, tzinfo=UTC)  # a gallery's time, to the second

    with news_archive.open(two_sites.url) as archive:
        later = keys(archive.articles(since=bound))
        as_text = keys(archive.articles(since="2016-08-16T10:41:15"))  # UTC unless it says

    assert later == two_sites.ids(lambda r: published(r) >= bound)
    assert as_text == later
    assert ("alalam_en", "1850932") in later


def test_until_is_exclusive_and_a_date_means_the_whole_day(two_sites):
    with news_archive.open(two_sites.url) as archive:
        before_seed = keys(archive.articles(until="2016-08-16T13:22:15+00:00"))
        to_the_14th = keys(archive.articles(until=date(2016, 8, 14)))
        also_text = keys(archive.articles(until="2016-08-14"))

    seed_time = datetime(2016, 8, 16, 13, 22, 15, tzinfo=UTC)
    assert before_seed == two_sites.ids(lambda r: published(r) < seed_time)
    end_of_14th = datetime(2016, 8, 15, tzinfo=UTC)
    assert to_the_14th == two_sites.ids(lambda r: published(r) < end_of_14th)
    assert ("alalam_en", "1848227") in to_the_14th  # 2016-08-14T13:36
    assert also_text == to_the_14th


def test_query_gives_the_matches_best_first(two_sites):
    with news_archive.open(two_sites.url) as archive:
        hamedan = [(a.site, a.id) for a in archive.articles(query="Hamedan")]
        on_one_site = keys(archive.articles(query="Hamedan", site="mirror"))

    assert set(hamedan) == two_sites.ids(lambda r: "Hamedan" in r.body)
    assert {("alalam_en", SEED_ID), ("mirror", SEED_ID)} <= set(hamedan)
    assert on_one_site == {("mirror", SEED_ID), ("mirror", ONLY_MIRRORED)}


def test_filters_combine(two_sites):
    with news_archive.open(two_sites.url) as archive:
        found = keys(archive.articles(site="alalam_en", kind="article", since="2016-08-16"))

    assert found == two_sites.ids(
        lambda r: (
            r.site == "alalam_en"
            and r.kind == "article"
            and published(r) >= datetime(2016, 8, 16, tzinfo=UTC)
        )
    )


def test_limit_gives_at_most_that_many(two_sites):
    with news_archive.open(two_sites.url) as archive:
        three = list(archive.articles(limit=3))
        best = list(archive.articles(query="Russia", limit=2))

    assert len(three) == 3
    assert len(best) == 2


def test_a_wrong_filter_is_refused_when_given(two_sites):
    with news_archive.open(two_sites.url) as archive:
        with pytest.raises(ValueError, match="kind 'gallery' is none of article, photos, video"):
            archive.articles(kind="gallery")
        with pytest.raises(ValueError, match="since 'last tuesday' is not a date like 2016-08-16"):
            archive.articles(since="last tuesday")


# -- one article ----------------------------------------------------------------------------

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def edited_back(database_url) -> str:
    """The seed stored, then a corrected title, then the original again, an hour apart."""
    archive_seed_edits(database_url, [False, True, False], T0)
    return database_url


def test_one_article_comes_with_its_versions_and_captures(edited_back):
    with news_archive.open(edited_back) as archive:
        seed = archive.article(SEED_ID)

    assert isinstance(seed, news_archive.ArticleDetail)
    assert [v.version for v in seed.versions] == [1, 2]
    assert seed.versions[1].title.endswith("(corrected)")
    assert [c.fetched_at for c in seed.captures] == [T0 + timedelta(hours=h) for h in range(3)]
    assert [c.version for c in seed.captures] == [1, 2, 1]
    assert seed.version == 1  # the page went back to its first text


def test_one_article_says_when_its_text_went_back(edited_back):
    with news_archive.open(edited_back) as archive:
        seed = archive.article(SEED_ID)

    back = news_archive.Revert(1, 2, T0 + timedelta(hours=2), 1, False)
    assert seed.reverts == [back]
    assert seed.versions[0].returns == [back]
    assert seed.versions[1].returns == []


def test_an_id_several_sites_hold_needs_the_site(two_sites):
    with news_archive.open(two_sites.url) as archive:
        with pytest.raises(news_archive.AmbiguousArticle, match="site='alalam_en'") as refused:
            archive.article(SEED_ID)
        mirrored = archive.article(SEED_ID, site="mirror")
        only = archive.article(ONLY_MIRRORED)

    assert refused.value.sites == ["alalam_en", "mirror"]
    assert (mirrored.site, only.site) == ("mirror", "mirror")


def test_an_id_no_site_holds_is_not_found(two_sites):
    with news_archive.open(two_sites.url) as archive:
        with pytest.raises(news_archive.ArticleNotFound, match="no site holds it"):
            archive.article("1")
        with pytest.raises(news_archive.ArticleNotFound, match="mirror/1808639"):
            archive.article("1808639", site="mirror")


def test_sites_lists_the_archives_sites(two_sites):
    with news_archive.open(two_sites.url) as archive:
        sites = {s.site: s.articles for s in archive.sites()}

    assert sites == {"alalam_en": len(two_sites.ids()) - 2, "mirror": 2}


# -- DataFrames -----------------------------------------------------------------------------


def test_a_dataframe_has_a_row_an_article_and_utc_times(two_sites):
    with news_archive.open(two_sites.url) as archive:
        frame = archive.articles(site="alalam_en").to_dataframe()
        empty = archive.articles(site="nowhere").to_dataframe()

    assert set(zip(frame.site, frame.id, strict=True)) == two_sites.ids(
        lambda r: r.site == "alalam_en"
    )
    assert str(frame.published_at.dtype).endswith(", UTC]")
    seed = frame[frame.id == SEED_ID].iloc[0]
    assert seed.published_at.isoformat() == seed_expected()["published_at"]
    assert list(empty.columns) == list(frame.columns)
    assert str(empty.published_at.dtype) == str(frame.published_at.dtype)


def test_without_pandas_a_dataframe_names_what_to_install(two_sites, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if not installed: import fails

    with (
        news_archive.open(two_sites.url) as archive,
        pytest.raises(ImportError, match=r"pip install '\.\[pandas\]'"),
    ):
        archive.articles().to_dataframe()


# -- what is not an archive, and what is not this version's ---------------------------------


def test_a_missing_sqlite_file_is_no_archive_and_is_not_made(tmp_path):
    where = tmp_path / "archive.sqlite3"

    with pytest.raises(news_archive.ArchiveError, match="no archive at"):
        news_archive.open(f"sqlite:///{where}")
    assert not where.exists()


def test_a_sqlite_database_that_is_no_archive_is_refused_and_left_as_it_was(tmp_path):
    where = tmp_path / "notes.sqlite3"
    with sqlite3.connect(where) as notes:
        notes.execute("CREATE TABLE notes (text)")
    before = where.read_bytes()

    with pytest.raises(news_archive.ArchiveError, match="holds no archive"):
        news_archive.open(where)  # a path is a SQLite file
    assert where.read_bytes() == before


def test_an_empty_postgresql_database_is_refused_and_left_empty(empty_postgresql_url):
    with pytest.raises(news_archive.ArchiveError, match="holds no archive"):
        news_archive.open(empty_postgresql_url)
    engine = create_engine(empty_postgresql_url)
    with engine.connect() as conn:
        tables = conn.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname='public'"))
        assert tables.scalar_one() == 0
    engine.dispose()


def test_an_archive_of_an_older_schema_is_refused_and_not_migrated(two_sites):
    from alembic.script import ScriptDirectory

    head = head_revision(two_sites.url)
    older = ScriptDirectory.from_config(alembic_config(two_sites.url)).get_revision(head)
    engine = create_engine(two_sites.url)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE alembic_version SET version_num = :v"), {"v": older.down_revision}
        )

    with pytest.raises(news_archive.ArchiveError, match="news-archive db upgrade"):
        news_archive.open(two_sites.url)
    with engine.connect() as conn:
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    assert revision == older.down_revision
