"""What the API raises: each with a one-line message a person can act on."""

from __future__ import annotations


class ArchiveError(Exception):
    """The archive cannot be read: none at that URL, another schema, a database that cannot
    be opened, a search the database stopped."""


class ArticleNotFound(ArchiveError, LookupError):
    """No site of the archive holds the id (or not the site named)."""


class AmbiguousArticle(ArchiveError, LookupError):
    """Several sites hold the id: say which with ``site=``."""

    def __init__(self, message: str, sites: list[str]) -> None:
        super().__init__(message)
        self.sites = sites
