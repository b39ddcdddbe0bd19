"""Shared fixtures: the site profile, saved pages, real databases, the local copy, real crawls."""

from __future__ import annotations

import json
import os
import re
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pytest

from crawler.archive.database import create_archive_engine
from crawler.archive.store import ArchiveStore
from crawler.sites import get_profile
from localcopy.crawls import crawl_command
from localcopy.postgresql import throwaway_database
from localcopy.server import ServerThread
from localcopy.site import LocalSite
from tests import migrated as migrated_archives
from tests.forked import run_module

if TYPE_CHECKING:
    from collections.abc import Iterator

    from crawler.sites.profile import SiteProfile

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SITE_FIXTURES = ROOT / "crawler" / "sites" / "fixtures"
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
SEED_URL = "https://en.alalam.ir/news/1851093"


@pytest.fixture
def profile() -> SiteProfile:
    return get_profile("alalam_en")


# -- spreading the suite over pytest-xdist's workers ------------------------------------


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup``: tests spread one by one, modules with a shared fixture whole."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from tests.scheduling import ModuleFixtureScheduling

    return ModuleFixtureScheduling(config, log)


def seed_html() -> str:
    return (SITE_FIXTURES / "alalam_en" / "1851093.html").read_text(encoding="utf-8")


def seed_expected() -> dict[str, Any]:
    return json.loads((SITE_FIXTURES / "alalam_en" / "1851093.expected.json").read_text("utf-8"))


# -- databases -------------------------------------------------------------------------


def _postgres_or_skip() -> None:
    try:
        psycopg.connect(PG_ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError as error:
        message = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI must run the PostgreSQL tests)")
        pytest.skip(message)


@contextmanager
def fresh_postgresql_database(*, migrated: bool = False) -> Iterator[str]:
    """A database of its own on the running PostgreSQL, dropped afterwards.

    Empty, or `migrated`: a copy of the suite's migrated template (tests/migrated.py).
    """
    _postgres_or_skip()
    template = migrated_archives.postgresql_template(PG_ADMIN_URL) if migrated else None
    with throwaway_database(PG_ADMIN_URL, "archive_test", template=template) as url:
        yield url


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the run's first process, not an xdist worker
        migrated_archives.name_the_template()


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):
        migrated_archives.drop_postgresql_template(PG_ADMIN_URL)


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    """An archive of its own on PostgreSQL, at the current schema and holding nothing."""
    with fresh_postgresql_database(migrated=True) as url:
        yield url


@pytest.fixture
def empty_postgresql_url() -> Iterator[str]:
    """A database of its own on PostgreSQL with no schema yet: the migrations make it."""
    with fresh_postgresql_database() as url:
        yield url


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this worker keeps the SQLite archive the migrations made, to copy from."""
    return tmp_path_factory.mktemp("migrated") / "archive.sqlite3"


@pytest.fixture
def sqlite_url(tmp_path: Path, migrated_sqlite_file: Path) -> str:
    """An archive file of its own, at the current schema and holding nothing."""
    path = tmp_path / "archive.sqlite3"
    migrated_archives.copy_migrated_sqlite(migrated_sqlite_file, path)
    return f"sqlite:///{path}"


@pytest.fixture
def empty_sqlite_url(tmp_path: Path) -> str:
    """Where no archive file is yet: the first crawl or migration makes it."""
    return f"sqlite:///{tmp_path / 'archive.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test that takes this runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest) -> str:
    """`database_url`, with no schema yet."""
    return request.getfixturevalue(f"empty_{request.param}_url")


@pytest.fixture
def store(database_url: str) -> Iterator[ArchiveStore]:
    engine = create_archive_engine(database_url, writer=True)
    yield ArchiveStore(engine)
    engine.dispose()


# -- the local copy and real crawls ------------------------------------------------------


@pytest.fixture
def local_site() -> LocalSite:
    return LocalSite(pages=60, orphans=2)


@pytest.fixture
def site_url(local_site: LocalSite) -> Iterator[str]:
    with ServerThread(local_site) as base_url:
        yield base_url


@dataclass
class CrawlRun:
    returncode: int
    stdout: str
    """What the command printed for people: the run's one-line summary."""
    log: str
    """stdout and the log together."""


def crawl(
    database_url: str,
    *args: str,
    start: str | None = None,
    base_url: str | None = None,
    settings: tuple[str, ...] = (),
    timeout: float = 120,
) -> CrawlRun:
    """A real `scrapy crawl related` in its own process, as a user runs it.

    The process is a fork of the test's (tests/forked.py): the same command
    line, entry point and exit code, without a new interpreter's start-up.
    """
    command = crawl_command(*args, start=start, base_url=base_url, settings=settings)
    env = {**os.environ, "ARCHIVE_DB": database_url}
    done = run_module(command, cwd=ROOT, env=env, timeout=timeout)
    return CrawlRun(done.returncode, done.stdout, done.stdout + done.stderr)


def start_crawl(
    database_url: str,
    *args: str,
    start: str | None = None,
    base_url: str | None = None,
    settings: tuple[str, ...] = (),
) -> subprocess.Popen[str]:
    """A crawl in the background, for tests that stop or race it."""
    command = crawl_command(*args, start=start, base_url=base_url, settings=settings)
    env = {**os.environ, "ARCHIVE_DB": database_url}
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def stat(log: str, name: str) -> int:
    """A numeric value from the stats Scrapy dumps at the end of a crawl (0 when absent)."""
    match = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(match.group(1)) if match else 0


def crawled_ids(log: str) -> list[str]:
    """Article ids the crawl downloaded, from its DEBUG log."""
    return re.findall(r"Crawled \(\d+\) <GET https?://[^/]+/news/(\d+)>", log)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A file system of 8 MB of its own (tmpfs), so that a test can fill it."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)
