"""SIGKILL at random moments, several times, then a rerun: a complete archive, no partial rows."""

from __future__ import annotations

import random
import signal
import time

from sqlalchemy import func, select

from crawler.archive.database import create_archive_engine
from crawler.archive.models import ArticleRecord, ArticleVersion, RawPage
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
        raw = set(conn.execute(select(RawPage.article_id)).scalars())
    engine.dispose()
    assert articles[0] == articles[1] == versioned
    assert set(links) <= raw


def test_repeated_kills_leave_a_consistent_archive_that_a_rerun_completes(database_url):
    chance = random.Random(20261124)
    site = LocalSite(pages=400)
    # 400 pages at 4 in flight take ten seconds: no run can finish before its kill,
    # however fast or loaded the machine.
    site.delay = 0.1
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
            process.send_signal(signal.SIGKILL)
            process.wait(30)
            _wait_for_workers_to_exit()  # a worker may still commit the batch in hand
            assert_consistent(database_url, site)

        site.delay = 0
        final = crawl(database_url, start=SEED_ID, base_url=base_url)

    assert final.returncode == 0, final.log
    assert archive_db.archived_ids(database_url) == site.reachable()
    assert_consistent(database_url, site)
    statuses = [run.status for run in archive_db.runs(database_url)]
    assert "running" not in statuses and statuses[-1] == "finished"
    assert "interrupted" in statuses
    assert not _orphans(), "an archive worker outlived its crawl"


def _wait_until_fetching(site: LocalSite, served: int, timeout: float = 60.0) -> None:
    """Until the new crawl's first request: it has started and recorded its run."""
    deadline = time.monotonic() + timeout
    while len(site.requests) <= served:
        assert time.monotonic() < deadline, "the crawl never started fetching"
        time.sleep(0.05)


def _wait_for_workers_to_exit(timeout: float = 15.0) -> None:
    """Until the killed crawl's archive worker has noticed and left (it checks every 0.5 s)."""
    deadline = time.monotonic() + timeout
    while _orphans(settle=0) and time.monotonic() < deadline:
        time.sleep(0.1)


def _orphans(settle: float = 2.0) -> list[str]:
    """Archive workers left behind by a killed crawl."""
    import subprocess

    time.sleep(settle)
    listed = subprocess.run(
        ["ps", "-eo", "ppid,cmd"], capture_output=True, text=True, check=True
    ).stdout
    return [line for line in listed.splitlines() if "spawn_main" in line and line.split()[0] == "1"]
