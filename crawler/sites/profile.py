"""What the crawler knows of one site, as one declared record read from a TOML file.

Everything site-specific (URL template, selectors, date formats, time zone,
where the related-article list hides, which quirks of the site's text to
undo) lives in a `SiteProfile`, read and checked by `crawler.sites.loader`
from the site's file, so that correcting an assumption or adding a site never
means editing the spider or the parser. Each table of the file is one
dataclass here, with the same names; every option a site does not set is off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from crawler.items import ARTICLE_ID_MAX_LENGTH
from crawler.parsing.urls import canonical_path, iri_text, is_iri_text
from crawler.sites.patterns import ProfilePattern, compile_pattern

if TYPE_CHECKING:
    from datetime import timedelta
    from pathlib import Path

NUMBER = "number"
SLUG = "slug"
ID_KINDS = (NUMBER, SLUG)
KINDS = ("article", "photos", "video")
"""The kinds a record may have (ARTICLE-SCHEMA.md, rule 5)."""


@dataclass(frozen=True)
class ArticleRules:
    """``[article]``: how an id becomes a URL and a URL gives back its id."""

    url: str
    """Path template of an article page, with ``{id}`` for the article id."""
    id_pattern: str
    """Regular expression over a URL path; its first group is the article id (RE2 syntax)."""
    id_kind: str = SLUG
    """``number``: decimal digits, leading zeros dropped; ``slug``: a path-safe token, as is."""


@dataclass(frozen=True)
class FieldRules:
    """``[fields]``: CSS rules for the record's fields, each list tried in order."""

    title: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    date_formats: tuple[str, ...] = ()
    date_locale: str | None = None
    """BCP 47 code of the words in `published` (``%B %b %A %a %p``); None: strptime's English."""
    calendar: str = "gregorian"
    """Calendar of ``%Y %m %d`` in `published`: ``gregorian``, ``persian`` or ``islamic``."""
    body: tuple[str, ...] = ()
    """Containers of the body; the first that matches holds the paragraphs."""
    exclude: tuple[str, ...] = ()
    """Parts of the body that are not paragraphs (image blocks, desk code, adverts)."""
    authors: tuple[str, ...] = ()
    """Every match of the first rule that matches is one author."""
    image_block: str = "figure"
    caption: str = "figcaption"
    subheading_tags: tuple[str, ...] = ("h2", "h3", "h4", "h5", "h6")
    bold_subheadings: bool = False
    """A paragraph wholly in <strong> or <b> is a subheading."""
    quote_artefact: bool = False
    """Rule 3: ``"“…”"`` loses its outer straight quotes."""
    desk_code: tuple[str, ...] = ()
    desk_code_pattern: str | None = None
    """A last body paragraph matching this is the desk code, whatever its markup."""


@dataclass(frozen=True)
class EntryKeys:
    """Which key of a related-list entry holds which field of a related link."""

    id: str = "id"
    title: str = "title"
    url: str | None = None
    """A key holding the article's link, read for its id when the entry has no id."""
    sort: str | None = None
    content_type_id: str | None = None
    media: str | None = None


@dataclass(frozen=True)
class ScriptJson:
    """A related list inside JSON in a script element: where, and what its entries hold."""

    selector: str
    """CSS of the script element itself (tag, #id, .class, [attribute], [attribute=value])."""
    path: str = ""
    """Dotted path from the script's JSON to the list, e.g. ``props.pageProps.story.related``."""
    keys: EntryKeys = field(default_factory=EntryKeys)


@dataclass(frozen=True)
class RelatedRules:
    """``[related]``: where the related-article list hides. Every source is read."""

    var_dump: bool = False
    """A PHP var_dump printed into the page: ``string(N) "[…]"``."""
    script_vars: tuple[str, ...] = ()
    script_json: tuple[ScriptJson, ...] = ()
    attributes: tuple[str, ...] = ()
    shape: bool = True
    """Also any JavaScript array literal of objects that carry an id and a title."""
    keys: EntryKeys = field(default_factory=EntryKeys)
    """Entry keys for var_dump, script_vars, attributes and shape."""
    media_base: str | None = None
    """What a relative media path is resolved against (default: base_url)."""


@dataclass(frozen=True)
class KindRules:
    """``[kind]``: how a title or a media file marks photos or video (off by default)."""

    title_prefixes: tuple[tuple[str, str], ...] = ()
    video_media_suffixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProfileTest:
    """A saved page and the record (or the fields of it) it must give."""

    file: Path
    expect: Path
    url: str | None = None


@dataclass(frozen=True)
class Discovery:
    """Where a site announces its new articles: what ``-a start=latest`` reads.

    Sources are paths on the crawled site (a copy of the site serves them at
    the same paths); what they list becomes an article id only through the
    profile's `[article]` `id_pattern`, and a URL only through its `url` template.
    """

    feeds: tuple[str, ...] = ()
    """RSS 0.9x/1.0/2.0 or Atom feeds."""
    sitemaps: tuple[str, ...] = ()
    """Sitemaps or sitemap indexes (news sitemaps too), plain or gzip."""
    listings: tuple[str, ...] = ()
    """HTML pages that link to the newest articles."""
    front_pages: tuple[str, ...] = ()
    """Pages (the site's front page, ``/``) whose ``<link rel="alternate">`` RSS and Atom
    feeds are read as `feeds` are: how a site without a profile of its own is read."""
    listing_links: str = "a::attr(href)"
    """CSS selector of an article link on a listing page."""
    robots_sitemaps: bool = False
    """Also read the sitemaps that robots.txt names in its ``Sitemap:`` lines."""
    max_age_days: float = 2.0
    """Entries dated this long before the last run that read the sources are skipped.

    Counted back from the start of the site's last run that read discovery
    sources (from now on the first such run), so a cron job that was down a
    week still catches that week up. ``-a since=`` overrides it.
    """

    every: timedelta | None = None
    """How often the sources are read: `news-archive crawl --all` crawls the site once its
    last run started this long ago. None: ``--all`` leaves the site alone."""

    def __bool__(self) -> bool:
        return bool(
            self.feeds or self.sitemaps or self.listings or self.front_pages or self.robots_sitemaps
        )


@dataclass(frozen=True)
class SiteProfile:
    name: str
    base_url: str
    """Scheme and host of the live site, e.g. ``https://en.alalam.ir``."""
    article: ArticleRules
    language: str | None = None
    """BCP 47 code used when a page does not declare its language."""
    time_zone: str | None = None
    """IANA zone the page's dates are written in; None: times without an offset keep their date."""
    fields: FieldRules = field(default_factory=FieldRules)
    related: RelatedRules = field(default_factory=RelatedRules)
    kind: KindRules = field(default_factory=KindRules)
    discovery: Discovery = field(default_factory=Discovery)
    tests: tuple[ProfileTest, ...] = ()
    source: Path | None = field(default=None, compare=False)
    """The file the profile was read from."""

    @cached_property
    def zone(self) -> ZoneInfo | None:
        return ZoneInfo(self.time_zone) if self.time_zone else None

    @cached_property
    def _path_re(self) -> ProfilePattern:
        return compile_pattern(self.article.id_pattern)

    @cached_property
    def _desk_code_re(self) -> ProfilePattern | None:
        pattern = self.fields.desk_code_pattern
        return compile_pattern(pattern) if pattern else None

    @property
    def media_base(self) -> str:
        return self.related.media_base or self.base_url.rstrip("/") + "/"

    def is_desk_code(self, text: str) -> bool:
        return self._desk_code_re is not None and self._desk_code_re.fullmatch(text) is not None

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    def canonical_id(self, value: str) -> str | None:
        """An id as the archive keys it; None if `value` is not an id of this site.

        A slug in the archive's one form of a URL (crawler.parsing.urls): ``%D8%B4`` and
        ``ش`` are one id.
        """
        if self.article.id_kind == NUMBER:
            return canonical_id(value)
        # Only its escapes: "has space", "//host" or "../x" stay no id.
        slug = iri_text(value, encode=False)
        return slug if is_article_id(slug) else None

    def article_url(self, article_id: str, base_url: str | None = None) -> str:
        """The URL of an article: always built from the template, never taken from a page."""
        if self.canonical_id(article_id) != article_id:
            raise ValueError(f"not an article id of {self.name}: {article_id!r}")
        return urljoin(base_url or self.base_url, self.article.url.format(id=article_id))

    def article_id_from_url(self, url: str) -> str | None:
        """The id in `url`'s path, read in the archive's one form of a path (see canonical_id)."""
        match = self._path_re.match(canonical_path(urlsplit(url).path))
        return self.canonical_id(match.group(1)) if match else None


# An id is put into a URL path by the profile's template, so it may hold only
# what a path segment may (RFC 3986 pchar, and RFC 3987's characters of any
# script) and "/" between non-empty segments that are not "." or "..": it can
# never leave the path, nor the host.
_SEGMENT = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2}|[^\x00-\x7f])+"
_ID = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT})*/?")
_DOT_SEGMENT = re.compile(r"(?:^|/)\.\.?(?:/|$)")
_DIGITS = re.compile(r"[0-9]+")


def is_article_id(value: str) -> bool:
    """A well-formed article id of any site: bounded, and safe inside a URL path."""
    return (
        0 < len(value) <= ARTICLE_ID_MAX_LENGTH
        and _ID.fullmatch(value) is not None
        and _DOT_SEGMENT.search(value) is None
        and is_iri_text(value)
    )


def is_number_id(value: str) -> bool:
    """Decimal digits in canonical form (no leading zero): ids a bitmap can hold."""
    return _DIGITS.fullmatch(value) is not None and (value == "0" or value[0] != "0")


def canonical_id(value: str) -> str | None:
    """A number id as the archive keys it: digits without leading zeros; None if not one.

    ``0001851093`` and ``1851093`` name one article, so they must be one row.
    An id longer than the archive keeps is no id: it is never followed.
    """
    if _DIGITS.fullmatch(value) is None:
        return None
    canonical = value.lstrip("0") or "0"
    return canonical if len(canonical) <= ARTICLE_ID_MAX_LENGTH else None
