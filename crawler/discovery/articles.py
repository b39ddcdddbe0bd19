"""A URL a source lists, to an article id of the site: through the profile only.

A source may name the site by its canonical host while we crawl a copy, so
both the host the source was fetched from and the profile's own host are the
site; any other host is not. The id comes from the profile's article path
pattern, and the crawl builds the article's URL from the profile's template
on the crawled host: a URL in a feed never chooses what is fetched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.discovery.report import Ignored
from crawler.parsing.urls import absolute_http_url, reached_port

if TYPE_CHECKING:
    from crawler.sites.profile import SiteProfile


class SiteUrls:
    def __init__(self, profile: SiteProfile, source_url: str) -> None:
        self.profile = profile
        self.source_url = source_url
        self.hosts = {_netloc(source_url), _netloc(profile.base_url)}
        # A sitemap of 100,000 URLs spells the same origin 100,000 times: a prefix
        # test saves parsing each (a third of the cost of reading a sitemap).
        self._origins = tuple(f"{scheme}://{host}/" for host in self.hosts for scheme in _SCHEMES)

    def article_id(self, listed: str) -> str | Ignored:
        """The id of a listed article URL, or why it names none."""
        if listed.startswith(self._origins):
            path = "/" + listed.split("/", 3)[3]
            article_id = self.profile.article_id_from_url(path)
            return Ignored.NOT_ARTICLE if article_id is None else article_id
        absolute = self.absolute(listed)
        if absolute is None:
            return Ignored.MALFORMED
        if _netloc(absolute) not in self.hosts:
            return Ignored.OFFSITE
        article_id = self.profile.article_id_from_url(absolute)
        return Ignored.NOT_ARTICLE if article_id is None else article_id

    def on_site(self, listed: str) -> str | None:
        """The path (and query) of a URL on the site, to be fetched from the crawled host."""
        absolute = self.absolute(listed)
        if absolute is None or _netloc(absolute) not in self.hosts:
            return None
        parts = urlsplit(absolute)
        return f"{parts.path or '/'}?{parts.query}" if parts.query else parts.path or "/"

    def absolute(self, listed: str) -> str | None:
        """`listed` resolved against the source's URL; None unless it is an http(s) URL."""
        return absolute_http_url(self.source_url, listed)


_SCHEMES = ("http", "https")


def _netloc(url: str) -> str:
    try:
        parts = urlsplit(url)
        port, default = reached_port(parts)
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    return host if default else f"{host}:{port}"
