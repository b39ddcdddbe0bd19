"""Re-crawls on PostgreSQL keep every article's own links, images and versions.

A crawl of the local copy, two full re-crawls and a re-crawl after the site
edited pages (titles, a body, related lists swapped between two pages); after
each run the whole archive is compared with the whole site: every reachable
page's record, as the parser reads the page now served, and its version history.
"""

from __future__ import annotations

from dataclasses import asdict

from crawler.archive.database import create_archive_engine
from crawler.archive.store import ArchiveStore
from crawler.parsing.article import parse_article
from crawler.sites import get_profile
from localcopy.server import ServerThread
from localcopy.site import SEED_ID, LocalSite
from tests.conftest import crawl, stat

BOOKKEEPING = ("version", "first_seen_at", "fetched_at", "changed_at")
FULL = ("ARCHIVE_INCREMENTAL=False",)


def site_records(site: LocalSite, base_url: str) -> dict[str, dict]:
    """Every reachable page's record as the parser reads the page served now."""
    profile = get_profile("alalam_en")
    records = {}
    for article_id in site.reachable():
        html = site.reply(article_id).body.decode()
        article = parse_article(html, f"{base_url}/news/{article_id}", profile).article
        assert article is not None
        records[article_id] = _without_bookkeeping(asdict(article))
    return records


def _without_bookkeeping(record: dict) -> dict:
    return {name: value for name, value in record.items() if name not in BOOKKEEPING}


def assert_archive_is_the_site(
    url: str, site: LocalSite, base_url: str, titles: dict[str, list[str]]
) -> None:
    """The archive holds the site's every page as served, and each version title in order."""
    store = ArchiveStore(create_archive_engine(url))
    try:
        archived = {a.article_id: a for a in store.iter_articles()}
        expected = site_records(site, base_url)
        assert set(archived) == set(expected)
        wrong = [
            article_id
            for article_id, record in expected.items()
            if _without_bookkeeping(asdict(archived[article_id])) != record
        ]
        assert wrong == [], f"{len(wrong)} articles differ from their page, e.g. {wrong[:5]}"
        for article_id in expected:
            history = [v.title for v in store.history("alalam_en", article_id)]
            assert history == titles.get(article_id, [expected[article_id]["title"]]), article_id
            assert archived[article_id].version == len(history)
    finally:
        store.engine.dispose()


def test_full_recrawls_and_edits_keep_every_article_its_own_on_postgresql(postgresql_url):
    site = LocalSite(pages=60, orphans=2)
    with ServerThread(site) as base_url:
        first = crawl(postgresql_url, start=SEED_ID, base_url=base_url)
        assert first.returncode == 0, first.log
        assert_archive_is_the_site(postgresql_url, site, base_url, {})

        for _ in range(2):
            again = crawl(postgresql_url, start=SEED_ID, base_url=base_url, settings=FULL)
            assert again.returncode == 0, again.log
            assert stat(again.log, "archive/unchanged") == site.pages
            assert_archive_is_the_site(postgresql_url, site, base_url, {})

        ids = sorted(site.reachable() - {SEED_ID}, key=int)
        retitled, rewritten, swapped = ids[3:5], ids[10], (ids[20], ids[30])
        titles = {}
        for article_id in retitled:
            old = site.title(article_id)
            page = site.render(article_id).decode().replace(old, f"{old} (corrected)")
            site.replace_page(article_id, page)
            titles[article_id] = [old, f"{old} (corrected)"]
        page = site.render(rewritten).decode()
        paragraph = page.split("<p>", 1)[1].split("</p>", 1)[0]
        site.replace_page(rewritten, page.replace(paragraph, "A rewritten first paragraph."))
        titles[rewritten] = [site.title(rewritten)] * 2
        a, b = swapped
        site.related[a], site.related[b] = site.related[b], site.related[a]

        edited = crawl(postgresql_url, start=SEED_ID, base_url=base_url, settings=FULL)

        assert edited.returncode == 0, edited.log
        assert stat(edited.log, "archive/changed") == 3
        assert_archive_is_the_site(postgresql_url, site, base_url, titles)
