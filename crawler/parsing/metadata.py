"""What a page says about itself for machines: JSON-LD, OpenGraph and ``article:*`` meta.

These are the first fallbacks of every field a profile's rules do not find
(see `crawler.parsing.article`): nearly every news site publishes them for
search engines and social networks, whatever its visible markup.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crawler.parsing.jsondata import load_json
from crawler.parsing.text import normalise_text

if TYPE_CHECKING:
    from parsel import Selector

ARTICLE_TYPES = frozenset(
    (
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
    )
)
JSON_LD = "json-ld"
OPENGRAPH = "opengraph"
META = "meta"
TIME = "time"
REL_AUTHOR = "rel-author"

# Publication dates in plain meta tags, as common CMSs write them (itemprop included).
_DATE_META = (
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "date",
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass
class Found:
    """A value and where it was found."""

    value: Any
    source: str


@dataclass
class PageMetadata:
    titles: list[Found] = field(default_factory=list)
    published: list[Found] = field(default_factory=list)
    """Date texts, best first (ISO 8601 as the page gives them): JSON-LD, meta, then <time>."""
    body: Found | None = None
    authors: Found | None = None
    images: Found | None = None
    language: Found | None = None
    site_name: str | None = None
    publisher: str | None = None
    """JSON-LD ``publisher``'s name: the site, not an author of it."""


def read_metadata(page: Selector) -> PageMetadata:
    """JSON-LD's article first, then OpenGraph and ``article:*`` meta, field by field."""
    found = PageMetadata()
    article = json_ld_article(page)
    meta = _meta(page)
    if article is not None:
        _from_json_ld(article, found)
    if title := normalise_text(meta.get("og:title", "")):
        found.titles.append(Found(title, OPENGRAPH))
    if published := meta.get("article:published_time", "").strip():
        found.published.append(Found(published, OPENGRAPH))
    for key in _DATE_META:
        if published := meta.get(key, "").strip():
            found.published.append(Found(published, META))
            break
    if published := _time_element(page):
        found.published.append(Found(published, TIME))
    if found.authors is None and (linked := _rel_authors(page)):
        found.authors = Found(linked, REL_AUTHOR)
    if found.authors is None:
        names = [
            name
            for key in ("author", "article:author")
            for name in [normalise_text(meta.get(key, ""))]
            if name and not name.startswith(("http://", "https://"))
        ]
        if names:
            found.authors = Found([names[0]], META if meta.get("author") else OPENGRAPH)
    if found.images is None and (image := meta.get("og:image", "").strip()):
        found.images = Found([image], OPENGRAPH)
    if found.language is None and (locale := meta.get("og:locale", "").strip()):
        found.language = Found(locale.replace("_", "-"), OPENGRAPH)
    found.site_name = normalise_text(meta.get("og:site_name", "")) or None
    return found


_PUBLISHED_TIME = (
    "//time[@datetime][@itemprop='datePublished' or @pubdate"
    " or contains(@class, 'publish') or contains(@class, 'posted')]/@datetime"
)


def _rel_authors(page: Selector) -> list[str]:
    """The names of the page's ``<a rel="author">`` links (their text, not their URL)."""
    names: list[str] = []
    links = page.xpath("//a[contains(concat(' ', normalize-space(@rel), ' '), ' author ')]")
    for name in links.xpath("string()").getall():
        text = normalise_text(name)
        if text and text not in names:
            names.append(text)
    return names


def _time_element(page: Selector) -> str:
    """The ``datetime`` of the page's publication ``<time>``.

    One marked as such (``itemprop=datePublished``, ``pubdate``, a class
    saying so); else the first in the ``<article>``; else the page's only one.
    A page's other ``<time>``s date its related stories and comments.
    """
    marked = page.xpath(_PUBLISHED_TIME).get()
    if marked and marked.strip():
        return marked.strip()
    in_article = page.xpath("(//article//time[@datetime])[1]/@datetime").get()
    if in_article and in_article.strip():
        return in_article.strip()
    every = page.xpath("//time[@datetime]/@datetime").getall()
    return every[0].strip() if len(every) == 1 else ""


def json_ld_article(page: Selector) -> dict[str, Any] | None:
    """The page's first JSON-LD object of an article type, ``@graph`` included."""
    for script in page.xpath(
        "//script[translate(@type, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
        " = 'application/ld+json']/text()"
    ).getall():
        try:
            data = load_json(_CONTROL.sub(" ", script.strip()), strict=False)
        except ValueError:
            continue
        for item in _objects(data):
            types = item.get("@type")
            names = {types} if isinstance(types, str) else set(types or ())
            if names & ARTICLE_TYPES:
                return item
    return None


def _objects(data: Any) -> list[dict[str, Any]]:
    """Every object at the top of a JSON-LD document: lists and ``@graph`` flattened.

    The walk keeps its own stack: lists nested as deep as the decoder follows
    are read, not a RecursionError that would drop the page.
    """
    objects: list[dict[str, Any]] = []
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            objects.append(item)
            if "@graph" in item:
                stack.append(item["@graph"])
    return objects


def _from_json_ld(article: dict[str, Any], found: PageMetadata) -> None:
    for key in ("headline", "name"):
        if title := _text(article.get(key)):
            found.titles.append(Found(title, JSON_LD))
            break
    if published := _text(article.get("datePublished")):
        found.published.append(Found(published, JSON_LD))
    body = article.get("articleBody")
    if isinstance(body, str) and body.strip():
        found.body = Found(html.unescape(body), JSON_LD)  # entities decoded once, as _text
    if authors := _names(article.get("author")):
        found.authors = Found(authors, JSON_LD)
    if images := _urls(article.get("image")):
        found.images = Found(images, JSON_LD)
    if language := _text(article.get("inLanguage")):
        found.language = Found(language, JSON_LD)
    publisher = article.get("publisher")
    if isinstance(publisher, list) and publisher:
        publisher = publisher[0]
    if isinstance(publisher, dict):
        found.publisher = _text(publisher.get("name")) or None


def _text(value: Any) -> str:
    """A JSON-LD string as text: its HTML entities decoded, once.

    JSON-LD sits in a script element, whose text the HTML parser leaves as
    written, yet CMSs write it with entities (``zerst&ouml;ren``,
    ``&#8217;``) as they do the rest of the page.
    """
    if isinstance(value, list) and value:
        value = value[0]
    return normalise_text(html.unescape(value)) if isinstance(value, str) else ""


def _names(value: Any) -> list[str]:
    """Authors as JSON-LD gives them: a name, a Person or Organization, or a list of those."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        if isinstance(name, list) and name:
            name = name[0]
        if not name and isinstance(item, dict):  # a Person given by its parts
            name = " ".join(_text(item.get(key)) for key in ("givenName", "familyName")).strip()
        text = _text(name)
        if text and not text.startswith(("http://", "https://")) and text not in names:
            names.append(text)
    return names


def _urls(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    urls: list[str] = []
    for item in items:
        url = item.get("url") or item.get("contentUrl") if isinstance(item, dict) else item
        if isinstance(url, str) and url.strip() and url.strip() not in urls:
            urls.append(url.strip())
    return urls


def _meta(page: Selector) -> dict[str, str]:
    """``<meta property|name=… content=…>``, the first of each name, names lower-cased."""
    values: dict[str, str] = {}
    for node in page.xpath("//meta[@content]"):
        attributes = node.attrib
        key = attributes.get("property") or attributes.get("name") or attributes.get("itemprop")
        key = (key or "").strip().lower()
        if key and key not in values:
            values[key] = attributes["content"]
        itemprop = (attributes.get("itemprop") or "").strip().lower()
        if itemprop and itemprop not in values:
            values[itemprop] = attributes["content"]
    return values
