"""`news-archive crawl --url https://site/`: a site without a profile, from its front page.

The feeds its front page links to (``<link rel="alternate">``) and the sitemaps
robots.txt names are read with the generic profile, and what they announce is
archived (an article's id is its URL's path).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import pytest

from crawler.discovery.front_pages import linked_feeds
from crawler.discovery.report import DiscoveryTotals, SourceReport
from crawler.sites import get_profile
from localcopy.crawls import LOCAL_COPY_SETTINGS
from localcopy.server import ServerThread
from localcopy.site import LocalSite, Reply
from tests import archive_db
from tests.conftest import ROOT
from tests.forked import run_module

if TYPE_CHECKING:
    import subprocess

PAGE = "https://news.example/"
HEAD = """<html><head>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="News" href="/rss.xml">
<link rel="Alternate nofollow" type="application/atom+xml; charset=utf-8" href="atom.xml">
<link rel="alternate" type="application/rss+xml" href="https://news.example/rss.xml">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/rss+xml" href="https://elsewhere.example/feed">
<link rel="alternate" type="application/rss+xml">
</head><body><a href="/other.xml" rel="alternate" type="application/rss+xml">x</a></body></html>"""


def test_the_front_pages_rss_and_atom_links_on_the_site_are_its_feeds_each_once():
    report = SourceReport(PAGE, "front_page")

    feeds = linked_feeds(HEAD, PAGE, get_profile("generic"), report)

    assert feeds == ["/rss.xml", "/atom.xml"]
    assert (report.feeds, report.offsite, report.malformed) == (5, 1, 1)


def test_a_front_page_names_sources_and_is_no_source_of_articles_itself():
    record = {
        "sources": [
            {"url": PAGE, "kind": "front_page", "status": "read", "feeds": 1},
            {"url": PAGE + "rss.xml", "kind": "feed", "status": "failed", "error": "404"},
        ]
    }

    assert DiscoveryTotals.of(record).failed_all  # the feed it named failed: nothing listed


def crawl_url(url: str, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    settings = [word for setting in LOCAL_COPY_SETTINGS for word in ("-s", setting)]
    command = [sys.executable, "-m", "crawler", "crawl", "--url", url, *args, *settings]
    return run_module(
        command, cwd=ROOT, env={**os.environ, "ARCHIVE_DB": database_url}, timeout=300
    )


NO_SITEMAPS = Reply(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})
NO_FEED = Reply(200, b"<html><body>Hello</body></html>", {"Content-Type": "text/html"})


def test_crawl_url_archives_what_the_feed_its_front_page_links_announces(sqlite_url):
    site = LocalSite(pages=30, listing_size=5)
    site.sources["/robots.txt"] = NO_SITEMAPS  # the feed alone announces articles
    with ServerThread(site) as url:
        done = crawl_url(url + "/", sqlite_url, "-a", "since=all")

    assert done.returncode == 0, done.stderr
    assert archive_db.archived_ids(sqlite_url) == {f"news/{i}" for i in site.newest()}
    [run] = archive_db.runs(sqlite_url)
    assert run.site == "generic"
    sources = {(s["kind"], s["url"].removeprefix(url)): s for s in run.discovery["sources"]}
    assert sources["front_page", "/"]["feeds"] == 1
    assert sources["feed", "/rss.xml"]["via"] == url + "/"
    assert sources["feed", "/rss.xml"]["new"] == 5


def test_crawl_url_archives_what_the_sitemaps_of_robots_txt_announce(sqlite_url):
    site = LocalSite(pages=30, listing_size=5)
    site.sources["/"] = NO_FEED
    with ServerThread(site) as url:
        done = crawl_url(url, sqlite_url, "-a", "since=all")

    assert done.returncode == 0, done.stderr
    assert archive_db.archived_ids(sqlite_url) == {f"news/{i}" for i in site.served()}


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://news.example/news/1", "is not a site's root: give its front page"),
        ("ftp://news.example/", "is not an http(s) URL"),
    ],
)
def test_crawl_url_takes_a_sites_root_url_only(sqlite_url, url, problem):
    done = crawl_url(url, sqlite_url)

    assert done.returncode == 2
    assert problem in done.stderr


def test_crawl_url_chooses_the_profile_itself(sqlite_url):
    done = crawl_url("https://news.example/", sqlite_url, "-a", "site=alalam_en")

    assert done.returncode == 2
    assert "-a site= cannot go with it" in done.stderr
