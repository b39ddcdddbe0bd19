"""A set of article ids that stays small however long the crawl.

Number ids are decimal numbers, so a set of them can be a bitmap: one bit per
possible id, 125 kB per million ids, whatever the number of ids in it. Ids
too large for a sensible bitmap go to an ordinary set of integers.

Slug ids (``iran-russia-talks-2016``, ``2024/05/12/a-headline``) are kept as
64-bit hashes in a sorted array, 8 bytes an id instead of the hundred or so
a Python string in a set costs: a million slugs take 8 MB, not 100. New
hashes wait in a small set and are merged into the array in batches that
grow with it, so adding stays cheap; a merge needs about one more array
while it runs (the new one), never a Python int for every hash. Two
different slugs of a set collide with a chance of about n²/2⁶⁵: 3 in 100
million for a million slugs of one site. A collision would make a crawl
take one page for another already seen (or archived and not due); at these
odds, a price worth the memory. Number ids, in the bitmap, are exact.

A crawl's seen-set and the archive's skip-set are kept this way.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left
from hashlib import blake2b
from typing import TYPE_CHECKING

from crawler.sites.profile import is_number_id

if TYPE_CHECKING:
    from collections.abc import Iterable

BITMAP_LIMIT = 1 << 27
"""Ids below this live in the bitmap (at most 16 MB); larger ones in a set."""
_MERGE_AT = 4096


class IdSet:
    def __init__(self, ids: Iterable[str] = ()) -> None:
        self._bits = bytearray()
        self._large: set[int] = set()
        self._slugs = _HashSet()
        self._count = 0
        for article_id in ids:
            self.add(article_id)

    def add(self, article_id: str) -> bool:
        """Add an id; True if it was not there."""
        if not is_number_id(article_id):
            added = self._slugs.add(article_id)
        else:
            added = self._add_number(int(article_id))
        self._count += added
        return added

    def _add_number(self, number: int) -> bool:
        if number >= BITMAP_LIMIT:
            if number in self._large:
                return False
            self._large.add(number)
            return True
        index, bit = divmod(number, 8)
        if index >= len(self._bits):
            self._bits.extend(bytes(max(index + 1 - len(self._bits), len(self._bits) // 2)))
        if self._bits[index] & (1 << bit):
            return False
        self._bits[index] |= 1 << bit
        return True

    def __contains__(self, article_id: object) -> bool:
        if not isinstance(article_id, str):
            return False
        if not is_number_id(article_id):
            return article_id in self._slugs
        number = int(article_id)
        if number >= BITMAP_LIMIT:
            return number in self._large
        index, bit = divmod(number, 8)
        return index < len(self._bits) and bool(self._bits[index] & (1 << bit))

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0


class _HashSet:
    """64-bit hashes of strings: a sorted array, and the newest few in a set."""

    def __init__(self) -> None:
        self._sorted = array("Q")
        self._recent: set[int] = set()

    @staticmethod
    def _hash(value: str) -> int:
        return int.from_bytes(blake2b(value.encode(), digest_size=8).digest(), "little")

    def add(self, value: str) -> bool:
        digest = self._hash(value)
        if digest in self._recent or self._in_sorted(digest):
            return False
        self._recent.add(digest)
        if len(self._recent) >= max(_MERGE_AT, len(self._sorted) // 8):
            # Merged straight into a new array: a list of the hashes would hold each as a
            # Python int, some 40 bytes instead of 8, and multiply the set's size while it ran.
            merged = array("Q")
            merged.extend(heapq.merge(self._sorted, sorted(self._recent)))
            self._sorted = merged
            self._recent.clear()
        return True

    def __contains__(self, value: str) -> bool:
        digest = self._hash(value)
        return digest in self._recent or self._in_sorted(digest)

    def _in_sorted(self, digest: int) -> bool:
        index = bisect_left(self._sorted, digest)
        return index < len(self._sorted) and self._sorted[index] == digest
