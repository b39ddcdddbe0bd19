"""Hourly runs find new articles in the local copy's feed, sitemaps and listing: real crawls."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.archive.announcements import Announced
from crawler.archive.database import create_archive_engine
from crawler.archive.migrate import ensure_current
from crawler.archive.store import ArchiveStore
from localcopy.site import SEED_ID, Reply
from tests import archive_db
from tests.conftest import crawl, crawled_ids

DEBUG = ("LOG_LEVEL=DEBUG",)
NOT_FOUND = Reply(404, b"<html><body>Not found</body></html>", {"Content-Type": "text/html"})


def sources_of(url: str) -> dict[str, dict]:
    discovery = archive_db.runs(url)[-1].discovery
    return {source["url"].split("/", 3)[3]: source for source in discovery["sources"]}


def test_an_hourly_run_fetches_exactly_the_new_articles_and_records_its_sources(
    sqlite_url, local_site, site_url
):
    assert crawl(sqlite_url, start=f"latest,{SEED_ID}", base_url=site_url).returncode == 0
    new = local_site.publish(5)

    hourly = crawl(sqlite_url, start="latest", base_url=site_url, settings=DEBUG)

    assert hourly.returncode == 0, hourly.log
    assert sorted(crawled_ids(hourly.log)) == sorted(new)
    assert "discovery: 6 sources read, " in hourly.stdout
    sources = sources_of(sqlite_url)
    assert list(sources) == [
        "robots.txt",
        "rss.xml",
        "news",
        "sitemap.xml",
        "sitemap-news.xml",
        "sitemap-articles-1.xml.gz",
    ]
    assert all(source["status"] == "read" for source in sources.values())
    assert sources["rss.xml"]["new"] == sources["sitemap-news.xml"]["new"] == 5
    assert sources["rss.xml"]["old"] == local_site.listing_size - 5  # before the window
    assert sum(source.get("fetched", 0) for source in sources.values()) == 5
    announced = archive_db.announcements(sqlite_url, "alalam_en")
    assert {i: announced[i].title for i in new} == {i: local_site.title(i) for i in new}
    assert all(announced[i].published for i in new)


def test_a_failing_source_is_a_warning_and_the_others_still_find_what_is_new(
    sqlite_url, local_site, site_url
):
    assert crawl(sqlite_url, start=f"latest,{SEED_ID}", base_url=site_url).returncode == 0
    new = local_site.publish(3)
    local_site.sources["/rss.xml"] = NOT_FOUND
    local_site.sources["/sitemap-news.xml"] = Reply(200, b"<html><body>oops</body></html>")

    hourly = crawl(sqlite_url, start="latest", base_url=site_url, settings=DEBUG)

    assert hourly.returncode == 0, hourly.log
    assert sorted(crawled_ids(hourly.log)) == sorted(new)
    sources = sources_of(sqlite_url)
    assert (sources["rss.xml"]["status"], sources["rss.xml"]["error"]) == ("failed", "HTTP 404")
    assert sources["sitemap-news.xml"]["error"] == "not a sitemap: the document is <html>"
    assert "(2 failed)" in hourly.stdout


def test_every_source_failing_makes_the_run_degraded(sqlite_url, local_site, site_url):
    for path in ("/robots.txt", "/rss.xml", "/news"):
        local_site.sources[path] = NOT_FOUND

    hourly = crawl(sqlite_url, start="latest", base_url=site_url)

    assert hourly.returncode == 3, hourly.log
    run = archive_db.runs(sqlite_url)[-1]
    assert run.status == "degraded"
    assert run.message.startswith("the discovery sources could not be read: HTTP 404 on 3 of 3 ")


def test_articles_announced_and_not_fetched_are_fetched_by_the_next_run(
    sqlite_url, local_site, site_url
):
    """As if the run that read the feed had been killed before fetching them."""
    waiting = sorted(local_site.related)[:2]
    ensure_current(sqlite_url)
    ArchiveStore(create_archive_engine(sqlite_url)).announce(
        "alalam_en",
        [Announced(i, f"{site_url}/rss.xml", "feed") for i in waiting],
        run_id=None,
        at=datetime.now(UTC),
    )

    nothing_listed = crawl(
        sqlite_url, start="latest", base_url=site_url, settings=(*DEBUG, "DEPTH_LIMIT=1")
    )

    assert set(waiting) <= set(crawled_ids(nothing_listed.log)), nothing_listed.log
    assert set(waiting) <= archive_db.archived_ids(sqlite_url)


def test_the_window_decides_which_sitemap_entries_are_fetched(sqlite_url, local_site, site_url):
    local_site.sources["/news"] = NOT_FOUND  # a listing's links have no dates: left out

    hourly = crawl(sqlite_url, start="latest", base_url=site_url, settings=DEBUG)
    assert hourly.returncode == 0, hourly.log
    assert crawled_ids(hourly.log) == []  # the local copy's articles are years old
    # unchanged since before the window: not even read
    assert sources_of(sqlite_url)["sitemap-articles-1.xml.gz"]["status"] == "skipped"

    backfill = crawl(sqlite_url, "-a", "since=all", start="latest", base_url=site_url)
    assert backfill.returncode == 0, backfill.log
    whole = sources_of(sqlite_url)["sitemap-articles-1.xml.gz"]
    served = local_site.served()
    assert (whole["entries"], whole["new"], whole.get("old", 0)) == (len(served), len(served), 0)
    assert archive_db.archived_ids(sqlite_url) == set(served)


def test_robots_txt_is_fetched_once_a_run_for_the_robots_check_and_its_sitemaps(
    sqlite_url, local_site, site_url
):
    hourly = crawl(sqlite_url, start="latest", base_url=site_url)

    assert hourly.returncode == 0, hourly.log
    assert local_site.source_requests["/robots.txt"] == 1
    sources = sources_of(sqlite_url)
    assert sources["robots.txt"]["status"] == "read"
    assert sources["sitemap.xml"]["via"] == f"{site_url}/robots.txt"


def test_robots_txt_read_once_is_still_obeyed(sqlite_url, local_site, site_url):
    forbidden = local_site.related[SEED_ID][0]
    robots = f"User-agent: *\nDisallow: /news/{forbidden}\n\nSitemap: {site_url}/sitemap.xml\n"
    local_site.sources["/robots.txt"] = Reply(200, robots.encode(), {"Content-Type": "text/plain"})

    run = crawl(sqlite_url, start=f"latest,{SEED_ID}", base_url=site_url, settings=DEBUG)

    assert run.returncode == 0, run.log
    assert local_site.source_requests["/robots.txt"] == 1
    assert forbidden not in crawled_ids(run.log)
    assert forbidden not in archive_db.archived_ids(sqlite_url)
    assert "Forbidden by robots.txt" in run.log
    assert sources_of(sqlite_url)["sitemap.xml"]["status"] == "read"


def test_depth_limit_counts_related_id_hops_only_not_the_discovery_sources(
    sqlite_url, local_site, site_url
):
    local_site.sources["/news"] = NOT_FOUND  # its links have no dates: all would be new
    new = local_site.publish(3)
    linked = {related for article_id in new for related in local_site.related[article_id]}
    two_hops = {
        related for article_id in linked - set(new) for related in local_site.related[article_id]
    }

    hourly = crawl(
        sqlite_url, start="latest", base_url=site_url, settings=(*DEBUG, "DEPTH_LIMIT=1")
    )

    assert hourly.returncode == 0, hourly.log
    # robots.txt, the sitemap index and the news sitemap are three hops before them
    assert set(crawled_ids(hourly.log)) == set(new) | linked
    assert two_hops - set(new) - linked  # further ids were there to follow, and were not
