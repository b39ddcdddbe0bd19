"""Scheduled runs keep the archive current and fetch nothing they need not, on both databases."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

from localcopy.site import SEED_ID
from tests import archive_db
from tests.conftest import ROOT, crawl, crawled_ids, stat

DEBUG = ("LOG_LEVEL=DEBUG",)


def archive_everything(database_url: str, site_url: str) -> None:
    first = crawl(database_url, start=f"latest,{SEED_ID}", base_url=site_url)
    assert first.returncode == 0, first.log


def test_a_rerun_fetches_the_discovery_sources_and_the_new_articles_nothing_else(
    database_url, local_site, site_url
):
    archive_everything(database_url, site_url)
    new = local_site.publish(15)

    rerun = crawl(database_url, start="latest", base_url=site_url, settings=DEBUG)

    assert rerun.returncode == 0, rerun.log
    assert sorted(crawled_ids(rerun.log)) == sorted(new)
    # robots.txt (once: Scrapy's check, whose response discovery reads for its Sitemap
    # line), the feed, the sitemap index, the news sitemap, the archive's sitemap, the listing
    assert stat(rerun.log, "downloader/request_count") == 6 + len(new)
    assert archive_db.archived_ids(database_url) >= set(new)
    assert stat(rerun.log, "archive/new") == len(new)


def test_articles_due_for_a_revisit_are_fetched_again_and_only_they(
    database_url, local_site, site_url
):
    recent = local_site.publish(6)
    archive_everything(database_url, site_url)
    due, not_due = recent[:4], recent[4:]
    archive_db.age_articles(database_url, due, by=timedelta(hours=2))

    rerun = crawl(database_url, start="latest", base_url=site_url, settings=DEBUG)

    assert rerun.returncode == 0, rerun.log
    assert sorted(crawled_ids(rerun.log)) == sorted(due)
    assert stat(rerun.log, "archive/unchanged") == len(due)
    assert all(archive_db.article(database_url, i).fetch_count == 2 for i in due)
    assert all(archive_db.article(database_url, i).fetch_count == 1 for i in not_due)


def test_old_articles_are_not_revisited(database_url, local_site, site_url):
    archive_everything(database_url, site_url)
    archive_db.age_articles(database_url, [SEED_ID], by=timedelta(days=30))

    rerun = crawl(database_url, start="latest", base_url=site_url, settings=DEBUG)

    assert SEED_ID not in crawled_ids(rerun.log)


def test_an_edited_article_gets_a_new_version_and_its_history_shows_the_diff(
    database_url, local_site, site_url
):
    [article_id] = local_site.publish(1)
    archive_everything(database_url, site_url)
    original = local_site.render(article_id).decode()
    first_paragraph = original.split("<p>", 1)[1].split("</p>", 1)[0]
    local_site.replace_page(
        article_id, original.replace(first_paragraph, "A corrected first paragraph.")
    )
    archive_db.age_articles(database_url, [article_id], by=timedelta(hours=2))

    rerun = crawl(database_url, start="latest", base_url=site_url)

    assert rerun.returncode == 0, rerun.log
    assert stat(rerun.log, "archive/changed") == 1
    assert archive_db.article(database_url, article_id).version == 2
    assert [v.version for v in archive_db.versions(database_url, article_id)] == [1, 2]
    history = subprocess.run(
        [sys.executable, "-m", "crawler", "history", article_id, "--human", "--db", database_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "--- version 1" in history
    assert "+++ version 2" in history
    assert "+A corrected first paragraph." in history
    assert f"-{first_paragraph[:40]}" in history


def test_a_text_that_flips_back_is_not_counted_as_a_new_version(database_url, local_site, site_url):
    [article_id] = local_site.publish(1)
    archive_everything(database_url, site_url)
    original = local_site.render(article_id).decode()
    local_site.replace_page(article_id, original.replace("</h1>", " (updated)</h1>"))
    archive_db.age_articles(database_url, [article_id], by=timedelta(hours=2))
    crawl(database_url, start="latest", base_url=site_url)
    local_site.restore_page(article_id)
    archive_db.age_articles(database_url, [article_id], by=timedelta(hours=7))

    rerun = crawl(database_url, start="latest", base_url=site_url)

    assert stat(rerun.log, "archive/reverted") == 1
    assert archive_db.article(database_url, article_id).version == 1
    assert [v.version for v in archive_db.versions(database_url, article_id)] == [1, 2]


def test_an_unchanged_refetch_only_moves_when_it_was_last_seen(database_url, local_site, site_url):
    [article_id] = local_site.publish(1)
    archive_everything(database_url, site_url)
    before = archive_db.article(database_url, article_id)
    archive_db.age_articles(database_url, [article_id], by=timedelta(hours=2))

    crawl(database_url, start="latest", base_url=site_url)

    after = archive_db.article(database_url, article_id)
    assert (after.version, after.changed_at, after.first_seen_at) == (
        1,
        before.changed_at,
        before.first_seen_at,
    )
    assert after.fetched_at > before.fetched_at
    [version] = archive_db.versions(database_url, article_id)
    assert version.last_seen_at == after.fetched_at


def test_a_missing_page_is_not_asked_for_again_until_its_retry_is_due(
    database_url, local_site, site_url
):
    archive_everything(database_url, site_url)
    gone = sorted(local_site.missing())
    assert set(archive_db.failures(database_url)) == set(gone)
    assert all(f.http_status == 404 for f in archive_db.failures(database_url).values())

    soon = crawl(database_url, start=SEED_ID, base_url=site_url, settings=DEBUG)
    archive_db.age_failures(database_url, by=timedelta(days=8))
    later = crawl(database_url, start=SEED_ID, base_url=site_url, settings=DEBUG)

    assert crawled_ids(soon.log) == [SEED_ID]
    assert sorted(set(crawled_ids(later.log)) - {SEED_ID}) == gone


def test_a_page_that_failed_is_retried_by_the_next_run(database_url, local_site, site_url):
    broken = local_site.related[SEED_ID][3]
    local_site.break_page(broken, status=503)
    first = crawl(database_url, start=SEED_ID, base_url=site_url)
    assert broken not in archive_db.archived_ids(database_url)
    assert archive_db.failures(database_url)[broken].http_status == 503
    assert stat(first.log, "archive/failed/http_503") == 1

    local_site.restore_page(broken)
    crawl(database_url, start=SEED_ID, base_url=site_url)

    assert broken in archive_db.archived_ids(database_url)
    assert broken not in archive_db.failures(database_url)


def test_an_id_range_backfills_what_is_missing_and_skips_what_is_archived(
    database_url, local_site, site_url
):
    archived = crawl(database_url, start=SEED_ID, base_url=site_url, settings=("DEPTH_LIMIT=1",))
    assert archived.returncode == 0
    held = sorted(archive_db.archived_ids(database_url), key=int)
    low, high = int(held[1]), int(held[1]) + 3

    backfill = crawl(
        database_url,
        "-a",
        f"ids={low}-{high}",
        base_url=site_url,
        settings=(*DEBUG, "DEPTH_LIMIT=1"),
    )

    assert backfill.returncode == 0, backfill.log
    crawled = set(crawled_ids(backfill.log))
    assert str(low) not in crawled
    assert {str(n) for n in range(low + 1, high + 1)} <= crawled


def test_without_incremental_mode_a_run_fetches_everything_again(
    database_url, local_site, site_url
):
    archive_everything(database_url, site_url)

    full = crawl(
        database_url, start=SEED_ID, base_url=site_url, settings=("ARCHIVE_INCREMENTAL=False",)
    )

    assert stat(full.log, "archive/unchanged") == local_site.pages
