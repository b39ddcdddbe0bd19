"""`news-archive crawl --url https://site/`: a site without a profile, from its front page.

The crawl is the generic profile's discovery run on that site (``-a site=generic
-a base_url=... -a start=latest``): the feeds the front page links to
(``<link rel="alternate">``) and the sitemaps robots.txt names are read, and
what they announce is archived, every field from the fallbacks.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import click

from crawler.cli.crawl_all import spider_arguments

CHOSEN = ("start", "ids", "site", "profile", "base_url")
"""Spider arguments --url decides itself."""


def url_crawl_options(url: str, scrapy_options: tuple[str, ...]) -> list[str]:
    """The `scrapy crawl` options of a crawl of the site at `url` with the generic profile."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint="--url")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise click.BadParameter(
            f"{url!r} is not a site's root: give its front page, {parts.scheme}://{parts.netloc}/",
            param_hint="--url",
        )
    if chosen := [name for name in CHOSEN if name in spider_arguments(scrapy_options)]:
        raise click.UsageError(
            f"crawl --url reads the site with the generic profile from its front page; "
            f"-a {chosen[0]}= cannot go with it"
        )
    base_url = f"{parts.scheme}://{parts.netloc}"
    return ["-a", "site=generic", "-a", f"base_url={base_url}", "-a", "start=latest"]
