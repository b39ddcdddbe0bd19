"""What an article's history says beyond its diffs: texts that came back, and when.

The archive keeps each distinct text once (one version a content hash), so a
page that goes back to an earlier text adds no version: the fetch that read
it is a capture confirming that earlier version (crawler.archive.versions,
"reverted"). The fetches in time order are therefore the article's timeline,
and a return shows there: a capture of version 2 after one of version 3, when
version 2 had been seen before. An edit undone is one such return; a page
that keeps swapping two texts (a site's caches serving old and new pages in
turn) is a flip-flop. Pure functions of the captures, oldest first. (An article
archived before captures were kept has no timeline: none of its returns is told.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import datetime


class Sighting(Protocol):
    """A fetch and the version it read, if it read one (CaptureSummary has both)."""

    @property
    def fetched_at(self) -> datetime: ...
    @property
    def version(self) -> int | None: ...


@dataclass(frozen=True)
class Revert:
    """The text went back to an earlier version."""

    reverts_to: int
    """The version whose text came back."""
    replaced: int
    """The version whose text it replaced."""
    at: datetime
    """The first fetch that read it back."""
    times: int
    """How often this version's text has come back, this time included (1 the first time)."""
    flip_flop: bool
    """Back and forth: the text it replaced had itself come back, or this one came back
    before."""


def reverts(sightings: Sequence[Sighting]) -> list[Revert]:
    """Every return to an earlier version, in time order. Fetches that read no version
    (held, dropped) are no part of the timeline."""
    seen: set[int] = set()
    returns: dict[int, int] = {}
    found: list[Revert] = []
    current: int | None = None
    last_was_return = False
    for sighting in sorted(_read(sightings), key=lambda s: s.fetched_at):
        version = sighting.version
        if version is None or version == current:
            continue
        if current is not None and version in seen:
            times = returns[version] = returns.get(version, 0) + 1
            flip_flop = last_was_return or times > 1
            found.append(Revert(version, current, sighting.fetched_at, times, flip_flop))
            last_was_return = True
        else:
            last_was_return = False
        seen.add(version)
        current = version
    return found


def returns_to(found: Iterable[Revert], version: int) -> list[Revert]:
    """The returns to `version`, in time order."""
    return [revert for revert in found if revert.reverts_to == version]


def _read(sightings: Iterable[Sighting]) -> list[Sighting]:
    return [s for s in sightings if s.version is not None]
