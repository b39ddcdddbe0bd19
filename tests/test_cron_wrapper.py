"""scripts/cron/archive-crawl as cron runs it: where it finds the crawler, what the mail says first.

A finished run and a degraded one are in tests/test_runs.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from crawler.archive.database import create_archive_engine
from crawler.archive.lock import SiteLock
from crawler.cli.cron import old_logs
from tests.conftest import ROOT
from tests.test_crawl_all import local, two_sites
from tests.test_runs import _cron_wrapper

__all__ = ["two_sites"]  # a fixture, shared with test_crawl_all


def test_the_virtual_environment_is_configurable_and_a_missing_one_named(tmp_path):
    done = _cron_wrapper(ARCHIVE_VENV=str(tmp_path / "nowhere"), ARCHIVE_LOG_DIR=str(tmp_path))

    assert done.returncode == 2
    [first] = done.stdout.splitlines()
    assert first == (
        f"news archive crawl cannot start (exit 2): no crawler installed in "
        f"{tmp_path / 'nowhere'} (set ARCHIVE_VENV)"
    )


def test_a_run_that_cannot_start_gives_the_crawls_own_reason_first(sqlite_url, tmp_path):
    done = _cron_wrapper(
        ARCHIVE_VENV=str(ROOT / ".venv"),
        ARCHIVE_DB=sqlite_url,
        ARCHIVE_LOG_DIR=str(tmp_path / "logs"),
        CRAWL_ARGS="-a site=nowhere",
    )

    assert done.returncode == 2
    first, log_line = done.stdout.splitlines()
    assert first == (
        "news archive crawl cannot start (exit 2): no site profile named 'nowhere' "
        "(known: alalam_en, generic)"
    )
    [log] = (tmp_path / "logs").glob("crawl-*.log")
    assert log_line == f"log: {log}"
    assert "Error: no site profile named 'nowhere'" in log.read_text()
    summary = (tmp_path / "logs" / "summary.log").read_text()
    assert "exit=2 no summary: no site profile named 'nowhere'" in summary


def test_the_logs_directory_is_ignored_by_git():
    ignored = subprocess.run(
        ["git", "check-ignore", "--quiet", "--no-index", "logs/crawl-20261124T131700Z.log"],
        cwd=ROOT,
        check=False,
    )

    assert ignored.returncode == 0


# -- news-archive cron: the wrapper as the package ships it ------------------------------


def news_archive_cron(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "cron", *args],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_cron_all_mails_the_worst_sites_reason_first_and_logs_a_line_a_site(two_sites, tmp_path):
    url, _, _ = two_sites
    engine = create_archive_engine(url)
    lock = SiteLock(engine, "mirror")  # the mirror's previous run is still going
    try:
        done = news_archive_cron(
            "--log-dir",
            str(tmp_path / "logs"),
            "--all",
            *local("2026-12-02T13:00:00+00:00"),
            ARCHIVE_DB=url,
        )
    finally:
        lock.release()
        engine.dispose()

    assert done.returncode == 4, done.stdout + done.stderr
    first, alalam_en, mirror, log = done.stdout.splitlines()
    assert first.startswith("news archive crawl locked (exit 4): mirror: did not start (exit 4): ")
    assert alalam_en.startswith("alalam_en: Run 3 finished")
    assert mirror.startswith("mirror: did not start")
    assert log.startswith("log: ")
    summary = (tmp_path / "logs" / "summary.log").read_text().splitlines()
    assert [line.split(" ", 2)[1:] for line in summary] == [
        ["exit=4", alalam_en],
        ["exit=4", mirror],
    ]


def test_cron_removes_crawl_logs_older_than_keep_days(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    now = time.time()
    for name, days in (("crawl-old.log", 31), ("crawl-recent.log", 29), ("other.log", 90)):
        (logs / name).write_text("")
        os.utime(logs / name, (now - days * 86400, now - days * 86400))

    done = news_archive_cron("--log-dir", str(logs), "--keep-days", "30", "-a", "site=nowhere")

    assert done.returncode == 2
    remaining = sorted(path.name for path in logs.iterdir() if not path.name.startswith("crawl-2"))
    assert remaining == ["crawl-recent.log", "other.log", "summary.log"]


def test_which_logs_are_old_is_decided_against_the_clock_given(tmp_path):
    log = tmp_path / "crawl-20261101T000000Z.log"
    log.write_text("")
    written = datetime.fromtimestamp(log.stat().st_mtime, UTC)

    assert old_logs(tmp_path, written + timedelta(days=30, seconds=1), timedelta(days=30)) == [log]
    assert old_logs(tmp_path, written + timedelta(days=29), timedelta(days=30)) == []
