"""What the archive's commands share: options, date bounds, opening the archive, writing a file."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

import click

from crawler.archive import migrate
from crawler.archive.database import database_url, unavailable
from crawler.export.atomic import NotAFileError, atomic_writer
from crawler.sites.profile import KINDS

if TYPE_CHECKING:
    from collections.abc import Iterator

    from crawler.archive.store import ArchiveStore

db_option = click.option(
    "--db",
    "db",
    metavar="URL",
    default=None,
    help="Database URL (default: $ARCHIVE_DB, else sqlite:///archive.sqlite3).",
)
json_option = click.option(
    "--json/--human",
    "as_json",
    default=None,
    help="JSON for programs, or tables for people (default: tables on a terminal).",
)
site_option = click.option("--site", help="Only this site profile.")
article_site_option = click.option(
    "--site", help="The article's site (needed only when several sites use the id)."
)
kind_option = click.option("--kind", type=click.Choice(KINDS), help="Only this kind.")
output_option = click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="File to write (default: stdout)."
)
raw_csv_option = click.option(
    "--raw-csv",
    is_flag=True,
    help="CSV text exactly as archived: no ' before cells a spreadsheet would run as formulas.",
)


class DateBound(click.ParamType):
    """A date (2016-08-16) or time (2016-08-16T12:00), in UTC unless it says otherwise.

    As an upper bound a bare date means the whole of that day.
    """

    name = "date"

    def __init__(self, *, upper: bool = False) -> None:
        self.upper = upper

    def convert(self, value: Any, param: Any, ctx: Any) -> datetime:
        if isinstance(value, datetime):
            return value
        from crawler.archive.reading import date_bound

        try:
            return date_bound(value, upper=self.upper)
        except ValueError:
            self.fail(f"{value!r} is not a date like 2016-08-16 or 2016-08-16T12:00", param, ctx)


since_option = click.option("--since", type=DateBound(), help="Published on or after (UTC).")
until_option = click.option("--until", type=DateBound(upper=True), help="Published up to (UTC).")


def article_site(store: ArchiveStore, site: str | None, article_id: str) -> str:
    """The site `article_id` belongs to: `site` when given, else the one site holding it.

    An id no site holds, or one several hold, is one line and exit code 1.
    """
    from crawler.archive.reading import AmbiguousArticle, ArticleNotFound
    from crawler.archive.reading import article_site as resolved

    try:
        return resolved(store, site, article_id)
    except ArticleNotFound as error:
        raise click.ClickException(str(error)) from None
    except AmbiguousArticle as error:
        raise click.ClickException(f"{error}: say which with --site {error.sites[0]}") from None


def open_store(db: str | None, *, writer: bool = False) -> ArchiveStore:
    from crawler.archive.reading import open_archive

    url = database_url(db)
    with database_errors(url):
        try:
            store = open_archive(url, writer=writer)
        except migrate.ArchiveSchemaError as error:
            raise click.ClickException(str(error)) from error
        _use_archive_profiles(store)
        return store


def _use_archive_profiles(store: ArchiveStore) -> None:
    """Every command reads each site by the profile it was crawled with; a changed file
    is said on stderr, once."""
    from crawler.archive.sites import archived_profiles
    from crawler.cli import output as out

    try:
        archived = archived_profiles(store.engine)
    except (ValueError, KeyError) as error:  # a stored copy that no longer loads: said
        click.echo(f"warning: the archive's site profiles cannot be read: {error}", err=True)
        return
    for found in archived.values():
        if found.warning:
            click.echo(f"warning: {found.warning}", err=True)
    out.use_archive_profiles({site: found.profile for site, found in archived.items()})


@contextmanager
def written(output: str, mode: str = "w") -> Iterator[IO[Any]]:
    """`output` written whole (crawler.export.atomic); a target that is no file, a missing
    directory, a full disk: one line (exit 1), and nothing half written left behind."""
    try:
        with atomic_writer(output, mode) as handle:
            yield handle
    except NotAFileError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise click.ClickException(f"cannot write {output}: {reason}") from None


class DatabaseUnavailable(click.ClickException):
    """One line, exit code 2: the database cannot be opened (see crawler.archive.database)."""

    exit_code = 2


@contextmanager
def database_errors(url: str) -> Iterator[None]:
    """A database that cannot be opened is one line and exit code 2, never a traceback."""
    try:
        yield
    except Exception as error:
        refusal = unavailable(error, url)
        if refusal is None:
            raise
        raise DatabaseUnavailable(refusal) from None
