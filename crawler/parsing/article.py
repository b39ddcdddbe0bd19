"""An article page, as HTML text, to the archive's record.

`parse_article(html, url, profile)` is pure: the same page, URL and profile
always give the same record, so a fixed rule can be re-run over every stored
page (see ARTICLE-SCHEMA.md for the record and its normalisation rules).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.items import Article, Image, MaxLength
from crawler.parsing.dates import read_local_date
from crawler.parsing.kind import classify
from crawler.parsing.related import DUMP_PREFIX, extract_related
from crawler.parsing.text import normalise_text, strip_quote_artefact

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import datetime

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


def parse_article(
    html: str, url: str, profile: SiteProfile, *, fetched_at: datetime | None = None
) -> ParseResult:
    """The record of an article page; `fetched_at`, when known, rules out dates after it."""
    warnings: list[str] = []
    article_id = profile.article_id_from_url(url)
    if article_id is None:
        return ParseResult(None, "not_an_article_url", warnings)
    if not html.strip():
        return ParseResult(None, "empty_page", warnings)

    page = Selector(text=html, type="html")
    title = normalise_text(page.css(profile.title_selector).xpath("string()").get() or "")
    if not title:
        return ParseResult(None, "no_title", warnings)

    date_text = normalise_text(page.css(profile.date_selector).xpath("string()").get() or "")
    date = read_local_date(date_text, profile.date_formats, profile.zone, fetched_at=fetched_at)
    if date.warning:
        warnings.append(date.warning)

    desk_code = ""
    if profile.desk_code_selector:
        desk_code = normalise_text(
            page.css(profile.desk_code_selector).xpath("string()").get() or ""
        )
    containers = page.css(profile.body_selector)
    if containers:
        paragraphs = _body_paragraphs(containers[0], profile)
        images = _images(containers[0], url, profile, warnings)
    else:
        warnings.append(f"no_body: nothing matches {profile.body_selector!r}")
        paragraphs, images = [], []
    if not desk_code and paragraphs and profile.is_desk_code(paragraphs[-1].text):
        desk_code = paragraphs.pop().text

    related = extract_related(html, profile)
    warnings.extend(related.warnings)

    body = "\n\n".join(paragraph.text for paragraph in paragraphs)
    language = normalise_text(page.xpath("/html/@lang").get() or "") or profile.language
    published = date.value
    article = Article(
        site=profile.name,
        article_id=article_id,
        url=url,
        language=language,
        title=title,
        kind=classify(title, None, profile),
        published_at=published.utc.isoformat() if published else None,
        published_local=published.local.isoformat() if published else None,
        lead=paragraphs[0].text if paragraphs else None,
        body=body,
        subheadings=[p.text for p in paragraphs if p.is_subheading],
        desk_code=desk_code or None,
        images=images,
        related=related.links,
        related_complete=related.complete,
        word_count=len(body.split()),
        content_hash=content_hash(title, body),
    )
    return ParseResult(article, None, warnings)


def content_hash(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def _body_paragraphs(container: Selector, profile: SiteProfile) -> list[_Paragraph]:
    excluded = {node.root for css in profile.excluded_selectors for node in container.css(css)}
    paragraphs = []
    for raw, emphasised, tag in _blocks(container.root, excluded, profile.emphasis_tags):
        text = strip_quote_artefact(normalise_text(raw))
        if not text or DUMP_PREFIX.match(text):
            continue
        paragraphs.append(_Paragraph(text, tag in profile.subheading_tags or emphasised))
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
    container: Selector, url: str, profile: SiteProfile, warnings: list[str]
) -> list[Image]:
    blocks = {node.root for node in container.css(profile.image_block_selector)}
    images = []
    for img in container.css("img"):
        src = (img.attrib.get("src") or "").strip()
        if not src:
            warnings.append("image_without_src")
            continue
        absolute = urljoin(url, src)
        if urlsplit(absolute).scheme not in ("http", "https"):
            warnings.append(f"image_bad_url: {src[:80]!r}")
            continue
        images.append(Image(url=absolute, caption=_caption(img.root, blocks, profile)))
    return images


def _caption(img: HtmlElement, blocks: set[HtmlElement], profile: SiteProfile) -> str | None:
    block = next((node for node in img.iterancestors() if node in blocks), None)
    if block is None:
        return None
    text = Selector(root=block).css(profile.caption_selector).xpath("string()").get()
    return normalise_text(text or "") or None
