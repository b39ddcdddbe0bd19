"""Failing servers: back-off, Retry-After, and failures recorded for the next run to retry."""

from __future__ import annotations

import time

from localcopy.server import ServerThread
from localcopy.site import SEED_ID, LocalSite, Reply
from tests import archive_db
from tests.conftest import crawl, start_crawl, stat

FAST_RETRIES = ("ARCHIVE_RETRY_BACKOFF=0.2", "RETRY_TIMES=2")
ERROR = Reply(500, b"<html><body>Internal error</body></html>")


def unavailable(after: str) -> Reply:
    return Reply(503, b"<html><body>Busy</body></html>", {"Retry-After": after})


def times_asked(site: LocalSite, article_id: str) -> list[float]:
    return [at for at, asked in site.requests if asked == article_id]


def test_a_500_is_retried_after_a_wait_and_the_page_archived(sqlite_url, local_site, site_url):
    """How long each wait is, test_retry_policy.py holds; here only the lower bound always holds."""
    target = local_site.related[SEED_ID][0]
    local_site.overrides[target] = [ERROR, ERROR, local_site.page_reply(target)]

    run = crawl(sqlite_url, start=SEED_ID, base_url=site_url, settings=FAST_RETRIES)

    assert run.returncode == 0, run.log
    assert target in archive_db.archived_ids(sqlite_url)
    first, second, third = times_asked(local_site, target)
    assert second - first >= 0.09  # the shortest wait: half the 0.2 s back-off
    assert third - second >= 0.09


def test_retry_after_on_a_503_is_honoured(sqlite_url, local_site, site_url):
    target = local_site.related[SEED_ID][1]
    local_site.overrides[target] = [unavailable("2"), local_site.page_reply(target)]

    crawl(sqlite_url, start=SEED_ID, base_url=site_url, settings=FAST_RETRIES)

    first, second = times_asked(local_site, target)
    assert second - first >= 1.9
    assert target in archive_db.archived_ids(sqlite_url)


def test_a_429_with_retry_after_as_an_http_date_is_retried_and_the_page_archived(
    sqlite_url, local_site, site_url
):
    """The wait such a date asks for is held in test_retry_policy.py, on a clock of the test's."""
    from email.utils import formatdate

    target = local_site.related[SEED_ID][2]
    when = formatdate(time.time() + 2, usegmt=True)
    local_site.overrides[target] = [
        Reply(429, b"slow down", {"Retry-After": when}),
        local_site.page_reply(target),
    ]

    crawl(sqlite_url, start=SEED_ID, base_url=site_url, settings=FAST_RETRIES)

    assert len(times_asked(local_site, target)) == 2
    assert target in archive_db.archived_ids(sqlite_url)


def test_a_retry_after_longer_than_allowed_leaves_the_page_to_the_next_run(
    database_url, local_site, site_url
):
    target = local_site.related[SEED_ID][3]
    local_site.overrides[target] = unavailable("3600")

    first = crawl(database_url, start=SEED_ID, base_url=site_url, settings=FAST_RETRIES)

    assert len(times_asked(local_site, target)) == 1
    assert archive_db.failures(database_url)[target].reason == "http_503"
    assert stat(first.log, "retry/retry_after_too_long") == 1

    local_site.restore_page(target)
    crawl(database_url, start=SEED_ID, base_url=site_url)
    assert target in archive_db.archived_ids(database_url)


def test_a_timeout_is_retried_then_recorded_and_fetched_by_the_next_run(
    database_url, local_site, site_url
):
    target = local_site.related[SEED_ID][4]
    local_site.overrides[target] = Reply(200, b"too late", delay=3)

    crawl(
        database_url,
        start=SEED_ID,
        base_url=site_url,
        settings=(*FAST_RETRIES, "DOWNLOAD_TIMEOUT=1"),
    )

    assert len(times_asked(local_site, target)) == 3
    assert archive_db.failures(database_url)[target].reason == "timeout"

    local_site.restore_page(target)
    crawl(database_url, start=SEED_ID, base_url=site_url)
    assert target in archive_db.archived_ids(database_url)
    assert target not in archive_db.failures(database_url)


def test_a_connection_reset_is_retried(sqlite_url, local_site, site_url):
    target = local_site.related[SEED_ID][5]
    local_site.overrides[target] = [Reply(200, b"", reset=True), local_site.page_reply(target)]

    crawl(sqlite_url, start=SEED_ID, base_url=site_url, settings=FAST_RETRIES)

    assert target in archive_db.archived_ids(sqlite_url)


def test_a_connection_that_always_resets_is_recorded(sqlite_url, local_site, site_url):
    target = local_site.related[SEED_ID][6]
    local_site.overrides[target] = Reply(200, b"", reset=True)

    crawl(sqlite_url, start=SEED_ID, base_url=site_url, settings=FAST_RETRIES)

    assert archive_db.failures(sqlite_url)[target].reason == "connection"


def test_slow_responses_are_waited_for(sqlite_url, local_site, site_url):
    target = local_site.related[SEED_ID][7]
    local_site.overrides[target] = [
        Reply(200, local_site.render(target), {"Content-Type": "text/html"}, delay=1.5)
    ]

    crawl(sqlite_url, start=SEED_ID, base_url=site_url, settings=("DOWNLOAD_TIMEOUT=5",))

    assert target in archive_db.archived_ids(sqlite_url)


def test_a_server_that_vanishes_mid_crawl_loses_nothing(database_url):
    site = LocalSite(pages=200)
    site.delay = 0.03
    server = ServerThread(site)
    base_url = server.__enter__()
    process = start_crawl(
        database_url,
        start=SEED_ID,
        base_url=base_url,
        settings=(*FAST_RETRIES, "CONCURRENT_REQUESTS_PER_DOMAIN=4"),
    )
    deadline = time.monotonic() + 60
    while len(_archived(database_url)) < 20 and time.monotonic() < deadline:
        time.sleep(0.1)
    server.__exit__(None, None, None)

    output, _ = process.communicate(timeout=120)
    assert process.returncode in (0, 3), output  # it ends, loudly or not, rather than hang
    assert len(_archived(database_url)) < site.pages
    reasons = {f.reason for f in archive_db.failures(database_url).values()}
    assert reasons & {"connection", "connection_refused"}, reasons

    site.delay = 0
    port = int(base_url.rsplit(":", 1)[1])
    with ServerThread(site, port=port):
        again = crawl(database_url, start=SEED_ID, base_url=base_url)

    assert again.returncode == 0, again.log
    assert _archived(database_url) == site.reachable()


def _archived(url: str) -> set[str]:
    try:
        return archive_db.archived_ids(url)
    except Exception:
        return set()
