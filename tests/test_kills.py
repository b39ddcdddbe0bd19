"""SIGKILL at random moments, several times, then a rerun: a complete archive, no partial rows."""

from __future__ import annotations

import random
import signal
import subprocess
import time
from pathlib import Path

from sqlalchemy import func, select

from crawler.archive.database import create_archive_engine
from crawler.archive.models import ArticleRecord, ArticleVersion, Capture
from localcopy.server import ServerThread
from localcopy.site import SEED_ID, LocalSite
from tests import archive_db
from tests.conftest import crawl, start_crawl
from tests.test_crawl import archived

KILLS = 4


def assert_consistent(url: str, site: LocalSite) -> None:
    """Each article whole: all its links, its current version, its raw page; none twice."""
    links = archived(url)
    assert links == {article_id: site.related[article_id] for article_id in links}
    engine = create_archive_engine(url)
    with engine.connect() as conn:
        articles = conn.execute(
            select(func.count(), func.count(ArticleRecord.article_id.distinct()))
        ).one()
        versioned = conn.execute(
            select(func.count())
            .select_from(ArticleRecord)
            .join(
                ArticleVersion,
                (ArticleVersion.article_pk == ArticleRecord.id)
                & (ArticleVersion.version == ArticleRecord.version),
            )
        ).scalar_one()
        raw = set(conn.execute(select(Capture.article_id)).scalars())
    engine.dispose()
    assert articles[0] == articles[1] == versioned
    assert set(links) <= raw


def test_repeated_kills_leave_a_consistent_archive_that_a_rerun_completes(database_url):
    chance = random.Random(20261124)
    site = LocalSite(pages=400)
    # 400 pages at 4 in flight take ten seconds: no run can finish before its kill,
    # however fast or loaded the machine.
    site.delay = 0.1
    spawned: set[int] = set()
    with ServerThread(site) as base_url:
        for _ in range(KILLS):
            served = len(site.requests)
            process = start_crawl(
                database_url,
                start=SEED_ID,
                base_url=base_url,
                settings=("CONCURRENT_REQUESTS_PER_DOMAIN=4",),
            )
            _wait_until_fetching(site, served)
            time.sleep(chance.uniform(0.2, 2.0))
            workers = _archive_workers_of(process.pid)
            spawned |= workers
            process.send_signal(signal.SIGKILL)
            process.wait(30)
            _wait_for_exit(workers)  # a worker may still commit the batch in hand
            assert_consistent(database_url, site)

        site.delay = 0
        final = crawl(database_url, start=SEED_ID, base_url=base_url)

    assert final.returncode == 0, final.log
    assert archive_db.archived_ids(database_url) == site.reachable()
    assert_consistent(database_url, site)
    statuses = [run.status for run in archive_db.runs(database_url)]
    assert "running" not in statuses and statuses[-1] == "finished"
    assert "interrupted" in statuses
    assert spawned, "the crawls ran their archive workers"
    _wait_for_exit(spawned)
    assert not _alive(spawned), "an archive worker outlived its crawl"


def _wait_until_fetching(site: LocalSite, served: int, timeout: float = 60.0) -> None:
    """Until the new crawl's first request: it has started and recorded its run."""
    deadline = time.monotonic() + timeout
    while len(site.requests) <= served:
        assert time.monotonic() < deadline, "the crawl never started fetching"
        time.sleep(0.05)


def _archive_workers_of(pid: int) -> set[int]:
    """The archive worker processes a crawl started (multiprocessing's spawned children).

    Only this test's own: other tests on the machine kill crawls too.
    """
    listed = subprocess.run(
        ["ps", "-ww", "-eo", "pid,ppid,cmd"], capture_output=True, text=True, check=True
    ).stdout
    return {
        int(fields[0])
        for fields in (line.split(maxsplit=2) for line in listed.splitlines()[1:])
        if len(fields) == 3 and fields[1] == str(pid) and "spawn_main" in fields[2]
    }


def _alive(pids: set[int]) -> set[int]:
    """Those of `pids` still running (a pid gone, reaped or a zombie is not)."""
    running = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if state != "Z" and b"spawn_main" in command:
            running.add(pid)
    return running


def _wait_for_exit(pids: set[int], timeout: float = 30.0) -> None:
    """Until the killed crawls' archive workers have noticed and left (they check every 0.5 s)."""
    deadline = time.monotonic() + timeout
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
