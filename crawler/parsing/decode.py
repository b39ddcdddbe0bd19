"""Bytes to text, exactly as Scrapy decoded them when the page was fetched."""

from __future__ import annotations

from w3lib.encoding import html_to_unicode


def page_text(body: bytes, encoding: str) -> str:
    """Decode a stored body with the charset recorded at fetch time (a BOM still wins)."""
    return html_to_unicode(f"charset={encoding}", body)[1]
