"""The plugin's own pages: an article's, addressed by database, site and article id (each
tilde-encoded), and a database's ranked search."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from datasette import Forbidden, Response
from datasette.utils import tilde_decode, tilde_encode

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.database import Database
    from datasette.utils.asgi import Request

ARTICLE_ROUTE = "/-/article"
RAW_PAGE_ROUTE = "/-/raw-page"
SEARCH_ROUTE = "/-/search"


def article_path(database: str, site: str, article_id: str) -> str:
    return _path(ARTICLE_ROUTE, database, site, article_id)


def raw_page_path(database: str, site: str, article_id: str) -> str:
    return _path(RAW_PAGE_ROUTE, database, site, article_id)


def search_path(database: str) -> str:
    return _path(SEARCH_ROUTE, database)


def search_route() -> str:
    """The search page's path, as HTML or (ending in ``.json``) as JSON."""
    return rf"^{SEARCH_ROUTE}/(?P<database>[^/]+?)(\.(?P<format>json))?$"


def route(prefix: str) -> str:
    """The regular expression Datasette matches a page's path with."""
    segment = "[^/]+"
    return rf"^{prefix}/(?P<database>{segment})/(?P<site>{segment})/(?P<article_id>{segment})$"


def _path(prefix: str, *parts: str) -> str:
    return f"{prefix}/{'/'.join(tilde_encode(part) for part in parts)}"


@dataclass(frozen=True)
class PageOf:
    """An article a page of the plugin shows, in a database the visitor may read."""

    database: str
    db: Database
    site: str
    article_id: str


async def page_of(request: Request, datasette: Datasette, table: str) -> PageOf | Response:
    """The article a plugin page's path names, or the response that refuses it (403, 404)."""
    database = tilde_decode(request.url_vars["database"])
    refused = await refusal(request, datasette, database, table)
    if refused is not None:
        return refused
    return PageOf(
        database,
        datasette.get_database(database),
        tilde_decode(request.url_vars["site"]),
        tilde_decode(request.url_vars["article_id"]),
    )


async def refusal(
    request: Request, datasette: Datasette, database: str, table: str
) -> Response | None:
    """The response refusing a page that reads `table` of `database` (403, 404); None if none."""
    try:
        await datasette.ensure_permissions(
            request.actor,
            [("view-table", (database, table)), ("view-database", database), "view-instance"],
        )
    except Forbidden:
        return Response.text("Forbidden", status=403)
    if database not in datasette.databases:
        return Response.text(f"no database {database}", status=404)
    return None
