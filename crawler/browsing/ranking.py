"""The SQL of the Datasette search page: matches ranked as `news-archive search` ranks them.

The index, its rank (`FTS_TABLE`, `FTS_RANK`) and the MATCH expression
(`fts5_expression`) are `crawler.archive.search`'s own, so the page and the
command cannot rank apart; ties go by row id. Every value reaches SQLite as a bound parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.archive.search import FTS_RANK, FTS_TABLE, fts5_expression
from crawler.archive.search_query import parse_query

_MATCHES = f"SELECT rowid AS id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match"
_RANKED_MATCHES = (
    f"SELECT rowid AS id, {FTS_RANK} AS rank FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match"
)
SNIPPET_START, SNIPPET_END = "\x02", "\x03"

DATE_FACETS = {"month": 7, "day": 10}
"""A date facet and the length of its ``YYYY-MM[-DD]`` prefix of ``published_local``."""


@dataclass(frozen=True)
class Narrowing:
    """The facet values a search is narrowed to (None: any)."""

    site: str | None = None
    kind: str | None = None
    month: str | None = None
    day: str | None = None

    def where(self) -> tuple[str, dict[str, Any]]:
        clauses, params = [], {}
        for name, value in (("site", self.site), ("kind", self.kind)):
            if value is not None:
                clauses.append(f"a.{name} = :n_{name}")
                params[f"n_{name}"] = value
        for name, length in DATE_FACETS.items():
            value = getattr(self, name)
            if value is not None:
                clauses.append(f"substr(a.published_local, 1, {length}) = :n_{name}")
                params[f"n_{name}"] = value
        return "".join(f" AND {clause}" for clause in clauses), params


def match_expression(text: str) -> str:
    """The FTS5 MATCH expression for a query typed as for `search` (QueryError if empty)."""
    return fts5_expression(parse_query(text))


def ranked(match: str, narrowing: Narrowing, *, limit: int, offset: int) -> tuple[str, dict]:
    """One page of the matches, best first."""
    where, params = narrowing.where()
    sql = (
        "SELECT a.id, a.site, a.article_id, a.title, a.kind, a.language, a.published_local, "
        f"a.published_at, -m.rank AS score FROM ({_RANKED_MATCHES}) AS m "
        f"JOIN articles AS a ON a.id = m.id WHERE 1{where} "
        "ORDER BY m.rank, a.id LIMIT :limit OFFSET :offset"
    )
    return sql, {**params, "match": match, "limit": limit, "offset": offset}


def counted(match: str, narrowing: Narrowing) -> tuple[str, dict]:
    where, params = narrowing.where()
    sql = f"SELECT count(*) FROM ({_MATCHES}) AS m JOIN articles AS a ON a.id = m.id WHERE 1{where}"
    return sql, {**params, "match": match}


def facet(match: str, narrowing: Narrowing, name: str) -> tuple[str, dict]:
    """Matches counted by site, kind, or a date facet (the dates in order, others by count)."""
    where, params = narrowing.where()
    if name in DATE_FACETS:
        value, order = f"substr(a.published_local, 1, {DATE_FACETS[name]})", "value DESC"
    else:
        value, order = f"a.{name}", "count DESC, value"
    sql = (
        f"SELECT {value} AS value, count(*) AS count FROM ({_MATCHES}) AS m "
        f"JOIN articles AS a ON a.id = m.id WHERE 1{where} GROUP BY value ORDER BY {order}"
    )
    return sql, {**params, "match": match}


def snippets(match: str, ids: list[int]) -> tuple[str, dict]:
    """The best passage of each of these matches, with the matched words between markers."""
    names = [f"id{i}" for i in range(len(ids))]
    sql = (
        f"SELECT rowid AS id, snippet({FTS_TABLE}, -1, :start, :end, '…', 24) AS snippet "
        f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match "
        f"AND rowid IN ({', '.join(':' + name for name in names)})"
    )
    params = dict(zip(names, ids, strict=True))
    return sql, {**params, "match": match, "start": SNIPPET_START, "end": SNIPPET_END}
