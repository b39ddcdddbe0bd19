"""A site's front page to the feeds it links to (``<link rel="alternate">``), as a browser
or a feed reader finds them from the site's address alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from parsel import Selector

from crawler.discovery.articles import SiteUrls

if TYPE_CHECKING:
    from crawler.discovery.report import SourceReport
    from crawler.sites.profile import SiteProfile

FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml"})


def linked_feeds(html: str, url: str, profile: SiteProfile, report: SourceReport) -> list[str]:
    """The paths of the RSS and Atom feeds the page links to on the site, in page order,
    each once; a feed on another host is counted offsite, one without a URL malformed."""
    urls = SiteUrls(profile, url)
    found: dict[str, None] = {}
    for link in Selector(text=html, type="html").xpath("//link[@rel]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        kind = (link.attrib.get("type") or "").split(";")[0].strip().lower()
        if "alternate" not in rel or kind not in FEED_TYPES:
            continue
        report.feeds += 1
        href = (link.attrib.get("href") or "").strip()
        path = urls.on_site(href) if href else None
        if not href or urls.absolute(href) is None:
            report.malformed += 1
        elif path is None:
            report.offsite += 1
        else:
            found.setdefault(path)
    return list(found)
