"""Running things to measure them: a local copy to crawl, crawls and commands watched from outside.

Each measured process is sampled from /proc while it runs (Linux), so the
figures include the archive worker and cost the crawl nothing: wall time,
CPU time of every process of the tree, and the peak of their summed RSS.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from localcopy.crawls import LOCAL_COPY_SETTINGS, crawl_command

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SEED = "1851093"
# The same settings for every crawl: the local copy's (the politeness the live site
# gets would only measure the delays), the log the figures are read from, and the
# ceiling spider, which lives beside the benchmark, not among the project's spiders.
BENCH_SETTINGS = ("LOG_LEVEL=INFO", "SPIDER_MODULES=crawler.spiders,bench.ceiling")
CRAWL_SETTINGS = (*LOCAL_COPY_SETTINGS, *BENCH_SETTINGS)
_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measured:
    returncode: int
    wall: float
    """Seconds, start to exit."""
    peak_rss: int
    """Bytes: the largest sum of RSS over the process and its descendants."""
    cpu: dict[str, float] = field(default_factory=dict)
    """CPU seconds by process role: main, and each child by its command."""
    peak_rss_by_role: dict[str, int] = field(default_factory=dict)
    """The peak RSS of each role (main, worker), in bytes."""
    timeline: list[tuple[float, int]] = field(default_factory=list)
    """(seconds since start, RSS of the main process) every second: where memory goes."""
    output: str = ""

    def stat(self, name: str) -> float:
        """A number from the stats Scrapy dumps at the end of a crawl (0 when absent)."""
        match = re.search(rf"'{re.escape(name)}': ([0-9.]+)", self.output)
        return float(match.group(1)) if match else 0.0


def bench_crawl_command(
    spider: str,
    base_url: str,
    *settings: str,
    start: str = SEED,
    arguments: tuple[str, ...] = (),
) -> list[str]:
    """`scrapy crawl` of the local copy with BENCH_SETTINGS and then `settings`.

    `arguments` are more spider arguments, e.g. ``("since=all",)``.
    """
    args = [arg for argument in arguments for arg in ("-a", argument)]
    return crawl_command(
        *args, spider=spider, start=start, base_url=base_url, settings=(*BENCH_SETTINGS, *settings)
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalCopy:
    """`python -m localcopy` in its own process, as the demo runs it."""

    def __init__(
        self,
        pages: int,
        *,
        admin: bool = False,
        sitemap_size: int | None = None,
        validators: bool = False,
        gzip: bool = False,
    ) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        command = [
            PYTHON,
            "-m",
            "localcopy",
            "--port",
            str(self.port),
            "--pages",
            str(pages),
        ]
        if sitemap_size is not None:
            command += ["--sitemap-size", str(sitemap_size)]
        command += ["--validators"] if validators else []
        command += ["--gzip"] if gzip else []
        self.process = subprocess.Popen(
            [*command, "--admin"] if admin else command,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base_url}/robots.txt", timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the local copy did not start")

    def cpu_seconds(self) -> float:
        return _cpu(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def measure(
    command: list[str],
    env: dict[str, str] | None = None,
    timeout: float = 3600,
    *,
    database: str | None = None,
) -> Measured:
    """Run `command`, sampling its process tree every 0.1 s.

    With `database` (a PostgreSQL database's name, on this machine), the server's
    backends serving it are sampled too, as the role ``postgresql``: outside the
    tree, they take their CPU from the same cores.
    """
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    chunks: list[str] = []
    import threading

    reader = threading.Thread(target=lambda: chunks.append(process.stdout.read()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    peak, cpu, peaks, timeline = 0, {}, {}, []
    roles: dict[int, str] = {process.pid: "main"}
    while process.poll() is None:
        tree = _tree(process.pid)
        sizes = {pid: _rss(pid) for pid in tree}
        peak = max(peak, sum(sizes.values()))  # the crawl's own memory: no server's
        if database is not None:
            backends = _backends(database)
            roles.update(dict.fromkeys(backends, "postgresql"))
            sizes.update((pid, _rss(pid)) for pid in backends)
            tree += backends
        for pid in tree:
            # A role is read once: an exited child (a zombie) has no command line left.
            role = roles.setdefault(pid, _role(pid))
            cpu[f"{role}:{pid}"] = _cpu(pid) or cpu.get(f"{role}:{pid}", 0.0)
            peaks[role] = max(peaks.get(role, 0), sizes[pid])
        elapsed = time.monotonic() - started
        if not timeline or elapsed - timeline[-1][0] >= 1.0:
            timeline.append((elapsed, sizes.get(process.pid, 0)))
        if time.monotonic() - started > timeout:
            process.kill()
        time.sleep(0.1)
    reader.join(30)
    by_role: dict[str, float] = {}
    for key, seconds in cpu.items():
        role = key.split(":", 1)[0]
        by_role[role] = by_role.get(role, 0.0) + seconds
    wall = time.monotonic() - started
    return Measured(process.returncode, wall, peak, by_role, peaks, timeline, "".join(chunks))


def _tree(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        queue.extend(int(child) for child in children)
    return found


def _backends(database: str) -> list[int]:
    """The PostgreSQL backends connected to `database` (their process title names it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and f" {database} ".encode() in title:
            found.append(int(entry.name))
    return found


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def _role(pid: int) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return "child"
    if "resource_tracker" in command:
        return "resource_tracker"
    if "spawn_main" in command:
        return "worker"
    return "child"
