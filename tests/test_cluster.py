"""Several workers, one frontier in Redis, one PostgreSQL archive: real crawls of the local copy.

Each test has a Redis key prefix and a database of its own, and removes both.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select

from crawler.archive.database import create_archive_engine
from crawler.archive.models import RelatedLinkRecord
from crawler.cluster.membership import SharedFrontier
from localcopy.server import ServerThread
from localcopy.site import SEED_ID, LocalSite
from tests import archive_db
from tests.archive_db import last_read_ids
from tests.conftest import ROOT, crawl, start_crawl
from tests.test_crawl import archived
from tests.test_kills import assert_consistent

if TYPE_CHECKING:
    from collections.abc import Iterator

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_or_skip() -> Redis:
    try:
        server = Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        server.ping()
    except RedisError as error:
        message = f"Redis not reachable at {REDIS_URL}: {error}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI must run the Redis tests)")
        pytest.skip(message)
    return server


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of the test's own on the running Redis; its keys are deleted afterwards."""
    server = _redis_or_skip()
    prefix = f"archive-test-{uuid.uuid4().hex[:12]}"
    try:
        yield prefix
    finally:
        keys = list(server.scan_iter(match=f"{prefix}*"))
        if keys:
            server.delete(*keys)
        server.close()


@pytest.fixture
def cluster(redis_prefix: str) -> tuple[str, ...]:
    """Settings that make a crawl a worker of the test's frontier, quick to notice the end."""
    return (
        f"ARCHIVE_FRONTIER={REDIS_URL}",
        f"ARCHIVE_FRONTIER_KEY={redis_prefix}:%(site)s",
        "ARCHIVE_FRONTIER_HEARTBEAT=0.5",
        "ARCHIVE_FRONTIER_WORKER_TIMEOUT=3",
        "MAX_IDLE_TIME_BEFORE_CLOSE=2",
    )


def _wait_for_requests(site: LocalSite, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while len(site.requests) < count:
        assert time.monotonic() < deadline, "the crawl did not fetch in time"
        time.sleep(0.05)


def _wait_for_served(site: LocalSite, agent: str, count: int, timeout: float = 300.0) -> None:
    """Until the worker that sends `agent` has fetched `count` pages the site serves."""
    deadline = time.monotonic() + timeout
    while site.served_to[agent] < count:
        assert time.monotonic() < deadline, f"{agent} did not fetch in time"
        time.sleep(0.05)


def _wait_for_workers(prefix: str, count: int, timeout: float = 60.0) -> None:
    """Until `count` workers have joined the frontier (the scheduler registers them)."""
    server = Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + timeout
    while server.zcard(f"{prefix}:alalam_en:workers") < count:
        assert time.monotonic() < deadline, "the workers did not join in time"
        time.sleep(0.05)
    server.close()


def _finish(process: subprocess.Popen[str], timeout: float = 120) -> str:
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output
    return output


def _related_link_count(url: str) -> int:
    engine = create_archive_engine(url)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(RelatedLinkRecord)).scalar_one()
    engine.dispose()
    return count


FIRST = "first worker (test)"
SECOND = "second worker (test)"


def test_two_workers_started_apart_archive_every_article_once(
    postgresql_url, cluster, redis_prefix
):
    site = LocalSite(pages=300)
    site.delay = 0.5
    slow = (*cluster, "CONCURRENT_REQUESTS_PER_DOMAIN=2")
    # Once it has begun, the first worker is held (its requests wait unanswered, and
    # never time out) until the second has archived pages of its own, however long
    # the second takes to start: a third of the ids linked are 404s, so pages
    # served count, not requests.
    beginning = (*slow, f"USER_AGENT={FIRST}", "DOWNLOAD_TIMEOUT=900")
    with ServerThread(site) as base_url:
        first = start_crawl(postgresql_url, start=SEED_ID, base_url=base_url, settings=beginning)
        _wait_for_requests(site, 10)
        site.held_agents.add(FIRST)
        # No seeds: it works on what the first one queues.
        joining = (*slow, f"USER_AGENT={SECOND}")
        second = start_crawl(postgresql_url, base_url=base_url, settings=joining)
        _wait_for_workers(redis_prefix, 2)
        _wait_for_served(site, SECOND, 5)
        site.held_agents.discard(FIRST)
        site.delay = 0.02
        logs = [_finish(first), _finish(second)]  # both stop by themselves

        reachable = site.reachable()
        fetched = Counter(article_id for _, article_id in site.requests)
        assert set(fetched) == reachable | site.missing()
        assert max(fetched.values()) == 1, "an article was fetched twice"

        # The next run over the archive: a fresh seen-set, and the archive says
        # that everything but the seed (always fetched) is archived and not due.
        site.requests.clear()
        again = crawl(postgresql_url, start=SEED_ID, base_url=base_url, settings=cluster)
        assert again.returncode == 0, again.log
        assert [article_id for _, article_id in site.requests] == [SEED_ID]

    links = archived(postgresql_url)
    assert set(links) == reachable
    assert links == {article_id: site.related[article_id] for article_id in links}
    assert sorted(last_read_ids(postgresql_url)) == sorted(reachable)
    assert _related_link_count(postgresql_url) == sum(len(site.related[i]) for i in reachable)

    runs = archive_db.runs(postgresql_url)
    workers = runs[:2]
    assert [run.status for run in runs] == ["finished"] * 3
    assert len({(run.host, run.pid) for run in workers}) == 2
    assert all(run.pages_fetched > 0 for run in workers), [r.pages_fetched for r in workers]
    assert sum(run.pages_fetched for run in workers) == len(reachable)
    assert workers[0].arguments["frontier"]["run"] == workers[1].arguments["frontier"]["run"]
    assert runs[2].arguments["frontier"]["run"] == workers[0].arguments["frontier"]["run"] + 1
    assert "began run" in logs[0] and "joined run" in logs[1]
    assert "DeprecationWarning" not in "".join(logs)

    server = Redis.from_url(REDIS_URL)
    left = sorted(key.decode() for key in server.scan_iter(match=f"{redis_prefix}*"))
    server.close()
    assert left == [f"{redis_prefix}:alalam_en:run"], "the last worker out cleans up"


HOARDER = "hoarding-worker (test)"


def test_a_worker_killed_mid_crawl_loses_nothing_after_the_next_run(postgresql_url, cluster):
    site = LocalSite(pages=400)
    site.delay = 0.5
    slow = (*cluster, "CONCURRENT_REQUESTS_PER_DOMAIN=2")
    # The first worker is held (its requests wait unanswered, and never time out)
    # until the second, however late it starts, has taken pages of its own.
    beginning = (*slow, f"USER_AGENT={FIRST}", "DOWNLOAD_TIMEOUT=900")
    with ServerThread(site) as base_url:
        first = start_crawl(postgresql_url, start=SEED_ID, base_url=base_url, settings=beginning)
        _wait_for_requests(site, 20)
        site.held_agents.add(FIRST)
        # It stores nothing before its end: whatever it takes is lost when it is killed.
        hoarding = (
            *slow,
            "ARCHIVE_BATCH_SIZE=1000",
            "ARCHIVE_BATCH_SECONDS=600",
            f"USER_AGENT={HOARDER}",
        )
        second = start_crawl(postgresql_url, start=SEED_ID, base_url=base_url, settings=hoarding)
        _wait_for_served(site, HOARDER, 20)  # it has taken pages of its own from the frontier
        second.send_signal(signal.SIGKILL)
        second.wait(30)
        site.held_agents.discard(FIRST)
        site.delay = 0.02
        _finish(first)  # goes on alone, and stops once the killed worker counts as gone
        time.sleep(0.5)  # the killed worker's archive process notices its parent is gone
        assert_consistent(postgresql_url, site)
        lost = site.reachable() - archive_db.archived_ids(postgresql_url)
        assert lost, "the killed worker had taken pages it had not stored"

        site.delay = 0
        rerun = crawl(postgresql_url, start=SEED_ID, base_url=base_url, settings=cluster)

    assert rerun.returncode == 0, rerun.log
    assert "began run" in rerun.log
    assert archive_db.archived_ids(postgresql_url) == site.reachable()
    assert_consistent(postgresql_url, site)
    statuses = [run.status for run in archive_db.runs(postgresql_url)]
    # The killed worker's row is closed by the next worker that finds it not alive.
    assert statuses == ["finished", "interrupted", "finished"]


def test_a_worker_with_nothing_to_do_stops_by_itself(sqlite_url, cluster, site_url):
    # A worker that waited for work that never comes would be killed at the timeout.
    run = crawl(sqlite_url, base_url=site_url, settings=cluster, timeout=90)

    assert run.returncode == 0, run.log
    assert "0 pages archived" in run.stdout


def test_a_single_process_run_and_a_cluster_exclude_each_other(postgresql_url, cluster):
    site = LocalSite(pages=200)
    site.delay = 0.5  # the worker still holds its lock however late the second run starts
    slow = (*cluster, "CONCURRENT_REQUESTS_PER_DOMAIN=2")
    with ServerThread(site) as base_url:
        worker = start_crawl(postgresql_url, start=SEED_ID, base_url=base_url, settings=slow)
        _wait_for_requests(site, 10)
        alone = crawl(postgresql_url, start=SEED_ID, base_url=base_url)
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=60)

    assert alone.returncode == 4, alone.log
    assert "another crawl of alalam_en" in alone.log


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1:6379/0", "must be a redis://, rediss:// or unix:// URL"),
        ("redis://:secret-not-shown@127.0.0.1:1/0", "does not answer"),
    ],
)
def test_a_frontier_that_cannot_be_used_stops_the_crawl_before_it_starts(sqlite_url, url, message):
    run = crawl(sqlite_url, start=SEED_ID, settings=(f"ARCHIVE_FRONTIER={url}",))

    assert run.returncode == 2
    assert message in run.log
    assert "secret-not-shown" not in run.log
    assert "Traceback" not in run.log


def test_runs_begin_when_no_worker_is_alive_and_end_with_the_last(redis_prefix):
    server = Redis.from_url(REDIS_URL)
    one = SharedFrontier(server, redis_prefix, "host:1", timeout=60)
    two = SharedFrontier(server, redis_prefix, "host:2", timeout=60)

    first = one.join()
    joined = two.join()
    assert (first.run, first.began) == (1, True)
    assert (joined.run, joined.began) == (1, False)
    assert joined.others_busy == 1  # a worker joins with work in hand
    assert not one.seen_article("1851093")
    assert two.seen_article("1851093")
    assert not two.seen_fingerprint("ab") and one.seen_fingerprint("ab")
    assert one.live_workers() == {"host:1", "host:2"}

    assert not one.leave()  # another worker is still in the run
    assert two.leave()  # the last one out drops the run's seen-set
    assert not server.exists(f"{redis_prefix}:seen:1:ids", f"{redis_prefix}:seen:1:other")

    again = SharedFrontier(server, redis_prefix, "host:3", timeout=60).join()
    assert (again.run, again.began) == (2, True)
    server.close()


def test_a_silent_worker_counts_as_gone_and_a_heartbeat_never_begins_a_run(redis_prefix):
    server = Redis.from_url(REDIS_URL)
    killed = SharedFrontier(server, redis_prefix, "host:1", timeout=0.2)
    killed.join()
    killed.seen_article("7")
    time.sleep(0.3)

    # Taken for dead, a worker's heartbeat puts it back in its run.
    assert killed.beat(busy=False).run == 1
    time.sleep(0.3)
    newcomer = SharedFrontier(server, redis_prefix, f"{socket.gethostname()}:2", timeout=60)
    beat = newcomer.join()

    assert (beat.run, beat.began, beat.others_busy) == (2, True, 0)
    assert not newcomer.seen_article("7")  # a new run: the killed run's seen-set is gone
    assert not server.exists(f"{redis_prefix}:seen:1:ids")
    server.close()


def test_seeds_queued_by_scrapy_seed_are_crawled_by_workers_started_later(
    postgresql_url, cluster, redis_prefix, local_site, site_url
):
    command = [sys.executable, "-m", "scrapy", "seed", "related", "-a", f"start={SEED_ID}"]
    command += ["-a", f"base_url={site_url}", *(f"-s{setting}" for setting in cluster)]
    seed = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert seed.returncode == 0, seed.stdout + seed.stderr
    assert "Queued 1 requests" in seed.stdout
    # Something no worker wrote (a pickle, say) is dropped, never run.
    server = Redis.from_url(REDIS_URL)
    server.zadd(f"{redis_prefix}:alalam_en:requests", {b"\x80\x04K\x01.": 0})
    server.close()

    run = crawl(postgresql_url, base_url=site_url, settings=cluster)  # no seeds of its own

    assert run.returncode == 0, run.log
    assert archive_db.archived_ids(postgresql_url) == local_site.reachable()
    assert "Dropped an unreadable entry of the frontier" in run.log


@contextmanager
def private_redis() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A Redis server of the test's own, on a free port, for a test that takes it away."""
    if shutil.which("redis-server") is None:
        message = "redis-server is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI must run the Redis tests)")
        pytest.skip(message)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                Redis.from_url(url).ping()
                break
            except RedisError:
                assert time.monotonic() < deadline, "the private Redis did not start"
                time.sleep(0.05)
        yield url, process
    finally:
        process.kill()
        process.wait(10)


def test_a_worker_whose_redis_goes_away_fails_and_keeps_what_it_fetched(sqlite_url):
    site = LocalSite(pages=300)
    site.delay = 0.2  # a minute for the site: Redis goes away long before the end
    with private_redis() as (url, redis_server), ServerThread(site) as base_url:
        worker = start_crawl(
            sqlite_url,
            start=SEED_ID,
            base_url=base_url,
            settings=(
                f"ARCHIVE_FRONTIER={url}",
                "ARCHIVE_FRONTIER_HEARTBEAT=0.5",
                "ARCHIVE_FRONTIER_WORKER_TIMEOUT=3",
                "CONCURRENT_REQUESTS_PER_DOMAIN=2",
            ),
        )
        try:
            _wait_for_requests(site, 20)
            redis_server.kill()
            output, _ = worker.communicate(timeout=90)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait(10)

    assert worker.returncode == 1, output
    [run] = archive_db.runs(sqlite_url)
    assert (run.status, run.finish_reason) == ("failed", "frontier_lost")
    assert f"the shared frontier {url} went away" in run.message
    assert "failed in" in output.splitlines()[-1]
    stored = archive_db.archived_ids(sqlite_url)
    assert 0 < len(stored) < site.pages
    assert_consistent(sqlite_url, site)
