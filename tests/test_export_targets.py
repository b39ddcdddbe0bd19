"""`export -o` and `graph -o`: a regular file is replaced whole; a device or a FIFO is written to,
never replaced; anything else is refused; new files follow the umask."""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from crawler.archive.database import create_archive_engine
from crawler.archive.migrate import ensure_current
from crawler.archive.store import ArchiveStore
from crawler.cli import cli
from crawler.sites import get_profile
from tests.test_cli import archive_seed

if TYPE_CHECKING:
    from collections.abc import Iterator

DEVNULL = Path(os.devnull)


@pytest.fixture
def archive(sqlite_url: str) -> Iterator[str]:
    """A SQLite archive holding the seed article."""
    ensure_current(sqlite_url)
    engine = create_archive_engine(sqlite_url, writer=True)
    archive_seed(ArchiveStore(engine), get_profile("alalam_en"))
    engine.dispose()
    yield sqlite_url


def write(archive: str, command: str, target: Path) -> str:
    done = CliRunner().invoke(cli, [command, "--db", archive, "-o", str(target)])
    assert done.exit_code == 0, done.output
    return done.output


@pytest.mark.parametrize("command", ["export", "graph"])
def test_a_fifo_is_written_to_and_stays_a_fifo(archive, tmp_path, command):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()

    write(archive, command, fifo)

    reader.join(10)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert b"1851093" in received[0]


def test_a_symlink_to_dev_null_is_written_through_not_replaced(archive, tmp_path):
    link = tmp_path / "discard.jsonl"
    link.symlink_to(os.devnull)

    write(archive, "export", link)

    assert link.is_symlink() and str(link.readlink()) == os.devnull
    assert stat.S_ISCHR(DEVNULL.stat().st_mode)


def test_a_device_node_is_written_to_and_stays_a_device(archive, tmp_path):
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, DEVNULL.stat().st_rdev)
    except PermissionError:
        pytest.skip("making a device node needs root")

    write(archive, "graph", null)

    assert stat.S_ISCHR(null.lstat().st_mode)


def test_a_target_that_is_neither_file_nor_stream_is_refused(archive, tmp_path):
    path = tmp_path / "socket"
    listening = socket.socket(socket.AF_UNIX)
    listening.bind(str(path))
    try:
        done = CliRunner().invoke(cli, ["export", "--db", archive, "-o", str(path)])
    finally:
        listening.close()

    assert done.exit_code == 1
    assert "is not a regular file: refusing to replace it" in done.output
    assert stat.S_ISSOCK(path.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_new_export_follows_the_umask(archive, tmp_path):
    target = tmp_path / "archive.jsonl"
    previous = os.umask(0o027)
    try:
        write(archive, "export", target)
    finally:
        os.umask(previous)

    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert json.loads(target.read_text())["article_id"] == "1851093"


def test_a_replaced_export_keeps_its_permissions(archive, tmp_path):
    target = tmp_path / "edges.csv"
    target.write_text("old\n")
    target.chmod(0o604)

    write(archive, "graph", target)

    assert stat.S_IMODE(target.stat().st_mode) == 0o604
    assert "1851093" in target.read_text()
