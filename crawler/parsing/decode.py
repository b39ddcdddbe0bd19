"""Bytes to text, exactly as Scrapy decoded them when the page was fetched."""

from __future__ import annotations

from w3lib.encoding import html_to_unicode


def page_text(body: bytes, encoding: str) -> str:
    """Decode a stored body with the charset recorded at fetch time (a BOM still wins)."""
    return html_to_unicode(f"charset={encoding}", body)[1]


def served_text(body: bytes, encoding: str | None, content_type: str | None) -> str:
    """A page's text: in the charset it was read with, else as its headers and ``<meta>`` say.

    A capture records the charset the crawl decoded it with; one that does not
    (a capture the parser never read) is decoded as a browser would: BOM, then
    the ``Content-Type`` header, then the page's own ``<meta>``, then UTF-8.
    """
    if encoding:
        return page_text(body, encoding)
    return html_to_unicode(content_type or "", body)[1]
