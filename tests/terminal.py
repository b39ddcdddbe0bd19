"""Running a command as a person at a terminal sees it: on a pseudo-terminal of a given size."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
from typing import TYPE_CHECKING

from tests.conftest import ROOT

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


def on_terminal(
    command: Sequence[str],
    *,
    columns: int = 100,
    env: Mapping[str, str] | None = None,
    stdout_too: bool = True,
) -> bytes:
    """What the terminal shows of `command` (stderr, stdout unless redirected); it must exit 0."""
    controller, terminal = pty.openpty()
    # A new pseudo-terminal has no size; a person's has one.
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    process = subprocess.Popen(
        list(command),
        cwd=ROOT,
        env=None if env is None else {**os.environ, **env},
        stdin=terminal,
        stdout=terminal if stdout_too else subprocess.DEVNULL,
        stderr=terminal,
    )
    os.close(terminal)
    seen = b""
    while select.select([controller], [], [], 60)[0]:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the command has closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(controller)
    assert process.wait(timeout=60) == 0, seen
    return seen
