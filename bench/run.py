"""The benchmark: crawls of the local copy and the archive's commands, measured in one run.

`make bench` runs `python -m bench`. Every figure of one run comes from the
same machine at the same time, so the ratios hold even where the machine is
shared and its absolute speed is not.

    python -m bench                       # 10,000 and 100,000 pages (about 10 minutes)
    python -m bench --pages 2000 --big-pages 10000   # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.harness import (
    CRAWL_SETTINGS,
    PYTHON,
    ROOT,
    SEED,
    LocalCopy,
    Measured,
    bench_crawl_command,
    measure,
)
from localcopy import publish
from localcopy.postgresql import throwaway_database

if TYPE_CHECKING:
    from collections.abc import Callable

RESULTS = ROOT / "bench" / "results"
# Queries as users write them (see `python -m crawler search --help`), over the
# words the local copy's pages are made of.
QUERIES = (
    "Iran",
    "security council",
    '"foreign ministry"',
    "Russia OR Syria",
    "minister -Tuesday",
    "coop*",
    "energy trade",
    "parliament delegation",
    '"press conference"',
    "regional agreement",
    "econ*",
    "officials said",
    "Hamedan",
    "president visit",
    "international relations",
    "capital province",
    "agency report",
    "government statement",
    "support -forces",
    "talks OR meeting",
)


def crawl(
    spider: str,
    base_url: str,
    db: str,
    *settings: str,
    start: str = SEED,
    arguments: tuple[str, ...] = (),
) -> Measured:
    command = bench_crawl_command(spider, base_url, *settings, start=start, arguments=arguments)
    database = db.rsplit("/", 1)[-1] if db.startswith("postgresql") else None
    measured = measure(command, {"ARCHIVE_DB": db}, database=database)
    if measured.returncode != 0:
        tail = "\n".join(measured.output.splitlines()[-30:])
        raise RuntimeError(f"crawl {spider} exited {measured.returncode}:\n{tail}")
    return measured


def crawl_figures(measured: Measured) -> dict[str, Any]:
    """What one crawl did and cost: pages a second over the crawl itself, memory, CPU."""
    pages = measured.stat("response_received_count")
    elapsed = measured.stat("elapsed_time_seconds")
    cpu = sum(measured.cpu.values())
    return {
        "pages": int(pages),
        # pages handed to the archive (Scrapy's scraped count) and the articles it found new
        "items": int(measured.stat("item_scraped_count")),
        "new_articles": int(measured.stat("archive/new")),
        "elapsed_s": round(elapsed, 2),
        "wall_s": round(measured.wall, 2),
        "pages_per_s": round(pages / elapsed, 1) if elapsed else 0.0,
        "cpu_ms_per_page": round(1000 * cpu / pages, 2) if pages else 0.0,
        "cpu_s_by_role": {role: round(seconds, 2) for role, seconds in measured.cpu.items()},
        "peak_rss_mb": mb(measured.peak_rss),
        "peak_rss_mb_by_role": {role: mb(size) for role, size in measured.peak_rss_by_role.items()},
    }


def mb(size: int) -> float:
    return round(size / 2**20, 1)


# -- the measurements --------------------------------------------------------------


def bench_crawls(
    pages: int, work: Path, pg_admin: str | None, *, rerun: bool = True
) -> tuple[dict[str, Any], str]:
    """(1)-(2) the ceiling and the full crawl into SQLite and PostgreSQL; (4) the re-run."""
    results: dict[str, Any] = {}
    copy = LocalCopy(pages, admin=True)
    try:
        ceiling_db = f"sqlite:///{work}/ceiling.sqlite3"
        results["ceiling"] = served(copy, lambda: crawl("ceiling", copy.base_url, ceiling_db))
        sqlite_db = f"sqlite:///{work}/archive-{pages}.sqlite3"
        full = served(copy, lambda: crawl("related", copy.base_url, sqlite_db))
        full["ratio_to_ceiling"] = ratio(full, results["ceiling"])
        results["full_sqlite"] = full
        if pg_admin:
            with throwaway_database(pg_admin, "archive_bench") as pg_db:
                on_pg = served(copy, lambda: crawl("related", copy.base_url, pg_db))
            on_pg["ratio_to_ceiling"] = ratio(on_pg, results["ceiling"])
            results["full_postgresql"] = on_pg
        if rerun:
            results["rerun"] = bench_hourly(copy, sqlite_db, full)
    finally:
        copy.stop()
    return results, sqlite_db


def served(copy: LocalCopy, run: Callable[[], Measured]) -> dict[str, Any]:
    """A crawl's figures, with the CPU the local copy's server spent answering it."""
    before = copy.cpu_seconds()
    figures = crawl_figures(run())
    figures["cpu_s_by_role"]["server"] = round(copy.cpu_seconds() - before, 2)
    pages = figures["pages"]
    figures["cpu_ms_per_page_by_role"] = {
        role: round(1000 * seconds / pages, 3) if pages else 0.0
        for role, seconds in figures["cpu_s_by_role"].items()
    }
    return figures


def ratio(crawl: dict[str, Any], ceiling: dict[str, Any]) -> float:
    return round(crawl["pages_per_s"] / ceiling["pages_per_s"], 3)


def bench_hourly(
    copy: LocalCopy, db: str, first: dict[str, Any], *, since: str | None = None
) -> dict[str, Any]:
    """The site publishes 1% new articles; the scheduled run (start=latest) catches up.

    (4) within the profile's window; (8) with ``since="all"`` over a sitemap of
    every URL (the local copy serves one, besides its feed, news sitemap and
    listing): no entry is left out for its date, each of the sitemap's URLs is
    checked against the archive, the worst case of an hourly run.
    """
    new = max(1, first["new_articles"] // 100)
    publish(copy.base_url, new)
    arguments = (f"since={since}",) if since else ()
    measured = crawl("related", copy.base_url, db, start="latest", arguments=arguments)
    figures = crawl_figures(measured)
    sources = int(measured.stat("discovery/sources_read"))
    found = int(measured.stat("discovery/new"))
    due, resumed = int(measured.stat("archive/revisits_due")), int(measured.stat("archive/resumed"))
    figures.update(
        new_pages=new,
        listed=int(measured.stat("discovery/entries")),
        discovery_sources=sources,
        # the new pages, and the local copy's orphans (served, linked from nowhere)
        discovery_new=found,
        revisits_due=due,
        resumed=resumed,
        requests=int(measured.stat("downloader/request_count")),
        # robots.txt (Scrapy's check), the sources, what they list anew, revisits, leftovers
        requests_bound=1 + sources + found + due + resumed,
        wall_ratio_to_first=round(measured.wall / first["wall_s"], 3),
        pages_ratio_to_first=round(figures["pages"] / first["pages"], 4),
        peak_rss_ratio_to_first=round(figures["peak_rss_mb"] / first["peak_rss_mb"], 3),
    )
    return figures


def archive_size(db: str) -> dict[str, int]:
    """What an archive holds: its file's bytes, its captures, and its bodies' bytes."""
    from sqlalchemy import func, select

    from crawler.archive.database import create_archive_engine
    from crawler.archive.models import Capture, Payload

    engine = create_archive_engine(db)
    with engine.connect() as conn:
        captures = conn.execute(select(func.count()).select_from(Capture)).scalar_one()
        bodies = conn.execute(select(func.coalesce(func.sum(func.length(Payload.body_gz)), 0)))
        stored = int(bodies.scalar_one())
    engine.dispose()
    path = Path(db.removeprefix("sqlite:///"))
    return {"file_bytes": path.stat().st_size, "captures": captures, "payload_bytes": stored}


def bench_revisit(pages: int, work: Path) -> dict[str, Any]:
    """(11) A re-crawl of an unchanged site: what a server that answers validators saves.

    The local copy with ETag/Last-Modified and gzip on the wire is crawled into
    SQLite, then crawled again whole (``ARCHIVE_INCREMENTAL=False``): every page
    is asked with its validators. A third crawl, of the same copy without
    validators (it answers 200 with the same bytes), gives the cost of a
    revisit row (identical payload). The growth of the archive file between
    crawls, by capture, is the README's storage figures.
    """
    db = f"sqlite:///{work}/revisit-{pages}.sqlite3"
    full = ("ARCHIVE_INCREMENTAL=False",)
    copy = LocalCopy(pages, validators=True, gzip=True)
    try:
        first = crawl_figures(crawl("related", copy.base_url, db))
        after_first = archive_size(db)
        measured = crawl("related", copy.base_url, db, *full)
        again = crawl_figures(measured)
        after_again = archive_size(db)
        not_modified = int(measured.stat("downloader/response_status_count/304"))
    finally:
        copy.stop()
    plain = LocalCopy(pages, gzip=True)
    try:
        crawl("related", plain.base_url, db, *full)
        after_plain = archive_size(db)
    finally:
        plain.stop()

    def per_capture(before: dict[str, int], after: dict[str, int]) -> float:
        added = after["captures"] - before["captures"]
        return round((after["file_bytes"] - before["file_bytes"]) / added, 1) if added else 0.0

    return {
        "first": first,
        "recrawl": again,
        "requests": int(measured.stat("downloader/request_count")),
        "answered_304": not_modified,
        # of the pages the first crawl archived: the unchanged pages a revisit asks about
        "unchanged_pages": first["new_articles"],
        "share_304": (
            round(not_modified / first["new_articles"], 4) if first["new_articles"] else 0.0
        ),
        "wall_ratio_to_first": round(again["wall_s"] / first["wall_s"], 3),
        "bytes_stored_first": after_first["file_bytes"],
        "bytes_added_by_recrawl": after_again["file_bytes"] - after_first["file_bytes"],
        "payload_bytes_added_by_recrawl": after_again["payload_bytes"]
        - after_first["payload_bytes"],
        "bytes_per_capture": round(after_first["file_bytes"] / after_first["captures"], 1),
        "payload_bytes_per_capture": round(
            after_first["payload_bytes"] / after_first["captures"], 1
        ),
        "bytes_per_304": per_capture(after_first, after_again),
        "bytes_per_revisit_row": per_capture(after_again, after_plain),
    }


def bench_reparse(db: str) -> dict[str, Any]:
    """(5) Every stored page parsed again, start-up included."""
    measured = measure([PYTHON, "-m", "crawler", "reparse", "--db", db])
    if measured.returncode != 0:
        raise RuntimeError(f"reparse exited {measured.returncode}: {measured.output[-2000:]}")
    pages = int(measured.output.split()[0])
    return {
        "pages": pages,
        "wall_s": round(measured.wall, 2),
        "pages_per_s": round(pages / measured.wall, 1),
        "peak_rss_mb": mb(measured.peak_rss),
    }


def bench_reparse_alone(pages: int, work: Path) -> dict[str, Any]:
    """(5) alone: one crawl into SQLite and the re-run's new pages, then the reparse.

    The archive is made as the full run makes it (a crawl, then 1% new pages), so the
    figure is the one `make bench` reports, without the other crawls before it.
    """
    copy = LocalCopy(pages, admin=True)
    db = f"sqlite:///{work}/archive-{pages}.sqlite3"
    try:
        step("crawl of %d pages into SQLite, and the re-run", pages)
        first = crawl_figures(crawl("related", copy.base_url, db))
        bench_hourly(copy, db, first)
    finally:
        copy.stop()
    step("reparse of the %d-page archive", pages)
    return bench_reparse(db)


def bench_big_crawl(copy: LocalCopy, pages: int, work: Path) -> tuple[dict[str, Any], str]:
    """(3) The full crawl at the large size, for its memory; its archive serves (6) and (8)."""
    db = f"sqlite:///{work}/archive-{pages}.sqlite3"
    measured = crawl("related", copy.base_url, db)
    figures = crawl_figures(measured)
    figures["main_rss_mb_timeline"] = [
        [round(second), mb(size)]
        for second, size in measured.timeline[:: max(1, len(measured.timeline) // 20)]
    ]
    return figures, db


def bench_sitemap_memory() -> dict[str, Any]:
    """(8) Reading a sitemap alone: what it adds to memory at 20,000 and 200,000 URLs."""
    from bench.sitemap_memory import measure as read_sitemap

    small, large = read_sitemap(20_000), read_sitemap(200_000)
    return {
        "small": small,
        "large": large,
        "growth_difference_mb": round(large["growth_mb"] - small["growth_mb"], 1),
    }


def bench_search(db: str) -> dict[str, Any]:
    """(6) Twenty queries through the storage API the CLI uses; latency of each."""
    from crawler.archive.database import create_archive_engine
    from crawler.archive.search import SearchFilters
    from crawler.archive.search_query import parse_query
    from crawler.archive.store import ArchiveStore

    engine = create_archive_engine(db)
    store = ArchiveStore(engine)
    latencies, hits = [], []
    for text in QUERIES:
        started = time.perf_counter()
        found = store.search(parse_query(text), SearchFilters(limit=20))
        latencies.append(1000 * (time.perf_counter() - started))
        hits.append(len(found))
    engine.dispose()
    return {
        "queries": len(QUERIES),
        "median_ms": round(statistics.median(latencies), 1),
        "max_ms": round(max(latencies), 1),
        "queries_with_hits": sum(1 for count in hits if count),
    }


def bench_export(db: str, work: Path) -> dict[str, Any]:
    """(6) `export --format jsonl` of the whole archive: time and peak memory."""
    target = work / "export.jsonl"
    measured = measure(
        [PYTHON, "-m", "crawler", "export", "--format", "jsonl", "-o", str(target), "--db", db]
    )
    if measured.returncode != 0:
        raise RuntimeError(f"export exited {measured.returncode}: {measured.output[-2000:]}")
    with target.open("rb") as exported:
        records = sum(1 for _ in exported)
    size = target.stat().st_size
    target.unlink()
    return {
        "records": records,
        "wall_s": round(measured.wall, 2),
        "records_per_s": round(records / measured.wall, 1),
        "peak_rss_mb": mb(measured.peak_rss),
        "output_mb": mb(size),
    }


# -- running it all ------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import sqlite3

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "python": platform.python_version(),
        "scrapy": version("scrapy"),
        "sqlalchemy": version("sqlalchemy"),
        "sqlite": sqlite3.sqlite_version,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    pg_admin = None if args.no_postgresql else args.postgresql
    results: dict[str, Any] = {
        "command": "make bench",
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
    }
    work = Path(tempfile.mkdtemp(prefix="archive-bench-"))
    if args.only == "search-languages":
        try:
            results["search_languages"] = bench_search_languages(args, work, pg_admin)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        return results
    if args.only == "reparse":
        try:
            results["reparse"] = bench_reparse_alone(args.pages, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        return results
    results.update(pages=args.pages, big_pages=args.big_pages, crawl_settings=list(CRAWL_SETTINGS))
    if args.only == "crawl":
        try:
            step("crawls of %d pages: ceiling, SQLite, PostgreSQL", args.pages)
            results.update(bench_crawls(args.pages, work, pg_admin, rerun=False)[0])
        finally:
            shutil.rmtree(work, ignore_errors=True)
        results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        return results
    try:
        step("crawls of %d pages: ceiling, SQLite, PostgreSQL, re-run", args.pages)
        crawls, small_db = bench_crawls(args.pages, work, pg_admin)
        results.update(crawls)
        step("reparse of the %d-page archive", args.pages)
        results["reparse"] = bench_reparse(small_db)
        results["export_small"] = bench_export(small_db, work)
        step("re-crawl of an unchanged %d-page site that answers validators", args.pages)
        results["revisit"] = bench_revisit(args.pages, work)
        if args.big_pages:
            results.update(bench_big(args.big_pages, work, results))
        if pg_admin and not args.no_cluster:
            results["cluster"] = bench_cluster(args, pg_admin, work)
        step("parse cost of the fallbacks, body quality on real pages")
        results["fallbacks"] = bench_fallbacks()
        results["search_languages"] = bench_search_languages(args, work, pg_admin)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return results


def bench_big(pages: int, work: Path, small: dict[str, Any]) -> dict[str, Any]:
    """(3), (6) and (8): the large crawl, search and export over its archive, discovery."""
    step("full crawl of %d pages", pages)
    results: dict[str, Any] = {}
    # One sitemap of every URL (twice the pages: the published ones fit too).
    copy = LocalCopy(pages, admin=True, sitemap_size=2 * pages)
    try:
        results["full_big"], db = bench_big_crawl(copy, pages, work)
        results["full_big"]["peak_rss_ratio_to_small"] = round(
            results["full_big"]["peak_rss_mb"] / small["full_sqlite"]["peak_rss_mb"], 3
        )
        step("search and export over the %d-page archive", pages)
        results["search"] = bench_search(db)
        results["export_big"] = bench_export(db, work)
        results["export_big"]["peak_rss_ratio_to_small"] = round(
            results["export_big"]["peak_rss_mb"] / small["export_small"]["peak_rss_mb"], 3
        )
        step("discovery of 1%% new articles from a sitemap of %d URLs", pages)
        results["discovery"] = bench_hourly(copy, db, results["full_big"], since="all")
    finally:
        copy.stop()
    results["sitemap_memory"] = bench_sitemap_memory()
    return results


def bench_search_languages(
    args: argparse.Namespace, work: Path, pg_admin: str | None
) -> dict[str, Any]:
    """(10) English, Arabic and Persian queries on one archive of each database, as ratios."""
    from bench.search_languages import measure as measure_languages

    per_language = args.language_articles
    step("search per language, %d articles a language", per_language)
    databases = {"sqlite": f"sqlite:///{work}/languages.sqlite3"}
    if not pg_admin:
        return measure_languages(databases, per_language)
    with throwaway_database(pg_admin, "archive_bench") as pg_db:
        return measure_languages({**databases, "postgresql": pg_db}, per_language)


def bench_fallbacks() -> dict[str, Any]:
    """(8) What the fallbacks cost a page, against the rules; their body F1 on real pages."""
    from bench.extraction import cost, quality, real_pages

    pages = real_pages()
    rows = quality(pages)
    return {
        "cost": cost(pages),
        "quality": {
            "pages": len(rows),
            "f1_mean": round(statistics.mean(row["f1"] for row in rows), 3),
            "f1_trafilatura_mean": round(statistics.mean(row["f1_trafilatura"] for row in rows), 3),
            "titles_found": sum(row["title_found"] for row in rows),
            "pages_detail": rows,
        },
    }


def bench_cluster(args: argparse.Namespace, pg_admin: str, work: Path) -> dict[str, Any]:
    """Issue 7's figures: two distributed workers against one (bench.cluster)."""
    from bench.cluster import measure_cluster

    step("cluster: one worker, then two, over %d pages", args.pages)
    copy = LocalCopy(args.pages)
    try:
        return measure_cluster(copy.base_url, pg_admin, args.redis, args.pages)
    finally:
        copy.stop()


def step(message: str, *values: object) -> None:
    print(f"[{datetime.now():%H:%M:%S}] " + message % values, flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=10_000, help="the local copy's size")
    parser.add_argument(
        "--big-pages", type=int, default=100_000, help="the large crawl's size (0: skip it)"
    )
    parser.add_argument(
        "--postgresql",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test"),
        help="an existing database to create the benchmark's own database from",
    )
    parser.add_argument("--no-postgresql", action="store_true", help="SQLite only")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--no-cluster", action="store_true", help="skip the cluster figures")
    parser.add_argument(
        "--language-articles",
        type=int,
        default=5_000,
        help="articles in each language for the search-per-language figures",
    )
    parser.add_argument(
        "--only",
        choices=["search-languages", "crawl", "reparse"],
        help=(
            "only these figures: search-languages (10, no crawls); crawl ((1)-(2), the crawls"
            " against the ceiling); reparse (one crawl into SQLite, then the reparse)"
        ),
    )
    parser.add_argument(
        "--output", type=Path, help="JSON file (default: bench/results/<time>.json)"
    )
    args = parser.parse_args()

    results = run(args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    output = args.output or RESULTS / f"{results['started_at'][:19].replace(':', '')}.json"
    output.write_text(json.dumps(results, indent=2) + "\n")
    # Where a script finds the last run's figures; not tracked (.gitignore), as it
    # changes with every run: the dated files are what a commit may cite.
    latest = RESULTS / "latest.json"
    latest.write_text(output.read_text())
    from bench.report import table

    print()
    print(table(results))
    print(f"\nfigures: {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    return 0
