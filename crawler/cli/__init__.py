"""news-archive COMMAND (or python -m crawler COMMAND): crawl, query and maintain the archive.

`crawl` is the spider (crawler.cli.crawl). Every other command takes --db URL;
without it the ARCHIVE_DB environment variable, else sqlite:///archive.sqlite3,
as a crawl does. Commands that print print tables on a terminal and JSON
otherwise (--json / --human to choose).

Exit codes (`crawl` has its own, see crawler.commands.crawl): 0 done, 1 an
error (not in the archive, no archive, a bad file, a query with nothing to
search for, ...), 2 a bad argument or a database that cannot be opened
(unreachable, login refused, unknown role or database, a URL that is not one).
"""

from __future__ import annotations

import click

from crawler.cli import captures, exporting, maintenance, profiles, reading
from crawler.cli.crawl import crawl
from crawler.cli.cron import cron
from crawler.cli.sites import sites

DISTRIBUTION = "news-archive"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name=DISTRIBUTION, message="%(package)s %(version)s")
def cli() -> None:
    """The news archive: crawl, search, read, count, export and maintain it."""


for command in (
    crawl,
    cron,
    reading.search,
    reading.show,
    reading.stats,
    reading.history,
    captures.captures,
    sites,
    exporting.export,
    exporting.graph,
    maintenance.reparse,
    maintenance.db,
    maintenance.datasette,
    profiles.parse,
    profiles.profile,
):
    cli.add_command(command)


def main() -> None:
    cli()  # click names the program: news-archive, or python -m crawler
