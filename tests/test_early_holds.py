"""Pages held for layout drift before the run could tell are judged again when it ends.

Early in a run the gate has counted few pages: a first batch whose pages
miss a rule that read the site's pages in recent runs is held as drift,
though every page after it is read by that rule. At the run's end those
holds are judged again over the whole run. Real crawls of the local copy, on
both databases, with batches of one page so the seed page is judged before
any other page is counted.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crawler.archive.database import create_archive_engine
from crawler.archive.models import ArticleRecord, Capture, CrawlRun
from localcopy.server import ServerThread
from localcopy.site import SEED_ID, LocalSite, Reply
from tests.conftest import crawl

ONE_PAGE_A_BATCH = ("ARCHIVE_BATCH_SIZE=1",)
FULL = ("ARCHIVE_INCREMENTAL=False",)


@pytest.fixture
def site() -> LocalSite:
    return LocalSite(pages=20, orphans=0)


def seed_without(site: LocalSite, *rule_classes: str) -> None:
    """The seed page with the markup of these rules renamed: the fallbacks read it."""
    html = site.reply(SEED_ID).body.decode()
    for rule_class in rule_classes:
        html = html.replace(rule_class, f"{rule_class}-redesigned")
    site.overrides[SEED_ID] = Reply(200, html.encode(), {"Content-Type": "text/html"})


def table(url: str, model, *where):
    engine = create_archive_engine(url)
    with engine.connect() as conn:
        rows = list(conn.execute(select(model).where(*where).order_by(model.id)))
    engine.dispose()
    return rows


def test_a_first_page_held_for_drift_is_released_when_the_rest_of_the_run_is_read(
    database_url, site
):
    with ServerThread(site) as url:
        first = crawl(database_url, start=SEED_ID, base_url=url)
        assert first.returncode == 0, first.log
        seed_without(site, "news-text")  # its body read by the fallback, its title and date not
        again = crawl(database_url, start=SEED_ID, base_url=url, settings=FULL + ONE_PAGE_A_BATCH)

    assert again.returncode == 0, again.log
    seed = table(database_url, Capture, Capture.article_id == SEED_ID)[-1]
    assert (seed.outcome, seed.version, seed.reason) == ("unchanged", 1, None)  # same text
    assert table(database_url, Capture, Capture.outcome == "held") == []
    [article] = table(database_url, ArticleRecord, ArticleRecord.article_id == SEED_ID)
    assert (article.version, article.field_sources["body"]) == (1, "trafilatura")
    record = table(database_url, CrawlRun)[-1]
    assert (record.status, record.held) == ("finished", {})
    assert record.unchanged == record.pages_fetched == len(site.reachable())


def test_a_page_no_rule_reads_among_pages_that_are_read_stays_held(database_url, site):
    seed_without(site, "news-title", "news-date", "news-text")

    with ServerThread(site) as url:
        run = crawl(database_url, start=SEED_ID, base_url=url, settings=ONE_PAGE_A_BATCH)

    assert run.returncode == 3, run.log  # not a page of this layout: an outage notice, say
    [seed] = table(database_url, Capture, Capture.article_id == SEED_ID)
    assert (seed.outcome, seed.reason) == ("held", "layout_drift")
    assert table(database_url, ArticleRecord, ArticleRecord.article_id == SEED_ID) == []
    [record] = table(database_url, CrawlRun)
    assert (record.status, record.held) == ("degraded", {"layout_drift": 1})
