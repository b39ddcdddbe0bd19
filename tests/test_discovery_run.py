"""What a run makes of what its discovery sources list, and what it counts, without a crawl."""

from __future__ import annotations

from datetime import UTC, date, datetime

from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.archive.announcements import Announced
from crawler.discovery.entries import Entry
from crawler.discovery.report import FEED, SITEMAP
from crawler.discovery.run import DiscoveryRun
from crawler.plan.idset import IdSet
from crawler.spiders.related import RelatedSpider

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


def test_a_source_gives_what_to_fetch_and_what_to_store_of_the_new_articles_in_one_pass():
    run = discovery_run()
    run.skip = IdSet(["3"])
    report = run.source(FEED_URL, FEED)
    assert report is not None
    published = datetime(2026, 11, 29, 6, 30, tzinfo=UTC)
    entries = [
        Entry("1", "/news/1", updated=date(2026, 11, 29)),  # archived and due
        Entry("2", "/news/2", title="New", published=published),
        Entry("3", "/news/3"),  # archived and not due
        Entry("4", "/news/4", title="Old", published=datetime(2026, 1, 1, tzinfo=UTC)),
        Entry("5", "/news/5"),
    ]

    fetch, announced = run.to_fetch(entries, report)

    assert fetch == [("1", None), ("2", FEED_URL), ("5", FEED_URL)]
    assert announced == [
        Announced("2", FEED_URL, FEED, "New", "2026-11-29T06:30:00+00:00"),
        Announced("5", FEED_URL, FEED),
    ]
    assert (report.new, report.old) == (2, 1)
    assert run.record()["new"] == 2


def test_an_article_request_carries_only_the_source_that_announced_it(monkeypatch):
    spider = RelatedSpider(start="latest")
    run = discovery_run()
    report = run.source(FEED_URL, FEED)
    assert report is not None
    monkeypatch.setattr(RelatedSpider, "discovery", property(lambda _: run))
    request = spider.article_request("1851093", announced_by=FEED_URL)
    assert request.cb_kwargs == {"article_id": "1851093", "announced_by": FEED_URL}

    page = HtmlResponse(request.url, body=b"<html></html>", request=request)
    list(spider.parse_article(page, **request.cb_kwargs))

    assert report.fetched == 1
