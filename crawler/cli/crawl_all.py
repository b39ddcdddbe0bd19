"""`news-archive crawl --all`: every site of the archive that is due, each with its own run.

One cron line keeps every site current: each site whose profile says how often
its discovery sources are read (``[discovery] every``) and whose last run started
that long ago is crawled with ``-a start=latest``, its last run's profile and
`base_url`, in a process of its own (its own lock, row and summary line). Each
site gets one line on stdout; the exit code is the worst of the crawls'.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from crawler.archive.sites import last_crawls
from crawler.clock import run_clock
from crawler.plan.due import is_due

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from crawler.archive.sites import LastCrawl

EXIT_CANNOT_START = 2
SEVERITY = (0, 4, 3, 5, 2, 1)
"""Exit codes from best to worst: finished, locked (the site's previous run is still
going), degraded, interrupted, cannot start, failed."""
CHOSEN_PER_SITE = ("start", "ids", "site", "profile", "base_url")
"""Spider arguments --all decides for each site itself."""


@dataclass(frozen=True)
class SiteOutcome:
    line: str
    exit_code: int


def worst(codes: Sequence[int]) -> int:
    return max(codes, key=SEVERITY.index, default=0)


def crawl_all(scrapy_options: tuple[str, ...]) -> int:
    """Crawl each due site; print one line a site; return the worst exit code."""
    given = spider_arguments(scrapy_options)
    if chosen := [name for name in CHOSEN_PER_SITE if name in given]:
        raise click.UsageError(
            f"crawl --all chooses each site's start, profile and base_url itself; "
            f"-a {chosen[0]}= cannot go with it"
        )
    from crawler.cli.options import open_store

    settings = _settings(scrapy_options)
    try:
        store = open_store(settings.get("ARCHIVE_DB"))
    except click.ClickException as error:
        error.exit_code = EXIT_CANNOT_START  # no archive to read the sites of: as crawl says it
        raise
    try:
        now = run_clock(settings.get("ARCHIVE_CLOCK"))()
    except ValueError as error:
        raise click.UsageError(str(error)) from error
    crawls = last_crawls(store.engine)
    store.engine.dispose()
    if not crawls:
        click.echo("the archive holds no site yet: crawl one first (news-archive crawl -a ...)")
        return 0
    codes = []
    for crawl in crawls:
        outcome = crawl_site(crawl, now, scrapy_options)
        click.echo(f"{crawl.site}: {outcome.line}")
        codes.append(outcome.exit_code)
    return worst(codes)


def crawl_site(crawl: LastCrawl, now: datetime, scrapy_options: tuple[str, ...]) -> SiteOutcome:
    if crawl.problem is not None:
        return SiteOutcome(f"not crawled: {crawl.problem}", EXIT_CANNOT_START)
    if crawl.archived is None or crawl.profile_source is None:
        return SiteOutcome(
            "not crawled by --all: its last run recorded no profile (crawl it once by hand)", 0
        )
    decision = is_due(crawl.archived.profile.discovery.every, crawl.started_at, now)
    if not decision.due:
        return SiteOutcome(decision.reason, 0)
    profile = _profile_arguments(crawl.profile_source)
    if profile is None:
        return SiteOutcome(
            f"not crawled: its profile file {crawl.profile_source} is gone (the archive keeps"
            " a copy for reading; crawl with -a profile=FILE to give it one)",
            EXIT_CANNOT_START,
        )
    command = [sys.executable, "-m", "crawler", "crawl", "-a", "start=latest", *profile]
    if crawl.base_url:
        command += ["-a", f"base_url={crawl.base_url}"]
    done = subprocess.run([*command, *scrapy_options], capture_output=True, text=True, check=False)
    sys.stderr.write(done.stderr)  # the crawl's own log and errors, as a crawl shows them
    lines = done.stdout.strip().splitlines()
    if lines:
        return SiteOutcome(lines[-1], done.returncode)
    errors = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
    said = errors[-1].removeprefix("Error: ") if errors else "see its log"
    return SiteOutcome(f"did not start (exit {done.returncode}): {said}", done.returncode)


def _profile_arguments(source: str) -> list[str] | None:
    """The crawl's arguments for the recorded profile: a name as a name, a file as a file."""
    if "/" not in source:
        return ["-a", f"site={source}"]
    return ["-a", f"profile={source}"] if Path(source).is_file() else None


def _pairs(scrapy_options: tuple[str, ...], flags: tuple[str, ...]) -> dict[str, str]:
    """NAME=VALUE pairs given with one of `flags` (``-s NAME=VALUE`` or ``-sNAME=VALUE``)."""
    found: dict[str, str] = {}
    options = list(scrapy_options)
    for index, option in enumerate(options):
        value = None
        if option in flags and index + 1 < len(options):
            value = options[index + 1]
        else:
            value = next((option[len(f) :] for f in flags if option.startswith(f)), None)
        if value and "=" in value:
            name, _, setting = value.partition("=")
            found[name] = setting
    return found


def _settings(scrapy_options: tuple[str, ...]) -> dict[str, str]:
    settings = _pairs(scrapy_options, ("-s", "--set"))
    if "ARCHIVE_DB" not in settings and os.environ.get("ARCHIVE_DB"):
        settings["ARCHIVE_DB"] = os.environ["ARCHIVE_DB"]
    return settings


def spider_arguments(scrapy_options: tuple[str, ...]) -> dict[str, str]:
    return _pairs(scrapy_options, ("-a",))
