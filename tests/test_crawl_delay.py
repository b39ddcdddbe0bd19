"""robots.txt's Crawl-delay: read, capped by ARCHIVE_CRAWL_DELAY_MAX, applied to the host's
download slot, and a site asking for more than the cap reported."""

from __future__ import annotations

import asyncio

import pytest
from scrapy import Request
from scrapy.core.downloader import Slot
from scrapy.http import TextResponse
from scrapy.http.request import NO_CALLBACK

from crawler.discovery.robots import crawl_delay
from crawler.middlewares.robots import SharedRobotsTxtMiddleware
from crawler.plan.crawl_delay import choose_crawl_delay
from localcopy.site import SEED_ID, Reply
from tests.conftest import crawl, stat
from tests.inprocess import looking_crawler

AGENT = "news-archive/0.1 (research archive of public news pages; obeys robots.txt)"
HOST = "127.0.0.1"
ROBOTS_URL = f"http://{HOST}:8765/robots.txt"


@pytest.mark.parametrize(
    ("robots", "asked"),
    [
        (b"User-agent: *\nCrawl-delay: 5\n", 5.0),
        (b"User-agent: *\nCrawl-delay: 0.5\nDisallow: /admin\n", 0.5),
        (b"User-agent: news-archive\nCrawl-delay: 2\n\nUser-agent: *\nCrawl-delay: 9\n", 2.0),
        (b"User-agent: googlebot\nCrawl-delay: 9\n", None),
        (b"User-agent: *\nCrawl-delay: soon\n", None),
        (b"User-agent: *\nDisallow: /admin\n", None),
        (b"", None),
    ],
)
def test_the_crawl_delay_robots_txt_asks_of_this_crawler(robots, asked):
    assert crawl_delay(robots, AGENT) == asked


@pytest.mark.parametrize(
    ("asked", "cap", "download_delay", "delay", "capped"),
    [
        (5.0, 30.0, 1.0, 5.0, False),  # honoured
        (60.0, 30.0, 1.0, 30.0, True),  # beyond the cap: the cap, and reported
        (0.5, 30.0, 1.0, 1.0, False),  # never faster than the run's own DOWNLOAD_DELAY
        (30.0, 30.0, 0.0, 30.0, False),  # the cap itself is honoured
    ],
)
def test_the_delay_chosen_is_the_sites_up_to_the_cap(asked, cap, download_delay, delay, capped):
    chosen = choose_crawl_delay(HOST, asked, cap=cap, download_delay=download_delay)

    assert (chosen.delay, chosen.capped) == (delay, capped)


def robots_check(body: bytes, **settings: object) -> tuple[SharedRobotsTxtMiddleware, object]:
    """The middleware as a crawl builds it, given the robots check's response; and the crawl's
    downloader, whose slot for the host already exists (made for the check itself)."""

    async def check() -> tuple[SharedRobotsTxtMiddleware, object]:
        crawler = looking_crawler(**settings)
        crawler.spider = crawler._create_spider()
        crawler.engine = crawler._create_engine()
        downloader = crawler.engine.downloader
        downloader.slots[HOST] = Slot(concurrency=16, delay=0.0, jitter=0.0)
        [middleware] = [
            m for m in downloader.middleware.middlewares if isinstance(m, SharedRobotsTxtMiddleware)
        ]
        request = Request(ROBOTS_URL, meta={"dont_obey_robotstxt": True}, callback=NO_CALLBACK)
        middleware.process_response(request, TextResponse(ROBOTS_URL, body=body, request=request))
        return middleware, downloader

    return asyncio.run(check())


def test_the_hosts_download_slot_waits_the_crawl_delay_and_so_do_its_later_slots():
    _, downloader = robots_check(b"User-agent: *\nCrawl-delay: 4\n", DOWNLOAD_DELAY=1.0)

    assert downloader.slots[HOST].delay == 4.0
    assert downloader.per_slot_settings[HOST]["delay"] == 4.0


def test_a_site_asking_more_than_the_cap_waits_the_cap_and_is_counted():
    middleware, downloader = robots_check(
        b"User-agent: *\nCrawl-delay: 3600\n", ARCHIVE_CRAWL_DELAY_MAX=20.0
    )

    assert downloader.slots[HOST].delay == 20.0
    assert middleware.crawler.stats.get_value("robots/crawl_delay_capped") == 1


def test_autothrottle_is_told_not_to_lower_a_crawl_delay_above_its_floor():
    middleware, _ = robots_check(
        b"User-agent: *\nCrawl-delay: 4\n", AUTOTHROTTLE_ENABLED=True, DOWNLOAD_DELAY=1.0
    )
    article = Request(f"http://{HOST}:8765/news/{SEED_ID}")

    middleware.process_request(article)

    assert article.meta["autothrottle_dont_adjust_delay"] is True


def test_a_robots_txt_without_a_crawl_delay_leaves_the_slot_as_it_is():
    _, downloader = robots_check(b"User-agent: *\nDisallow: /admin\n")

    assert downloader.slots[HOST].delay == 0.0
    assert HOST not in downloader.per_slot_settings


def test_a_crawl_names_the_site_that_asks_for_more_than_the_cap_in_its_summary(
    sqlite_url, local_site, site_url
):
    local_site.sources["/robots.txt"] = Reply(
        200, b"User-agent: *\nCrawl-delay: 600\n", {"Content-Type": "text/plain"}
    )

    run = crawl(
        sqlite_url,
        start=SEED_ID,
        base_url=site_url,
        settings=("ARCHIVE_CRAWL_DELAY_MAX=0.01", "CLOSESPIDER_PAGECOUNT=3"),
    )

    assert run.returncode == 0, run.log
    note = f"{HOST} asks a Crawl-delay of 600s, waited 0.01s (ARCHIVE_CRAWL_DELAY_MAX)"
    assert run.stdout.rstrip().endswith(f"; {note}")
    assert f"WARNING: Crawl-delay capped: {note}" in run.log
    assert stat(run.log, "robots/crawl_delay_capped") == 1
