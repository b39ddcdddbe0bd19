"""An archivist's word over the gate's: a held capture made a version by hand.

A retraction notice that really replaced an article is news; the gate held it
(its date gone, its layout another), and the archivist accepts it:
``news-archive captures ID --accept N``. The capture is read again with the
site's profile and stored as a re-parse is, without the gate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from crawler.archive.payloads import DatabasePayloads
from crawler.archive.rows import CAPTURES, page_of_capture
from crawler.archive.save import ParsedPage
from crawler.parsing.fetched import parse_fetched
from crawler.sites import get_profile

if TYPE_CHECKING:
    from crawler.archive.save import SaveOutcome
    from crawler.archive.store import ArchiveStore
    from crawler.sites.profile import SiteProfile


class NotAcceptable(ValueError):
    """The capture cannot be made a version: not there, not held, or no article in it."""


def accept_capture(
    store: ArchiveStore,
    site: str,
    article_id: str,
    number: int,
    profile: SiteProfile | None = None,
) -> SaveOutcome:
    """Make the article's `number`-th capture (1 the oldest, as `captures ID` lists them),
    held by the gate, a version of it; what the save made of it."""
    payloads = DatabasePayloads()
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(CAPTURES)
            .where(CAPTURES.c.site == site, CAPTURES.c.article_id == article_id)
            .order_by(CAPTURES.c.fetched_at, CAPTURES.c.id)
        ).all()
        if not 1 <= number <= len(rows):
            raise NotAcceptable(
                f"{site}/{article_id} has {len(rows)} captures; there is no capture {number}"
            )
        row = rows[number - 1]
        if row.outcome != "held":
            raise NotAcceptable(
                f"capture {number} of {site}/{article_id} is {row.outcome}, not held: "
                "only a held capture is accepted"
            )
        body = payloads.get(conn, row.payload_digest) if row.payload_digest else None
    if body is None:
        raise NotAcceptable(f"capture {number} of {site}/{article_id} has no body kept")
    page = page_of_capture(row, body)
    result = parse_fetched(page, profile or get_profile(site))
    if result.article is None:
        raise NotAcceptable(
            f"capture {number} of {site}/{article_id} gives no article: {result.drop_reason}"
        )
    [outcome] = store.save([ParsedPage(page, result)], reparse=True)
    return outcome
