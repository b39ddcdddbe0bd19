"""Real crawls of the local copy, checked against the whole truth of the site, on both databases."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from crawler.archive.database import create_archive_engine
from crawler.archive.models import ArticleRecord, RelatedLinkRecord
from crawler.archive.store import ArchiveStore
from localcopy.server import ServerThread
from localcopy.site import SEED_ID, LocalSite
from tests.archive_db import last_read_ids
from tests.conftest import crawl, seed_expected
from tests.test_migrations import execute


def archived(url: str) -> dict[str, list[str]]:
    """Every archived article id and the target ids of its related links, in order."""
    engine = create_archive_engine(url)
    with engine.connect() as conn:
        ids = {row.id: row.article_id for row in conn.execute(select(ArticleRecord))}
        links: dict[str, list[str]] = {article_id: [] for article_id in ids.values()}
        for link in conn.execute(select(RelatedLinkRecord).order_by(RelatedLinkRecord.position)):
            links[ids[link.source_pk]].append(link.target_id)
    engine.dispose()
    return links


def test_a_crawl_archives_every_reachable_article_once_with_its_links(
    empty_database_url, local_site, site_url
):
    """From a database with no schema yet: the crawl makes its archive."""
    run = crawl(empty_database_url, start=SEED_ID, base_url=site_url)

    assert run.returncode == 0, run.log
    links = archived(empty_database_url)
    assert set(links) == local_site.reachable()
    assert len(local_site.reachable()) == local_site.pages
    assert links == {article_id: local_site.related[article_id] for article_id in links}
    assert sorted(last_read_ids(empty_database_url)) == sorted(local_site.reachable())


def test_ids_linked_but_not_served_are_visible_as_missing(database_url, local_site, site_url):
    crawl(database_url, start=SEED_ID, base_url=site_url)

    store = ArchiveStore(create_archive_engine(database_url))
    assert {article_id for _, article_id in store.missing_ids()} == local_site.missing()
    assert local_site.missing()


def test_a_full_second_crawl_stores_every_article_once_still(sqlite_url, local_site, site_url):
    # PostgreSQL's full re-crawls are checked field by field in test_recrawls.py.
    crawl(sqlite_url, start=SEED_ID, base_url=site_url)

    again = crawl(
        sqlite_url, start=SEED_ID, base_url=site_url, settings=("ARCHIVE_INCREMENTAL=False",)
    )

    assert again.returncode == 0, again.log
    assert f"'archive/unchanged': {local_site.pages}" in again.log
    store = ArchiveStore(create_archive_engine(sqlite_url))
    versions = [article.version for article in store.iter_articles()]
    assert versions == [1] * local_site.pages


def test_a_feed_export_writes_the_archived_records(sqlite_url, site_url, tmp_path):
    items = tmp_path / "items.jsonl"

    run = crawl(sqlite_url, "-O", str(items), start=SEED_ID, base_url=site_url)

    assert run.returncode == 0, run.log
    records = [json.loads(line) for line in items.read_text("utf-8").splitlines()]
    assert sorted(r["article_id"] for r in records) == sorted(archived(sqlite_url))
    assert all(r["version"] == 1 for r in records)  # records as stored, no page as fetched
    seed = next(r for r in records if r["article_id"] == SEED_ID)
    local = {"url", "images"}  # fetched from the local copy, so on its host
    assert {k: v for k, v in seed.items() if k in seed_expected() and k not in local} == {
        k: v for k, v in seed_expected().items() if k not in local
    }
    assert seed["url"] == f"{site_url}/news/{SEED_ID}"
    assert seed["version"] == 1


def test_depth_limit_is_honoured(sqlite_url, local_site, site_url):
    run = crawl(sqlite_url, start=SEED_ID, base_url=site_url, settings=("DEPTH_LIMIT=1",))

    assert run.returncode == 0, run.log
    assert set(archived(sqlite_url)) == {SEED_ID, *local_site.related[SEED_ID]}


def test_the_database_password_never_appears_in_the_log(postgresql_url, site_url):
    with_password = postgresql_url.replace("://", "://root:hunter2-not-logged@", 1)

    run = crawl(with_password, start=SEED_ID, base_url=site_url)

    assert run.returncode == 0, run.log
    assert "hunter2-not-logged" not in run.log
    assert "root:***@" in run.log


def test_a_database_at_an_unknown_revision_stops_the_crawl_before_it_fetches(
    database_url, site_url
):
    from crawler.archive.migrate import ensure_current

    ensure_current(database_url)
    execute(database_url, "UPDATE alembic_version SET version_num = 'ffff'")

    run = crawl(database_url, start=SEED_ID, base_url=site_url)

    assert run.returncode == 2
    assert "Error: the archive database" in run.log
    assert "Spider opened" not in run.log


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("-a", "start=18510x3"), "is neither an article id, an http(s) URL nor"),
        (("-a", "start=https://elsewhere.example/news/1"), "is not on en.alalam.ir"),
        (("-a", "start=1", "-a", "site=nowhere"), "no site profile named 'nowhere'"),
        ((), "no seeds"),
    ],
)
def test_bad_arguments_stop_the_crawl_with_one_clear_line(sqlite_url, arguments, message):
    run = crawl(sqlite_url, *arguments)

    assert run.returncode == 2
    assert message in run.log
    assert "Traceback" not in run.log


def test_closespider_itemcount_stops_the_crawl_early(sqlite_url):
    with ServerThread(LocalSite(pages=1500)) as base_url:
        run = crawl(
            sqlite_url, start=SEED_ID, base_url=base_url, settings=("CLOSESPIDER_ITEMCOUNT=20",)
        )

    assert run.returncode == 0, run.log
    assert "'finish_reason': 'closespider_itemcount'" in run.log
    assert 20 <= len(archived(sqlite_url)) < 1500
