"""`-a max_articles=N` (`news-archive crawl --max-articles N`): N new articles a run, no fewer,
no more, and the rest left to the next run; real crawls of the local copy, on both databases."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from localcopy.crawls import LOCAL_COPY_SETTINGS
from localcopy.site import SEED_ID
from tests import archive_db
from tests.conftest import ROOT, crawl, stat

LIMIT = 10


def limited_crawl(database_url: str, site_url: str, limit: int = LIMIT, *settings: str):
    return crawl(
        database_url,
        "-a",
        f"max_articles={limit}",
        start=SEED_ID,
        base_url=site_url,
        settings=settings,
    )


def test_a_run_stops_once_it_has_archived_the_new_articles_it_was_limited_to(
    database_url, local_site, site_url
):
    run = limited_crawl(database_url, site_url)

    assert run.returncode == 0, run.log
    assert len(archive_db.archived_ids(database_url)) == LIMIT
    assert stat(run.log, "archive/new") == LIMIT
    assert f"; stopped at the limit of {LIMIT} new articles" in run.stdout
    assert run.stdout.startswith("Run 1 finished in ")
    # What it was held back from fetching is not a failure.
    assert archive_db.failures(database_url).keys() <= local_site.missing()


def test_a_second_run_with_the_same_limit_archives_as_many_more(database_url, site_url):
    first = limited_crawl(database_url, site_url)
    assert first.returncode == 0, first.log
    after_first = archive_db.archived_ids(database_url)

    second = limited_crawl(database_url, site_url)

    assert second.returncode == 0, second.log
    after_second = archive_db.archived_ids(database_url)
    assert after_second > after_first
    assert len(after_second) == 2 * LIMIT
    # The seed, named again, is fetched again: unchanged, it does not count.
    assert (stat(second.log, "archive/new"), stat(second.log, "archive/unchanged")) == (LIMIT, 1)


def test_the_articles_the_discovery_sources_announce_are_limited_and_kept_alike(
    database_url, site_url
):
    runs = [
        crawl(database_url, "-a", f"max_articles={LIMIT}", start="latest", base_url=site_url)
        for _ in range(2)
    ]

    assert [run.returncode for run in runs] == [0, 0], runs[-1].log
    assert [stat(run.log, "archive/new") for run in runs] == [LIMIT, LIMIT]
    assert len(archive_db.archived_ids(database_url)) == 2 * LIMIT


def test_pages_that_give_no_new_article_do_not_count_towards_the_limit(
    database_url, local_site, site_url
):
    # The seed's first related pages break: they are fetched, fail, and the run goes on.
    broken = local_site.related[SEED_ID][:4]
    for article_id in broken:
        local_site.break_page(article_id, status=404)

    run = limited_crawl(database_url, site_url, LIMIT, "CONCURRENT_REQUESTS_PER_DOMAIN=1")

    assert run.returncode == 0, run.log
    assert stat(run.log, "archive/failed/http_404") >= len(broken)
    assert len(archive_db.archived_ids(database_url)) == LIMIT


def test_a_site_with_fewer_new_articles_than_the_limit_is_archived_whole(
    database_url, local_site, site_url
):
    run = limited_crawl(database_url, site_url, 10_000)

    assert run.returncode == 0, run.log
    assert archive_db.archived_ids(database_url) == local_site.reachable()
    assert "stopped at the limit" not in run.stdout


def test_the_news_archive_crawl_option_is_the_spider_argument(sqlite_url, site_url):
    command = [
        sys.executable, "-m", "crawler", "crawl", "-a", f"start={SEED_ID}",
        "-a", f"base_url={site_url}", "--max-articles", "3",
    ]  # fmt: skip
    for setting in LOCAL_COPY_SETTINGS:
        command += ["-s", setting]
    done = subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "ARCHIVE_DB": sqlite_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "stopped at the limit of 3 new articles" in done.stdout
    assert len(archive_db.archived_ids(sqlite_url)) == 3


@pytest.mark.parametrize("given", [["--max-articles"], ["--max-articles", "-a", "start=1"]])
def test_the_option_without_a_number_is_refused(given):
    done = CliRunner().invoke(cli, ["crawl", *given])

    assert done.exit_code == 2
    assert "--max-articles takes a number: --max-articles N" in done.output


@pytest.mark.parametrize("value", ["0", "-2", "ten", "2.5"])
def test_a_limit_that_is_not_a_count_stops_the_crawl_before_it_starts(sqlite_url, value):
    run = crawl(sqlite_url, "-a", f"max_articles={value}", start=SEED_ID)

    assert run.returncode == 2, run.log
    assert f"Error: max_articles takes a whole number of 1 or more, not '{value}'" in run.log
