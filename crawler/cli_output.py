"""Output of the command line: tables for people on a terminal, JSON for programs.

Commands print tables when stdout is a terminal and JSON otherwise;
``--json`` and ``--human`` choose either way. Dates for people are shown in
the site's time zone.
"""

from __future__ import annotations

import json
import shutil
import sys
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import click

from crawler.archive.search import MARK_END, MARK_START
from crawler.sites import ProfileError, UnknownSiteError, get_profile


def wants_json(choice: bool | None) -> bool:
    return choice if choice is not None else not sys.stdout.isatty()


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
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


def site_zone(site: str) -> ZoneInfo:
    try:
        zone = get_profile(site).zone
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


def utc(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def highlighted(snippet: str, *, for_terminal: bool) -> str:
    """Search matches in bold on a terminal, between «» elsewhere."""
    if for_terminal:
        start, end = "\x1b[1m", "\x1b[0m"
    else:
        start, end = "«", "»"
    return snippet.replace(MARK_START, start).replace(MARK_END, end)
