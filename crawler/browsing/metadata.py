"""What Datasette shows of an archive: descriptions, facets, sort orders, search on the list.

The plugin (`crawler.browsing.plugin`) gives this to every database that is
an archive; a ``--metadata`` file of the user's own takes precedence over it,
key by key, as Datasette merges plugin metadata under local metadata.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import markupsafe

if TYPE_CHECKING:
    from collections.abc import Callable

ARCHIVE_TABLES = frozenset({"articles", "captures", "crawl_runs", "alembic_version"})
"""Tables that make a database an archive of this crawler."""

READ_TEXT = {
    "articles": frozenset({"title", "lead", "body"}),
    "article_versions": frozenset({"title", "body"}),
    "related_links": frozenset({"title"}),
    "images": frozenset({"caption"}),
    "announcements": frozenset({"title"}),
}
"""Columns a person reads as text, shown in the direction of their own script (``dir=auto``);
``article_list.title`` is the link to the article, set the same way."""

_UTC = "UTC"
_SITE_TIME = "as the site's clock showed it, with its UTC offset"

# The home page and each archive's page open with these: the article list and a search.
_START = (
    '<p class="news-start"><a href="{list_url}" style="font-size: 1.3em">'
    "Read the articles of {name}</a>, newest first, by site, kind and month</p>"
    '<form class="news-start-search" action="{search_url}" method="get">'
    '<input type="search" name="q" dir="auto" aria-label="Search the articles of {name}" '
    'placeholder="Search the articles of {name}" style="width: 24em; font-size: 1.1em"> '
    '<input type="submit" value="Search"> best matches first</form>'
)
_ABOUT = (
    "<p>Times ending in _at or _utc are UTC; published_local is the site's clock. "
    "Every table is listed below.</p>"
)

_DATABASE: dict[str, Any] = {
    "tables": {
        "article_list": {
            "description": (
                "One row an article, newest first. A search finds words in the title and "
                "the body, as the search command does (bomber finds bombers, ايران finds "
                "إيران and ایران, 2016 finds ٢٠١٦), and opens the search page, best matches "
                "first (add _rank=off to the address to keep this table's order). The title "
                "opens the article with its whole text."
            ),
            "facets": ["site", "kind", "month"],
            "fts_table": "articles_fts",
            "fts_pk": "id",
            "sort_desc": "published_utc",
            "size": 50,
            "columns": {
                "month": "month of publication in the site's calendar",
                "published_local": f"publication time {_SITE_TIME}",
                "published_utc": f"publication time, {_UTC}",
                "fetched_utc": f"last fetched, {_UTC}",
            },
        },
        "articles": {
            "description": (
                "The archived articles, one row each with its latest text; every version "
                "is in article_versions, every fetch of its page in captures."
            ),
            "facets": ["site", "kind"],
            "sort_desc": "published_at",
            "label_column": "title",
            "fts_table": "articles_fts",
            "fts_pk": "id",
            "columns": {
                "published_at": f"publication time, {_UTC}",
                "published_local": f"publication time {_SITE_TIME}",
                "body": "paragraphs separated by a blank line",
                "first_seen_at": _UTC,
                "fetched_at": _UTC,
                "changed_at": _UTC,
            },
        },
        "article_search_text": {
            "description": (
                "Each article's title and body as the search index reads them: letters "
                "folded, digits ASCII, Arabic and Persian words stemmed by the article's "
                "language."
            ),
        },
        "article_versions": {
            "description": "Every distinct text an article has had.",
            "columns": {"first_seen_at": _UTC, "last_seen_at": _UTC},
        },
        "related_links": {
            "description": (
                "The related-article graph as each page lists it; a target_id absent from "
                "articles is an article discovered but not archived."
            ),
        },
        "captures": {
            "description": (
                "Every fetch of an article page, kept as it came: status, headers, and the "
                "body by digest (in payloads); payload_digest opens the page as fetched. "
                "In SQL: raw_page_text(payloads.body_gz, encoding, response_headers)."
            ),
            "facets": ["site", "outcome", "http_status"],
            "sort_desc": "fetched_at",
            "columns": {"fetched_at": _UTC},
        },
        "failed_fetches": {
            "description": "Pages that could not be fetched, until they are.",
            "facets": ["reason"],
            "sort_desc": "last_failed_at",
            "columns": {"first_failed_at": _UTC, "last_failed_at": _UTC},
        },
        "crawl_runs": {
            "description": "One row a crawl: when, with what, and how it ended.",
            "facets": ["status"],
            "sort_desc": "started_at",
            "columns": {"started_at": _UTC, "finished_at": _UTC},
        },
        "alembic_version": {"hidden": True},
    },
}


def archive_metadata(
    databases: set[str], list_url: Callable[[str], str], search_url: Callable[[str], str]
) -> dict[str, Any]:
    """Datasette metadata for these archive databases (a fresh copy: Datasette merges into it).

    `list_url` gives the address of a database's article_list, `search_url` of its search page.
    """
    if not databases:
        return {}
    starts = {
        name: str(
            markupsafe.Markup(_START).format(
                list_url=list_url(name), search_url=search_url(name), name=name
            )
        )
        for name in sorted(databases)
    }
    return {
        "title": "News archive",
        "description_html": "".join(starts.values()),
        "databases": {
            name: {**copy.deepcopy(_DATABASE), "description_html": start + _ABOUT}
            for name, start in starts.items()
        },
    }


def is_archive(table_names: set[str]) -> bool:
    return table_names >= ARCHIVE_TABLES
