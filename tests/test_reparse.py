"""`python -m crawler reparse`: the current parser over the stored pages, with no network."""

from __future__ import annotations

import hashlib
import subprocess
import sys

from sqlalchemy import select, update

from crawler.archive.database import create_archive_engine
from crawler.archive.models import ArticleRecord, ArticleVersion
from localcopy.site import SEED_ID, LocalSite
from tests import archive_db
from tests.conftest import ROOT
from tests.local_archive import archive_local_copy


def as_if_parsed_by_an_old_buggy_parser(url: str, article_ids: list[str]) -> None:
    """Rewrite these articles as a parser that lost each body's last paragraph had stored them."""
    engine = create_archive_engine(url)
    with engine.begin() as conn:
        for article_id in article_ids:
            row = conn.execute(
                select(ArticleRecord).where(ArticleRecord.article_id == article_id)
            ).one()
            body = row.body.rsplit("\n\n", 1)[0]
            digest = hashlib.sha256(f"{row.title}\n\n{body}".encode()).hexdigest()
            conn.execute(
                update(ArticleRecord)
                .where(ArticleRecord.id == row.id)
                .values(body=body, content_hash=digest)
            )
            conn.execute(
                update(ArticleVersion)
                .where(ArticleVersion.article_pk == row.id)
                .values(body=body, content_hash=digest)
            )
    engine.dispose()


def reparse(url: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "crawler", "reparse", "--db", url, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_parser_fix_reaches_the_archive_with_new_versions_only_where_the_text_changed(
    database_url,
):
    site = LocalSite(pages=40)
    # Stored as a crawl stores them (tests/local_archive.py); no server: whatever
    # happens next happens without the network.
    archive_local_copy(database_url, site)
    fixed = sorted(archive_db.archived_ids(database_url))[:3]
    as_if_parsed_by_an_old_buggy_parser(database_url, fixed)

    output = reparse(database_url)

    assert (
        output.strip()
        == f"{site.pages} stored pages parsed again: 3 changed, {site.pages - 3} unchanged"
    )
    for article_id in sorted(archive_db.archived_ids(database_url)):
        expected = 2 if article_id in fixed else 1
        assert archive_db.article(database_url, article_id).version == expected
    assert len(archive_db.versions(database_url, fixed[0])) == 2


def test_reparse_can_be_limited_to_pages_fetched_since_a_date(sqlite_url):
    archive_local_copy(sqlite_url, LocalSite(pages=20))  # pages stored now, not since then

    assert (
        reparse(sqlite_url, "--since", "2999-01-01").strip() == "0 stored pages parsed again: none"
    )


def test_a_page_dropped_by_an_old_parser_becomes_an_article_when_reparsed(sqlite_url, profile):
    from crawler.archive.migrate import ensure_current
    from crawler.archive.store import ArchiveStore, ParsedPage
    from crawler.items import FetchedPage
    from crawler.parsing.article import ParseResult
    from tests.conftest import SEED_URL, seed_html

    ensure_current(sqlite_url)
    store = ArchiveStore(create_archive_engine(sqlite_url, writer=True))
    page = FetchedPage(
        "alalam_en",
        SEED_ID,
        SEED_URL,
        SEED_URL,
        200,
        "text/html",
        "utf-8",
        seed_html().encode(),
        "2026-11-24T10:00:00+00:00",
    )
    store.save([ParsedPage(page, ParseResult(None, "no_title"))])  # what a broken parser decided

    output = reparse(sqlite_url)

    assert output.strip() == "1 stored pages parsed again: 1 new"
    assert archive_db.archived_ids(sqlite_url) == {SEED_ID}
