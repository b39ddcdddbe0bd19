"""Discovery sources read without a crawl: saved feeds and sitemaps beside the entries they give.

Each fixture in tests/fixtures/discovery/{feeds,sitemaps}/ has, beside it,
`<name>.expected.json`: its entries, and what the reader counted and noticed.
The feeds are ours, written after the formats' specifications and the usual
breakage; the URLs are the site's (https://en.alalam.ir), read as if fetched
from https://en.alalam.ir/<fixture name>.
"""

from __future__ import annotations

import gzip
import io
import json
from typing import TYPE_CHECKING, Any

import pytest

from crawler.discovery.entries import TITLE_MAX_LENGTH, Entry, SitemapRef, clean_text, iso
from crawler.discovery.feeds import feed_entries
from crawler.discovery.listings import listing_entries
from crawler.discovery.report import SourceError, SourceReport
from crawler.discovery.robots import robots_sitemaps
from crawler.discovery.sitemaps import sitemap_entries
from tests.conftest import FIXTURES

if TYPE_CHECKING:
    from pathlib import Path

FEEDS = FIXTURES / "discovery" / "feeds"
SITEMAPS = FIXTURES / "discovery" / "sitemaps"
SITE = "https://en.alalam.ir"


def read(reader: Any, path: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    report = SourceReport(f"{SITE}/{path.name}", "source")
    items = list(reader(path.read_bytes(), report.url, _profile(), report))
    counted = {k: v for k, v in report.as_dict().items() if k not in ("url", "kind", "status")}
    return [_as_dict(item) for item in items], counted


def expected(path: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    data = json.loads((path.parent / f"{path.name}.expected.json").read_text("utf-8"))
    return data["entries"], data["report"]


def _as_dict(item: Entry | SitemapRef) -> dict[str, Any]:
    if isinstance(item, SitemapRef):
        return {"sitemap": item.url, "lastmod": iso(item.lastmod)}
    return {
        "article_id": item.article_id,
        "url": item.url,
        "title": item.title,
        "published": iso(item.published),
        "updated": iso(item.updated),
    }


def _profile() -> Any:
    from crawler.sites import get_profile

    return get_profile("alalam_en")


def _with_expectations(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if (folder / f"{p.name}.expected.json").exists())


# -- every saved source gives the entries beside it ---------------------------------------


@pytest.mark.parametrize("path", _with_expectations(FEEDS), ids=lambda p: p.name)
def test_every_saved_feed_gives_the_entries_beside_it(path):
    assert read(feed_entries, path) == expected(path)


@pytest.mark.parametrize("path", _with_expectations(SITEMAPS), ids=lambda p: p.name)
def test_every_saved_sitemap_gives_the_entries_beside_it(path):
    assert read(sitemap_entries, path) == expected(path)


# -- feeds ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["rss091.xml", "rss10.rdf", "rss20.xml", "atom10.xml"])
def test_each_feed_format_gives_its_articles(name):
    entries, _ = read(feed_entries, FEEDS / name)
    assert entries and all(entry["url"].startswith(f"{SITE}/news/") for entry in entries)


def test_a_byte_order_mark_changes_nothing():
    assert read(feed_entries, FEEDS / "bom.xml") == read(feed_entries, FEEDS / "rss20.xml")


def test_utf8_declared_as_latin1_is_read_as_utf8_with_a_warning():
    entries, report = read(feed_entries, FEEDS / "mislabelled.xml")
    assert entries[1]["title"] == "Café — été, in UTF-8"
    assert report["warnings"] == ["charset_mislabelled: declared ISO-8859-1, read as UTF-8"]


def test_latin1_declared_as_utf8_is_read_as_latin1_with_a_warning():
    entries, report = read(feed_entries, FEEDS / "latin1-declared-utf8.xml")
    assert entries[1]["title"] == "Café, in Latin-1"
    assert report["warnings"][0].startswith("charset_mislabelled")


def test_html_entities_in_a_feed_are_read_as_text():
    entries, _ = read(feed_entries, FEEDS / "html-entities.xml")
    assert entries[1]["title"] == "HTML entities été & — in a title"  # &nbsp; as a space


def test_a_truncated_feed_gives_the_entries_before_the_break_with_a_warning():
    # The break falls inside the second entry's link: half a link names another article.
    entries, report = read(feed_entries, FEEDS / "truncated.xml")
    assert [entry["article_id"] for entry in entries] == ["1851093"]
    assert report["warnings"][0].startswith("truncated: the feed ends before </rss>")


def test_an_external_entity_in_a_feed_is_never_loaded():
    entries, _ = read(feed_entries, FEEDS / "external-entity.xml")
    assert entries[0]["title"] == "Secret: &secret;"


def test_a_page_that_is_not_a_feed_fails_the_source():
    with pytest.raises(SourceError, match="not an RSS or Atom feed"):
        read(feed_entries, FEEDS / "not-a-feed.html")


def test_links_that_are_not_articles_or_not_on_the_site_are_ignored_and_counted():
    _, report = read(feed_entries, FEEDS / "rss20.xml")
    assert (report["not_article"], report["offsite"]) == (1, 1)


def test_an_entry_whose_link_is_offsite_is_found_by_its_article_url_id():
    entries, report = read(feed_entries, FEEDS / "atom10.xml")
    assert entries[1]["article_id"] == "1808642" and "offsite" not in report


# -- sitemaps ---------------------------------------------------------------------------


def test_a_news_sitemap_keeps_each_articles_publication_date_and_title():
    entries, _ = read(sitemap_entries, SITEMAPS / "news-sitemap.xml")
    assert [(e["published"], e["title"]) for e in entries] == [
        (
            "2016-08-16T13:22:15+00:00",
            "Iran, Russia Engaged in Strategic Cooperation in Anti-ISIS Fight in Syria: Shamkhani",
        ),
        ("2016-08-16", "A bare date, kept as a date"),
        ("2016-08-16T04:30:00+00:00", "No offset: the site's time zone"),  # Tehran, +04:30
    ]


def test_a_date_out_of_range_leaves_its_entry_undated_and_the_sitemap_read_on():
    """Year 1 in the site's zone, year 9999 with an offset: no instant in UTC, no date."""
    entries, report = read(sitemap_entries, SITEMAPS / "out-of-range-dates.xml")
    assert [entry["article_id"] for entry in entries] == [
        "1808700",
        "1808701",
        "1808702",
        "1808703",
        "1808704",
    ]
    assert [(entry["published"], entry["updated"]) for entry in entries[1:3]] == [
        (None, None),
        (None, None),
    ]
    assert entries[4]["updated"] == "2016-08-17"
    assert report == {"entries": 5}


def test_a_sitemap_index_names_its_sitemaps_on_the_site_only():
    items, report = read(sitemap_entries, SITEMAPS / "sitemap-index.xml")
    assert [item["sitemap"] for item in items] == [
        "/sitemap-news.xml",
        "/sitemaps/2016-07.xml.gz",
        "/sitemaps/relative.xml",
    ]
    assert report == {"sitemaps": 4, "offsite": 1}


def test_a_gzip_sitemap_is_read_whatever_its_name():
    gz = (SITEMAPS / "archive.xml.gz").read_bytes()
    report = SourceReport(f"{SITE}/sitemap.xml", "sitemap")
    entries = list(sitemap_entries(gz, report.url, _profile(), report))
    assert len(entries) == 5


def test_a_truncated_sitemap_gives_the_entries_before_the_break_with_a_warning():
    entries, report = read(sitemap_entries, SITEMAPS / "truncated.xml")
    assert [entry["article_id"] for entry in entries] == ["1808600", "1808601", "1808602"]
    assert report["warnings"][0].startswith("sitemap broken off after 3 entries")


def test_a_truncated_gzip_sitemap_gives_the_entries_before_the_break():
    entries, report = read(sitemap_entries, SITEMAPS / "truncated.xml.gz")
    assert len(entries) == 172
    assert report["warnings"] == [
        "sitemap broken off after 172 entries: the gzip stream ends early"
    ]


def test_an_html_page_is_not_a_sitemap():
    with pytest.raises(SourceError, match="not a sitemap: the document is <html>"):
        read(sitemap_entries, SITEMAPS / "not-a-sitemap.html")


def test_an_entity_in_a_sitemap_is_never_resolved_and_its_entry_is_dropped():
    entries, report = read(sitemap_entries, SITEMAPS / "external-entity.xml")
    assert [entry["article_id"] for entry in entries] == ["1808604"]
    assert report["malformed"] == 1


def test_a_sitemap_larger_than_allowed_once_inflated_is_refused():
    big = gzip.compress(b"<urlset>" + b"<url><loc>/news/1</loc></url>" * 10_000 + b"</urlset>")
    report = SourceReport(f"{SITE}/sitemap.xml", "sitemap")
    entries = sitemap_entries(big, report.url, _profile(), report, max_size=100_000)
    assert sum(1 for _ in entries) < 10_000
    assert "larger than 100000 bytes once inflated" in report.warnings[0]


def test_a_sitemap_is_read_as_a_stream():
    """Its first entry comes when a sliver of the document has been read (the bench
    measures memory over 200,000 URLs)."""
    urls = b"".join(b"<url><loc>/news/%d</loc></url>" % i for i in range(1, 20_001))
    document = _Counting(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + urls)
    report = SourceReport(f"{SITE}/sitemap.xml", "sitemap")
    entries = sitemap_entries(document, report.url, _profile(), report)

    assert next(entries).article_id == "1"
    assert document.given < len(urls) // 4
    assert sum(1 for _ in entries) == 19_999


class _Counting(io.RawIOBase):
    """A document read from a stream, counting what the reader has taken."""

    def __init__(self, data: bytes) -> None:
        self.data = io.BytesIO(data)
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self.data.readinto(buffer)
        self.given += count
        return count


# -- titles -----------------------------------------------------------------------------


def test_a_sources_title_is_kept_as_the_archive_keeps_text():
    title = " Cafe\u0301\x00 \ud800 \u200b\n news " + "x" * 2000
    cleaned = clean_text(title)
    assert cleaned is not None and cleaned.startswith("Café \ufffd news x")
    assert len(cleaned) == TITLE_MAX_LENGTH
    assert clean_text(" \u200b ") is None


# -- robots.txt and listings --------------------------------------------------------------


def test_robots_txt_names_sitemaps_on_the_site_only():
    robots = (
        b"User-agent: *\nDisallow: /admin\n"
        b"Sitemap: https://en.alalam.ir/sitemap.xml\n"
        b"sitemap: /sitemap-news.xml\n"
        b"Sitemap: https://tracker.example/sitemap.xml\n"
    )
    report = SourceReport(f"{SITE}/robots.txt", "robots")
    refs = robots_sitemaps(robots, report.url, _profile(), report)
    assert [ref.url for ref in refs] == ["/sitemap.xml", "/sitemap-news.xml"]
    assert (report.sitemaps, report.offsite) == (3, 1)


def test_a_listing_gives_each_linked_article_once_in_page_order():
    html = (
        '<a href="/news/2">b</a><a href="/news/1/slug">a</a>'
        '<a href="/news/2">b</a><a href="/">home</a>'
    )
    report = SourceReport(f"{SITE}/news", "listing")
    entries = listing_entries(html, report.url, _profile(), report)
    assert [entry.article_id for entry in entries] == ["2", "1"]
    assert report.not_article == 1


def test_a_copy_of_the_site_may_list_the_live_sites_urls():
    """A source fetched from a copy names the live host: still the site's articles."""
    report = SourceReport("http://127.0.0.1:8765/news", "listing")
    html = f'<a href="{SITE}/news/7">x</a><a href="http://127.0.0.1:8765/news/8">y</a>'
    entries = listing_entries(html, report.url, _profile(), report)
    assert [entry.article_id for entry in entries] == ["7", "8"]


@pytest.mark.parametrize(
    ("listed", "on_site"),
    [
        ("https://en.alalam.ir:443/news/7", True),
        ("http://en.alalam.ir/news/7", True),  # a default port either way: the same host
        ("https://en.alalam.ir:8443/news/7", False),
        ("https://EN.alalam.ir/news/7", True),
        ("https://en.alalam.ir:x/news/7", False),
    ],
)
def test_a_listed_url_is_on_the_site_by_its_host_and_port(listed, on_site):
    report = SourceReport(f"{SITE}/news", "listing")
    entries = listing_entries(f'<a href="{listed}">x</a>', report.url, _profile(), report)
    assert bool(entries) is on_site
