"""Running the current parser over the stored raw pages, without the network.

A fixed parser bug thus reaches the whole archive; an article gets a new
version only where the new result's text differs.
"""

from __future__ import annotations

from collections import Counter
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

from crawler.archive.isolation import save_isolating
from crawler.archive.store import ParsedPage
from crawler.parsing.fetched import parse_fetched

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from datetime import datetime

    from crawler.archive.store import ArchiveStore


def reparse(
    store: ArchiveStore,
    *,
    site: str | None = None,
    since: datetime | None = None,
    batch: int = 200,
    retry_budget: float = 30.0,
) -> Counter[str]:
    """Re-parse stored pages (of `site`, fetched since `since`); count what became of them.

    A page the database refuses is kept as dropped with its reason, as in a crawl.
    """
    counts: Counter[str] = Counter()
    for pages in _batched(store.raw_pages(site=site, since=since), batch):
        parsed = [ParsedPage(page, parse_fetched(page)) for page in pages]
        for outcome in save_isolating(store, parsed, retry_budget=retry_budget, reparse=True):
            counts[outcome.status] += 1
    return counts


T = TypeVar("T")


def _batched(values: Iterable[T], size: int) -> Iterator[list[T]]:
    """itertools.batched, which arrives with Python 3.12."""
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk
