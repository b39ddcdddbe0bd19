"""What a run makes of what its discovery sources list, and what it counts, without a crawl."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.utils.test import get_crawler

from crawler.discovery.report import FEED, SITEMAP
from crawler.discovery.run import DiscoveryRun
from crawler.idset import IdSet

FEED_URL = "http://site/rss.xml"


def discovery_run() -> DiscoveryRun:
    stats = get_crawler().stats
    assert stats is not None
    start = datetime(2026, 11, 28, tzinfo=UTC)
    return DiscoveryRun(stats, window_start=start, archived=IdSet(["1"]), skip=IdSet())


def test_each_announced_page_fetched_counts_for_its_source_and_in_the_stats():
    run = discovery_run()
    report = run.source(FEED_URL, FEED)
    assert report is not None
    run.read(report)

    run.fetched(FEED_URL)
    run.fetched(FEED_URL)
    run.fetched("http://site/sitemap.xml")  # a source another worker of a cluster read

    assert report.fetched == 2
    assert run.stats.get_value("discovery/fetched") == 2
    assert run.record()["sources"] == [
        {"url": FEED_URL, "kind": FEED, "status": "read", "fetched": 2}
    ]


def test_the_totals_reach_the_stats_as_each_source_is_read_or_fails():
    run = discovery_run()
    feed = run.source(FEED_URL, FEED)
    sitemap = run.source("http://site/sitemap.xml", SITEMAP)
    assert feed is not None and sitemap is not None
    feed.entries = 3

    run.read(feed)
    run.failed(sitemap, "HTTP 404", "http_404")

    stats = run.stats
    assert stats.get_value("discovery/sources_read") == 2
    assert stats.get_value("discovery/sources_failed") == 1
    assert stats.get_value("discovery/entries") == 3
