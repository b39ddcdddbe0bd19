"""The local copy parsed and stored in-process: an archive for tests of what reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from crawler.archive.database import create_archive_engine
from crawler.archive.migrate import ensure_current
from crawler.archive.store import ArchiveStore, ParsedPage
from crawler.items import FetchedPage
from crawler.parsing.fetched import parse_fetched
from crawler.sites import get_profile
from localcopy.site import SEED_ID, LocalSite

if TYPE_CHECKING:
    from collections.abc import Sequence

    from crawler.sites.profile import SiteProfile

BASE = "http://127.0.0.1:8765"


def fetched(
    article_id: str,
    body: bytes,
    *,
    encoding: str = "utf-8",
    status: int = 200,
    at: datetime | None = None,
) -> ParsedPage:
    """A page as the crawl would have fetched it from the local copy, parsed."""
    url = f"{BASE}/news/{article_id}"
    page = FetchedPage(
        "alalam_en",
        article_id,
        url,
        url,
        status,
        f"text/html; charset={encoding}",
        encoding,
        body,
        (at or datetime.now(UTC)).isoformat(),
    )
    return ParsedPage(page, parse_fetched(page, get_profile("alalam_en")))


def archive_local_copy(url: str, site: LocalSite) -> None:
    """Every page the seed reaches, stored in one batch (the schema created if need be)."""
    ensure_current(url)
    engine = create_archive_engine(url, writer=True)
    pages = [fetched(a, site.reply(a).body) for a in sorted(site.reachable())]
    ArchiveStore(engine).save(pages)
    engine.dispose()


def archive_seed_edits(url: str, corrected: Sequence[bool], start: datetime) -> None:
    """The local copy's seed stored once an hour from `start`, its title corrected in the
    fetches `corrected` marks and as first published in the others (in-process)."""
    original = LocalSite(pages=2).reply(SEED_ID).body
    edited = original.replace(b"</h1>", b" (corrected)</h1>", 1)
    ensure_current(url)
    engine = create_archive_engine(url, writer=True)
    store = ArchiveStore(engine)
    for hours, is_corrected in enumerate(corrected):
        body = edited if is_corrected else original
        store.save([fetched(SEED_ID, body, at=start + timedelta(hours=hours))])
    engine.dispose()


def archive_saved_pages(url: str, profile: SiteProfile, pages: dict[str, bytes]) -> None:
    """Saved pages of a site (by URL), parsed with its profile and stored as a crawl would."""
    ensure_current(url)
    engine = create_archive_engine(url, writer=True)
    parsed = []
    for page_url, body in pages.items():
        article_id = profile.article_id_from_url(page_url)
        assert article_id is not None, page_url
        page = FetchedPage(
            profile.name,
            article_id,
            page_url,
            page_url,
            200,
            "text/html; charset=utf-8",
            "utf-8",
            body,
            datetime.now(UTC).isoformat(),
        )
        parsed.append(ParsedPage(page, parse_fetched(page, profile)))
    ArchiveStore(engine).save(parsed)
    engine.dispose()
