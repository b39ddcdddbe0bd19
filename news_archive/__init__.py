"""news_archive: an archive made by news-archive, read from Python.

    import news_archive

    with news_archive.open("sqlite:///archive.sqlite3") as archive:
        for article in archive.articles(site="alalam_en", since="2016-08-01", query="Hamedan"):
            print(article.published_at, article.title)
        seed = archive.article("1851093")   # with .versions, .captures and .reverts
        frame = archive.articles(kind="article").to_dataframe()   # needs pandas

Read-only: opening checks that the database is an archive at this version's
schema, and nothing creates, migrates or writes. Every instant is an aware
datetime in UTC. (The Scrapy project itself is the `crawler` package.)
"""

from crawler.archive.sites import SiteSummary
from news_archive.archive import Archive, Articles, open
from news_archive.errors import AmbiguousArticle, ArchiveError, ArticleNotFound
from news_archive.records import (
    Article,
    ArticleDetail,
    Capture,
    Image,
    RelatedArticle,
    Revert,
    Version,
)

__all__ = [
    "AmbiguousArticle",
    "Archive",
    "ArchiveError",
    "Article",
    "ArticleDetail",
    "ArticleNotFound",
    "Articles",
    "Capture",
    "Image",
    "RelatedArticle",
    "Revert",
    "SiteSummary",
    "Version",
    "open",
]
