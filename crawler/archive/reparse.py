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
from crawler.sites import get_profile

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping
    from datetime import datetime

    from crawler.archive.store import ArchiveStore
    from crawler.items import FetchedPage
    from crawler.sites.profile import SiteProfile


def reparse(
    store: ArchiveStore,
    *,
    site: str | None = None,
    since: datetime | None = None,
    batch: int = 200,
    profile: SiteProfile | None = None,
    profiles: Mapping[str, SiteProfile] | None = None,
    progress: Callable[[Iterable[FetchedPage]], Iterable[FetchedPage]] | None = None,
    retry_budget: float = 30.0,
) -> Counter[str]:
    """Re-parse stored pages (of `site`, fetched since `since`); count what became of them.

    Each site's profile is the one `profiles` gives (what the archive crawled it
    with, crawler.archive.sites), else found by name (ARCHIVE_SITES_DIR, then the
    built-in ones), unless `profile` is given for the one site being re-parsed.
    `progress` wraps the stream of stored pages, e.g. in a progress bar. A page
    the database refuses is kept as dropped with its reason, as in a crawl.
    """
    counts: Counter[str] = Counter()
    chosen: dict[str, SiteProfile] = {}
    pages_read: Iterable[FetchedPage] = store.raw_pages(site=site, since=since)
    if progress is not None:
        pages_read = progress(pages_read)
    for pages in _batched(pages_read, batch):
        parsed = []
        for page in pages:
            if page.site not in chosen:
                known = (profiles or {}).get(page.site)
                chosen[page.site] = profile or known or get_profile(page.site)
            parsed.append(ParsedPage(page, parse_fetched(page, chosen[page.site])))
        for outcome in save_isolating(store, parsed, retry_budget=retry_budget, reparse=True):
            counts[outcome.status] += 1
    return counts


T = TypeVar("T")


def _batched(values: Iterable[T], size: int) -> Iterator[list[T]]:
    """itertools.batched, which arrives with Python 3.12."""
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk
