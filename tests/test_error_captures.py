"""An article page's error reply (a 404 or 410 gone page, a 500 after retries) is a capture too.

Real crawls of the local copy, on both databases: the reply is kept as it came,
`dropped` with the failure's reason, shown by `captures ID` and exported as a
WARC response; it is still a failed fetch for the revisit plan, and never
read as an article.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.database import create_archive_engine
from crawler.archive.models import ArticleRecord, Capture, FailedFetch
from crawler.archive.payloads import payload_digest
from crawler.cli import cli
from localcopy.server import ServerThread
from localcopy.site import SEED_ID, LocalSite, Reply
from tests.conftest import crawl

NO_RETRY_WAIT = ("ARCHIVE_RETRY_BACKOFF=0", "ARCHIVE_RETRY_BACKOFF_MAX=0")
GONE = b"<html><body>Gone for good</body></html>"


@pytest.fixture
def site() -> LocalSite:
    return LocalSite(pages=20, orphans=0)


def rows(url: str, model, *where):
    engine = create_archive_engine(url)
    with engine.connect() as conn:
        found = list(conn.execute(select(model).where(*where)))
    engine.dispose()
    return found


def gone_and_broken(site: LocalSite) -> tuple[str, str, str]:
    """A linked id the site never served (404), one removed (410) and one broken (500)."""
    missing = sorted(site.missing())[0]
    removed, broken = sorted(site.reachable() - {SEED_ID})[:2]
    site.overrides[removed] = Reply(410, GONE, {"Content-Type": "text/html"})
    site.break_page(broken)
    return missing, removed, broken


def test_error_replies_are_captures_dropped_with_their_reason_and_their_page(database_url, site):
    missing, removed, broken = gone_and_broken(site)
    # A 404 page that looks like an article: kept as it came, never read as one.
    looks_like_one = site.page_reply(SEED_ID)
    site.overrides[missing] = Reply(404, looks_like_one.body, looks_like_one.headers)
    with ServerThread(site) as url:
        run = crawl(database_url, start=SEED_ID, base_url=url, settings=NO_RETRY_WAIT)
    reparsed = CliRunner().invoke(cli, ["reparse", "--db", database_url])

    assert run.returncode in (0, 3), run.log
    assert reparsed.exit_code == 0, reparsed.stderr
    for article_id, status, body in (
        (missing, 404, looks_like_one.body),
        (removed, 410, GONE),
        (broken, 500, b"<html><body>Server error</body></html>"),
    ):
        [capture] = rows(database_url, Capture, Capture.article_id == article_id)
        assert (capture.http_status, capture.outcome, capture.reason, capture.version) == (
            status,
            "dropped",
            f"http_{status}",
            None,
        )
        assert capture.payload_digest == payload_digest(body)
        assert capture.url.endswith(f"/news/{article_id}")
        [failed] = rows(database_url, FailedFetch, FailedFetch.article_id == article_id)
        assert failed.reason == f"http_{status}"  # still a failure for the revisit plan
    assert not rows(database_url, ArticleRecord, ArticleRecord.article_id.in_([missing, removed]))


def test_captures_lists_a_gone_page_and_the_warc_export_holds_its_reply(
    database_url, site, tmp_path
):
    missing, removed, _ = gone_and_broken(site)
    with ServerThread(site) as url:
        run = crawl(database_url, start=SEED_ID, base_url=url, settings=NO_RETRY_WAIT)
    assert run.returncode in (0, 3), run.log

    listed = CliRunner().invoke(cli, ["captures", removed, "--json", "--db", database_url])
    target = tmp_path / "archive.warc.gz"
    exported = CliRunner().invoke(
        cli, ["export", "--format", "warc", "-o", str(target), "--db", database_url]
    )

    assert listed.exit_code == 0, listed.stderr
    [line] = [json.loads(text) for text in listed.stdout.splitlines()]
    assert (line["http_status"], line["outcome"], line["reason"]) == (410, "dropped", "http_410")
    assert exported.exit_code == 0, exported.stderr
    statuses = {}
    with target.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                uri = record.rec_headers.get_header("WARC-Target-URI")
                statuses[uri.rsplit("/", 1)[-1]] = record.http_headers.get_statuscode()
    assert (statuses[removed], statuses[missing]) == ("410", "404")
