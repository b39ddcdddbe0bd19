"""Output of the command line: tables for people on a terminal, JSON for programs.

Commands print tables when stdout is a terminal and JSON otherwise;
``--json`` and ``--human`` choose either way.

One rule for times: people read the site's clock with its offset
(``2016-08-16 17:52 +04:30``, `local_time`), and each output says once whose
clock that is (`clock`); JSON carries UTC in ISO 8601 (``…+00:00``).
Long commands show a progress bar on stderr when a person watches it
(`progress`), and nothing when their output goes to a program or a file.
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

import click
from tqdm import tqdm

from crawler.archive.search import MARK_END, MARK_START
from crawler.sites import ProfileError, UnknownSiteError, get_profile, sites_dir

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping
    from pathlib import Path

    from crawler.sites.profile import SiteProfile

T = TypeVar("T")


def wants_json(choice: bool | None) -> bool:
    return choice if choice is not None else not sys.stdout.isatty()


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def table(headers: list[str], rows: list[list[Any]]) -> None:
    """Aligned columns; the last column is cut to the terminal's width."""
    text_rows = [[_cell(value) for value in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in text_rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    room = shutil.get_terminal_size((120, 24)).columns - sum(widths[:-1]) - 2 * (len(widths) - 1)
    widths[-1] = max(10, min(widths[-1], room))
    for row in [headers, *text_rows]:
        cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths[:-1], strict=True)]
        last = row[-1] if len(row[-1]) <= widths[-1] else row[-1][: widths[-1] - 1] + "…"
        click.echo("  ".join([*cells, last]).rstrip())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


_archive_profiles: dict[str, SiteProfile] = {}
"""The profiles the open archive's sites were crawled with (`use_archive_profiles`)."""


def use_archive_profiles(profiles: Mapping[str, SiteProfile]) -> None:
    """Times of these sites follow these profiles' zones (the archive's, see open_store)."""
    _archive_profiles.update(profiles)


def site_zone(site: str) -> ZoneInfo:
    archived = _archive_profiles.get(site)
    if archived is not None:
        return archived.zone or ZoneInfo("UTC")
    return _site_zone(site, sites_dir())


@cache  # asked once for each row printed
def _site_zone(site: str, directory: Path | None) -> ZoneInfo:
    try:
        zone = get_profile(site, directory).zone
    except (UnknownSiteError, ProfileError):
        zone = None
    return zone or ZoneInfo("UTC")


def local_time(moment: datetime | None, site: str) -> str:
    """A UTC moment as the site's clock showed it, e.g. ``2016-08-16 17:52 +04:30``."""
    if moment is None:
        return ""
    return _with_colon(moment.astimezone(site_zone(site)).strftime("%Y-%m-%d %H:%M %z"))


def _with_colon(stamp: str) -> str:
    return f"{stamp[:-2]}:{stamp[-2:]}" if stamp[-5] in "+-" else stamp


def clock(site: str) -> str:
    """Whose clock a site's times follow, said once per output: ``site time, Asia/Tehran``."""
    return f"site time, {site_zone(site).key}"


def utc(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def article_text(
    body: str,
    subheadings: Iterable[str],
    field_sources: Mapping[str, str],
    *,
    sources_label: str,
) -> None:
    """An article's paragraphs as a reader wants them, then where each field came from."""
    width = min(100, shutil.get_terminal_size((100, 24)).columns)
    headings = set(subheadings)
    for paragraph in body.split("\n\n"):
        click.echo()
        if paragraph in headings:
            click.echo(click.style(paragraph, bold=True))
        else:
            click.echo(click.wrap_text(paragraph, width=width))
    if field_sources:
        sources = ", ".join(f"{name} {source}" for name, source in field_sources.items())
        click.echo(f"\n{sources_label}: {sources}")


def highlighted(snippet: str, *, for_terminal: bool) -> str:
    """Search matches in bold on a terminal, between «» elsewhere."""
    if for_terminal:
        start, end = "\x1b[1m", "\x1b[0m"
    else:
        start, end = "«", "»"
    return snippet.replace(MARK_START, start).replace(MARK_END, end)


def progress(
    items: Iterable[T],
    *,
    unit: str,
    total: Callable[[], int] | None = None,
    data_on_stdout: bool = False,
) -> Iterator[T]:
    """`items` as they pass, counted in a bar on stderr while a person watches.

    Silent when stderr is not a terminal (cron, a pipe, a log), and when the
    command's data goes to the same terminal. `total` is asked only when the
    bar shows (it may cost a query).
    """
    watched = sys.stderr.isatty() and not (data_on_stdout and sys.stdout.isatty())
    if not watched:
        yield from items
        return
    with tqdm(
        items, total=total() if total else None, unit=f" {unit}", file=sys.stderr, mininterval=0.2
    ) as bar:
        yield from bar
