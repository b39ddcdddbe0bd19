"""The last fallbacks: the body from trafilatura, the date from htmldate.

Both are well-kept extraction libraries (pinned in pyproject.toml) and both
cost far more than a profile's rules (see ``make bench``), so they run only
when the rules and the page's metadata found nothing, and in the archive
worker, never on the crawl's core. They are imported on first use.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from html import unescape
from typing import TYPE_CHECKING

from lxml import etree

from crawler.parsing.text import normalise_text

if TYPE_CHECKING:
    from collections.abc import Iterator

TRAFILATURA = "trafilatura"
HTMLDATE = "htmldate"
# trafilatura's XML: paragraphs, headings, list items, quotes, code.
_BLOCKS = frozenset(("p", "head", "item", "quote", "code", "cell"))


def body_paragraphs(html: str, url: str | None) -> list[tuple[str, bool]]:
    """The main text as (paragraph, is a heading) pairs, in order; empty if none is found."""
    import trafilatura

    xml = trafilatura.extract(
        html,
        url=url,
        output_format="xml",
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        with_metadata=False,
        deduplicate=False,
        # Measured on the real pages in tests/fixtures/real_pages: precision keeps
        # comment rules, share buttons and "more stories" lists out of news bodies.
        favor_precision=True,
    )
    if not xml:
        return []
    try:
        main = etree.fromstring(xml.encode()).find("main")
    except etree.XMLSyntaxError:
        return []
    if main is None:
        return []
    rejoin = _joined_words(html)
    paragraphs = []
    for block in _leaf_blocks(main):
        text = normalise_text("".join(block.itertext()))
        if text and rejoin:
            text = _WORD.sub(lambda word: rejoin.get(word.group(), word.group()), text)
        if text:
            paragraphs.append((text, block.tag == "head"))
    return paragraphs


# trafilatura drops the characters Python does not call printable, the ZWNJ and ZWJ among
# them: Persian رئیس‌جمهور would come back as رئیسجمهور. Each word the page writes with a
# joiner, and never without, gets it back.
_JOINED_WORD = re.compile(r"\w+(?:[\u200c\u200d]+\w+)+")
_WORD = re.compile(r"\w+")


def _joined_words(html: str) -> dict[str, str]:
    if "\u200c" not in html and "\u200d" not in html and "&zwnj;" not in html:
        return {}
    text = unescape(html)
    joined: dict[str, str] = {}
    for word in _JOINED_WORD.findall(text):
        joined.setdefault(word.replace("\u200c", "").replace("\u200d", ""), word)
    bare = {word for word in _WORD.findall(text) if word in joined}
    return {plain: word for plain, word in joined.items() if plain not in bare}


def _leaf_blocks(element: etree._Element) -> Iterator[etree._Element]:
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag in _BLOCKS and not any(
            isinstance(d.tag, str) and d.tag in _BLOCKS for d in child.iterdescendants()
        ):
            yield child
        else:
            yield from _leaf_blocks(child)


def byline(html: str, url: str | None) -> list[str]:
    """The authors trafilatura reads in the page's markup, as it joins them (``A; B``), split."""
    from trafilatura.metadata import extract_metadata

    try:
        found = extract_metadata(html, default_url=url)
    except ValueError:  # markup lxml cannot build a tree of
        return []
    author = found.author if found is not None else None
    return [name for name in (author or "").split("; ") if name.strip()]


def publication_date(html: str, fetched_at: datetime | None) -> date | None:
    """The publication date htmldate finds in the page's markup and text (a day: it gives no time).

    Not in its URL: htmldate would read that first, and the day an article's
    URL is filed under comes last (crawler.parsing.article), as "url".

    Never a day after `fetched_at` (or today): htmldate's ``max_date`` leaves
    every later date out, so callers need not check again.
    """
    from htmldate import find_date

    found = find_date(
        html,
        url="",  # not None: htmldate would read the canonical link's URL
        extensive_search=False,
        original_date=True,
        outputformat="%Y-%m-%d",
        max_date=(fetched_at or datetime.now()).strftime("%Y-%m-%d"),
    )
    if not found:
        return None
    try:
        return date.fromisoformat(found)
    except ValueError:
        return None
