"""robots.txt's ``Sitemap:`` lines to the sitemaps on the site they name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.utils.sitemap import sitemap_urls_from_robots

from crawler.discovery.articles import SiteUrls
from crawler.discovery.entries import SitemapRef

if TYPE_CHECKING:
    from crawler.discovery.report import SourceReport
    from crawler.sites.profile import SiteProfile


def robots_sitemaps(
    body: bytes, url: str, profile: SiteProfile, report: SourceReport
) -> list[SitemapRef]:
    """The sitemaps robots.txt names on the site, in its order; others are counted offsite."""
    urls = SiteUrls(profile, url)
    found: dict[str, SitemapRef] = {}  # by path, in robots.txt's order: each named once
    for listed in sitemap_urls_from_robots(body, base_url=url):
        report.sitemaps += 1
        path = urls.on_site(listed)
        if path is None:
            report.offsite += 1
        elif path not in found:
            found[path] = SitemapRef(path)
    return list(found.values())
