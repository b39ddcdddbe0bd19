"""Which database, and one engine for it per process."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

DEFAULT_URL = "sqlite:///archive.sqlite3"
_BACKENDS = ("sqlite", "postgresql")
ENV_VAR = "ARCHIVE_DB"


def database_url(configured: str | None = None) -> str:
    """The `ARCHIVE_DB` setting if given, else the environment variable, else SQLite."""
    return configured or os.environ.get(ENV_VAR) or DEFAULT_URL


def redact(url: str) -> str:
    """The URL as it may appear in logs and run records: never with its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL may still hold a secret
        return "<unparseable database URL>"


_PASSWORD_IN_URL = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*):[^@\s]*@")


def redact_urls(value: Any) -> Any:
    """`value` with the password of every URL in it (any scheme, nested anywhere) hidden."""
    if isinstance(value, str):
        return _PASSWORD_IN_URL.sub(r"\g<head>:***@", value)
    if isinstance(value, dict):
        return {key: redact_urls(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_urls(item) for item in value]
    return value


def unavailable(error: BaseException, url: str) -> str | None:
    """The one line a person is told when `error` says the database at `url` cannot be
    opened (a server not answering, a login refused, an unknown role or database, a URL
    that is not one), without its password; None for any other error, a bug to show in full.
    """
    origin = getattr(error, "orig", None) or error
    text = str(origin).strip()
    first = text.splitlines()[0] if text else type(error).__name__
    password = _password(url)
    if password:
        first = first.replace(password, "***")
    first = redact_urls(first)
    if getattr(origin, "sqlite_errorcode", 0) & 0xFF in _SQLITE_DAMAGED:
        path = _sqlite_path(url)
        return (
            f"the archive at {path} is damaged: {first}; restore it from a backup "
            f"or run `sqlite3 {path} .recover`"
        )
    if getattr(origin, "sqlstate", None) == _INSUFFICIENT_PRIVILEGE:
        statement = (getattr(error, "statement", None) or "").lstrip().upper()
        needs = "read" if statement.startswith("SELECT") else "write"
        if statement.startswith(("CREATE", "ALTER")):
            needs = "create"
        return privilege_problem(url, first, needs=needs)
    if not isinstance(error, OperationalError | InterfaceError | ArgumentError):
        return None
    return f"cannot open the archive database {redact(url)}: {first}"


_SQLITE_DAMAGED = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_INSUFFICIENT_PRIVILEGE = "42501"
_GRANTS = {
    "schema": "GRANT USAGE ON SCHEMA public TO {role}",
    "read": "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
    "create": "GRANT USAGE, CREATE ON SCHEMA public TO {role}",
    "write": (
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}; "
        "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}"
    ),
}


def privilege_problem(url: str, message: str, *, needs: str = "write") -> str:
    """What a PostgreSQL role lacks (from the server's `message`), and the grant that fixes it."""
    role = _user(url) or "the role"
    lacking = "schema" if "for schema" in message and needs != "create" else needs
    what = {
        "schema": "may not use the archive's schema",
        "read": "may not read the archive",
        "write": "may not write the archive",
        "create": "may not create the archive's tables",
    }[lacking]
    grant = _GRANTS[lacking].format(role=role)
    return (
        f"the role {role} {what} in {redact(url)} ({message}): as the archive's owner, run {grant}"
    )


def _sqlite_path(url: str) -> str:
    try:
        return make_url(url).database or url
    except Exception:
        return url


def _user(url: str) -> str | None:
    try:
        return make_url(url).username
    except Exception:
        return None


def _password(url: str) -> str | None:
    try:
        return make_url(url).password
    except Exception:
        return None


def json_text(value: Any) -> str:
    """JSON as readable UTF-8 text (``’``, not ``\\u2019``), for SQL users and Datasette.

    A string holding a lone surrogate cannot be UTF-8; such a value keeps
    JSON's escapes, which lose nothing.
    """
    text = json.dumps(value, ensure_ascii=False)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return json.dumps(value)
    return text


def create_archive_engine(
    url: str, *, writer: bool = False, read_only: bool = False, busy_timeout: float = 30.0
) -> Engine:
    """An engine with the archive's connection rules.

    SQLite runs in WAL mode (readers never block the writer), with foreign keys
    on, and with transactions begun by us rather than by the sqlite3 module,
    whose legacy mode starts them late. The writer takes the write lock when
    its transaction begins (``BEGIN IMMEDIATE``), so a batch never fails half
    way for want of it; `busy_timeout` is how long SQLite itself waits for a
    lock another process holds. A `read_only` engine leaves the file's journal
    mode as it finds it: switching to WAL writes the file, and a reader may be
    pointed at a database that is no archive (an archive is WAL from its
    first crawl on, which is what lets it be read while a crawl writes).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() not in _BACKENDS:
        raise ArgumentError(
            f"{parsed.drivername} is not a database the archive keeps: give sqlite:///FILE "
            "or postgresql+psycopg://user@host/database"
        )
    options: dict[str, Any] = {"json_serializer": json_text}
    if parsed.get_backend_name() == "postgresql":
        options["pool_pre_ping"] = True
    engine = create_engine(parsed, **options)
    if parsed.get_backend_name() == "sqlite":
        begin = "BEGIN IMMEDIATE" if writer else "BEGIN"
        _configure_sqlite(engine, begin, busy_timeout, wal=not read_only)
    return engine


def _configure_sqlite(engine: Engine, begin: str, busy_timeout: float, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)
