"""A bad day never becomes the record: an outage notice served as pages is held, not archived.

The local copy crawled, then answering every article with a notice ("This page
is temporarily unavailable.", status 200, the layout intact): the archive stays
exactly as it was, the notices are kept as held captures with their reason,
and the run is degraded (exit 3). Real crawls, on both databases.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from crawler.archive.database import create_archive_engine
from crawler.archive.models import ArticleRecord, ArticleVersion, Capture, CrawlRun
from localcopy.server import ServerThread
from localcopy.site import SEED_ID, LocalSite
from tests.conftest import ROOT, crawl, stat
from tests.forked import run_module

if TYPE_CHECKING:
    import subprocess

FULL = ("ARCHIVE_INCREMENTAL=False",)


@pytest.fixture
def http_site() -> LocalSite:
    return LocalSite(pages=30, orphans=0, validators=True, gzip=True)


@pytest.fixture
def http_url(http_site):
    with ServerThread(http_site) as url:
        yield url


def snapshot(url: str, *, last_seen: bool = True) -> dict[str, Any]:
    """Records, versions and their dates, as a reader sees them (without `last_seen`, less
    when each version was last confirmed)."""
    engine = create_archive_engine(url)
    with engine.connect() as conn:
        articles = [
            tuple(row)
            for row in conn.execute(
                select(
                    ArticleRecord.article_id,
                    ArticleRecord.title,
                    ArticleRecord.body,
                    ArticleRecord.published_at,
                    ArticleRecord.version,
                    ArticleRecord.first_seen_at,
                    ArticleRecord.changed_at,
                    ArticleRecord.content_hash,
                ).order_by(ArticleRecord.article_id)
            )
        ]
        columns = [c for c in ArticleVersion.__table__.c if last_seen or c.name != "last_seen_at"]
        versions = [
            tuple(row)
            for row in conn.execute(
                select(*columns).order_by(ArticleVersion.article_pk, ArticleVersion.version)
            )
        ]
    engine.dispose()
    return {"articles": articles, "versions": versions}


def held(url: str) -> list[Capture]:
    engine = create_archive_engine(url)
    with engine.connect() as conn:
        rows = list(conn.execute(select(Capture).where(Capture.outcome == "held")))
    engine.dispose()
    return rows


def last_run(url: str) -> CrawlRun:
    engine = create_archive_engine(url)
    with engine.connect() as conn:
        row = conn.execute(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(1)).one()
    engine.dispose()
    return row


def test_a_notice_day_leaves_the_archive_as_it_was_and_holds_the_notices(
    database_url, http_site, http_url
):
    first = crawl(database_url, start=SEED_ID, base_url=http_url)
    assert first.returncode == 0, first.log
    before = snapshot(database_url)
    http_site.notice = True

    bad_day = crawl(database_url, start=SEED_ID, base_url=http_url, settings=FULL)

    assert bad_day.returncode == 3, bad_day.log
    assert snapshot(database_url) == before
    notices = held(database_url)
    assert notices and all(c.reason == "layout_drift" and c.version is None for c in notices)
    assert stat(bad_day.log, "archive/held/layout_drift") == len(notices)
    run = last_run(database_url)
    assert run.status == "degraded"
    assert run.held == {"layout_drift": len(notices)}
    assert f"{len(notices)} captures held" in run.message
    assert len(notices) == http_site.pages
    assert "held" in bad_day.stdout


def test_after_the_notice_day_the_site_is_read_as_before(database_url, http_site, http_url):
    crawl(database_url, start=SEED_ID, base_url=http_url)
    snapshot_without_last_seen = snapshot(database_url, last_seen=False)
    http_site.notice = True
    crawl(database_url, start=SEED_ID, base_url=http_url, settings=FULL)
    http_site.notice = False

    after = crawl(database_url, start=SEED_ID, base_url=http_url, settings=FULL)

    assert after.returncode == 0, after.log
    assert snapshot(database_url, last_seen=False) == snapshot_without_last_seen
    # The validators asked with are the last accepted capture's, never a notice's.
    assert stat(after.log, "archive/not_modified") == http_site.pages


def test_an_ordinary_edit_is_never_held(database_url, http_site, http_url):
    crawl(database_url, start=SEED_ID, base_url=http_url)
    edited = http_site.reply(SEED_ID).body.replace(b"</p>", b" More.</p>", 1)
    http_site.replace_page(SEED_ID, edited.decode())

    again = crawl(database_url, start=SEED_ID, base_url=http_url, settings=FULL)

    assert again.returncode == 0, again.log
    assert stat(again.log, "archive/changed") == 1
    assert held(database_url) == []


def test_on_a_fresh_archive_a_notice_only_run_holds_everything_and_is_degraded(
    database_url, http_site, http_url
):
    http_site.notice = True

    run = crawl(database_url, start=f"{SEED_ID},1832982,1832774", base_url=http_url)

    assert run.returncode == 3, run.log
    assert snapshot(database_url)["articles"] == []
    assert {c.article_id for c in held(database_url)} == {SEED_ID, "1832982", "1832774"}
    assert last_run(database_url).status == "degraded"


def test_held_pages_become_versions_once_the_fixed_profile_reads_them(
    sqlite_url, local_site, site_url, tmp_path
):
    crawl(sqlite_url, start=SEED_ID, base_url=site_url)
    # A redesign moves the date, on the day the articles are edited.
    local_site.rewrite = lambda html: html.replace('class="news-date"', 'class="dateline"').replace(
        "</p>", " (updated)</p>", 1
    )
    redesigned = crawl(sqlite_url, start=SEED_ID, base_url=site_url, settings=FULL)
    assert redesigned.returncode == 3, redesigned.log
    lost = held(sqlite_url)
    assert lost and {c.reason for c in lost} == {"lost_fields: published_at"}
    fixed = (ROOT / "crawler" / "sites" / "alalam_en.toml").read_text("utf-8")
    fixed = fixed.replace('published = [".news-date"]', 'published = [".news-date", ".dateline"]')
    (tmp_path / "alalam_en.toml").write_text(fixed, "utf-8")

    done = run_module(
        [sys.executable, "-m", "crawler", "reparse", "--db", sqlite_url],
        cwd=ROOT,
        env={**os.environ, "ARCHIVE_SITES_DIR": str(tmp_path)},
        timeout=300,
    )

    assert done.returncode == 0, done.stderr
    assert held(sqlite_url) == []
    engine = create_archive_engine(sqlite_url)
    with engine.connect() as conn:
        edited = conn.execute(
            select(ArticleRecord).where(ArticleRecord.article_id == lost[0].article_id)
        ).one()
        capture = conn.execute(select(Capture).where(Capture.id == lost[0].id)).one()
        version = conn.execute(
            select(ArticleVersion).where(
                ArticleVersion.article_pk == edited.id, ArticleVersion.version == 2
            )
        ).one()
    engine.dispose()
    assert edited.version == 2 and edited.published_at is not None
    assert "(updated)" in edited.body
    assert (capture.outcome, capture.version, capture.reason) == ("version", 2, None)
    assert version.capture_id == capture.id


def news_archive(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`news-archive ARGS --db URL` in a process of its own (a fork: tests/forked.py)."""
    command = [sys.executable, "-m", "crawler", *args, "--db", url]
    return run_module(command, cwd=ROOT, env=dict(os.environ), timeout=120)


def test_an_archivist_accepts_a_held_notice_as_a_version(sqlite_url, http_site, http_url):
    crawl(sqlite_url, start=SEED_ID, base_url=http_url)
    http_site.notice = True  # say the article really was replaced by this
    crawl(sqlite_url, start=SEED_ID, base_url=http_url, settings=FULL)

    accepted = news_archive(sqlite_url, "captures", SEED_ID, "--accept", "2")

    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.strip() == f"capture 2 of alalam_en/{SEED_ID} is a version: version 2"
    engine = create_archive_engine(sqlite_url)
    with engine.connect() as conn:
        record = conn.execute(
            select(ArticleRecord).where(ArticleRecord.article_id == SEED_ID)
        ).one()
        capture = conn.execute(
            select(Capture).where(Capture.article_id == SEED_ID).order_by(Capture.id)
        ).all()[1]
    engine.dispose()
    assert (record.version, record.title) == (2, "Alalam")
    assert (capture.outcome, capture.version, capture.reason) == ("version", 2, None)


def test_only_a_held_capture_is_accepted(sqlite_url, http_url):
    crawl(sqlite_url, start=SEED_ID, base_url=http_url)

    refused = news_archive(sqlite_url, "captures", SEED_ID, "--accept", "1")
    missing = news_archive(sqlite_url, "captures", SEED_ID, "--accept", "9")

    assert refused.returncode == 1
    assert "capture 1 of alalam_en/1851093 is new, not held" in refused.stderr
    assert missing.returncode == 1
    assert "has 1 captures; there is no capture 9" in missing.stderr
