"""One scheduled run per archive and site at a time.

The lock is one the operating system or the database drops by itself when
its holder dies: an flock on a file beside a SQLite archive, a session
advisory lock on PostgreSQL. A run killed with SIGKILL therefore never leaves
a stale lock behind, and the next run takes over at once.

The workers of a shared frontier (crawler.cluster) run side by side by
design: they hold the lock `shared`, so that they exclude a single-process
run of the site, and it them, but not one another.
"""

from __future__ import annotations

import fcntl
import os
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

_PG_NAMESPACE = 0x61726368  # the first key of our advisory locks; the second is the site's


class LockedError(RuntimeError):
    pass


class SiteLock:
    def __init__(self, engine: Engine, site: str, *, shared: bool = False) -> None:
        self.site = site
        self._file: int | None = None
        self._connection: Connection | None = None
        url = make_url(str(engine.url))
        if engine.dialect.name == "sqlite":
            database = url.database or ""
            if database in ("", ":memory:"):
                return  # a private database needs no lock
            path = Path(f"{database}.{site}.lock")
            self._file = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
                fcntl.flock(self._file, mode | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(self._file)
                self._file = None
                raise LockedError(site) from None
        else:
            self._connection = engine.connect()
            function = "pg_try_advisory_lock_shared" if shared else "pg_try_advisory_lock"
            got = self._connection.execute(
                text(f"SELECT {function}(:namespace, :key)"),
                {"namespace": _PG_NAMESPACE, "key": _site_key(site)},
            ).scalar()
            self._connection.commit()
            if not got:
                self._connection.close()
                self._connection = None
                raise LockedError(site)

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            os.close(self._file)
            self._file = None
        if self._connection is not None:
            self._connection.close()  # ends the session, and its advisory lock with it
            self._connection = None


def _site_key(site: str) -> int:
    key = zlib.crc32(site.encode())
    return key - 2**32 if key >= 2**31 else key
