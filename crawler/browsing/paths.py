"""The plugin's own pages, addressed by database, site and article id (each tilde-encoded)."""

from __future__ import annotations

from datasette.utils import tilde_encode

ARTICLE_ROUTE = "/-/article"
RAW_PAGE_ROUTE = "/-/raw-page"


def article_path(database: str, site: str, article_id: str) -> str:
    return _path(ARTICLE_ROUTE, database, site, article_id)


def raw_page_path(database: str, site: str, article_id: str) -> str:
    return _path(RAW_PAGE_ROUTE, database, site, article_id)


def route(prefix: str) -> str:
    """The regular expression Datasette matches a page's path with."""
    segment = "[^/]+"
    return rf"^{prefix}/(?P<database>{segment})/(?P<site>{segment})/(?P<article_id>{segment})$"


def _path(prefix: str, *parts: str) -> str:
    return f"{prefix}/{'/'.join(tilde_encode(part) for part in parts)}"
