"""Every article fetch is a capture, kept as it came; revisits ask before downloading.

Real crawls of the local copy serving ETag/Last-Modified and gzip on the wire,
on both databases.
"""

from __future__ import annotations

import gzip

import pytest
from sqlalchemy import func, select

from crawler.archive.database import create_archive_engine
from crawler.archive.models import ArticleRecord, ArticleVersion, Capture, Payload
from crawler.archive.payloads import payload_digest
from localcopy.server import ServerThread
from localcopy.site import SEED_ID, LocalSite
from tests.conftest import crawl, stat

FULL = ("ARCHIVE_INCREMENTAL=False",)


@pytest.fixture
def http_site() -> LocalSite:
    """The local copy as a well-kept server answers: validators, 304s, gzip on the wire."""
    return LocalSite(pages=40, orphans=0, validators=True, gzip=True)


@pytest.fixture
def http_url(http_site):
    with ServerThread(http_site) as url:
        yield url


def captures(url: str) -> list[Capture]:
    engine = create_archive_engine(url)
    with engine.connect() as conn:
        rows = list(conn.execute(select(Capture).order_by(Capture.id)))
    engine.dispose()
    return rows


def scalar(url: str, query):
    engine = create_archive_engine(url)
    with engine.connect() as conn:
        value = conn.execute(query).scalar_one()
    engine.dispose()
    return value


def test_a_capture_keeps_the_request_the_status_line_and_the_gzip_bytes_as_sent(
    database_url, http_site, http_url
):
    run = crawl(database_url, start=SEED_ID, base_url=http_url)

    assert run.returncode == 0, run.log
    seed = next(c for c in captures(database_url) if c.article_id == SEED_ID)
    assert (seed.method, seed.http_version, seed.http_status, seed.http_reason) == (
        "GET",
        "HTTP/1.1",
        200,
        "OK",
    )
    sent = {name.lower(): value for name, value in seed.request_headers}
    assert "gzip" in sent["accept-encoding"]
    assert sent["user-agent"].startswith("news-archive/")
    received = {name.lower(): value for name, value in seed.response_headers}
    assert received["content-encoding"] == "gzip"
    engine = create_archive_engine(database_url)
    with engine.connect() as conn:
        payload = conn.execute(select(Payload).where(Payload.id == seed.payload_id)).one()
    engine.dispose()
    wire = gzip.decompress(payload.body_gz)
    assert gzip.decompress(wire) == http_site.reply(SEED_ID).body  # gzip kept, as sent
    assert seed.payload_digest == payload.digest == payload_digest(wire)
    assert seed.size == len(wire) == int(received["content-length"])
    assert seed.etag == received["etag"]


def test_every_version_names_the_capture_it_was_read_from(database_url, http_url):
    crawl(database_url, start=SEED_ID, base_url=http_url)

    total = scalar(database_url, select(func.count()).select_from(ArticleVersion))
    linked = scalar(
        database_url,
        select(func.count())
        .select_from(ArticleVersion)
        .join(Capture, Capture.id == ArticleVersion.capture_id)
        .where(Capture.outcome == "new"),
    )
    assert total == linked == 40


def test_a_full_recrawl_of_an_unchanged_site_asks_with_validators_and_gets_304s(
    database_url, http_url
):
    crawl(database_url, start=SEED_ID, base_url=http_url)
    payloads_before = scalar(database_url, select(func.count()).select_from(Payload))

    again = crawl(database_url, start=SEED_ID, base_url=http_url, settings=FULL)

    assert again.returncode == 0, again.log
    assert stat(again.log, "archive/not_modified") == 40
    assert stat(again.log, "archive/unchanged") == 40
    assert "not modified" in again.stdout
    rows = captures(database_url)
    confirmed = [c for c in rows if c.outcome == "not_modified"]
    assert len(confirmed) == 40
    first = {c.article_id: c for c in rows if c.outcome == "new"}
    assert all(c.refers_to == first[c.article_id].id for c in confirmed)
    assert all(c.version == 1 and c.payload_id is None and c.size == 0 for c in confirmed)
    # A re-crawl of an unchanged site adds rows, not pages.
    assert scalar(database_url, select(func.count()).select_from(Payload)) == payloads_before
    fetch_counts = scalar(database_url, select(func.min(ArticleRecord.fetch_count)))
    assert fetch_counts == 2


def test_an_edited_page_is_downloaded_again_and_becomes_a_version_with_its_capture(
    database_url, http_site, http_url
):
    crawl(database_url, start=SEED_ID, base_url=http_url)
    edited = http_site.reply(SEED_ID).body.replace(b"</p>", b" (updated)</p>", 1)
    http_site.replace_page(SEED_ID, edited.decode())

    again = crawl(database_url, start=SEED_ID, base_url=http_url, settings=FULL)

    assert again.returncode == 0, again.log
    assert stat(again.log, "archive/changed") == 1
    assert stat(again.log, "archive/not_modified") == 39
    seed = [c for c in captures(database_url) if c.article_id == SEED_ID]
    assert [(c.outcome, c.version) for c in seed] == [("new", 1), ("version", 2)]
    engine = create_archive_engine(database_url)
    with engine.connect() as conn:
        versions = conn.execute(
            select(ArticleVersion.version, ArticleVersion.capture_id)
            .join(ArticleRecord, ArticleRecord.id == ArticleVersion.article_pk)
            .where(ArticleRecord.article_id == SEED_ID)
            .order_by(ArticleVersion.version)
        ).all()
    engine.dispose()
    assert versions == [(1, seed[0].id), (2, seed[1].id)]


def test_a_page_fetched_again_with_the_same_bytes_is_a_row_not_the_bytes_again(
    sqlite_url, local_site, site_url
):
    crawl(sqlite_url, start=SEED_ID, base_url=site_url)  # no validators: every page again
    payloads_before = scalar(sqlite_url, select(func.count()).select_from(Payload))

    crawl(sqlite_url, start=SEED_ID, base_url=site_url, settings=FULL)

    rows = captures(sqlite_url)
    assert scalar(sqlite_url, select(func.count()).select_from(Payload)) == payloads_before
    again = [c for c in rows if c.outcome == "unchanged"]
    first = {c.article_id: c for c in rows if c.outcome == "new"}
    assert len(again) == len(first) == local_site.pages
    assert all(c.refers_to == first[c.article_id].id for c in again)
    assert all(c.payload_id == first[c.article_id].payload_id for c in again)


def test_the_captures_of_real_crawls_export_as_a_warc_that_warcio_checks(
    database_url, http_url, tmp_path
):
    """From the wire to the file: a crawl, a full re-crawl answered 304, one WARC."""
    import subprocess
    import sys
    from pathlib import Path

    from click.testing import CliRunner
    from warcio.archiveiterator import ArchiveIterator

    from crawler.cli import cli

    assert crawl(database_url, start=SEED_ID, base_url=http_url).returncode == 0
    assert crawl(database_url, start=SEED_ID, base_url=http_url, settings=FULL).returncode == 0
    target = tmp_path / "crawl.warc.gz"

    done = CliRunner().invoke(
        cli, ["export", "--format", "warc", "-o", str(target), "--db", database_url]
    )

    assert done.exit_code == 0, done.output
    warcio = Path(sys.executable).parent / "warcio"
    checked = subprocess.run(
        [str(warcio), "check", "-v", str(target)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "fail" not in checked.stdout
    with target.open("rb") as stream:
        kinds = [record.rec_type for record in ArchiveIterator(stream)]
    fetched = len(captures(database_url))
    assert kinds.count("request") == fetched
    assert kinds.count("response") + kinds.count("revisit") == fetched
    assert kinds.count("revisit") >= 0.9 * kinds.count("response")  # the re-crawl's 304s
