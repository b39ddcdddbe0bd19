"""`python -m MODULE ARGS` run in a fork of the test's process, as `subprocess.run` runs it.

A crawl started as a new process spends most of its time starting: the
interpreter, then Scrapy, Twisted, SQLAlchemy and the crawler imported again
(about 2.5 s of CPU each, several times that on a loaded machine). A fork of
the test's process has them imported already and runs the same command line
from the same entry point (``runpy``, as ``-m`` does): its own process, its
own reactor, its own exit code, stdout and stderr. What it inherits that a new
process would not have is reset before the command starts: the working
directory, the environment, stdin, signal handlers, the warning filters (pytest's own would
turn a DeprecationWarning into an error) and the root logger's handlers.

Tests whose point is the process itself (signals, kills, a second interpreter,
an installed wheel) start a real one, as before.
"""

from __future__ import annotations

import gc
import io
import logging
import os
import runpy
import select
import signal
import subprocess
import sys
import tempfile
import traceback
import warnings
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# The warning filters a fresh interpreter starts with (no -W, no PYTHONWARNINGS).
_FRESH_FILTERS = (
    ("default", DeprecationWarning, "__main__"),
    ("ignore", DeprecationWarning, None),
    ("ignore", PendingDeprecationWarning, None),
    ("ignore", ImportWarning, None),
    ("ignore", ResourceWarning, None),
)


def run_module(
    command: list[str], *, cwd: Path, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """Run `command` (``[sys.executable, "-m", MODULE, *args]``) in a fork; what it printed.

    Raises `subprocess.TimeoutExpired` after `timeout` seconds, the fork killed,
    as `subprocess.run` does.
    """
    if command[:2] != [sys.executable, "-m"] or len(command) < 3:
        raise ValueError(f"not a `python -m` command line: {command}")
    module, args = command[2], command[3:]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the fork: never returns
            _run_in_fork(module, args, cwd=cwd, env=env, out=out.fileno(), err=err.fileno())
        returncode = _wait(pid, command, timeout)
        return subprocess.CompletedProcess(command, returncode, _read(out), _read(err))


def _run_in_fork(
    module: str, args: list[str], *, cwd: Path, env: dict[str, str], out: int, err: int
) -> None:
    code = 1
    try:
        # What the test's process holds (its database connections among them) is the
        # parent's: never collected here, lest a finalizer close a connection it shares.
        gc.freeze()
        stdin = os.open(os.devnull, os.O_RDONLY)
        os.dup2(stdin, 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), write_through=True)
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), write_through=True)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        warnings.resetwarnings()
        for action, category, module_pattern in reversed(_FRESH_FILTERS):
            warnings.filterwarnings(action, category=category, module=module_pattern or "")
        for handler in logging.root.handlers[:]:
            logging.root.removeHandler(handler)
        logging.root.setLevel(logging.WARNING)
        sys.modules.pop("twisted.internet.reactor", None)  # the command installs its own
        sys.argv = [module, *args]
        try:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as exit_:
            code = _exit_code(exit_.code)
    except BaseException:  # what a new interpreter prints, then exits 1
        traceback.print_exc()
        code = 1
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _exit_code(code: object) -> int:
    """The status a `SystemExit(code)` leaves, as the interpreter decides it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _wait(pid: int, command: list[str], timeout: float) -> int:
    pidfd = os.pidfd_open(pid)
    try:
        ready, _, _ = select.select([pidfd], [], [], timeout)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise subprocess.TimeoutExpired(command, timeout)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(pidfd)
    return os.waitstatus_to_exitcode(status)


def _read(file: IO[bytes]) -> str:
    file.seek(0)
    return file.read().decode("utf-8", errors="replace")
