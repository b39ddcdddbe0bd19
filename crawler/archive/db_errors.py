"""What a database error means for the crawl: wait, isolate the page, or stop.

- `AWAY`: the database is briefly unreachable or busy (connection refused or
  lost, a restart, a deadlock, a lock held by another process). The batch is
  one transaction, so it is tried again, with growing waits.
- `BAD_DATA`: the statement was refused for what one page holds (a value out
  of range, a constraint, a size limit). Trying again cannot help: the batch
  is split to find the page, which is kept as dropped with its reason.
- `UNWRITABLE`: the database takes no writes at all (disk full, read-only,
  no permission, a damaged file). Every later batch would fail too: the run
  stops at once, saying what to do.

PostgreSQL errors are told apart by SQLSTATE (psycopg's ``sqlstate``), SQLite
ones by their result code (``sqlite_errorcode``).
"""

from __future__ import annotations

import enum
import sqlite3

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError


class ErrorKind(enum.Enum):
    AWAY = "away"
    BAD_DATA = "bad_data"
    UNWRITABLE = "unwritable"


class ArchiveUnwritable(Exception):
    """The archive database takes no writes; the message says what to do."""


# SQLSTATEs: https://www.postgresql.org/docs/current/errcodes-appendix.html
_PG_AWAY_CLASSES = ("08",)  # connection exception
_PG_AWAY = frozenset(
    {
        "57P01",  # admin_shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now
        "57014",  # query_canceled
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "55P03",  # lock_not_available
        "55006",  # object_in_use
        "53200",  # out_of_memory
        "53300",  # too_many_connections
    }
)
_PG_UNWRITABLE = {
    "53100": ("its disk is full", "free space on the database server and run again"),
    "25006": (
        "it is read-only",
        "make it writable, or point ARCHIVE_DB at a writable database, and run again",
    ),
    "42501": ("its user may not write the archive", "grant the user write access and run again"),
    "58030": ("the server cannot write its files", "check the database server's disks"),
    "XX001": ("its data files are damaged", "check the database server before running again"),
}
# Other classes where nothing a page holds is to blame: the schema, the login, the server.
_PG_UNWRITABLE_CLASSES = {
    "42": ("it refuses the archive's statements", "check the schema (news-archive db upgrade)"),
    "28": ("it refuses the login", "check ARCHIVE_DB's user and password"),
    "3D": ("the database does not exist", "check ARCHIVE_DB"),
    "58": ("the server fails", "check the database server"),
}

# SQLite primary result codes: https://www.sqlite.org/rescode.html
_SQLITE_AWAY = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_PROTOCOL})
_SQLITE_UNWRITABLE = {
    sqlite3.SQLITE_FULL: ("its disk is full", "free space beside the database file and run again"),
    sqlite3.SQLITE_READONLY: (
        "it is read-only",
        "make the database file and its directory writable, and run again",
    ),
    sqlite3.SQLITE_IOERR: ("its file cannot be written", "check the disk it is on"),
    sqlite3.SQLITE_CORRUPT: ("its file is damaged", "restore it from a backup"),
    sqlite3.SQLITE_NOTADB: ("its file is not an SQLite database", "check ARCHIVE_DB"),
    sqlite3.SQLITE_CANTOPEN: ("its file cannot be opened", "check the path and its permissions"),
    sqlite3.SQLITE_PERM: ("access to its file is denied", "check the file's permissions"),
}


def classify(error: BaseException) -> ErrorKind:
    """Whether to wait for the database, isolate the page, or stop the run."""
    if _unwritable_reason(error) is not None:
        return ErrorKind.UNWRITABLE
    origin = getattr(error, "orig", None) or error
    sqlstate = getattr(origin, "sqlstate", None)
    if isinstance(sqlstate, str):
        if sqlstate in _PG_AWAY or sqlstate.startswith(_PG_AWAY_CLASSES):
            return ErrorKind.AWAY
        return ErrorKind.BAD_DATA
    code = getattr(origin, "sqlite_errorcode", None)
    if isinstance(code, int):
        return ErrorKind.AWAY if code & 0xFF in _SQLITE_AWAY else ErrorKind.BAD_DATA
    # No code: psycopg's own connection errors ("server closed the connection"), pool timeouts.
    if isinstance(error, OperationalError | InterfaceError):
        return ErrorKind.AWAY
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return ErrorKind.AWAY
    return ErrorKind.BAD_DATA


def unwritable(error: BaseException) -> ArchiveUnwritable:
    """The one-line error that stops the run, for an error `classify` finds UNWRITABLE."""
    what, todo = _unwritable_reason(error) or ("it refuses writes", "check it and run again")
    return ArchiveUnwritable(
        f"the archive database cannot take writes: {what} ({first_line(error)}); {todo}"
    )


def first_line(error: BaseException) -> str:
    """The database's own message, without SQLAlchemy's statement and parameters."""
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _unwritable_reason(error: BaseException) -> tuple[str, str] | None:
    origin = getattr(error, "orig", None) or error
    sqlstate = getattr(origin, "sqlstate", None)
    if isinstance(sqlstate, str):
        return _PG_UNWRITABLE.get(sqlstate) or _PG_UNWRITABLE_CLASSES.get(sqlstate[:2])
    code = getattr(origin, "sqlite_errorcode", None)
    if isinstance(code, int):
        return _SQLITE_UNWRITABLE.get(code & 0xFF)
    return None
