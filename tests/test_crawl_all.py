"""`news-archive crawl --all`: each site of the archive that is due, with its own run."""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from crawler.archive.database import create_archive_engine
from crawler.archive.lock import SiteLock
from crawler.cli.crawl_all import worst
from crawler.plan.due import is_due
from crawler.sites import get_profile
from localcopy.crawls import LOCAL_COPY_SETTINGS
from localcopy.server import ServerThread
from localcopy.site import LocalSite
from tests import archive_db
from tests.conftest import ROOT
from tests.forked import run_module

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("every", "last_started", "due", "reason"),
    [
        (None, NOW - 30 * HOUR, False, "its profile's [discovery] sets no every"),
        (None, None, False, "its profile's [discovery] sets no every"),
        (HOUR, None, True, "never crawled"),
        (HOUR, NOW - 2 * HOUR, True, "due since 2026-12-02T11:00:00Z (every 1h)"),
        (HOUR, NOW - HOUR, True, "due since 2026-12-02T12:00:00Z (every 1h)"),
        (HOUR, NOW - HOUR + timedelta(seconds=1), False, "not due until 2026-12-02T12:00:01Z"),
        (90 * timedelta(minutes=1), NOW - HOUR, False, "not due until 2026-12-02T12:30:00Z"),
        (timedelta(days=1), NOW - 25 * HOUR, True, "(every 1d)"),
    ],
)
def test_a_site_is_due_once_its_last_run_started_every_ago(every, last_started, due, reason):
    decision = is_due(every, last_started, NOW)

    assert decision.due is due
    assert reason in decision.reason


@pytest.mark.parametrize(
    ("codes", "expected"),
    [([], 0), ([0, 0], 0), ([0, 4], 4), ([4, 3], 3), ([3, 5], 5), ([5, 2], 2), ([2, 1, 0], 1)],
)
def test_the_exit_code_of_all_is_the_worst_of_the_sites(codes, expected):
    assert worst(codes) == expected


# -- an archive of two sites, each on a local copy of its own ----------------------------

T0 = "2026-12-02T10:00:00+00:00"
LATER = "2026-12-02T11:30:00+00:00"  # alalam_en (every 1h) is due; the mirror (every 2h) is not


def mirror_file(directory: Path, every: str) -> Path:
    """A second site in alalam_en's layout, from a profile file of its own."""
    text = get_profile("alalam_en").source.read_text(encoding="utf-8")
    text = text.replace('name = "alalam_en"', 'name = "mirror"', 1)
    text = text.replace('every = "1h"', f'every = "{every}"', 1)
    path = directory / "mirror.toml"
    path.write_text(text, encoding="utf-8")
    return path


def news_archive(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`news-archive ARGS` in a process of its own (a fork: tests/forked.py), as cron runs it."""
    command = [sys.executable, "-m", "crawler", *args]
    env = {**os.environ, "ARCHIVE_DB": url}
    return run_module(command, cwd=ROOT, env=env, timeout=300)


def local(clock: str) -> list[str]:
    settings = [*LOCAL_COPY_SETTINGS, f"ARCHIVE_CLOCK={clock}", "LOG_LEVEL=INFO"]
    return [word for setting in settings for word in ("-s", setting)]


@pytest.fixture
def two_sites(sqlite_url, tmp_path):
    """alalam_en and a mirror (from a file), each crawled once at T0 from its own copy."""
    with ServerThread(LocalSite(pages=6)) as first, ServerThread(LocalSite(pages=6)) as second:
        mirror = mirror_file(tmp_path, every="2h")
        for arguments in (
            ["-a", f"base_url={first}"],
            ["-a", f"profile={mirror}", "-a", f"base_url={second}"],
        ):
            done = news_archive(sqlite_url, "crawl", "-a", "start=latest", *arguments, *local(T0))
            assert done.returncode == 0, done.stderr
        yield sqlite_url, first, second


def test_crawl_all_crawls_only_the_sites_that_are_due(two_sites):
    url, first, _ = two_sites

    done = news_archive(url, "crawl", "--all", *local(LATER))

    assert done.returncode == 0, done.stderr
    [first_line, second_line] = done.stdout.splitlines()  # one line a site
    assert first_line.startswith("alalam_en: Run 3 finished in ")
    assert second_line == "mirror: not due until 2026-12-02T12:00:00Z (every 2h)"
    runs = archive_db.runs(url)
    assert [(run.id, run.site) for run in runs] == [
        (1, "alalam_en"),
        (2, "mirror"),
        (3, "alalam_en"),
    ]
    assert runs[2].arguments["spider"] == {
        "start": "latest",
        "site": "alalam_en",
        "base_url": first,
    }


def test_crawl_all_crawls_a_site_from_its_profile_file_with_its_own_run(two_sites):
    url, _, second = two_sites

    done = news_archive(url, "crawl", "--all", *local("2026-12-02T13:00:00+00:00"))

    assert done.returncode == 0, done.stderr
    assert [line.split(" finished")[0] for line in done.stdout.splitlines()] == [
        "alalam_en: Run 3",
        "mirror: Run 4",
    ]
    mirror_run = archive_db.runs(url)[3]
    assert (mirror_run.site, mirror_run.arguments["spider"]["base_url"]) == ("mirror", second)
    assert mirror_run.arguments["spider"]["profile"].endswith("mirror.toml")


def test_a_site_whose_lock_is_held_is_one_line_and_the_worst_exit_code(two_sites):
    url, _, _ = two_sites
    engine = create_archive_engine(url)
    lock = SiteLock(engine, "mirror")  # the mirror's previous run is still going
    try:
        done = news_archive(url, "crawl", "--all", *local("2026-12-02T13:00:00+00:00"))
    finally:
        lock.release()
        engine.dispose()

    assert done.returncode == 4, done.stderr
    [first, second] = done.stdout.splitlines()
    assert first.startswith("alalam_en: Run 3 finished")
    assert second.startswith("mirror: did not start (exit 4): ")


def test_all_refuses_the_arguments_it_chooses_for_each_site(sqlite_url):
    done = news_archive(sqlite_url, "crawl", "--all", "-a", "start=1851093")

    assert done.returncode == 2
    assert "-a start= cannot go with it" in done.stderr


def test_all_without_an_archive_cannot_start(tmp_path):
    done = news_archive(f"sqlite:///{tmp_path / 'none.sqlite3'}", "crawl", "--all")

    assert done.returncode == 2
    assert "Error: no archive at " in done.stderr


def test_a_site_whose_profile_no_longer_loads_is_one_line_and_the_others_go_on(two_sites, tmp_path):
    url, _, _ = two_sites
    mirror = tmp_path / "mirror.toml"
    text = mirror.read_text("utf-8")
    mirror.write_text(text.replace('every = "2h"', 'every = "2 hours"'), "utf-8")

    done = news_archive(url, "crawl", "--all", *local("2026-12-02T13:00:00+00:00"))

    assert done.returncode == 2, done.stderr
    [first, second] = done.stdout.splitlines()
    assert first.startswith("alalam_en: Run 3 finished")
    assert second.startswith(
        f"mirror: not crawled: profile {mirror}: discovery.every: '2 hours' is not a duration"
    )
