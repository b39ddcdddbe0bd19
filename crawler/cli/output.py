"""Output of the command line: tables for people on a terminal, JSON for programs.

Commands print tables when stdout is a terminal and JSON otherwise;
``--json`` and ``--human`` choose either way.

One rule for times: people read the site's clock with its offset
(``2016-08-16 17:52 +04:30``, `local_time`), and each output says once whose
clock that is (`clock`); JSON carries UTC in ISO 8601 (``…+00:00``).
Text for people goes through one door, `say` (and `table`, `article_text`,
`snippet`, which use it): archived text was written by whoever wrote the
page, and a control character in it would reach the terminal as a command
(clear the screen, retitle the window, colour the rest, reverse the text's
direction to spoof it). `printable` shows such characters instead; the
program's own styling (bold) is added after. JSON stays exact.

Long commands show a progress bar on stderr when a person watches it
(`progress`), and nothing when their output goes to a program or a file.
"""

from __future__ import annotations

import json
import re
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


# C0 controls but tab and newline, DEL, C1 controls; bidi embeddings, overrides
# and isolates (U+202A-U+202E, U+2066-U+2069), which reorder what follows them.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with every control character shown, never obeyed by the terminal.

    C0 controls and DEL become their Unicode control pictures (ESC is ``␛``,
    so ``ESC ] 0 ; title BEL`` shows as ``␛]0;title␇``); C1 controls and the
    bidi controls become escapes such as ``\\u009b`` and ``\\u202e``.
    Tab and newline stay.
    """
    return _CONTROL.sub(_shown, text)


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"\\u{code:04x}"


class Bold(str):
    """Text that `say` prints in bold on a terminal (made printable first)."""

    __slots__ = ()


def say(*parts: str, err: bool = False) -> None:
    """One line for people: every part `printable`, `Bold` parts styled after that."""
    click.echo(
        "".join(
            click.style(printable(part), bold=True) if isinstance(part, Bold) else printable(part)
            for part in parts
        ),
        err=err,
    )


def wants_json(choice: bool | None) -> bool:
    return choice if choice is not None else not sys.stdout.isatty()


def emit_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def heading(site: str, article_id: str, count: int, noun: str) -> None:
    """The line above an article's versions or captures: how many, and in whose time."""
    out = f"{count} {noun}{'s' if count > 1 else ''}"
    say(f"{site}/{article_id}: {out} (times: {clock(site)})")


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
        say("  ".join([*cells, last]).rstrip())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return printable(str(value))  # before measuring: a control picture is one column wide


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
        say()
        if paragraph in headings:
            say(Bold(paragraph))
        else:
            say(click.wrap_text(printable(paragraph), width=width))
    if field_sources:
        sources = ", ".join(f"{name} {source}" for name, source in field_sources.items())
        say(f"\n{sources_label}: {sources}")


def highlighted(snippet: str) -> str:
    """Search matches between «», for JSON: the text itself exact."""
    return snippet.replace(MARK_START, "«").replace(MARK_END, "»")


_MATCH = re.compile(f"{MARK_START}(.*?){MARK_END}", re.DOTALL)


def snippet(snippet: str, *, for_terminal: bool) -> list[str]:
    """A search snippet as parts for `say`: matches `Bold` on a terminal, between «» elsewhere."""
    parts: list[str] = []
    done = 0
    for match in _MATCH.finditer(snippet):
        parts.append(snippet[done : match.start()])
        parts.append(Bold(match.group(1)) if for_terminal else f"«{match.group(1)}»")
        done = match.end()
    parts.append(snippet[done:])
    return parts


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
