"""Writing files so that a reader never sees half of one, and never replacing what is not a file."""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator


class NotAFileError(ValueError):
    """The target exists and is neither a regular file nor a stream (a directory, a disk...)."""


@contextmanager
def atomic_writer(path: str | Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Write `path` whole or not at all.

    A regular file (or a new one) is written to a temporary file beside it,
    which is then renamed over it; on an error the temporary file is removed
    and `path` is left as it was. A symlink there is replaced, not written
    through. A new file gets the permissions the umask gives, a replaced one
    keeps its own.

    A character device or a FIFO (``/dev/null``, ``/dev/stdout``, a named
    pipe), or a symlink to one, is a stream rather than a file: it is written
    directly and never replaced. Anything else that exists there (a
    directory, a block device, a socket) is refused with `NotAFileError`.
    """
    target = Path(path)
    text = {} if "b" in mode else {"encoding": "utf-8", "newline": ""}
    try:
        found = target.stat()  # follows a symlink: what would be written to
    except FileNotFoundError:
        found = None
    if found is not None and (stat.S_ISCHR(found.st_mode) or stat.S_ISFIFO(found.st_mode)):
        with target.open(mode, **text) as handle:  # type: ignore[call-overload]
            yield handle
        return
    if found is not None and not stat.S_ISREG(found.st_mode):
        raise NotAFileError(f"{path} is not a regular file: refusing to replace it")
    if found is not None and not target.is_symlink():
        permissions = stat.S_IMODE(found.st_mode)
    else:
        permissions = 0o666 & ~_umask()
    fd, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or "."
    )
    try:
        os.fchmod(fd, permissions)  # mkstemp's 0600 is for the temporary file only
        with os.fdopen(fd, mode, **text) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)  # the only way to read it is to set it
    os.umask(current)
    return current
