"""What a revisit asks the server with: the validators of the page as the archive keeps it.

The capture read is the last one the archive accepted for the article (it
gave or confirmed the current text): never a held capture, whose validators
would make a server's 304 confirm a page the archive refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, or_, select

from crawler.archive.rows import ARTICLES, CAPTURES, LINKS

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

ACCEPTED = ("new", "version", "unchanged")
"""Outcomes of a capture whose body is the article's text as archived."""


@dataclass(frozen=True)
class Validators:
    capture_id: int
    etag: str | None
    last_modified: str | None

    def headers(self) -> dict[str, str]:
        """The conditional request's headers (RFC 9110 13.1): If-None-Match wins where both are."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


_LAST_ACCEPTED = (
    select(CAPTURES.c.id, CAPTURES.c.etag, CAPTURES.c.last_modified)
    .where(
        CAPTURES.c.site == bindparam("site"),
        CAPTURES.c.article_id == bindparam("article_id"),
        CAPTURES.c.outcome.in_(ACCEPTED),
    )
    .order_by(CAPTURES.c.fetched_at.desc(), CAPTURES.c.id.desc())
    .limit(1)
)


def validators_of(engine: Engine, site: str, article_id: str) -> Validators | None:
    """The validators of the article's last accepted capture, if it had any.

    One indexed query (captures by site, article and time), built once, so that
    what a run holds in memory does not grow with the archive.
    """
    with engine.connect() as conn:
        row = conn.execute(_LAST_ACCEPTED, {"site": site, "article_id": article_id}).one_or_none()
    if row is None or not (row.etag or row.last_modified):
        return None
    return Validators(row.id, row.etag, row.last_modified)


def site_has_validators(engine: Engine, site: str) -> bool:
    """Whether any capture of the site that the archive accepted has validators (one query)."""
    query = (
        select(CAPTURES.c.id)
        .where(
            CAPTURES.c.site == site,
            CAPTURES.c.outcome.in_(ACCEPTED),
            or_(CAPTURES.c.etag.is_not(None), CAPTURES.c.last_modified.is_not(None)),
        )
        .limit(1)
    )
    with engine.connect() as conn:
        return conn.execute(query).first() is not None


def archived_links(engine: Engine, site: str) -> dict[str, tuple[str, ...]]:
    """By article id, the ids its current version lists, in order.

    A 304 has no page to read them from, and a held notice lists none: the walk
    of a re-crawl goes on from these.
    """
    links = (
        select(ARTICLES.c.article_id, LINKS.c.target_id)
        .join(ARTICLES, ARTICLES.c.id == LINKS.c.source_pk)
        .where(ARTICLES.c.site == site)
        .order_by(LINKS.c.source_pk, LINKS.c.position)
    )
    related: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for article_id, target_id in conn.execution_options(yield_per=5000).execute(links):
            related.setdefault(article_id, []).append(target_id)
    return {article_id: tuple(ids) for article_id, ids in related.items()}
