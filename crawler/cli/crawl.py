"""`news-archive crawl`: `scrapy crawl related` with this project's settings, from anywhere.

An installed archive has no scrapy.cfg to find its settings by, so the
settings module is named here; the crawl itself is the project's `crawl`
command (crawler.commands.crawl), with its checks, lock and exit codes.
"""

from __future__ import annotations

import os

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
def crawl(scrapy_options: tuple[str, ...]) -> None:
    """Crawl the site into the archive (scrapy crawl related, from any directory).

    \b
    news-archive crawl -a start=1851093
    news-archive crawl -a start=latest -s ARCHIVE_DB=postgresql+psycopg://archiver@dbhost/news
    news-archive crawl -a ids=1808000-1809000 -O items.jsonl
    news-archive crawl -a start=1851093 -a base_url=http://127.0.0.1:8765
    news-archive crawl -a start=latest --max-articles 50

    \b
    --max-articles N   stop once N new articles are archived (-a max_articles=N);
                       what was found and not fetched is the next run's
    Other options are those of `scrapy crawl`:
      -a NAME=VALUE    spider argument: start, ids, site, base_url, max_articles
      -s NAME=VALUE    setting, e.g. ARCHIVE_DB, DEPTH_LIMIT, CLOSESPIDER_ITEMCOUNT
      -o/-O FILE       append / overwrite a feed of the archived records
      -L LEVEL, --logfile FILE, --nolog

    Exit codes: 0 finished, 1 failed, 2 cannot start (bad argument or database),
    3 degraded, 4 locked (another run of the site is archiving into the same
    database), 5 interrupted.
    """
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
