"""A listing page (the site's latest articles) to the article ids it links to."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from parsel import Selector

if TYPE_CHECKING:
    from crawler.sites.profile import SiteProfile


def listed_article_ids(html: str, url: str, profile: SiteProfile) -> list[str]:
    """Ids of the articles a listing links to, in page order, on the listing's own host."""
    host = urlsplit(url).netloc
    ids: list[str] = []
    for href in Selector(text=html, type="html").css(profile.discovery.listing_links).getall():
        absolute = urljoin(url, href.strip())
        if urlsplit(absolute).netloc != host:
            continue
        article_id = profile.article_id_from_url(absolute)
        if article_id is not None and article_id not in ids:
            ids.append(article_id)
    return ids
