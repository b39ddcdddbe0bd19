"""Two workers of one shared frontier against one: what Redis buys and what it costs.

The same local copy is crawled twice into fresh PostgreSQL databases, with a
Redis key prefix of its own each time: once by one worker of a shared frontier
(ARCHIVE_FRONTIER), once by two started together. Pages a second are counted
over the crawl as the archive saw it, from the first page fetched to the last
(`captures.fetched_at`), so that neither the start-up of a process nor the
wait a worker makes, at the end, for work from others counts. The CPU per
page of the one worker (every process of it, as the main benchmark counts)
set beside the single-process crawl's gives the cost of the shared frontier;
the Redis server's own CPU is counted apart.

    python -m bench.cluster --pages 3000 [--pg postgresql://127.0.0.1:5432/test]
        [--redis redis://127.0.0.1:6379/0]
"""

from __future__ import annotations

import argparse
import json
import threading
import uuid
from pathlib import Path
from typing import Any

from bench.harness import LocalCopy, Measured, bench_crawl_command, measure
from localcopy.postgresql import throwaway_database

# A worker notices the end of the crawl within a second (the defaults, meant for
# machines that may pause, wait ten): the wall time stays close to the crawl's.
CLUSTER_SETTINGS = ("MAX_IDLE_TIME_BEFORE_CLOSE=1", "ARCHIVE_FRONTIER_HEARTBEAT=0.25")


def measure_cluster(copy_base_url: str, pg_url: str, redis_url: str, pages: int) -> dict[str, Any]:
    """One worker, then two in parallel, over the local copy at `copy_base_url`.

    `pg_url` is a PostgreSQL URL whose server gets a fresh database for each
    crawl (dropped after); `pages` is the size of the local copy, which each
    crawl must archive whole. A single-process crawl of the same copy (no Redis)
    comes first, as the baseline of the cost per page.
    """
    single = _crawl(copy_base_url, pg_url, None, workers=1)
    redis_before = _redis_cpu(redis_url)
    one = _crawl(copy_base_url, pg_url, redis_url, workers=1)
    redis_cpu = _redis_cpu(redis_url) - redis_before
    two = _crawl(copy_base_url, pg_url, redis_url, workers=2)
    for result in (single, one, two):
        result["complete"] = result["articles"] == pages and result["pages_stored"] == pages
    ratio = two["pages_per_s"] / one["pages_per_s"] if one["pages_per_s"] else 0.0
    return {
        "pages": pages,
        "single_process": single,
        "one_worker": one,
        "two_workers": two,
        "ratio_two_to_one": round(ratio, 2),
        "worker_cpu_ms_per_page": one["cpu_ms_per_page"],
        # Beside the same crawl without Redis, on the same copy, just before.
        "redis_extra_cpu_ms_per_page": round(one["cpu_ms_per_page"] - single["cpu_ms_per_page"], 2),
        "redis_server_cpu_ms_per_page": round(1000 * redis_cpu / one["articles"], 3)
        if one["articles"]
        else 0.0,
    }


def _crawl(base_url: str, pg_url: str, redis_url: str | None, *, workers: int) -> dict[str, Any]:
    """`workers` crawls started together; without `redis_url`, one single-process crawl."""
    prefix = f"bench-{uuid.uuid4().hex[:10]}"
    settings: tuple[str, ...] = ()
    if redis_url is not None:
        settings = (
            *CLUSTER_SETTINGS,
            f"ARCHIVE_FRONTIER={redis_url}",
            f"ARCHIVE_FRONTIER_KEY={prefix}:%(site)s",
        )
    command = bench_crawl_command("related", base_url, *settings)
    with throwaway_database(pg_url, "archive_bench") as db:
        measured: list[Measured] = []

        def run() -> None:
            measured.append(measure(command, {"ARCHIVE_DB": db}))

        # Every worker gets the seed, as cron would start them: the first queues it.
        threads = [threading.Thread(target=run) for _ in range(workers)]
        machine_before = _machine_cpu()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        busy, elapsed = (
            after - before for after, before in zip(_machine_cpu(), machine_before, strict=True)
        )
        if redis_url is not None:
            _drop_keys(redis_url, prefix)
        for result in measured:
            if result.returncode != 0:
                tail = "\n".join(result.output.splitlines()[-30:])
                raise RuntimeError(f"a worker exited {result.returncode}:\n{tail}")
        archive = _archive_figures(db)
    responses = sum(result.stat("response_received_count") for result in measured)
    cpu = sum(sum(result.cpu.values()) for result in measured)
    span = archive["crawl_s"]
    return {
        "workers": workers,
        **archive,
        "pages_per_s": round(archive["pages_stored"] / span, 1) if span else 0.0,
        "wall_s": round(max(result.wall for result in measured), 2),
        "cpu_ms_per_page": round(1000 * cpu / responses, 2) if responses else 0.0,
        "pages_by_worker": [int(result.stat("archive/pages")) for result in measured],
        "cpu_s_by_worker": [round(sum(result.cpu.values()), 2) for result in measured],
        # How busy the whole machine was (every process on it, the local copy, PostgreSQL
        # and Redis included): near 1, more workers cannot go faster here.
        "machine_busy_share": round(busy / elapsed, 2) if elapsed else 0.0,
    }


def _machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU time of the machine so far, from /proc/stat."""
    fields = [float(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    total = sum(fields[:8])  # user nice system idle iowait irq softirq steal
    return total - idle, total


def _archive_figures(db: str) -> dict[str, Any]:
    """Articles, stored pages and the span of their fetches, as the archive holds them."""
    from sqlalchemy import func, select

    from crawler.archive.database import create_archive_engine
    from crawler.archive.models import ArticleRecord, Capture

    engine = create_archive_engine(db)
    with engine.connect() as conn:
        articles = conn.execute(select(func.count()).select_from(ArticleRecord)).scalar_one()
        stored, first, last = conn.execute(
            select(func.count(), func.min(Capture.fetched_at), func.max(Capture.fetched_at))
        ).one()
    engine.dispose()
    span = (last - first).total_seconds() if stored else 0.0
    return {"articles": articles, "pages_stored": stored, "crawl_s": round(span, 2)}


def _redis_cpu(redis_url: str) -> float:
    """CPU seconds the Redis server has used since it started."""
    from redis import Redis

    server = Redis.from_url(redis_url)
    info = server.info("cpu")
    server.close()
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def _drop_keys(redis_url: str, prefix: str) -> None:
    from redis import Redis

    server = Redis.from_url(redis_url)
    keys = list(server.scan_iter(match=f"{prefix}*"))
    if keys:
        server.delete(*keys)
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--pg", default="postgresql://127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    options = parser.parse_args()
    copy = LocalCopy(options.pages)
    try:
        result = measure_cluster(copy.base_url, options.pg, options.redis, options.pages)
    finally:
        copy.stop()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
