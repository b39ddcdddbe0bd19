"""A profile test's expect file: how a field of it is compared, and how one is written.

Times are compared as instants, not as text: ``2016-08-16T13:22:15Z`` and
``2016-08-16T13:22:15+00:00`` are the same time. Where the expectation gives
an offset, the record's must be the same offset too (``published_local`` is
the time as the page shows it, offset and all); where it gives none, the
wall-clock time alone is compared. A date without a time is compared as text.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crawler.export.atomic import atomic_writer

if TYPE_CHECKING:
    from pathlib import Path

TIME_FIELDS = frozenset({"published_at", "published_local"})


def field_matches(name: str, expected: Any, got: Any) -> bool:
    """Whether a record's field `got` meets the expectation's `expected`."""
    if name in TIME_FIELDS and isinstance(expected, str) and isinstance(got, str):
        return same_time(expected, got)
    return bool(expected == got)


def same_time(expected: str, got: str) -> bool:
    """Whether two ISO times are the same instant (and offset, where `expected` gives one)."""
    want, have = _time(expected), _time(got)
    if want is None or have is None:
        return expected == got
    if want.tzinfo is None:
        return want == have.replace(tzinfo=None)
    if have.tzinfo is None:
        return False
    return want == have and want.utcoffset() == have.utcoffset()


def _time(text: str) -> datetime | None:
    """A time of day with its date (not a date alone: ``2016-08-16`` stays text)."""
    if len(text) <= len("2016-08-16"):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def expect_text(expectation: dict[str, Any]) -> str:
    """An expect file's text: the record's fields in its order, as the built-in fixtures are."""
    return json.dumps(expectation, ensure_ascii=False, indent=2) + "\n"


def write_expect(path: Path, expectation: dict[str, Any]) -> None:
    """Write an expect file whole: a half-written one would fail every later check."""
    with atomic_writer(path) as out:
        out.write(expect_text(expectation))
