"""A run that archives nothing because the site is gone, down or blocking us says so, loudly."""

from __future__ import annotations

import socket

from localcopy.site import SEED_ID, Reply
from tests import archive_db
from tests.conftest import crawl
from tests.test_runs import _cron_wrapper

FAST_RETRIES = ("RETRY_TIMES=1", "ARCHIVE_RETRY_BACKOFF=0.05", "DOWNLOAD_DELAY=0")


def refused_url() -> str:
    """A URL on this machine where nothing listens: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_the_hourly_run_against_a_host_refusing_connections_is_degraded_and_cron_speaks(
    sqlite_url, tmp_path
):
    settings = " ".join(f"-s {setting}" for setting in FAST_RETRIES)

    done = _cron_wrapper(
        ARCHIVE_DB=sqlite_url,
        ARCHIVE_LOG_DIR=str(tmp_path / "logs"),
        CRAWL_ARGS=f"-a base_url={refused_url()} -s AUTOTHROTTLE_ENABLED=False {settings}",
    )

    assert done.returncode == 3, done.stdout + done.stderr
    assert "site unreachable: connection refused on 3 of 3 fetches" in done.stdout
    [run] = archive_db.runs(sqlite_url)
    assert run.status == "degraded"
    assert run.message == "site unreachable: connection refused on 3 of 3 fetches"


def test_a_site_answering_403_to_every_page_is_degraded(sqlite_url, local_site, site_url):
    local_site.blocked = Reply(403, b"<html><body>Forbidden</body></html>")

    blocked = crawl(sqlite_url, start=f"latest,{SEED_ID}", base_url=site_url)

    assert blocked.returncode == 3, blocked.log
    [line] = blocked.stdout.splitlines()
    assert line.endswith("the site refuses the crawler: HTTP 403 on 4 of 4 fetches"), line
    assert archive_db.failures(sqlite_url)[SEED_ID].reason == "http_403"
