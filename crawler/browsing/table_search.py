"""``?_search=`` on the article tables, sent to the search page that ranks the matches.

Datasette filters a table by its full-text index but keeps the table's
order (the archive's tables: newest first) and has no way to sort by
relevance. A search on ``article_list`` or ``articles`` as a page (not
``.json``, not ``.csv``) that asks for nothing else than the search page
does (site, kind, month; the default order) is redirected there. Anything
else (another order, other filters, ``_rank=off``, the JSON API) is
Datasette's own table search, as before: nothing asked for is dropped.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

RANK_OFF = ("_rank", "off")
"""The argument that keeps a search in Datasette's table (its order, filters and CSV)."""

_NARROWING = ("site", "kind", "month")
# What Datasette's own search form sends beside the words: its sort box (the default
# order) and an empty "add a filter" row.
_FORM_EXTRAS = ("_filter_column", "_filter_op", "_filter_value")


@dataclass(frozen=True)
class SearchedTable:
    """A table page whose searches go to `search_url`, and the order it lists by default."""

    search_url: str
    default_sort_desc: str


def ranked_redirect(query_string: str, table: SearchedTable) -> str | None:
    """Where a search of `table` is sent; None when it stays Datasette's table search."""
    args = urllib.parse.parse_qsl(query_string, keep_blank_values=True)
    words = [value for name, value in args if name == "_search"]
    if len(words) != 1 or not words[0].strip():
        return None
    target = {"q": words[0]}
    for name, value in args:
        if name == "_search":
            continue
        plain = name.removesuffix("__exact")
        if plain in _NARROWING and value and plain not in target:
            target[plain] = value
        elif name in _FORM_EXTRAS and (name == "_filter_op" or not value):
            continue
        elif not _default_order(name, value, args, table):
            return None
    return f"{table.search_url}?{urllib.parse.urlencode(target)}"


def _default_order(
    name: str, value: str, args: list[tuple[str, str]], table: SearchedTable
) -> bool:
    if name == "_sort_desc":
        return value == table.default_sort_desc
    # The form's sort box: the default column, with "descending" ticked.
    if name == "_sort":
        return not value or (value == table.default_sort_desc and ("_sort_by_desc", "on") in args)
    return name == "_sort_by_desc" and value == "on"
