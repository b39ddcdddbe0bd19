"""An article as a reader sees it, inside Datasette: title, byline, times, images with their
captions, paragraphs, related articles.

Datasette's own row page lays a row out as one wide table, where a body of
a thousand words becomes a narrow column; this page reads like the article.
The template is Datasette's base page (navigation, footer, styles), so it
needs no template files. The article's own text (title, byline, paragraphs,
captions) carries its language and direction (`crawler.browsing.direction`):
an Arabic or Persian article reads from the right; the page's own words
(dates, links) stay as they are.

Images are shown from their original address: the archive keeps an image's
URL and caption, not the image.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from datasette import Response
from datasette.utils import tilde_encode

from crawler.browsing import times
from crawler.browsing.direction import text_direction
from crawler.browsing.paths import article_path, page_of, raw_page_path

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.utils.asgi import Request

TEMPLATE = """{% extends "base.html" %}
{% block title %}{{ article.title }}{% endblock %}
{% block extra_head %}{{ super() }}
<style>
/* Datasette sets text-align: left; text that reads from the right starts at the right. */
[dir] { text-align: start; }
.news-article { max-width: 44em; }
.news-article p { line-height: 1.55; }
.news-article .news-meta { color: #555; }
.news-article .news-lead { font-weight: bold; }
.news-article figure { margin: 1em 0; }
.news-article figure img { max-width: 100%; height: auto; display: block; }
.news-article figcaption { color: #444; font-size: 0.9em; margin-top: 0.3em; }
.news-article .news-related li { margin-bottom: 0.3em; }
</style>
{% endblock %}
{% block crumbs %}
{{ crumbs.nav(request=request, database=database, table="article_list") }}
{% endblock %}
{% block content %}
<article class="news-article">
<h1 lang="{{ language }}" dir="{{ dir }}">{{ article.title }}</h1>
{% if authors %}<p class="news-byline">By {% for author in authors -%}
<span class="news-author" lang="{{ language }}" dir="{{ dir }}">{{ author }}</span>
{%- if not loop.last %}{{ " and " if loop.revindex == 2 else ", " }}{% endif %}
{%- endfor %}</p>{% endif %}
<p class="news-meta">{{ article.site }}/{{ article.article_id }} · {{ article.kind }} ·
{% if published_local %}published {{ published_local }} (site time)
{%- if published_utc %}, {{ published_utc }}{% endif %}
{%- else %}undated{% endif %} · {{ article.word_count }} words · version {{ article.version }}</p>
<p class="news-meta"><a href="{{ article.url }}">original</a> ·
<a href="{{ raw_page_url }}">page as fetched</a> ·
<a href="{{ row_url }}">row</a> ·
<a href="{{ versions_url }}">versions</a></p>
{% for image in images %}<figure class="news-image">
<a href="{{ image.url }}"><img src="{{ image.url }}" alt="" loading="lazy"
referrerpolicy="no-referrer"></a>
{% if image.caption %}<figcaption lang="{{ language }}" dir="{{ dir }}">
{{- image.caption }}</figcaption>{% endif %}
</figure>
{% endfor %}
<div class="news-text" lang="{{ language }}" dir="{{ dir }}">
{% if lead %}<p class="news-lead">{{ lead }}</p>{% endif %}
{% for paragraph, is_subheading in paragraphs %}
{% if is_subheading %}<h3>{{ paragraph }}</h3>{% else %}<p>{{ paragraph }}</p>{% endif %}
{% endfor %}
</div>
{% if related %}<h2>Related</h2>
<ol class="news-related" start="0">
{% for item in related %}
<li>{% if item.url %}<a href="{{ item.url }}" dir="auto">{{ item.title }}</a>
{%- else %}{% if item.title %}<span dir="auto">{{ item.title }}</span> {% endif -%}
<span class="news-meta">({{ item.article_id }}, not archived)</span>{% endif %}</li>
{% endfor %}
</ol>{% endif %}
</article>
{% endblock %}
"""

ARTICLE = "select * from articles where site = ? and article_id = ?"
IMAGES = "select url, caption from images where article_pk = ? order by position"
# A target's own title when it is archived, else the title the source page listed for it.
RELATED = (
    "select l.target_id, coalesce(t.title, l.title) as title, t.id is not null "
    "as archived from related_links l left join articles t "
    "on t.site = ? and t.article_id = l.target_id where l.source_pk = ? order by l.position"
)


async def article_page(request: Request, datasette: Datasette) -> Response:
    page = await page_of(request, datasette, "articles")
    if isinstance(page, Response):
        return page
    database, db, site, article_id = page.database, page.db, page.site, page.article_id
    article = (await db.execute(ARTICLE, [site, article_id])).first()
    if article is None:
        return Response.text(f"{site}/{article_id} is not in the archive", status=404)
    related = (await db.execute(RELATED, [site, article["id"]])).rows
    images = (await db.execute(IMAGES, [article["id"]])).rows
    context = _context(datasette, database, article, related)
    context["images"] = [{"url": row["url"], "caption": row["caption"]} for row in images]
    template = datasette.jinja_env.from_string(TEMPLATE)
    return Response.html(await datasette.render_template(template, context, request=request))


def _context(datasette: Datasette, database: str, article: Any, related: list[Any]) -> dict:
    site, article_id = article["site"], article["article_id"]
    body = article["body"] or ""
    subheadings = set(_json_list(article["subheadings"]))
    lead = article["lead"]
    published_local = article["published_local"]  # a date without a time is shown as it is
    return {
        "database": database,
        "article": article,
        "language": article["language"] or "",
        "dir": text_direction(article["language"]),
        "authors": _json_list(article["authors"]),
        "published_local": times.site_time(published_local) or published_local,
        "published_utc": times.utc(article["published_at"]),
        "lead": lead if lead and not body.startswith(lead) else None,
        "paragraphs": [(p, p in subheadings) for p in body.split("\n\n") if p],
        "related": [
            {
                "article_id": row["target_id"],
                "title": row["title"],
                "url": datasette.urls.path(article_path(database, site, row["target_id"]))
                if row["archived"]
                else None,
            }
            for row in related
        ],
        "raw_page_url": datasette.urls.path(raw_page_path(database, site, article_id)),
        "row_url": datasette.urls.row(database, "articles", tilde_encode(str(article["id"]))),
        "versions_url": datasette.urls.table(database, "article_versions")
        + f"?article_pk={article['id']}",
    }


def _json_list(text: str | None) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
