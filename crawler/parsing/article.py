"""An article page, as HTML text, to the archive's record.

`parse_article(html, url, profile)` is pure: the same page, URL and profile
always give the same record, so a fixed rule can be re-run over every stored
page (see ARTICLE-SCHEMA.md for the record and its normalisation rules).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlsplit

from parsel import Selector

from crawler.items import Article, Image, MaxLength
from crawler.parsing import extraction, nodes
from crawler.parsing.authors import people
from crawler.parsing.dates import PLAUSIBLE_DATES, PublishedTime, day_in_url, read_local_date
from crawler.parsing.kind import classify
from crawler.parsing.language import DETECTED, UNDETERMINED, bcp47, detect_language
from crawler.parsing.metadata import Found, PageMetadata, read_metadata
from crawler.parsing.related import DUMP_PREFIX, extract_related
from crawler.parsing.safe_values import safe_text
from crawler.parsing.text import normalise_text, strip_quote_artefact
from crawler.parsing.titles import choose_title, site_names_in_title
from crawler.parsing.urls import absolute_http_url, canonical_url
from crawler.parsing.written_dates import DateLocaleError, check_locale, search_written_day

if TYPE_CHECKING:
    from collections.abc import Iterator

    from lxml.html import HtmlElement

    from crawler.sites.profile import SiteProfile

# Elements that end one paragraph and may hold others (rule 2).
_BLOCK_TAGS = frozenset(
    (
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    )
)
# Elements whose text is not prose.
_SKIPPED_TAGS = frozenset(
    (
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "svg",
        "object",
        "button",
        "select",
    )
)


@dataclass
class ParseResult:
    article: Article | None
    drop_reason: Annotated[str, MaxLength(255)] | None = None
    """Why the page gives no record (for example ``no_title``); None when it does."""
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Paragraph:
    text: str
    is_subheading: bool


CSS = "css"
TEXT = "text"
URL = "url"
HTML = "html"
PROFILE = "profile"


def parse_article(
    html: str, url: str, profile: SiteProfile, *, fetched_at: datetime | None = None
) -> ParseResult:
    """The record of an article page; `fetched_at`, when known, rules out dates after it.

    Each field comes from the profile's rules first; a field with no rule, or
    whose rules find nothing, from the page's metadata (JSON-LD, then
    OpenGraph and ``article:*`` meta, then ``<title>``), the date at last from
    htmldate. The body is the exception: trafilatura first, JSON-LD's
    ``articleBody`` only when trafilatura finds none (the README's table of
    fallbacks gives every field's order). ``field_sources`` says where each
    field was found.
    """
    warnings: list[str] = []
    article_id = profile.article_id_from_url(url)
    if article_id is None:
        return ParseResult(None, "not_an_article_url", warnings)
    if not html.strip():
        return ParseResult(None, "empty_page", warnings)

    page = Selector(text=html, type="html")
    fallback = _Fallbacks(page, html, url, fetched_at)
    rules = profile.fields
    sources: dict[str, str] = {}

    title = _title(page, rules.title, fallback, sources, warnings)
    if not title:
        return ParseResult(None, "no_title", warnings)
    published = _published(page, profile, fallback, sources, warnings)

    desk_code = _first_text(page, rules.desk_code)
    paragraphs, images = _body(page, url, title, profile, fallback, sources, warnings)
    if not desk_code and paragraphs and profile.is_desk_code(paragraphs[-1].text):
        desk_code = paragraphs.pop().text
    if not images:
        images = _fallback_images(url, fallback, sources, warnings)
    body_text = " ".join(paragraph.text for paragraph in paragraphs)
    language = _language(page, profile, fallback, sources, title, body_text)
    authors = _authors(page, rules.authors, fallback, sources, language, title)

    related = extract_related(html, profile)
    warnings.extend(related.warnings)

    body = "\n\n".join(paragraph.text for paragraph in paragraphs)
    article = Article(
        site=profile.name,
        article_id=article_id,
        url=canonical_url(url),
        language=language,
        title=title,
        kind=classify(title, None, profile),
        published_at=published.published_at if published else None,
        published_local=published.published_local if published else None,
        lead=paragraphs[0].text if paragraphs else None,
        body=body,
        subheadings=[p.text for p in paragraphs if p.is_subheading],
        desk_code=desk_code or None,
        images=images,
        related=related.links,
        related_complete=related.complete,
        word_count=len(body.split()),
        content_hash=content_hash(title, body),
        authors=authors,
        field_sources=sources,
    )
    return ParseResult(article, None, warnings)


def content_hash(title: str, body: str) -> str:
    """The SHA-256 of title and body as the archive stores them.

    `make_safe` mends a record's text after the parse (NUL removed, lone
    surrogates replaced); hashing the text mended the same way keeps the hash
    that of the stored text, and a lone surrogate, which UTF-8 cannot encode,
    from costing the page its record.
    """
    return hashlib.sha256(safe_text(f"{title}\n\n{body}").encode()).hexdigest()


class _Fallbacks:
    """The page's metadata and the extraction libraries, each consulted at most once."""

    def __init__(self, page: Selector, html: str, url: str, fetched_at: datetime | None) -> None:
        self.page, self.html, self.url, self.fetched_at = page, html, url, fetched_at
        self._metadata: PageMetadata | None = None

    @property
    def metadata(self) -> PageMetadata:
        if self._metadata is None:
            self._metadata = read_metadata(self.page)
        return self._metadata


def _first_text(page: Selector, selectors: tuple[str, ...]) -> str:
    """The text of the first rule that finds any: its element's whole text, or an attribute."""
    for css in selectors:
        text = normalise_text(next(_rule_values(page, css), ""))
        if text:
            return text
    return ""


def _rule_values(page: Selector, css: str) -> Iterator[str]:
    """What a rule finds, match by match: the attribute a ``::attr(…)`` rule names, else
    the element's whole text (for a ``::text`` rule too, not only its own text nodes)."""
    attribute = "::attr(" in css
    for node in nodes.css(css.removesuffix("::text"))(page.root):
        yield str(node) if attribute else nodes.string(node)


def _missed(what: str, rules: tuple[str, ...], source: str, warnings: list[str]) -> None:
    """A field the profile has rules for came from a fallback: the layout may have changed."""
    if rules:
        warnings.append(f"{what}_rule_missed: nothing matches {rules[0]!r}; read from {source}")


def _title(
    page: Selector,
    rules: tuple[str, ...],
    fallback: _Fallbacks,
    sources: dict[str, str],
    warnings: list[str],
) -> str:
    title = _first_text(page, rules)
    if title:
        sources["title"] = CSS
        return title
    metadata = fallback.metadata
    tag_title = normalise_text(nodes.first(nodes.xpath("//title/text()")(page.root)) or "")
    # An <h1> may hold more than its headline (the site's logo link): its parts are candidates too.
    headings = [
        normalise_text(text) for text in page.xpath("//h1 | //h1/*").xpath("string()").getall()
    ]
    site_names = (metadata.site_name, metadata.publisher)
    found = choose_title(metadata.titles, tag_title, headings, site_names)
    if found is None:
        return ""
    sources["title"] = found.source
    _missed("title", rules, found.source, warnings)
    return str(found.value)


def _published(
    page: Selector,
    profile: SiteProfile,
    fallback: _Fallbacks,
    sources: dict[str, str],
    warnings: list[str],
) -> PublishedTime | None:
    """The first source that gives a date, in the README's order.

    The profile's rules; JSON-LD ``datePublished``; ``article:published_time``
    and plain meta; the publication ``<time>``; a date line in words of the
    page's language; htmldate (the visible text and markup); the day in the URL.
    A source that gives the instant only in UTC takes its local time from a
    later source that gives the same instant with the page's own offset.
    """
    rules = profile.fields
    fetched_at = fallback.fetched_at
    text = _first_text(page, rules.published)
    first_warning = None
    if text or rules.published:
        date = read_local_date(
            text,
            rules.date_formats,
            profile.zone,
            fetched_at=fetched_at,
            date_locale=rules.date_locale,
            calendar=rules.calendar,
        )
        if date.value is not None:
            sources["published"] = CSS
            if date.warning:
                warnings.append(date.warning)
            return date.value
        first_warning = date.warning
    found_dates = fallback.metadata.published
    for index, found in enumerate(found_dates):
        date = read_local_date(found.value, (), profile.zone, fetched_at=fetched_at)
        if date.value is not None:
            sources["published"] = found.source
            warnings.extend(w for w in (first_warning, date.warning) if w)
            return _with_page_offset(date.value, found, found_dates[index + 1 :], fetched_at)
        first_warning = first_warning or date.warning
    day, source = _day_in_text(page, profile, fallback), TEXT
    if day is None:
        day, source = extraction.publication_date(fallback.html, fetched_at), extraction.HTMLDATE
    if day is None:
        day, source = _day_in_url(fallback.url, fetched_at), URL
    if day is not None:
        sources["published"] = source
        if first_warning and first_warning != "no_date":
            warnings.append(first_warning)
        return PublishedTime(utc=None, local=day)
    warnings.append(first_warning or "no_date")
    return None


def _with_page_offset(
    value: PublishedTime, found: Found, later: list[Found], fetched_at: datetime | None
) -> PublishedTime:
    """`value`, read from `found`: with the page's own offset when `found` gave only UTC."""
    as_written = read_local_date(found.value, (), None, fetched_at=fetched_at).value
    if value.utc is None or as_written is None or _own_offset(as_written):
        return value
    for found in later:
        other = read_local_date(found.value, (), None, fetched_at=fetched_at).value
        if other is not None and other.utc == value.utc and _own_offset(other):
            return other
    return value


def _own_offset(value: PublishedTime) -> bool:
    """Whether the local time is in an offset of its own, not in UTC."""
    local = value.local
    return isinstance(local, datetime) and local.utcoffset() not in (None, timedelta(0))


def _day_in_url(url: str, fetched_at: datetime | None) -> date | None:
    return _plausible_day(day_in_url(url), fetched_at)


def _plausible_day(day: date | None, fetched_at: datetime | None) -> date | None:
    latest = (fetched_at or datetime.now(UTC)).date() + timedelta(days=1)
    return day if day is not None and PLAUSIBLE_DATES[0].date() <= day <= latest else None


# Elements a page writes its date line in: by class, id or itemprop, as CMSs name them.
_DATE_LINES = (
    "//*[not(self::script or self::style)][@itemprop='datePublished'"
    " or contains(translate(@class, 'DATEPUBLISHTIM', 'datepublishtim'), 'date')"
    " or contains(translate(@class, 'DATEPUBLISHTIM', 'datepublishtim'), 'publish')"
    " or contains(translate(@class, 'DATEPUBLISHTIM', 'datepublishtim'), 'time')"
    " or contains(translate(@id, 'DATEPUBLISHTIM', 'datepublishtim'), 'date')]"
)
_DATE_LINE_LENGTH = 120  # a longer text is a paragraph that mentions a date, not a date line
_DATE_LINES_READ = 20


def _day_in_text(page: Selector, profile: SiteProfile, fallback: _Fallbacks) -> date | None:
    """The day a date line of the page writes in words of the page's declared language.

    ``الثلاثاء، ١٦ آب ٢٠١٦``, ``16. August 2016``, ``2016年8月16日``: the
    month names are the language's (crawler.parsing.written_dates), which
    htmldate, reading English and numbers, does not know.
    """
    declared = _declared_language(page, profile, fallback)
    if declared is None:
        return None
    code = str(declared.value).replace("_", "-")
    try:
        check_locale(code)
    except DateLocaleError:
        return None
    for node in page.xpath(_DATE_LINES)[:_DATE_LINES_READ]:
        text = normalise_text(node.xpath("string()").get() or "")
        if 6 <= len(text) <= _DATE_LINE_LENGTH and any(char.isdigit() for char in text):
            day = _plausible_day(search_written_day(text, code), fallback.fetched_at)
            if day is not None:
                return day
    return None


def _body(
    page: Selector,
    url: str,
    title: str,
    profile: SiteProfile,
    fallback: _Fallbacks,
    sources: dict[str, str],
    warnings: list[str],
) -> tuple[list[_Paragraph], list[Image]]:
    rules = profile.fields
    images: list[Image] = []
    for css in rules.body:
        containers = nodes.css(css)(page.root)
        if containers:
            paragraphs = _body_paragraphs(containers[0], profile)
            images = _images(containers[0], url, profile, warnings)
            if images:
                sources["images"] = CSS
            if paragraphs:
                sources["body"] = CSS
                return paragraphs, images
            break
    paragraphs, source = _fallback_body(fallback, profile, title)
    if paragraphs:
        sources["body"] = source
        _missed("body", rules.body, source, warnings)
    elif rules.body:
        warnings.append(f"no_body: nothing matches {rules.body[0]!r}")
    else:
        warnings.append("no_body: no text found")
    return paragraphs, images


def _fallback_body(
    fallback: _Fallbacks, profile: SiteProfile, title: str
) -> tuple[list[_Paragraph], str]:
    """trafilatura's reading of the main text; JSON-LD's articleBody when it finds none."""
    extracted = [
        _Paragraph(text, heading)
        for raw, heading in extraction.body_paragraphs(fallback.html, fallback.url)
        if (text := _clean_paragraph(raw, profile))
    ]
    if extracted and extracted[0].text == title:
        extracted.pop(0)  # the headline, repeated above the text
    if extracted:
        return extracted, extraction.TRAFILATURA
    found = fallback.metadata.body
    if found is not None:
        lines = [_clean_paragraph(line, profile) for line in str(found.value).splitlines()]
        return [_Paragraph(line, False) for line in lines if line], found.source
    return [], ""


def _clean_paragraph(raw: str, profile: SiteProfile) -> str:
    text = normalise_text(raw)
    if profile.fields.quote_artefact:
        text = strip_quote_artefact(text)
    if profile.related.var_dump and DUMP_PREFIX.match(text):
        return ""
    return text


def _fallback_images(
    url: str, fallback: _Fallbacks, sources: dict[str, str], warnings: list[str]
) -> list[Image]:
    found = fallback.metadata.images
    if found is None:
        return []
    images = []
    for src in found.value:
        absolute = absolute_http_url(url, src)
        if absolute is not None:
            images.append(Image(url=absolute))
        else:
            warnings.append(f"image_bad_url: {src[:80]!r}")
    if images:
        sources["images"] = found.source
    return images


def _authors(
    page: Selector,
    rules: tuple[str, ...],
    fallback: _Fallbacks,
    sources: dict[str, str],
    language: str,
    title: str,
) -> list[str]:
    """The people of the byline: the profile's rules, the page's metadata, then trafilatura's
    (on a page whose body it read).

    The publisher is no person: its name is og:site_name, JSON-LD's publisher,
    or what the ``<title>`` holds besides the headline (``Headline - Site``).
    """
    metadata = fallback.metadata
    tag_title = normalise_text(nodes.first(nodes.xpath("//title/text()")(page.root)) or "")
    publishers = (metadata.site_name, metadata.publisher, *site_names_in_title(tag_title, title))
    host = urlsplit(fallback.url).hostname

    def split(bylines: list[str]) -> list[str]:
        return people(bylines, language, publishers, host)

    for css in rules:
        if names := split([normalise_text(value) for value in _rule_values(page, css)]):
            sources["authors"] = CSS
            return names
    found = metadata.authors
    if found is not None and (names := split(list(found.value))):
        sources["authors"] = found.source
        return names
    # trafilatura's byline costs a second reading of the page (its metadata, htmldate's
    # date): only for a page whose body trafilatura read, never for one a profile reads.
    if sources.get("body") != extraction.TRAFILATURA:
        return []
    if names := split(extraction.byline(fallback.html, fallback.url)):
        sources["authors"] = extraction.TRAFILATURA
        return names
    return []


def _language(
    page: Selector,
    profile: SiteProfile,
    fallback: _Fallbacks,
    sources: dict[str, str],
    title: str,
    body: str,
) -> str:
    """The language the page declares, else the profile's, else the one its text is in."""
    declared = _declared_language(page, profile, fallback)
    if declared is not None:
        sources["language"] = declared.source
        return bcp47(str(declared.value))
    detected = detect_language(title, body)
    if detected != UNDETERMINED:
        sources["language"] = DETECTED
    return detected


def _declared_language(page: Selector, profile: SiteProfile, fallback: _Fallbacks) -> Found | None:
    declared = normalise_text(nodes.first(nodes.xpath("/html/@lang")(page.root)) or "")
    if declared:
        return Found(declared, HTML)
    if fallback.metadata.language is not None:
        return fallback.metadata.language
    return Found(profile.language, PROFILE) if profile.language else None


_EMPHASIS_TAGS = ("strong", "b")


def _body_paragraphs(container: HtmlElement, profile: SiteProfile) -> list[_Paragraph]:
    rules = profile.fields
    excluded = {node for css in rules.exclude for node in nodes.css(css)(container)}
    emphasis = _EMPHASIS_TAGS if rules.bold_subheadings else ()
    paragraphs = []
    for raw, emphasised, tag in _blocks(container, excluded, emphasis):
        text = _clean_paragraph(raw, profile)
        if text:
            paragraphs.append(_Paragraph(text, tag in rules.subheading_tags or emphasised))
    return paragraphs


def _blocks(
    element: HtmlElement, excluded: set[HtmlElement], emphasis_tags: tuple[str, ...]
) -> Iterator[tuple[str, bool, str]]:
    """Each run of inline text, in document order: (text, wholly emphasised, block tag).

    A block's own text is split where a nested block starts, so text written
    straight into a container still counts as a paragraph of its own. The
    walk keeps its own stack: a page of blocks nested thousands deep is read,
    not a RecursionError.
    """
    # Each open block: the block, its children still to read, its inline pieces so far.
    stack = [(element, iter(element), [(element.text or "", False)])]
    while stack:
        block, children, pieces = stack[-1]
        for child in children:
            tag = child.tag if isinstance(child.tag, str) else None
            if tag is None or tag in _SKIPPED_TAGS or child in excluded:
                pass
            elif tag in _BLOCK_TAGS:
                yield from _flush(pieces, block.tag)
                pieces.clear()
                stack.append((child, iter(child), [(child.text or "", False)]))
                break  # the child's tail is added when the child is done
            elif tag == "br":
                pieces.append((" ", False))
            else:
                pieces.append((_inline_text(child, excluded), tag in emphasis_tags))
            pieces.append((child.tail or "", False))
        else:
            yield from _flush(pieces, block.tag)
            stack.pop()
            if stack:
                stack[-1][2].append((block.tail or "", False))


def _flush(pieces: list[tuple[str, bool]], tag: str) -> Iterator[tuple[str, bool, str]]:
    text = "".join(text for text, _ in pieces)
    if text.strip():
        visible = [emphasised for piece, emphasised in pieces if piece.strip()]
        yield text, all(visible), tag


def _inline_text(element: HtmlElement, excluded: set[HtmlElement]) -> str:
    """The text of an inline element and what it holds, in order (no recursion, as above)."""
    parts = [element.text or ""]
    # Each open element: its children still to read, and the tail to add once it is done.
    stack: list[tuple[Iterator[HtmlElement], str]] = [(iter(element), "")]
    while stack:
        children, tail = stack[-1]
        for child in children:
            tag = child.tag if isinstance(child.tag, str) else None
            if tag == "br":
                parts.append(" ")
            elif tag is not None and tag not in _SKIPPED_TAGS and child not in excluded:
                parts.append(child.text or "")
                stack.append((iter(child), child.tail or ""))
                break
            parts.append(child.tail or "")
        else:
            stack.pop()
            parts.append(tail)
    return "".join(parts)


def _images(
    container: HtmlElement, url: str, profile: SiteProfile, warnings: list[str]
) -> list[Image]:
    blocks = set(nodes.css(profile.fields.image_block)(container))
    images = []
    for img in nodes.css("img")(container):
        src = (img.get("src") or "").strip()
        if not src:
            warnings.append("image_without_src")
            continue
        absolute = absolute_http_url(url, src)
        if absolute is None:
            warnings.append(f"image_bad_url: {src[:80]!r}")
            continue
        images.append(Image(url=absolute, caption=_caption(img, blocks, profile)))
    return images


def _caption(img: HtmlElement, blocks: set[HtmlElement], profile: SiteProfile) -> str | None:
    block = next((node for node in img.iterancestors() if node in blocks), None)
    if block is None:
        return None
    text = next(nodes.strings(nodes.css(profile.fields.caption)(block)), None)
    return normalise_text(text or "") or None
