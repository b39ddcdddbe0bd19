"""Crawlers in the test's own process, as `scrapy crawl related` builds them, with no engine.

`looking_crawler` is Scrapy's `get_crawler` with the project's settings and
no archive (as ``scrapy parse`` runs): the spider alone. `archiving_crawler`
archives into a database: as `Crawler.crawl_async` does, its spider is made
before its components, since `ArchiveRun` resolves the site from the
spider's arguments (get_crawler makes the components first).
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler, get_reactor_settings

from crawler.extensions.archive_run import ArchiveRun
from crawler.items import FetchedPage
from crawler.spiders.related import RelatedSpider
from tests.conftest import SEED_URL, seed_html

_module = importlib.import_module("crawler.settings")
PROJECT_SETTINGS: dict[str, Any] = {
    name: getattr(_module, name) for name in dir(_module) if name.isupper()
}
"""crawler/settings.py, as scrapy.cfg makes it the project's."""
SEED_ID = "1851093"


def looking_crawler(**settings: Any) -> Crawler:
    """A crawler of the related spider that archives nothing; settings as given win."""
    return get_crawler(RelatedSpider, {**PROJECT_SETTINGS, "ITEM_PIPELINES": {}, **settings})


def looking_spider(crawler: Crawler | None = None, **arguments: str) -> RelatedSpider:
    """The related spider with `arguments` (``-a``), on a crawler that archives nothing."""
    crawler = crawler or looking_crawler()
    spider = RelatedSpider.from_crawler(crawler, **arguments)
    crawler.spider = spider
    return spider


def archiving_crawler(
    database_url: str, *, settings: dict[str, Any] | None = None, **arguments: str
) -> Crawler:
    """A crawler that archives into `database_url`: its spider, run and pipeline built,
    the run's schema checked and the site's lock taken (released by `close`).
    `settings` win over the project's (``-s``); `arguments` are the spider's (``-a``)."""
    every = {
        "TELNETCONSOLE_ENABLED": False,
        **get_reactor_settings(),
        **PROJECT_SETTINGS,
        "ARCHIVE_DB": database_url,
        **(settings or {}),
    }
    crawler = Crawler(RelatedSpider, every)
    crawler.spider = crawler._create_spider(**arguments)
    crawler._apply_settings()  # the components, ArchiveRun among them
    return crawler


def archive_run(crawler: Crawler) -> ArchiveRun:
    """The crawler's run, as its spider and pipeline reach it."""
    run = crawler.get_extension(ArchiveRun)
    assert run is not None
    return run


def seed_page(article_id: str = SEED_ID) -> FetchedPage:
    """The saved seed page as the spider hands it on, under `article_id`."""
    return FetchedPage(
        site="alalam_en",
        article_id=article_id,
        url=SEED_URL.replace(SEED_ID, article_id),
        final_url=SEED_URL.replace(SEED_ID, article_id),
        status=200,
        content_type="text/html; charset=utf-8",
        encoding="utf-8",
        body=seed_html().replace(SEED_ID, article_id).encode(),
        fetched_at=datetime.now(UTC).isoformat(),
    )
