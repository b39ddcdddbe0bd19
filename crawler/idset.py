"""A set of article ids that stays small however long the crawl.

Article ids are decimal numbers, so a set of them can be a bitmap: one bit
per possible id, 125 kB per million ids, whatever the number of ids in it.
A crawl's seen-set and the archive's skip-set are kept this way; ids too
large for a sensible bitmap go to an ordinary set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

BITMAP_LIMIT = 1 << 27
"""Ids below this live in the bitmap (at most 16 MB); larger ones in a set."""


class IdSet:
    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._bits = bytearray()
        self._large: set[int] = set()
        self._count = 0
        for article_id in ids:
            self.add(article_id)

    def add(self, article_id: str) -> bool:
        """Add an id (canonical decimal digits); True if it was not there."""
        number = int(article_id)
        if number >= BITMAP_LIMIT:
            if number in self._large:
                return False
            self._large.add(number)
            self._count += 1
            return True
        index, bit = divmod(number, 8)
        if index >= len(self._bits):
            self._bits.extend(bytes(max(index + 1 - len(self._bits), len(self._bits) // 2)))
        if self._bits[index] & (1 << bit):
            return False
        self._bits[index] |= 1 << bit
        self._count += 1
        return True

    def __contains__(self, article_id: object) -> bool:
        if not isinstance(article_id, str) or not article_id.isdigit():
            return False
        number = int(article_id)
        if number >= BITMAP_LIMIT:
            return number in self._large
        index, bit = divmod(number, 8)
        return index < len(self._bits) and bool(self._bits[index] & (1 << bit))

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0
