"""scripts/cron/archive-crawl as cron runs it: where it finds the crawler, what the mail says first.

A finished run and a degraded one are in tests/test_runs.py.
"""

from __future__ import annotations

import subprocess

from tests.conftest import ROOT
from tests.test_runs import _cron_wrapper


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
