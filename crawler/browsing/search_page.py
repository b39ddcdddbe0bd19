"""The archive's search page in Datasette: the best matches first, narrowed by date, site, kind.

Datasette's own ``?_search=`` on a table filters rows and keeps the table's
order (newest first); this page ranks them as `news-archive search` does
(`crawler.browsing.ranking`), with a snippet of each, and counts the matches
by month (then day), site and kind, each count a link that narrows the
search. The query is typed as for `search`: words, "a phrase", prefix*, OR,
-word. ``/-/search/DB.json`` gives the same page as JSON.
"""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING, Any

import markupsafe
from datasette import Response
from datasette.database import QueryInterrupted
from datasette.utils import tilde_decode

from crawler.archive.search_query import QueryError
from crawler.browsing import ranking, times
from crawler.browsing.direction import text_direction
from crawler.browsing.metadata import is_archive
from crawler.browsing.paths import article_path, refusal, search_path

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.utils.asgi import Request

PAGE_SIZE = 50
NARROWING = ("site", "kind", "month", "day")
"""The search page's own parameters besides ``q`` and ``page``."""

TEMPLATE = """{% extends "base.html" %}
{% block title %}{% if q %}{{ q }}: {% endif %}search {{ database }}{% endblock %}
{% block extra_head %}{{ super() }}
<style>
/* Datasette sets text-align: left; text that reads from the right starts at the right. */
[dir] { text-align: start; }
.news-search input[type=search] { width: 60%; max-width: 36em; font-size: 1.1em; }
.news-results { max-width: 52em; padding-left: 2.5em; }
.news-results li { margin-bottom: 0.9em; }
.news-results .news-title { font-size: 1.1em; display: block; }
.news-results .news-meta { color: #555; font-size: 0.9em; }
.news-results .news-snippet { margin: 0.2em 0; }
.news-chosen a { margin-left: 0.3em; }
</style>
{% endblock %}
{% block crumbs %}
{{ crumbs.nav(request=request, database=database) }}
{% endblock %}
{% block content %}
<h1>Search the articles</h1>
<form class="news-search" action="{{ search_url }}" method="get">
<input type="search" name="q" value="{{ q }}" dir="auto" aria-label="Search">
{% for name, value in narrowed %}<input type="hidden" name="{{ name }}" value="{{ value }}">
{% endfor %}<input type="submit" value="Search">
</form>
<p class="news-meta">All the words, in title or body (stemmed: bomber finds bombers);
"a phrase", prefix*, Iran OR Russia, -not. Best matches first.</p>
{% if error %}<p class="message-error">{{ error }}</p>{% endif %}
{% if q and not error %}
<h2 class="news-count">{{ "{:,}".format(total) }} article{{ "" if total == 1 else "s" }}
match{{ "es" if total == 1 else "" }}, best first</h2>
{% if narrowed %}<p class="news-chosen">Narrowed to:
{% for name, value in narrowed %}{{ name }} {{ value }}<a href="{{ widen[name] }}"
title="remove">✖</a>{% if not loop.last %}, {% endif %}{% endfor %}</p>{% endif %}
<div class="facet-results">
{% for facet in facets %}
<div class="facet-info facet-{{ facet.name }}" data-facet="{{ facet.name }}">
<p class="facet-info-name"><strong>{{ facet.name }}</strong></p>
<ul class="tight-bullets">
{% for value in facet["values"] %}
<li>{% if value.url %}<a href="{{ value.url }}" data-facet-value="{{ value.value }}">
{{- value.label }}</a>
{%- else %}{{ value.label }}{% endif %} {{ "{:,}".format(value.count) }}</li>
{% endfor %}
</ul>
</div>
{% endfor %}
</div>
<ol class="news-results" start="{{ offset + 1 }}">
{% for row in rows %}
<li><a class="news-title" href="{{ row.path }}" lang="{{ row.language }}" dir="{{ row.dir }}">
{{- row.title }}</a>
<div class="news-meta">{{ row.site }}/{{ row.article_id }} · {{ row.kind }} ·
{% if row.shown_local %}{{ row.shown_local }} (site time){% else %}undated{% endif %}</div>
<p class="news-snippet" lang="{{ row.language }}" dir="{{ row.dir }}">
{{- row.snippet_html }}</p></li>
{% endfor %}
</ol>
<p>{% if previous_url %}<a href="{{ previous_url }}">← better matches</a>{% endif %}
{% if next_url %}<a href="{{ next_url }}">more matches →</a>{% endif %}</p>
<p class="news-meta"><a href="{{ table_url }}">These matches in the article list</a>, newest first,
with Datasette's filters, sorting and CSV.</p>
{% endif %}
{% endblock %}
"""


async def search_page(request: Request, datasette: Datasette) -> Response:
    database = tilde_decode(request.url_vars["database"])
    refused = await refusal(request, datasette, database, "articles")
    if refused is not None:
        return refused
    db = datasette.get_database(database)
    if not is_archive(set(await db.table_names())):
        return Response.text(f"{database} is not a news archive", status=404)
    q = request.args.get("q", "").strip()
    narrowed = [(name, v) for name in NARROWING if (v := request.args.get(name))]
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        return Response.text("page must be a whole number", status=400)
    context: dict[str, Any] = {
        "database": database,
        "q": q,
        "narrowed": narrowed,
        "search_url": datasette.urls.path(search_path(database)),
        "error": None,
        "offset": (page - 1) * PAGE_SIZE,
    }
    status = 200
    as_json = request.url_vars.get("format") == "json"
    if q:
        try:
            context.update(
                await _results(datasette, database, q, dict(narrowed), page, as_json=as_json)
            )
        except QueryError as error:
            context["error"], status = f"Nothing to search for: {error}", 400
        except QueryInterrupted:
            context["error"], status = "The search took too long and was stopped.", 400
    if as_json:
        return Response.json(_as_json(context), status=status)
    template = datasette.jinja_env.from_string(TEMPLATE)
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status)


async def _results(
    datasette: Datasette,
    database: str,
    q: str,
    narrowed: dict[str, str],
    page: int,
    *,
    as_json: bool,
) -> dict[str, Any]:
    """The page's matches, facets and links (to pages of the same format: HTML or JSON)."""
    db = datasette.get_database(database)
    match = ranking.match_expression(q)
    narrowing = ranking.Narrowing(**narrowed)
    offset = (page - 1) * PAGE_SIZE
    sql, params = ranking.ranked(match, narrowing, limit=PAGE_SIZE + 1, offset=offset)
    found = (await db.execute(sql, params)).rows
    more, found = len(found) > PAGE_SIZE, found[:PAGE_SIZE]
    snippets: dict[int, str] = {}
    if found:
        sql, params = ranking.snippets(match, [row["id"] for row in found])
        snippets = {row["id"]: row["snippet"] for row in (await db.execute(sql, params)).rows}
    total = (await db.execute(*ranking.counted(match, narrowing))).rows[0][0]
    here = datasette.urls.path(search_path(database)) + (".json" if as_json else "")

    def link(**changes: str | int | None) -> str:
        args = {"q": q, **narrowed, **changes}
        if "page" not in changes:
            args.pop("page", None)  # narrowing or widening starts again at the best
        kept = {name: value for name, value in args.items() if value not in (None, "")}
        return f"{here}?{urllib.parse.urlencode(kept)}"

    facets = []
    for name in ("month" if "month" not in narrowed else "day", "site", "kind"):
        if name in narrowed:
            continue
        counts = (await db.execute(*ranking.facet(match, narrowing, name))).rows
        values = [
            {
                "value": row["value"],
                "label": row["value"] if row["value"] is not None else "undated",
                "count": row["count"],
                "url": link(**{name: row["value"]}) if row["value"] is not None else None,
            }
            for row in counts
        ]
        facets.append({"name": "date" if name in ranking.DATE_FACETS else name, "values": values})
    rows = [_row(datasette, database, row, snippets.get(row["id"], "")) for row in found]
    table_args = {"_search": q, "_sort_desc": "published_utc", "_rank": "off"}
    table_args.update({n: v for n, v in narrowed.items() if n != "day"})
    return {
        "total": total,
        "rows": rows,
        "facets": facets,
        # A month let go lets its day go too.
        "widen": {name: link(**{name: None}, **_within(name)) for name in narrowed},
        "next_url": link(page=page + 1) if more else None,
        "previous_url": link(page=page - 1) if page > 1 else None,
        "table_url": datasette.urls.table(database, "article_list")
        + "?"
        + urllib.parse.urlencode(table_args),
    }


def _within(name: str) -> dict[str, None]:
    return {"day": None} if name == "month" else {}


def _row(datasette: Datasette, database: str, row: Any, snippet: str) -> dict[str, Any]:
    return {
        "site": row["site"],
        "article_id": row["article_id"],
        "title": row["title"],
        "kind": row["kind"],
        "language": row["language"],
        "dir": text_direction(row["language"]),
        "published_local": row["published_local"],
        "published_at": row["published_at"],
        "shown_local": times.site_time(row["published_local"]) or row["published_local"],
        "score": row["score"],
        "snippet": " ".join(snippet.replace(ranking.SNIPPET_START, "").split()).replace(
            ranking.SNIPPET_END, ""
        ),
        "snippet_html": _marked(snippet),
        "path": datasette.urls.path(article_path(database, row["site"], row["article_id"])),
    }


def _marked(snippet: str) -> markupsafe.Markup:
    """The snippet as HTML, its matched words in ``<mark>``; every other character escaped."""
    text = " ".join(snippet.split())
    html = markupsafe.Markup("")
    for i, part in enumerate(text.split(ranking.SNIPPET_START)):
        if i == 0:
            html += part.replace(ranking.SNIPPET_END, "")
            continue
        marked, _, rest = part.partition(ranking.SNIPPET_END)
        html += markupsafe.Markup("<mark>{}</mark>{}").format(marked, rest)
    return html


def _as_json(context: dict[str, Any]) -> dict[str, Any]:
    rows = [
        {
            key: value
            for key, value in row.items()
            if key not in ("snippet_html", "dir", "shown_local")
        }
        for row in context.get("rows", [])
    ]
    return {
        "database": context["database"],
        "q": context["q"],
        "narrowed": dict(context["narrowed"]),
        "error": context["error"],
        "total": context.get("total"),
        "offset": context["offset"],
        "rows": rows,
        "facets": {
            facet["name"]: [{"value": v["value"], "count": v["count"]} for v in facet["values"]]
            for facet in context.get("facets", [])
        },
        "next_url": context.get("next_url"),
    }
