"""robots.txt read for what it says beside its rules: ``Sitemap:`` lines, to the sitemaps on
the site they name; ``Crawl-delay``, to the seconds a crawler is asked to wait between fetches."""

from __future__ import annotations

from typing import TYPE_CHECKING

from protego import Protego
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


def crawl_delay(body: bytes, user_agent: str) -> float | None:
    """The ``Crawl-delay`` robots.txt asks of `user_agent` (its own group, else ``*``), in
    seconds; None when it asks none, or nothing a number of seconds can be read from."""
    delay = Protego.parse(body.decode("utf-8", errors="replace")).crawl_delay(user_agent)
    return float(delay) if delay is not None and delay >= 0 else None
