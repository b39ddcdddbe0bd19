"""Looking after the archive: re-parse, the schema and the search text, browsing it in Datasette."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from crawler.archive import migrate
from crawler.archive.database import database_url, redact
from crawler.cli import output as out
from crawler.cli.options import DateBound, database_errors, db_option, open_store, site_option

if TYPE_CHECKING:
    from datetime import datetime


@click.command()
@db_option
@site_option
@click.option("--since", type=DateBound(), help="Only pages fetched on or after (UTC).")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes that parse (1: this one). More pay where as many CPUs are idle.",
)
def reparse(db: str | None, site: str | None, since: datetime | None, workers: int) -> None:
    """Run the current parser over the stored captures, without any network.

    Each article is read from the capture of its current version; captures the
    quality gate held are read again, and those the profile now reads become
    versions.
    """
    from crawler.archive.db_errors import ArchiveUnwritable
    from crawler.archive.reparse import count_stored_pages
    from crawler.archive.reparse import reparse as run_reparse
    from crawler.archive.sites import archived_profiles
    from crawler.sites import ProfileError, UnknownSiteError

    store = open_store(db, writer=True)
    try:
        counts = run_reparse(
            store,
            site=site,
            since=since,
            workers=workers,
            profiles={s: found.profile for s, found in archived_profiles(store.engine).items()},
            progress=lambda pages: out.progress(
                pages,
                unit="pages",
                total=lambda: count_stored_pages(store, site, since),
            ),
        )
    except (UnknownSiteError, ProfileError) as error:
        hint = "a user's profile is found through ARCHIVE_SITES_DIR"
        raise click.ClickException(f"{error} ({hint})") from error
    except ArchiveUnwritable as error:
        raise click.ClickException(str(error)) from error
    total = sum(counts.values())
    details = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    click.echo(f"{total} stored pages parsed again: {details or 'none'}")


@click.group()
def db() -> None:
    """The archive database itself."""


@db.command("upgrade")
@db_option
def db_upgrade(db: str | None) -> None:
    """Create or migrate the database to the latest schema (alembic upgrade head)."""
    url = database_url(db)
    with database_errors(url):
        try:
            before, after = migrate.upgrade(url)
        except migrate.ArchiveSchemaError as error:
            raise click.ClickException(str(error)) from None
    if before == after:
        click.echo(f"{redact(url)} is up to date (revision {after})")
    else:
        click.echo(f"{redact(url)} migrated from {before or 'empty'} to {after}")


@db.command("reindex")
@db_option
def db_reindex(db: str | None) -> None:
    """Read every article's text for the search index again, as this version reads queries.

    Once after an upgrade whose release notes say search reads text anew (a
    change to crawler/archive/search_text.py); only the articles whose search
    text changes are written.
    """
    from crawler.archive.reindex import reindex

    store = open_store(db, writer=True)
    with database_errors(database_url(db)), store.engine.begin() as conn:
        changed = reindex(conn)
    store.engine.dispose()
    click.echo(f"{changed} articles indexed again")


@click.command(context_settings={"ignore_unknown_options": True})
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.argument("datasette_options", nargs=-1, type=click.UNPROCESSED)
def datasette(db: str | None, host: str, port: int, datasette_options: tuple[str, ...]) -> None:
    """Browse a SQLite archive in Datasette (the [datasette] extra).

    The home page leads to article_list (facets by site, kind and month)
    and to a search, best matches first, with facets by date, site and
    kind; each article's text on its own page (byline, images, related
    articles), right to left where its language is; times labelled UTC.
    Further options go to `datasette serve` as they are, e.g. `-- --setting
    sql_time_limit_ms 5000`.
    """
    import os

    from crawler.browsing.launch import BrowseError, datasette_argv, list_address

    url = database_url(db)
    try:
        argv = datasette_argv(url, host=host, port=port, extra=datasette_options)
    except (BrowseError, migrate.ArchiveSchemaError) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"The articles: {list_address(url, host=host, port=port)} (Ctrl-C stops)", err=True)
    # Datasette takes over this process: one process to stop, signals go straight to it.
    os.execv(argv[0], argv)
