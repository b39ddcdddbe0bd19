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

_UTC = "UTC"
_SITE_TIME = "as the site's clock showed it, with its UTC offset"

_DATABASE: dict[str, Any] = {
    "description": (
        "A news archive kept by news-archive. Start with article_list: search "
        "titles and bodies, narrow by site, kind and month, and open an article by its "
        "title. Times ending in _at or _utc are UTC; published_local is the site's clock."
    ),
    "tables": {
        "article_list": {
            "description": (
                "One row an article, newest first. Search finds words in the title and the "
                "body (Porter stemming: bomber finds bombers). The title opens the article "
                "with its whole text."
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
            "columns": {
                "published_at": f"publication time, {_UTC}",
                "published_local": f"publication time {_SITE_TIME}",
                "body": "paragraphs separated by a blank line",
                "first_seen_at": _UTC,
                "fetched_at": _UTC,
                "changed_at": _UTC,
            },
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


def archive_metadata(databases: set[str], list_url: Callable[[str], str]) -> dict[str, Any]:
    """Datasette metadata for these archive databases (a fresh copy: Datasette merges into it).

    `list_url` gives the address of a database's article_list.
    """
    if not databases:
        return {}
    lists = ", ".join(
        str(markupsafe.Markup('<a href="{}">{}</a>').format(list_url(name), name))
        for name in sorted(databases)
    )
    return {
        "title": "News archive",
        "description_html": f"Browse the articles of {lists}: search, facets, whole texts.",
        "databases": {name: copy.deepcopy(_DATABASE) for name in sorted(databases)},
    }


def is_archive(table_names: set[str]) -> bool:
    return table_names >= ARCHIVE_TABLES
