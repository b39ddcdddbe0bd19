"""Bringing a database to the schema this code expects (alembic, under the hood)."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from crawler.archive.database import create_archive_engine, privilege_problem, redact
from crawler.archive.models import Base
from crawler.sites.package_data import package_directory

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.engine import Connection, Engine

logger = logging.getLogger(__name__)

MIGRATIONS_PACKAGE = "crawler.migrations"
"""migrations/ in a checkout, shipped inside the package when installed (see setup.py)."""
UPGRADE_COMMAND = "news-archive db upgrade"
_PG_MIGRATION_LOCK = 0x6E657773  # any constant: crawls starting together migrate one at a time


class ArchiveSchemaError(RuntimeError):
    """The database is not at the schema this code expects, and will not be changed silently."""


def migrations_directory() -> Path:
    """The alembic scripts as a directory on disk, where alembic reads them."""
    try:
        return package_directory(MIGRATIONS_PACKAGE)
    except ModuleNotFoundError:
        raise ArchiveSchemaError(
            f"the migrations ({MIGRATIONS_PACKAGE}) are not installed: install news-archive "
            "with pip (pip install . in a checkout)"
        ) from None


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_directory()))
    config.attributes["database_url"] = url
    return config


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def upgrade(url: str) -> tuple[str | None, str | None]:
    """Migrate to the latest revision; returns (revision before, revision after)."""
    engine = create_archive_engine(url)
    try:
        with _quiet("alembic"), engine.connect() as conn:
            _check_schema_usable(conn, url)
            _lock(conn)
            before = MigrationContext.configure(conn).get_current_revision()
            _run_upgrade(conn, url)
            after = MigrationContext.configure(conn).get_current_revision()
            conn.commit()
        return before, after
    finally:
        engine.dispose()


def ensure_current(url: str, engine: Engine | None = None) -> None:
    """Create and migrate a fresh database; refuse one at another revision.

    `engine`, if given, is the caller's engine on `url` (a process keeps one).
    """
    _check(url, create=True, engine=engine)


def check_current(url: str) -> None:
    """Refuse a database that is missing, empty or at another revision; change nothing."""
    parsed = make_url(url)
    path = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if path and path != ":memory:" and not Path(path).exists():
        raise ArchiveSchemaError(
            f"no archive at {redact(url)}: crawl into it, or run `{UPGRADE_COMMAND}`"
        )
    _check(url, create=False)


def _check(url: str, *, create: bool, engine: Engine | None = None) -> None:
    own = engine is None
    # Only a check that may create the archive may change the file (see read_only).
    engine = engine or create_archive_engine(url, read_only=not create)
    try:
        with _quiet("alembic"), engine.connect() as conn:
            _check_schema_usable(conn, url)
            _lock(conn)
            current = MigrationContext.configure(conn).get_current_revision()
            head = head_revision(url)
            if current == head:
                return
            if current is None:
                ours = set(Base.metadata.tables) & set(inspect(conn).get_table_names())
                if ours:
                    raise ArchiveSchemaError(
                        f"{redact(url)} holds archive tables ({', '.join(sorted(ours))}) "
                        "but no migration record; it was not made by these migrations"
                    )
                if not create:
                    raise ArchiveSchemaError(
                        f"{redact(url)} holds no archive: crawl into it, or run `{UPGRADE_COMMAND}`"
                    )
                logger.info("Creating the archive schema in %s (revision %s)", redact(url), head)
                _run_upgrade(conn, url)
                conn.commit()
                return
            script = ScriptDirectory.from_config(alembic_config(url))
            if current in {rev.revision for rev in script.walk_revisions()}:
                raise ArchiveSchemaError(
                    f"the archive database {redact(url)} is at revision {current}, this crawler "
                    f"needs {head}: run `{UPGRADE_COMMAND} --db URL` (or `alembic upgrade head`)"
                )
            raise ArchiveSchemaError(
                f"the archive database {redact(url)} is at revision {current}, which this crawler "
                "does not know: it was migrated by a newer version"
            )
    finally:
        if own:
            engine.dispose()


def _check_schema_usable(conn: Connection, url: str) -> None:
    """On PostgreSQL, a role with no schema it may use sees no tables at all: say so,
    rather than that the database holds no archive."""
    if conn.dialect.name != "postgresql":
        return
    if conn.execute(text("SELECT current_schema()")).scalar() is None:
        raise ArchiveSchemaError(
            privilege_problem(url, "permission denied for schema public", needs="schema")
        )


_WRITES = ("SELECT", "INSERT", "UPDATE", "DELETE")


def check_writable(engine: Engine, url: str) -> None:
    """Refuse, before a crawl begins, a PostgreSQL role that may not write every archive
    table (it would fail at its first write, with its run unrecorded)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        for table in Base.metadata.tables:
            for privilege in _WRITES:  # has_table_privilege("a, b") is true if any is held
                allowed = conn.execute(
                    text("SELECT has_table_privilege(:table, :privilege)"),
                    {"table": table, "privilege": privilege},
                ).scalar()
                if not allowed:
                    raise ArchiveSchemaError(
                        privilege_problem(url, f"no {privilege} on table {table}", needs="write")
                    )


def _run_upgrade(conn: Connection, url: str) -> None:
    config = alembic_config(url)
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    """Alembic narrates each step at INFO; inside a crawl's log one line says it all."""
    log = logging.getLogger(name)
    level = log.level
    log.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        log.setLevel(level)


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
