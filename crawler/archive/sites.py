"""The sites an archive holds: which of them hold an article id.

No command assumes one site: an id is looked up in every site, and only an id
that several sites use needs ``--site`` to say which is meant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Table, select, union

from crawler.archive.models import ArticleRecord, RawPage

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

_ARTICLES: Table = ArticleRecord.__table__  # type: ignore[assignment]
_RAW: Table = RawPage.__table__  # type: ignore[assignment]


def sites_holding(engine: Engine, article_id: str) -> list[str]:
    """The sites with an article, or a stored page (a dropped one too), of this id, sorted."""
    query = union(
        select(_ARTICLES.c.site).where(_ARTICLES.c.article_id == article_id),
        select(_RAW.c.site).where(_RAW.c.article_id == article_id),
    )
    with engine.connect() as conn:
        return sorted(conn.execute(query).scalars())
