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
    metavar="[--max-articles N] [-a NAME=VALUE | -s NAME=VALUE | -O FILE]...",
)
@click.option(
    "--all",
    "every_site",
    is_flag=True,
    help="Crawl each site of the archive that is due (its profile's [discovery] every).",
)
@click.option(
    "--url",
    "site_url",
    metavar="URL",
    help="Crawl a site without a profile from its front page: the feeds it links to and "
    "robots.txt's sitemaps, with the generic profile.",
)
def crawl(scrapy_options: tuple[str, ...], every_site: bool, site_url: str | None) -> None:
    """Crawl the site into the archive (scrapy crawl related, from any directory).

    \b
    news-archive crawl -a start=1851093
    news-archive crawl -a start=latest -s ARCHIVE_DB=postgresql+psycopg://archiver@dbhost/news
    news-archive crawl -a ids=1808000-1809000 -O items.jsonl
    news-archive crawl -a start=1851093 -a base_url=http://127.0.0.1:8765
    news-archive crawl -a start=latest --max-articles 50
    news-archive crawl --url http://127.0.0.1:8765/
    news-archive crawl --all -s ARCHIVE_DB=postgresql+psycopg://archiver@dbhost/news

    \b
    --max-articles N   stop once N new articles are archived (-a max_articles=N);
                       what was found and not fetched is the next run's
    Other options are those of `scrapy crawl`:
      -a NAME=VALUE    spider argument: start, ids, site, base_url, max_articles
      -s NAME=VALUE    setting, e.g. ARCHIVE_DB, DEPTH_LIMIT, CLOSESPIDER_ITEMCOUNT
      -o/-O FILE       append / overwrite a feed of the archived records
      -L LEVEL, --logfile FILE, --nolog

    --all and --url come before the options of `scrapy crawl`. With --all, one
    line a site (its summary, or why it was not crawled) and the worst exit code.

    Exit codes: 0 finished, 1 failed, 2 cannot start (bad argument or database),
    3 degraded, 4 locked (another run of the site is archiving into the same
    database), 5 interrupted.
    """
    if every_site and site_url is not None:
        raise click.UsageError("--all crawls the archive's sites, --url a new one: give one")
    if every_site:
        _crawl_every_site(scrapy_options)
    if site_url is not None:
        scrapy_options = _crawl_from_front_page(site_url, scrapy_options)
    # The project's settings, whatever directory (and scrapy.cfg) this runs in.
    os.environ["SCRAPY_SETTINGS_MODULE"] = SETTINGS_MODULE
    from scrapy.cmdline import execute

    options = max_articles_option(scrapy_options)
    execute(["scrapy", "crawl", SPIDER, *options])  # exits with the crawl's code


def max_articles_option(options: tuple[str, ...]) -> list[str]:
    """`options` with ``--max-articles N`` (or ``=N``) as the spider argument it stands for.

    Scrapy's options pass through unparsed, so this one is found among them; the
    spider's argument checks its value, as it checks ``-a max_articles=N``.
    """
    translated: list[str] = []
    rest = iter(options)
    for option in rest:
        name, equals, value = option.partition("=")
        if name != "--max-articles":
            translated.append(option)
            continue
        if not equals:
            value = next(rest, "")
            if not value or value.startswith("-"):
                raise click.UsageError("--max-articles takes a number: --max-articles N")
        translated += ["-a", f"max_articles={value}"]
    return translated


def _crawl_every_site(scrapy_options: tuple[str, ...]) -> None:
    """--all: each due site in a crawl of its own; exits with the worst of their codes."""
    from crawler.cli.crawl_all import crawl_all

    sys.exit(crawl_all(scrapy_options))


def _crawl_from_front_page(url: str, scrapy_options: tuple[str, ...]) -> tuple[str, ...]:
    """--url: the generic profile's discovery of the site at `url`."""
    from crawler.cli.crawl_url import url_crawl_options

    return (*url_crawl_options(url, scrapy_options), *scrapy_options)
