"""A fetched page, as the archive stores it, to its parse result: the record's boundary.

Crawls and re-parses both come through here, so this is where a record is
made safe for the archive (crawler.parsing.safe_values) and where a page the parser
cannot read becomes a drop reason instead of an error that fails its batch.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from crawler.parsing.article import ParseResult, parse_article
from crawler.parsing.decode import page_text
from crawler.parsing.safe_values import InvalidRecord, make_safe

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from crawler.items import FetchedPage
    from crawler.sites.profile import SiteProfile

logger = logging.getLogger(__name__)


def parse_fetched(page: FetchedPage, profile: SiteProfile) -> ParseResult:
    """Decode with the charset recorded at fetch time, parse with the page's site profile.

    Every value of the page and of its record is made storable; an error of
    any kind in the parser (RecursionError included) drops the page with the
    reason ``parser_error: …``, its raw HTML kept for a re-parse by a fixed parser.
    """
    try:
        page_warnings = make_safe(page)
    except InvalidRecord as invalid:
        return ParseResult(None, str(invalid)[:200])
    try:
        result = parse_article(
            page_text(page.body, page.encoding),
            page.url,
            profile,
            fetched_at=datetime.fromisoformat(page.fetched_at),
        )
    except Exception as error:
        logger.warning("%s/%s: the parser failed: %r", page.site, page.article_id, error)
        result = ParseResult(None, f"parser_error: {type(error).__name__}: {error}"[:200])
    # What the fetch itself noticed comes first.
    result.warnings[:0] = [*page.warnings, *page_warnings]
    try:
        result.warnings += make_safe(result)
    except InvalidRecord as invalid:
        result = ParseResult(None, str(invalid)[:200], result.warnings)
    return result


def parse_pages(
    pages: Sequence[FetchedPage], profiles: Mapping[str, SiteProfile]
) -> list[ParseResult]:
    """Each page parsed with its site's profile: a re-parse's batch, in a process of its own.

    Here, not beside the re-parse, so that such a process imports the parser alone.
    """
    return [parse_fetched(page, profiles[page.site]) for page in pages]
