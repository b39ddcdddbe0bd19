"""The related spider in this process: responses in, requests and pages out.

A crawler from Scrapy's `get_crawler` with the project's settings and no
archive; the spider's callbacks are called with responses built from the
saved seed page, as the engine would call them.
"""

from __future__ import annotations

import asyncio

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response

from crawler import signals
from crawler.items import Article, FetchedPage, FetchFailure
from tests.conftest import seed_expected, seed_html
from tests.inprocess import looking_crawler, looking_spider

BASE_URL = "http://127.0.0.1:8765"
SEED_ID = "1851093"
SEED_URL = f"{BASE_URL}/news/{SEED_ID}"


def seed_response(url: str = SEED_URL) -> HtmlResponse:
    request = Request(url, cb_kwargs={"article_id": SEED_ID})
    return HtmlResponse(
        url, body=seed_html().encode(), encoding="utf-8", request=request, status=200
    )


def start_requests(spider) -> list[Request]:
    async def collect() -> list[Request]:
        return [request async for request in spider.start()]

    return asyncio.run(collect())


def test_an_article_page_yields_a_request_for_each_related_id_then_the_page_whole():
    spider = looking_spider(start=SEED_ID, base_url=BASE_URL)

    *requests, page = spider.parse_article(seed_response(), article_id=SEED_ID)

    related = [link["article_id"] for link in seed_expected()["related"]]
    assert [r.url for r in requests] == [f"{BASE_URL}/news/{i}" for i in related]
    assert all(r.callback == spider.parse_article for r in requests)
    assert [r.cb_kwargs["article_id"] for r in requests] == related
    assert isinstance(page, FetchedPage)
    assert (page.site, page.article_id, page.status) == ("alalam_en", SEED_ID, 200)
    assert (page.url, page.encoding, page.body) == (SEED_URL, "utf-8", seed_html().encode())


def test_a_page_that_is_not_html_is_reported_as_a_failed_fetch_and_not_handed_on():
    crawler = looking_crawler()
    spider = looking_spider(crawler, start=SEED_ID, base_url=BASE_URL)
    reported: list[FetchFailure] = []

    def receive(failure: FetchFailure) -> None:  # held here: Scrapy's signals hold it weakly
        reported.append(failure)

    crawler.signals.connect(receive, signals.fetch_failed)
    pdf = Response(
        SEED_URL,
        body=b"%PDF-1.4",
        headers={"Content-Type": "application/pdf"},
        request=Request(SEED_URL, cb_kwargs={"article_id": SEED_ID}),
    )

    assert list(spider.parse_article(pdf, article_id=SEED_ID)) == []
    [failure] = reported
    assert (failure.article_id, failure.reason, failure.http_status) == (SEED_ID, "not_html", 200)
    assert failure.error == "not an HTML page: application/pdf"


def test_the_seeds_are_requested_first_and_fetched_whatever_the_archive_holds():
    spider = looking_spider(start=f"{SEED_ID},1851094", base_url=BASE_URL)

    requests = start_requests(spider)

    assert [r.url for r in requests] == [SEED_URL, f"{BASE_URL}/news/1851094"]
    assert all(r.meta.get("archive_refetch") for r in requests)


def test_start_latest_requests_the_discovery_sources_each_at_depth_zero():
    spider = looking_spider(start="latest", base_url=BASE_URL)

    requests = start_requests(spider)

    # robots.txt first: the sitemaps it names are the profile's only ones
    assert [(r.url, r.meta["discovery_source"]) for r in requests] == [
        (f"{BASE_URL}/robots.txt", "robots"),
        (f"{BASE_URL}/rss.xml", "feed"),
        (f"{BASE_URL}/news", "listing"),
    ]
    assert all(r.meta["depth_reset"] for r in requests)


@pytest.mark.parametrize("url", [SEED_URL, f"{SEED_URL}/some-slug"])
def test_scrapy_parse_gives_the_record_the_archive_would_store_with_the_related_requests(url):
    spider = looking_spider(base_url=BASE_URL)

    outputs = list(spider.parse(seed_response(url)))

    [article] = [o for o in outputs if isinstance(o, Article)]
    expected = seed_expected()
    assert (article.article_id, article.title) == (SEED_ID, expected["title"])
    assert article.body == expected["body"]
    assert len([o for o in outputs if isinstance(o, Request)]) == len(expected["related"])
