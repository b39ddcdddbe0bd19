"""A fetched page, as the archive stores it, to its parse result."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from crawler.parsing.article import ParseResult, parse_article
from crawler.parsing.decode import page_text

if TYPE_CHECKING:
    from crawler.items import FetchedPage
    from crawler.sites.profile import SiteProfile


def parse_fetched(page: FetchedPage, profile: SiteProfile) -> ParseResult:
    """Decode with the charset recorded at fetch time, parse with the page's site profile."""
    result = parse_article(
        page_text(page.body, page.encoding),
        page.url,
        profile,
        fetched_at=datetime.fromisoformat(page.fetched_at),
    )
    result.warnings[:0] = page.warnings  # what the fetch itself noticed comes first
    return result
