"""A PostgreSQL role without the rights the archive needs is told what it lacks and which
GRANT gives it, in one line: the crawl exits 2, the commands 1 or 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psycopg
import pytest
from sqlalchemy.engine import make_url

from crawler.archive.migrate import ensure_current
from tests.conftest import PG_ADMIN_URL, ROOT, crawl, fresh_postgresql_database

if TYPE_CHECKING:
    from collections.abc import Iterator


@dataclass
class Roles:
    select_only: str
    """May read every table, write none."""
    usage_only: str
    """May use the schema (as PUBLIC may by default) and no table in it."""
    no_schema: str
    """May connect and nothing else: no schema it may use."""


def _login(url: str, role: str) -> str:
    return make_url(url).set(username=role).render_as_string(hide_password=False)


@contextmanager
def _roles(url: str) -> Iterator[Roles]:
    suffix = uuid.uuid4().hex[:8]
    names = Roles(f"select_only_{suffix}", f"usage_only_{suffix}", f"no_schema_{suffix}")
    database = make_url(url).database
    as_admin = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    every = [names.select_only, names.usage_only, names.no_schema]
    with psycopg.connect(as_admin, autocommit=True) as admin:
        for role in every:
            admin.execute(f"CREATE ROLE {role} LOGIN")
            admin.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {role}')
        admin.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC")
        admin.execute(f"GRANT USAGE ON SCHEMA public TO {names.select_only}, {names.usage_only}")
        admin.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {names.select_only}")
    try:
        yield names
    finally:
        with psycopg.connect(as_admin, autocommit=True) as admin:
            admin.execute(f"DROP OWNED BY {', '.join(every)}")
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            for role in every:
                admin.execute(f"DROP ROLE IF EXISTS {role}")


@dataclass
class Archive:
    url: str
    roles: Roles

    def command(self, role: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "crawler", *args, "--db", _login(self.url, role)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )


@pytest.fixture(scope="module")
def archive() -> Iterator[Archive]:
    with fresh_postgresql_database() as url:
        ensure_current(url)
        with _roles(url) as roles:
            yield Archive(url, roles)


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    return line


def test_a_select_only_role_reads_the_archive(archive):
    done = archive.command(archive.roles.select_only, "stats", "--json")

    assert done.returncode == 0, done.stderr


def test_a_crawl_as_a_select_only_role_says_it_may_not_write_and_which_grant_fixes_it(archive):
    role = archive.roles.select_only

    run = crawl(_login(archive.url, role), start="1851093", base_url="http://127.0.0.1:9")

    assert run.returncode == 2, run.log
    assert "Traceback" not in run.log
    [line] = [line for line in run.log.splitlines() if line.startswith("Error:")]
    assert f"the role {role} may not write the archive" in line
    assert f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}" in line
    assert "Spider opened" not in run.log


@pytest.mark.parametrize("command", [["stats"], ["db", "upgrade"]], ids=" ".join)
def test_a_role_with_no_schema_is_told_so_not_that_there_is_no_archive(archive, command):
    role = archive.roles.no_schema

    done = archive.command(role, *command)

    assert done.returncode in (1, 2)
    line = one_line(done)
    assert f"the role {role} may not use the archive's schema" in line
    assert f"GRANT USAGE ON SCHEMA public TO {role}" in line
    assert "holds no archive" not in line


def test_a_role_that_may_use_the_schema_and_no_table_is_told_to_be_granted_select(archive):
    role = archive.roles.usage_only

    done = archive.command(role, "stats")

    assert done.returncode == 2
    line = one_line(done)
    assert f"the role {role} may not read the archive" in line
    assert f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}" in line
