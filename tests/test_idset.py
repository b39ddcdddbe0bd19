"""The bitmap set of article ids."""

from __future__ import annotations

import random
import tracemalloc
from array import array

from crawler.plan.idset import BITMAP_LIMIT, IdSet, _HashSet


def test_an_id_is_added_once():
    ids = IdSet()

    assert ids.add("1851093") and not ids.add("1851093")
    assert "1851093" in ids and "1851094" not in ids and len(ids) == 1


def test_ids_beyond_the_bitmap_are_kept_too():
    ids = IdSet([str(BITMAP_LIMIT + 5), "7"])

    assert str(BITMAP_LIMIT + 5) in ids and "7" in ids and len(ids) == 2


def test_a_million_ids_take_about_a_bit_each():
    ids = IdSet(str(n) for n in range(1_000_000, 2_000_000))

    assert len(ids) == 1_000_000
    assert len(ids._bits) < 400_000  # bytes, room to grow included


def test_what_is_not_an_id_is_never_in_the_set():
    ids = IdSet(["1"])

    assert "abc" not in ids and 1 not in ids


def test_slug_ids_are_kept_as_hashes_and_found_again():
    ids = IdSet()
    slugs = [f"story-{n}-{'x' * (n % 50)}" for n in range(20_000)]

    assert all(ids.add(slug) for slug in slugs)
    assert not any(ids.add(slug) for slug in slugs[::7])
    assert all(slug in ids for slug in slugs)
    assert "story-unknown" not in ids
    assert len(ids) == 20_000


def test_a_number_with_leading_zeros_is_not_the_number_itself():
    ids = IdSet(["42"])

    assert "042" not in ids
    assert ids.add("042")
    assert "42" in ids


def test_merging_new_slug_hashes_costs_about_the_new_array_not_a_list_of_ints():
    rng = random.Random(5)
    slugs = _HashSet()
    slugs._sorted = array("Q", sorted(rng.getrandbits(64) for _ in range(200_000)))
    # One short of the batch that is merged into the array.
    slugs._recent = {rng.getrandbits(64) for _ in range(200_000 // 8 - 1)}

    tracemalloc.start()
    try:
        assert slugs.add("the-slug-that-starts-the-merge")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert not slugs._recent and len(slugs._sorted) == 225_000
    assert list(slugs._sorted) == sorted(slugs._sorted)
    assert peak < 2 * slugs._sorted.itemsize * len(slugs._sorted)
