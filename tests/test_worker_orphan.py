"""An archive worker never outlives its crawl, however early the crawl is killed."""

from __future__ import annotations

import signal
import time
from pathlib import Path

from localcopy.site import SEED_ID
from tests.conftest import start_crawl


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # gone while we looked
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def alive(pid: int) -> bool:
    """Running (a zombie waiting for a parent that never reaps it has left)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_a_crawl_killed_while_its_worker_starts_leaves_no_worker_behind(sqlite_url, site_url):
    crawl = start_crawl(sqlite_url, start=SEED_ID, base_url=site_url)
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while not workers:
        assert time.monotonic() < deadline, "the crawl never started its archive worker"
        assert crawl.poll() is None, crawl.stdout.read() if crawl.stdout else ""
        workers = [p for p in children(crawl.pid) if "spawn_main" in command_line(p)]
        time.sleep(0.01)

    # At once: the worker is still starting (importing), before anything it runs itself.
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(30)

    deadline = time.monotonic() + 60  # generous: what must always hold, on a loaded machine
    while any(alive(worker) for worker in workers):
        assert time.monotonic() < deadline, f"the archive worker outlived its crawl: {workers}"
        time.sleep(0.1)
