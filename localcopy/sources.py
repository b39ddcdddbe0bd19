"""The local copy's discovery sources: the front page (linking the feed), robots.txt, an
RSS feed, a sitemap index, sitemaps.

robots.txt names the sitemap index; the index names a news sitemap of the
newest articles (with their publication dates and titles) and gzip sitemaps
of the whole archive, `LocalSite.sitemap_size` URLs each, as large news sites
publish them. Every URL is on the host the request came to, as a copy of the
site would write them.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from localcopy.site import SEED_ID, Reply

if TYPE_CHECKING:
    from localcopy.site import LocalSite

SITEMAP_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS_NS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
XML = "application/xml; charset=utf-8"


def front_page() -> Reply:
    """The home page: a link to the seed article, and the feed in its head, where feed
    readers (and `crawl --url`) look for it."""
    body = (
        "<html><head><title>Local copy</title>\n"
        '<link rel="alternate" type="application/rss+xml" title="News" href="/rss.xml">\n'
        f'</head><body>Local copy: <a href="/news/{SEED_ID}">seed article {SEED_ID}</a>'
        "</body></html>"
    )
    return Reply(200, body.encode(), {"Content-Type": "text/html; charset=utf-8"})


def robots_txt(origin: str) -> Reply:
    body = f"User-agent: *\nAllow: /\n\nSitemap: {origin}/sitemap.xml\n"
    return Reply(200, body.encode(), {"Content-Type": "text/plain; charset=utf-8"})


def rss_feed(site: LocalSite, origin: str) -> Reply:
    items = "\n".join(
        "    <item>\n"
        f"      <title>{escape(site.title(i))}</title>\n"
        f"      <link>{origin}/news/{i}</link>\n"
        f'      <guid isPermaLink="true">{origin}/news/{i}</guid>\n'
        f"      <pubDate>{format_datetime(_utc(site, i), usegmt=True)}</pubDate>\n"
        "    </item>"
        for i in site.newest()
    )
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n  <channel>\n'
        "    <title>Alalam News Network (local copy)</title>\n"
        f"    <link>{origin}/</link>\n    <description>The latest news</description>\n"
        f"{items}\n  </channel>\n</rss>\n"
    )
    return Reply(200, body.encode(), {"Content-Type": "application/rss+xml; charset=utf-8"})


def sitemap_index(site: LocalSite, origin: str) -> Reply:
    newest = site.newest()
    children = [(f"{origin}/sitemap-news.xml", _utc(site, newest[0]) if newest else None)]
    for number, ids in enumerate(_archive_parts(site), start=1):
        children.append((f"{origin}/sitemap-articles-{number}.xml.gz", _utc(site, ids[-1])))
    entries = "\n".join(
        f"  <sitemap><loc>{loc}</loc>"
        + (f"<lastmod>{lastmod.isoformat(timespec='seconds')}</lastmod>" if lastmod else "")
        + "</sitemap>"
        for loc, lastmod in children
    )
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {SITEMAP_NS}>\n'
        f"{entries}\n</sitemapindex>\n"
    )
    return Reply(200, body.encode(), {"Content-Type": XML})


def news_sitemap(site: LocalSite, origin: str) -> Reply:
    entries = "\n".join(
        f"  <url><loc>{origin}/news/{i}</loc><news:news>"
        "<news:publication><news:name>Alalam News Network</news:name>"
        "<news:language>en</news:language></news:publication>"
        f"<news:publication_date>{site.local_time(i).isoformat(timespec='seconds')}"
        f"</news:publication_date><news:title>{escape(site.title(i))}</news:title>"
        "</news:news></url>"
        for i in site.newest()
    )
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {SITEMAP_NS} {NEWS_NS}>\n'
        f"{entries}\n</urlset>\n"
    )
    return Reply(200, body.encode(), {"Content-Type": XML})


def archive_sitemap(site: LocalSite, origin: str, number: int) -> Reply:
    """Part `number` (from 1) of the sitemaps of the whole archive, gzip, oldest first."""
    parts = _archive_parts(site)
    if not 1 <= number <= len(parts):
        return Reply(404, b"<html><body><h1>Not found</h1></body></html>")
    lines = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {SITEMAP_NS}>\n']
    lines += [
        f"<url><loc>{origin}/news/{i}</loc>"
        f"<lastmod>{_utc(site, i).isoformat(timespec='seconds')}</lastmod></url>\n"
        for i in parts[number - 1]
    ]
    lines.append("</urlset>\n")
    body = gzip.compress("".join(lines).encode(), compresslevel=6, mtime=0)
    return Reply(200, body, {"Content-Type": "application/gzip"})


def _archive_parts(site: LocalSite) -> list[list[str]]:
    if site.sitemap_size <= 0:
        return []
    served = site.served()
    return [served[i : i + site.sitemap_size] for i in range(0, len(served), site.sitemap_size)]


def _utc(site: LocalSite, article_id: str) -> datetime:
    return site.local_time(article_id).astimezone(UTC)
