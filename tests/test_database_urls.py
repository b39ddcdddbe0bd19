"""A database that cannot be opened: one line, no traceback, no password, a documented exit code.

The crawl exits 2 (cannot start); every command of `python -m crawler` exits 2.
PostgreSQL here trusts every login, so a wrong password cannot be tried: an
unreachable port, an unknown role and an unknown database stand for it.
"""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from crawler.cli import cli
from tests.conftest import PG_ADMIN_URL, _postgres_or_skip, crawl

SECRET = "hunter2-never-shown"
COMMANDS = [
    ["search", "Hamedan"],
    ["show", "1851093"],
    ["stats"],
    ["history", "1851093"],
    ["export"],
    ["graph"],
    ["reparse"],
    ["db", "upgrade"],
]


def unreachable_url() -> str:
    """A PostgreSQL URL, with a password, on a port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql+psycopg://archiver:{SECRET}@127.0.0.1:{port}/news"


def on_test_server(**parts: str) -> str:
    """The test PostgreSQL's URL with another user or database."""
    url = make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg", **parts)
    return url.render_as_string(hide_password=False)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_every_command_says_in_one_line_that_the_database_is_unreachable(command):
    url = unreachable_url()

    done = CliRunner().invoke(cli, [*command, "--db", url])

    assert done.exit_code == 2, done.output
    [line] = done.stderr.splitlines()
    assert line.startswith(
        "Error: cannot open the archive database postgresql+psycopg://archiver:***@"
    )
    assert "Connection refused" in line
    assert SECRET not in done.output


@pytest.mark.parametrize(
    ("parts", "says"),
    [
        ({"username": "no_such_archiver"}, 'role "no_such_archiver" does not exist'),
        ({"database": "no_such_archive"}, 'database "no_such_archive" does not exist'),
    ],
)
def test_an_unknown_role_or_database_is_one_line_and_exit_2(parts, says):
    _postgres_or_skip()

    done = CliRunner().invoke(cli, ["stats", "--db", on_test_server(**parts)])

    assert done.exit_code == 2, done.output
    [line] = done.stderr.splitlines()
    assert says in line


def test_a_url_that_is_not_one_is_one_line_and_exit_2():
    done = CliRunner().invoke(cli, ["stats", "--db", "archive.sqlite3"])

    assert done.exit_code == 2
    assert done.stderr.startswith("Error: cannot open the archive database")


@pytest.mark.parametrize("url", ["unreachable", "unknown role"])
def test_the_crawl_cannot_start_without_its_database_and_exits_2(url):
    if url == "unreachable":
        database = unreachable_url()
    else:
        _postgres_or_skip()
        database = on_test_server(username="nobody_x")

    run = crawl(database, start="1851093", base_url="http://127.0.0.1:9")

    assert run.returncode == 2, run.log
    [line] = [line for line in run.log.splitlines() if line.startswith("Error:")]
    assert line.startswith("Error: cannot open the archive database")
    assert "Traceback" not in run.log
    assert SECRET not in run.log
    assert "Spider opened" not in run.log
