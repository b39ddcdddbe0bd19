"""Datasette plugin: an archive opens with its facets, readable pages and times labelled UTC.

Installed with the ``[datasette]`` extra, it loads in any Datasette of the
same environment (entry point ``datasette``), so ``datasette
archive.sqlite3`` gets it as well as ``news-archive datasette``. It acts only
on databases that hold the archive's tables (found at start-up).

- Metadata (`crawler.browsing.metadata`): descriptions, facets by site, kind
  and month on ``article_list``, newest first, search on the list; the home
  page and the database's page open with the article list and a search box.
- ``article_list.title`` links to the article's reading page
  (`crawler.browsing.reader`): its byline, images, paragraphs, times and
  related articles.
- A search page (`crawler.browsing.search_page`) ranks the matches as
  `news-archive search` does, with facets by date, site and kind;
  ``?_search=`` on ``article_list`` and ``articles`` leads there
  (`crawler.browsing.table_search`).
- Text a person reads (titles, bodies, captions) is set in table cells with
  ``dir="auto"``: Arabic and Persian read from the right.
- ``captures.payload_digest`` is shown as a link to that capture's page as
  fetched, its ``Content-Encoding`` undone and decoded as ``show --raw``
  decodes it, served as plain text: an archived page never runs its scripts in
  Datasette's origin. The article's reading page links its last capture.
- SQL gets ``raw_page_text(body_gz, encoding, response_headers)`` for the same
  text, e.g. ``select c.url from captures c join payloads p on p.id = c.payload_id
  where raw_page_text(p.body_gz, c.encoding, c.response_headers) like '%var_dump%'``.
- Times are written as on the article's page (`crawler.browsing.times`):
  stored times with `` UTC``, ``published_local`` with its offset, both to the second.
"""

from __future__ import annotations

import contextvars
import gzip
import json
import weakref
import zlib
from typing import TYPE_CHECKING, Any

import markupsafe
from datasette import Response, hookimpl
from datasette.utils.asgi import asgi_send_redirect

from crawler.archive.search import fts5_match
from crawler.browsing import times
from crawler.browsing.metadata import READ_TEXT, archive_metadata, is_archive
from crawler.browsing.paths import (
    ARTICLE_ROUTE,
    RAW_PAGE_ROUTE,
    article_path,
    page_of,
    raw_page_path,
    route,
    search_path,
    search_route,
)
from crawler.browsing.reader import article_page
from crawler.browsing.search_page import search_page
from crawler.browsing.table_search import SearchedTable, ranked_redirect
from crawler.parsing.content_encoding import decoded_body
from crawler.parsing.decode import page_text as decoded_page

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Awaitable, Callable

    from datasette.app import Datasette
    from datasette.utils.asgi import Request

    ASGIApp = Callable[[dict, Callable, Callable], Awaitable[None]]

_NORMALISED_INDEX = (
    "SELECT 1 FROM sqlite_master WHERE type = 'view' AND name = 'article_search_text'"
)

# The archive databases of each Datasette instance, found when it starts.
_archives: weakref.WeakKeyDictionary[Datasette, set[str]] = weakref.WeakKeyDictionary()
# A row's own page shows its text whole; a table cuts long cells short (Datasette's
# truncate_cells_html), which a cell the plugin renders must do itself.
_whole_cells: contextvars.ContextVar[bool] = contextvars.ContextVar("whole_cells", default=False)
# Datasette's page sets text-align: left; text that reads from the right starts at the right.
_START_ALIGNED = "text-align: start"
# The tables whose ?_search= goes to the search page, and the order each lists by.
_SEARCHED_TABLES = {"article_list": "published_utc", "articles": "published_at"}


@hookimpl
def startup(datasette: Datasette) -> Any:
    async def find_archives() -> None:
        _archives[datasette] = {
            name
            for name, db in datasette.databases.items()
            if is_archive(set(await db.table_names()))
        }

    return find_archives


@hookimpl
def get_metadata(datasette: Datasette) -> dict[str, Any]:
    return archive_metadata(
        _archives.get(datasette, set()),
        lambda name: datasette.urls.table(name, "article_list"),
        lambda name: datasette.urls.path(search_path(name)),
    )


@hookimpl
def menu_links(datasette: Datasette) -> list[dict[str, str]]:
    links = []
    for name in sorted(_archives.get(datasette, ())):
        suffix = f" ({name})" if len(_archives[datasette]) > 1 else ""
        links.append(
            {"href": datasette.urls.table(name, "article_list"), "label": f"Articles{suffix}"}
        )
        links.append({"href": datasette.urls.path(search_path(name)), "label": f"Search{suffix}"})
    return links


@hookimpl
def asgi_wrapper(datasette: Datasette) -> Callable[[ASGIApp], ASGIApp]:
    def wrap(app: ASGIApp) -> ASGIApp:
        async def searched_by_rank(scope: dict, receive: Callable, send: Callable) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            path = scope["path"]
            table = _searched_table(datasette, path) if scope["method"] in ("GET", "HEAD") else None
            target = _ranked_target(scope.get("query_string", b""), table)
            if target is not None:
                await asgi_send_redirect(send, target)
                return
            whole = _whole_cells.set(_is_row_page(datasette, path))
            try:
                await app(scope, receive, send)
            finally:
                _whole_cells.reset(whole)

        return searched_by_rank

    return wrap


def _ranked_target(query: bytes, table: SearchedTable | None) -> str | None:
    if table is None:
        return None
    try:
        text = query.decode("utf-8")
    except UnicodeDecodeError:  # not a browser's: Datasette's own search answers as it can
        return None
    return ranked_redirect(text, table)


def _searched_table(datasette: Datasette, path: str) -> SearchedTable | None:
    for name in _archives.get(datasette, ()):
        for table, order in _SEARCHED_TABLES.items():
            if path == datasette.urls.table(name, table):
                return SearchedTable(datasette.urls.path(search_path(name)), order)
    return None


def _is_row_page(datasette: Datasette, path: str) -> bool:
    for name in _archives.get(datasette, ()):
        prefix = datasette.urls.database(name) + "/"
        if path.startswith(prefix) and path[len(prefix) :].count("/") == 1:
            return True
    return False


def page_text(
    body_gz: bytes | None, encoding: str | None, response_headers: str | None = None
) -> str | None:
    """A stored body as text, decoded as `show --raw` decodes it; None if it cannot be read.

    `response_headers` is the capture's JSON list of headers, whose
    ``Content-Encoding`` is undone (the body is kept as it came over the wire).
    """
    if body_gz is None:
        return None
    try:
        body = gzip.decompress(body_gz)
        if response_headers:
            body = decoded_body(body, json.loads(response_headers))
    except (OSError, EOFError, zlib.error, ValueError):  # ValueError: bad JSON, or coding
        return None
    return decoded_page(body, encoding or "utf-8")


# Last, so that on an archive this `escape_fts` replaces Datasette's own.
@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("raw_page_text", 2, page_text, deterministic=True)
    conn.create_function("raw_page_text", 3, page_text, deterministic=True)
    # ?_search= reads the query as `search` does (its words in every language's form,
    # its syntax), since the index holds the normalised text. Only on an archive: its
    # view of that text says so.
    if conn.execute(_NORMALISED_INDEX).fetchone() is not None:
        conn.create_function("escape_fts", 1, fts5_match, deterministic=True)


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Datasette
) -> Any:
    if database not in _archives.get(datasette, ()):
        return None
    if table == "article_list" and column == "title" and isinstance(value, str):
        try:
            site, article_id = row["site"], row["article_id"]
        except (IndexError, KeyError):
            return None
        link = datasette.urls.path(article_path(database, site, article_id))
        # A title is what a reader scans: wide enough to read on one or two lines.
        return markupsafe.Markup('<a href="{}" dir="auto" style="{}">{}</a>').format(
            link, f"display: block; min-width: 22em; {_START_ALIGNED}", value
        )
    if table == "captures" and column == "payload_digest" and isinstance(value, str):
        try:
            site, article_id, capture_id = row["site"], row["article_id"], row["id"]
        except (IndexError, KeyError):  # columns left out of the view: the digest alone
            return None
        path = raw_page_path(database, site, article_id)
        link = datasette.urls.path(f"{path}?capture={int(capture_id)}")
        return markupsafe.Markup('<a href="{}">page as fetched</a> ({})').format(link, value)
    if table and column in READ_TEXT.get(table, ()) and isinstance(value, str):
        return _read_text(datasette, value)
    if table and isinstance(value, str):
        if column.endswith(("_at", "_utc")):
            return times.utc(value, seconds=True)
        if column == "published_local":
            return times.site_time(value, seconds=True)
    return None


def _read_text(datasette: Datasette, value: str) -> markupsafe.Markup:
    """Text a person reads, in the direction of its first letter, cut short as Datasette cuts."""
    limit = 0 if _whole_cells.get() else datasette.setting("truncate_cells_html")
    if limit and len(value) > limit:
        value = value[:limit] + "\u2026"
    return markupsafe.Markup('<div dir="auto" style="{}">{}</div>').format(_START_ALIGNED, value)


_PAGE_QUERY = """
select p.body_gz, c.encoding, c.response_headers from captures c
join payloads p on p.id = c.payload_id
where c.site = ? and c.article_id = ? {which}
order by c.fetched_at desc, c.id desc limit 1
"""


async def raw_page(request: Request, datasette: Datasette) -> Response:
    """A capture's page as fetched, as plain text: ``?capture=ID``, else the article's last."""
    page = await page_of(request, datasette, "captures")
    if isinstance(page, Response):
        return page
    site, article_id = page.site, page.article_id
    params: list[Any] = [site, article_id]
    which = ""
    wanted = request.args.get("capture")
    if wanted is not None:
        if not wanted.isdigit():
            return Response.text(f"no capture {wanted}", status=404)
        which, params = "and c.id = ?", [*params, int(wanted)]
    result = await page.db.execute(_PAGE_QUERY.format(which=which), params)
    row = result.first()
    text = page_text(row["body_gz"], row["encoding"], row["response_headers"]) if row else None
    if text is None:
        return Response.text(f"no stored page {site}/{article_id}", status=404)
    return Response.text(text, headers={"X-Content-Type-Options": "nosniff"})


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    return [
        (route(ARTICLE_ROUTE), article_page),
        (route(RAW_PAGE_ROUTE), raw_page),
        (search_route(), search_page),
    ]
