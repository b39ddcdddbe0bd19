"""The WARC export replayed in pywb, as an archivist would: indexed with `wb-manager`, served
by `wayback` on 127.0.0.1, an article asked for at the time of each of its captures.

pywb runs in a virtualenv of its own, built once from tests/pywb-requirements.lock
and kept in pytest's cache directory (``.pytest_cache``), so a second run
does not install it again.
"""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from crawler.cli import cli
from localcopy.site import SEED_ID
from tests.captures_data import write_captures
from tests.conftest import fresh_postgresql_database

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.captures_data import CapturedArchive

PYWB_LOCK = Path(__file__).with_name("pywb-requirements.lock")
COLLECTION = "news"


@pytest.fixture(scope="session")
def pywb(request: pytest.FixtureRequest) -> Path:
    """The bin directory of a virtualenv with pywb, built once for each version of the lock."""
    key = hashlib.sha256(PYWB_LOCK.read_bytes()).hexdigest()[:12]
    home = request.config.cache.mkdir(f"pywb-{key}")
    bin_dir = home / "venv" / "bin"
    ready = home / "installed"
    if not ready.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(home / "venv")], check=True)
        install = [str(bin_dir / "pip"), "install", "--disable-pip-version-check", "--quiet"]
        subprocess.run(
            [*install, "--no-deps", "-r", str(PYWB_LOCK)],
            check=True,
            capture_output=True,
            timeout=900,
        )
        ready.touch()
    return bin_dir


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Replay:
    base: str
    archive: CapturedArchive

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as reply:
                return reply.status, reply.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def capture(self, number: int, mode: str = "id_") -> tuple[int, str]:
        """Capture `number` of the seed (1 = oldest), at its own 14-digit timestamp."""
        moment = self.archive.of(SEED_ID)[number - 1].fetched_at.strftime("%Y%m%d%H%M%S")
        return self.get(f"/{COLLECTION}/{moment}{mode}/{self.archive.seed_url}")


def _wait_until_answering(base: str, process: subprocess.Popen[str], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"wayback exited: {process.communicate()[0]}")
        try:
            with urllib.request.urlopen(f"{base}/{COLLECTION}/", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"wayback did not answer at {base} within {timeout} s")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def replay(request, pywb: Path, tmp_path_factory) -> Iterator[Replay]:
    """The captures exported from each database, added to a pywb collection and served."""
    work = tmp_path_factory.mktemp("pywb")
    if request.param == "sqlite":
        database = nullcontext(f"sqlite:///{work / 'archive.sqlite3'}")
    else:
        database = fresh_postgresql_database()
    with database as url:
        archive = write_captures(url)
        warc = work / "captures.warc.gz"
        done = CliRunner().invoke(cli, ["export", "--format", "warc", "-o", str(warc), "--db", url])
        assert done.exit_code == 0, done.stderr
    root = work / "wayback"
    root.mkdir()
    for command in (["wb-manager", "init", COLLECTION], ["wb-manager", "add", COLLECTION, warc]):
        subprocess.run(
            [str(pywb / command[0]), *map(str, command[1:])],
            cwd=root,
            check=True,
            capture_output=True,
            timeout=120,
        )
    port = free_port()
    process = subprocess.Popen(
        [str(pywb / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(base, process)
        yield Replay(base, archive)
    finally:
        process.terminate()
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def test_pywb_replays_the_article_as_first_captured_with_its_text(replay):
    status, page = replay.capture(1)

    assert status == 200
    assert "Iran, Russia Engaged in Strategic Cooperation" in page
    assert "air base" in page


def test_pywb_replays_a_repeated_body_from_the_response_it_refers_to(replay):
    status, page = replay.capture(3)

    assert status == 200
    assert "air base" in page


def test_pywb_replays_the_edited_version_at_its_own_time(replay):
    status, page = replay.capture(4)

    assert status == 200
    assert "airbase" in page


def test_pywb_replays_the_article_rewritten_for_a_browser(replay):
    status, page = replay.capture(1, mode="mp_")

    assert status == 200
    assert "Iran, Russia Engaged in Strategic Cooperation" in page
    assert f"/{COLLECTION}/" in page  # links rewritten into the archive


def test_pywb_replays_a_304_as_the_servers_confirmation(replay):
    status, page = replay.capture(2)

    assert status == 304  # pywb answers a server-not-modified revisit as it was answered
    assert page == ""
