"""Runs a cron owner can rely on: records, health, exit codes, locks, kills and resumes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time

from crawler.archive.database import create_archive_engine
from crawler.archive.lock import SiteLock
from crawler.archive.migrate import ensure_current
from localcopy.crawls import crawl_command
from localcopy.server import ServerThread
from localcopy.site import SEED_ID, LocalSite
from tests import archive_db
from tests.conftest import ROOT, crawl, start_crawl, stat
from tests.test_kills import assert_consistent
from tests.test_migrations import alembic

SLOW = ("CONCURRENT_REQUESTS_PER_DOMAIN=4",)


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def test_each_run_leaves_a_record_with_its_counts(database_url, local_site, site_url):
    run = crawl(database_url, start=SEED_ID, base_url=site_url)

    [record] = archive_db.runs(database_url)
    assert run.returncode == 0
    assert (record.status, record.finish_reason, record.site) == (
        "finished",
        "finished",
        "alalam_en",
    )
    assert record.pages_fetched == record.new_articles == local_site.pages
    assert record.http_errors == {"http_404": len(local_site.missing())}
    assert record.coverage["title"] == 1.0
    assert record.arguments["spider"] == {
        "start": SEED_ID,
        "site": "alalam_en",
        "base_url": site_url,
    }
    assert record.started_at <= record.finished_at


def test_the_last_line_printed_is_the_runs_summary(sqlite_url, local_site, site_url):
    run = crawl(sqlite_url, start=SEED_ID, base_url=site_url)

    [line] = run.stdout.splitlines()
    assert line.startswith("Run 1 finished in ")
    assert f"{local_site.pages} pages archived, {local_site.pages} new" in line


def test_the_log_file_ends_with_the_runs_summary_line(sqlite_url, site_url, tmp_path):
    log = tmp_path / "job.log"  # as scrapyd gives each job its LOG_FILE

    run = crawl(sqlite_url, start=SEED_ID, base_url=site_url, settings=(f"LOG_FILE={log}",))

    last = log.read_text().splitlines()[-1]
    assert last.endswith(run.stdout.strip()), last
    assert "] INFO: Run 1 finished in " in last


def test_a_run_record_never_holds_the_database_password(postgresql_url, site_url):
    secret = postgresql_url.replace("://", "://root:hunter2-not-stored@", 1)

    crawl(secret, start=SEED_ID, base_url=site_url, settings=(f"ARCHIVE_DB={secret}",))

    [record] = archive_db.runs(postgresql_url)
    assert "hunter2-not-stored" not in str(record.arguments)
    assert "root:***@" in record.arguments["settings"]["ARCHIVE_DB"]


def test_a_run_whose_coverage_falls_is_degraded_and_exits_3(database_url, local_site, site_url):
    healthy = crawl(database_url, start=SEED_ID, base_url=site_url)
    assert healthy.returncode == 0, healthy.log
    local_site.rewrite = lambda html: html.replace('class="news-date"', 'class="dateline"')

    redesigned = crawl(
        database_url, start=SEED_ID, base_url=site_url, settings=("ARCHIVE_INCREMENTAL=False",)
    )

    assert redesigned.returncode == 3, redesigned.log
    record = archive_db.runs(database_url)[-1]
    assert record.status == "degraded"
    # Pages that would lose their date are held, not archived (crawler.archive.gate).
    assert "held" in record.message and "lost_fields: published_at" in record.message
    assert "degraded" in redesigned.stdout


def test_discovery_sources_that_list_nothing_make_the_run_degraded(
    database_url, local_site, site_url
):
    local_site.listing_size = local_site.sitemap_size = 0  # feed, sitemaps, listing: empty

    run = crawl(database_url, start="latest", base_url=site_url)

    assert run.returncode == 3
    assert archive_db.runs(database_url)[-1].message == "the discovery sources list no articles"


def test_a_run_that_archives_nothing_new_is_still_healthy(database_url, local_site, site_url):
    crawl(database_url, start=f"latest,{SEED_ID}", base_url=site_url)

    quiet_hour = crawl(database_url, start="latest", base_url=site_url)

    assert quiet_hour.returncode == 0, quiet_hour.log
    assert archive_db.runs(database_url)[-1].status == "finished"


def test_a_second_run_while_one_holds_the_lock_exits_at_once_with_4(database_url, site_url):
    ensure_current(database_url)
    engine = create_archive_engine(database_url)
    held = SiteLock(engine, "alalam_en")
    try:
        locked = crawl(database_url, start=SEED_ID, base_url=site_url, timeout=90)
    finally:
        held.release()
        engine.dispose()

    assert locked.returncode == 4
    assert "another crawl of alalam_en is archiving into" in locked.log
    assert "Spider opened" not in locked.log  # it stopped before it crawled
    assert crawl(database_url, start=SEED_ID, base_url=site_url).returncode == 0


def test_another_site_on_the_same_archive_is_not_locked_out(sqlite_url, site_url):
    ensure_current(sqlite_url)
    engine = create_archive_engine(sqlite_url)
    held = SiteLock(engine, "some_other_site")
    try:
        run = crawl(sqlite_url, start=SEED_ID, base_url=site_url)
    finally:
        held.release()
        engine.dispose()

    assert run.returncode == 0, run.log


def test_a_killed_run_leaves_no_half_stored_article_and_the_next_run_completes(database_url):
    site = LocalSite(pages=250)
    site.delay = 0.05
    with ServerThread(site) as site_url:
        process = start_crawl(database_url, start=SEED_ID, base_url=site_url, settings=SLOW)
        wait_for(lambda: len(_archived(database_url)) >= 20)
        process.send_signal(signal.SIGKILL)
        process.wait(30)

        halfway = archive_db.runs(database_url)
        stored = _links_by_article(database_url)
        assert 20 <= len(stored) < site.pages
        assert stored == {article_id: site.related[article_id] for article_id in stored}
        assert halfway[-1].status == "running"

        site.delay = 0
        again = crawl(database_url, start=SEED_ID, base_url=site_url)

    assert again.returncode == 0, again.log
    assert _archived(database_url) == site.reachable()
    assert [r.status for r in archive_db.runs(database_url)] == ["interrupted", "finished"]


def test_an_interrupted_jobdir_crawl_resumes_where_it_stopped(sqlite_url, tmp_path):
    site = LocalSite(pages=200)
    site.delay = 0.05
    jobdir = ("JOBDIR=" + str(tmp_path / "job"), "ARCHIVE_INCREMENTAL=False")
    with ServerThread(site) as site_url:
        process = start_crawl(
            sqlite_url, start=SEED_ID, base_url=site_url, settings=(*SLOW, *jobdir)
        )
        wait_for(lambda: len(_archived(sqlite_url)) >= 20)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
        assert process.returncode == 5, output
        assert len(_archived(sqlite_url)) < site.pages

        site.delay = 0
        resumed = crawl(sqlite_url, start=SEED_ID, base_url=site_url, settings=jobdir)

    assert resumed.returncode == 0, resumed.log
    assert _archived(sqlite_url) == site.reachable()
    assert stat(resumed.log, "archive/unchanged") <= 1  # the resumed job refetches nothing it had


def test_progress_is_logged_while_the_crawl_runs(sqlite_url):
    site = LocalSite(pages=80)
    site.delay = 0.05
    with ServerThread(site) as site_url:
        run = crawl(
            sqlite_url,
            start=SEED_ID,
            base_url=site_url,
            settings=(*SLOW, "ARCHIVE_PROGRESS_INTERVAL=0.3"),
        )

    assert run.returncode == 0
    assert "Progress: " in run.log
    assert " queued" in run.log


def test_a_database_at_an_older_revision_stops_the_crawl_naming_the_command(
    empty_database_url, site_url
):
    assert alembic(empty_database_url, "upgrade", "0001").returncode == 0

    run = crawl(empty_database_url, start=SEED_ID, base_url=site_url)

    assert run.returncode == 2
    assert "run `news-archive db upgrade" in run.log


def test_the_cron_wrapper_logs_the_run_and_passes_its_status_on(sqlite_url, site_url, tmp_path):
    done = _cron_wrapper(
        ARCHIVE_HOME=str(ROOT),
        ARCHIVE_DB=sqlite_url,
        ARCHIVE_LOG_DIR=str(tmp_path / "logs"),
        CRAWL_ARGS=f"-a base_url={site_url} -s AUTOTHROTTLE_ENABLED=False -s DOWNLOAD_DELAY=0",
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""  # cron mails nothing when all is well
    summary = (tmp_path / "logs" / "summary.log").read_text()
    assert "exit=0 Run 1 finished" in summary
    [log] = (tmp_path / "logs").glob("crawl-*.log")
    assert "Spider closed (finished)" in log.read_text()


def test_the_cron_wrapper_speaks_up_when_the_run_is_not_finished(
    sqlite_url, local_site, site_url, tmp_path
):
    local_site.listing_size = local_site.sitemap_size = 0
    done = _cron_wrapper(
        ARCHIVE_DB=sqlite_url,
        ARCHIVE_LOG_DIR=str(tmp_path / "logs"),
        CRAWL_ARGS=f"-a base_url={site_url} -s AUTOTHROTTLE_ENABLED=False",
    )

    assert done.returncode == 3
    first, summary, log = done.stdout.splitlines()  # the mail: why, the run's line, its log
    assert first == "news archive crawl degraded (exit 3): the discovery sources list no articles"
    assert summary.startswith("Run 1 degraded") and log.startswith("log: ")


def _cron_wrapper(**environment: str) -> subprocess.CompletedProcess[str]:
    """One run of scripts/cron/archive-crawl, as cron starts it, with `environment` added."""
    return subprocess.run(
        [str(ROOT / "scripts" / "cron" / "archive-crawl")],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _archived(url: str) -> set[str]:
    try:
        return archive_db.archived_ids(url)
    except Exception:  # the crawl has not created the schema yet
        return set()


def _links_by_article(url: str) -> dict[str, list[str]]:
    from tests.test_crawl import archived

    return archived(url)


def test_one_ctrl_c_in_a_terminal_stores_what_was_fetched_and_exits_5(sqlite_url):
    site = LocalSite(pages=250)
    site.delay = 0.05
    with ServerThread(site) as site_url:
        output, returncode = _ctrl_c(sqlite_url, site_url, presses=1)

    assert returncode == 5, output
    assert "KeyboardInterrupt" not in output
    [run] = archive_db.runs(sqlite_url)
    assert (run.status, run.finish_reason) == ("interrupted", "shutdown")
    stored = archive_db.archived_ids(sqlite_url)
    assert run.pages_fetched == len(stored) < site.pages
    assert_consistent(sqlite_url, site)
    assert output.splitlines()[-1].startswith("Run 1 interrupted in")


def test_a_second_ctrl_c_stops_at_once_and_still_closes_the_run_as_interrupted(sqlite_url):
    site = LocalSite(pages=250)
    site.delay = 0.05
    with ServerThread(site) as site_url:
        output, returncode = _ctrl_c(sqlite_url, site_url, presses=2)

    assert returncode == 5, output
    [run] = archive_db.runs(sqlite_url)
    assert run.status == "interrupted"
    assert_consistent(sqlite_url, site)


def _ctrl_c(database_url: str, site_url: str, presses: int) -> tuple[str, int]:
    """A crawl in a session of its own, as a terminal's foreground job, and Ctrl-C pressed.

    Ctrl-C signals the whole process group: the crawl and its archive worker.
    """
    process = subprocess.Popen(
        crawl_command(start=SEED_ID, base_url=site_url, settings=SLOW),
        cwd=ROOT,
        env={**os.environ, "ARCHIVE_DB": database_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        wait_for(lambda: len(_archived(database_url)) >= 20)
        for _ in range(presses):
            with contextlib.suppress(ProcessLookupError):  # gone after the first already
                os.killpg(process.pid, signal.SIGINT)
            time.sleep(0.2)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    return output, process.returncode
