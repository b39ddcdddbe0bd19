"""The versioning rule: what a newly read text is to the article's history.

A pure function of the current text, the hashes the article has had and the
new text's hash, so a table test states it whole (tests/test_versions.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Change = Literal["new", "changed", "reverted", "unchanged"]
"""A new article, a new version, a return to an earlier version, the same text again."""


@dataclass(frozen=True)
class History:
    """What the archive knows of an article's texts."""

    current_hash: str
    current_version: int
    hashes: dict[str, int]
    """Every earlier text's hash and its version number (the current one may be missing)."""

    @property
    def highest(self) -> int:
        return max([self.current_version, *self.hashes.values()])


def next_version(history: History | None, content_hash: str) -> tuple[Change, int]:
    """What the text with `content_hash` is to the article, and its version number."""
    if history is None:
        return "new", 1
    if content_hash == history.current_hash:
        return "unchanged", history.current_version
    if content_hash in history.hashes:
        return "reverted", history.hashes[content_hash]
    return "changed", history.highest + 1
