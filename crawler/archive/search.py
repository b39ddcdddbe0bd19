"""Full-text search with each database's own engine: SQLite FTS5, PostgreSQL tsvector.

Both get the same parsed query (see `search_query`), are ranked (BM25 with
the title weighted over the body; `ts_rank_cd` on weighted vectors) and give
a snippet of the best passage, with matches between `MARK_START` and
`MARK_END`. User text only ever reaches the database as bound parameters.

On PostgreSQL a search runs with a statement timeout: the server stops it
by itself, so that a search whose client has gone (a closed terminal, a
killed script) does not run on for as long as it likes. (A SQLite search
runs inside its client's process and ends with it.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Float, String, Text, bindparam, text
from sqlalchemy.exc import OperationalError

from crawler.archive.models import UTCDateTime

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.engine import Connection

    from crawler.archive.search_query import Query, Term

MARK_START, MARK_END = "\x02", "\x03"
DEFAULT_TIMEOUT = 30.0
"""Seconds a PostgreSQL search may run before the server stops it."""
_QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement stopped by its timeout
# PostgreSQL indexes this much of each text (migration 0008): a tsvector holds at most 1 MB.
SEARCH_TITLE_CHARS = 1_000
SEARCH_BODY_CHARS = 100_000
_CONFIG = "english"  # the first site's language; a per-language index is future work
_HEADLINE = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, MaxFragments=1"


@dataclass
class SearchFilters:
    site: str | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    """Exclusive upper bound on the publication time."""
    limit: int = 20


@dataclass
class SearchHit:
    site: str
    article_id: str
    title: str
    kind: str
    published_at: datetime | None
    published_local: str | None
    snippet: str
    score: float
    """Higher is better; comparable within one search only."""


class SearchTimeout(RuntimeError):
    """The database stopped a search that ran longer than its timeout."""


def search(
    conn: Connection, query: Query, filters: SearchFilters, timeout: float = DEFAULT_TIMEOUT
) -> list[SearchHit]:
    if conn.dialect.name == "sqlite":
        statement, params = _sqlite(query, filters)
    else:
        statement, params = _postgresql(query, filters)
        # For this transaction only: the connection goes back to its pool unchanged.
        conn.execute(
            text("SELECT set_config('statement_timeout', :timeout, true)"),
            {"timeout": f"{max(1, round(timeout * 1000))}ms"},
        )
    dates = [
        bindparam(name, type_=UTCDateTime()) for name in params if name.startswith("f_published")
    ]
    typed = (
        text(statement)
        .bindparams(*dates)
        .columns(
            site=String,
            article_id=String,
            title=Text,
            kind=String,
            published_at=UTCDateTime(),
            published_local=String,
            snippet=Text,
            score=Float,
        )
    )
    try:
        hits = [SearchHit(**row._mapping) for row in conn.execute(typed, params)]
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) == _QUERY_CANCELED:
            raise SearchTimeout(
                f"the search ran longer than {timeout:g} s and was stopped"
            ) from None
        raise
    for hit in hits:
        hit.snippet = " ".join(hit.snippet.split())  # paragraphs run together in one line
    return hits


def _filters(filters: SearchFilters, alias: str) -> tuple[str, dict[str, Any]]:
    clauses, params = [], {}
    for column, value, operator in (
        ("site", filters.site, "="),
        ("kind", filters.kind, "="),
        ("published_at", filters.since, ">="),
        ("published_at", filters.until, "<"),
    ):
        if value is not None:
            name = f"f_{column}_{len(params)}"
            clauses.append(f"{alias}.{column} {operator} :{name}")
            params[name] = value
    return "".join(f" AND {clause}" for clause in clauses), params


# -- SQLite: FTS5 -----------------------------------------------------------------------


def _sqlite(query: Query, filters: SearchFilters) -> tuple[str, dict[str, Any]]:
    where, params = _filters(filters, "a")
    # Rank first, then make snippets for the best few only: a snippet in the ranked
    # query is made for every match before the LIMIT applies (seconds on a large
    # archive when a common word matches most articles).
    # Without filters the ranking needs no row of `articles`: joining every match
    # costs more than ranking it.
    source = (
        "articles_fts JOIN articles AS a ON a.id = articles_fts.rowid" if where else "articles_fts"
    )
    statement = f"""
        WITH best AS (
            SELECT articles_fts.rowid AS id, bm25(articles_fts, 4.0, 1.0) AS rank
            FROM {source}
            WHERE articles_fts MATCH :match{where}
            ORDER BY rank, articles_fts.rowid
            LIMIT :limit
        )
        SELECT a.site, a.article_id, a.title, a.kind, a.published_at, a.published_local,
               snippet(articles_fts, -1, :mark_start, :mark_end, '…', 24) AS snippet,
               -best.rank AS score
        FROM best
        -- CROSS JOIN keeps this order: a snippet for each of the best, not a second
        -- pass over every match.
        CROSS JOIN articles_fts ON articles_fts.rowid = best.id
        JOIN articles AS a ON a.id = best.id
        WHERE articles_fts MATCH :match
        ORDER BY best.rank, a.id
    """
    params.update(
        match=fts5_expression(query), mark_start=MARK_START, mark_end=MARK_END, limit=filters.limit
    )
    return statement, params


def fts5_expression(query: Query) -> str:
    """The FTS5 MATCH expression: every term a quoted string, so user text is never syntax."""
    alternatives = []
    for group in query.alternatives:
        expression = " AND ".join(_fts5_term(t) for t in group if not t.negated)
        for term in (t for t in group if t.negated):
            expression = f"({expression}) NOT {_fts5_term(term)}"
        alternatives.append(f"({expression})")
    return " OR ".join(alternatives)


def _fts5_term(term: Term) -> str:
    quoted = '"' + term.text.replace('"', '""') + '"'
    return f"{quoted}*" if term.prefix else quoted


# -- PostgreSQL: tsvector -------------------------------------------------------------------


def _postgresql(query: Query, filters: SearchFilters) -> tuple[str, dict[str, Any]]:
    tsquery, params = tsquery_expression(query)
    where, filter_params = _filters(filters, "a")
    params.update(filter_params)
    statement = f"""
        WITH q AS (SELECT {tsquery} AS query),
        best AS (
            SELECT a.id, ts_rank_cd(a.search_vector, q.query) AS score
            FROM articles AS a, q
            WHERE a.search_vector @@ q.query{where}
            ORDER BY score DESC, a.id
            LIMIT :limit
        )
        SELECT a.site, a.article_id, a.title, a.kind, a.published_at, a.published_local,
               ts_headline('{_CONFIG}', a.body, q.query, :headline) AS snippet,
               best.score
        FROM best JOIN articles AS a ON a.id = best.id, q
        ORDER BY best.score DESC, a.id
    """
    params.update(
        limit=filters.limit,
        headline=_HEADLINE,
    )
    return statement, params


def tsquery_expression(query: Query) -> tuple[str, dict[str, Any]]:
    """A tsquery built from one bound parameter a term, combined with && || !!."""
    params: dict[str, Any] = {}
    alternatives = []
    for group in query.alternatives:
        parts = []
        for term in group:
            name = f"q{len(params)}"
            if term.phrase:
                part = f"phraseto_tsquery('{_CONFIG}', :{name})"
                params[name] = term.text
            elif term.prefix:
                part = f"to_tsquery('{_CONFIG}', :{name})"
                escaped = term.text.replace("\\", "\\\\").replace("'", "''")
                params[name] = f"'{escaped}':*"
            else:
                part = f"plainto_tsquery('{_CONFIG}', :{name})"
                params[name] = term.text
            parts.append(f"!!{part}" if term.negated else part)
        alternatives.append("(" + " && ".join(parts) + ")")
    return " || ".join(alternatives), params
