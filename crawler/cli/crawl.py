"""`news-archive crawl`: `scrapy crawl related` with this project's settings, from anywhere.

An installed archive has no scrapy.cfg to find its settings by, so the
settings module is named here; the crawl itself is the project's `crawl`
command (crawler.commands.crawl), with its checks, lock and exit codes.
"""

from __future__ import annotations

import os
import sys

import click

SETTINGS_MODULE = "crawler.settings"
SPIDER = "related"


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.argument(
    "scrapy_options",
    nargs=-1,
    type=click.UNPROCESSED,
    metavar="[-a NAME=VALUE | -s NAME=VALUE | -O FILE]...",
)
@click.option(
    "--all",
    "every_site",
    is_flag=True,
    help="Crawl each site of the archive that is due (its profile's [discovery] every).",
)
def crawl(scrapy_options: tuple[str, ...], every_site: bool) -> None:
    """Crawl the site into the archive (scrapy crawl related, from any directory).

    \b
    news-archive crawl -a start=1851093
    news-archive crawl -a start=latest -s ARCHIVE_DB=postgresql+psycopg://archiver@dbhost/news
    news-archive crawl -a ids=1808000-1809000 -O items.jsonl
    news-archive crawl -a start=1851093 -a base_url=http://127.0.0.1:8765
    news-archive crawl --all -s ARCHIVE_DB=postgresql+psycopg://archiver@dbhost/news

    \b
    Options are those of `scrapy crawl`:
      -a NAME=VALUE    spider argument: start, ids, site, base_url
      -s NAME=VALUE    setting, e.g. ARCHIVE_DB, DEPTH_LIMIT, CLOSESPIDER_ITEMCOUNT
      -o/-O FILE       append / overwrite a feed of the archived records
      -L LEVEL, --logfile FILE, --nolog

    Exit codes: 0 finished, 1 failed, 2 cannot start (bad argument or database),
    3 degraded, 4 locked (another run of the site is archiving into the same
    database), 5 interrupted.
    """
    if every_site:
        _crawl_every_site(scrapy_options)
    # The project's settings, whatever directory (and scrapy.cfg) this runs in.
    os.environ["SCRAPY_SETTINGS_MODULE"] = SETTINGS_MODULE
    from scrapy.cmdline import execute

    execute(["scrapy", "crawl", SPIDER, *scrapy_options])  # exits with the crawl's code


def _crawl_every_site(scrapy_options: tuple[str, ...]) -> None:
    """--all: each due site in a crawl of its own; exits with the worst of their codes."""
    from crawler.cli.crawl_all import crawl_all

    sys.exit(crawl_all(scrapy_options))
