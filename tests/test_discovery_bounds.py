"""Discovery costs the same for each source however many came before, and stops at its bounds.

A run that stops at a bound is degraded, and its message names the bound and
the setting that raises it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.archive.health import assess
from crawler.archive.runs import RunCounts
from crawler.discovery.entries import Entry
from crawler.discovery.report import FEED, ROBOTS, SITEMAP, SourceReport
from crawler.discovery.robots import robots_sitemaps
from crawler.discovery.run import DiscoveryBounds, DiscoveryRun
from crawler.plan.idset import IdSet
from localcopy.site import Reply
from tests import archive_db
from tests.conftest import crawl

ROOT_URL = "http://site/sitemap.xml"


def discovery_run(bounds: DiscoveryBounds | None = None) -> DiscoveryRun:
    stats = get_crawler().stats
    assert stats is not None
    stats.open_spider()
    start = datetime(2026, 11, 28, tzinfo=UTC)
    return DiscoveryRun(stats, window_start=start, archived=IdSet(), skip=IdSet(), bounds=bounds)


def opened(run: DiscoveryRun, url: str, kind: str = SITEMAP, via: str | None = None):
    """A source the run's bounds let it read, with its report (None when refused)."""
    if not run.may_read(url, kind, via):
        return None
    return run.source(url, kind, via)


def degraded_because(run: DiscoveryRun) -> str | None:
    counts = RunCounts(discovery=run.record())
    return assess(counts, [], tolerance=0.2, min_pages=10)


# -- bookkeeping in linear time ------------------------------------------------------------


def test_settling_a_source_never_serialises_the_reports_of_the_others(monkeypatch):
    serialised = 0
    as_dict = SourceReport.as_dict

    def counted(self):
        nonlocal serialised
        serialised += 1
        return as_dict(self)

    monkeypatch.setattr(SourceReport, "as_dict", counted)
    run = discovery_run(DiscoveryBounds(max_sitemaps=10_000))

    for n in range(2000):
        report = opened(run, f"http://site/sitemap-{n}.xml", via=None)
        assert report is not None
        report.entries = 1
        run.read(report)
    for n in range(2000):
        run.skipped(f"http://site/old-{n}.xml", SITEMAP, via=ROOT_URL)

    assert serialised == 0
    assert run.stats.get_value("discovery/sources_read") == 2000
    assert run.stats.get_value("discovery/entries") == 2000
    assert len(run.record()["sources"]) == 4000
    assert serialised == 4000  # once each, when the run's row is written


def test_a_source_settled_twice_is_counted_once():
    run = discovery_run()
    report = opened(run, ROOT_URL)
    assert report is not None
    report.entries = 4
    run.read(report)

    run.failed(report, "broken off", "unreadable")

    assert run.stats.get_value("discovery/sources_read") == 1
    assert run.stats.get_value("discovery/sources_failed") == 1
    assert run.stats.get_value("discovery/entries") == 4


def test_robots_txt_names_each_sitemap_once_in_its_order(profile):
    lines = [f"Sitemap: https://en.alalam.ir/sitemap-{n % 20_000}.xml" for n in range(40_000)]
    report = SourceReport("https://en.alalam.ir/robots.txt", ROBOTS)

    refs = robots_sitemaps("\n".join(lines).encode(), report.url, profile, report)

    assert [ref.url for ref in refs] == [f"/sitemap-{n}.xml" for n in range(20_000)]
    assert report.sitemaps == 40_000


# -- the bounds ------------------------------------------------------------------------------


def test_sitemap_indexes_are_followed_no_deeper_than_the_bound():
    run = discovery_run(DiscoveryBounds(max_depth=5))
    parent = None
    depths = []
    for n in range(20):
        url = f"http://site/index-{n}.xml"
        report = opened(run, url, via=parent)
        if report is None:
            break
        depths.append(report.depth)
        parent = url

    assert depths == [0, 1, 2, 3, 4, 5]
    message = degraded_because(run)
    assert message is not None
    assert "sitemap indexes nested deeper than 5" in message
    assert "ARCHIVE_SITEMAP_MAX_DEPTH" in message


def test_sitemaps_named_by_robots_txt_start_at_depth_zero():
    run = discovery_run()
    robots = opened(run, "http://site/robots.txt", ROBOTS)
    assert robots is not None

    report = opened(run, ROOT_URL, via=robots.url)

    assert report is not None and report.depth == 0


def test_a_run_reads_at_most_the_bound_of_sitemaps_and_old_ones_do_not_count():
    run = discovery_run(DiscoveryBounds(max_sitemaps=3))
    for n in range(100):
        run.skipped(f"http://site/old-{n}.xml", SITEMAP, via=ROOT_URL)

    read = [opened(run, f"http://site/child-{n}.xml", via=ROOT_URL) for n in range(10)]

    assert sum(report is not None for report in read) == 3
    assert run.refused == {"sitemaps": 7}
    message = degraded_because(run)
    assert message is not None
    assert "3 sitemaps read, 7 more not read (raise ARCHIVE_SITEMAPS_PER_RUN)" in message


def test_a_source_read_already_is_no_new_sitemap_for_the_bound():
    run = discovery_run(DiscoveryBounds(max_sitemaps=1))
    assert opened(run, ROOT_URL) is not None

    assert run.may_read(ROOT_URL, SITEMAP)  # DiscoveryRun.source says it is read already
    assert run.refused == {}


def test_feeds_and_listings_are_not_sitemaps_for_the_bound():
    run = discovery_run(DiscoveryBounds(max_sitemaps=0))

    assert opened(run, "http://site/rss.xml", FEED) is not None


def test_a_run_looks_at_no_more_entries_than_the_bound_and_stops_reading_sitemaps():
    run = discovery_run(DiscoveryBounds(max_entries=5))
    feed = opened(run, "http://site/rss.xml", FEED)
    assert feed is not None
    entries = [Entry(str(n), f"/news/{n}") for n in range(1, 9)]

    fetch, _ = run.to_fetch(entries, feed)

    assert [article_id for article_id, _ in fetch] == ["1", "2", "3", "4", "5"]
    assert run.exhausted
    assert opened(run, ROOT_URL) is None
    message = degraded_because(run)
    assert message is not None
    assert "5 entries looked at" in message
    assert "ARCHIVE_DISCOVERY_ENTRIES_PER_RUN" in message


def test_a_run_within_its_bounds_is_not_degraded_by_them():
    run = discovery_run()
    report = opened(run, ROOT_URL)
    assert report is not None
    report.entries = 1
    run.read(report)

    assert "bounds" not in run.record()
    assert degraded_because(run) is None


@pytest.mark.parametrize(
    ("setting", "default"),
    [
        ("ARCHIVE_SITEMAP_MAX_DEPTH", 5),
        ("ARCHIVE_SITEMAPS_PER_RUN", 1000),
        ("ARCHIVE_DISCOVERY_ENTRIES_PER_RUN", 1_000_000),
    ],
)
def test_each_bound_is_a_setting(setting, default):
    project = Settings()
    project.setmodule("crawler.settings")

    assert project.getint(setting) == default
    assert DiscoveryBounds.from_settings(project) == DiscoveryBounds()


# -- a crawl --------------------------------------------------------------------------------


def index(*children: str) -> Reply:
    listed = "".join(f"<sitemap><loc>{child}</loc></sitemap>" for child in children)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{listed}</sitemapindex>'
    )
    return Reply(200, body.encode(), {"Content-Type": "application/xml"})


def test_a_crawl_that_stops_at_the_index_depth_is_degraded_and_names_the_setting(
    sqlite_url, local_site, site_url
):
    # /sitemap.xml names a chain of indexes, each naming the next, ten deep.
    local_site.sources["/sitemap.xml"] = index("/sitemap-articles-1.xml.gz")
    for n in range(1, 11):
        local_site.sources[f"/sitemap-articles-{n}.xml.gz"] = index(
            f"/sitemap-articles-{n + 1}.xml.gz"
        )

    run = crawl(
        sqlite_url,
        start="latest",
        base_url=site_url,
        settings=("ARCHIVE_SITEMAP_MAX_DEPTH=3",),
    )

    assert run.returncode == 3, run.log
    [row] = archive_db.runs(sqlite_url)
    assert row.status == "degraded"
    assert "sitemap indexes nested deeper than 3" in row.message
    assert "ARCHIVE_SITEMAP_MAX_DEPTH" in row.message
    read = {s["url"].rsplit("/", 1)[1] for s in row.discovery["sources"] if s["kind"] == SITEMAP}
    assert "sitemap-articles-3.xml.gz" in read
    assert "sitemap-articles-4.xml.gz" not in read
