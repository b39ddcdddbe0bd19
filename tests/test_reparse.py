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


def as_if_an_old_parser_missed_a_link_and_miscounted(url: str, article_id: str) -> list[int]:
    """Rewrite an article as a parser that missed its last related link and miscounted its
    words had stored it (the same text: no new version); the positions of all its links."""
    from crawler.archive.models import RelatedLinkRecord

    engine = create_archive_engine(url)
    with engine.begin() as conn:
        pk = conn.execute(
            select(ArticleRecord.id).where(ArticleRecord.article_id == article_id)
        ).scalar_one()
        positions = sorted(
            conn.execute(
                select(RelatedLinkRecord.position).where(RelatedLinkRecord.source_pk == pk)
            ).scalars()
        )
        conn.execute(
            RelatedLinkRecord.__table__.delete().where(
                RelatedLinkRecord.source_pk == pk, RelatedLinkRecord.position == positions[-1]
            )
        )
        conn.execute(update(ArticleRecord).where(ArticleRecord.id == pk).values(word_count=0))
    engine.dispose()
    return positions


def related_positions(url: str, article_id: str) -> list[int]:
    from crawler.archive.models import RelatedLinkRecord

    engine = create_archive_engine(url)
    with engine.connect() as conn:
        positions = sorted(
            conn.execute(
                select(RelatedLinkRecord.position)
                .join(ArticleRecord, ArticleRecord.id == RelatedLinkRecord.source_pk)
                .where(ArticleRecord.article_id == article_id)
            ).scalars()
        )
    engine.dispose()
    return positions


def test_a_parser_fix_outside_the_text_reaches_the_links_and_fields_without_a_new_version(
    database_url,
):
    archive_local_copy(database_url, LocalSite(pages=20))
    before = archive_db.article(database_url, SEED_ID)
    positions = as_if_an_old_parser_missed_a_link_and_miscounted(database_url, SEED_ID)

    output = reparse(database_url)

    assert output.strip() == "20 stored pages parsed again: 20 unchanged"
    assert related_positions(database_url, SEED_ID) == positions
    after = archive_db.article(database_url, SEED_ID)
    assert (after.version, after.word_count) == (1, before.word_count)


def test_a_reparse_in_several_processes_stores_what_one_process_stores(tmp_path):
    from crawler.archive.reparse import reparse as run_reparse
    from crawler.archive.store import ArchiveStore

    results = []
    for workers in (1, 2):
        url = f"sqlite:///{tmp_path}/archive-{workers}.sqlite3"
        site = LocalSite(pages=30)
        archive_local_copy(url, site)
        fixed = sorted(archive_db.archived_ids(url))[:4]
        as_if_parsed_by_an_old_buggy_parser(url, fixed)
        engine = create_archive_engine(url, writer=True)
        # Batches smaller than the archive: several in flight in the pool, stored in order.
        counts = run_reparse(ArchiveStore(engine), batch=7, workers=workers)
        engine.dispose()
        versions = {
            article_id: [v.version for v in archive_db.versions(url, article_id)]
            for article_id in sorted(archive_db.archived_ids(url))
        }
        results.append((counts, versions))

    assert results[0] == results[1]
    assert results[1][0] == {"changed": 4, "unchanged": 26}


def test_the_command_parses_in_the_processes_it_is_given(sqlite_url):
    archive_local_copy(sqlite_url, LocalSite(pages=20))

    output = reparse(sqlite_url, "--workers", "2")

    assert output.strip() == "20 stored pages parsed again: 20 unchanged"
