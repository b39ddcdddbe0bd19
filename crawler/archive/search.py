"""Full-text search with each database's own engine: SQLite FTS5, PostgreSQL tsvector.

Both index the same normalised text (`search_text`: each article's title
and body as its language reads them) and get the same parsed query, each
word in the forms `search_text.query_forms` gives it (any of which may
match). They rank (BM25 with the title weighted over the body; `ts_rank_cd`
on weighted vectors) and give a snippet of the best passage, with matches
between `MARK_START` and `MARK_END`: the engine's own (FTS5's `snippet`,
`ts_headline`) where the index reads the article's text as it is (most
English), else one cut from the article's own text by `search_snippet`,
since the engine's would show the normalised text. User text only ever
reaches the database as bound parameters.

On PostgreSQL a search runs with a statement timeout: the server stops it
by itself, so that a search whose client has gone (a closed terminal, a
killed script) does not run on for as long as it likes. (A SQLite search
runs inside its client's process and ends with it.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Float, String, Text, bindparam, text
from sqlalchemy.exc import OperationalError

from crawler.archive.models import UTCDateTime
from crawler.archive.search_query import QueryError, parse_query
from crawler.archive.search_snippet import query_keys, snippet
from crawler.archive.search_text import fold, query_forms

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
# Latin-script words are stemmed as English, as before; Arabic and Persian words come
# stemmed by `search_text`, and this configuration leaves their script as it is.
_CONFIG = "english"
_WORDLIKE = re.compile(r"\w")
_HEADLINE = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, MaxFragments=1"
# The index reads the article's text as it is: the engine's snippet shows it.
_AS_WRITTEN = "a.search_title IS NULL AND a.search_body IS NULL"


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
            language=String,
            body=Text,
            score=Float,
        )
    )
    words, prefixes = _snippet_keys(query)
    try:
        rows = list(conn.execute(typed, params))
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) == _QUERY_CANCELED:
            raise SearchTimeout(
                f"the search ran longer than {timeout:g} s and was stopped"
            ) from None
        raise
    hits = []
    for row in rows:
        values = dict(row._mapping)
        body, language = values.pop("body"), values.pop("language")
        if body is not None:  # the index reads a normalised text: cut from the text itself
            marks = (MARK_START, MARK_END)
            values["snippet"] = snippet(values["title"], body, language, words, prefixes, marks)
        # Paragraphs run together in one line.
        hits.append(SearchHit(**values | {"snippet": " ".join(values["snippet"].split())}))
    return hits


def term_forms(term: Term) -> list[str]:
    """The texts a term is searched as: its forms for each language's reading of it."""
    forms = query_forms(term.text)
    if term.prefix:  # a word's beginning is no word to stem: its folded letters too
        forms = list(dict.fromkeys([*forms, fold(term.text)]))
    return [form for form in forms if _WORDLIKE.search(form)] or [term.text]


def _snippet_keys(query: Query) -> tuple[set[str], set[str]]:
    words: set[str] = set()
    prefixes: set[str] = set()
    for group in query.alternatives:
        for term in group:
            if not term.negated:
                forms = term_forms(term)
                (prefixes if term.prefix else words).update(query_keys(forms, prefix=term.prefix))
    return words, prefixes


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

FTS_TABLE = "articles_fts"
"""The FTS5 index over each article's normalised title and body (migration 0011)."""
FTS_RANK = f"bm25({FTS_TABLE}, 4.0, 1.0)"
"""A match's rank, lower is better: the title weighs four times the body."""


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
            SELECT articles_fts.rowid AS id, {FTS_RANK} AS rank
            FROM {source}
            WHERE articles_fts MATCH :match{where}
            ORDER BY rank, articles_fts.rowid
            LIMIT :limit
        )
        SELECT a.site, a.article_id, a.title, a.kind, a.published_at, a.published_local,
               CASE WHEN {_AS_WRITTEN} THEN
                   snippet(articles_fts, -1, :mark_start, :mark_end, '…', 24) END AS snippet,
               a.language, CASE WHEN {_AS_WRITTEN} THEN NULL ELSE a.body END AS body,
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


def fts5_match(text: str) -> str:
    """What a researcher typed (Datasette's ``?_search=``), as `search` reads it, for MATCH."""
    try:
        return fts5_expression(parse_query(text))
    except QueryError:  # nothing to find: every word as a string, as Datasette quotes it
        return " ".join('"' + word.replace('"', '""') + '"' for word in text.split()) or '""'


def _fts5_term(term: Term) -> str:
    strings = []
    for form in term_forms(term):
        quoted = '"' + form.replace('"', '""') + '"'
        strings.append(f"{quoted}*" if term.prefix else quoted)
    return strings[0] if len(strings) == 1 else "(" + " OR ".join(strings) + ")"


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
               CASE WHEN {_AS_WRITTEN} THEN
                   ts_headline('{_CONFIG}', a.body, q.query, :headline) END AS snippet,
               a.language, CASE WHEN {_AS_WRITTEN} THEN NULL ELSE a.body END AS body,
               best.score
        FROM best JOIN articles AS a ON a.id = best.id, q
        ORDER BY best.score DESC, a.id
    """
    params.update(limit=filters.limit, headline=_HEADLINE)
    return statement, params


def tsquery_expression(query: Query) -> tuple[str, dict[str, Any]]:
    """A tsquery built from one bound parameter a term, combined with && || !!."""
    params: dict[str, Any] = {}
    alternatives = []
    for group in query.alternatives:
        parts = []
        for term in group:
            forms = [_tsquery_form(term, form, params) for form in term_forms(term)]
            part = forms[0] if len(forms) == 1 else "(" + " || ".join(forms) + ")"
            parts.append(f"!!{part}" if term.negated else part)
        alternatives.append("(" + " && ".join(parts) + ")")
    return " || ".join(alternatives), params


def _tsquery_form(term: Term, form: str, params: dict[str, Any]) -> str:
    name = f"q{len(params)}"
    if term.phrase:
        params[name] = form
        return f"phraseto_tsquery('{_CONFIG}', :{name})"
    if term.prefix:
        escaped = form.replace("\\", "\\\\").replace("'", "''")
        params[name] = f"'{escaped}':*"
        return f"to_tsquery('{_CONFIG}', :{name})"
    params[name] = form
    return f"plainto_tsquery('{_CONFIG}', :{name})"
