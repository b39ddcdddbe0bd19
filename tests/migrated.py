"""Fresh archives at the current schema, copied rather than migrated test by test.

Running the migrations costs a PostgreSQL database about 0.7 s and a SQLite file
about 0.3 s, several hundred times a suite. So the suite migrates one of each
and each test gets a copy: a PostgreSQL database made with ``CREATE DATABASE ...
TEMPLATE`` from a template of the suite run's own (named in ``TEMPLATE_ENV`` by
the controller, built by whichever worker needs it first, dropped when the run
ends), and a SQLite file copied from one migrated per worker. A copy is what
the migrations make, so the tests that need an empty database (migrations, a
first crawl creating its archive, roles) ask for one by name.
"""

from __future__ import annotations

import os
import shutil
import uuid
from functools import cache
from typing import TYPE_CHECKING

import psycopg

from crawler.archive.migrate import ensure_current
from localcopy.postgresql import database_url, libpq_url

if TYPE_CHECKING:
    from pathlib import Path

TEMPLATE_ENV = "ARCHIVE_TEST_TEMPLATE"
_BUILD_LOCK = 0x74706C  # any constant: workers wait for the one that builds the template


def name_the_template() -> None:
    """In the run's first process, before pytest-xdist starts its workers (who inherit it)."""
    os.environ.setdefault(TEMPLATE_ENV, f"archive_template_{uuid.uuid4().hex[:12]}")


@cache
def postgresql_template(admin_url: str) -> str:
    """The name of the suite run's migrated template database, built on first use.

    It is migrated under another name and renamed when complete, so that a
    worker killed while building leaves no half-migrated template behind.
    """
    name = os.environ[TEMPLATE_ENV]
    # The session's advisory lock goes with its connection, whatever happens inside.
    with psycopg.connect(libpq_url(admin_url), autocommit=True) as admin:
        admin.execute("SELECT pg_advisory_lock(%s)", (_BUILD_LOCK,))
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if found is None:
            building = f"{name}_building"
            admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{building}"')
            # ensure_current disposes its engine: nobody stays connected to the template.
            ensure_current(database_url(admin_url, building))
            admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    return name


def drop_postgresql_template(admin_url: str) -> None:
    """When the run ends, in the process that named the template."""
    name = os.environ.get(TEMPLATE_ENV)
    if not name:
        return
    try:
        with psycopg.connect(libpq_url(admin_url), autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.OperationalError:
        pass  # no PostgreSQL here: nothing was built


def copy_migrated_sqlite(migrated: Path, to: Path) -> None:
    """A migrated SQLite archive at `to`, copied from `migrated` (made on first use).

    Like the template, it is migrated under another name and renamed when whole.
    """
    if not migrated.exists():
        building = migrated.with_name(f"{migrated.name}.building")
        building.unlink(missing_ok=True)
        ensure_current(f"sqlite:///{building}")  # its engine is disposed: the file is whole
        building.rename(migrated)
    shutil.copyfile(migrated, to)
