"""The operator's own mistakes end in one line and the documented exit code, never a traceback.

Commands exit 1 for an error of theirs, 2 for a bad argument or a database
that cannot be opened; the crawl exits 2 when it cannot start.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
from pathlib import Path

import pytest
from aiohttp import web
from click.testing import CliRunner
from scrapy.exceptions import IgnoreRequest
from twisted.internet.defer import CancelledError
from twisted.python.failure import Failure

from crawler.archive.migrate import ensure_current
from crawler.archive.reserve import SIZE as RESERVE_SIZE
from crawler.cli import cli
from crawler.plan.failures import classify, is_gone
from crawler.sites import ProfileError, load_profile
from localcopy.server import ServerThread
from localcopy.site import SEED_ID, LocalSite
from tests import archive_db
from tests.conftest import crawl, start_crawl

COMMANDS = [["search", "Hamedan"], ["show", "1851093"], ["stats"], ["export"], ["graph"]]


def run_cli(*args: str):
    return CliRunner().invoke(cli, list(args))


def one_error_line(done) -> str:
    assert "Traceback" not in done.output
    [line] = done.stderr.splitlines()
    return line


# -- a damaged SQLite file, or a file that is none -------------------------------------------


@pytest.fixture(params=["random bytes", "truncated", "a text file"])
def damaged(request, tmp_path) -> str:
    path = tmp_path / "archive.sqlite3"
    if request.param == "random bytes":
        path.write_bytes(os.urandom(64 * 1024))
    elif request.param == "truncated":
        ensure_current(f"sqlite:///{path}")
        whole = path.read_bytes()
        path.write_bytes(whole[:4096] + os.urandom(len(whole) // 2))
    else:
        path.write_text("site,article_id\nalalam_en,1851093\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_every_command_says_in_one_line_that_the_archive_is_damaged(damaged, command):
    done = run_cli(*command, "--db", f"sqlite:///{damaged}")

    assert done.exit_code == 2, done.output
    line = one_error_line(done)
    assert line.startswith(f"Error: the archive at {damaged} is damaged: ")
    assert f"restore it from a backup or run `sqlite3 {damaged} .recover`" in line


def test_a_crawl_into_a_damaged_archive_cannot_start_and_exits_2(damaged):
    run = crawl(f"sqlite:///{damaged}", start="1851093", base_url="http://127.0.0.1:9")

    assert run.returncode == 2, run.log
    assert "Traceback" not in run.log
    [line] = [line for line in run.log.splitlines() if line.startswith("Error:")]
    assert f"the archive at {damaged} is damaged" in line


# -- the SQLite file deleted or replaced while the crawl writes to it ------------------------


def wait_until_archived(url: str, count: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if len(archive_db.archived_ids(url)) >= count:
                return
        except Exception:  # the schema is not there yet
            pass
        time.sleep(0.1)
    raise AssertionError(f"fewer than {count} articles archived after {timeout} s")


@pytest.mark.parametrize("mistake", ["deleted", "replaced by another file"])
def test_an_archive_file_deleted_or_replaced_mid_crawl_fails_the_run_saying_so(tmp_path, mistake):
    path = tmp_path / "archive.sqlite3"
    url = f"sqlite:///{path}"
    site = LocalSite(pages=200)
    site.delay = 0.05  # 200 pages, 4 at a time: seconds of crawl left after the mistake
    with ServerThread(site) as base_url:
        process = start_crawl(
            url, start=SEED_ID, base_url=base_url, settings=("CONCURRENT_REQUESTS_PER_DOMAIN=4",)
        )
        wait_until_archived(url, 10)
        if mistake == "deleted":
            path.unlink()
        else:  # a copy put in its place, as a restore from a backup does
            shutil.copy(path, tmp_path / "copy.sqlite3")
            (tmp_path / "copy.sqlite3").replace(path)
        output, _ = process.communicate(timeout=300)

    assert process.returncode == 1, output
    assert "Traceback" not in output
    summary = output.strip().splitlines()[-1]
    assert summary.startswith("Run ") and " failed " in summary, summary
    assert f"the archive file {path} was {mistake} during the crawl" in summary


# -- the disk full ------------------------------------------------------------------------


# Room left on the disk: not even for the space a run keeps to close its row (256 KiB,
# set aside before the row); for that, the row and a few batches.
@pytest.mark.parametrize("room", [40_000, 600_000])
def test_a_run_on_a_disk_that_fills_up_never_leaves_its_row_running(small_disk, room):
    url = f"sqlite:///{small_disk / 'archive.sqlite3'}"
    ensure_current(url)
    filler = small_disk / "filler"
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    filler.write_bytes(bytes(free - room))
    with ServerThread(LocalSite(pages=150)) as base_url:
        full = crawl(url, start=SEED_ID, base_url=base_url)

    assert full.returncode == 1, full.log
    assert "Traceback" not in full.log
    summary = full.stdout.strip().splitlines()[-1]
    assert "the archive database cannot take writes: its disk is full" in summary
    filler.unlink()
    statuses = [run.status for run in archive_db.runs(url)]
    assert statuses == (["failed"] if room > RESERVE_SIZE else []), full.log
    assert not list(small_disk.glob("*-reserve"))


# -- a database the archive does not run on --------------------------------------------------


def test_a_mysql_url_is_one_line_and_exit_2():
    done = run_cli("stats", "--db", "mysql://archiver:secret@127.0.0.1/news")

    assert done.exit_code == 2, done.output
    line = one_error_line(done)
    assert "mysql is not a database the archive keeps" in line
    assert "secret" not in line


def test_a_crawl_into_a_mysql_url_cannot_start_and_exits_2():
    run = crawl("mysql://archiver@127.0.0.1/news", start="1851093", base_url="http://127.0.0.1:9")

    assert run.returncode == 2, run.log
    assert "Traceback" not in run.log
    assert "mysql is not a database the archive keeps" in run.log


# -- arguments and files ------------------------------------------------------------------


@pytest.fixture
def empty_archive(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    ensure_current(url)
    return url


@pytest.mark.parametrize("command", [["export"], ["search", "Iran"]], ids=lambda c: c[0])
def test_the_last_day_there_is_bounds_a_query_without_a_traceback(empty_archive, command):
    done = run_cli(*command, "--until", "9999-12-31", "--db", empty_archive)

    assert done.exit_code == 0, done.output


def test_export_into_a_missing_directory_is_one_line_and_exit_1(empty_archive, tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "out.jsonl"

    done = run_cli("export", "-o", str(target), "--db", empty_archive)

    assert done.exit_code == 1, done.output
    assert one_error_line(done) == f"Error: cannot write {target}: No such file or directory"


def test_export_onto_a_full_device_is_one_line_and_exit_1(empty_archive):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")

    done = run_cli("export", "--format", "csv", "-o", "/dev/full", "--db", empty_archive)

    assert done.exit_code == 1, done.output
    assert one_error_line(done) == "Error: cannot write /dev/full: No space left on device"


def test_a_profile_nested_50000_deep_is_one_line(tmp_path):
    path = tmp_path / "deep.toml"
    path.write_text("a = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")

    with pytest.raises(ProfileError, match="nests its arrays or tables too deep"):
        load_profile(path)
    done = run_cli("profile", "check", str(path))
    assert done.exit_code != 0
    assert "too deep" in one_error_line(done)


# -- failures recorded with a reason and a text ----------------------------------------------


def test_a_gzip_bomb_is_too_large_and_not_retried_every_run():
    message = (
        "Ignored response <200 http://site/news/1> because its body (10240 B compressed, "
        "10485761 B decompressed so far) exceeded DOWNLOAD_MAXSIZE (10485760 B) during "
        "decompression."
    )

    reason, status, text = classify(Failure(IgnoreRequest(message)))

    assert (reason, status) == ("too_large", None)
    assert is_gone(reason)
    assert "exceeded DOWNLOAD_MAXSIZE" in text


def test_a_download_cancelled_without_a_word_is_recorded_with_a_text():
    reason, _, text = classify(Failure(CancelledError()))

    assert reason == "cancelled"
    assert text.startswith("CancelledError: ")
    assert "DOWNLOAD_MAXSIZE" in text


def test_an_error_without_a_message_is_never_recorded_blank():
    _, _, text = classify(Failure(ConnectionResetError()))

    assert text.split(": ", 1)[1].strip()


class EndlessServer(ServerThread):
    """A server whose every reply is chunked and never ends."""

    def __init__(self) -> None:
        super().__init__(LocalSite(pages=10))

    async def _main(self) -> None:
        async def endless(request: web.Request) -> web.StreamResponse:
            reply = web.StreamResponse(headers={"Content-Type": "text/html"})
            await reply.prepare(request)
            while True:
                await reply.write(b"<p>" + b"x" * 65536 + b"</p>\n")

        app = web.Application()
        app.router.add_get("/{tail:.*}", endless)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        self._stop = asyncio.Event()
        self.base_url = f"http://127.0.0.1:{port}"
        self._ready.set()
        await self._stop.wait()
        await runner.cleanup()


def test_an_endless_chunked_reply_is_recorded_with_a_text_saying_why(sqlite_url):
    with EndlessServer() as base_url:
        run = crawl(
            sqlite_url,
            start="1851093",
            base_url=base_url,
            settings=("DOWNLOAD_MAXSIZE=1000000", "RETRY_TIMES=0"),
        )

    failure = archive_db.failures(sqlite_url)["1851093"]
    assert failure.reason == "too_large", run.log
    assert failure.error.startswith("DownloadCancelledError: the reply grew past DOWNLOAD_MAXSIZE")
