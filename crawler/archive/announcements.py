"""The `announcements` table: articles a discovery source named before the archive held them.

Reached through the archive's one storage API (`ArchiveStore.announce`,
`ArchiveStore.announced_unarchived`). A run writes what its sources announce
before it fetches those pages, in one short transaction a source; the next
run's plan fetches every announced article the archive still lacks (see
`crawler.plan.schedule`), so a run stopped in between loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, and_, func, select
from sqlalchemy.dialects import postgresql, sqlite

from crawler.archive.models import Announcement, ArticleRecord

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.engine import Engine

_ANNOUNCEMENTS: Table = Announcement.__table__  # type: ignore[assignment]
_ARTICLES: Table = ArticleRecord.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Announced:
    article_id: str
    source: str
    source_kind: str
    title: str | None = None
    published: str | None = None


def record(
    engine: Engine, site: str, announced: Sequence[Announced], *, run_id: int | None, at: datetime
) -> None:
    """Keep what sources say of these articles: the first word, completed by later ones."""
    merged: dict[str, dict[str, Any]] = {}
    for item in announced:
        row = merged.get(item.article_id)
        if row is None:
            merged[item.article_id] = {
                "site": site,
                "article_id": item.article_id,
                "source": item.source,
                "source_kind": item.source_kind,
                "title": item.title,
                "published": item.published,
                "announced_at": at,
                "run_id": run_id,
            }
        else:
            row["title"] = row["title"] or item.title
            row["published"] = row["published"] or item.published
    if not merged:  # an empty list of rows would run the INSERT once, with no values
        return
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    statement = insert(_ANNOUNCEMENTS)
    upsert = statement.on_conflict_do_update(
        index_elements=["site", "article_id"],
        set_={
            name: func.coalesce(_ANNOUNCEMENTS.c[name], statement.excluded[name])
            for name in ("title", "published")
        },
    )
    with engine.begin() as conn:
        conn.execute(upsert, list(merged.values()))


def unarchived(engine: Engine, site: str) -> list[str]:
    """Ids announced for `site` and not archived: the next run fetches them."""
    query = (
        select(_ANNOUNCEMENTS.c.article_id)
        .select_from(
            _ANNOUNCEMENTS.outerjoin(
                _ARTICLES,
                and_(
                    _ARTICLES.c.site == _ANNOUNCEMENTS.c.site,
                    _ARTICLES.c.article_id == _ANNOUNCEMENTS.c.article_id,
                ),
            )
        )
        .where(_ANNOUNCEMENTS.c.site == site, _ARTICLES.c.id.is_(None))
        .order_by(_ANNOUNCEMENTS.c.article_id)
    )
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())
