"""What an article's history says beyond its diffs: texts that came back.

A new version is stored only when the text changed, so a version whose content
hash equals an earlier one's is the text going back: an edit undone ("back to
version 2"), or a page that flips between two texts (a site's caches serving
old and new pages in turn). Pure functions over the versions, oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime


class HashedVersion(Protocol):
    """What the judgement needs of a version (crawler.archive.store.Version has it)."""

    @property
    def version(self) -> int: ...
    @property
    def content_hash(self) -> str: ...
    @property
    def first_seen_at(self) -> datetime: ...


@dataclass(frozen=True)
class Revert:
    """A version whose text is an earlier version's."""

    version: int
    reverts_to: int
    """The first version with this text."""
    replaced: int
    """The version it took the place of (the one before it)."""
    at: datetime
    """When the text was seen back: this version's first sighting."""
    times: int
    """How often the text has come back, this time included (1 the first time)."""
    flip_flop: bool
    """Back and forth: the version it replaced was itself a text come back, or this text
    has come back before."""


def reverts(versions: Sequence[HashedVersion]) -> dict[int, Revert]:
    """The versions (by number) whose text an earlier version already had."""
    first_with: dict[str, int] = {}
    returns: dict[str, int] = {}
    found: dict[int, Revert] = {}
    previous: HashedVersion | None = None
    for version in versions:
        original = first_with.setdefault(version.content_hash, version.version)
        if original != version.version and previous is not None:
            times = returns[version.content_hash] = returns.get(version.content_hash, 0) + 1
            found[version.version] = Revert(
                version=version.version,
                reverts_to=original,
                replaced=previous.version,
                at=version.first_seen_at,
                times=times,
                flip_flop=previous.version in found or times > 1,
            )
        previous = version
    return found
