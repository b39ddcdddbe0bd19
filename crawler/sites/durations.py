"""Durations as a profile writes them: ``"90s"``, ``"15m"``, ``"1h"``, ``"1h30m"``, ``"2d"``."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)([dhms])")
_WHOLE = re.compile(r"(?:\d+[dhms])+")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_duration(text: str) -> timedelta | None:
    """The duration `text` says, or None if it is not one (or is zero).

    Whole numbers with a unit each (d, h, m, s), largest first, no blanks: a
    form with one reading only, so ``"1.5h"`` or ``"1 h"`` is refused rather
    than guessed at.
    """
    if _WHOLE.fullmatch(text) is None:
        return None
    parts = _PART.findall(text)
    units = [unit for _, unit in parts]
    if units != sorted(set(units), key="dhms".index):
        return None  # "30m1h", "1h1h": no order or a repeat is a typo, not a duration
    duration = timedelta(**{_UNITS[unit]: int(number) for number, unit in parts})
    return duration if duration > timedelta(0) else None
