"""A throwaway database on a running PostgreSQL, for the tests' and the benchmark's crawls.

Each gets a database of its own (created, then dropped with whatever is still
connected to it), so that runs side by side on one server never see each
other's archive, and nothing is left behind.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import TYPE_CHECKING

import psycopg

if TYPE_CHECKING:
    from collections.abc import Iterator


def libpq_url(url: str) -> str:
    """A PostgreSQL URL in libpq's form (psycopg's), from SQLAlchemy's or libpq's."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def database_url(admin_url: str, name: str) -> str:
    """The SQLAlchemy URL of database `name` on the server of `admin_url`."""
    base = libpq_url(admin_url).rsplit("/", 1)[0]
    return f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"


@contextmanager
def throwaway_database(
    admin_url: str, prefix: str = "archive_test", template: str | None = None
) -> Iterator[str]:
    """A new database on the server of `admin_url`, as a SQLAlchemy URL; dropped afterwards.

    `admin_url` names a database to connect to for CREATE and DROP, in libpq's
    form or SQLAlchemy's (``postgresql+psycopg://``). With `template`, the new
    database is a copy of that one (which nobody may be connected to).
    """
    admin_url = libpq_url(admin_url)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        copied = f' TEMPLATE "{template}"' if template else ""
        admin.execute(f'CREATE DATABASE "{name}"{copied}')
    try:
        yield database_url(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
