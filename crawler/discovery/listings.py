"""A listing page (the site's newest articles) to the articles it links to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parsel import Selector

from crawler.discovery.articles import SiteUrls
from crawler.discovery.entries import Entry
from crawler.discovery.report import Ignored

if TYPE_CHECKING:
    from crawler.discovery.report import SourceReport
    from crawler.sites.profile import SiteProfile


def listing_entries(html: str, url: str, profile: SiteProfile, report: SourceReport) -> list[Entry]:
    """The article links of a listing, in page order, each article once."""
    urls = SiteUrls(profile, url)
    entries: dict[str, Entry] = {}
    for href in Selector(text=html, type="html").css(profile.discovery.listing_links).getall():
        article_id = urls.article_id(href)
        if isinstance(article_id, Ignored):
            report.ignore(article_id)
        elif article_id not in entries:
            report.entries += 1
            entries[article_id] = Entry(article_id=article_id, url=href.strip())
    return list(entries.values())
